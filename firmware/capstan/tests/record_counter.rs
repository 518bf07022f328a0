//! `capstan record --sim --signal counter` end to end: every file is read back by hound and by
//! capstan-bwf and must carry the counter signal bit for bit from frame 0, named per DESIGN.md.

use std::path::{Path, PathBuf};

use capstan_bwf::counter::word;
use capstan_bwf::{verify, SampleFormat};

mod common;
use common::{capstan, take_dir};

struct Case {
    channels: u16,
    rate: u32,
    bits: &'static str,
    seconds: f64,
    poly: bool,
}

fn format_of(bits: &str) -> SampleFormat {
    SampleFormat::from_cli(bits).unwrap()
}

/// Reads frame `n` of a file with hound and checks every sample against the contract.
fn check_frame_hound(path: &Path, n: u64, channels: &[u32], bits: &str) {
    let mut r = hound::WavReader::open(path).unwrap();
    r.seek(n as u32).unwrap();
    for (i, &c) in channels.iter().enumerate() {
        let v = word(n, c);
        let what = format!("{} frame {n} channel {c} (interleave {i})", path.display());
        match bits {
            "16" => {
                let s: i16 = r.samples::<i16>().next().unwrap().unwrap();
                assert_eq!(s, (v >> 8) as i16, "{what}");
            }
            "24" => {
                let s: i32 = r.samples::<i32>().next().unwrap().unwrap();
                assert_eq!(s, v, "{what}");
            }
            "32" => {
                let s: i32 = r.samples::<i32>().next().unwrap().unwrap();
                assert_eq!(s, v << 8, "{what}");
            }
            "32f" => {
                let s: f32 = r.samples::<f32>().next().unwrap().unwrap();
                assert_eq!(s.to_bits(), (v as f32 / 8_388_608.0).to_bits(), "{what}");
            }
            _ => unreachable!(),
        }
    }
}

fn check_file(path: &Path, case: &Case, channels: &[u32], frames: u64) {
    let r = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("hound cannot read {}: {e}", path.display()));
    let spec = r.spec();
    assert_eq!(spec.channels as usize, channels.len(), "{}", path.display());
    assert_eq!(spec.sample_rate, case.rate);
    let (bits, fmt) = match case.bits {
        "16" => (16, hound::SampleFormat::Int),
        "24" => (24, hound::SampleFormat::Int),
        "32" => (32, hound::SampleFormat::Int),
        _ => (32, hound::SampleFormat::Float),
    };
    assert_eq!(spec.bits_per_sample, bits, "{}", path.display());
    assert_eq!(spec.sample_format, fmt, "{}", path.display());
    assert_eq!(u64::from(r.duration()), frames, "{}", path.display());
    drop(r);

    let w = capstan_bwf::read(path).unwrap();
    assert_eq!(
        verify::structure(&w),
        Vec::<String>::new(),
        "{}",
        path.display()
    );
    assert_eq!(w.frames(), frames);
    assert_eq!(
        w.fmt.as_ref().unwrap().sample_format(),
        Some(format_of(case.bits))
    );
    let (checked, start) =
        verify::counter(&w).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(checked, frames);
    assert_eq!(
        start,
        Some(0),
        "{}: counter starts at frame 0",
        path.display()
    );
    assert_eq!(verify::source_channels(&w), channels, "{}", path.display());

    let bext = w.bext.as_ref().expect("a bext chunk");
    // Samples since midnight: below a day's worth at this rate.
    assert!(
        bext.time_reference < 86_400 * u64::from(case.rate),
        "{}: time_reference {} is past midnight",
        path.display(),
        bext.time_reference
    );
    let ixml = w.ixml.as_ref().expect("an iXML chunk");
    let names: Vec<String> = ixml.tracks.iter().map(|t| t.name.clone()).collect();
    let want: Vec<String> = channels.iter().map(|c| format!("In{:02}", c + 1)).collect();
    assert_eq!(names, want, "{}: iXML track names", path.display());

    for n in [
        0,
        1,
        2,
        255,
        256,
        65_535,
        65_536,
        65_537,
        frames / 2,
        frames - 1,
    ] {
        if n < frames {
            check_frame_hound(path, n, channels, case.bits);
        }
    }
}

