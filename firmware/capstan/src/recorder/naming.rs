//! Take naming: `OUT/<SCENE>-T<NNN>/<SCENE>-T<NNN>_<NN>_<Track>.wav` (mono) or
//! `OUT/<SCENE>-T<NNN>/<SCENE>-T<NNN>.wav` (poly).

use std::io;
use std::path::{Path, PathBuf};

use super::RecordError;

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

/// The number the next take of `scene` gets, for the display before it is made: one past the
/// highest take folder in `out` and in the `mirror` folder, if there is one (a folder that
/// cannot be read counts as empty), as [`create_next_take`] and a mirrored take number it.
pub fn next_take_number(out: &Path, mirror: Option<&Path>, scene: &str) -> u32 {
    let highest = |dir: &Path| last_take(dir, scene).unwrap_or(0);
    highest(out)
        .max(mirror.map_or(0, highest))
        .saturating_add(1)
}

/// Why the output folder cannot take a take.
#[derive(Debug, thiserror::Error)]
pub enum OutFolderError {
    /// The path names a file.
    #[error("{}: this is a file, not a folder: give --out a folder to put takes in", .0.display())]
    NotAFolder(PathBuf),
    /// Neither the folder nor its parent exists: most likely the card is not mounted.
    #[error(
        "{}: no such folder, and its parent {} does not exist either: is the card mounted? \
         (Capstan creates the last folder of the path, never a whole path; `mkdir -p` it first)",
        .out.display(),
        .parent.display()
    )]
    Missing {
        /// The output folder.
        out: PathBuf,
        /// Its missing parent.
        parent: PathBuf,
    },
    /// The system refused.
    #[error("{}: {source} (is the card mounted and writable?)", .out.display())]
    Io {
        /// The output folder.
        out: PathBuf,
        /// The system's answer.
        #[source]
        source: io::Error,
    },
}

/// Makes sure `out` is a folder takes can go in. A missing `out` is created only when its parent
/// exists: a whole missing path usually means the card is not mounted, and a recorder must not
/// then fill the system's own storage, so that is refused.
pub fn prepare_out_folder(out: &Path) -> Result<(), OutFolderError> {
    let io_err = |source| OutFolderError::Io {
        out: out.to_path_buf(),
        source,
    };
    match std::fs::metadata(out) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => return Err(OutFolderError::NotAFolder(out.to_path_buf())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(e)),
    }
    let parent = match out.parent() {
        Some(p) if p.as_os_str().is_empty() => Path::new("."),
        Some(p) => p,
        None => Path::new("/"),
    };
    if !parent.is_dir() {
        return Err(OutFolderError::Missing {
            out: out.to_path_buf(),
            parent: parent.to_path_buf(),
        });
    }
    match std::fs::create_dir(out) {
        Ok(()) => {
            tracing::info!("created the output folder {}", out.display());
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && out.is_dir() => Ok(()),
        Err(e) => Err(io_err(e)),
    }
}

/// The highest take number a take may have.
const LAST_NUMBER: u32 = 999_999;

/// Creates the next take folder of `scene` in `out` (see [`prepare_out_folder`] for a missing
/// `out`). Never reuses or writes into an existing folder or file: numbering follows the highest
/// take there, and if another process takes a number first, the next is tried.
pub fn create_next_take(out: &Path, scene: &str) -> Result<TakeName, RecordError> {
    prepare_out_folder(out)?;
    let in_out = |source| RecordError::TakeFolder {
        out: out.to_path_buf(),
        source,
    };
    let mut number = last_take(out, scene).map_err(in_out)?.saturating_add(1);
    loop {
        if number > LAST_NUMBER {
            return Err(in_out(io::Error::other(format!(
                "scene {scene} has no free take number left (the highest is T{LAST_NUMBER}): \
                 start a new scene or move its takes away"
            ))));
        }
        let t = TakeName {
            scene: scene.to_string(),
            number,
            dir: PathBuf::new(),
        };
        let dir = out.join(t.stem());
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(TakeName { dir, ..t }),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => number += 1,
            Err(e) => return Err(in_out(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_take_follows_the_highest_folder_of_the_scene_on_both_media() {
        let dir = tempfile::tempdir().unwrap();
        let (card, mirror) = (dir.path().join("card"), dir.path().join("mirror"));
        assert_eq!(next_take_number(&card, None, "S01"), 1, "a missing folder");
        for name in ["S01-T002", "S01-T009", "S02-T040", "notes"] {
            std::fs::create_dir_all(card.join(name)).unwrap();
        }
        assert_eq!(next_take_number(&card, None, "S01"), 10);
        assert_eq!(next_take_number(&card, None, "S02"), 41);
        assert_eq!(next_take_number(&card, None, "S03"), 1);
        // The mirror is further on: a mirrored take takes the number free on both.
        std::fs::create_dir_all(mirror.join("S01-T012")).unwrap();
        assert_eq!(next_take_number(&card, Some(&mirror), "S01"), 13);
        assert_eq!(next_take_number(&card, Some(&mirror), "S02"), 41);
        let (t, _) = crate::recorder::mirror::create_take_folders(&card, &mirror, "S01").unwrap();
        assert_eq!(t.number, 13, "as the take is then numbered");
    }

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

    #[test]
    fn an_existing_file_or_folder_is_never_reused() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("S01-T001"), b"keep me").unwrap();
        let a = create_next_take(d.path(), "S01").unwrap();
        assert_eq!(a.stem(), "S01-T002");
        assert_eq!(
            std::fs::read(d.path().join("S01-T001")).unwrap(),
            b"keep me"
        );
        std::fs::create_dir(d.path().join("S01-T999999")).unwrap();
        let e = create_next_take(d.path(), "S01").unwrap_err().to_string();
        assert!(
            e.contains("no free take number") && e.contains("new scene"),
            "{e}"
        );
        std::fs::create_dir(d.path().join("S01-T4294967295")).unwrap();
        assert!(create_next_take(d.path(), "S01").is_err());
    }

    #[test]
    fn a_missing_out_folder_is_made_only_when_its_parent_exists() {
        let d = tempfile::tempdir().unwrap();
        let one = d.path().join("takes");
        assert_eq!(create_next_take(&one, "S01").unwrap().stem(), "S01-T001");
        let deep = d.path().join("card/takes");
        let e = create_next_take(&deep, "S01").unwrap_err();
        assert!(
            matches!(e, RecordError::OutFolder(OutFolderError::Missing { .. })),
            "{e}"
        );
        assert!(e.to_string().contains("is the card mounted"), "{e}");
        assert!(!d.path().join("card").exists());
        let file = d.path().join("f");
        std::fs::write(&file, b"").unwrap();
        let e = prepare_out_folder(&file).unwrap_err().to_string();
        assert!(e.contains("a file, not a folder"), "{e}");
    }
}
