//! Pre-roll in the box: the input runs from the box's start, the ring keeps the last seconds
//! while stopped, and REC starts the take that far in the past. The sim board's counter
//! signal says which frames of the stream each take holds: frame n of the stream carries n
//! (mod 65536), so a take's first counter value is its first frame's place in the stream.

use capstan::app::{App, Board};
use capstan::recorder::meta::samples_since_midnight;
use capstan::recorder::TakeReport;
use capstan::transport::RecAgain;
use capstan_board::buttons::{Button, DebounceConfig, RawEdge, ScriptedButtons};
use capstan_bwf::reader::{self, WavFile};
use capstan_bwf::verify;

mod box_harness;
use box_harness::*;

/// What a run of the box left: its takes, the wall time it started at, and the folder the
/// takes are in (removed when dropped).
type Run = (
    Vec<TakeReport>,
    chrono::DateTime<chrono::Local>,
    tempfile::TempDir,
);

/// Runs the box with `pre_roll` seconds of pre-roll on 2 channels of the counter signal until
/// `until` ms.
fn run(pre_roll: f64, edges: Vec<RawEdge>, until: u64) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut config = harness_config();
    config.recorder.pre_roll = pre_roll;
    let options = box_options(config, dir.path().join("takes"), until, RecAgain::Marker);
    let board = Board {
        buttons: Box::new(ScriptedButtons::new(edges, DebounceConfig::default())),
        leds: Box::new(SharedLeds::default()),
        screen: None,
    };
    let started = chrono::Local::now();
    let takes = App::new(options, board).run().unwrap();
    (takes, started, dir)
}

/// Each file of the take, read back; the counter runs unbroken through all of them from the
/// same first value, which is returned.
fn gapless(take: &TakeReport) -> (Vec<WavFile>, u16) {
    assert_eq!(take.failure, None);
    let files: Vec<WavFile> = take
        .files
        .iter()
        .map(|f| reader::read(&f.path).unwrap())
        .collect();
    let mut starts = Vec::new();
    for w in &files {
        assert_eq!(verify::structure(w), Vec::<String>::new(), "{:?}", w.path);
        let (frames, start) = verify::counter(w).unwrap();
        assert_eq!(
            frames, take.frames,
            "the counter runs unbroken: {:?}",
            w.path
        );
        starts.push(start.unwrap());
    }
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{starts:?}");
    (files, starts[0])
}

fn secs(frames: u64) -> f64 {
    frames as f64 / f64::from(RATE)
}

/// Samples since midnight, a day's worth wrapping.
fn day_minus(t: u64, frames: u64) -> u64 {
    let day = 86_400 * u64::from(RATE);
    (t + day - frames % day) % day
}

#[test]
fn rec_starts_the_take_the_pre_roll_before_the_press() {
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 1500, 1560)); // REC 1.5 s after the input opened
    edges.extend(press(Button::Stop, 2300, 3000)); // held: the take ends at 2.8 s
    let (takes, started, _dir) = run(1.0, edges, 3200);
    assert_eq!(takes.len(), 1);
    let take = &takes[0];
    // The stream ran 1.5 s before REC, longer than the pre-roll: all of it is there.
    assert_eq!(take.pre_roll, u64::from(RATE), "exactly 1 s of pre-roll");
    let rec = take.first_frame + take.pre_roll;
    assert!(
        (secs(rec) - 1.5).abs() < 0.15,
        "REC was pressed 1.5 s into the stream, the take says {} s",
        secs(rec)
    );
    let (files, first_counter) = gapless(take);
    assert_eq!(
        u64::from(first_counter),
        take.first_frame % 65536,
        "the first frame is the stream's frame {}",
        take.first_frame
    );
    // From 1.0 s of pre-roll before REC to the end of the held STOP.
    let length = secs(take.frames);
    assert!((2.05..2.55).contains(&length), "{length} s recorded");

    for w in &files {
        let bext = w.bext.as_ref().unwrap();
        let ixml = w.ixml.as_ref().unwrap();
        assert_eq!(
            bext.time_reference,
            day_minus(samples_since_midnight(&take.rec_time, RATE), take.pre_roll),
            "TimeReference is REC's less the pre-roll"
        );
        assert_eq!(
            ixml.timestamp_samples_since_midnight, bext.time_reference,
            "bext and iXML agree"
        );
        // REC came 1.5 s after the box started: the take's first sample 0.5 s after it.
        let expected = samples_since_midnight(&started, RATE) + u64::from(RATE) / 2;
        let off = secs(bext.time_reference.abs_diff(expected));
        assert!(off < 0.2, "TimeReference {off} s off the clock");
        assert!(ixml.note.contains("pre-roll 1.00 s"), "{}", ixml.note);
    }
}

#[test]
fn a_take_started_before_the_pre_roll_filled_holds_what_there_is() {
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 500, 560)); // REC 0.5 s in; 2 s of pre-roll asked for
    edges.extend(press(Button::Stop, 1200, 1900));
    let (takes, _, _dir) = run(2.0, edges, 2100);
    assert_eq!(takes.len(), 1);
    let take = &takes[0];
    assert_eq!(take.first_frame, 0, "the take begins with the stream");
    let (files, first_counter) = gapless(take);
    assert_eq!(first_counter, 0);
    let pre = secs(take.pre_roll);
    assert!((0.35..0.65).contains(&pre), "{pre} s of pre-roll");
    let note = &files[0].ixml.as_ref().unwrap().note;
    assert!(note.contains(&format!("pre-roll {pre:.2} s")), "{note}");
}

#[test]
fn two_takes_in_a_row_come_from_one_running_input() {
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 300, 360)); // take 1
    edges.extend(press(Button::Stop, 800, 1500)); // ends at 1.3 s
    edges.extend(press(Button::Rec, 2000, 2060)); // take 2
    edges.extend(press(Button::Stop, 2500, 3200)); // ends at 3.0 s
    let (takes, _, _dir) = run(0.5, edges, 3400);
    assert_eq!(takes.len(), 2);
    let (_, c1) = gapless(&takes[0]);
    let (_, c2) = gapless(&takes[1]);
    assert_eq!((takes[0].first_frame, c1), (0, 0));
    // Take 2's counter goes on from where the stream is: the source was not opened again
    // (a source opened afresh starts its counter at 0).
    let first = takes[1].first_frame;
    assert!(
        (secs(first) - 1.5).abs() < 0.15,
        "take 2 begins at {} s of the stream, 0.5 s before its REC",
        secs(first)
    );
    assert_eq!(u64::from(c2), first % 65536);
    assert_eq!(takes[1].pre_roll, u64::from(RATE) / 2);
    assert!(first > takes[0].first_frame + takes[0].frames);
}
