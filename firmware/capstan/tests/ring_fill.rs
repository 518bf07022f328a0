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

/// Frames a period of the sim source.
const PERIOD: usize = 480;

/// An engine on the fast sim source of `channels` x `format` at 48 kHz, with a ring of 20
/// periods and a frame `limit`: the engine, the ring's reading end and the engine's counters.
fn engine(
    channels: u16,
    format: SampleFormat,
    limit: Option<u64>,
) -> (
    CaptureEngine<SimSource>,
    rtrb::Consumer<u8>,
    Arc<EngineStats>,
) {
    let spec = StreamSpec {
        channels,
        rate: 48_000,
        format,
    };
    let mut source = SimSource::new(spec, Signal::Counter, PERIOD, true).unwrap();
    source.start().unwrap();
    let (prod, cons) = capstan_board::memory::filled_ring(20 * PERIOD * spec.frame_bytes());
    let (ev_prod, _ev_cons) = rtrb::RingBuffer::<EngineEvent>::new(EVENT_CAPACITY);
    let stats = Arc::new(EngineStats::default());
    let stop = Arc::new(AtomicBool::new(false));
    let engine = CaptureEngine::new(source, prod, ev_prod, stats.clone(), stop, limit);
    (engine, cons, stats)
}

#[test]
fn the_engine_publishes_the_ring_fill_and_its_high_water_mark() {
    let (mut engine, mut cons, stats) = engine(8, SampleFormat::I24, None);
    let (period, fb) = (PERIOD, 8 * 3);
    let capacity = 20 * period * fb;
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
    for (limit, cycles) in [(0u64, 1usize), (1000, 3)] {
        let (mut engine, cons, stats) = engine(2, SampleFormat::I16, Some(limit));
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
        assert_eq!(cons.slots(), limit as usize * 2 * 2);
    }
}
