//! Losses in and before a take's pre-roll: the take's writer is handed a ring that already
//! holds the counter signal with an xrun and a drop in it, as a running input's would. A loss
//! before the pre-roll belongs to no take; one inside it is marked at its take position.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use capstan::config::Config;
use capstan::engine::{EngineEvent, EngineExit, EngineStats, LossKind};
use capstan::recorder::stream::StreamShared;
use capstan::recorder::{record_take_running, LiveTake, RingTap, TakeRequest};
use capstan_board::audio::StreamSpec;
use capstan_bwf::{reader, verify, SampleFormat};

const RATE: u32 = 48_000;

/// Frame `n` of the counter signal on one 24-bit channel (channel 0).
fn counter_frame(n: u64) -> [u8; 3] {
    [0, n as u8, (n >> 8) as u8]
}

#[test]
fn losses_in_the_pre_roll_are_marked_where_they_fall_in_the_take() {
    let spec = StreamSpec {
        channels: 1,
        rate: RATE,
        format: SampleFormat::I24,
    };
    let (mut frames, frames_out) = rtrb::RingBuffer::new(70_000 * 3);
    let (mut events, events_out) = rtrb::RingBuffer::new(16);
    let xrun = |position| EngineEvent {
        kind: LossKind::Xrun,
        position,
        frames: 0,
    };
    // The stream: frames 0..61000, an xrun at 10000 (before the pre-roll), one at 30000 (in
    // it), and frames 40000..41000 dropped by a full ring.
    for n in (0..40_000).chain(41_000..61_000) {
        if n == 10_000 || n == 30_000 {
            events.push(xrun(n)).unwrap();
        }
        if n == 41_000 {
            events
                .push(EngineEvent {
                    kind: LossKind::RingOverflow,
                    position: 40_000,
                    frames: 1000,
                })
                .unwrap();
        }
        for b in counter_frame(n) {
            frames.push(b).unwrap();
        }
    }
    let stats = Arc::new(EngineStats::default());
    stats.frames_captured.store(60_000, Ordering::Relaxed);
    stats.frames_dropped.store(1000, Ordering::Relaxed);
    // The input has stopped: the take ends with what the ring holds.
    let exit = Arc::new(OnceLock::new());
    exit.set(EngineExit::Stopped).unwrap();
    let input = StreamShared {
        spec,
        pre_roll: RATE as usize / 2,
        stats,
        exit,
        paced: false,
        mix: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let req = TakeRequest {
        config: Config::default(),
        out: dir.path().to_path_buf(),
        frames: None,
        writer: Default::default(),
        audio: Default::default(),
        tracks: None,
        mirror_missing: Default::default(),
    };
    let mut tap = RingTap::new(frames_out, events_out, 3);
    // REC at stream frame 50000: the take begins half a second (24000 frames) before it.
    let rec = 50_000;
    let take = record_take_running(
        &mut tap,
        &input,
        rec,
        chrono::Local::now(),
        &req,
        &AtomicBool::new(false),
        &LiveTake::new(),
    )
    .unwrap();
    assert_eq!(take.failure, None);
    assert_eq!((take.first_frame, take.pre_roll), (26_000, 24_000));
    assert_eq!(take.frames, 61_000 - 26_000 - 1000);
    assert_eq!((take.xruns, take.frames_dropped), (1, 1000));
    let at: Vec<(LossKind, u64)> = take.losses.iter().map(|e| (e.kind, e.position)).collect();
    assert_eq!(
        at,
        [(LossKind::Xrun, 4000), (LossKind::RingOverflow, 14_000)],
        "take positions, counted from the pre-roll's first frame"
    );
    assert_eq!(tap.position(), 61_000, "the ring is drained");

    let w = reader::read(&take.files[0].path).unwrap();
    let run = verify::counter_with_losses(&w).unwrap();
    assert_eq!(run.start, Some(26_000));
    assert_eq!(run.frames, take.frames);
    assert_eq!(run.gaps.len(), 1);
    assert_eq!(
        (run.gaps[0].frame, run.gaps[0].label.as_str()),
        (14_000, "DROP 1000 frames")
    );
    let labels: Vec<(u64, &str)> = w
        .markers
        .iter()
        .map(|m| (m.position, m.label.as_str()))
        .collect();
    assert_eq!(labels, [(4000, "XRUN"), (14_000, "DROP 1000 frames")]);
    let note = &w.ixml.as_ref().unwrap().note;
    assert!(note.starts_with("pre-roll 0.50 s"), "{note}");
    assert!(note.contains("1 xruns, 1000 frames dropped"), "{note}");
}
