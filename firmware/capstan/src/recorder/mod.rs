//! Recording a take: the take folder and its files, the audio thread started on a capture
//! source, and the writer loop that empties the ring into the files and commits them.

pub mod files;
pub mod live;
pub mod losses;
pub mod meta;
pub mod mix;
pub mod naming;
pub mod recovery;
pub mod space;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use capstan_board::audio::{CaptureSource, StreamSpec};
use capstan_bwf::ixml::Ixml;
use capstan_bwf::writer::{FinishedFile, WriteError, WriterOptions};
use capstan_bwf::WavSpec;

use crate::config::{Config, Layout};
use crate::engine::{
    ring::EVENT_CAPACITY, CaptureEngine, EngineEvent, EngineExit, LossKind, Monitor, RingPlan,
};
use files::TakeFiles;
pub use live::{LiveTake, MarkRequest};
use losses::LossMarkers;
use meta::TakeMeta;

/// What to record.
#[derive(Debug, Clone)]
pub struct TakeRequest {
    /// The configuration (names, ring, commit interval, layout).
    pub config: Config,
    /// The folder takes go in.
    pub out: PathBuf,
    /// Stop after this many frames (`None`: until asked to stop).
    pub frames: Option<u64>,
    /// Writer options (tests lower the RF64 threshold).
    pub writer: WriterOptions,
    /// How the audio thread runs.
    pub audio: AudioOptions,
}

/// How the audio thread runs.
#[derive(Debug, Clone, Default)]
pub struct AudioOptions {
    /// SCHED_FIFO priority (1..=99), or `None` to stay a normal thread.
    pub priority: Option<i32>,
    /// Lock the process's memory (ring included) before recording.
    pub lock_memory: bool,
    /// A deliberate stall of the audio thread: (seconds into the take, length). Test hook.
    pub stall: Option<(f64, Duration)>,
}

/// Why a take could not start.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The take folder could not be made.
    #[error("cannot create a take folder in {}: {source} (is the card mounted, writable and not full?)", out.display())]
    TakeFolder {
        /// The output folder.
        out: PathBuf,
        /// The system's answer.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be created.
    #[error(transparent)]
    File(#[from] WriteError),
    /// The audio thread could not be started.
    #[error("cannot start the audio thread: {0}")]
    Thread(std::io::Error),
}

/// What a take came to.
#[derive(Debug)]
pub struct TakeReport {
    /// The take's folder.
    pub dir: PathBuf,
    /// Its files.
    pub files: Vec<FinishedFile>,
    /// Frames in each file.
    pub frames: u64,
    /// Frames lost to a full ring.
    pub frames_dropped: u64,
    /// Device overruns.
    pub xruns: u64,
    /// Each loss with its position.
    pub losses: Vec<EngineEvent>,
    /// The ring's highest fill in seconds of audio.
    pub ring_high_water_secs: f64,
    /// Why the engine stopped.
    pub exit: EngineExit,
    /// A failure that ended the take early (the files are closed and valid up to it).
    pub failure: Option<String>,
}

/// The take's notes: every loss, in words, for the iXML NOTE and the log.
pub fn loss_note(
    rate: u32,
    frames_dropped: u64,
    xruns: u64,
    losses: &[EngineEvent],
    events_lost: u64,
) -> String {
    if frames_dropped == 0 && xruns == 0 {
        return String::new();
    }
    let mut n = format!("LOSSES: {xruns} xruns, {frames_dropped} frames dropped (ring full).");
    for e in losses {
        let at = e.position as f64 / f64::from(rate);
        let what = match e.kind {
            LossKind::Xrun => "XRUN".to_string(),
            LossKind::RingOverflow => format!("DROP {} frames", e.frames),
        };
        n.push_str(&format!(" {what} at {at:.3} s (frame {});", e.position));
    }
    if events_lost > 0 {
        n.push_str(&format!(" {events_lost} more losses not itemised."));
    }
    n
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Records one take from `source` until the frame limit or `stop`. Runs the writer loop on the
/// calling thread and the audio thread on a new one.
pub fn record_take<S: CaptureSource + 'static>(
    source: S,
    req: &TakeRequest,
    stop: Arc<AtomicBool>,
) -> Result<TakeReport, RecordError> {
    record_take_with_monitor(source, None, req, stop)
}

/// [`record_take`], with every captured frame also fed through `monitor` on the audio thread.
pub fn record_take_with_monitor<S: CaptureSource + 'static>(
    source: S,
    monitor: Option<Monitor>,
    req: &TakeRequest,
    stop: Arc<AtomicBool>,
) -> Result<TakeReport, RecordError> {
    record_take_live(source, monitor, req, stop, &LiveTake::new())
}

