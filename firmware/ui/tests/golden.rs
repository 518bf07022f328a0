//! Every screen at both panel sizes, compared pixel for pixel with the PNGs in `tests/data/`.
//!
//! After a deliberate change to a screen, look at the new images and rewrite them with
//! `CAPSTAN_BLESS=1 cargo test -p capstan-ui --test golden`. `CAPSTAN_UI_PREVIEW=<dir>` also
//! writes each screen four times enlarged into `<dir>`, to look at the small panel comfortably.

use std::path::PathBuf;
use std::time::Duration;

use capstan_ui::{
    draw, Alert, BufferFill, Framebuffer, Palette, RgbImage, Screen, TrackMeter, Transport,
    UiState, LARGE_PANEL, SMALL_PANEL,
};
use embedded_graphics::pixelcolor::{BinaryColor, Rgb565, Rgb888};
use embedded_graphics::prelude::*;

const NAMES: [&str; 12] = [
    "Kick",
    "Snare",
    "Hat",
    "Tom 1",
    "Tom 2",
    "OH L",
    "OH R",
    "Bass DI",
    "Gtr",
    "Keys",
    "Vox Lead",
    "Vox Harmony Left",
];

fn track(i: usize, peak: f32, armed: bool) -> TrackMeter {
    TrackMeter {
        name: NAMES.get(i).map_or(String::new(), |n| n.to_string()),
        peak_dbfs: peak,
        hold_dbfs: (peak + 6.0).min(0.0),
        clipped: peak >= -0.5,
        armed,
    }
}

/// A band's rehearsal: 8 armed tracks recording, one clipped, nothing lost.
fn recording() -> UiState {
    let peaks = [-12.0, -6.0, -30.0, -0.1, -45.0, -20.0, -22.0, -9.0];
    UiState {
        transport: Transport::Recording,
        take: "S01-T008".into(),
        elapsed: Duration::from_secs(12 * 60 + 34),
        remaining: Some(Duration::from_secs(5 * 3600 + 7 * 60)),
        tracks: peaks
            .iter()
            .enumerate()
            .map(|(i, &p)| track(i, p, true))
            .collect(),
        buffer: Some(BufferFill {
            now_percent: 2,
            high_water_percent: 9,
        }),
        ..UiState::default()
    }
}

/// A card that stalls: the ring has been 71% full; nothing lost yet, and it says so.
fn card_stalls() -> UiState {
    UiState {
        buffer: Some(BufferFill {
            now_percent: 38,
            high_water_percent: 71,
        }),
        alerts: vec![Alert::BufferFilling(71)],
        ..recording()
    }
}

/// A 64-track show that has lost audio: the drop counter must be impossible to miss.
fn show_with_drops() -> UiState {
    UiState {
        take: "FOH-T012".into(),
        elapsed: Duration::from_secs(2 * 3600 + 3 * 60 + 4),
        remaining: Some(Duration::from_secs(9 * 60)),
        tracks: (0..64)
            .map(|i| track(i, -60.0 + ((i * 37) % 61) as f32, i % 16 != 15))
            .collect(),
        drops: 3,
        alerts: vec![
            Alert::Xruns(3),
            Alert::CardNearlyFull {
                remaining: Duration::from_secs(540),
            },
        ],
        ..recording()
    }
}

fn stopped() -> UiState {
    UiState {
        transport: Transport::Stopped,
        take: "S01-T009".into(),
        elapsed: Duration::ZERO,
        remaining: None,
        tracks: (0..2).map(|i| track(i, f32::NEG_INFINITY, false)).collect(),
        ..UiState::default()
    }
}

fn playing() -> UiState {
    UiState {
        transport: Transport::Playing,
        take: "S01-T007".into(),
        elapsed: Duration::from_secs(11 * 3600 + 59),
        buffer: None,
        ..recording()
    }
}

fn alerts() -> UiState {
    UiState {
        screen: Screen::Alerts,
        alerts: vec![
            Alert::DiskFull,
            Alert::DeviceFailed("hw:CARD=UMC1820".into()),
            Alert::CardTooSlow,
            Alert::Xruns(17),
            Alert::BufferFilling(88),
            Alert::CardNearlyFull {
                remaining: Duration::from_secs(5 * 3600 + 7 * 60),
            },
            Alert::Temperature { celsius: 82 },
        ],
        ..show_with_drops()
    }
}

fn no_alerts() -> UiState {
    UiState {
        screen: Screen::Alerts,
        ..recording()
    }
}

fn track_list() -> UiState {
    UiState {
        screen: Screen::Tracks,
        tracks: (0..16)
            .map(|i| track(i, -60.0 + 5.0 * i as f32, i % 3 != 2))
            .collect(),
        track_cursor: 11,
        name_cursor: Some(4),
        ..recording()
    }
}

