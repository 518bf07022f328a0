//! Soak benchmark: one long take of 64 tracks at 48 kHz, 24-bit, mono files, from the sim
//! source in fast mode, through the whole record path (ring, writer thread, split, block
//! writes, commits with `fdatasync`). Memory (VmRSS) and open file descriptors are read at the
//! take's start, every 10 simulated minutes and at its end; the run fails unless both stay flat
//! and not one frame is dropped.
//!
//! Three hours of 64 tracks is about 100 GB, more than a scratch disk holds: a checker thread
//! follows the files as they grow, checks the counter signal of samples of every file (the
//! first 64 KiB and the last 4 KiB of each stretch written since its last pass, every sample
//! of those), then punches the checked stretch out of the file (`fallocate` with
//! `PUNCH_HOLE`, the file keeps its length), so the disk holds only what the checker has not
//! reached yet. The writer never sees the difference: it appends past the punched stretch and
//! rewrites the headers at its commits as in any take. At the end every file's header must
//! count every frame, and the unpunched tail is checked sample by sample.
//!
//! `cargo bench -p capstan --bench soak` runs `CAPSTAN_SOAK_MINUTES` simulated minutes
//! (default 180) with a row every `CAPSTAN_SOAK_ROW_SECONDS` (default 600). Run without
//! `--bench` (as `cargo test --benches` does) it runs a quick 2 simulated minutes with a row
//! every 10 s, with the same checks. `CAPSTAN_BENCH_DIR` puts the take elsewhere than the
//! target dir.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use capstan::recorder::{record_take_live, LiveTake, TakeReport};
use capstan_board::audio::StreamSpec;
use capstan_bwf::{counter, SampleFormat};

mod common;
use common::{counter_take, env_count, scratch_parent};

const CHANNELS: u16 = 64;
const RATE: u32 = 48_000;
const FORMAT: SampleFormat = SampleFormat::I24;
/// Bytes of one sample in a mono file.
const BPS: u64 = 3;
/// The page size punched holes are aligned to.
const PAGE: u64 = 4096;
/// Growth of RSS from the first row after the start to the last one the run accepts.
const RSS_SLACK_KB: u64 = 4 * 1024;

/// This process's resident memory in KiB, from /proc/self/status.
fn rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// This process's open file descriptors (the one reading /proc/self/fd included, every time).
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

/// One line of the table.
#[derive(Debug, Clone)]
struct Row {
    what: String,
    simulated: f64,
    wall: f64,
    rss_kb: u64,
    fds: usize,
    dropped: u64,
    on_disk: u64,
}

/// One track file as the checker follows it.
struct Track {
    path: PathBuf,
    channel: u32,
    data_start: u64,
    /// Bytes from `data_start` on already checked and punched out.
    done: u64,
}

/// Checks the counter signal of every sample in `bytes`, read at `offset` bytes into the audio
/// of the file of `channel`.
fn check_samples(path: &Path, channel: u32, offset: u64, bytes: &[u8]) {
    assert_eq!(offset % BPS, 0, "unaligned check");
    let mut want = [0u8; BPS as usize];
    for (k, s) in bytes.chunks_exact(BPS as usize).enumerate() {
        let frame = offset / BPS + k as u64;
        counter::encode(counter::word(frame, channel), FORMAT, &mut want);
        assert_eq!(
            s,
            &want[..],
            "{}: frame {frame} does not carry the counter signal",
            path.display()
        );
    }
}

/// Reads `len` bytes at audio offset `from` of `t` and checks them.
fn check_range(f: &File, t: &Track, from: u64, len: u64) {
    let from = from / BPS * BPS;
    let len = len / BPS * BPS;
    let mut buf = vec![0u8; len as usize];
    f.read_exact_at(&mut buf, t.data_start + from)
        .unwrap_or_else(|e| panic!("{}: cannot read back: {e}", t.path.display()));
    check_samples(&t.path, t.channel, from, &buf);
}

