//! Every loss leaves a marker in every file of the take, at the frame where the files have the
//! gap: a capture source that overruns at chosen cycles and then delivers a burst far larger than
//! the ring is recorded; the counter signal in the files proves where the gaps are. Markers reach
//! the iXML at the next commit (a copy taken then, as a power cut would leave the card, has
//! them) and the cue chunk at the end of the take.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use capstan::config::Config;
use capstan::recorder::{record_take, TakeReport, TakeRequest};
use capstan_board::audio::{CaptureError, CaptureSource, StreamSpec};
use capstan_bwf::reader::MarkerSource;
use capstan_bwf::recover::recover;
use capstan_bwf::writer::WriterOptions;
use capstan_bwf::{counter, verify, Marker, SampleFormat};

const SPEC: StreamSpec = StreamSpec {
    channels: 2,
    rate: 48_000,
    format: SampleFormat::I24,
};
const PERIOD: usize = 480;
/// `wait` calls that overrun (each loses one period in the device).
const XRUN_CYCLES: [u64; 2] = [10, 25];
/// Take positions of those overruns: the frames delivered before them.
const XRUN_POSITIONS: [u64; 2] = [10 * 480, 24 * 480];
/// The `wait` call that blocks until the test has looked at the files.
const HOLD_CYCLE: u64 = 30;
/// The `wait` call that reports a burst of frames eight times the ring.
const BURST_CYCLE: u64 = 40;
const RING_SECONDS: f64 = 0.5;
const BURST: usize = 8 * 24_000;
const TAKE_FRAMES: u64 = 480 * 480;

/// Delivers the counter signal a period at a time (paced at four times real time), overruns at
/// [`XRUN_CYCLES`], holds at [`HOLD_CYCLE`] until released, and offers [`BURST`] frames at once
/// at [`BURST_CYCLE`].
struct LossySource {
    /// The counter signal for every frame the device will ever capture.
    signal: Vec<u8>,
    /// Next frame of `signal` to deliver.
    next: usize,
    ready: usize,
    cycle: u64,
    release: Arc<AtomicBool>,
}

impl LossySource {
    fn new(release: Arc<AtomicBool>) -> Self {
        let frames = TAKE_FRAMES as usize + XRUN_CYCLES.len() * PERIOD;
        let mut signal = vec![0u8; frames * SPEC.frame_bytes()];
        counter::fill(&mut signal, 2, SPEC.format, 0);
        LossySource {
            signal,
            next: 0,
            ready: 0,
            cycle: 0,
            release,
        }
    }
}

impl CaptureSource for LossySource {
    fn spec(&self) -> StreamSpec {
        SPEC
    }

    fn period_frames(&self) -> usize {
        PERIOD
    }

    fn start(&mut self) -> Result<(), CaptureError> {
        Ok(())
    }

    fn wait(&mut self) -> Result<usize, CaptureError> {
        let cycle = self.cycle;
        self.cycle += 1;
        if XRUN_CYCLES.contains(&cycle) {
            // The device lost a period: those frames are never delivered.
            self.next += PERIOD;
            return Err(CaptureError::Xrun);
        }
        if cycle == HOLD_CYCLE {
            let t = Instant::now();
            while !self.release.load(Ordering::Acquire) && t.elapsed() < Duration::from_secs(60) {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        if cycle == BURST_CYCLE {
            self.ready += BURST;
        } else {
            std::thread::sleep(Duration::from_micros(2_500));
            self.ready += PERIOD;
        }
        Ok(self.ready)
    }

    fn read(&mut self, dst: &mut [u8]) -> Result<usize, CaptureError> {
        let fb = SPEC.frame_bytes();
        let n = (dst.len() / fb)
            .min(self.ready)
            .min(self.signal.len() / fb - self.next);
        dst[..n * fb].copy_from_slice(&self.signal[self.next * fb..(self.next + n) * fb]);
        self.next += n;
        self.ready -= n;
        Ok(n)
    }
}

fn wav_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flat_map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                wav_files(&p)
            } else {
                vec![p]
            }
        })
        .filter(|p| p.extension().is_some_and(|x| x == "wav"))
        .collect();
    v.sort();
    v
}

