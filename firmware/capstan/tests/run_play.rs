//! PLAY on the box: locked out while a take records, then plays the last take back through
//! its mix in real time (on the sim board, to nowhere) until the take's end, when the
//! transport is stopped again; STOP ends a playback early.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capstan::app::{App, AppOptions, AudioInput, Board, TerminalScreen};
use capstan::config::Config;
use capstan::recorder::TakeReport;
use capstan::transport::RecAgain;
use capstan_board::audio::{Signal, StreamSpec};
use capstan_board::buttons::{Button, DebounceConfig, RawEdge, ScriptedButtons};
use capstan_board::leds::{Led, LedError, Leds, SimLeds};
use capstan_bwf::SampleFormat;
use capstan_ui::SMALL_PANEL;

const RATE: u32 = 48_000;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A press from `down` to `up` (ms) whose contact bounces at each end.
fn press(button: Button, down: u64, up: u64) -> Vec<RawEdge> {
    let us = Duration::from_micros;
    let edge = |at: Duration, down: bool| RawEdge { button, down, at };
    vec![
        edge(ms(down), true),
        edge(ms(down) + us(300), false),
        edge(ms(down) + us(800), true),
        edge(ms(up), false),
        edge(ms(up) + us(400), true),
        edge(ms(up) + us(900), false),
    ]
}

/// Everything written to it, shared with the test.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sim LEDs the test can look at after the loop has them.
#[derive(Clone, Default)]
struct SharedLeds(Arc<Mutex<SimLeds>>);

impl Leds for SharedLeds {
    fn set(&mut self, led: Led, on: bool) -> Result<(), LedError> {
        self.0.lock().unwrap().set(led, on)
    }
}

/// What a run of the box left behind.
struct Run {
    takes: Vec<TakeReport>,
    terminal: String,
    leds: Vec<(Led, bool)>,
}

/// Runs the box on the sim board's counter signal with `edges` on the buttons until `until`
/// (ms), takes into `out`.
fn run_box(edges: Vec<RawEdge>, out: PathBuf, until: u64, rec_again: RecAgain) -> Run {
    let buttons = ScriptedButtons::new(edges, DebounceConfig::default());
    let terminal = Shared::default();
    let leds = SharedLeds::default();
    let board = Board {
        buttons: Box::new(buttons),
        leds: Box::new(leds.clone()),
        screen: Some(Box::new(TerminalScreen::new(
            SMALL_PANEL,
            false,
            terminal.clone(),
            "keys",
        ))),
    };
    let mut config = Config::default();
    config.recorder.commit_interval = 0.25;
    let options = AppOptions {
        config,
        out,
        input: AudioInput::Sim {
            spec: StreamSpec {
                channels: 2,
                rate: RATE,
                format: SampleFormat::I24,
            },
            signal: Signal::Counter,
            period_frames: 256,
            fast: false,
        },
        audio: Default::default(),
        rec_again,
        until: Some(ms(until)),
        pace: true,
        quit: Arc::new(AtomicBool::new(false)),
    };
    let takes = App::new(options, board).run().unwrap();
    let terminal = String::from_utf8(terminal.0.lock().unwrap().clone()).unwrap();
    let leds = leds.0.lock().unwrap().changes().to_vec();
    Run {
        takes,
        terminal,
        leds,
    }
}

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
