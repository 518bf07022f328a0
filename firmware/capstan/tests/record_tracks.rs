//! Only the inputs asked for are written: `capstan record --tracks` (as the box does with its
//! armed tracks) gives mono files for those inputs alone, numbered as their inputs, or a poly
//! file of the block they span; a track the take does not have is refused before anything is
//! recorded.

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
