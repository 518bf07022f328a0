//! Recovery at start: after a power cut the box finds the takes whose headers were left behind
//! and rebuilds their sizes from the files' lengths before it records anything, as
//! `take recover` does on a laptop.

use std::path::{Path, PathBuf};

use capstan_bwf::recover::RecoverError;

/// What recovery did to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The file.
    pub path: PathBuf,
    /// What was changed, in words (empty: the file was already sound).
    pub changes: Vec<String>,
}

/// Whether `name` is a take folder's: `<SCENE>-T<NNN>`.
fn is_take_folder(name: &str) -> bool {
    name.rsplit_once("-T").is_some_and(|(scene, n)| {
        !scene.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The `.wav` files of the take folders directly under `out`: in a `<SCENE>-T<NNN>` folder, named
/// after it. Nothing else under `out` is looked at (a user's own files may live there).
fn take_files(out: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(dirs) = std::fs::read_dir(out) else {
        return files;
    };
    for dir in dirs.flatten() {
        let stem = dir.file_name().to_string_lossy().into_owned();
        if !is_take_folder(&stem) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(&stem)
                && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("wav"))
            {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Recovers every file of Capstan's takes under `out` that needs it; returns the files it
/// changed and the ones it could not read (with why). Sound files are left exactly as they are,
/// and so is every file Capstan did not write.
pub fn recover_takes(out: &Path) -> (Vec<Recovered>, Vec<(PathBuf, String)>) {
    let mut changed = Vec::new();
    let mut failed = Vec::new();
    for path in take_files(out) {
        // Only Capstan's own files: its headers reach the card before any audio, so a file of
        // a take cut short still names its originator. Another program's file is left alone,
        // whatever state it is in.
        let w = match capstan_bwf::read(&path) {
            Ok(w) if w.bext.as_ref().is_some_and(|b| b.originator == "Capstan") => w,
            Ok(_) => continue,
            Err(e) => {
                failed.push((path, e.to_string()));
                continue;
            }
        };
        match capstan_bwf::recover::recover_read(&path, w) {
            Ok(r) if r.changes.is_empty() => {}
            // A take another recorder is recording into the same folder: not ours to mend.
            Err(RecoverError::InUse { .. }) => {}
            Ok(r) => changed.push(Recovered {
                path,
                changes: r.changes,
            }),
            Err(e) => failed.push((path, e.to_string())),
        }
    }
    (changed, failed)
}

/// Recovers the takes under `out` (see [`recover_takes`]) and logs what it did: called at the
/// start of `capstan record` and `capstan run`, before anything is recorded.
pub fn recover_at_start(out: &Path) {
    let (recovered, unrecoverable) = recover_takes(out);
    for r in &recovered {
        tracing::warn!(
            "recovered {} (interrupted take): {}",
            r.path.display(),
            r.changes.join("; ")
        );
    }
    for (path, why) in &unrecoverable {
        tracing::error!("cannot recover {}: {why}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_missing_folder_needs_nothing() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(recover_takes(d.path()), (Vec::new(), Vec::new()));
        assert_eq!(
            recover_takes(&d.path().join("nope")),
            (Vec::new(), Vec::new())
        );
    }

    #[test]
    fn a_cut_take_is_recovered_and_a_second_pass_changes_nothing() {
        let d = tempfile::tempdir().unwrap();
        let take = d.path().join("S01-T001");
        std::fs::create_dir(&take).unwrap();
        let spec = capstan_bwf::WavSpec {
            channels: 1,
            sample_rate: 48_000,
            format: capstan_bwf::SampleFormat::I24,
        };
        let path = take.join("S01-T001_01_Kick.wav");
        let mut meta = capstan_bwf::FileMeta::default();
        meta.bext.originator = "Capstan".into();
        let mut w = capstan_bwf::WavWriter::create(&path, spec, &meta, Default::default()).unwrap();
        let mut audio = vec![0u8; 3 * 4800];
        capstan_bwf::counter::fill(&mut audio, 1, spec.format, 0);
        w.write_frames(&audio).unwrap();
        w.commit().unwrap();
        w.write_frames(&audio).unwrap();
        // Still being recorded (by another process): its header is behind its audio, as after
        // a power cut, but it is left alone.
        let before = std::fs::read(&path).unwrap();
        assert_eq!(recover_takes(d.path()), (Vec::new(), Vec::new()));
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // Power cut: the second block is on the card, the header still says one block (the
        // writer closed unfinished, its lock gone with it, as with the process that held it).
        drop(w);
        let (changed, failed) = recover_takes(d.path());
        assert!(failed.is_empty(), "{failed:?}");
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].path, path);
        let r = capstan_bwf::read(&path).unwrap();
        assert_eq!(r.frames(), 9600);
        assert_eq!(recover_takes(d.path()), (Vec::new(), Vec::new()));

        // The same cut file where it is no Capstan take: in a folder of the user's own, under
        // another name in the take's folder, or written by another program. Left untouched.
        let cut = std::fs::read(&path).unwrap();
        let cut = &cut[..cut.len() - 100];
        let music = d.path().join("music");
        std::fs::create_dir(&music).unwrap();
        let mut other = cut.to_vec();
        let at = other.windows(8).position(|w| w == b"Capstan\0").unwrap();
        other[at..at + 7].copy_from_slice(b"Another");
        let places = [
            (music.join("song.wav"), cut),
            (take.join("notes.wav"), cut),
            (take.join("S01-T001_02_Other.wav"), &other[..]),
        ];
        for (p, bytes) in &places {
            std::fs::write(p, bytes).unwrap();
        }
        assert_eq!(recover_takes(d.path()), (Vec::new(), Vec::new()));
        for (p, bytes) in &places {
            assert_eq!(std::fs::read(p).unwrap(), *bytes, "{}", p.display());
        }
    }

    #[test]
    fn take_folders_are_named_scene_t_number() {
        for ok in ["S01-T001", "Gig-T1234", "A-B-T07"] {
            assert!(is_take_folder(ok), "{ok}");
        }
        for no in ["music", "S01-T", "-T001", "S01-T00x", "S01_T001"] {
            assert!(!is_take_folder(no), "{no}");
        }
    }
}
