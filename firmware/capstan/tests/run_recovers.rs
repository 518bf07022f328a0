//! After a power cut the box recovers the take left behind at start, before anything else:
//! `capstan run --sim` finds a file whose header still says less than the file holds and
//! rebuilds it, and says so.

use std::process::{Command, Stdio};

use capstan_bwf::{counter, FileMeta, SampleFormat, WavSpec, WavWriter};

#[test]
fn the_box_recovers_an_interrupted_take_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let take = dir.path().join("S01-T001");
    std::fs::create_dir(&take).unwrap();
    let spec = WavSpec {
        channels: 1,
        sample_rate: 48_000,
        format: SampleFormat::I24,
    };
    let path = take.join("S01-T001_01_In01.wav");
    // As the box writes it: its takes say Capstan made them (nothing else is touched).
    let mut meta = FileMeta::default();
    meta.bext.originator = "Capstan".into();
    let mut w = WavWriter::create(&path, spec, &meta, Default::default()).unwrap();
    let mut audio = vec![0u8; 3 * 48_000];
    counter::fill(&mut audio, 1, spec.format, 0);
    w.write_frames(&audio).unwrap();
    w.commit().unwrap();
    counter::fill(&mut audio, 1, spec.format, 48_000);
    w.write_frames(&audio).unwrap();
    // The power goes: the second second is in the file, the header still says one (the
    // writer closed unfinished, its lock on the file gone with it).
    drop(w);
    assert_eq!(capstan_bwf::read(&path).unwrap().frames(), 48_000);

    let out = Command::new(env!("CARGO_BIN_EXE_capstan"))
        .args(["run", "--sim", "--seconds", "0.5", "--out"])
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("recovered") && stderr.contains("S01-T001_01_In01.wav"),
        "{stderr}"
    );
    let w = capstan_bwf::read(&path).unwrap();
    assert_eq!(w.frames(), 96_000, "{stderr}");
    assert_eq!(capstan_bwf::verify::counter(&w).unwrap(), (96_000, Some(0)));
}
