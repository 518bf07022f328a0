//! The `take` subcommands and what they share.

/// `println!` that never panics: output for a reader that has gone (`take info ... | head`, a
/// closed pipe) is lost, and the command still finishes its work and exits with its code.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` that never panics (see `outln!`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that never panics (see `outln!`).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that never panics (see `outln!`).
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

pub mod info;
pub mod mixdown;
pub mod recover;
pub mod report;
pub mod stems;
pub mod verify;

use std::path::{Path, PathBuf};

/// Exit code: everything fine.
pub const OK: u8 = 0;
/// Exit code: a file has problems.
pub const PROBLEMS: u8 = 1;
/// Exit code: a file could not be read or the path is wrong.
pub const UNREADABLE: u8 = 2;

/// The WAV files a path names: the file itself, or the `.wav` files in a folder, sorted. When
/// there are none, says why on standard error and returns the exit code for it.
pub fn wav_files(path: &Path) -> Result<Vec<PathBuf>, u8> {
    list_wav_files(path).map_err(|e| {
        errln!("take: {e}");
        UNREADABLE
    })
}

fn list_wav_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("{}: {e}: check the path", path.display())
        }
        _ => format!("{}: {e}", path.display()),
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut v: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("wav")))
        .collect();
    v.sort();
    if v.is_empty() {
        return Err(format!(
            "{}: no .wav files in this folder: give a take folder or a .wav file",
            path.display()
        ));
    }
    Ok(v)
}

/// Says on standard error why `file` could not be read: a file that is empty or ends inside the
/// 12 bytes that open every WAV file is named as such, anything else in `error`'s words.
pub fn say_unreadable(file: &Path, error: &dyn std::fmt::Display) {
    let shown = file.display();
    match std::fs::metadata(file).map(|m| (m.is_file(), m.len())) {
        Ok((true, 0)) => errln!(
            "take: {shown} is empty (0 bytes): no audio reached it, there is nothing to read or \
             recover"
        ),
        Ok((true, n)) if n < 12 => errln!(
            "take: {shown} is only {n} bytes long, cut inside the WAV header: there is no audio \
             in it to read or recover"
        ),
        _ => errln!("take: {error}"),
    }
}

/// `frames` at `rate` in seconds (0 for an unknown rate).
pub fn seconds(frames: u64, rate: u32) -> f64 {
    if rate == 0 {
        0.0
    } else {
        frames as f64 / f64::from(rate)
    }
}

/// `n` `thing`s, in words: "1 xrun", "2 xruns".
pub fn count(n: u64, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

/// `frames` at `rate` as `H:MM:SS.mmm`.
pub fn clock(frames: u64, rate: u32) -> String {
    let ms = (seconds(frames, rate) * 1000.0).round() as u64;
    format!(
        "{}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// A time reference of `frames` since midnight at `rate` as the time of day, `HH:MM:SS.mmm`.
pub fn time_of_day(frames: u64, rate: u32) -> String {
    format!("{:0>12}", clock(frames, rate))
}
