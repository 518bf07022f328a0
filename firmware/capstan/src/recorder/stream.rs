//! The audio input kept running: the audio thread filling the ring from a capture source for
//! as long as the input is open, takes or no takes. Between takes a standby thread holds the
//! ring's reading end and keeps only the last seconds (the pre-roll); REC hands the reading
//! end, pre-roll and all, to the take's writer, which gives it back when the take ends.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use capstan_board::audio::{CaptureSource, StreamSpec};
use capstan_mixer::TakeMix;

use super::tap::RingTap;
use super::{AudioOptions, RecordError};
use crate::engine::{ring::EVENT_CAPACITY, CaptureEngine, EngineExit, EngineStats, Monitor};
use crate::engine::{Meters, RingPlan};

/// How often the standby thread trims the ring to the pre-roll.
const STANDBY_POLL: Duration = Duration::from_millis(10);

/// The ring for `ring_seconds` against storage stalls plus `pre_roll` seconds kept while
/// stopped, for `spec` at `period_frames`.
pub fn ring_plan(
    spec: StreamSpec,
    ring_seconds: f64,
    pre_roll: f64,
    period_frames: usize,
) -> RingPlan {
    RingPlan::new(spec, ring_seconds + pre_roll, period_frames)
}

/// The standby thread and the flag that ends it (it returns the reading end).
struct Standby {
    quit: Arc<AtomicBool>,
    thread: JoinHandle<RingTap>,
}

/// What a take's writer needs to know of the running input it records from.
#[derive(Debug, Clone)]
pub struct StreamShared {
    /// The stream the input delivers.
    pub spec: StreamSpec,
    /// Frames of pre-roll kept while no take records.
    pub pre_roll: usize,
    /// The audio thread's counters (for the whole stream).
    pub stats: Arc<EngineStats>,
    /// Why the audio thread stopped, once it has.
    pub exit: Arc<OnceLock<EngineExit>>,
    /// The source runs only as fast as the ring is read (the sim in fast mode), not in real
    /// time.
    pub paced: bool,
    /// The mix the monitor plays, when it plays through the mixer: saved with every take.
    pub mix: Option<TakeMix>,
}

/// A running audio input.
pub struct InputStream {
    shared: StreamShared,
    plan: RingPlan,
    stop: Arc<AtomicBool>,
    audio: Option<JoinHandle<EngineExit>>,
    standby: Option<Standby>,
    tap: Option<RingTap>,
    meters: Option<Arc<Meters>>,
}

