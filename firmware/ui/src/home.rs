//! The home screen: transport, elapsed time, take, record time left, drop counter and meters.

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::meter::{meters, MeterStyle};
use crate::palette::Palette;
use crate::state::UiState;
use crate::status::{alert_count, drop_row, record_time};
use crate::time::{format_elapsed, format_remaining};
use crate::widgets::{chars_in, fill, fit, on, text, transport_band, transport_symbol, Layout};

/// Draws the home screen.
pub(crate) fn draw<D: DrawTarget<Color = C>, C: Palette>(
    state: &UiState,
    target: &mut D,
    layout: &Layout,
) -> Result<(), D::Error> {
    let (transport_h, line_h, status_h, pad): (u32, i32, u32, i32) = if layout.large {
        (40, 24, 34, 4)
    } else {
        (20, 11, 14, 0)
    };
    transport_row(state, target, layout, transport_h)?;
    let mut y = transport_h as i32 + 2;
    let left = match state.remaining {
        Some(t) => format_remaining(t),
        None => "--".into(),
    };
    let left = format!("left {left}");
    if layout.large {
        let take = fit(&state.take, chars_in(layout.text, layout.width() - 2 * pad));
        text(target, take, Point::new(pad, y), layout.text, C::TEXT)?;
        y += line_h;
        record_time(state, target, layout, &left, Point::new(pad, y), false)?;
        alert_count(state, target, layout, Point::new(layout.width() - pad, y))?;
    } else {
        let room = layout.width() - 6 * (left.len() as i32 + 1);
        text(
            target,
            fit(&state.take, chars_in(layout.text, room)),
            Point::new(0, y),
            layout.text,
            C::TEXT,
        )?;
        let at = Point::new(layout.width(), y);
        record_time(state, target, layout, &left, at, true)?;
    }
    y += line_h;
    drop_row(
        state,
        target,
        layout,
        Rectangle::new(Point::new(0, y), Size::new(layout.size.width, status_h)),
    )?;
    y += status_h as i32 + if layout.large { 4 } else { 1 };
    meter_rows(state, target, layout, y)
}

/// The transport band: symbol and word on the left, elapsed time on the right.
fn transport_row<D: DrawTarget<Color = C>, C: Palette>(
    state: &UiState,
    target: &mut D,
    layout: &Layout,
    height: u32,
) -> Result<(), D::Error> {
    let band: C = transport_band(state.transport);
    let elapsed = format_elapsed(state.elapsed);
    let word = state.transport.label();
    let big_w = (layout.big.character_size.width + layout.big.character_spacing) as i32;
    let (symbol, word_x, margin) = if layout.large {
        (24, 40, 8)
    } else {
        (10, 13, 0)
    };
    let time_x = layout.width() - margin - elapsed.len() as i32 * big_w;
    // Past 9:59:59 the time needs the word's room; the symbol still says it.
    let show_word = word_x + word.len() as i32 * big_w + 2 < time_x;
    let band_w = if layout.large {
        layout.size.width
    } else if show_word {
        (word_x + word.len() as i32 * big_w + 2) as u32
    } else {
        word_x as u32
    };
    fill(
        target,
        Rectangle::new(Point::zero(), Size::new(band_w, height)),
        band,
    )?;
    let symbol_at = Point::new(
        if layout.large { 8 } else { 1 },
        (height as i32 - symbol) / 2,
    );
    transport_symbol(target, state.transport, symbol_at, symbol as u32, on(band))?;
    let text_y = (height as i32 - layout.big.character_size.height as i32) / 2;
    if show_word {
        text(
            target,
            word,
            Point::new(word_x, text_y),
            layout.big,
            on(band),
        )?;
    }
    let time_color = if layout.large { on(band) } else { C::TEXT };
    text(
        target,
        &elapsed,
        Point::new(time_x, text_y),
        layout.big,
        time_color,
    )
}

/// The meters from `top` to the bottom of the screen: one row, or two for more than 32 tracks
/// on the large panel.
fn meter_rows<D: DrawTarget<Color = C>, C: Palette>(
    state: &UiState,
    target: &mut D,
    layout: &Layout,
    top: i32,
) -> Result<(), D::Error> {
    let height = (layout.height() - top).max(0) as u32;
    let style = if layout.large {
        MeterStyle {
            clip: 4,
            armed: 3,
            max_bar: 20,
            numbers: true,
        }
    } else {
        MeterStyle {
            clip: 2,
            armed: 1,
            max_bar: 10,
            numbers: false,
        }
    };
    let tracks = &state.tracks;
    let (margin, rows) = if layout.large {
        (4, if tracks.len() > 32 { 2 } else { 1 })
    } else {
        (0, 1)
    };
    let width = layout.size.width - 2 * margin as u32;
    let per_row = tracks.len().div_ceil(rows);
    let row_h = height / rows as u32;
    for (row, chunk) in tracks.chunks(per_row.max(1)).enumerate() {
        let at = Point::new(margin, top + (row as u32 * row_h) as i32);
        let area = Rectangle::new(at, Size::new(width, row_h.saturating_sub(2)));
        meters(target, chunk, row * per_row, area, &style)?;
    }
    Ok(())
}
