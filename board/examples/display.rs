//! Shows the demo show on a display, for bringing up a panel or checking a framebuffer:
//!
//! ```text
//! cargo run -p capstan-board --example display -- <fb0 | ssd1306 | st7789 | sim | sim-mono> [seconds]
//! ```
//!
//! Cycles home, alerts and tracks every few seconds at 30 frames a second (default 10 seconds).
//! `sim` draws in the terminal; `fbN` scales the 240x240 screen onto `/dev/fbN`.

use std::time::{Duration, Instant};

use capstan_board::display::{open, DisplayConfig, Panel, Ssd1306Config, St7789Config};
use capstan_ui::{demo_state, Screen, LARGE_PANEL, SMALL_PANEL};

fn config(name: &str) -> Option<DisplayConfig> {
    Some(match name {
        "ssd1306" => DisplayConfig::Ssd1306(Ssd1306Config::default()),
        "st7789" => DisplayConfig::St7789(St7789Config::default()),
        "sim" | "sim-mono" => DisplayConfig::Sim {
            size: if name == "sim" {
                LARGE_PANEL
            } else {
                SMALL_PANEL
            },
            colour: name == "sim",
            snapshot: None,
            terminal: true,
        },
        fb if fb.starts_with("fb") => DisplayConfig::Framebuffer {
            device: fb.to_string(),
            size: LARGE_PANEL,
        },
        _ => return None,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(config) = args.first().and_then(|a| config(a)) else {
        eprintln!("usage: display <fb0 | ssd1306 | st7789 | sim | sim-mono> [seconds]");
        std::process::exit(2);
    };
    let seconds: u64 = match args.get(1).map(|s| s.parse()) {
        None => 10,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            eprintln!("seconds: give a whole number, such as 10");
            std::process::exit(2);
        }
    };
    let mut panel: Box<dyn Panel> = match open(&config) {
        Ok(Some(panel)) => panel,
        Ok(None) => return,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let start = Instant::now();
    let frame_time = Duration::from_nanos(1_000_000_000 / 30);
    let screens = [Screen::Home, Screen::Alerts, Screen::Tracks];
    for frame in 0..seconds as u32 * 30 {
        let screen = screens[(frame / 90) as usize % screens.len()];
        if let Err(e) = panel.show(&demo_state(frame, screen)) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        let due = start + frame_time * (frame + 1);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
    }
}
