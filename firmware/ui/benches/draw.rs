//! Drawing benchmark: each screen of the 64-track demo show ([`capstan_ui::demo_state`]), its
//! meters moving every frame, drawn into the framebuffer and compared with the last frame (what
//! a backend does before sending), as a fraction of the frame budget at 30 frames a second
//! (33.3 ms) on one core.
//!
//! `cargo bench -p capstan-ui` draws `CAPSTAN_BENCH_FRAMES` frames per case (default 2000). Run
//! without `--bench` (as `cargo test --benches` does) it draws 20. Goal: under 5% of the
//! budget here, leaving room for a Pi's slower core and the bus transfer.

use std::hint::black_box;
use std::time::{Duration, Instant};

use capstan_ui::{
    demo_state, draw, Framebuffer, Palette, Screen, UiState, LARGE_PANEL, SMALL_PANEL,
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

/// Draws `frames` frames of `screen` at `size` and returns the mean time per frame.
fn run<C: Palette + Default>(size: Size, screen: Screen, frames: u32) -> Duration {
    let states: Vec<UiState> = (0..16).map(|n| demo_state(n, screen)).collect();
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
    if !full {
        // A smoke run of an unoptimised test build: its figures say nothing about the goal.
        println!("smoke run ({n} frames each): run `cargo bench -p capstan-ui` for the figures");
        return;
    }
    let verdict = if worst < GOAL { "within" } else { "OVER" };
    println!(
        "worst {:.3}% of the budget: {verdict} the {:.0}% goal",
        worst * 100.0,
        GOAL * 100.0
    );
}