/// [`record_take_with_monitor`], sharing the take's counters and name through `live` as it
/// records, and putting the markers asked for there on every file.
pub fn record_take_live<S: CaptureSource + 'static>(
    source: S,
    monitor: Option<Monitor>,
    req: &TakeRequest,
    stop: Arc<AtomicBool>,
    live: &LiveTake,
) -> Result<TakeReport, RecordError> {
    let spec: StreamSpec = source.spec();
    let cfg = &req.config;
    let plan = RingPlan::new(spec, cfg.recorder.ring_seconds, source.period_frames());
    tracing::info!(
        "ring: {plan} for {} channels at {} Hz, {}-bit; period {} frames; commit every {:.2} s",
        spec.channels,
        spec.rate,
        spec.format.cli_name(),
        source.period_frames(),
        cfg.recorder.commit_interval
    );
    let take = naming::create_next_take(&req.out, &cfg.scene).map_err(|source| {
        RecordError::TakeFolder {
            out: req.out.clone(),
            source,
        }
    })?;
    let wav = WavSpec {
        channels: spec.channels,
        sample_rate: spec.rate,
        format: spec.format,
    };
    let channels = usize::from(spec.channels);
    let groups: Vec<(PathBuf, std::ops::Range<usize>)> = match cfg.recorder.layout {
        Layout::Mono => (0..channels)
            .map(|c| (take.track_file(c, &cfg.track_name(c)), c..c + 1))
            .collect(),
        Layout::Poly => vec![(take.poly_file(), 0..channels)],
    };
    let start = chrono::Local::now();
    let tm = TakeMeta {
        project: cfg.project.clone(),
        take: take.clone(),
        start,
        timecode_rate: cfg.recorder.timecode_rate.clone(),
        family_uid: meta::new_family_uid(),
        total_files: groups.len() as u32,
    };
    let mut ixmls = Vec::with_capacity(groups.len());
    let specs: Vec<_> = groups
        .into_iter()
        .enumerate()
        .map(|(i, (path, chans))| {
            let tracks: Vec<(u32, String)> = chans
                .clone()
                .map(|c| (c as u32, cfg.track_name(c)))
                .collect();
            let m = tm.file_meta(
                WavSpec {
                    channels: chans.len() as u16,
                    ..wav
                },
                i,
                &tracks,
            );
            ixmls.push(m.ixml.clone());
            (path, chans, m)
        })
        .collect();
    let mut files = TakeFiles::create(wav, specs, req.writer)?;
    let mut monitor = monitor;
    let mut print = mix::TakePrint::start(&tm, monitor.as_mut(), cfg, req.writer)?;
    // Every header reaches the card before the first frame: a cut at any moment leaves files
    // that say what they hold.
    files.commit()?;
    sync_dir(&take.dir);
    sync_dir(&req.out);
    tracing::info!("recording take {} into {}", take.stem(), take.dir.display());
    let _ = live.take.set(take.clone());

    let (producer, mut consumer) = plan.build();
    let (ev_tx, mut ev_rx) = rtrb::RingBuffer::new(EVENT_CAPACITY);
    let stats = live.stats.clone();
    let mut engine = CaptureEngine::new(
        source,
        producer,
        ev_tx,
        stats.clone(),
        stop.clone(),
        req.frames,
    );
    if let Some(m) = monitor {
        engine = engine.with_monitor(m);
    }
    if let Some((secs, length)) = req.audio.stall {
        engine = engine.with_stall((secs * f64::from(spec.rate)) as u64, length);
    }
    if req.audio.lock_memory {
        match capstan_board::realtime::lock_memory() {
            Ok(()) => tracing::info!("memory locked (ring and audio buffers stay in RAM)"),
            Err(e) => tracing::warn!(
                "cannot lock memory ({e}): {}; recording anyway, a page fault may cause an xrun",
                capstan_board::realtime::advice(&e)
            ),
        }
    }
    let writer_cpu0 = capstan_board::rusage::thread_cpu_time();
    let priority = req.audio.priority;
    let audio = std::thread::Builder::new()
        .name("capstan-audio".into())
        .spawn(move || {
            if let Some(p) = priority {
                // Before the first cycle: the audio thread may still log here.
                match capstan_board::realtime::set_fifo_priority(p) {
                    Ok(()) => tracing::info!("audio thread runs SCHED_FIFO at priority {p}"),
                    Err(e) => tracing::warn!(
                        "cannot run the audio thread SCHED_FIFO at priority {p} ({e}): {}; \
                         recording at normal priority, xruns are more likely under load",
                        capstan_board::realtime::advice(&e)
                    ),
                }
            }
            engine.run()
        })
        .map_err(RecordError::Thread)?;

    let fb = spec.frame_bytes();
    let interval = cfg.commit_interval();
    let mut last_commit = Instant::now();
    let reserve = space::reserve_bytes(
        fb as u64 * u64::from(spec.rate),
        2.0 * cfg.recorder.commit_interval + 1.0,
        ixmls.len(),
    );
    let mut losses = Vec::new();
    let mut marks = LossMarkers::default();
    let mut losses_in_ixml = 0;
    let note_now = |losses: &[EngineEvent]| {
        loss_note(
            spec.rate,
            stats.frames_dropped.load(Ordering::Relaxed),
            stats.xruns.load(Ordering::Relaxed),
            losses,
            stats.events_lost.load(Ordering::Relaxed),
        )
    };
    let mut failure = None;
    loop {
        while let Ok(e) = ev_rx.pop() {
            match e.kind {
                LossKind::Xrun => {
                    tracing::warn!("XRUN at frame {} of take {}", e.position, take.stem())
                }
                LossKind::RingOverflow => {
                    tracing::warn!(
                        "DROPPED {} frames at frame {} of take {}: the card is too slow",
                        e.frames,
                        e.position,
                        take.stem()
                    )
                }
            }
            for (at, label) in marks.push(&e) {
                files.mark(at, &label);
            }
            losses.push(e);
        }
        for m in live.take_marks() {
            files.mark(m.position, &m.label);
        }
        let avail = consumer.slots() / fb;
        if avail == 0 {
            if audio.is_finished() && consumer.slots() < fb {
                break;
            }
            // The ring is seconds deep: waking 100 times a second is plenty.
            std::thread::sleep(Duration::from_millis(10));
        } else {
            let n = avail.min(files.room());
            let chunk = consumer
                .read_chunk(n * fb)
                .expect("slots were counted above");
            let (a, b) = chunk.as_slices();
            let res = files.push(a).and_then(|()| files.push(b));
            chunk.commit_all();
            if let Err(e) = res {
                failure = Some(space::write_failure(&e));
                break;
            }
        }
        mix::TakePrint::write(&mut print);
        if last_commit.elapsed() >= interval {
            mix::TakePrint::commit(&mut print);
            if let Some((at, label)) = marks.flush_if_past(files.frames()) {
                files.mark(at, &label);
            }
            // New losses: the NOTE and the markers reach the iXML with this commit.
            let res = if losses.len() == losses_in_ixml {
                Ok(())
            } else {
                let note = note_now(&losses);
                losses_in_ixml = losses.len();
                files.update_ixml(|i| Ixml {
                    note: note.clone(),
                    ..ixmls[i].clone()
                })
            };
            if let Err(e) = res.and_then(|()| files.commit()) {
                failure = Some(space::write_failure(&e));
                break;
            }
            if let Some(free) = space::free_bytes(&take.dir) {
                if free < reserve {
                    failure = Some(space::disk_full(&take.dir, free, reserve));
                    break;
                }
            }
            last_commit = Instant::now();
            tracing::debug!(frames = files.frames(), "commit");
        }
    }
    if failure.is_some() {
        stop.store(true, Ordering::Relaxed);
        // Keep draining so the audio thread is never stuck waiting for room.
        while !audio.is_finished() {
            let n = consumer.slots();
            if let Ok(c) = consumer.read_chunk(n) {
                c.commit_all();
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let exit = audio
        .join()
        .unwrap_or(EngineExit::DeviceFailed("the audio thread panicked"));
    while let Ok(e) = ev_rx.pop() {
        for (at, label) in marks.push(&e) {
            files.mark(at, &label);
        }
        losses.push(e);
    }
    if let Some((at, label)) = marks.flush() {
        files.mark(at, &label);
    }
    for m in live.take_marks() {
        files.mark(m.position.min(files.frames()), &m.label);
    }
    let print = mix::TakePrint::finish(print);
    let frames = files.frames();
    let dropped = stats.frames_dropped.load(Ordering::Relaxed);
    let xruns = stats.xruns.load(Ordering::Relaxed);
    let note = note_now(&losses);
    if let EngineExit::DeviceFailed(why) = exit {
        failure.get_or_insert_with(|| format!("the audio device failed: {why}"));
    }
    let finished = files.finish(|i| {
        (!note.is_empty()).then(|| {
            let mut x = ixmls[i].clone();
            x.note = note.clone();
            x
        })
    });
    sync_dir(&take.dir);
    let files = match finished {
        Ok(f) => f.into_iter().chain(print).collect(),
        Err(e) => {
            failure.get_or_insert(e.to_string());
            Vec::new()
        }
    };
    if !note.is_empty() {
        tracing::warn!("take {}: {note}", take.stem());
    }
    let high =
        stats.ring_high_water.load(Ordering::Relaxed) as f64 / (fb as f64 * f64::from(spec.rate));
    tracing::info!(
        "take {} done: {frames} frames, ring high-water {high:.2} s of {:.1} s",
        take.stem(),
        plan.seconds
    );
    let allocations = capstan_board::alloc_guard::audio_allocations();
    if allocations > 0 {
        tracing::error!(
            "the audio thread allocated {allocations} times inside its cycle: a realtime bug, please report it"
        );
    } else {
        tracing::info!("audio thread: 0 allocations inside its cycle");
    }
    let writer_cpu = capstan_board::rusage::thread_cpu_time();
    tracing::info!(
        "cpu while recording: audio thread {:.3} s, writer thread {:.3} s (setup before: {:.3} s)",
        stats.audio_cpu_ns.load(Ordering::Relaxed) as f64 / 1e9,
        writer_cpu.saturating_sub(writer_cpu0).as_secs_f64(),
        writer_cpu0.as_secs_f64()
    );
    Ok(TakeReport {
        dir: take.dir,
        files,
        frames,
        frames_dropped: dropped,
        xruns,
        losses,
        ring_high_water_secs: high,
        exit,
        failure,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_lists_every_loss_with_its_time() {
        assert_eq!(loss_note(48000, 0, 0, &[], 0), "");
        let losses = [
            EngineEvent {
                kind: LossKind::Xrun,
                position: 96000,
                frames: 0,
            },
            EngineEvent {
                kind: LossKind::RingOverflow,
                position: 144000,
                frames: 256,
            },
        ];
        let n = loss_note(48000, 256, 1, &losses, 3);
        assert!(n.starts_with("LOSSES: 1 xruns, 256 frames dropped"), "{n}");
        assert!(n.contains("XRUN at 2.000 s (frame 96000)"), "{n}");
        assert!(
            n.contains("DROP 256 frames at 3.000 s (frame 144000)"),
            "{n}"
        );
        assert!(n.contains("3 more losses not itemised"), "{n}");
    }
}
