//! The box's two LEDs behind one trait, [`Leds`]: GPIO output lines through the character
//! device on the box ([`cdev`]), a recording stand-in in the sim ([`sim`]). What they show is a
//! pure function of the box's state and the time ([`pattern`]).
#![forbid(unsafe_code)]

pub mod cdev;
pub mod pattern;
pub mod sim;

pub use cdev::CdevLeds;
pub use pattern::{levels, Blink, LedLevels, Warnings};
pub use sim::SimLeds;

use crate::profile::cdev::GpioError;

/// One of the box's LEDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Led {
    /// The red REC tally: lit while recording.
    RecTally,
    /// The warning LED: blinks while something needs the user's eye.
    Warning,
}

impl Led {
    /// All LEDs, in the order profiles list their lines.
    pub const ALL: [Led; 2] = [Led::RecTally, Led::Warning];

    /// The position of the LED in [`Led::ALL`].
    pub const fn index(self) -> usize {
        match self {
            Led::RecTally => 0,
            Led::Warning => 1,
        }
    }

    /// The name on the box.
    pub const fn label(self) -> &'static str {
        match self {
            Led::RecTally => "REC",
            Led::Warning => "WARN",
        }
    }
}

/// Why an LED could not be opened or set.
#[derive(Debug, thiserror::Error)]
pub enum LedError {
    /// The GPIO chip or a line could not be opened or requested.
    #[error(transparent)]
    Gpio(#[from] GpioError),
    /// Setting a line failed.
    #[error("setting the {led} LED (GPIO line {offset}): {source}")]
    Set {
        /// The LED's name.
        led: &'static str,
        /// Its line offset.
        offset: u32,
        /// The kernel's answer.
        #[source]
        source: gpio_cdev::Error,
    },
}

/// A set of LEDs that can be switched.
pub trait Leds {
    /// Lights (`on`) or darkens one LED.
    fn set(&mut self, led: Led, on: bool) -> Result<(), LedError>;

    /// Shows a set of levels, one call per LED.
    fn show(&mut self, levels: LedLevels) -> Result<(), LedError> {
        self.set(Led::RecTally, levels.rec_tally)?;
        self.set(Led::Warning, levels.warning)
    }
}

#[cfg(test)]
mod tests;
