//! The sim display: no panel. Each flush that changed something counts a frame and, when asked,
//! writes it as a PNG snapshot and draws it in a terminal with half-block characters.

use std::io::Write;
use std::path::PathBuf;

use capstan_ui::{terminal, RgbImage};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;

use super::{remember, Display, DisplayError, Framebuffer};

/// Terminal escape that moves the cursor to the top-left corner, so each frame overwrites the
/// last.
const HOME: &str = "\x1b[H";
/// Terminal escape that clears the screen, sent before the first frame.
const CLEAR: &str = "\x1b[2J";

/// A display that stands in for a panel on a desktop and in tests.
pub struct SimDisplay<C> {
    canvas: Framebuffer<C>,
    shown: Option<Framebuffer<C>>,
    frames: u64,
    snapshot: Option<(PathBuf, u32)>,
    terminal: Option<(Box<dyn Write + Send>, bool)>,
}

impl<C: PixelColor + Default + Into<Rgb888>> SimDisplay<C> {
    /// A sim panel of `size` (such as [`capstan_ui::SMALL_PANEL`]).
    pub fn new(size: Size) -> Self {
        SimDisplay {
            canvas: Framebuffer::new(size),
            shown: None,
            frames: 0,
            snapshot: None,
            terminal: None,
        }
    }

    /// Writes each new frame to `path` as a PNG, each pixel a `scale` x `scale` square.
    pub fn with_snapshot(mut self, path: impl Into<PathBuf>, scale: u32) -> Self {
        self.snapshot = Some((path.into(), scale));
        self
    }

    /// Draws each new frame on `out` (such as stdout) from the top-left corner of the
    /// terminal, in 24-bit colour when `colour`, else in plain half blocks.
    pub fn with_terminal(mut self, out: impl Write + Send + 'static, colour: bool) -> Self {
        self.terminal = Some((Box::new(out), colour));
        self
    }

    /// The last frame flushed, or `None` before the first flush.
    pub fn shown(&self) -> Option<&Framebuffer<C>> {
        self.shown.as_ref()
    }

    /// Frames flushed that differed from the one before.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The last frame flushed in half-block characters (see [`capstan_ui::terminal`]).
    pub fn terminal_text(&self, colour: bool) -> Option<String> {
        let image = RgbImage::from_framebuffer(self.shown.as_ref()?);
        Some(if colour {
            terminal::ansi_half_blocks(&image)
        } else {
            terminal::half_blocks(&image)
        })
    }
}

impl<C: PixelColor + Default + Into<Rgb888>> Display for SimDisplay<C> {
    type Color = C;

    fn canvas(&mut self) -> &mut Framebuffer<C> {
        &mut self.canvas
    }

    fn flush(&mut self) -> Result<(), DisplayError> {
        if self.shown.as_ref() == Some(&self.canvas) {
            return Ok(());
        }
        remember(&mut self.shown, &self.canvas);
        self.frames += 1;
        if let Some((path, scale)) = &self.snapshot {
            let png = RgbImage::from_framebuffer(&self.canvas).to_png(*scale);
            // Written beside and renamed over, so a viewer never reads half a frame.
            let partial = path.with_extension("png.partial");
            std::fs::write(&partial, png)
                .and_then(|()| std::fs::rename(&partial, path))
                .map_err(|source| DisplayError::Io {
                    what: format!("writing the display snapshot {}", path.display()),
                    source,
                })?;
        }
        if let Some((_, colour)) = &self.terminal {
            let text = self.terminal_text(*colour).unwrap_or_default();
            let (out, _) = self.terminal.as_mut().expect("checked above");
            let first = if self.frames == 1 { CLEAR } else { "" };
            out.write_all(first.as_bytes())
                .and_then(|()| out.write_all(HOME.as_bytes()))
                .and_then(|()| out.write_all(text.as_bytes()))
                .and_then(|()| out.flush())
                .map_err(|source| DisplayError::Io {
                    what: "drawing the display in the terminal".into(),
                    source,
                })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capstan_ui::{draw, Transport, UiState, SMALL_PANEL};
    use embedded_graphics::pixelcolor::BinaryColor;
    use std::sync::{Arc, Mutex};

    /// A terminal that keeps what was written.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn snapshots_and_terminal_follow_the_frames() {
        let dir = crate::display::tests::Scratch::new("sim");
        let path = dir.0.join("screen.png");
        let term = Captured::default();
        let mut display = SimDisplay::<BinaryColor>::new(SMALL_PANEL)
            .with_snapshot(&path, 2)
            .with_terminal(term.clone(), false);
        let state = UiState {
            transport: Transport::Recording,
            ..UiState::default()
        };
        draw(&state, display.canvas()).unwrap();
        display.flush().unwrap();
        display.flush().unwrap();
        assert_eq!(display.frames(), 1, "an unchanged frame is not sent again");
        let png = RgbImage::from_png(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(png.size, Size::new(256, 128));
        let text = display.terminal_text(false).unwrap();
        assert_eq!(text.lines().count(), 32);
        assert!(text.lines().all(|l| l.chars().count() == 128));
        assert!(text.contains('█'));
        let written = String::from_utf8(term.0.lock().unwrap().clone()).unwrap();
        assert_eq!(written, format!("{CLEAR}{HOME}{text}"));

        draw(&UiState::default(), display.canvas()).unwrap();
        display.flush().unwrap();
        assert_eq!(display.frames(), 2);
        let second = display.terminal_text(false).unwrap();
        assert_ne!(second, text);
        let written = String::from_utf8(term.0.lock().unwrap().clone()).unwrap();
        assert_eq!(written, format!("{CLEAR}{HOME}{text}{HOME}{second}"));
    }
}
