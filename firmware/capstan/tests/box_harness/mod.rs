//! The harness the box tests share: scripted, bouncing button presses on a virtual clock kept
//! in step with the wall clock drive the main loop on the sim board.
#![allow(dead_code)]

use capstan::app::{App, AppOptions, AudioInput, Board, TerminalScreen};
use capstan::config::Config;
use capstan::recorder::TakeReport;
use capstan::transport::RecAgain;
use capstan_board::audio::{Signal, StreamSpec};
use capstan_board::buttons::{Button, DebounceConfig, RawEdge, ScriptedButtons};
use capstan_board::leds::{Led, LedError, Leds, SimLeds};
use capstan_bwf::SampleFormat;
use capstan_ui::SMALL_PANEL;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const RATE: u32 = 48_000;

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A press from `down` to `up` (ms) whose contact bounces at each end.
pub fn press(button: Button, down: u64, up: u64) -> Vec<RawEdge> {
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
pub struct Shared(Arc<Mutex<Vec<u8>>>);

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
pub struct SharedLeds(Arc<Mutex<SimLeds>>);

impl Leds for SharedLeds {
    fn set(&mut self, led: Led, on: bool) -> Result<(), LedError> {
        self.0.lock().unwrap().set(led, on)
    }
}

/// What a run of the box left behind.
pub struct Run {
    /// The takes recorded, in order.
    pub takes: Vec<TakeReport>,
    /// What the terminal screen showed.
    pub terminal: String,
    /// Every LED change, in order.
    pub leds: Vec<(Led, bool)>,
}

/// The box's config in these tests: the defaults, with a commit every 0.25 s.
pub fn harness_config() -> Config {
    let mut config = Config::default();
    config.recorder.commit_interval = 0.25;
    config
}

/// The box's options in these tests: `config`, takes into `out`, 2 channels of the sim board's
/// 24-bit counter signal in real time, until `until` (ms).
pub fn box_options(config: Config, out: PathBuf, until: u64, rec_again: RecAgain) -> AppOptions {
    AppOptions {
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
        config_error: None,
    }
}

/// Runs the box on the sim board's counter signal with `edges` on the buttons until `until`
/// (ms), takes into `out`.
pub fn run_box(edges: Vec<RawEdge>, out: PathBuf, until: u64, rec_again: RecAgain) -> Run {
    run_box_with(box_options(harness_config(), out, until, rec_again), edges)
}

/// Runs the box with `options` and `edges` on the buttons.
pub fn run_box_with(options: AppOptions, edges: Vec<RawEdge>) -> Run {
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
    let takes = App::new(options, board).run().unwrap();
    let terminal = String::from_utf8(terminal.0.lock().unwrap().clone()).unwrap();
    let leds = leds.0.lock().unwrap().changes().to_vec();
    Run {
        takes,
        terminal,
        leds,
    }
}
