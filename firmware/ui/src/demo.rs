//! A made-up show for bring-up, benchmarks and demos: 64 armed tracks whose meters move every
//! frame, a recording take, a drop now and then and one alert.

use std::time::Duration;

use crate::state::{Alert, Screen, TrackMeter, Transport, UiState};

/// The demo show at `frame` (30 frames a second) on `screen`: every meter at a different level
/// each frame, the elapsed time running, the drop counter going up every 100 frames.
pub fn demo_state(frame: u32, screen: Screen) -> UiState {
    UiState {
        screen,
        transport: Transport::Recording,
        take: "DEMO-T001".into(),
        elapsed: Duration::from_millis(u64::from(frame) * 1000 / 30),
        remaining: Some(Duration::from_secs(3 * 3600)),
        tracks: (0..64)
            .map(|i| {
                let level = -60.0 + ((i * 37 + frame as usize * 7) % 61) as f32;
                TrackMeter {
                    name: format!("Input {}", i + 1),
                    peak_dbfs: level,
                    hold_dbfs: (level + 4.0).min(0.0),
                    clipped: i % 9 == 0,
                    armed: i % 8 != 7,
                }
            })
            .collect(),
        drops: u64::from(frame / 100),
        alerts: vec![Alert::Xruns(u64::from(frame / 100))],
        track_cursor: (frame / 15 % 64) as usize,
        ..UiState::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_moves() {
        let a = demo_state(0, Screen::Home);
        let b = demo_state(1, Screen::Home);
        assert_eq!(a.tracks.len(), 64);
        assert_ne!(a.tracks[0].peak_dbfs, b.tracks[0].peak_dbfs);
        assert_eq!(demo_state(250, Screen::Alerts).drops, 2);
        assert!(a
            .tracks
            .iter()
            .all(|t| (-60.0..=0.0).contains(&t.peak_dbfs)));
    }
}
