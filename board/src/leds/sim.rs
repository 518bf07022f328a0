//! LEDs without GPIO: they remember their levels and every change (for tests), and can print
//! each change to standard error (for a desktop).

use super::{Led, LedError, Leds};

/// Simulated LEDs.
#[derive(Debug, Default)]
pub struct SimLeds {
    levels: [bool; 2],
    changes: Vec<(Led, bool)>,
    echo: bool,
}

impl SimLeds {
    /// LEDs that only remember.
    pub fn new() -> Self {
        SimLeds::default()
    }

    /// LEDs that also print each change to standard error, e.g. `LED REC on`.
    pub fn echoing() -> Self {
        SimLeds {
            echo: true,
            ..SimLeds::default()
        }
    }

    /// Whether an LED is lit.
    pub fn is_lit(&self, led: Led) -> bool {
        self.levels[led.index()]
    }

    /// Every change so far, oldest first.
    pub fn changes(&self) -> &[(Led, bool)] {
        &self.changes
    }
}

impl Leds for SimLeds {
    fn set(&mut self, led: Led, on: bool) -> Result<(), LedError> {
        let level = &mut self.levels[led.index()];
        if *level != on {
            *level = on;
            self.changes.push((led, on));
            if self.echo {
                eprintln!("LED {} {}", led.label(), if on { "on" } else { "off" });
            }
        }
        Ok(())
    }
}