impl Track {
    /// Checks samples of what was written since the last pass and punches it out; returns the
    /// bytes still on disk.
    fn pass(&mut self) -> u64 {
        // Open for writing: a hole is punched through a writable descriptor.
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.path)
            .unwrap_or_else(|e| panic!("{}: cannot open: {e}", self.path.display()));
        let len = f.metadata().expect("metadata").len();
        let written = len.saturating_sub(self.data_start);
        // Whole pages only: the writer appends at the end, never below it.
        let end = (self.data_start + written) / PAGE * PAGE;
        let upto = end.saturating_sub(self.data_start);
        if upto > self.done {
            let n = upto - self.done;
            // Samples straddle pages: check from the first whole sample on.
            let first = self.done.div_ceil(BPS) * BPS;
            check_range(&f, self, first, (upto - first).min(64 * 1024));
            let tail = upto.saturating_sub(PAGE).max(first);
            check_range(&f, self, tail, upto - tail);
            nix::fcntl::fallocate(
                f.as_raw_fd(),
                nix::fcntl::FallocateFlags::FALLOC_FL_PUNCH_HOLE
                    | nix::fcntl::FallocateFlags::FALLOC_FL_KEEP_SIZE,
                (self.data_start + self.done) as i64,
                n as i64,
            )
            .unwrap_or_else(|e| panic!("{}: cannot punch a hole: {e}", self.path.display()));
            self.done = upto;
        }
        written - self.done
    }
}

/// The take's track files, in track order, once they all exist.
fn track_files(dir: &Path) -> Option<Vec<Track>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wav"))
        .collect();
    if paths.len() < usize::from(CHANNELS) {
        return None;
    }
    paths.sort();
    paths
        .into_iter()
        .enumerate()
        .map(|(c, path)| {
            let w = capstan_bwf::reader::read(&path).ok()?;
            Some(Track {
                data_start: w.data.as_ref()?.offset,
                path,
                channel: c as u32,
                done: 0,
            })
        })
        .collect()
}

