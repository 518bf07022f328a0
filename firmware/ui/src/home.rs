//! The home screen: transport, elapsed time, take, record time left, drop counter and meters.

use embedded_graphics::mono_font::iso_8859_1::FONT_7X13_BOLD;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::meter::{meters, MeterStyle};
use crate::palette::Palette;
use crate::state::{Alert, Severity, UiState};
use crate::time::{format_elapsed, format_remaining};
use crate::widgets::{
    chars_in, fill, fit, on, text, text_right, transport_band, transport_symbol, Layout,
};

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

/// The record time left, at `at` (its top-right corner when `right`), on a band while the card
/// is nearly full or full.
fn record_time<D: DrawTarget<Color = C>, C: Palette>(
    state: &UiState,
    target: &mut D,
    layout: &Layout,
    label: &str,
    at: Point,
    right: bool,
) -> Result<(), D::Error> {
    let low = state
        .alerts
        .iter()
        .any(|a| matches!(a, Alert::CardNearlyFull { .. } | Alert::DiskFull));
    let font = layout.text;
    let width = label.len() as i32 * (font.character_size.width + font.character_spacing) as i32;
    let left = if right { at.x - width } else { at.x };
    let mut color = C::TEXT;
    if low {
        let band = if C::COLOUR { C::WARNING } else { C::TEXT };
        let area = Rectangle::new(
            Point::new(left - 1, at.y),
            Size::new(width as u32 + 2, font.character_size.height),
        );
        fill(target, area, band)?;
        color = on(band);
    }
    text(target, label, Point::new(left, at.y), font, color)
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

/// The drop counter: quiet when zero, a full-width critical band when not.
fn drop_row<D: DrawTarget<Color = C>, C: Palette>(
    state: &UiState,
    target: &mut D,
    layout: &Layout,
    area: Rectangle,
) -> Result<(), D::Error> {
    let font = if layout.large {
        layout.big
    } else {
        &FONT_7X13_BOLD
    };
    let text_y =
        area.top_left.y + (area.size.height as i32 - font.character_size.height as i32) / 2;
    let pad = if layout.large { 4 } else { 1 };
    if state.drops == 0 {
        let quiet_y =
            area.top_left.y + (area.size.height - layout.small.character_size.height) as i32 / 2;
        text(
            target,
            "no drops",
            Point::new(pad, quiet_y),
            layout.small,
            C::DIM,
        )?;
        if !layout.large {
            alert_count(
                state,
                target,
                layout,
                Point::new(layout.width(), area.top_left.y + 2),
            )?;
        }
        return Ok(());
    }
    fill(target, area, C::CRITICAL)?;
    let noun = if state.drops == 1 { "DROP" } else { "DROPS" };
    let message = format!("{} {noun}", state.drops);
    text(
        target,
        &message,
        Point::new(pad + 1, text_y),
        font,
        on(C::CRITICAL),
    )?;
    if !layout.large && !state.alerts.is_empty() {
        let n = state.alerts.len();
        let mut count = format!("{n} alert{}", if n == 1 { "" } else { "s" });
        if chars_in(font, layout.width() - 2 * pad) < message.len() + count.len() + 1 {
            count = format!("!{n}");
        }
        text_right(
            target,
            &count,
            Point::new(layout.width() - pad, text_y),
            font,
            on(C::CRITICAL),
        )?;
    }
    Ok(())
}

/// "N alerts", right-aligned at `at`, in the colour of the most urgent one; nothing when none.
fn alert_count<D: DrawTarget<Color = C>, C: Palette>(
    state: &UiState,
    target: &mut D,
    layout: &Layout,
    at: Point,
) -> Result<(), D::Error> {
    let Some(worst) = state.alerts.iter().map(|a| a.severity()).max() else {
        return Ok(());
    };
    let noun = if state.alerts.len() == 1 {
        "alert"
    } else {
        "alerts"
    };
    let label = format!("{} {noun}", state.alerts.len());
    let font = if layout.large {
        layout.text
    } else {
        layout.small
    };
    let color = match worst {
        Severity::Critical => C::CRITICAL,
        Severity::Warning => C::WARNING,
    };
    if C::COLOUR {
        return text_right(target, &label, at, font, color);
    }
    // Monochrome: an inverted box, so the count stands out from the quiet "no drops".
    let w = label.len() as u32 * font.character_size.width + 2;
    let h = font.character_size.height;
    let area = Rectangle::new(at - Point::new(w as i32, 1), Size::new(w, h));
    fill(target, area, C::TEXT)?;
    text_right(target, &label, at - Point::new(1, 1), font, C::BACKGROUND)
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
