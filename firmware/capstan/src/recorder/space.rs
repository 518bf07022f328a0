//! Free space on the card: a take is closed cleanly, with a DISK FULL message, while there is
//! still room to finish its files, instead of running into the wall mid-write.

use std::path::Path;

use capstan_bwf::writer::WriteError;

/// Bytes free for an unprivileged writer on the file system holding `dir`.
pub fn free_bytes(dir: &Path) -> Option<u64> {
    let s = nix::sys::statvfs::statvfs(dir).ok()?;
    Some(bytes(s.blocks_available(), s.fragment_size()))
}

/// Blocks times their size, whatever widths the platform gives them.
fn bytes(blocks: impl Into<u64>, size: impl Into<u64>) -> u64 {
    blocks.into().saturating_mul(size.into())
}

/// The room a running take keeps in reserve: the audio of `seconds` (two commit intervals and
/// the writer's buffers, at least) plus 1 MiB per file for headers, notes and markers.
pub fn reserve_bytes(bytes_per_second: u64, seconds: f64, files: usize) -> u64 {
    (bytes_per_second as f64 * seconds) as u64 + files as u64 * (1 << 20)
}

/// The room a take of `files` files keeps free on its card when its input delivers
/// `bytes_per_second` and its files are committed every `commit_interval` seconds: two commit
/// intervals and a second of audio, and each file's headers (see [`reserve_bytes`]). The
/// display's record time left is counted after it, as a take stops there.
pub fn take_reserve(bytes_per_second: u64, commit_interval: f64, files: usize) -> u64 {
    reserve_bytes(bytes_per_second, 2.0 * commit_interval + 1.0, files)
}

/// The message when the reserve is reached.
pub fn disk_full(dir: &Path, free: u64, reserve: u64) -> String {
    full(dir, free, reserve, "the take was closed here")
}

/// The message when the card is below the reserve at REC, before any take is made.
pub fn no_room(dir: &Path, free: u64, reserve: u64) -> String {
    full(dir, free, reserve, "no take was started")
}

fn full(dir: &Path, free: u64, reserve: u64, what: &str) -> String {
    format!(
        "DISK FULL: {:.1} MB left on the card holding {}, less than the {:.1} MB a take keeps to \
         close its files safely; {what}. Free some space or use a bigger card.",
        free as f64 / 1e6,
        dir.display(),
        reserve as f64 / 1e6
    )
}

/// The message for a failed write: DISK FULL first when that is the cause.
pub fn write_failure(e: &WriteError) -> String {
    if e.is_disk_full() {
        format!("DISK FULL: {e}")
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_covers_the_audio_and_every_header() {
        // 32 tracks of 32-bit audio at 48 kHz for 3 s, and 32 files.
        assert_eq!(
            reserve_bytes(6_144_000, 3.0, 32),
            18_432_000 + 32 * 1_048_576
        );
    }

    #[test]
    fn free_space_is_read_and_the_message_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_bytes(dir.path()).is_some());
        let m = disk_full(dir.path(), 3_000_000, 40_000_000);
        assert!(m.starts_with("DISK FULL: 3.0 MB left"), "{m}");
        assert!(m.contains("bigger card"), "{m}");
        let e = WriteError {
            path: "x.wav".into(),
            op: "writing audio to",
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        };
        assert!(write_failure(&e).starts_with("DISK FULL: writing audio to x.wav"));
    }
}
