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
    /// Frames dropped in loss events that did not fit in the event ring.
    pub frames_unlisted: AtomicU64,
    /// Xruns whose events did not fit in the event ring.
    pub xruns_unlisted: AtomicU64,
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
        // The mixer's last part period reaches the printed mix before the writer, told the
        // engine has stopped, closes it.
        if let Some(m) = self.monitor.as_mut() {
            m.flush();
        }
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
            // Counted still: the take's totals and notes add these to the listed losses.
            self.stats.events_lost.fetch_add(1, Ordering::Relaxed);
            match kind {
                LossKind::Xrun => self.stats.xruns_unlisted.fetch_add(1, Ordering::Relaxed),
                LossKind::RingOverflow => self
                    .stats
                    .frames_unlisted
                    .fetch_add(frames, Ordering::Relaxed),
            };
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
        // Every ready frame is taken in one pass where the ring has room for them: each pass
        // ends with a commit to the device and a write to the monitor's, and on arm64 (no
        // mapped status page) each of those is a system call.
        while ready > 0 {
            let mut n = ready;
            if let Some(limit) = self.limit {
                n = n.min((limit - self.position) as usize);
            }
            let room = self.frames.slots() / self.frame_bytes;
            if room < n && !self.source.paced_by_consumer() {
                // Keep what fits; only the rest is dropped (on the next pass of this loop,
                // through the scratch buffer, a period at a time).
                n = if room > 0 {
                    room
                } else {
                    n.min(self.source.period_frames())
                };
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

#[cfg(test)]
mod tests {
    use super::*;
    use capstan_board::audio::{DeviceFormat, PlaybackError, PlaybackSink, StreamSpec};
    use capstan_bwf::SampleFormat;
    use std::sync::Mutex;

    const SPEC: StreamSpec = StreamSpec {
        channels: 2,
        rate: 48_000,
        format: SampleFormat::I16,
    };
    const PERIOD: usize = 64;

    /// Offers `burst` frames at each wait, of a byte pattern numbering the stream's bytes, and
    /// keeps the size of every read.
    struct Bursts {
        burst: usize,
        ready: usize,
        next_byte: usize,
        reads: Arc<Mutex<Vec<usize>>>,
    }

    impl CaptureSource for Bursts {
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
            self.ready += self.burst;
            Ok(self.ready)
        }
        fn read(&mut self, dst: &mut [u8]) -> Result<usize, CaptureError> {
            let n = (dst.len() / SPEC.frame_bytes()).min(self.ready);
            for b in &mut dst[..n * SPEC.frame_bytes()] {
                *b = self.next_byte as u8;
                self.next_byte += 1;
            }
            self.ready -= n;
            self.reads.lock().unwrap().push(n);
            Ok(n)
        }
    }

    /// A stereo S16 playback sink that keeps the frames of every write.
    struct Writes(Arc<Mutex<Vec<usize>>>);

    impl PlaybackSink for Writes {
        fn channels(&self) -> u16 {
            2
        }
        fn format(&self) -> DeviceFormat {
            DeviceFormat::S16Le
        }
        fn write(&mut self, f: &[u8]) -> Result<usize, PlaybackError> {
            self.0.lock().unwrap().push(f.len() / 4);
            Ok(f.len() / 4)
        }
        fn underruns(&self) -> u64 {
            0
        }
    }

    struct Rig {
        engine: CaptureEngine<Bursts>,
        ring: rtrb::Consumer<u8>,
        events: rtrb::Consumer<EngineEvent>,
        stats: Arc<EngineStats>,
        reads: Arc<Mutex<Vec<usize>>>,
        writes: Arc<Mutex<Vec<usize>>>,
    }

    /// An engine over a source offering `burst` frames a wake, a ring of `ring_frames`, and a
    /// monitor sized for `monitor_frames` a call.
    fn rig(burst: usize, ring_frames: usize, monitor_frames: usize) -> Rig {
        let reads = Arc::new(Mutex::new(Vec::new()));
        let writes = Arc::new(Mutex::new(Vec::new()));
        let source = Bursts {
            burst,
            ready: 0,
            next_byte: 0,
            reads: reads.clone(),
        };
        let (frames, ring) = capstan_board::memory::filled_ring(ring_frames * SPEC.frame_bytes());
        let (events_tx, events) = rtrb::RingBuffer::new(16);
        let stats = Arc::new(EngineStats::default());
        let sink = Writes(writes.clone());
        let monitor = Monitor::new(SPEC, Some(Box::new(sink)), monitor_frames);
        let engine = CaptureEngine::new(
            source,
            frames,
            events_tx,
            stats.clone(),
            Arc::new(AtomicBool::new(false)),
            None,
        )
        .with_monitor(monitor);
        Rig {
            engine,
            ring,
            events,
            stats,
            reads,
            writes,
        }
    }

    #[test]
    fn the_printed_mix_holds_the_last_part_period_when_the_engine_stops() {
        // 1000 frames, 15 periods of 64 and 40 frames more, with a mixer printing its master.
        let source = Bursts {
            burst: 100,
            ready: 0,
            next_byte: 0,
            reads: Arc::new(Mutex::new(Vec::new())),
        };
        let (frames, _ring) = capstan_board::memory::filled_ring(4096 * SPEC.frame_bytes());
        let (events_tx, _events) = rtrb::RingBuffer::new(16);
        let state = capstan_mixer::MixerState::with_mono_tracks(2);
        let mut monitor = Monitor::with_mixer(SPEC, None, 128, PERIOD, &state).unwrap();
        let (tx, rx) = rtrb::RingBuffer::new(4096);
        assert!(monitor.print_to(tx).is_some());
        let mut engine = CaptureEngine::new(
            source,
            frames,
            events_tx,
            Arc::new(EngineStats::default()),
            Arc::new(AtomicBool::new(false)),
            Some(1000),
        )
        .with_monitor(monitor);
        engine.run();
        // Before the engine (and its monitor) is dropped, as the writer closes the print when
        // it sees the engine stop.
        assert_eq!(
            rx.slots(),
            2 * 1000,
            "every frame of the take is in the print"
        );
    }

    #[test]
    fn every_ready_frame_is_read_and_played_in_one_pass() {
        // Two and a half periods a wake: one read from the device and one write to the
        // monitor's device per wake, not one per period.
        let burst = 2 * PERIOD + PERIOD / 2;
        let mut r = rig(burst, 16 * PERIOD, 4 * PERIOD);
        for _ in 0..3 {
            assert_eq!(r.engine.cycle(), Cycle::Continue);
        }
        assert_eq!(*r.reads.lock().unwrap(), vec![burst; 3]);
        assert_eq!(*r.writes.lock().unwrap(), vec![burst; 3]);
        let bytes = 3 * burst * SPEC.frame_bytes();
        let chunk = r
            .ring
            .read_chunk(bytes)
            .expect("every frame is in the ring");
        let (a, b) = chunk.as_slices();
        let got: Vec<u8> = a.iter().chain(b).copied().collect();
        let want: Vec<u8> = (0..bytes).map(|i| i as u8).collect();
        assert_eq!(got, want);
        assert_eq!(
            r.stats.frames_captured.load(Ordering::Relaxed),
            3 * burst as u64
        );
        assert_eq!(r.stats.frames_dropped.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn frames_past_the_ring_are_dropped_a_period_at_a_time_and_counted() {
        // The ring holds 3 periods; a wake offers 5 and a half: 3 are kept, the rest is read
        // through the scratch buffer (a period at most each time) and counted as one loss each.
        let burst = 5 * PERIOD + PERIOD / 2;
        let mut r = rig(burst, 3 * PERIOD, 8 * PERIOD);
        assert_eq!(r.engine.cycle(), Cycle::Continue);
        let reads = r.reads.lock().unwrap().clone();
        assert_eq!(reads, vec![3 * PERIOD, PERIOD, PERIOD, PERIOD / 2]);
        let dropped = (burst - 3 * PERIOD) as u64;
        assert_eq!(
            r.stats.frames_captured.load(Ordering::Relaxed),
            3 * PERIOD as u64
        );
        assert_eq!(r.stats.frames_dropped.load(Ordering::Relaxed), dropped);
        let mut lost = 0;
        let mut at = Vec::new();
        while let Ok(e) = r.events.pop() {
            assert_eq!(e.kind, LossKind::RingOverflow);
            at.push(e.position);
            lost += e.frames;
        }
        assert_eq!(lost, dropped);
        assert_eq!(
            at[0],
            3 * PERIOD as u64,
            "the first loss is where the ring filled"
        );
        // The monitor heard every frame, kept or not.
        let played: usize = r.writes.lock().unwrap().iter().sum();
        assert_eq!(played, burst);
    }

    #[test]
    fn losses_past_the_event_ring_are_counted_with_their_frames() {
        // 40 periods offered, the ring holds 3: 37 losses, and the event ring holds 16.
        let burst = 40 * PERIOD;
        let mut r = rig(burst, 3 * PERIOD, 8 * PERIOD);
        assert_eq!(r.engine.cycle(), Cycle::Continue);
        let mut listed = 0;
        let mut events = 0;
        while let Ok(e) = r.events.pop() {
            listed += e.frames;
            events += 1;
        }
        let s = &r.stats;
        assert_eq!(events, 16);
        assert_eq!(s.events_lost.load(Ordering::Relaxed), 37 - 16);
        assert_eq!(
            listed + s.frames_unlisted.load(Ordering::Relaxed),
            s.frames_dropped.load(Ordering::Relaxed),
            "every dropped frame is listed or counted as unlisted"
        );
        assert_eq!(s.frames_dropped.load(Ordering::Relaxed), 37 * PERIOD as u64);
    }
}
