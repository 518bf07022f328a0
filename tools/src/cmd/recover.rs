//! `take recover`.

use std::path::Path;

use super::{wav_files, OK, UNREADABLE};

/// Runs `take recover`; returns the exit code (0 when every file is whole afterwards).
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
            Err(e) => {
                super::say_unreadable(&f, &e);
                code = UNREADABLE;
            }
        }
    }
    code
}
