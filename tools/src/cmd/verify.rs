//! `take verify`.

use std::path::Path;

use capstan_bwf::verify;

use super::{wav_files, OK, PROBLEMS, UNREADABLE};

/// Runs `take verify`; returns the exit code.
pub fn run(path: &Path, counter: bool) -> u8 {
    let files = match wav_files(path) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut code = OK;
    for f in files {
        let w = match capstan_bwf::read(&f) {
            Ok(w) => w,
            Err(e) => {
                super::say_unreadable(&f, &e);
                code = code.max(UNREADABLE);
                continue;
            }
        };
        let mut problems = verify::structure(&w);
        let mut summary = super::count(w.frames(), "frame");
        if counter && problems.is_empty() {
            match verify::counter_with_losses(&w) {
                Ok(run) if run.gaps.is_empty() => {
                    summary = format!(
                        "{}, counter signal gapless and bit-exact from position {}",
                        super::count(run.frames, "frame"),
                        run.start.unwrap_or(0)
                    )
                }
                Ok(run) => {
                    let gaps: Vec<String> = run
                        .gaps
                        .iter()
                        .map(|g| format!("{} at frame {}", g.label, g.frame))
                        .collect();
                    summary = format!(
                        "{}, counter signal bit-exact from position {}; it jumps only where \
                         the recorder marked a loss: {}",
                        super::count(run.frames, "frame"),
                        run.start.unwrap_or(0),
                        gaps.join(", ")
                    )
                }
                Err(e) => problems.push(format!("counter signal broken at {e}")),
            }
        }
        if problems.is_empty() {
            outln!("OK   {}: {summary}", f.display());
        } else {
            code = code.max(PROBLEMS);
            outln!("FAIL {}:", f.display());
            for p in problems {
                outln!("     - {p}");
            }
        }
    }
    code
}
