//! The home screen's status: record time left, the drop counter and the alert count.

use embedded_graphics::mono_font::iso_8859_1::FONT_7X13_BOLD;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::palette::Palette;
use crate::state::{Alert, Severity, UiState};
use crate::widgets::{chars_in, fill, on, text, text_right, Layout};

/// The record time left, at `at` (its top-right corner when `right`), on a band while the card
/// is nearly full or full.
pub(crate) fn record_time<D: DrawTarget<Color = C>, C: Palette>(
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

/// The drop counter: quiet when zero, a full-width critical band when not.
pub(crate) fn drop_row<D: DrawTarget<Color = C>, C: Palette>(
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
pub(crate) fn alert_count<D: DrawTarget<Color = C>, C: Palette>(
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
