//! The box's display behind one trait, [`Display`]: the screens draw into the display's
//! in-memory [`Framebuffer`] ([`Display::canvas`]), and [`Display::flush`] sends what changed
//! since the last flush to the panel. Backends:
//!
//! - [`Ssd1306Display`]: a 128x64 monochrome OLED over I2C;
//! - [`St7789Display`]: a 240x240 colour LCD over SPI, with GPIO lines for DC, reset and
//!   backlight;
//! - [`FbDisplay`]: a Linux framebuffer (`/dev/fbN`: HDMI, a DRM panel, vfb), 16 or 32 bits per
//!   pixel, the screen scaled up by a whole factor and centred;
//! - [`SimDisplay`]: no panel; keeps frames for PNG snapshots and terminal rendering.
//!
//! Drawing is a pure function of the UI state ([`capstan_ui::draw`]). The UI thread opens the
//! display its [`DisplayConfig`] names with [`open`] and calls [`Panel::show`] with each new
//! state; nothing here is called from the audio thread.

mod fbdev;
mod mirror;
mod open;
mod sim;
mod ssd1306;
mod st7789;
mod sysfs;

use embedded_graphics::pixelcolor::PixelColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

pub use capstan_ui::Framebuffer;
pub use fbdev::{FbDisplay, PixelLayout};
pub use mirror::mirrored;
pub use open::{open, DisplayConfig, Panel};
pub use sim::SimDisplay;
pub use ssd1306::{Ssd1306Config, Ssd1306Display};
pub use st7789::{St7789Config, St7789Display};
pub use sysfs::FbGeometry;

/// A panel the UI draws on.
pub trait Display {
    /// The panel's colour: `BinaryColor` for monochrome, `Rgb565` for colour.
    type Color: PixelColor;

    /// The framebuffer to draw the next frame into. It keeps the last frame drawn, so a screen
    /// may draw only what it changes.
    fn canvas(&mut self) -> &mut Framebuffer<Self::Color>;

    /// Sends the part of the canvas that changed since the last flush to the panel (all of it
    /// the first time).
    fn flush(&mut self) -> Result<(), DisplayError>;
}

/// Why a display could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum DisplayError {
    /// A device file could not be opened or read.
    #[error("{what}: {source}; check that the device exists and that this user may open it (group video, i2c, spi or gpio)")]
    Io {
        /// What was being done, naming the device.
        what: String,
        /// The system's error.
        source: std::io::Error,
    },
    /// The panel did not take a command or data (its bus or a control line failed).
    #[error("{what}: {detail}; check the panel's wiring and its address or chip select")]
    Bus {
        /// What was being done, naming the device.
        what: String,
        /// The driver's report.
        detail: String,
    },
    /// The device has a format this backend cannot drive, with what to do instead.
    #[error("{0}")]
    Unsupported(String),
}

/// The part of `canvas` to send: what changed since `shown`, or all of it when nothing was
/// sent yet.
pub(crate) fn changed_area<C: PixelColor>(
    shown: &Option<Framebuffer<C>>,
    canvas: &Framebuffer<C>,
) -> Option<Rectangle> {
    match shown {
        Some(shown) => canvas.changed_area(shown),
        None => Some(canvas.bounding_box()),
    }
}

/// Keeps a copy of `canvas` as the frame on the panel, reusing the last copy's memory.
pub(crate) fn remember<C: PixelColor>(shown: &mut Option<Framebuffer<C>>, canvas: &Framebuffer<C>) {
    match shown {
        Some(shown) => shown.clone_from(canvas),
        None => *shown = Some(canvas.clone()),
    }
}

impl DisplayError {
    /// A bus error from a driver's error value.
    pub(crate) fn bus(what: impl Into<String>, detail: impl std::fmt::Debug) -> Self {
        DisplayError::Bus {
            what: what.into(),
            detail: format!("{detail:?}"),
        }
    }
}

#[cfg(test)]
mod bus_tests;
#[cfg(test)]
mod tests;
