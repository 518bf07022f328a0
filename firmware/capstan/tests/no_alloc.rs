//! The audio thread's cycle never allocates: every `CaptureEngine::cycle` runs under
//! `assert_no_alloc`, which aborts the test process on any allocation (abort mode: the default in
//! builds with debug assertions, as tests are), both on the normal path and on the ring-overflow
//! path that counts and reports dropped frames, and with the monitor mixing through the mixer
//! and printing the board mix into its ring.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use capstan::engine::{
    ring::EVENT_CAPACITY, CaptureEngine, Cycle, EngineEvent, EngineStats, LossKind, Monitor,
};
use capstan_board::audio::{CaptureSource, Signal, SimSource, StreamSpec};
use capstan_bwf::SampleFormat;

#[global_allocator]
static A: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

const SPEC: StreamSpec = StreamSpec {
    channels: 64,
    rate: 48_000,
    format: SampleFormat::I24,
};

#[test]
fn fast_cycles_do_not_allocate() {
    let period = 256;
    let mut source = SimSource::new(SPEC, Signal::Counter, period, true).unwrap();
    source.start().unwrap();
    let (prod, mut cons) = capstan_board::memory::filled_ring(8 * period * SPEC.frame_bytes());
    let (ev_prod, ev_cons) = rtrb::RingBuffer::<EngineEvent>::new(EVENT_CAPACITY);
    let stats = Arc::new(EngineStats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut engine = CaptureEngine::new(source, prod, ev_prod, stats.clone(), stop.clone(), None);

    let done = Arc::new(AtomicBool::new(false));
    let consumer = {
        let done = done.clone();
        thread::spawn(move || {
            let mut drained = 0usize;
            loop {
                let n = cons.slots();
                if n > 0 {
                    let chunk = cons.read_chunk(n).unwrap();
                    chunk.commit_all();
                    drained += n;
                } else if done.load(Ordering::Acquire) {
                    break drained;
                } else {
                    thread::yield_now();
                }
            }
        })
    };

    let cycles = 2000;
    assert_no_alloc::assert_no_alloc(|| {
        for _ in 0..cycles {
            assert_eq!(engine.cycle(), Cycle::Continue);
        }
    });
    done.store(true, Ordering::Release);
    let drained = consumer.join().unwrap();

    let captured = stats.frames_captured.load(Ordering::Relaxed);
    assert_eq!(captured, (cycles * period) as u64);
    assert_eq!(drained, cycles * period * SPEC.frame_bytes());
    assert_eq!(stats.frames_dropped.load(Ordering::Relaxed), 0);
    assert_eq!(ev_cons.slots(), 0, "no loss events in the fast case");
}

#[test]
fn overflow_cycles_do_not_allocate() {
    let period = 64;
    let mut source = SimSource::new(SPEC, Signal::Counter, period, false).unwrap();
    source.start().unwrap();
    // Room for two periods and no consumer: the ring fills at once and then every period is
    // dropped, counted and reported.
    let (prod, _cons) = capstan_board::memory::filled_ring(2 * period * SPEC.frame_bytes());
    let (ev_prod, mut ev_cons) = rtrb::RingBuffer::<EngineEvent>::new(16);
    let stats = Arc::new(EngineStats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut engine = CaptureEngine::new(source, prod, ev_prod, stats.clone(), stop, None);

    assert_no_alloc::assert_no_alloc(|| {
        for _ in 0..150 {
            assert_eq!(engine.cycle(), Cycle::Continue);
        }
    });

    let captured = stats.frames_captured.load(Ordering::Relaxed);
    let dropped = stats.frames_dropped.load(Ordering::Relaxed);
    // The clock may hand over part periods, so the ring can stop short of its two periods.
    assert!(
        captured > period as u64 && captured <= 2 * period as u64,
        "captured {captured}: the ring holds two periods"
    );
    assert!(dropped > 0, "frames must be dropped when the ring is full");
    assert!(
        stats.events_lost.load(Ordering::Relaxed) > 0,
        "more overflows than the 16-slot event ring holds must be counted as lost events"
    );
    assert_eq!(
        ev_cons.slots(),
        16,
        "the event ring is full of overflow events"
    );
    let first = ev_cons.pop().unwrap();
    assert_eq!(first.kind, LossKind::RingOverflow);
    assert!(first.position > 0 && first.position <= captured + dropped);
    assert!(first.frames > 0);
    let mut reported = first.frames;
    while let Ok(ev) = ev_cons.pop() {
        assert_eq!(ev.kind, LossKind::RingOverflow);
        reported += ev.frames;
    }
    assert!(reported <= dropped);
}

#[test]
fn mixer_monitor_cycles_do_not_allocate() {
    let period = 256;
    let mut state = capstan_mixer::MixerState::with_mono_tracks(SPEC.channels);
    state
        .groups
        .push(capstan_mixer::BusState::new("Drums", None));
    state
        .auxes
        .push(capstan_mixer::BusState::new("Cue", Some([2, 3])));
    for (i, t) in state.tracks.iter_mut().enumerate() {
        t.pan = (i as f32 / 32.0) - 1.0;
        if i < 8 {
            t.output = capstan_mixer::Destination::Group(0);
        }
        t.sends.push(capstan_mixer::SendState {
            aux: 0,
            level_db: -6.0,
            pre_fader: true,
        });
    }
    let mut monitor = Monitor::with_mixer(SPEC, None, period, period, &state).unwrap();
    let (print_tx, mut print_rx) = rtrb::RingBuffer::<f32>::new(16 * period * 2);
    let lost = monitor.print_to(print_tx).unwrap();
    // A ring that is not a whole number of periods: the wrap cuts periods in two.
    let mut source = SimSource::new(SPEC, Signal::Sine, period, true).unwrap();
    source.start().unwrap();
    let (prod, mut cons) =
        capstan_board::memory::filled_ring((8 * period + 100) * SPEC.frame_bytes());
    let (ev_prod, _ev_cons) = rtrb::RingBuffer::<EngineEvent>::new(EVENT_CAPACITY);
    let stats = Arc::new(EngineStats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut engine =
        CaptureEngine::new(source, prod, ev_prod, stats.clone(), stop, None).with_monitor(monitor);

    let done = Arc::new(AtomicBool::new(false));
    let consumer = {
        let done = done.clone();
        thread::spawn(move || {
            let mut printed = 0usize;
            loop {
                let n = cons.slots();
                if n > 0 {
                    cons.read_chunk(n).unwrap().commit_all();
                }
                let p = print_rx.slots();
                if p > 0 {
                    print_rx.read_chunk(p).unwrap().commit_all();
                    printed += p;
                }
                if n == 0 && p == 0 {
                    if done.load(Ordering::Acquire) {
                        break printed;
                    }
                    thread::yield_now();
                }
            }
        })
    };

    let cycles = 1000;
    assert_no_alloc::assert_no_alloc(|| {
        for _ in 0..cycles {
            assert_eq!(engine.cycle(), Cycle::Continue);
        }
    });
    done.store(true, Ordering::Release);
    let printed = consumer.join().unwrap();
    assert_eq!(
        stats.frames_captured.load(Ordering::Relaxed),
        (cycles * period) as u64
    );
    let lost = lost.load(Ordering::Relaxed) as usize;
    assert_eq!(
        printed / 2 + lost,
        cycles * period,
        "every captured frame is mixed and printed (or counted as lost)"
    );
}
