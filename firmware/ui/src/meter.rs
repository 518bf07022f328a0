//! Track meters: one vertical bar per track with a peak-hold line, a clip mark above and an
//! armed mark below.

use embedded_graphics::mono_font::iso_8859_1::FONT_6X10;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use crate::palette::Palette;
use crate::state::{TrackMeter, MAX_TRACKS};
use crate::widgets::{fill, text};

/// The quietest level a meter shows; anything below reads as an empty bar.
pub const METER_FLOOR_DBFS: f32 = -60.0;

/// Pixels of a bar `height` tall lit by a level of `dbfs`: 0 at or below
/// [`METER_FLOOR_DBFS`] (and for NaN), `height` at or above full scale.
pub fn lit_pixels(dbfs: f32, height: u32) -> u32 {
    let fraction = (dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS;
    if fraction.is_nan() || fraction <= 0.0 {
        0
    } else {
        (fraction.min(1.0) * height as f32).round() as u32
    }
}

/// How meters are laid out in their area.
pub(crate) struct MeterStyle {
    /// Height of the clip mark.
    pub clip: u32,
    /// Height of the armed mark.
    pub armed: u32,
    /// Widest bar.
    pub max_bar: u32,
    /// Draw track numbers under the bars when they fit.
    pub numbers: bool,
}

/// Draws the meters of `tracks` (at most [`MAX_TRACKS`]) side by side in `area`.
pub(crate) fn meters<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    tracks: &[TrackMeter],
    first_number: usize,
    area: Rectangle,
    style: &MeterStyle,
) -> Result<(), D::Error> {
    let tracks = &tracks[..tracks.len().min(MAX_TRACKS)];
    if tracks.is_empty() {
        return Ok(());
    }
    let n = tracks.len() as u32;
    // Few tracks gather in the middle rather than spread over the whole width.
    let pitch = (area.size.width / n).clamp(1, style.max_bar * 3 / 2);
    let gap = match pitch {
        0..=1 => 0,
        2..=5 => 1,
        _ => 2,
    };
    let bar = (pitch - gap).min(style.max_bar);
    let used = pitch * (n - 1) + bar;
    let left = area.top_left.x + (area.size.width.saturating_sub(used) / 2) as i32;
    let numbers = style.numbers && pitch >= 13;
    let label_h = if numbers { 11 } else { 0 };
    let bar_h = area
        .size
        .height
        .saturating_sub(style.clip + 1 + style.armed + 1 + label_h);
    let top = area.top_left.y;
    for (i, track) in tracks.iter().enumerate() {
        let x = left + (i as u32 * pitch) as i32;
        if track.clipped {
            fill(
                target,
                Rectangle::new(Point::new(x, top), Size::new(bar, style.clip)),
                C::CLIP,
            )?;
        }
        let bar_top = top + style.clip as i32 + 1;
        bar_column(target, track, Point::new(x, bar_top), Size::new(bar, bar_h))?;
        let armed_y = bar_top + bar_h as i32 + 1;
        if track.armed {
            fill(
                target,
                Rectangle::new(Point::new(x, armed_y), Size::new(bar, style.armed)),
                C::RECORD,
            )?;
        }
        if numbers {
            let label = (first_number + i + 1).to_string();
            let w = label.len() as i32 * 6;
            let at = Point::new(x + (bar as i32 - w) / 2, armed_y + style.armed as i32 + 1);
            text(target, &label, at, &FONT_6X10, C::DIM)?;
        }
    }
    Ok(())
}

/// Draws one bar with its top-left corner at `at`: lit from the bottom in the colour of each
/// level zone, unlit above, and the hold line.
fn bar_column<D: DrawTarget<Color = C>, C: Palette>(
    target: &mut D,
    track: &TrackMeter,
    at: Point,
    size: Size,
) -> Result<(), D::Error> {
    let h = size.height;
    let lit = lit_pixels(track.peak_dbfs, h);
    let bottom = at.y + h as i32;
    fill(
        target,
        Rectangle::new(at, Size::new(size.width, h - lit)),
        C::METER_OFF,
    )?;
    let zones = [
        (lit_pixels(-18.0, h), C::METER_LOW),
        (lit_pixels(-6.0, h), C::METER_MID),
        (h, C::METER_HIGH),
    ];
    let mut from = 0;
    for (to, color) in zones {
        let to = to.min(lit);
        if to > from {
            let area = Rectangle::new(
                Point::new(at.x, bottom - to as i32),
                Size::new(size.width, to - from),
            );
            fill(target, area, color)?;
            from = to;
        }
    }
    if lit == 0 && !C::COLOUR && h > 0 {
        // A monochrome panel has no unlit colour: a silent track keeps a floor line so that
        // every track can be seen.
        let floor = Rectangle::new(Point::new(at.x, bottom - 1), Size::new(size.width, 1));
        fill(target, floor, C::METER_LOW)?;
    }
    let hold = lit_pixels(track.hold_dbfs, h);
    // On a monochrome panel a hold line inside the lit bar could not be seen: only above it.
    if hold > lit || (C::COLOUR && hold > 0) {
        let line = Rectangle::new(
            Point::new(at.x, bottom - hold as i32),
            Size::new(size.width, 1),
        );
        fill(target, line, C::HOLD)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_onto_the_bar() {
        assert_eq!(lit_pixels(f32::NEG_INFINITY, 40), 0);
        assert_eq!(lit_pixels(f32::NAN, 40), 0);
        assert_eq!(lit_pixels(-60.0, 40), 0);
        assert_eq!(lit_pixels(-30.0, 40), 20);
        assert_eq!(lit_pixels(0.0, 40), 40);
        assert_eq!(lit_pixels(3.0, 40), 40);
    }
}
