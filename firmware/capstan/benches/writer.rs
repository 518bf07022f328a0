//! Write-path benchmark: a 64-track, 48 kHz, 24-bit mono-layout take from the sim source in
//! fast mode, timed by the wall clock and compared with `dd` writing as many bytes to the same
//! file system with `conv=fdatasync` (one sync at its end; the take syncs at every commit and
//! at its end, so dd has the easier job).
//!
//! `cargo bench -p capstan --bench writer` records `CAPSTAN_BENCH_SECONDS` seconds of audio
//! (default 60) in each of `CAPSTAN_BENCH_ROUNDS` rounds (default 5), each round running dd and
//! the take one after the other (the order alternates, the file system is synced between runs
//! and left to settle for `CAPSTAN_BENCH_SETTLE` seconds (default 3) between runs, so neither
//! pays for the other's writeback or deletions), and reports the medians with the CPU time
//! each used. `CAPSTAN_BENCH_DIR` puts the files elsewhere than the target dir (a
//! tmpfs there shows what the CPU alone allows). Run without `--bench` (as `cargo test
//! --benches` does) it records 1 s once.
//! Goal: at least 50x real time and at least 80% of dd.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use capstan::recorder::record_take;
use capstan_board::audio::StreamSpec;
use capstan_bwf::SampleFormat;

mod common;
use common::{counter_take, env_count, scratch_parent};

const CHANNELS: u16 = 64;
const RATE: u32 = 48_000;
const FORMAT: SampleFormat = SampleFormat::I24;
const GOAL_RT: f64 = 50.0;
const GOAL_DD: f64 = 0.8;

/// User and system CPU seconds of this process (`children`: of its waited-for children), from
/// /proc/self/stat in USER_HZ ticks (100 a second on Linux).
fn cpu_seconds(children: bool) -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which ends with the last ')': state is field 3.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // utime, stime, cutime, cstime are fields 14 to 17, that is 11 to 14 after the name.
    let at = if children { 13 } else { 11 };
    match (f.get(at), f.get(at + 1)) {
        (Some(u), Some(s)) => (u / 100.0, s / 100.0),
        _ => (0.0, 0.0),
    }
}

/// Wall seconds and CPU seconds (user, system) of one run.
#[derive(Debug, Clone, Copy)]
struct Run {
    wall: f64,
    user: f64,
    sys: f64,
}

