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
    // Each take's FAMILY_UID with the files of its set counted and found (prints aside).
    let mut sets: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for f in files {
        let w = match capstan_bwf::read(&f) {
            Ok(w) => w,
            Err(e) => {
                super::say_unreadable(&f, &e);
                code = code.max(UNREADABLE);
                continue;
            }
        };
        let name = f.file_name().unwrap_or_default().to_string_lossy();
        let print = name.ends_with("_MIX.wav") || name.contains("_STEM_");
        if let Some(x) = w
            .ixml
            .as_ref()
            .filter(|x| !print && !x.family_uid.is_empty())
        {
            let e = sets.entry(x.family_uid.clone()).or_default();
            e.0 = e.0.max(x.total_files as usize);
            e.1 += 1;
        }
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
    // A folder given: every file of each take's set must be in it.
    if path.is_dir() {
        for (set, found) in sets.values().filter(|(set, found)| found < set) {
            code = code.max(PROBLEMS);
            outln!(
                "FAIL {}: {} of the take's {set} files {} not here (its iXML FILE_SET counts {set})",
                path.display(),
                set - found,
                if set - found == 1 { "is" } else { "are" }
            );
        }
    }
    code
}
