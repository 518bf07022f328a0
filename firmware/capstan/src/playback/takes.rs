//! Which take to play: the one named, else the last one recorded into the out folder.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// True for a take folder's name: `<SCENE>-T<NNN>`.
fn is_take_name(name: &str) -> bool {
    name.rsplit_once("-T").is_some_and(|(scene, n)| {
        !scene.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The take folder in `out` most recently written to (by name when two were written at the
/// same moment), or a message saying there is none.
pub fn last_take(out: &Path) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(out).map_err(|e| {
        format!(
            "cannot read the takes folder {} ({e}): give --out DIR or a take folder",
            out.display()
        )
    })?;
    let mut best: Option<(SystemTime, String, PathBuf)> = None;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(meta) = e.metadata() else { continue };
        if !meta.is_dir() || !is_take_name(&name) {
            continue;
        }
        let when = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        let key = (when, name, e.path());
        if best
            .as_ref()
            .is_none_or(|b| (&key.0, &key.1) > (&b.0, &b.1))
        {
            best = Some(key);
        }
    }
    best.map(|b| b.2).ok_or_else(|| {
        format!(
            "{} holds no take (<SCENE>-T<NNN> folder): give --out DIR or a take folder",
            out.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_written_take_is_chosen_and_other_folders_are_not_takes() {
        assert!(is_take_name("S01-T003"));
        assert!(!is_take_name("S01-T"));
        assert!(!is_take_name("lost+found"));
        let d = tempfile::tempdir().unwrap();
        assert!(last_take(d.path()).is_err());
        std::fs::create_dir(d.path().join("Gig-T001")).unwrap();
        std::fs::create_dir(d.path().join("notes")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::create_dir(d.path().join("Gig-T002")).unwrap();
        std::fs::write(d.path().join("Gig-T002").join("x"), b"").unwrap();
        assert_eq!(last_take(d.path()).unwrap(), d.path().join("Gig-T002"));
    }
}
