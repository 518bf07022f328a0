//! Write-path benchmark: a 64-track, 48 kHz, 24-bit mono-layout take from the sim source in
//! fast mode, timed by the wall clock and compared with `dd` writing as many bytes to the same
//! file system with `conv=fdatasync`.
//!
//! `cargo bench -p capstan --bench writer` records `CAPSTAN_BENCH_SECONDS` seconds of audio
//! (default 60). Run without `--bench` (as `cargo test --benches` does) it records 1 s only.
//! Goal: at least 50x real time and at least 80% of dd.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use capstan::config::{Config, Layout};
use capstan::recorder::{record_take, TakeRequest};
use capstan_board::audio::{Signal, SimSource, StreamSpec};
use capstan_bwf::writer::WriterOptions;
use capstan_bwf::SampleFormat;

const CHANNELS: u16 = 64;
const RATE: u32 = 48_000;
const FORMAT: SampleFormat = SampleFormat::I24;
const GOAL_RT: f64 = 50.0;
const GOAL_DD: f64 = 0.8;

/// A folder beside the build output, so the take lands on the target dir's file system.
fn scratch_parent() -> PathBuf {
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(t);
    }
    // The bench binary lives in <target>/<profile>/deps.
    std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().and_then(Path::parent).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn seconds(full: bool) -> u64 {
    if !full {
        return 1;
    }
    match std::env::var("CAPSTAN_BENCH_SECONDS") {
        Ok(s) => s
            .trim()
            .parse()
            .ok()
            .filter(|&n: &u64| n > 0)
            .unwrap_or_else(|| panic!("CAPSTAN_BENCH_SECONDS={s:?}: give whole seconds, e.g. 60")),
        Err(_) => 60,
    }
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Runs dd writing `mib` MiB of zeros to `path` with `conv=fdatasync`; returns wall seconds.
fn run_dd(path: &Path, mib: u64) -> Result<f64, String> {
    let t = Instant::now();
    let out = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", path.display()))
        .arg("bs=1M")
        .arg(format!("count={mib}"))
        .arg("conv=fdatasync")
        .output()
        .map_err(|e| format!("cannot run dd: {e}"))?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "dd failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(secs)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let secs = seconds(full);
    let frames = secs * u64::from(RATE);

    let parent = scratch_parent();
    std::fs::create_dir_all(&parent).expect("cannot create the target dir");
    let scratch = tempfile::Builder::new()
        .prefix("capstan-bench-")
        .tempdir_in(&parent)
        .unwrap_or_else(|e| panic!("cannot make a scratch folder in {}: {e}", parent.display()));

    let mut config = Config::default();
    config.recorder.layout = Layout::Mono;
    let spec = StreamSpec {
        channels: CHANNELS,
        rate: RATE,
        format: FORMAT,
    };
    let source = SimSource::new(spec, Signal::Counter, config.recorder.period_frames, true)
        .expect("sim source");
    let req = TakeRequest {
        config,
        out: scratch.path().to_path_buf(),
        frames: Some(frames),
        writer: WriterOptions::default(),
        audio: Default::default(),
    };

    println!(
        "writer bench: {CHANNELS} tracks, {RATE} Hz, {}-bit, mono files, {secs} s of audio, in {}",
        FORMAT.cli_name(),
        scratch.path().display()
    );
    let t = Instant::now();
    let report = record_take(source, &req, Arc::new(AtomicBool::new(false))).expect("record");
    let wall = t.elapsed().as_secs_f64();
    if let Some(f) = &report.failure {
        panic!("the take failed: {f}");
    }
    assert_eq!(report.frames, frames, "frames recorded");
    assert_eq!(report.frames_dropped, 0, "frames dropped in fast mode");
    assert_eq!(report.files.len(), usize::from(CHANNELS), "files");

    let audio_bytes = frames * spec.frame_bytes() as u64;
    let on_disk: u64 = std::fs::read_dir(&report.dir)
        .expect("take folder")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let rt = secs as f64 / wall;
    let ours = mb(audio_bytes) / wall;
    println!(
        "capstan: {:.1} MB of audio ({:.1} MB on disk) in {wall:.3} s: {rt:.1}x real time, {ours:.1} MB/s",
        mb(audio_bytes),
        mb(on_disk)
    );
    std::fs::remove_dir_all(&report.dir).expect("remove the take");

    let mib = audio_bytes.div_ceil(1 << 20);
    let dd_path = scratch.path().join("dd.bin");
    let dd = run_dd(&dd_path, mib);
    let _ = std::fs::remove_file(&dd_path);
    let dd_rate = match dd {
        Ok(s) => {
            let r = mb(mib << 20) / s;
            println!(
                "dd:      {mib} MiB with conv=fdatasync in {s:.3} s: {r:.1} MB/s; capstan/dd = {:.0}%",
                100.0 * ours / r
            );
            Some(r)
        }
        Err(e) => {
            println!("dd:      {e}");
            None
        }
    };
    let dd_ok = dd_rate.map(|r| ours / r >= GOAL_DD);
    println!(
        "goals: >= {GOAL_RT:.0}x real time: {}; >= {:.0}% of dd: {}",
        if rt >= GOAL_RT { "met" } else { "MISSED" },
        GOAL_DD * 100.0,
        match dd_ok {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "not measured",
        }
    );
    if !full {
        println!("(1 s smoke run: run `cargo bench -p capstan --bench writer` for the figures)");
    }
}
