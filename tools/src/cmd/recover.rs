//! `take recover`.

use std::path::Path;

use capstan_bwf::recover::RecoverError;

use super::{wav_files, OK, PROBLEMS, UNREADABLE};

/// Runs `take recover`; returns the exit code (0 when every file is whole afterwards, 1 when
/// one is being recorded and was left alone, 2 when one could not be read or mended).
pub fn run(path: &Path) -> u8 {
    let files = match wav_files(path) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut code = OK;
    for f in files {
        match capstan_bwf::recover::recover(&f) {
            Ok(r) if r.changes.is_empty() => outln!(
                "whole     {}: {} frames, nothing to change",
                f.display(),
                r.frames
            ),
            Ok(r) => {
                outln!(
                    "recovered {}: {}",
                    f.display(),
                    super::count(r.frames, "frame")
                );
                for c in r.changes {
                    outln!("          - {c}");
                }
            }
            Err(e @ RecoverError::InUse { .. }) => {
                // Left as it is; not unreadable, and it may well be whole once its take ends.
                errln!("take: {e}");
                code = code.max(PROBLEMS);
            }
            Err(e) => {
                super::say_unreadable(&f, &e);
                code = UNREADABLE;
            }
        }
    }
    code
}
