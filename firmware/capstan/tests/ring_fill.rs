//! The ring's fill as the display shows it: the audio thread publishes the ring's size, its
//! fill after every cycle and its high-water mark, and the fill falls when the writer drains
//! while the high-water mark stays.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use capstan::engine::{
    ring::EVENT_CAPACITY, CaptureEngine, Cycle, EngineEvent, EngineExit, EngineStats,
};
use capstan_board::audio::{CaptureSource, Signal, SimSource, StreamSpec};
use capstan_bwf::SampleFormat;
use capstan_ui::BufferFill;

#[test]
fn the_engine_publishes_the_ring_fill_and_its_high_water_mark() {
    let spec = StreamSpec {
        channels: 8,
        rate: 48_000,
        format: SampleFormat::I24,
    };
    let period = 480;
    let fb = spec.frame_bytes();
    let mut source = SimSource::new(spec, Signal::Counter, period, true).unwrap();
    source.start().unwrap();
    let capacity = 20 * period * fb;
    let (prod, mut cons) = capstan_board::memory::filled_ring(capacity);
    let (ev_prod, _ev_cons) = rtrb::RingBuffer::<EngineEvent>::new(EVENT_CAPACITY);
    let stats = Arc::new(EngineStats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut engine = CaptureEngine::new(source, prod, ev_prod, stats.clone(), stop, None);
    assert_eq!(stats.ring_capacity.load(Ordering::Relaxed), capacity as u64);
    assert_eq!(stats.ring_fill.load(Ordering::Relaxed), 0);

    for _ in 0..10 {
        assert_eq!(engine.cycle(), Cycle::Continue);
    }
    let fill = stats.ring_fill.load(Ordering::Relaxed);
    assert_eq!(
        fill,
        (10 * period * fb) as u64,
        "ten periods wait in the ring"
    );
    assert_eq!(fill, cons.slots() as u64);
    assert_eq!(stats.ring_high_water.load(Ordering::Relaxed), fill);
    let shown = BufferFill::from_bytes(
        fill,
        stats.ring_high_water.load(Ordering::Relaxed),
        capacity as u64,
    );
    assert_eq!((shown.now_percent, shown.high_water_percent), (50, 50));

    // The writer takes eight periods; the audio thread adds one more.
    cons.read_chunk(8 * period * fb).unwrap().commit_all();
    assert_eq!(engine.cycle(), Cycle::Continue);
    let fill = stats.ring_fill.load(Ordering::Relaxed);
    assert_eq!(fill, (3 * period * fb) as u64);
    let high = stats.ring_high_water.load(Ordering::Relaxed);
    assert_eq!(high, (10 * period * fb) as u64, "the high-water mark stays");
    let shown = BufferFill::from_bytes(fill, high, capacity as u64);
    assert_eq!((shown.now_percent, shown.high_water_percent), (15, 50));
}

#[test]
fn the_engine_ends_at_its_frame_limit_and_a_limit_of_nothing_ends_it_at_once() {
    let spec = StreamSpec {
        channels: 2,
        rate: 48_000,
        format: SampleFormat::I16,
    };
    let period = 480;
    for (limit, cycles) in [(0u64, 1usize), (1000, 3)] {
        let mut source = SimSource::new(spec, Signal::Counter, period, true).unwrap();
        source.start().unwrap();
        let (prod, cons) = capstan_board::memory::filled_ring(20 * period * spec.frame_bytes());
        let (ev_prod, _ev_cons) = rtrb::RingBuffer::<EngineEvent>::new(EVENT_CAPACITY);
        let stats = Arc::new(EngineStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let mut engine =
            CaptureEngine::new(source, prod, ev_prod, stats.clone(), stop, Some(limit));
        // 1000 frames: two whole periods, then the 40 frames left of the third.
        for _ in 1..cycles {
            assert_eq!(engine.cycle(), Cycle::Continue, "limit {limit}");
        }
        assert_eq!(
            engine.cycle(),
            Cycle::Exit(EngineExit::Done),
            "limit {limit}"
        );
        assert_eq!(stats.frames_captured.load(Ordering::Relaxed), limit);
        assert_eq!(cons.slots(), limit as usize * spec.frame_bytes());
    }
}
