//! Opening the box's own board from the config: the profile's buttons and LEDs, the display
//! and the sound card, with every part that is missing named and what to do about it.

use std::time::Duration;

use capstan_board::audio::alsa::HwRequest;
use capstan_board::audio::OpenError;
use capstan_board::buttons::DebounceConfig;
use capstan_board::display::{self, DisplayConfig, Ssd1306Config, St7789Config};
use capstan_board::profile::BoardProfile;
use capstan_ui::LARGE_PANEL;

use crate::config::Config;

use super::{AudioInput, Board, PanelScreen, Screen};

/// The config's board: its profile's buttons and LEDs, its display and its audio device
/// (`device`, else the config's), asked for `request`. Every
/// part that cannot be opened is listed with what to do. A named sound card that is not there
/// (yet) is the one exception when everything else opened: the box starts without it, says so
/// on its display and opens it once it is plugged in (see [`super::App`]), instead of exiting
/// and leaving the box dark until the next power-on.
pub fn open_board(
    cfg: &Config,
    device: Option<String>,
    monitor: Option<String>,
    request: HwRequest,
) -> Result<(Board, AudioInput), Vec<String>> {
    let profile = BoardProfile::by_name(&cfg.board.profile).map_err(|e| vec![e.to_string()])?;
    let mut missing = Vec::new();
    let buttons = profile
        .open_buttons(debounce_config(cfg))
        .map_err(|e| missing.push(format!("buttons: {e}")))
        .ok();
    let leds = profile
        .open_leds()
        .map_err(|e| missing.push(format!("LEDs: {e}")))
        .ok();
    let screen: Option<Box<dyn Screen>> = match display_config(&cfg.board.display) {
        Ok(dc) => match display::open(&dc) {
            Ok(panel) => panel.map(|p| {
                let p = match &cfg.board.snapshot {
                    Some(png) => display::mirrored(&dc, p, png),
                    None => p,
                };
                Box::new(PanelScreen(p)) as Box<dyn Screen>
            }),
            Err(e) => {
                missing.push(format!(
                    "display ({}): {e}; or set [board] display = \"none\"",
                    cfg.board.display
                ));
                None
            }
        },
        Err(e) => {
            missing.push(e);
            None
        }
    };
    let input = match device.or_else(|| cfg.audio.device.clone()) {
        Some(name) => {
            let input = AudioInput::Device {
                request,
                monitor: monitor.or_else(|| cfg.audio.monitor.clone()),
                name,
            };
            // Opened once to see that it is there; the box opens it again to run.
            match input.open(cfg.mixer.as_ref().map(|m| &m.state)) {
                Ok(_) => Some(input),
                // Not plugged in yet, or held by another program: either can change.
                // The box says why when it tries to open it.
                Err(OpenError::NoDevice(_) | OpenError::Busy(_)) if missing.is_empty() => {
                    Some(input)
                }
                Err(e) => {
                    missing.push(format!("sound card ({}): {e}", input.describe()));
                    None
                }
            }
        }
        None => {
            missing.push(
                "sound card: none named; set [audio] device = \"hw:X,Y\" in the config or give \
                 --device (`capstan devices` lists them)"
                    .into(),
            );
            None
        }
    };
    match (buttons, leds, input) {
        (Some(buttons), Some(leds), Some(input)) if missing.is_empty() => Ok((
            Board {
                buttons,
                leds,
                screen,
            },
            input,
        )),
        _ => Err(missing),
    }
}

/// The debounce times of the config's board: its `[board] debounce_ms` settle time.
pub fn debounce_config(cfg: &Config) -> DebounceConfig {
    DebounceConfig {
        settle: Duration::from_millis(cfg.board.debounce_ms),
        ..DebounceConfig::default()
    }
}

/// The display the config's `[board] display` names.
pub fn display_config(name: &str) -> Result<DisplayConfig, String> {
    Ok(match name {
        "none" => DisplayConfig::None,
        "ssd1306" => DisplayConfig::Ssd1306(Ssd1306Config::default()),
        "st7789" => DisplayConfig::St7789(St7789Config::default()),
        fb if fb.starts_with("fb") => DisplayConfig::Framebuffer {
            device: fb.to_string(),
            size: LARGE_PANEL,
        },
        other => {
            return Err(format!(
            "display \"{other}\" is not known: set [board] display to none, ssd1306, st7789 or fb0"
        ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settle_time_comes_from_the_config() {
        let mut cfg = Config::default();
        assert_eq!(debounce_config(&cfg), DebounceConfig::default());
        cfg.board.debounce_ms = 40;
        let d = debounce_config(&cfg);
        assert_eq!(d.settle, Duration::from_millis(40));
        assert_eq!(d.long_press, DebounceConfig::default().long_press);
    }
}
