//! Recording a take: the take folder and its files, the audio thread started on a capture
//! source, and the writer loop that empties the ring into the files and commits them.

pub mod files;
pub mod live;
pub mod losses;
pub mod meta;
pub mod mirror;
pub mod mix;
pub mod naming;
pub mod recovery;
pub mod space;
pub mod stream;
pub mod tap;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use capstan_board::audio::{CaptureSource, StreamSpec};
use capstan_bwf::ixml::Ixml;
use capstan_bwf::writer::{FinishedFile, WriteError, WriterOptions};
use capstan_bwf::WavSpec;

use crate::config::{Config, Layout};
use crate::engine::{EngineEvent, EngineExit, EngineStats, LossKind, Monitor, RingPlan};
pub use live::{LiveTake, MarkRequest};
use losses::LossMarkers;
use meta::TakeMeta;
use mirror::TakeMedia;
pub use stream::InputStream;
pub use tap::RingTap;

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
    /// Stream position of the take's first frame: frames since the input was opened (0 when
    /// it was opened for this take).
    pub first_frame: u64,
    /// Frames of the take before REC (its pre-roll).
    pub pre_roll: u64,
    /// When REC was pressed (local time): the take's first frame is `pre_roll` frames earlier.
    pub rec_time: chrono::DateTime<chrono::Local>,
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
/// records, and putting the markers asked for there on every file. The input is opened for
/// this take alone: the take begins with the stream, without pre-roll.
pub fn record_take_live<S: CaptureSource + 'static>(
    source: S,
    monitor: Option<Monitor>,
    req: &TakeRequest,
    stop: Arc<AtomicBool>,
    live: &LiveTake,
) -> Result<TakeReport, RecordError> {
    let spec: StreamSpec = source.spec();
    let cfg = &req.config;
    let plan = stream::ring_plan(spec, cfg.recorder.ring_seconds, 0.0, source.period_frames());
    log_ring(&plan, spec, source.period_frames(), cfg, 0.0);
    let mut monitor = monitor;
    let start = TakeStart {
        rec: chrono::Local::now(),
        pre_roll: 0,
    };
    let open = OpenTake::create(req, spec, &start, monitor.as_mut(), live)?;
    let mut input = InputStream::start(source, monitor, plan, 0.0, req.frames, &req.audio, stop)?;
    let mut tap = input
        .take_tap()
        .expect("a stream just started holds its reading end");
    let never = AtomicBool::new(false);
    let feed = Feed {
        tap: &mut tap,
        stats: input.stats(),
        exit: input.exit(),
        first: 0,
        stop: &never,
    };
    let mut report = open.record(feed, req, live);
    drop(tap);
    report.exit = input.stop();
    if let EngineExit::DeviceFailed(why) = report.exit {
        report
            .failure
            .get_or_insert_with(|| format!("the audio device failed: {why}"));
    }
    Ok(report)
}

/// Logs the ring an input runs with: its length and memory, and what it is made of.
pub fn log_ring(
    plan: &RingPlan,
    spec: StreamSpec,
    period_frames: usize,
    cfg: &Config,
    pre_roll: f64,
) {
    let pre = if pre_roll > 0.0 {
        let bytes = pre_roll * f64::from(spec.rate) * spec.frame_bytes() as f64;
        format!(
            " ({:.1} s against storage stalls + {pre_roll:.1} s of pre-roll, {:.1} MB)",
            cfg.recorder.ring_seconds,
            bytes / 1e6
        )
    } else {
        String::new()
    };
    tracing::info!(
        "ring: {plan}{pre} for {} channels at {} Hz, {}-bit; period {} frames; commit every {:.2} s",
        spec.channels,
        spec.rate,
        spec.format.cli_name(),
        period_frames,
        cfg.recorder.commit_interval
    );
}

/// Records a take from an input that is already running (the box): the take begins `pre_roll`
/// seconds of stream before `rec` (the stream position when REC was pressed, at wall time
/// `rec_time`), or with the oldest frame the ring still holds, and ends when `stop` is set
/// or the input stops. The ring's reading end `tap` stays with the caller for the input's
/// next take.
pub fn record_take_running(
    tap: &mut RingTap,
    input: &stream::StreamShared,
    rec: u64,
    rec_time: chrono::DateTime<chrono::Local>,
    req: &TakeRequest,
    stop: &AtomicBool,
    live: &LiveTake,
) -> Result<TakeReport, RecordError> {
    let spec = input.spec;
    tap.ready();
    let from = rec.saturating_sub(input.pre_roll as u64);
    for e in tap.discard_before(from) {
        tracing::warn!(
            "{:?} at stream frame {} before the take's pre-roll",
            e.kind,
            e.position
        );
    }
    let first = tap.position();
    let start = TakeStart {
        rec: rec_time,
        pre_roll: rec.saturating_sub(first),
    };
    if start.pre_roll > 0 {
        tracing::info!(
            "pre-roll: the take begins {:.2} s ({} frames) before REC",
            start.pre_roll as f64 / f64::from(spec.rate),
            start.pre_roll
        );
    }
    let open = OpenTake::create(req, spec, &start, None, live)?;
    let feed = Feed {
        tap,
        stats: &input.stats,
        exit: &input.exit,
        first,
        stop,
    };
    let mut report = open.record(feed, req, live);
    if let Some(EngineExit::DeviceFailed(why)) = input.exit.get() {
        report.exit = EngineExit::DeviceFailed(why);
        report
            .failure
            .get_or_insert_with(|| format!("the audio device failed: {why}"));
    }
    Ok(report)
}