fn record(case: &Case, out: &Path, fast: bool) -> PathBuf {
    let ch = case.channels.to_string();
    let rate = case.rate.to_string();
    let secs = case.seconds.to_string();
    let mut args = vec![
        "record",
        "--sim",
        "--channels",
        &ch,
        "--rate",
        &rate,
        "--bits",
        case.bits,
        "--seconds",
        &secs,
        "--signal",
        "counter",
        "--layout",
        if case.poly { "poly" } else { "mono" },
        "--out",
        out.to_str().unwrap(),
    ];
    if fast {
        args.push("--fast");
    }
    take_dir(&capstan(&args))
}

fn check_take(dir: &Path, case: &Case, take: u32) {
    let stem = format!("S01-T{take:03}");
    assert_eq!(dir.file_name().unwrap().to_str().unwrap(), stem);
    let frames = (case.seconds * f64::from(case.rate)).round() as u64;
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    if case.poly {
        assert_eq!(files, vec![format!("{stem}.wav")]);
        let all: Vec<u32> = (0..u32::from(case.channels)).collect();
        check_file(&dir.join(&files[0]), case, &all, frames);
    } else {
        let want: Vec<String> = (1..=case.channels)
            .map(|i| format!("{stem}_{i:02}_In{i:02}.wav"))
            .collect();
        assert_eq!(files, want);
        for (c, f) in files.iter().enumerate() {
            check_file(&dir.join(f), case, &[c as u32], frames);
        }
    }
}

#[test]
fn counter_is_bit_exact_in_every_format() {
    let cases = [
        (1, 44_100, "16", 1.5, false),
        (1, 48_000, "24", 1.0, true),
        (2, 48_000, "32", 2.0, false),
        (2, 96_000, "32f", 1.0, true),
        (18, 48_000, "24", 1.0, false),
        (18, 44_100, "32f", 1.0, true),
        (18, 192_000, "16", 1.0, false),
        (64, 48_000, "24", 1.0, true),
        (64, 96_000, "16", 1.0, true),
        (64, 44_100, "32", 1.0, false),
        (2, 192_000, "24", 2.0, true),
        (1, 96_000, "32", 1.0, false),
    ];
    for (channels, rate, bits, seconds, poly) in cases {
        let case = Case {
            channels,
            rate,
            bits,
            seconds,
            poly,
        };
        let out = tempfile::tempdir().unwrap();
        let dir = record(&case, out.path(), true);
        assert_eq!(dir, out.path().join("S01-T001"));
        check_take(&dir, &case, 1);
    }
}

#[test]
fn second_take_is_t002() {
    let out = tempfile::tempdir().unwrap();
    let case = Case {
        channels: 2,
        rate: 48_000,
        bits: "24",
        seconds: 0.5,
        poly: false,
    };
    let d1 = record(&case, out.path(), true);
    let d2 = record(&case, out.path(), true);
    assert_eq!(d1, out.path().join("S01-T001"));
    assert_eq!(d2, out.path().join("S01-T002"));
    check_take(&d1, &case, 1);
    check_take(&d2, &case, 2);
}

#[test]
fn real_time_take() {
    let out = tempfile::tempdir().unwrap();
    let case = Case {
        channels: 4,
        rate: 48_000,
        bits: "24",
        seconds: 1.0,
        poly: false,
    };
    let t = std::time::Instant::now();
    let dir = record(&case, out.path(), false);
    assert!(
        t.elapsed().as_secs_f64() >= 0.95,
        "a real-time take of 1 s took {:?}",
        t.elapsed()
    );
    check_take(&dir, &case, 1);
}

fn expect_usage_error(args: &[&str], stderr_has: &[&str]) {
    let out = capstan(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    for s in stderr_has {
        assert!(stderr.contains(s), "{args:?}: stderr lacks {s:?}: {stderr}");
    }
}

#[test]
fn bad_inputs_are_refused() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    expect_usage_error(
        &[
            "record",
            "--sim",
            "--bits",
            "12",
            "--seconds",
            "1",
            "--fast",
            "--out",
            o,
        ],
        &["12"],
    );
    expect_usage_error(
        &[
            "record",
            "--sim",
            "--channels",
            "0",
            "--seconds",
            "1",
            "--fast",
            "--out",
            o,
        ],
        &["--channels 0"],
    );
    let cfg = out.path().join("bad.toml");
    std::fs::write(&cfg, "scene = \"S01\"\n\nbogus_key = 1\n").unwrap();
    expect_usage_error(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "record",
            "--sim",
            "--seconds",
            "1",
            "--fast",
            "--out",
            o,
        ],
        &["line 3", "bogus_key"],
    );
    // Nothing was recorded by any of them.
    let left: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "bad.toml")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
