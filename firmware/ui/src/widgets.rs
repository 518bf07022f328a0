//! Pieces the screens share: the panel's fonts, text placed by its corners, bands, and the
//! transport symbols.

use embedded_graphics::mono_font::iso_8859_1::{FONT_10X20, FONT_6X10, FONT_7X13_BOLD};
use embedded_graphics::mono_font::{MonoFont, MonoTextStyle, MonoTextStyleBuilder};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Circle, PrimitiveStyle, Rectangle, Triangle};
use embedded_graphics::text::{Baseline, Text};

use crate::palette::Palette;
use crate::state::Transport;

/// The fonts and spacing of one panel size.
pub(crate) struct Layout {
    /// The whole screen.
    pub size: Size,
    /// True for the 240x240 panel and anything bigger; false for the 128x64 one.
    pub large: bool,
    /// Transport word and elapsed time.
    pub big: &'static MonoFont<'static>,
    /// Take name, list rows.
    pub text: &'static MonoFont<'static>,
    /// Labels.
    pub small: &'static MonoFont<'static>,
}

impl Layout {
    /// The layout for a target of `size`: the large one from 200x200 up.
    pub fn for_size(size: Size) -> Layout {
        if size.width >= 200 && size.height >= 200 {
            Layout {
                size,
                large: true,
                big: &profont::PROFONT_24_POINT,
                text: &FONT_10X20,
                small: &FONT_7X13_BOLD,
            }
        } else {
            Layout {
                size,
                large: false,
                big: &FONT_10X20,
                text: &FONT_6X10,
                small: &FONT_6X10,
            }
        }
    }

    /// Width of the screen in pixels, signed for coordinates.
    pub fn width(&self) -> i32 {
        self.size.width as i32
    }

    /// Height of the screen in pixels, signed for coordinates.
    pub fn height(&self) -> i32 {
        self.size.height as i32
    }
}

/// Characters of `font` that fit in `width` pixels.
pub(crate) fn chars_in(font: &MonoFont, width: i32) -> usize {
    let pitch = (font.character_size.width + font.character_spacing) as i32;
    (width.max(0) / pitch) as usize
}

/// `s` cut to at most `max` characters.
pub(crate) fn fit(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// A text style of `font` in `color`.
pub(crate) fn style<C: Palette>(
    font: &'static MonoFont<'static>,
    color: C,
) -> MonoTextStyle<'static, C> {
    MonoTextStyleBuilder::new()
        .font(font)
        .text_color(color)
        .build()
}

/// Draws `s` with its top-left corner at `at`.
pub(crate) fn text<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    s: &str,
    at: Point,
    font: &'static MonoFont<'static>,
    color: C,
) -> Result<(), D::Error> {
    Text::with_baseline(s, at, style(font, color), Baseline::Top)
        .draw(target)
        .map(drop)
}

/// Draws `s` with its top-right corner at `at`.
pub(crate) fn text_right<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    s: &str,
    at: Point,
    font: &'static MonoFont<'static>,
    color: C,
) -> Result<(), D::Error> {
    let width =
        s.chars().count() as i32 * (font.character_size.width + font.character_spacing) as i32;
    text(target, s, at - Point::new(width, 0), font, color)
}

/// Fills `area` with `color`.
pub(crate) fn fill<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    area: Rectangle,
    color: C,
) -> Result<(), D::Error> {
    target.fill_solid(&area, color)
}

/// The colour of text on a band of colour `band`: the normal text colour when the band is the
/// background itself (a monochrome warning), else the band text colour.
pub(crate) fn on<C: Palette>(band: C) -> C {
    if band == C::BACKGROUND {
        C::TEXT
    } else {
        C::ON_BAND
    }
}

/// The band colour of a transport state.
pub(crate) fn transport_band<C: Palette>(transport: Transport) -> C {
    match transport {
        Transport::Stopped => C::STOP,
        Transport::Recording => C::RECORD,
        Transport::Playing => C::PLAY,
    }
}

/// Draws the transport symbol (circle, triangle, square) in a square of side `side` at `at`.
pub(crate) fn transport_symbol<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    transport: Transport,
    at: Point,
    side: u32,
    color: C,
) -> Result<(), D::Error> {
    let fill = PrimitiveStyle::with_fill(color);
    let s = side as i32;
    match transport {
        Transport::Recording => Circle::new(at, side).into_styled(fill).draw(target),
        Transport::Playing => {
            Triangle::new(at, at + Point::new(s - 1, s / 2), at + Point::new(0, s - 1))
                .into_styled(fill)
                .draw(target)
        }
        Transport::Stopped => {
            let inset = (side / 8) as i32;
            Rectangle::new(
                at + Point::new(inset, inset),
                Size::new_equal(side - 2 * inset as u32),
            )
            .into_styled(fill)
            .draw(target)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_on_characters() {
        assert_eq!(fit("Kick In", 4), "Kick");
        assert_eq!(fit("Gésang", 3), "Gés");
        assert_eq!(fit("Vox", 8), "Vox");
        assert_eq!(chars_in(&FONT_6X10, 128), 21);
        assert_eq!(chars_in(&FONT_6X10, -3), 0);
    }
}