/// Waits until both files' iXML holds both xrun markers, then copies the files into `to`.
fn snapshot_after_commit(out: &Path, to: &Path) -> Vec<PathBuf> {
    let t = Instant::now();
    loop {
        let files = wav_files(out);
        let ready = files.len() == 2
            && files.iter().all(|f| {
                capstan_bwf::read(f)
                    .ok()
                    .and_then(|w| w.ixml)
                    .is_some_and(|x| x.markers().len() == 2)
            });
        if ready {
            return files
                .iter()
                .map(|f| {
                    let c = to.join(f.file_name().unwrap());
                    std::fs::copy(f, &c).unwrap();
                    c
                })
                .collect();
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "no commit put the xrun markers into the iXML"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The counter frame each file frame should carry, given the gaps the markers say are there.
fn counter_frame(file_frame: u64, markers: &[Marker]) -> u64 {
    let skipped: u64 = markers
        .iter()
        .filter(|m| m.position <= file_frame)
        .map(|m| match m.label.as_str() {
            "XRUN" => PERIOD as u64,
            l => l
                .strip_prefix("DROP ")
                .and_then(|r| r.strip_suffix(" frames"))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("unexpected marker {l:?}")),
        })
        .sum();
    file_frame + skipped
}

/// The finished file holds `report.frames` frames whose counter jumps exactly at its markers.
fn check_gaps(path: &Path, channel: u32, markers: &[Marker], report: &TakeReport) {
    let mut r = hound::WavReader::open(path).unwrap();
    assert_eq!(u64::from(r.len()), report.frames, "{}", path.display());
    for (f, s) in r.samples::<i32>().enumerate() {
        let n = counter_frame(f as u64, markers);
        assert_eq!(
            s.unwrap(),
            counter::word(n, channel),
            "{} frame {f}: the counter has a gap no marker shows",
            path.display()
        );
    }
}

#[test]
fn xruns_and_drops_become_markers_in_every_file() {
    let out = tempfile::tempdir().unwrap();
    let snap = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.recorder.commit_interval = 0.05;
    config.recorder.ring_seconds = RING_SECONDS;
    let req = TakeRequest {
        config,
        out: out.path().to_path_buf(),
        frames: Some(TAKE_FRAMES),
        writer: WriterOptions::default(),
        audio: Default::default(),
        tracks: None,
        mirror_missing: Default::default(),
    };
    let release = Arc::new(AtomicBool::new(false));
    let source = LossySource::new(release.clone());
    let take = std::thread::spawn(move || {
        record_take(source, &req, Arc::new(AtomicBool::new(false))).unwrap()
    });

    // Mid-take, after a commit: both xruns are in the iXML already.
    let copies = snapshot_after_commit(out.path(), snap.path());
    release.store(true, Ordering::Release);
    let report = take.join().unwrap();
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_eq!(report.xruns, 2);

    // Where the files have each gap: the take position less the frames dropped before it.
    let dropped_before = |pos: u64| -> u64 {
        report
            .losses
            .iter()
            .filter(|e| e.position < pos && e.frames > 0)
            .map(|e| e.frames)
            .sum()
    };
    let xruns: Vec<Marker> = XRUN_POSITIONS
        .iter()
        .map(|&p| Marker::new(p - dropped_before(p), "XRUN"))
        .collect();

    for (c, copy) in copies.iter().enumerate() {
        let w = capstan_bwf::read(copy).unwrap();
        assert_eq!(
            w.marker_source,
            Some(MarkerSource::Ixml),
            "no cue chunk yet"
        );
        assert_eq!(w.markers, xruns, "{}", copy.display());
        let note = w.ixml.unwrap().note;
        assert!(
            note.contains("2 xruns") && note.contains("XRUN at 0.100 s (frame 4800)"),
            "{note}"
        );
        // The card after a power cut: recovery keeps the audio and the markers.
        let rep = recover(copy).unwrap();
        assert!(rep.frames >= xruns[1].position, "{rep:?}");
        let w = capstan_bwf::read(copy).unwrap();
        assert_eq!(verify::structure(&w), Vec::<String>::new());
        assert_eq!(w.markers, xruns);
        check_prefix(copy, c as u32, &xruns);
    }

    assert!(
        report.frames_dropped > 0,
        "a burst of 8 rings' worth dropped nothing: {report:?}"
    );
    let files = wav_files(out.path());
    assert_eq!(files.len(), 2, "one mono file per input");
    let mut first: Option<Vec<Marker>> = None;
    for (c, f) in files.iter().enumerate() {
        let w = capstan_bwf::read(f).unwrap();
        assert_eq!(w.marker_source, Some(MarkerSource::Cue));
        let ids: Vec<&str> = w.chunks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(&ids[ids.len() - 3..], ["data", "cue ", "LIST"]);
        assert_eq!(verify::structure(&w), Vec::<String>::new());
        assert!(w.warnings.is_empty(), "{:?}", w.warnings);
        let ixml = w.ixml.clone().unwrap();
        assert_eq!(ixml.markers(), w.markers, "iXML and cue chunk agree");
        assert!(ixml.note.contains("XRUN at 0.240 s (frame 11520)"));
        assert_eq!(&w.markers[..2], &xruns[..], "{}", f.display());
        println!("{}: {:?}", f.display(), w.markers);
        let drops: Vec<&Marker> = w.markers[2..].iter().collect();
        assert!(!drops.is_empty() && drops.iter().all(|m| m.label.starts_with("DROP ")));
        let total: u64 = drops
            .iter()
            .map(|m| {
                let n = m
                    .label
                    .trim_start_matches("DROP ")
                    .trim_end_matches(" frames");
                n.parse::<u64>().unwrap()
            })
            .sum();
        assert_eq!(total, report.frames_dropped, "the DROP markers add up");
        check_gaps(f, c as u32, &w.markers, &report);
        assert!(
            recover(f).unwrap().changes.is_empty(),
            "a finished take is whole"
        );
        if let Some(m) = &first {
            assert_eq!(&w.markers, m, "every file has the same markers");
        }
        first = Some(w.markers);
    }
}

/// The recovered copy's audio follows the counter with gaps exactly at its xrun markers.
fn check_prefix(path: &Path, channel: u32, markers: &[Marker]) {
    let mut r = hound::WavReader::open(path).unwrap();
    for (f, s) in r.samples::<i32>().enumerate() {
        assert_eq!(
            s.unwrap(),
            counter::word(counter_frame(f as u64, markers), channel),
            "{} frame {f}",
            path.display()
        );
    }
}

#[test]
fn capstan_record_exits_3_for_a_whole_take_that_lost_audio() {
    // The audio thread held for 3 s: the sim then hands over the backlog at once, far more
    // than the half-second ring holds, and the ring drops what does not fit.
    let d = tempfile::tempdir().unwrap();
    let config = d.path().join("capstan.toml");
    std::fs::write(&config, "[recorder]\nring_seconds = 0.5\n").unwrap();
    let out = d.path().join("takes");
    std::fs::create_dir(&out).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_capstan"))
        .arg("--config")
        .arg(&config)
        .args(["record", "--sim", "--channels", "2", "--seconds", "4"])
        .args(["--stall-at", "0.5:3000", "--out"])
        .arg(&out)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("frames dropped (see the take's iXML NOTE)"),
        "{err}"
    );
    // Still a take, printed as the last line, whole to its end.
    let stdout = String::from_utf8_lossy(&o.stdout);
    let take = PathBuf::from(stdout.lines().last().unwrap().trim());
    assert!(take.ends_with("S01-T001"), "{stdout}");
    for f in wav_files(&take) {
        let w = capstan_bwf::read(&f).unwrap();
        assert!(verify::structure(&w).is_empty(), "{}", f.display());
        let note = &w.ixml.as_ref().unwrap().note;
        assert!(note.starts_with("LOSSES: 0 xruns, "), "{note}");
    }
}
