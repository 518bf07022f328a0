//! Capstan's screens, drawn with embedded-graphics as a function of the box's state.
//!
//! The UI thread fills a [`UiState`] and calls [`draw`] on any `DrawTarget` whose colour has a
//! [`Palette`]: the 128x64 monochrome panel ([`BinaryColor`]) or the 240x240 colour one
//! ([`Rgb565`]); the layout follows the target's size. Drawing usually goes into a
//! [`Framebuffer`], which a display backend sends to the panel, a snapshot saves as PNG
//! ([`RgbImage`]) and [`terminal`] prints with half-block characters.
//!
//! [`BinaryColor`]: embedded_graphics::pixelcolor::BinaryColor
//! [`Rgb565`]: embedded_graphics::pixelcolor::Rgb565
#![forbid(unsafe_code)]

mod alerts;
mod demo;
mod framebuffer;
mod home;
mod meter;
mod palette;
mod snapshot;
mod state;
mod status;
pub mod terminal;
mod time;
mod tracks;
mod widgets;

use embedded_graphics::prelude::*;

pub use demo::demo_state;
pub use framebuffer::Framebuffer;
pub use meter::{lit_pixels, METER_FLOOR_DBFS};
pub use palette::Palette;
pub use snapshot::RgbImage;
pub use state::{Alert, BufferFill, Screen, Severity, TrackMeter, Transport, UiState, MAX_TRACKS};
pub use time::{format_elapsed, format_remaining, record_data_rate, remaining_record_time};

/// The small monochrome panel's size (SSD1306).
pub const SMALL_PANEL: Size = Size::new(128, 64);
/// The colour panel's size (ST7789).
pub const LARGE_PANEL: Size = Size::new(240, 240);

/// Draws the screen `state` selects onto `target`, clearing it first. The layout follows the
/// target's size: the large one from 200x200 up, else the one for [`SMALL_PANEL`].
pub fn draw<D, C>(state: &UiState, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = C>,
    C: Palette,
{
    let layout = widgets::Layout::for_size(target.bounding_box().size);
    target.clear(C::BACKGROUND)?;
    match state.screen {
        Screen::Home => home::draw(state, target, &layout),
        Screen::Alerts => alerts::draw(state, target, &layout),
        Screen::Tracks => tracks::draw(state, target, &layout),
    }
}
