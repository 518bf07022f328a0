//! The alerts screen: one row per alert, most urgent first as the state lists them, critical
//! ones on a band.

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::palette::Palette;
use crate::state::{Alert, Severity, UiState};
use crate::widgets::{chars_in, fill, on, text, text_right, Layout};

/// Draws the alerts screen.
pub(crate) fn draw<D: DrawTarget<Color = C>, C: Palette>(
    state: &UiState,
    target: &mut D,
    layout: &Layout,
) -> Result<(), D::Error> {
    let font = layout.text;
    let row_h = font.character_size.height as i32 + if layout.large { 4 } else { 0 };
    let pad = if layout.large { 4 } else { 0 };
    // Rows on the small panel touch: a gap would cost a row, and each row is a line of text.
    let gap = if layout.large { 1 } else { 0 };
    let title = format!("ALERTS ({})", state.alerts.len());
    let title_font = if layout.large { layout.big } else { font };
    text(target, &title, Point::new(pad, 0), title_font, C::TEXT)?;
    let rule_y = title_font.character_size.height as i32 + 1;
    fill(
        target,
        Rectangle::new(Point::new(0, rule_y), Size::new(layout.size.width, 1)),
        C::DIM,
    )?;
    let mut y = rule_y + 3;
    if state.alerts.is_empty() {
        return text(target, "No alerts", Point::new(pad, y), font, C::TEXT);
    }
    let rows = ((layout.height() - y) / row_h).max(1) as usize;
    let shown = if state.alerts.len() > rows {
        rows - 1
    } else {
        rows
    };
    for alert in state.alerts.iter().take(shown) {
        row(
            target,
            layout,
            alert,
            Rectangle::new(
                Point::new(0, y),
                Size::new(layout.size.width, row_h as u32 - gap),
            ),
        )?;
        y += row_h;
    }
    if state.alerts.len() > shown {
        let more = format!("+{} more", state.alerts.len() - shown);
        text(target, &more, Point::new(pad, y), font, C::DIM)?;
    }
    Ok(())
}

/// One alert: its title on the left, its detail on the right, on a band of its severity.
fn row<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    layout: &Layout,
    alert: &Alert,
    area: Rectangle,
) -> Result<(), D::Error> {
    let band = match alert.severity() {
        Severity::Critical => C::CRITICAL,
        Severity::Warning => C::WARNING,
    };
    fill(target, area, band)?;
    let font = layout.text;
    let pad = if layout.large { 4 } else { 1 };
    let y = area.top_left.y + (area.size.height as i32 - font.character_size.height as i32) / 2;
    let width = area.size.width as i32 - 2 * pad;
    let title = alert.title();
    let room = chars_in(font, width).saturating_sub(title.len() + 1);
    let detail = alert.detail();
    // A device name that does not fit keeps its end, which tells devices apart.
    let skip = detail.chars().count().saturating_sub(room);
    let detail: String = detail.chars().skip(skip).collect();
    text(target, title, Point::new(pad, y), font, on(band))?;
    text_right(target, &detail, Point::new(pad + width, y), font, on(band))
}
