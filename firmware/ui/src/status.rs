//! The home screen's status: record time left, the drop counter and the alert count.

use embedded_graphics::mono_font::iso_8859_1::FONT_7X13_BOLD;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::palette::Palette;
use crate::state::{Alert, BufferFill, Severity, UiState};
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
        let char_w = (layout.small.character_size.width + layout.small.character_spacing) as i32;
        if let Some(buffer) = state.buffer {
            buffer_fill(
                buffer,
                target,
                layout,
                Point::new(pad + 9 * char_w, quiet_y),
            )?;
        }
        if !layout.large {
            let at = Point::new(layout.width(), area.top_left.y + 2);
            if state.buffer.is_some() && !state.alerts.is_empty() {
                // Beside the buffer's figure there is only room for "!N".
                let n = format!("!{}", state.alerts.len());
                let w = n.len() as u32 * layout.small.character_size.width + 2;
                let h = layout.small.character_size.height;
                fill(
                    target,
                    Rectangle::new(at - Point::new(w as i32, 1), Size::new(w, h)),
                    C::TEXT,
                )?;
                text_right(
                    target,
                    &n,
                    at - Point::new(1, 1),
                    layout.small,
                    C::BACKGROUND,
                )?;
            } else {
                alert_count(state, target, layout, at)?;
            }
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

/// The ring's fill: "buf N%" on the small panel, "buffer N% max M%" on the large one; in the
/// warning colour (inverted on the monochrome panel) once the high-water mark passed half.
fn buffer_fill<D: DrawTarget<Color = C>, C: Palette>(
    buffer: BufferFill,
    target: &mut D,
    layout: &Layout,
    at: Point,
) -> Result<(), D::Error> {
    let label = if layout.large {
        format!(
            "buffer {}% max {}%",
            buffer.now_percent, buffer.high_water_percent
        )
    } else {
        format!("buf {}%", buffer.now_percent)
    };
    if buffer.high_water_percent <= 50 {
        return text(target, &label, at, layout.small, C::DIM);
    }
    if C::COLOUR {
        return text(target, &label, at, layout.small, C::WARNING);
    }
    let font = layout.small;
    let w = label.len() as u32 * (font.character_size.width + font.character_spacing) + 2;
    let area = Rectangle::new(
        at - Point::new(1, 0),
        Size::new(w, font.character_size.height),
    );
    fill(target, area, C::TEXT)?;
    text(target, &label, at, font, C::BACKGROUND)
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
