//! The LEDs on GPIO output lines through the character device (gpio-cdev, v1 uAPI).

use gpio_cdev::LineHandle;

use super::{Led, LedError, Leds};
use crate::profile::cdev::{open_chip, output_flags, GpioError, CONSUMER};
use crate::profile::{ChipRef, Pin};

/// One requested LED line and its last level.
#[derive(Debug)]
struct LedLine {
    offset: u32,
    handle: LineHandle,
    lit: bool,
}

/// The two LEDs on GPIO lines, both dark at start.
#[derive(Debug)]
pub struct CdevLeds {
    lines: Vec<LedLine>,
}

impl CdevLeds {
    /// Opens `chip` and requests one output line per LED (`pins` in [`Led::ALL`] order), dark.
    pub fn open(chip: &ChipRef, pins: &[Pin; 2]) -> Result<Self, LedError> {
        let mut chip = open_chip(chip)?;
        let mut lines = Vec::with_capacity(2);
        for (led, &pin) in Led::ALL.into_iter().zip(pins) {
            let what = || {
                format!(
                    "requesting GPIO line {} for the {} LED",
                    pin.offset,
                    led.label()
                )
            };
            let line = chip
                .get_line(pin.offset)
                .map_err(|source| GpioError::Kernel {
                    what: what(),
                    source,
                })?;
            let handle = line
                .request(output_flags(pin), 0, CONSUMER)
                .map_err(|source| GpioError::Kernel {
                    what: what(),
                    source,
                })?;
            lines.push(LedLine {
                offset: pin.offset,
                handle,
                lit: false,
            });
        }
        Ok(CdevLeds { lines })
    }
}

impl Leds for CdevLeds {
    fn set(&mut self, led: Led, on: bool) -> Result<(), LedError> {
        let line = &mut self.lines[led.index()];
        if line.lit == on {
            return Ok(());
        }
        line.handle
            .set_value(u8::from(on))
            .map_err(|source| LedError::Set {
                led: led.label(),
                offset: line.offset,
                source,
            })?;
        line.lit = on;
        Ok(())
    }
}
