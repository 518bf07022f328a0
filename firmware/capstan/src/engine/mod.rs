//! The audio thread: it moves captured frames from the device into the ring, period by period,
//! and counts every frame it could not move.
//!
//! Its boundary: it talks to the rest of the box only through the frame ring, the event ring
//! and the atomics in [`EngineStats`]. Everything it uses is allocated in [`CaptureEngine::new`];
//! [`CaptureEngine::cycle`] never allocates, locks, logs or touches the disk. Tests prove it:
//! `assert_no_alloc` for allocations (tests/no_alloc.rs), and a seccomp filter on the audio
//! thread (`capstan_board::syscall_guard`, `capstan record --audio-syscall-guard`) that kills
//! the process on any system call outside the cycle's, on the sim board
//! (tests/audio_thread_syscalls.rs) and on real drivers (hal-tests/capture).

pub mod monitor;
pub mod ring;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use capstan_board::audio::{CaptureError, CaptureSource};
use capstan_board::memory::FilledProducer;

pub use monitor::{Meters, Monitor};
pub use ring::RingPlan;

/// What kind of loss an [`EngineEvent`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossKind {
    /// The device overran: frames never reached the audio thread.
    Xrun,
    /// The ring was full (storage too slow for too long): frames were captured and thrown away.
    RingOverflow,
}

/// A loss, with where in the take it happened. `Copy`, so it travels without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineEvent {
    /// What happened.
    pub kind: LossKind,
    /// Take position (frames from the take's first frame) where it happened.
    pub position: u64,
    /// Frames lost (0 when the device cannot say how many).
    pub frames: u64,
}

/// Counters the audio thread keeps; anyone may read them at any time without locking.
#[derive(Debug, Default)]
pub struct EngineStats {
    /// Frames captured and put in the ring.
    pub frames_captured: AtomicU64,
    /// Frames thrown away because the ring was full.
    pub frames_dropped: AtomicU64,
    /// Device overruns.
    pub xruns: AtomicU64,
    /// Loss events that did not fit in the event ring (still counted above).
    pub events_lost: AtomicU64,
    /// Highest ring fill seen, in bytes.
    pub ring_high_water: AtomicU64,
    /// Ring fill after the audio thread's last cycle, in bytes.
    pub ring_fill: AtomicU64,
    /// The ring's size in bytes (set when the engine is made).
    pub ring_capacity: AtomicU64,
    /// Set when the engine has stopped.
    pub stopped: AtomicBool,
    /// CPU time the audio thread used, in nanoseconds (set when it stops).
    pub audio_cpu_ns: AtomicU64,
}

/// Why the engine stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineExit {
    /// The frame limit was reached.
    Done,
    /// Asked to stop.
    Stopped,
    /// The device failed.
    DeviceFailed(&'static str),
}

/// What one cycle decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cycle {
    /// Go on.
    Continue,
    /// Stop with this reason.
    Exit(EngineExit),
}

/// The audio thread's state.
pub struct CaptureEngine<S: CaptureSource> {
    source: S,
    frames: FilledProducer,
    events: rtrb::Producer<EngineEvent>,
    stats: Arc<EngineStats>,
    stop: Arc<AtomicBool>,
    frame_bytes: usize,
    ring_bytes: usize,
    /// Take position of the next frame (captured or dropped).
    position: u64,
    limit: Option<u64>,
    /// Where frames go when the ring is full, so they can be counted and the device drained.
    scratch: Vec<u8>,
    /// The monitor feed and meters, if any.
    monitor: Option<Monitor>,
    /// A deliberate stall of the audio thread (take position, length), for tests of xrun
    /// handling against a real device.
    stall: Option<(u64, std::time::Duration)>,
}

impl<S: CaptureSource> CaptureEngine<S> {
    /// Sets the engine up (allocates everything it will ever use). `limit` stops it after that
    /// many frames.
    pub fn new(
        source: S,
        frames: FilledProducer,
        events: rtrb::Producer<EngineEvent>,
        stats: Arc<EngineStats>,
        stop: Arc<AtomicBool>,
        limit: Option<u64>,
    ) -> Self {
        let frame_bytes = source.spec().frame_bytes();
        let ring_bytes = frames.capacity();
        stats
            .ring_capacity
            .store(ring_bytes as u64, Ordering::Relaxed);
        let scratch = vec![0u8; source.period_frames() * frame_bytes];
        CaptureEngine {
            source,
            frames,
            events,
            stats,
            stop,
            frame_bytes,
            ring_bytes,
            position: 0,
            limit,
            scratch,
            monitor: None,
            stall: None,
        }
    }

    /// Feeds every captured frame through `monitor` too (after it is in the ring, read-only).
    pub fn with_monitor(mut self, monitor: Monitor) -> Self {
        self.monitor = Some(monitor);
        self
    }

    /// Stalls the audio thread once, for `length`, when the take reaches `position`: a test
    /// hook that provokes a real overrun.
    pub fn with_stall(mut self, position: u64, length: std::time::Duration) -> Self {
        self.stall = Some((position, length));
        self
    }

