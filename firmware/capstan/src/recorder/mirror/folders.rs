//! The take folder on both media: one number free on the card and on the mirror, the same
//! name on each, both made before the first frame.

use std::io;
use std::path::{Path, PathBuf};

use crate::recorder::naming::{self, TakeName};
use crate::recorder::RecordError;

/// The highest take number a take may have (as on the card alone).
const LAST_NUMBER: u32 = 999_999;

/// Makes sure `mirror` can take takes: it must already exist (the mirror is another card; a
/// missing folder most likely means that card is not mounted, and Capstan then refuses rather
/// than fill the system's own storage), be a folder, and be writable.
pub fn check_mirror_folder(mirror: impl AsRef<Path>) -> io::Result<()> {
    let mirror = mirror.as_ref();
    if mirror.as_os_str().is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the mirror folder is empty: name a folder on a second card (--mirror or \
             recorder.mirror), or leave it out to record to one card",
        ));
    }
    let m = std::fs::metadata(mirror).map_err(|e| {
        let why = if e.kind() == io::ErrorKind::NotFound {
            "no such folder: is the mirror card mounted? (Capstan never creates the mirror \
             folder; make it on that card first)"
                .to_string()
        } else {
            format!("{e} (is the mirror card mounted?)")
        };
        io::Error::new(e.kind(), format!("mirror {}: {why}", mirror.display()))
    })?;
    if !m.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "mirror {}: this is a file, not a folder: give --mirror the folder takes are \
                 mirrored to",
                mirror.display()
            ),
        ));
    }
    nix::unistd::access(mirror, nix::unistd::AccessFlags::W_OK).map_err(|e| {
        io::Error::new(
            io::Error::from(e).kind(),
            format!(
                "mirror {}: cannot write there ({e}): is the mirror card write-protected or \
                 mounted read-only?",
                mirror.display()
            ),
        )
    })?;
    Ok(())
}

/// The highest take number of `scene` in `dir` (0 when none).
fn last_take(dir: &Path, scene: &str) -> io::Result<u32> {
    let prefix = format!("{scene}-T");
    let mut last = 0;
    for e in std::fs::read_dir(dir)? {
        let name = e?.file_name();
        if let Some(n) = name
            .to_string_lossy()
            .strip_prefix(&prefix)
            .and_then(|n| n.parse::<u32>().ok())
        {
            last = last.max(n);
        }
    }
    Ok(last)
}

/// Creates the next take folder of `scene` on the card (`out`) and the folder of the same name
/// on the mirror; returns the take and its folder on the mirror. The number follows the
/// highest take on either medium, so neither ever holds two different takes of one name.
pub fn create_take_folders(
    out: &Path,
    mirror: &Path,
    scene: &str,
) -> Result<(TakeName, PathBuf), RecordError> {
    let on_card = |source: io::Error| RecordError::TakeFolder {
        out: out.to_path_buf(),
        source,
    };
    let on_mirror = |source: io::Error| RecordError::Mirror {
        mirror: mirror.to_path_buf(),
        source,
    };
    naming::prepare_out_folder(out)?;
    check_mirror_folder(mirror).map_err(on_mirror)?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(out, mirror) {
        return Err(on_mirror(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the mirror is the folder takes are recorded to: give it a folder on another card",
        )));
    }
    if same_device(out, mirror) {
        tracing::warn!(
            "the mirror {} is on the same medium as {}: it will not survive that medium failing",
            mirror.display(),
            out.display()
        );
    }
    let mut number = last_take(out, scene)
        .map_err(on_card)?
        .max(last_take(mirror, scene).map_err(on_mirror)?)
        .saturating_add(1);
    loop {
        if number > LAST_NUMBER {
            return Err(on_card(io::Error::other(format!(
                "scene {scene} has no free take number left on the card or the mirror (the \
                 highest is T{LAST_NUMBER}): start a new scene or move its takes away"
            ))));
        }
        let t = TakeName {
            scene: scene.to_string(),
            number,
            dir: out.join(format!("{scene}-T{number:03}")),
        };
        match std::fs::create_dir(&t.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                number += 1;
                continue;
            }
            Err(e) => return Err(on_card(e)),
        }
        let copy = mirror.join(t.stem());
        match std::fs::create_dir(&copy) {
            Ok(()) => return Ok((t, copy)),
            Err(e) => {
                // The card's folder is still empty: give its number back.
                let _ = std::fs::remove_dir(&t.dir);
                if e.kind() != io::ErrorKind::AlreadyExists {
                    return Err(on_mirror(e));
                }
                number += 1;
            }
        }
    }
}

/// The take folder(s) of a new take: on the card, and on the mirror when there is one.
pub fn create_take(
    out: &Path,
    mirror: Option<&Path>,
    scene: &str,
) -> Result<(TakeName, Option<PathBuf>), RecordError> {
    match mirror {
        None => naming::create_next_take(out, scene).map(|t| (t, None)),
        Some(m) => create_take_folders(out, m, scene).map(|(t, d)| (t, Some(d))),
    }
}

/// Whether `a` and `b` are on the same file system.
fn same_device(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_is_free_on_both_media_and_the_name_the_same() {
        let card = tempfile::tempdir().unwrap();
        let mirror = tempfile::tempdir().unwrap();
        std::fs::create_dir(card.path().join("S01-T002")).unwrap();
        std::fs::create_dir(mirror.path().join("S01-T004")).unwrap();
        let (t, copy) = create_take_folders(card.path(), mirror.path(), "S01").unwrap();
        assert_eq!(t.stem(), "S01-T005");
        assert_eq!(t.dir, card.path().join("S01-T005"));
        assert_eq!(copy, mirror.path().join("S01-T005"));
        assert!(t.dir.is_dir() && copy.is_dir());
        let (t, _) = create_take_folders(card.path(), mirror.path(), "S01").unwrap();
        assert_eq!(t.stem(), "S01-T006");
    }

    #[test]
    fn a_missing_or_wrong_mirror_is_refused_before_any_folder_is_made() {
        let card = tempfile::tempdir().unwrap();
        let gone = card.path().join("card2/takes");
        let e = create_take_folders(card.path(), &gone, "S01")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is the mirror card mounted"), "{e}");
        assert!(e.contains("card2/takes"), "{e}");
        let file = card.path().join("f");
        std::fs::write(&file, b"").unwrap();
        let e = create_take_folders(card.path(), &file, "S01")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a folder"), "{e}");
        let e = create_take_folders(card.path(), card.path(), "S01")
            .unwrap_err()
            .to_string();
        assert!(e.contains("another card"), "{e}");
        // Nothing was made on the card.
        let made: Vec<_> = std::fs::read_dir(card.path()).unwrap().collect();
        assert_eq!(made.len(), 1, "only the file the test wrote");
    }

    #[test]
    fn a_missing_card_is_said_once_with_or_without_a_mirror() {
        let d = tempfile::tempdir().unwrap();
        let card = d.path().join("card/takes");
        for mirror in [None, Some(d.path())] {
            let e = create_take(&card, mirror, "S01").unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("{}: no such folder", card.display())),
                "{e}"
            );
            assert_eq!(e.matches("mounted").count(), 1, "{e}");
        }
        assert!(!d.path().join("card").exists());
    }
}
