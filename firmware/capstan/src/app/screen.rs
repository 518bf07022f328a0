//! Where the loop shows its state: a panel of the board, or the terminal, where the sim
//! panel's picture is followed by a caption in words (transport, take, times, drops, the last
//! message and the keys).

use std::io::Write;

use capstan_board::display::{DisplayError, Panel, SimDisplay};
use capstan_ui::{format_elapsed, format_remaining, UiState};
use embedded_graphics::pixelcolor::{BinaryColor, Rgb565};
use embedded_graphics::prelude::Size;

/// A display the loop draws its state on.
pub trait Screen {
    /// Shows `state`, and `message` (the transport's last word to the user) where the screen
    /// can.
    fn show(&mut self, state: &UiState, message: Option<&str>) -> Result<(), DisplayError>;
}

/// A board's panel: draws the state; messages go to the log only.
pub struct PanelScreen(pub Box<dyn Panel>);

impl Screen for PanelScreen {
    fn show(&mut self, state: &UiState, _message: Option<&str>) -> Result<(), DisplayError> {
        self.0.show(state)
    }
}

/// Terminal escape that moves the cursor to the top-left corner.
const HOME: &str = "\x1b[H";
/// Terminal escape that clears the screen.
const CLEAR: &str = "\x1b[2J";
/// Terminal escape that clears the rest of a line.
const CLEAR_LINE: &str = "\x1b[K";

/// The sim panel drawn in a terminal with half blocks, with a caption under it.
pub struct TerminalScreen {
    panel: SimPanel,
    out: Box<dyn Write + Send>,
    colour: bool,
    last: Option<String>,
    keys: String,
}

/// The sim panel in the colour it was asked for.
enum SimPanel {
    Mono(SimDisplay<BinaryColor>),
    Colour(SimDisplay<Rgb565>),
}

impl TerminalScreen {
    /// A panel of `size` drawn on `out`, in colour (the ST7789's look) or not (the SSD1306's);
    /// `keys` is the help line printed last.
    pub fn new(size: Size, colour: bool, out: impl Write + Send + 'static, keys: &str) -> Self {
        let panel = if colour {
            SimPanel::Colour(SimDisplay::new(size))
        } else {
            SimPanel::Mono(SimDisplay::new(size))
        };
        TerminalScreen {
            panel,
            out: Box::new(out),
            colour,
            last: None,
            keys: keys.to_string(),
        }
    }

    /// Writes each frame's PNG to `path` as well, enlarged four times.
    pub fn with_snapshot(mut self, path: std::path::PathBuf) -> Self {
        self.panel = match self.panel {
            SimPanel::Mono(d) => SimPanel::Mono(d.with_snapshot(path, 4)),
            SimPanel::Colour(d) => SimPanel::Colour(d.with_snapshot(path, 4)),
        };
        self
    }
}

/// The caption: the state in words, one line each.
pub fn caption(state: &UiState, message: Option<&str>) -> String {
    let mut line = format!(
        "{}  {}  {}",
        state.transport.label(),
        state.take,
        format_elapsed(state.elapsed)
    );
    line.push_str(&format!("  drops {}", state.drops));
    if let Some(b) = state.buffer {
        line.push_str(&format!(
            "  buffer {}% max {}%",
            b.now_percent, b.high_water_percent
        ));
    }
    if let Some(left) = state.remaining {
        line.push_str(&format!("  left {}", format_remaining(left)));
    }
    let armed = state.tracks.iter().filter(|t| t.armed).count();
    line.push_str(&format!("  armed {armed}/{}", state.tracks.len()));
    let mut text = line;
    text.push('\n');
    for alert in &state.alerts {
        text.push_str(&format!("! {} {}\n", alert.title(), alert.detail()));
    }
    text.push_str(message.unwrap_or(""));
    text.push('\n');
    text
}

impl Screen for TerminalScreen {
    fn show(&mut self, state: &UiState, message: Option<&str>) -> Result<(), DisplayError> {
        let picture = match &mut self.panel {
            SimPanel::Mono(d) => {
                d.show(state)?;
                d.terminal_text(self.colour)
            }
            SimPanel::Colour(d) => {
                d.show(state)?;
                d.terminal_text(self.colour)
            }
        };
        let mut frame = picture.unwrap_or_default();
        for line in caption(state, message).lines() {
            frame.push_str(line);
            frame.push_str(CLEAR_LINE);
            frame.push('\n');
        }
        frame.push_str(&self.keys);
        frame.push_str(CLEAR_LINE);
        frame.push('\n');
        if self.last.as_ref() == Some(&frame) {
            return Ok(());
        }
        let first = if self.last.is_none() { CLEAR } else { "" };
        let out = &mut self.out;
        out.write_all(first.as_bytes())
            .and_then(|()| out.write_all(HOME.as_bytes()))
            .and_then(|()| out.write_all(frame.as_bytes()))
            .and_then(|()| out.write_all(b"\x1b[J"))
            .and_then(|()| out.flush())
            .map_err(|source| DisplayError::Io {
                what: "drawing the display in the terminal".into(),
                source,
            })?;
        self.last = Some(frame);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capstan_ui::{Alert, BufferFill, TrackMeter, Transport};
    use std::time::Duration;

    #[test]
    fn the_caption_says_the_state_in_words() {
        let state = UiState {
            transport: Transport::Recording,
            take: "S01-T007".into(),
            elapsed: Duration::from_secs(65),
            remaining: Some(Duration::from_secs(2 * 3600 + 5 * 60)),
            drops: 2,
            tracks: vec![
                TrackMeter {
                    armed: true,
                    ..TrackMeter::default()
                },
                TrackMeter::default(),
            ],
            alerts: vec![Alert::Xruns(2)],
            buffer: Some(BufferFill {
                now_percent: 4,
                high_water_percent: 12,
            }),
            ..UiState::default()
        };
        let text = caption(&state, Some("marker M3"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "REC  S01-T007  0:01:05  drops 2  buffer 4% max 12%  left 2h05m  armed 1/2"
        );
        assert_eq!(lines[1], "! Xruns 2");
        assert_eq!(lines[2], "marker M3");
    }
}
