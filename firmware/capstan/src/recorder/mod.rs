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
mod take;
pub mod tap;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use capstan_board::audio::{CaptureSource, StreamSpec};
use capstan_bwf::writer::{FinishedFile, WriteError, WriterOptions};

use crate::config::Config;
use crate::engine::{EngineEvent, EngineExit, LossKind, Monitor, RingPlan};
pub use live::{LiveTake, MarkRequest};
pub use stream::InputStream;
use take::{Feed, HeardMix, OpenTake, TakeStart};
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
    /// The inputs written, 0-based, in order (`None`: every input). The box passes its armed
    /// tracks; inputs the device does not have are left out.
    pub tracks: Option<Vec<usize>>,
    /// What a mirror that cannot be used at REC does to the take.
    pub mirror_missing: MirrorMissing,
}

/// What a take does when its mirror (`recorder.mirror`) cannot be used at REC: the second
/// card not in, not mounted, or refusing the take's folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MirrorMissing {
    /// Refuse the take before anything is made ([`RecordError::Mirror`]): `capstan record`,
    /// where the one who typed the command is there to fix it.
    #[default]
    Refuse,
    /// Record on the card alone, saying so in the alert, the log and the take's NOTE: the box,
    /// where a show is not lost for want of its copy.
    CardAlone,
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
    /// Confine the audio thread to the system calls of its cycle
    /// ([`capstan_board::syscall_guard`]): any other kills the process. Test hook.
    pub syscall_guard: bool,
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
    /// The mirror (the second card) cannot hold the take's copy: its message says what to
    /// check.
    #[error("cannot make the take's folder on the mirror {}: {source}", mirror.display())]
    Mirror {
        /// The mirror folder.
        mirror: PathBuf,
        /// The system's answer.
        #[source]
        source: std::io::Error,
    },
    /// The folder takes go in cannot hold one (the card not mounted, a file in its place, the
    /// system refusing): its message names the folder and what to check.
    #[error(transparent)]
    OutFolder(#[from] naming::OutFolderError),
    /// A file could not be created.
    #[error(transparent)]
    File(#[from] WriteError),
    /// The audio thread could not be started.
    #[error("cannot start the audio thread: {0}")]
    Thread(std::io::Error),
    /// The card has less room than a take keeps in reserve: no take was made (the message
    /// says how much there is and what to do).
    #[error("{0}")]
    DiskFull(String),
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
    let mut n = capstan_bwf::losses::losses_note(xruns, frames_dropped);
    // Before the list, which the NOTE's room may cut short.
    if events_lost > 0 {
        n.push_str(&format!(
            " {events_lost} of them came too fast to list and are counted only."
        ));
    }
    // Drops one after the other (the ring full for a while, a period at a time) are one run,
    // listed once with its frames, as its marker is.
    let mut listed: Vec<EngineEvent> = Vec::with_capacity(losses.len());
    for e in losses {
        match listed.last_mut() {
            Some(run)
                if run.kind == LossKind::RingOverflow
                    && e.kind == LossKind::RingOverflow
                    && run.position + run.frames == e.position =>
            {
                run.frames += e.frames;
            }
            _ => listed.push(*e),
        }
    }
    for e in listed {
        let at = e.position as f64 / f64::from(rate);
        let what = match e.kind {
            LossKind::Xrun => capstan_bwf::losses::XRUN.to_string(),
            LossKind::RingOverflow => capstan_bwf::losses::drop_label(e.frames),
        };
        n.push_str(&format!(" {what} at {at:.3} s (frame {});", e.position));
    }
    n
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
    let open = OpenTake::create(req, spec, &start, HeardMix::Monitor(monitor.as_mut()), live)?;
    let mut input = InputStream::start(source, monitor, plan, 0.0, req.frames, &req.audio, stop)?;
    let mut tap = input
        .take_tap()
        .expect("a stream just started holds its reading end");
    let never = AtomicBool::new(false);
    let feed = Feed {
        tap: &mut tap,
        input: input.shared(),
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
    let open = OpenTake::create(
        req,
        spec,
        &start,
        HeardMix::Running(input.mix.as_ref()),
        live,
    )?;
    let feed = Feed {
        tap,
        input,
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
        // Drops back to back are one run; one after a gap is a new one.
        let drop = |position, frames| EngineEvent {
            kind: LossKind::RingOverflow,
            position,
            frames,
        };
        let run = [
            drop(1000, 256),
            drop(1256, 256),
            drop(1512, 100),
            drop(2000, 50),
        ];
        let r = loss_note(1000, 662, 0, &run, 0);
        assert!(
            r.ends_with(
                "DROP 612 frames at 1.000 s (frame 1000); DROP 50 frames at 2.000 s (frame 2000);"
            ),
            "{r}"
        );
        assert!(n.starts_with("LOSSES: 1 xruns, 256 frames dropped"), "{n}");
        assert!(n.contains("XRUN at 2.000 s (frame 96000)"), "{n}");
        assert!(
            n.contains("DROP 256 frames at 3.000 s (frame 144000)"),
            "{n}"
        );
        assert!(
            n.starts_with(
                "LOSSES: 1 xruns, 256 frames dropped (ring full). 3 of them came too fast to \
                 list and are counted only. XRUN at"
            ),
            "{n}"
        );
    }
}
