//! Take naming: `OUT/<SCENE>-T<NNN>/<SCENE>-T<NNN>_<NN>_<Track>.wav` (mono) or
//! `OUT/<SCENE>-T<NNN>/<SCENE>-T<NNN>.wav` (poly).

use std::io;
use std::path::{Path, PathBuf};

/// A take's name and folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakeName {
    /// Scene name.
    pub scene: String,
    /// Take number within the scene (1-based).
    pub number: u32,
    /// The take's folder.
    pub dir: PathBuf,
}

impl TakeName {
    /// `<SCENE>-T<NNN>`.
    pub fn stem(&self) -> String {
        format!("{}-T{:03}", self.scene, self.number)
    }

    /// The file of track `index` (0-based) in the mono layout.
    pub fn track_file(&self, index: usize, track_name: &str) -> PathBuf {
        self.dir.join(format!(
            "{}_{:02}_{}.wav",
            self.stem(),
            index + 1,
            track_name
        ))
    }

    /// The single file of the poly layout.
    pub fn poly_file(&self) -> PathBuf {
        self.dir.join(format!("{}.wav", self.stem()))
    }
}

/// The highest take number of `scene` already in `out` (0 when none).
fn last_take(out: &Path, scene: &str) -> io::Result<u32> {
    let prefix = format!("{scene}-T");
    let mut last = 0;
    for e in std::fs::read_dir(out)? {
        let name = e?.file_name();
        let name = name.to_string_lossy();
        if let Some(n) = name
            .strip_prefix(&prefix)
            .and_then(|n| n.parse::<u32>().ok())
        {
            last = last.max(n);
        }
    }
    Ok(last)
}

/// Creates the next take folder of `scene` in `out` (creating `out` if needed). Never reuses or
/// writes into an existing folder: if another process takes a number first, the next is tried.
pub fn create_next_take(out: &Path, scene: &str) -> io::Result<TakeName> {
    std::fs::create_dir_all(out)?;
    let mut number = last_take(out, scene)? + 1;
    loop {
        let t = TakeName {
            scene: scene.to_string(),
            number,
            dir: PathBuf::new(),
        };
        let dir = out.join(t.stem());
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(TakeName { dir, ..t }),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => number += 1,
            Err(e) => return Err(e),
        }
        if number > 999_999 {
            return Err(io::Error::other(format!(
                "scene {scene} has no free take number left in {}",
                out.display()
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_highest_existing_take() {
        let d = tempfile::tempdir().unwrap();
        let a = create_next_take(d.path(), "S01").unwrap();
        assert_eq!(a.stem(), "S01-T001");
        std::fs::create_dir(d.path().join("S01-T007")).unwrap();
        std::fs::create_dir(d.path().join("S02-T050")).unwrap();
        let b = create_next_take(d.path(), "S01").unwrap();
        assert_eq!(b.stem(), "S01-T008");
        assert_eq!(
            b.track_file(0, "Kick").file_name().unwrap(),
            "S01-T008_01_Kick.wav"
        );
        assert_eq!(b.poly_file().file_name().unwrap(), "S01-T008.wav");
    }
}
