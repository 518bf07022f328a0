//! Runs a take's playback: the read-ahead thread, the audio thread and the sink, to the end of
//! the take or until told to stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use capstan_board::audio::PlaybackSink;
use capstan_mixer::TakeTracks;

use super::cycle::{Cycle, PlayCycle};
use super::readahead::ReadAhead;

/// How to play a take.
#[derive(Debug, Clone)]
pub struct PlayOptions {
    /// The first frame played.
    pub from: u64,
    /// Seconds of frames read ahead (at least [`super::readahead::MIN_SECONDS`]).
    pub read_ahead_seconds: f64,
    /// Wait for the reader instead of playing silence when the ring runs dry: for the sim sink,
    /// which has no clock of its own.
    pub wait_for_reader: bool,
    /// Set from another thread (a signal, the transport) to stop playback.
    pub stop: Arc<AtomicBool>,
    /// SCHED_FIFO priority of the audio thread (1..=99), or `None` to stay a normal thread.
    pub priority: Option<i32>,
}

/// What a playback did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayReport {
    /// Frames of the take queued to the sink.
    pub frames: u64,
    /// Periods of silence played because the read-ahead ring ran dry.
    pub underruns: u64,
    /// Underruns of the playback device.
    pub device_underruns: u64,
    /// True when playback was stopped before the end of the take.
    pub stopped: bool,
}

/// Plays `take` into `sink` from `o.from`; returns the sink (to drain or finish) and the
/// report, or why playback could not start or go on.
pub fn play<S: PlaybackSink + 'static>(
    take: Arc<TakeTracks>,
    sink: S,
    o: &PlayOptions,
) -> Result<(S, PlayReport), String> {
    if o.from >= take.frames && take.frames > 0 {
        return Err(format!(
            "{} is only {:.3} s long: start before its end",
            take.stem,
            take.frames as f64 / f64::from(take.mix.rate)
        ));
    }
    let (reader, ring) = ReadAhead::start(take.clone(), o.from, o.read_ahead_seconds);
    let mut cycle = PlayCycle::new(
        &take.mix,
        ring,
        reader.done.clone(),
        sink,
        o.wait_for_reader,
    )
    .map_err(|e| format!("the mix of {} cannot be built: {e}", take.stem))?;
    let stats = cycle.stats();
    let period = Duration::from_secs_f64(cycle.period_frames() as f64 / f64::from(take.mix.rate));
    let stop = o.stop.clone();
    let priority = o.priority;
    let audio = thread::Builder::new()
        .name("capstan-play".into())
        .spawn(move || {
            // Before the first period, so the message may allocate.
            if let Some(p) = priority {
                if let Err(e) = capstan_board::realtime::set_fifo_priority(p) {
                    tracing::warn!(
                        "cannot run the playback thread SCHED_FIFO at priority {p} ({e}): it \
                         plays as a normal thread and may underrun under load"
                    );
                }
            }
            let mut stopped = false;
            let failed = loop {
                if stop.load(Ordering::Relaxed) {
                    stopped = true;
                    break None;
                }
                match cycle.cycle() {
                    Cycle::Played | Cycle::Underrun => {}
                    Cycle::SinkFull => thread::sleep(period / 4),
                    Cycle::WaitingForReader => thread::sleep(Duration::from_millis(1)),
                    Cycle::End => break None,
                    Cycle::Failed(e) => break Some(e),
                }
            };
            (cycle, stopped, failed)
        })
        .map_err(|e| format!("cannot start the playback thread: {e}"))?;
    let (cycle, stopped, failed) = audio
        .join()
        .map_err(|_| "the playback thread panicked".to_string())?;
    let read = reader.finish();
    if let Some(e) = failed {
        return Err(e.to_string());
    }
    read?;
    let sink = cycle.into_sink();
    let report = PlayReport {
        frames: stats.frames.load(Ordering::Relaxed),
        underruns: stats.underruns.load(Ordering::Relaxed),
        device_underruns: sink.underruns(),
        stopped,
    };
    Ok((sink, report))
}