impl InputStream {
    /// Starts the audio thread on `source` (and `monitor`) into a ring sized by `plan`, keeping
    /// `pre_roll` seconds while no take reads it. `limit` ends the stream after that many
    /// frames; `stop` ends it when set. The reading end stays with the stream until
    /// [`InputStream::standby`] or [`InputStream::take_tap`].
    pub fn start<S: CaptureSource + 'static>(
        source: S,
        monitor: Option<Monitor>,
        plan: RingPlan,
        pre_roll: f64,
        limit: Option<u64>,
        audio: &AudioOptions,
        stop: Arc<AtomicBool>,
    ) -> Result<InputStream, RecordError> {
        let spec = source.spec();
        let paced = source.paced_by_consumer();
        let (producer, consumer) = plan.build();
        let (ev_tx, ev_rx) = rtrb::RingBuffer::new(EVENT_CAPACITY);
        let stats = Arc::new(EngineStats::default());
        let meters = monitor.as_ref().map(Monitor::meters);
        // The board mix is printed only by a take that starts its own input (its monitor is
        // handed the print ring before it runs).
        let mix = monitor.as_ref().and_then(|m| m.take_mix(false));
        let mut engine =
            CaptureEngine::new(source, producer, ev_tx, stats.clone(), stop.clone(), limit);
        if let Some(m) = monitor {
            engine = engine.with_monitor(m);
        }
        if let Some((secs, length)) = audio.stall {
            engine = engine.with_stall((secs * f64::from(spec.rate)) as u64, length);
        }
        if audio.lock_memory {
            match capstan_board::realtime::lock_memory() {
                Ok(()) => tracing::info!("memory locked (ring and audio buffers stay in RAM)"),
                Err(e) => tracing::warn!(
                    "cannot lock memory ({e}): {}; recording anyway, a page fault may cause an xrun",
                    capstan_board::realtime::advice(&e)
                ),
            }
        }
        let priority = audio.priority;
        let guard = audio.syscall_guard;
        let exit = Arc::new(OnceLock::new());
        let exit_set = exit.clone();
        let thread = std::thread::Builder::new()
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
                if guard {
                    // The thread's last log line: once confined, writing one would kill it.
                    tracing::info!("audio thread: confined to the system calls of its cycle");
                    if let Err(e) = capstan_board::syscall_guard::confine_audio_thread() {
                        // Not confined, so it may still log.
                        tracing::error!("the audio thread could not be confined: {e}");
                    }
                }
                let why = engine.run();
                let _ = exit_set.set(why);
                if guard {
                    // Closing the device is no cycle's business, and the filter would kill it:
                    // the process ends soon after a take recorded this way.
                    std::mem::forget(engine);
                }
                why
            })
            .map_err(RecordError::Thread)?;
        Ok(InputStream {
            shared: StreamShared {
                spec,
                pre_roll: (pre_roll * f64::from(spec.rate)).round() as usize,
                stats,
                exit,
                paced,
                mix,
            },
            plan,
            stop,
            audio: Some(thread),
            standby: None,
            tap: Some(RingTap::new(consumer, ev_rx, spec.frame_bytes())),
            meters,
        })
    }

    /// The stream the input delivers.
    pub fn spec(&self) -> StreamSpec {
        self.shared.spec
    }

    /// What a take's writer needs to know of the input.
    pub fn shared(&self) -> &StreamShared {
        &self.shared
    }

    /// The ring the input runs with.
    pub fn plan(&self) -> RingPlan {
        self.plan
    }

    /// Frames of pre-roll kept while no take records.
    pub fn pre_roll_frames(&self) -> usize {
        self.shared.pre_roll
    }

    /// The monitor's meters, if the input has a monitor.
    pub fn meters(&self) -> Option<&Arc<Meters>> {
        self.meters.as_ref()
    }

    /// Stream position of the audio thread's next frame: the newest moment the ring knows.
    pub fn position(&self) -> u64 {
        let stats = &self.shared.stats;
        stats.frames_captured.load(Ordering::Acquire) + stats.frames_dropped.load(Ordering::Acquire)
    }

    /// True while the audio thread runs.
    pub fn is_running(&self) -> bool {
        !self.shared.stats.stopped.load(Ordering::Acquire)
    }

    /// Hands the ring's reading end to a standby thread that keeps the last pre-roll seconds
    /// in the ring and throws older frames away. A source that runs only as fast as the ring
    /// is read waits instead, its ring full, until a take reads it.
    pub fn standby(&mut self) -> Result<(), RecordError> {
        let Some(mut tap) = self.tap.take() else {
            return Ok(());
        };
        let quit = Arc::new(AtomicBool::new(false));
        let q = quit.clone();
        let keep = if self.shared.paced {
            usize::MAX
        } else {
            self.shared.pre_roll
        };
        let thread = std::thread::Builder::new()
            .name("capstan-standby".into())
            .spawn(move || {
                while !q.load(Ordering::Acquire) {
                    tap.ready();
                    for e in tap.discard_to(keep) {
                        tracing::warn!(
                            "{:?} at stream frame {} while stopped (no take lost audio)",
                            e.kind,
                            e.position
                        );
                    }
                    std::thread::sleep(STANDBY_POLL);
                }
                tap
            })
            .map_err(RecordError::Thread)?;
        self.standby = Some(Standby { quit, thread });
        Ok(())
    }

    /// Takes the ring's reading end, from the standby thread if it has it (the pre-roll is in
    /// the ring). `None` if a take holds it already or the standby thread panicked.
    pub fn take_tap(&mut self) -> Option<RingTap> {
        if let Some(s) = self.standby.take() {
            s.quit.store(true, Ordering::Release);
            self.tap = s.thread.join().ok();
        }
        self.tap.take()
    }

    /// Gives the reading end back after a take; the standby thread takes it over again.
    pub fn give_back(&mut self, tap: RingTap) -> Result<(), RecordError> {
        self.tap = Some(tap);
        self.standby()
    }

    /// Stops the audio thread and the standby thread; returns why the audio thread ended.
    pub fn stop(mut self) -> EngineExit {
        self.shut_down()
    }

    fn shut_down(&mut self) -> EngineExit {
        self.stop.store(true, Ordering::Relaxed);
        drop(self.take_tap());
        match self.audio.take() {
            Some(t) => t
                .join()
                .unwrap_or(EngineExit::DeviceFailed("the audio thread panicked")),
            None => EngineExit::Stopped,
        }
    }
}