/// When a take begins: REC's wall time and the frames of pre-roll before it.
struct TakeStart {
    rec: chrono::DateTime<chrono::Local>,
    pre_roll: u64,
}

/// Where a take's frames come from.
struct Feed<'a> {
    /// The ring's reading end.
    tap: &'a mut RingTap,
    /// The input's counters.
    stats: &'a EngineStats,
    /// Set once the audio thread has stopped.
    exit: &'a OnceLock<EngineExit>,
    /// Stream position of the take's first frame.
    first: u64,
    /// Set to end the take while the input goes on.
    stop: &'a AtomicBool,
}

/// A take whose folder and files exist, headers on the card, no frame written yet.
struct OpenTake {
    take: naming::TakeName,
    spec: StreamSpec,
    files: TakeMedia,
    print: Option<mix::TakePrint>,
    ixmls: Vec<Ixml>,
    /// The iXML NOTE's first part: the pre-roll.
    pre_roll_note: String,
    /// Frames of the take before REC.
    pre_roll: u64,
    /// When REC was pressed.
    rec_time: chrono::DateTime<chrono::Local>,
}

impl OpenTake {
    /// Makes the take's folder and files and syncs their headers; `monitor` gets the board mix
    /// to print, if the config asks for one.
    fn create(
        req: &TakeRequest,
        spec: StreamSpec,
        start: &TakeStart,
        monitor: Option<&mut Monitor>,
        live: &LiveTake,
    ) -> Result<OpenTake, RecordError> {
        let cfg = &req.config;
        let (take, mirror_dir) =
            mirror::create_take(&req.out, cfg.recorder.mirror.as_deref(), &cfg.scene)?;
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
        let tm = TakeMeta {
            project: cfg.project.clone(),
            take: take.clone(),
            rec: start.rec,
            pre_roll: start.pre_roll,
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
        let mut files = TakeMedia::create(wav, specs, mirror_dir.as_deref(), req.writer, live)?;
        let print = mix::TakePrint::start(&tm, monitor, cfg, req.writer)?;
        // Every header reaches the card before the first frame: a cut at any moment leaves files
        // that say what they hold.
        files.commit()?;
        sync_dir(&take.dir);
        sync_dir(&req.out);
        tracing::info!("recording take {} into {}", take.stem(), take.dir.display());
        let _ = live.take.set(take.clone());
        Ok(OpenTake {
            pre_roll_note: tm.pre_roll_note(spec.rate),
            pre_roll: start.pre_roll,
            rec_time: start.rec,
            take,
            spec,
            files,
            print,
            ixmls,
        })
    }

    /// Writes the take from `feed` until its stop flag is set or the input stops, then closes
    /// the files. Every loss between the take's first and last frame is counted at its take
    /// position, the pre-roll's included.
    fn record(self, feed: Feed<'_>, req: &TakeRequest, live: &LiveTake) -> TakeReport {
        let OpenTake {
            take,
            spec,
            mut files,
            mut print,
            ixmls,
            pre_roll_note,
            pre_roll,
            rec_time,
        } = self;
        let Feed {
            tap,
            stats,
            exit,
            first,
            stop,
        } = feed;
        let cfg = &req.config;
        let writer_cpu0 = capstan_board::rusage::thread_cpu_time();
        let fb = spec.frame_bytes();
        let interval = cfg.commit_interval();
        let mut last_commit = Instant::now();
        let reserve = space::reserve_bytes(
            fb as u64 * u64::from(spec.rate),
            2.0 * cfg.recorder.commit_interval + 1.0,
            ixmls.len(),
        );
        let mut losses: Vec<EngineEvent> = Vec::new();
        let mut marks = LossMarkers::default();
        let mut losses_in_ixml = 0;
        let events_lost0 = stats.events_lost.load(Ordering::Relaxed);
        let take_stats = &live.stats;
        let note_now = |losses: &[EngineEvent]| {
            let (dropped, xruns) = loss_counts(losses);
            let lost = loss_note(
                spec.rate,
                dropped,
                xruns,
                losses,
                stats.events_lost.load(Ordering::Relaxed) - events_lost0,
            );
            [pre_roll_note.as_str(), lost.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut failure = None;
        // Where the take ends (stream position), once its stop flag is seen.
        let mut end: Option<u64> = None;
        let mut ended_by_input = false;
        loop {
            if end.is_none() && stop.load(Ordering::Acquire) {
                end = Some(stats_position(stats));
            }
            let input_done = exit.get().is_some();
            let avail = tap.ready();
            // Losses up to the frames counted, and never past the take's end.
            let known = (tap.position() + avail as u64).min(end.unwrap_or(u64::MAX));
            for e in tap.losses_before(known) {
                let e = EngineEvent {
                    position: e.position - first,
                    ..e
                };
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
            let left = end.map_or(usize::MAX, |e| e.saturating_sub(tap.position()) as usize);
            let n = avail.min(files.room()).min(left);
            if n == 0 {
                if left == 0 {
                    break;
                }
                if input_done && avail == 0 {
                    ended_by_input = true;
                    break;
                }
                // The ring is seconds deep: waking 100 times a second is plenty.
                std::thread::sleep(Duration::from_millis(10));
            } else {
                let (_, res) = tap.read(n, |a, b| files.push(a).and_then(|()| files.push(b)));
                if let Some(Err(e)) = res {
                    failure = Some(space::write_failure(&e));
                    break;
                }
            }
            let caught_up = tap.position() >= first + pre_roll;
            update_take_counters(
                take_stats,
                stats,
                &losses,
                stats_position(stats) - first,
                caught_up,
            );
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
                if let Err(full) = files.check_space(reserve) {
                    failure = Some(full);
                    break;
                }
                last_commit = Instant::now();
                tracing::debug!(frames = files.frames(), "commit");
            }
        }
        // The losses up to the take's last frame are the take's; later ones the next take's.
        tap.ready();
        for e in tap.losses_before(tap.position()) {
            let e = EngineEvent {
                position: e.position - first,
                ..e
            };
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
        let (dropped, xruns) = loss_counts(&losses);
        update_take_counters(take_stats, stats, &losses, tap.position() - first, true);
        if first == 0 && pre_roll == 0 {
            // The stream began with the take: the audio thread's own mark is exact.
            take_stats.ring_high_water.fetch_max(
                stats.ring_high_water.load(Ordering::Relaxed),
                Ordering::Relaxed,
            );
        }
        let note = note_now(&losses);
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
        let per_second = fb as f64 * f64::from(spec.rate);
        let high = take_stats.ring_high_water.load(Ordering::Relaxed) as f64 / per_second;
        tracing::info!(
            "take {} done: {frames} frames, ring high-water {high:.2} s of {:.1} s",
            take.stem(),
            stats.ring_capacity.load(Ordering::Relaxed) as f64 / per_second
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
        // The audio thread's time is known once it has stopped (with the take, or later).
        let audio = if stats.stopped.load(Ordering::Acquire) {
            format!(
                "audio thread {:.3} s, ",
                stats.audio_cpu_ns.load(Ordering::Relaxed) as f64 / 1e9
            )
        } else {
            String::new()
        };
        tracing::info!(
            "cpu while recording: {audio}writer thread {:.3} s (setup before: {:.3} s)",
            writer_cpu.saturating_sub(writer_cpu0).as_secs_f64(),
            writer_cpu0.as_secs_f64()
        );
        TakeReport {
            dir: take.dir,
            files,
            frames,
            frames_dropped: dropped,
            xruns,
            losses,
            ring_high_water_secs: high,
            exit: match (ended_by_input, exit.get()) {
                (true, Some(e)) => *e,
                _ => EngineExit::Stopped,
            },
            failure,
            first_frame: first,
            pre_roll,
            rec_time,
        }
    }
}

/// Frames dropped and xruns among `losses`.
fn loss_counts(losses: &[EngineEvent]) -> (u64, u64) {
    losses.iter().fold((0, 0), |(d, x), e| match e.kind {
        LossKind::Xrun => (d, x + 1),
        LossKind::RingOverflow => (d + e.frames, x),
    })
}

/// Stream position of the audio thread's next frame.
fn stats_position(stats: &EngineStats) -> u64 {
    stats.frames_captured.load(Ordering::Acquire) + stats.frames_dropped.load(Ordering::Acquire)
}

/// Sets the take's counters the box shows from the input's: `span` stream frames since the
/// take's first, less the take's drops; the ring's fill, and its high-water mark once the
/// writer has `caught_up` with the pre-roll it found in the ring.
fn update_take_counters(
    take: &EngineStats,
    input: &EngineStats,
    losses: &[EngineEvent],
    span: u64,
    caught_up: bool,
) {
    let (dropped, xruns) = loss_counts(losses);
    take.frames_captured
        .store(span.saturating_sub(dropped), Ordering::Relaxed);
    take.frames_dropped.store(dropped, Ordering::Relaxed);
    take.xruns.store(xruns, Ordering::Relaxed);
    let fill = input.ring_fill.load(Ordering::Relaxed);
    take.ring_fill.store(fill, Ordering::Relaxed);
    take.ring_capacity.store(
        input.ring_capacity.load(Ordering::Relaxed),
        Ordering::Relaxed,
    );
    if caught_up {
        take.ring_high_water.fetch_max(fill, Ordering::Relaxed);
    }
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
