//! Opening a profile's buttons and LEDs: the GPIO implementations for a GPIO board, keys and
//! sim LEDs for the sim.

use std::time::Duration;

use super::{BoardProfile, Wiring};
use crate::buttons::{ButtonError, Buttons, CdevButtons, DebounceConfig, KeyButtons};
use crate::leds::{CdevLeds, LedError, Leds, SimLeds};

impl BoardProfile {
    /// Opens the board's buttons; the sim reads its keys from standard input.
    pub fn open_buttons(&self, config: DebounceConfig) -> Result<Box<dyn Buttons>, ButtonError> {
        Ok(match &self.wiring {
            Wiring::Gpio(map) => Box::new(CdevButtons::open(&map.chip, &map.buttons, config)?),
            Wiring::Keys(keys) => Box::new(KeyButtons::new(keys.clone(), std::io::stdin(), config)),
        })
    }

    /// Opens the board's LEDs, dark; the sim prints their changes to standard error.
    pub fn open_leds(&self) -> Result<Box<dyn Leds>, LedError> {
        Ok(match &self.wiring {
            Wiring::Gpio(map) => Box::new(CdevLeds::open(&map.chip, &map.leds)?),
            Wiring::Keys(_) => Box::new(SimLeds::echoing()),
        })
    }
}

/// How often a UI loop should wait on the buttons at most, so the kernel's 16-event queue per
/// line never fills and the LEDs blink on time.
pub const POLL_INTERVAL: Duration = Duration::from_millis(20);
