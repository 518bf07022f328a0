//! Only the inputs asked for are written: `capstan record --tracks` (as the box does with its
//! armed tracks) gives mono files for those inputs alone, numbered as their inputs, or a poly
//! file of the block they span; a track the take does not have is refused before anything is
//! recorded. How many inputs, and their rate, come from the config's `[audio]` unless the
//! command line gives them.

use std::path::{Path, PathBuf};
use std::process::Output;

use capstan_bwf::{reader, verify};

mod common;

/// A short sim take of 4 inputs into `out`, with `args` added.
fn capstan(args: &[&str], out: &Path) -> Output {
    let fixed = [
        "record",
        "--sim",
        "--fast",
        "--seconds",
        "0.2",
        "--channels",
        "4",
    ];
    let out = ["--out", out.to_str().expect("a UTF-8 path")];
    common::capstan(fixed.iter().chain(args).chain(&out))
}

/// The take's WAV files, by name.
fn wavs(out: &Output) -> Vec<PathBuf> {
    let dir = common::take_dir(out);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wav"))
        .collect();
    files.sort();
    files
}

fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn mono_files_are_written_for_the_tracks_asked_for_only() {
    let d = tempfile::tempdir().unwrap();
    let files = wavs(&capstan(&["--tracks", "1,3"], d.path()));
    assert_eq!(
        names(&files),
        ["S01-T001_01_In01.wav", "S01-T001_03_In03.wav"]
    );
    for f in &files {
        let w = reader::read(f).unwrap();
        assert_eq!(w.fmt.as_ref().unwrap().channels, 1);
        assert_eq!(verify::structure(&w), Vec::<String>::new(), "{f:?}");
        assert_eq!(verify::counter(&w).unwrap().0, 9600, "{f:?}");
    }
}

#[test]
fn a_poly_file_holds_the_block_the_tracks_span() {
    let d = tempfile::tempdir().unwrap();
    let files = wavs(&capstan(&["--layout", "poly", "--tracks", "2-3"], d.path()));
    assert_eq!(files.len(), 1);
    let w = reader::read(&files[0]).unwrap();
    assert_eq!(w.fmt.as_ref().unwrap().channels, 2, "inputs 2 and 3");
    assert_eq!(verify::counter(&w).unwrap().0, 9600);
}

#[test]
fn a_track_the_take_does_not_have_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let o = capstan(&["--tracks", "2,5"], &d.path().join("takes"));
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("--tracks names input 5") && e.contains("1 to 4"),
        "{e}"
    );
    assert!(!d.path().join("takes").exists(), "nothing was recorded");
    let o = capstan(&["--tracks", "0"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1,2,5-8"));
}

#[test]
fn channels_and_rate_come_from_the_config_unless_given() {
    let d = tempfile::tempdir().unwrap();
    let config = d.path().join("capstan.toml");
    std::fs::write(&config, "[audio]\nchannels = 3\nrate = 44100\n").unwrap();
    let record = |extra: &[&str], out: &str| {
        let out = d.path().join(out);
        let fixed = [
            "--config",
            config.to_str().unwrap(),
            "record",
            "--sim",
            "--fast",
        ];
        let rest = ["--seconds", "0.2", "--out", out.to_str().unwrap()];
        common::capstan(fixed.iter().chain(extra).chain(&rest))
    };
    for (extra, out, channels) in [(&[][..], "a", 3), (&["--channels", "2"][..], "b", 2)] {
        let files = wavs(&record(extra, out));
        assert_eq!(files.len(), channels, "{extra:?}: {files:?}");
        for f in &files {
            let w = reader::read(f).unwrap();
            assert_eq!(w.fmt.as_ref().unwrap().sample_rate, 44_100, "{f:?}");
            assert_eq!(verify::counter(&w).unwrap().0, 8820, "{f:?}");
        }
    }
    std::fs::write(&config, "[audio]\nchannels = 0\n").unwrap();
    let out = record(&[], "c");
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.contains("audio.channels = 0: Capstan records 1 to 64"),
        "{err}"
    );
}