fn timed<T>(children: bool, f: impl FnOnce() -> T) -> (T, Run) {
    let (u0, s0) = cpu_seconds(children);
    let t = Instant::now();
    let out = f();
    let wall = t.elapsed().as_secs_f64();
    let (u1, s1) = cpu_seconds(children);
    (
        out,
        Run {
            wall,
            user: u1 - u0,
            sys: s1 - s0,
        },
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Flushes every file system and lets the device settle for `settle`, so writeback and
/// deletions of one run do not land in the next (a virtual disk goes on writing to its host's
/// disk after `sync` has returned, and slowed the next run's final sync by up to 2x).
fn sync_all(settle: Duration) {
    let _ = Command::new("sync").status();
    std::thread::sleep(settle);
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Runs dd writing `mib` MiB of zeros to `path` with `conv=fdatasync`.
fn run_dd(path: &Path, mib: u64) -> Result<(), String> {
    let out = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", path.display()))
        .arg("bs=1M")
        .arg(format!("count={mib}"))
        .arg("conv=fdatasync")
        .output()
        .map_err(|e| format!("cannot run dd: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "dd failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// Records one take into `out`; returns its folder.
fn run_take(out: &Path, frames: u64, spec: StreamSpec) -> PathBuf {
    let (source, req) = counter_take(out, frames, spec);
    let report = record_take(source, &req, Arc::new(AtomicBool::new(false))).expect("record");
    if let Some(f) = &report.failure {
        panic!("the take failed: {f}");
    }
    assert_eq!(report.frames, frames, "frames recorded");
    assert_eq!(report.frames_dropped, 0, "frames dropped in fast mode");
    assert_eq!(report.files.len(), usize::from(CHANNELS), "files");
    report.dir
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (secs, rounds) = if full {
        (
            env_count("CAPSTAN_BENCH_SECONDS", 60),
            env_count("CAPSTAN_BENCH_ROUNDS", 5),
        )
    } else {
        (1, 1)
    };
    let frames = secs * u64::from(RATE);
    let settle = Duration::from_secs(if full {
        env_count("CAPSTAN_BENCH_SETTLE", 3)
    } else {
        0
    });

    let parent = scratch_parent();
    std::fs::create_dir_all(&parent).expect("cannot create the target dir");
    let scratch = tempfile::Builder::new()
        .prefix("capstan-bench-")
        .tempdir_in(&parent)
        .unwrap_or_else(|e| panic!("cannot make a scratch folder in {}: {e}", parent.display()));
    let spec = StreamSpec {
        channels: CHANNELS,
        rate: RATE,
        format: FORMAT,
    };
    let audio_bytes = frames * spec.frame_bytes() as u64;
    let mib = audio_bytes.div_ceil(1 << 20);
    let dd_path = scratch.path().join("dd.bin");
    println!(
        "writer bench: {CHANNELS} tracks, {RATE} Hz, {}-bit, mono files, {secs} s of audio \
         ({:.1} MB; dd: {mib} MiB), {rounds} rounds, in {}",
        FORMAT.cli_name(),
        mb(audio_bytes),
        scratch.path().display()
    );
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut dd_failed = None;
    // What the build left unwritten is not the first run's to pay for.
    sync_all(settle);
    for round in 0..rounds {
        let take = || {
            let (dir, run) = timed(false, || run_take(scratch.path(), frames, spec));
            let on_disk: u64 = std::fs::read_dir(&dir)
                .expect("take folder")
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum();
            std::fs::remove_dir_all(&dir).expect("remove the take");
            sync_all(settle);
            println!(
                "  capstan: {:.3} s, {:.1} MB/s ({:.1} MB on disk), cpu {:.2} s user + {:.2} s sys",
                run.wall,
                mb(audio_bytes) / run.wall,
                mb(on_disk),
                run.user,
                run.sys
            );
            run
        };
        let mut dd = || {
            let (res, run) = timed(true, || run_dd(&dd_path, mib));
            let _ = std::fs::remove_file(&dd_path);
            sync_all(settle);
            match res {
                Ok(()) => {
                    println!(
                        "  dd:      {:.3} s, {:.1} MB/s, cpu {:.2} s user + {:.2} s sys",
                        run.wall,
                        mb(mib << 20) / run.wall,
                        run.user,
                        run.sys
                    );
                    Some(run)
                }
                Err(e) => {
                    dd_failed = Some(e);
                    None
                }
            }
        };
        println!("round {}:", round + 1);
        if round % 2 == 0 {
            ours.push(take());
            theirs.extend(dd());
        } else {
            theirs.extend(dd());
            ours.push(take());
        }
    }

    let wall = median(ours.iter().map(|r| r.wall).collect());
    let rt = secs as f64 / wall;
    let rate = mb(audio_bytes) / wall;
    let cpu = median(ours.iter().map(|r| r.user + r.sys).collect());
    println!(
        "capstan (median): {wall:.3} s: {rt:.1}x real time, {rate:.1} MB/s; cpu {cpu:.2} s \
         ({:.2} s per GB)",
        cpu / (mb(audio_bytes) / 1e3)
    );
    let dd_rate = if let Some(e) = dd_failed {
        println!("dd:      {e}");
        None
    } else {
        let wall = median(theirs.iter().map(|r| r.wall).collect());
        let cpu = median(theirs.iter().map(|r| r.user + r.sys).collect());
        let r = mb(mib << 20) / wall;
        println!(
            "dd (median):      {wall:.3} s: {r:.1} MB/s; cpu {cpu:.2} s ({:.2} s per GB); \
             capstan/dd = {:.0}%",
            cpu / (mb(mib << 20) / 1e3),
            100.0 * rate / r
        );
        Some(r)
    };
    if !full {
        // A smoke run of a test build: its figures say nothing about the goals.
        println!("(smoke run: run `cargo bench -p capstan --bench writer` for the figures)");
        return;
    }
    let dd_ok = dd_rate.map(|r| rate / r >= GOAL_DD);
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
