//! The audio thread's cycle never allocates: every `CaptureEngine::cycle` runs under
//! `assert_no_alloc`, which aborts the test process on any allocation (abort mode: the default in
//! builds with debug assertions, as tests are), both on the normal path and on the ring-overflow
//! path that counts and reports dropped frames.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use capstan::engine::{
    ring::EVENT_CAPACITY, CaptureEngine, Cycle, EngineEvent, EngineStats, LossKind,
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
    let (prod, mut cons) = rtrb::RingBuffer::<u8>::new(8 * period * SPEC.frame_bytes());
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
    let (prod, _cons) = rtrb::RingBuffer::<u8>::new(2 * period * SPEC.frame_bytes());
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