impl Drop for InputStream {
    fn drop(&mut self) {
        if self.audio.is_some() {
            self.shut_down();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capstan_board::audio::{Signal, SimSource};
    use capstan_bwf::SampleFormat;

    fn spec(channels: u16, format: SampleFormat) -> StreamSpec {
        StreamSpec {
            channels,
            rate: 48_000,
            format,
        }
    }

    #[test]
    fn the_ring_holds_the_pre_roll_on_top_of_the_stall_reserve() {
        // 64 tracks at 48 kHz: 60 s of pre-roll on top of the 10 s ring.
        let packed = ring_plan(spec(64, SampleFormat::I24), 10.0, 60.0, 256);
        assert_eq!(packed.frames, 70 * 48_000);
        assert_eq!(packed.bytes, 645_120_000, "552.96 MB of it pre-roll");
        // The same tracks as 32-bit words (S32_LE, the interface's first choice).
        let wide_spec = spec(64, SampleFormat::I32);
        let wide = ring_plan(wide_spec, 10.0, 60.0, 256);
        assert_eq!(wide.bytes, 860_160_000, "737.28 MB of it pre-roll");
        assert!(wide.check_memory(wide_spec, 800_000_000).is_err());
        assert!(wide.check_memory(wide_spec, 2_000_000_000).is_ok());
    }

    #[test]
    fn while_stopped_the_ring_keeps_the_pre_roll_and_no_more() {
        let s = spec(2, SampleFormat::I24);
        let source = SimSource::new(s, Signal::Counter, 256, false).unwrap();
        let plan = ring_plan(s, 1.0, 0.2, 256);
        let stop = Arc::new(AtomicBool::new(false));
        let opts = AudioOptions::default();
        let mut input = InputStream::start(source, None, plan, 0.2, None, &opts, stop).unwrap();
        assert!(!input.shared().paced, "a source in real time");
        input.standby().unwrap();
        std::thread::sleep(Duration::from_millis(700));
        let mut tap = input.take_tap().unwrap();
        let held = tap.ready();
        let now = input.position();
        // The standby thread trims every 10 ms: at most that much (and a period) above 0.2 s.
        assert!(
            (9600..9600 + 480 + 256 + 1).contains(&held),
            "{held} frames held"
        );
        assert!(tap.position() > 0, "older frames were thrown away");
        assert!(tap.position() + held as u64 <= now);
        assert!(input.take_tap().is_none(), "one reading end");
        input.give_back(tap).unwrap();
        assert_eq!(input.stop(), EngineExit::Stopped);
    }

    #[test]
    fn a_source_paced_by_its_reader_waits_while_stopped() {
        let s = spec(2, SampleFormat::I24);
        let source = SimSource::new(s, Signal::Counter, 256, true).unwrap();
        let plan = ring_plan(s, 0.5, 0.1, 256);
        let stop = Arc::new(AtomicBool::new(false));
        let opts = AudioOptions::default();
        let mut input = InputStream::start(source, None, plan, 0.1, None, &opts, stop).unwrap();
        assert!(
            input.shared().paced,
            "the writer is told not to wait in real time"
        );
        input.standby().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        // Nothing reads the ring: the source stops once it is full instead of racing on.
        assert!(
            input.position() <= plan.frames as u64,
            "{}",
            input.position()
        );
        let mut tap = input.take_tap().unwrap();
        assert_eq!(tap.ready(), input.position() as usize);
        assert_eq!(tap.position(), 0);
        drop(tap);
        input.stop();
    }
}