fn screens() -> Vec<(&'static str, UiState)> {
    vec![
        ("home_recording", recording()),
        ("home_drops_64_tracks", show_with_drops()),
        ("home_card_stalls", card_stalls()),
        ("home_stopped", stopped()),
        ("home_playing_long", playing()),
        ("alerts", alerts()),
        ("alerts_none", no_alerts()),
        ("tracks_naming", track_list()),
    ]
}

fn render<C: Palette + Default + Into<Rgb888>>(state: &UiState, size: Size) -> RgbImage {
    let mut fb = Framebuffer::<C>::new(size);
    draw(state, &mut fb).unwrap();
    RgbImage::from_framebuffer(&fb)
}

/// Compares `image` with `tests/data/<name>.png`, or rewrites it when blessing.
fn check(name: &str, image: &RgbImage) -> Result<(), String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(format!("{name}.png"));
    if let Some(dir) = std::env::var_os("CAPSTAN_UI_PREVIEW") {
        std::fs::write(
            PathBuf::from(dir).join(format!("{name}.png")),
            image.to_png(4),
        )
        .unwrap();
    }
    if std::env::var_os("CAPSTAN_BLESS").is_some() {
        std::fs::write(&path, image.to_png(1)).unwrap();
        return Ok(());
    }
    let golden = std::fs::read(&path)
        .map_err(|e| format!("{}: {e} (CAPSTAN_BLESS=1 writes it)", path.display()))?;
    let golden = RgbImage::from_png(&golden).map_err(|e| format!("{}: {e}", path.display()))?;
    if golden == *image {
        return Ok(());
    }
    let actual = std::env::temp_dir().join(format!("capstan-ui-{name}.png"));
    std::fs::write(&actual, image.to_png(1)).unwrap();
    let differing = golden
        .pixels
        .iter()
        .zip(&image.pixels)
        .filter(|(a, b)| a != b)
        .count();
    Err(format!(
        "{name}: {differing} pixels differ from {} (sizes {:?} and {:?}); drawn: {}",
        path.display(),
        golden.size,
        image.size,
        actual.display()
    ))
}

#[test]
fn every_screen_matches_its_golden_image() {
    let mut failures = Vec::new();
    for (name, state) in screens() {
        let small = render::<BinaryColor>(&state, SMALL_PANEL);
        let large = render::<Rgb565>(&state, LARGE_PANEL);
        for (image, size) in [(small, "128x64"), (large, "240x240")] {
            if let Err(e) = check(&format!("{name}_{size}"), &image) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_terminal_shows_the_small_panel_in_half_blocks() {
    let image = render::<BinaryColor>(&show_with_drops(), SMALL_PANEL);
    let text = capstan_ui::terminal::half_blocks(&image);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/home_drops_64_tracks_128x64.txt");
    if std::env::var_os("CAPSTAN_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, golden, "{}", path.display());
}

/// Lit pixels of the small panel's drop-counter row (y 33 to 46).
fn lit_in_drop_row(image: &RgbImage) -> usize {
    image.pixels[33 * 128..47 * 128]
        .iter()
        .filter(|p| p[0] > 128)
        .count()
}

#[test]
fn a_single_drop_lights_up_the_drop_row() {
    let clean = render::<BinaryColor>(&recording(), SMALL_PANEL);
    let one = render::<BinaryColor>(
        &UiState {
            drops: 1,
            ..recording()
        },
        SMALL_PANEL,
    );
    let row = 14 * 128;
    assert!(
        lit_in_drop_row(&clean) < row / 8,
        "quiet when nothing was lost"
    );
    assert!(lit_in_drop_row(&one) > row / 2, "a drop fills the row");
}

#[test]
fn odd_states_draw_without_panicking() {
    let many = UiState {
        tracks: (0..100).map(|i| track(i, 0.0, true)).collect(),
        take: "A-very-long-scene-name-T999".into(),
        elapsed: Duration::from_secs(123 * 3600),
        drops: u64::MAX,
        track_cursor: 500,
        name_cursor: Some(40),
        ..recording()
    };
    for screen in [Screen::Home, Screen::Alerts, Screen::Tracks] {
        for state in [
            UiState {
                screen,
                ..many.clone()
            },
            UiState {
                screen,
                ..UiState::default()
            },
        ] {
            render::<BinaryColor>(&state, SMALL_PANEL);
            render::<Rgb565>(&state, LARGE_PANEL);
            render::<Rgb565>(&state, Size::new(1, 1));
            render::<BinaryColor>(&state, Size::new(320, 240));
        }
    }
}
