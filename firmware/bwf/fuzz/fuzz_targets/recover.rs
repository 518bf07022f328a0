//! Any bytes as a file to recover: no panic, and whenever recovery says it succeeded the file
//! reads back without a structural problem (other than the fmt chunk's own, which recovery does
//! not touch: an 8-bit or otherwise unsupported format, an inconsistent block align or byte
//! rate, float without a fact chunk) and a second recovery changes nothing.
#![no_main]

use std::path::PathBuf;

use capstan_bwf::recover::recover;
use capstan_bwf::verify;
use libfuzzer_sys::fuzz_target;

/// One file per process, on tmpfs when there is one (recovery syncs what it changed).
fn scratch() -> PathBuf {
    let dir = std::env::var_os("CAPSTAN_FUZZ_TMP")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/dev/shm")).filter(|p| p.is_dir()))
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("capstan-bwf-fuzz-{}.wav", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(&path, data).expect("writing the scratch file");
    if let Ok(rep) = recover(&path) {
        let w = capstan_bwf::read(&path).expect("a recovered file reads");
        let left: Vec<String> = verify::structure(&w).into_iter().filter(|p| !verify::is_fmt_problem(p)).collect();
        assert!(left.is_empty(), "recover said {rep:?} but left {left:?}");
        assert_eq!(w.frames(), rep.frames);
        let again = recover(&path).expect("a recovered file recovers again");
        assert!(again.changes.is_empty(), "second recovery changed {:?}", again.changes);
    }
    let _ = std::fs::remove_file(&path);
});
