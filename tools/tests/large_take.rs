//! A real take past 4 GiB: the file becomes RF64 in place, and every tool reads it whole.

use std::path::PathBuf;
use std::process::Command;

/// The `capstan` binary next to `take` in the target dir, built if needed.
fn capstan_bin() -> PathBuf {
    let take = PathBuf::from(env!("CARGO_BIN_EXE_take"));
    let bin = take.with_file_name("capstan");
    if !bin.exists() {
        let st = Command::new(env!("CARGO"))
            .args(["build", "-p", "capstan", "--bin", "capstan"])
            .status()
            .unwrap();
        assert!(st.success(), "building capstan failed");
    }
    bin
}

#[test]
fn a_take_past_4_gib_becomes_rf64_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    // 64 ch x 4 bytes x 192 kHz = 49.152 MB/s: 88 s is 4.33 GB, past the RIFF limit.
    let seconds = 88u64;
    // The take, plus the recorder's own reserve and room for whatever else runs beside it.
    let needed = seconds * 192_000 * 256 + (1 << 30);
    let free = capstan::app::free_bytes(dir.path()).expect("the test's folder has a file system");
    if free < needed {
        eprintln!(
            "skipping: a take past 4 GiB needs {:.1} GB free in {}, this disk has {:.1} GB; \
             free some space (or point TMPDIR at a bigger disk) to run it",
            needed as f64 / 1e9,
            dir.path().display(),
            free as f64 / 1e9
        );
        return;
    }
    let out = Command::new(capstan_bin())
        .args([
            "record",
            "--sim",
            "--fast",
            "--channels",
            "64",
            "--bits",
            "32",
            "--rate",
            "192000",
        ])
        .args([
            "--seconds",
            &seconds.to_string(),
            "--layout",
            "poly",
            "--signal",
            "counter",
            "--ring-seconds",
            "2",
        ])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let take = PathBuf::from(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap(),
    );
    let file = take.join(format!(
        "{}.wav",
        take.file_name().unwrap().to_string_lossy()
    ));
    let w = capstan_bwf::read(&file).unwrap();
    assert_eq!(w.container, capstan_bwf::reader::Container::Rf64);
    assert!(w.file_len > u64::from(u32::MAX));
    let ds64 = w.ds64.expect("ds64 in place of the JUNK chunk");
    assert_eq!(w.chunks[0].id, "ds64");
    assert_eq!(w.chunks[0].offset, 12);
    assert_eq!(ds64.sample_count, seconds * 192_000);
    assert_eq!(ds64.data_size, seconds * 192_000 * 256);
    assert_eq!(ds64.riff_size, w.file_len - 8);
    assert_eq!(w.frames(), seconds * 192_000);
    let v = Command::new(env!("CARGO_BIN_EXE_take"))
        .args(["verify", "--pattern", "counter"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&v.stdout);
    assert!(v.status.success(), "{text}");
    assert!(text.contains("gapless and bit-exact"), "{text}");
    // Recovery of a whole RF64 file changes nothing.
    let r = capstan_bwf::recover::recover(&file).unwrap();
    assert!(r.changes.is_empty(), "{:?}", r.changes);
}