    /// Runs cycles until the engine exits. Call on the audio thread.
    pub fn run(&mut self) -> EngineExit {
        let exit = match self.source.start() {
            Ok(()) => loop {
                capstan_board::alloc_guard::set_in_audio_cycle(true);
                let cycle = self.cycle();
                capstan_board::alloc_guard::set_in_audio_cycle(false);
                if let Cycle::Exit(e) = cycle {
                    break e;
                }
            },
            Err(CaptureError::Fatal(why)) => EngineExit::DeviceFailed(why),
            Err(CaptureError::Xrun) => EngineExit::DeviceFailed("overrun at start"),
        };
        let cpu = capstan_board::rusage::thread_cpu_time().as_nanos() as u64;
        self.stats.audio_cpu_ns.store(cpu, Ordering::Relaxed);
        self.stats.stopped.store(true, Ordering::Release);
        exit
    }

    fn report(&mut self, kind: LossKind, frames: u64) {
        let ev = EngineEvent {
            kind,
            position: self.position,
            frames,
        };
        if self.events.push(ev).is_err() {
            self.stats.events_lost.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// One wake-up: wait for the device, move what is ready into the ring.
    /// This is realtime-safe.
    pub fn cycle(&mut self) -> Cycle {
        if self.stop.load(Ordering::Relaxed) {
            return Cycle::Exit(EngineExit::Stopped);
        }
        // A limit already reached (a limit of 0 frames) ends the stream before any wait.
        if self.limit == Some(self.position) {
            return Cycle::Exit(EngineExit::Done);
        }
        if let Some((at, length)) = self.stall {
            if self.position >= at {
                self.stall = None;
                std::thread::sleep(length);
            }
        }
        let mut ready = match self.source.wait() {
            Ok(n) => n,
            Err(CaptureError::Xrun) => {
                self.stats.xruns.fetch_add(1, Ordering::Relaxed);
                self.report(LossKind::Xrun, 0);
                return Cycle::Continue;
            }
            Err(CaptureError::Fatal(why)) => return Cycle::Exit(EngineExit::DeviceFailed(why)),
        };
        while ready > 0 {
            let mut n = ready.min(self.source.period_frames());
            if let Some(limit) = self.limit {
                n = n.min((limit - self.position) as usize);
            }
            let room = self.frames.slots() / self.frame_bytes;
            if room > 0 && room < n && !self.source.paced_by_consumer() {
                // Keep what fits; only the rest is dropped (on the next pass of this loop).
                n = room;
            }
            let bytes = n * self.frame_bytes;
            if self.frames.slots() < bytes && self.source.paced_by_consumer() {
                // Sim in fast mode: no real clock is running, so wait for the writer.
                if self.stop.load(Ordering::Relaxed) {
                    return Cycle::Exit(EngineExit::Stopped);
                }
                std::thread::sleep(std::time::Duration::from_micros(200));
                continue;
            }
            let moved = match self.frames.write_chunk(bytes) {
                Some(mut chunk) => {
                    let (a, b) = chunk.as_mut_slices();
                    let res = self.source.read(a).and_then(|got_a| {
                        if got_a * self.frame_bytes == a.len() && !b.is_empty() {
                            self.source.read(b).map(|got_b| got_a + got_b)
                        } else {
                            Ok(got_a)
                        }
                    });
                    let got = *res.as_ref().unwrap_or(&0);
                    if let Some(m) = self.monitor.as_mut() {
                        let n = got * self.frame_bytes;
                        let na = n.min(a.len());
                        m.process(&a[..na]);
                        if n > na {
                            m.process(&b[..n - na]);
                        }
                    }
                    chunk.commit(got * self.frame_bytes);
                    res.map(|g| (g, true))
                }
                // Ring full: read the frames anyway (the device must be drained) and count them.
                None => {
                    let res = self.source.read(&mut self.scratch[..bytes]);
                    if let (Ok(g), Some(m)) = (&res, self.monitor.as_mut()) {
                        m.process(&self.scratch[..g * self.frame_bytes]);
                    }
                    res.map(|g| (g, false))
                }
            };
            let got = match moved {
                Ok((got, true)) => {
                    self.stats
                        .frames_captured
                        .fetch_add(got as u64, Ordering::Relaxed);
                    got
                }
                Ok((got, false)) => {
                    self.stats
                        .frames_dropped
                        .fetch_add(got as u64, Ordering::Relaxed);
                    self.report(LossKind::RingOverflow, got as u64);
                    got
                }
                Err(e) => return self.device_error(e),
            };
            let fill = (self.ring_bytes - self.frames.slots()) as u64;
            self.stats
                .ring_high_water
                .fetch_max(fill, Ordering::Relaxed);
            self.stats.ring_fill.store(fill, Ordering::Relaxed);
            self.position += got as u64;
            if got == 0 {
                break;
            }
            ready = ready.saturating_sub(got);
            if self.limit == Some(self.position) {
                return Cycle::Exit(EngineExit::Done);
            }
        }
        Cycle::Continue
    }

    fn device_error(&mut self, e: CaptureError) -> Cycle {
        match e {
            CaptureError::Xrun => {
                self.stats.xruns.fetch_add(1, Ordering::Relaxed);
                self.report(LossKind::Xrun, 0);
                Cycle::Continue
            }
            CaptureError::Fatal(why) => Cycle::Exit(EngineExit::DeviceFailed(why)),
        }
    }
}