/// A take position as h:mm:ss.
fn clock(frames: u64) -> String {
    let s = frames / u64::from(RATE);
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Follows the take of `total` frames: checks and punches, and takes a row at every
/// `row_frames` before the last frame (once every frame is captured the take closes its files,
/// and the "end" row stands for that moment).
fn watch(
    live: LiveTake,
    row_frames: u64,
    total: u64,
    done: Arc<AtomicBool>,
    t0: Instant,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let row = |what: String, frames: u64, on_disk: u64| Row {
        what,
        simulated: frames as f64 / f64::from(RATE),
        wall: t0.elapsed().as_secs_f64(),
        rss_kb: rss_kb(),
        fds: open_fds(),
        dropped: live.stats.frames_dropped.load(Ordering::Relaxed),
        on_disk,
    };
    let mut tracks = loop {
        if let Some(t) = live.take.get().and_then(|t| track_files(&t.dir)) {
            break t;
        }
        assert!(
            !done.load(Ordering::Relaxed),
            "the take ended before it began"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    rows.push(row("start".into(), 0, 0));
    let mut next = row_frames;
    while !done.load(Ordering::Relaxed) {
        let frames = live.stats.frames_captured.load(Ordering::Relaxed);
        if frames >= next && frames < total {
            // Read before this pass opens any file.
            let mut r = row(clock(frames), frames, 0);
            r.on_disk = tracks.iter_mut().map(Track::pass).sum();
            rows.push(r);
            next = (frames / row_frames + 1) * row_frames;
            continue;
        }
        for t in &mut tracks {
            t.pass();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    rows.push(row("end".into(), 0, 0));
    // The unpunched tail, sample by sample.
    for t in &tracks {
        let f = File::open(&t.path).expect("open");
        let w = capstan_bwf::reader::read(&t.path).expect("read the header back");
        let audio = w.data.as_ref().expect("a data chunk").declared;
        let from = t.done.div_ceil(BPS) * BPS;
        check_range(&f, t, from, audio - from);
    }
    rows
}

fn record(out: &Path, frames: u64, live: &LiveTake) -> TakeReport {
    let spec = StreamSpec {
        channels: CHANNELS,
        rate: RATE,
        format: FORMAT,
    };
    let (source, req) = counter_take(out, frames, spec);
    record_take_live(source, None, &req, Arc::new(AtomicBool::new(false)), live).expect("record")
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (minutes, row_secs) = if full {
        (
            env_count("CAPSTAN_SOAK_MINUTES", 180),
            env_count("CAPSTAN_SOAK_ROW_SECONDS", 600),
        )
    } else {
        (2, 10)
    };
    let frames = minutes * 60 * u64::from(RATE);
    let parent = scratch_parent();
    std::fs::create_dir_all(&parent).expect("cannot create the target dir");
    let scratch = tempfile::Builder::new()
        .prefix("capstan-soak-")
        .tempdir_in(&parent)
        .unwrap_or_else(|e| panic!("cannot make a scratch folder in {}: {e}", parent.display()));
    println!(
        "soak: {CHANNELS} tracks, {RATE} Hz, {}-bit, mono files, {minutes} simulated minutes \
         ({:.1} GB), a row every {row_secs} s, in {}",
        FORMAT.cli_name(),
        frames as f64 * f64::from(CHANNELS) * BPS as f64 / 1e9,
        scratch.path().display()
    );
    let fds_before = open_fds();
    let live = LiveTake::new();
    let done = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let watcher = {
        let (live, done) = (live.clone(), done.clone());
        std::thread::spawn(move || watch(live, row_secs * u64::from(RATE), frames, done, t0))
    };
    let report = record(scratch.path(), frames, &live);
    let wall = t0.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let mut rows = watcher.join().expect("the checker failed");
    let end = rows.last_mut().expect("an end row");
    end.simulated = report.frames as f64 / f64::from(RATE);
    let fds_after = open_fds();

    println!(
        "{:>8} {:>9} {:>9} {:>10} {:>5} {:>8} {:>10}",
        "row", "simulated", "wall", "RSS", "fds", "dropped", "on disk"
    );
    for r in &rows {
        println!(
            "{:>8} {:>9} {:>8.1}s {:>7.1} MB {:>5} {:>8} {:>7.1} MB",
            r.what,
            clock((r.simulated * f64::from(RATE)) as u64),
            r.wall,
            r.rss_kb as f64 / 1024.0,
            r.fds,
            r.dropped,
            r.on_disk as f64 / 1e6
        );
    }
    let speed = report.frames as f64 / f64::from(RATE) / wall;
    println!(
        "{} frames in {wall:.1} s: {speed:.1}x real time, {:.1} MB/s; ring high-water {:.2} s; \
         fds before the take {fds_before}, after it {fds_after}",
        report.frames,
        report.frames as f64 * f64::from(CHANNELS) * BPS as f64 / 1e6 / wall,
        report.ring_high_water_secs
    );

    // The verdict.
    if let Some(f) = &report.failure {
        panic!("the take failed: {f}");
    }
    assert_eq!(report.frames, frames, "frames recorded");
    assert_eq!(report.frames_dropped, 0, "frames dropped");
    assert_eq!(report.xruns, 0, "xruns");
    assert_eq!(report.files.len(), usize::from(CHANNELS), "files");
    for f in &report.files {
        assert_eq!(f.frames, frames, "{}", f.path.display());
        let w = capstan_bwf::reader::read(&f.path).expect("read the header back");
        let data = w.data.as_ref().expect("a data chunk");
        assert_eq!(
            w.file_len,
            data.offset + frames * BPS,
            "{}",
            f.path.display()
        );
    }
    let steady: Vec<&Row> = rows
        .iter()
        .filter(|r| r.what != "start" && r.what != "end")
        .collect();
    // The ring fills in the first seconds of a fast take and its pages are then resident:
    // memory is compared from the first row past half a minute on (10 minutes in a full run).
    let warm = steady
        .iter()
        .find(|r| r.simulated >= 30.0)
        .or(steady.last());
    if let (Some(first), Some(last)) = (warm, steady.last()) {
        assert!(
            last.rss_kb <= first.rss_kb + RSS_SLACK_KB,
            "memory grew from {} KiB at {} to {} KiB at {}",
            first.rss_kb,
            first.what,
            last.rss_kb,
            last.what
        );
        for r in &steady {
            assert_eq!(r.fds, steady[0].fds, "open files changed at {}", r.what);
        }
    }
    assert_eq!(fds_after, fds_before, "a file of the take was left open");
    println!(
        "verdict: 0 frames dropped, 0 xruns, RSS and open files flat{}",
        if full {
            ""
        } else {
            " (quick run: `cargo bench -p capstan --bench soak` for three hours)"
        }
    );
}
