//! Drawing benchmark: the home screen of a 64-track show with meters moving every frame, drawn
//! into the framebuffer and compared with the last frame (what a backend does before sending),
//! as a fraction of the frame budget at 30 frames a second (33.3 ms) on one core.
//!
//! `cargo bench -p capstan-ui` draws `CAPSTAN_BENCH_FRAMES` frames per case (default 2000). Run
//! without `--bench` (as `cargo test --benches` does) it draws 20. Goal: under 5% of the
//! budget here, leaving room for a Pi's slower core and the bus transfer.

use std::hint::black_box;
use std::time::{Duration, Instant};

use capstan_ui::{
    draw, Alert, Framebuffer, Palette, Screen, TrackMeter, Transport, UiState, LARGE_PANEL,
    SMALL_PANEL,
};
use embedded_graphics::pixelcolor::{BinaryColor, Rgb565};
use embedded_graphics::prelude::*;

const BUDGET: Duration = Duration::from_nanos(1_000_000_000 / 30);
const GOAL: f64 = 0.05;

fn frames(full: bool) -> u32 {
    if !full {
        return 20;
    }
    match std::env::var("CAPSTAN_BENCH_FRAMES") {
        Ok(s) => s
            .trim()
            .parse()
            .ok()
            .filter(|&n: &u32| n > 0)
            .unwrap_or_else(|| panic!("CAPSTAN_BENCH_FRAMES={s:?}: give a whole number")),
        Err(_) => 2000,
    }
}

/// The show at frame `n`: every meter at a different level each frame.
fn show(n: u32, screen: Screen) -> UiState {
    UiState {
        screen,
        transport: Transport::Recording,
        take: "FOH-T012".into(),
        elapsed: Duration::from_millis(u64::from(n) * 33),
        remaining: Some(Duration::from_secs(3 * 3600)),
        tracks: (0..64)
            .map(|i| {
                let level = -60.0 + ((i * 37 + n as usize * 7) % 61) as f32;
                TrackMeter {
                    name: format!("Input {}", i + 1),
                    peak_dbfs: level,
                    hold_dbfs: (level + 4.0).min(0.0),
                    clipped: i % 9 == 0,
                    armed: true,
                }
            })
            .collect(),
        drops: u64::from(n / 100),
        alerts: vec![Alert::Xruns(2)],
        track_cursor: (n % 64) as usize,
        ..UiState::default()
    }
}

/// Draws `frames` frames of `screen` at `size` and returns the mean time per frame.
fn run<C: Palette + Default>(size: Size, screen: Screen, frames: u32) -> Duration {
    let states: Vec<UiState> = (0..16).map(|n| show(n, screen)).collect();
    let mut fb = Framebuffer::<C>::new(size);
    let mut last = fb.clone();
    let start = Instant::now();
    for n in 0..frames {
        draw(&states[n as usize % states.len()], &mut fb).unwrap();
        black_box(fb.changed_area(&last));
        last.clone_from(&fb);
    }
    start.elapsed() / frames
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n = frames(full);
    let mut worst = 0.0f64;
    for screen in [Screen::Home, Screen::Alerts, Screen::Tracks] {
        for (panel, per_frame) in [
            ("128x64 mono", run::<BinaryColor>(SMALL_PANEL, screen, n)),
            ("240x240 colour", run::<Rgb565>(LARGE_PANEL, screen, n)),
        ] {
            let ratio = per_frame.as_secs_f64() / BUDGET.as_secs_f64();
            worst = worst.max(ratio);
            println!(
                "{:<22} {:8.1} µs a frame, {:6.3}% of the 30 fps budget",
                format!("{screen:?} {panel}:"),
                per_frame.as_secs_f64() * 1e6,
                ratio * 100.0
            );
        }
    }
    let verdict = if worst < GOAL { "within" } else { "OVER" };
    println!(
        "worst {:.3}% of the budget: {verdict} the {:.0}% goal",
        worst * 100.0,
        GOAL * 100.0
    );
}
