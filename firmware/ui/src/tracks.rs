//! The track screen: one row per track with its number, armed box and name; the selected row on
//! a band, and while a name is edited the character under the cursor underlined.

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};

use crate::meter::lit_pixels;
use crate::palette::Palette;
use crate::state::{TrackMeter, UiState};
use crate::widgets::{chars_in, fill, fit, on, text, text_right, Layout};

/// Draws the track screen.
pub(crate) fn draw<D: DrawTarget<Color = C>, C: Palette>(
    state: &UiState,
    target: &mut D,
    layout: &Layout,
) -> Result<(), D::Error> {
    let font = layout.text;
    let title_font = if layout.large { layout.big } else { font };
    let pad = if layout.large { 4 } else { 0 };
    text(target, "TRACKS", Point::new(pad, 0), title_font, C::TEXT)?;
    let armed = state.tracks.iter().filter(|t| t.armed).count();
    let count = format!("{armed}/{} armed", state.tracks.len());
    let count_y = title_font.character_size.height as i32 - font.character_size.height as i32;
    text_right(
        target,
        &count,
        Point::new(layout.width() - pad, count_y),
        font,
        C::TEXT,
    )?;
    let rule_y = title_font.character_size.height as i32 + 1;
    fill(
        target,
        Rectangle::new(Point::new(0, rule_y), Size::new(layout.size.width, 1)),
        C::DIM,
    )?;
    let top = rule_y + 3;
    if state.tracks.is_empty() {
        return text(target, "No tracks", Point::new(pad, top), font, C::TEXT);
    }
    let row_h = font.character_size.height as i32 + if layout.large { 2 } else { 0 };
    let rows = ((layout.height() - top) / row_h).max(1) as usize;
    let cursor = state.track_cursor.min(state.tracks.len() - 1);
    let first = first_row(cursor, rows, state.tracks.len());
    for (i, track) in state.tracks.iter().enumerate().skip(first).take(rows) {
        let y = top + (i - first) as i32 * row_h;
        let area = Rectangle::new(
            Point::new(0, y),
            Size::new(layout.size.width.saturating_sub(3), row_h as u32),
        );
        let editing = if i == cursor { state.name_cursor } else { None };
        row(target, layout, i, track, area, i == cursor, editing)?;
    }
    scroll_bar(target, layout, top, first, rows, state.tracks.len())
}

/// The first row shown: the list scrolls to keep the cursor near the middle.
fn first_row(cursor: usize, rows: usize, tracks: usize) -> usize {
    cursor
        .saturating_sub(rows / 2)
        .min(tracks.saturating_sub(rows))
}

/// One track's row.
fn row<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    layout: &Layout,
    index: usize,
    track: &TrackMeter,
    area: Rectangle,
    selected: bool,
    name_cursor: Option<usize>,
) -> Result<(), D::Error> {
    let font = layout.text;
    let band = if selected { C::CURSOR } else { C::BACKGROUND };
    fill(target, area, band)?;
    let fg = on(band);
    let y = area.top_left.y + (area.size.height as i32 - font.character_size.height as i32) / 2;
    let char_w = (font.character_size.width + font.character_spacing) as i32;
    let x = if layout.large { 4 } else { 1 };
    text(
        target,
        &format!("{:2}", index + 1),
        Point::new(x, y),
        font,
        fg,
    )?;
    // The armed box: outlined, filled when armed.
    let side = if layout.large { 14 } else { 7 };
    let box_at = Point::new(
        x + 2 * char_w + 4,
        area.top_left.y + (area.size.height as i32 - side) / 2,
    );
    let style = if track.armed {
        PrimitiveStyle::with_fill(if selected || !C::COLOUR {
            fg
        } else {
            C::RECORD
        })
    } else {
        PrimitiveStyle::with_stroke(fg, 1)
    };
    Rectangle::new(box_at, Size::new_equal(side as u32))
        .into_styled(style)
        .draw(target)?;
    let name_x = box_at.x + side + 4;
    let meter_w = if layout.large { 48 } else { 0 };
    let room = chars_in(font, area.size.width as i32 - name_x - meter_w - 2);
    let fallback = format!("Track {}", index + 1);
    let (name, color) = if track.name.is_empty() && name_cursor.is_none() {
        (fallback.as_str(), if selected { fg } else { C::DIM })
    } else {
        (track.name.as_str(), fg)
    };
    // While editing, scroll a long name so the cursor stays in view.
    let skip = name_cursor.map_or(0, |c| (c + 1).saturating_sub(room.max(1)));
    let shown: String = name.chars().skip(skip).collect();
    text(
        target,
        fit(&shown, room),
        Point::new(name_x, y),
        font,
        color,
    )?;
    if let Some(c) = name_cursor {
        let cx = name_x + (c - skip) as i32 * char_w;
        let under = Rectangle::new(
            Point::new(cx, y + font.character_size.height as i32 - 2),
            Size::new(char_w as u32, 2),
        );
        fill(target, under, fg)?;
    }
    if meter_w > 0 {
        let bar = Rectangle::new(
            Point::new(
                area.top_left.x + area.size.width as i32 - meter_w - 2,
                y + 6,
            ),
            Size::new(meter_w as u32, 8),
        );
        mini_meter(target, track, bar)?;
    }
    Ok(())
}

/// A horizontal meter in `area`, lit from the left; the clip colour at the right end when the
/// track has clipped.
fn mini_meter<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    track: &TrackMeter,
    area: Rectangle,
) -> Result<(), D::Error> {
    fill(target, area, C::METER_OFF)?;
    let lit = lit_pixels(track.peak_dbfs, area.size.width - 4);
    fill(
        target,
        Rectangle::new(area.top_left, Size::new(lit, area.size.height)),
        C::METER_LOW,
    )?;
    if track.clipped {
        let mark = Rectangle::new(
            area.top_left + Point::new(area.size.width as i32 - 3, 0),
            Size::new(3, area.size.height),
        );
        fill(target, mark, C::CLIP)?;
    }
    Ok(())
}

/// A thin bar at the right edge showing which part of the list is in view.
fn scroll_bar<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    layout: &Layout,
    top: i32,
    first: usize,
    rows: usize,
    tracks: usize,
) -> Result<(), D::Error> {
    if tracks <= rows {
        return Ok(());
    }
    let height = (layout.height() - top).max(0) as usize;
    let y = top + (first * height / tracks) as i32;
    let h = (rows * height / tracks).max(2) as u32;
    fill(
        target,
        Rectangle::new(Point::new(layout.width() - 2, y), Size::new(2, h)),
        C::TEXT,
    )
}

#[cfg(test)]
mod tests {
    use super::first_row;

    #[test]
    fn the_cursor_stays_in_view() {
        assert_eq!(first_row(0, 5, 64), 0);
        assert_eq!(first_row(2, 5, 64), 0);
        assert_eq!(first_row(10, 5, 64), 8);
        assert_eq!(first_row(63, 5, 64), 59);
        assert_eq!(first_row(3, 5, 4), 0);
        for cursor in 0..64 {
            let first = first_row(cursor, 5, 64);
            assert!((first..first + 5).contains(&cursor));
        }
    }
}
