//! The colours each screen element is drawn in, for a monochrome and a colour panel.

use embedded_graphics::pixelcolor::{BinaryColor, Rgb565, RgbColor, WebColors};

/// The colour of each role on a panel. On a monochrome panel every role but the background is
/// lit, and bands (REC, drops, critical alerts, the cursor) are drawn inverted.
pub trait Palette: embedded_graphics::prelude::PixelColor {
    /// True when the panel shows colour, so a role may be told by colour alone.
    const COLOUR: bool;
    /// Screen background.
    const BACKGROUND: Self;
    /// Normal text.
    const TEXT: Self;
    /// Secondary text: labels, units, scale marks.
    const DIM: Self;
    /// Background of the REC band and of armed marks.
    const RECORD: Self;
    /// Background of the PLAY band.
    const PLAY: Self;
    /// Background of the STOP band.
    const STOP: Self;
    /// Background of a warning band.
    const WARNING: Self;
    /// Background of a critical band (drops, card full, device failed).
    const CRITICAL: Self;
    /// Text on any band.
    const ON_BAND: Self;
    /// Meter bar below -18 dBFS.
    const METER_LOW: Self;
    /// Meter bar from -18 to -6 dBFS.
    const METER_MID: Self;
    /// Meter bar above -6 dBFS.
    const METER_HIGH: Self;
    /// The unlit part of a meter.
    const METER_OFF: Self;
    /// The peak-hold line.
    const HOLD: Self;
    /// The clip mark above a meter.
    const CLIP: Self;
    /// Background of the selected row.
    const CURSOR: Self;
}

impl Palette for BinaryColor {
    const COLOUR: bool = false;
    const BACKGROUND: Self = BinaryColor::Off;
    const TEXT: Self = BinaryColor::On;
    const DIM: Self = BinaryColor::On;
    const RECORD: Self = BinaryColor::On;
    const PLAY: Self = BinaryColor::On;
    const STOP: Self = BinaryColor::Off;
    const WARNING: Self = BinaryColor::Off;
    const CRITICAL: Self = BinaryColor::On;
    const ON_BAND: Self = BinaryColor::Off;
    const METER_LOW: Self = BinaryColor::On;
    const METER_MID: Self = BinaryColor::On;
    const METER_HIGH: Self = BinaryColor::On;
    const METER_OFF: Self = BinaryColor::Off;
    const HOLD: Self = BinaryColor::On;
    const CLIP: Self = BinaryColor::On;
    const CURSOR: Self = BinaryColor::On;
}

impl Palette for Rgb565 {
    const COLOUR: bool = true;
    const BACKGROUND: Self = Rgb565::BLACK;
    const TEXT: Self = Rgb565::WHITE;
    const DIM: Self = Rgb565::CSS_DARK_GRAY;
    const RECORD: Self = Rgb565::CSS_RED;
    const PLAY: Self = Rgb565::CSS_GREEN;
    const STOP: Self = Rgb565::CSS_DIM_GRAY;
    const WARNING: Self = Rgb565::CSS_DARK_ORANGE;
    const CRITICAL: Self = Rgb565::CSS_RED;
    const ON_BAND: Self = Rgb565::WHITE;
    const METER_LOW: Self = Rgb565::CSS_LIME_GREEN;
    const METER_MID: Self = Rgb565::CSS_GOLD;
    const METER_HIGH: Self = Rgb565::CSS_ORANGE_RED;
    const METER_OFF: Self = Rgb565::new(3, 6, 3);
    const HOLD: Self = Rgb565::WHITE;
    const CLIP: Self = Rgb565::RED;
    const CURSOR: Self = Rgb565::CSS_STEEL_BLUE;
}
