//! PLAY on the box: locked out while a take records, then plays the last take back through
//! its mix in real time (on the sim board, to nowhere) until the take's end, when the
//! transport is stopped again; STOP ends a playback early.

use capstan::transport::RecAgain;
use capstan_board::buttons::Button;

mod box_harness;
use box_harness::*;

#[test]
fn play_is_locked_while_recording_then_plays_the_last_take_to_its_end_or_until_stop() {
    let dir = tempfile::tempdir().unwrap();
    let mut edges = press(Button::MarkArm, 50, 120); // arms every track
    edges.extend(press(Button::Rec, 200, 260)); // take 1 starts
    edges.extend(press(Button::Play, 450, 510)); // locked while recording
    edges.extend(press(Button::Stop, 700, 1400)); // held: the take ends, about 1 s long
    edges.extend(press(Button::Play, 1600, 1660)); // plays take 1 to its end, near 2.7 s
    edges.extend(press(Button::Play, 2200, 2260)); // still playing: nothing to do
    edges.extend(press(Button::Play, 3000, 3060)); // stopped again: plays it again...
    edges.extend(press(Button::Stop, 3300, 3360)); // ...until STOP
    let run = run_box(edges, dir.path().join("takes"), 3700, RecAgain::Marker);
    assert_eq!(run.takes.len(), 1, "PLAY recorded nothing");
    let t = &run.takes[0];
    let secs = t.frames as f64 / f64::from(RATE);
    assert!((0.8..1.5).contains(&secs), "{secs} s recorded");

    let frames: Vec<&str> = run.terminal.split("\x1b[H").collect();
    let first = |what: &str| frames.iter().position(|f| f.contains(what));
    let locked = first("PLAY is locked while recording").expect("the lock was shown");
    let playing = first("playing S01-T001").expect("playback of take 1 was shown");
    assert!(locked < playing);
    // The screen shows PLAY twice, STOP between: the first playback was still going at the
    // PLAY 0.6 s into it, and had ended by itself by the PLAY 1.4 s into it.
    let shown: Vec<bool> = frames.iter().map(|f| f.contains("PLAY  S01-T")).collect();
    let runs = shown.split(|&p| !p).filter(|r| !r.is_empty()).count();
    assert_eq!(runs, 2, "two playbacks shown");
    let last = frames.last().unwrap();
    assert!(last.contains("STOP  S01-T002"), "{last}");
    assert_eq!(
        run.leds.len(),
        2,
        "the tally lit only for the take: {:?}",
        run.leds
    );
}
