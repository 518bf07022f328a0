//! Board profiles: which GPIO chip and lines carry the buttons and LEDs on each board the box
//! is built on, or which keys stand in for them in the sim. Chosen by name in the config
//! (`pi4`, `cm4-io`, `sim`); a profile names everything the real and sim implementations need
//! to open, so a test can point the real one at a gpio-sim chip instead.
#![forbid(unsafe_code)]

pub mod cdev;
mod open;
pub mod pi;
pub mod sim;

use std::path::PathBuf;

pub use open::POLL_INTERVAL;

use crate::buttons::Button;
use crate::leds::Led;

/// Where a GPIO chip is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChipRef {
    /// A character device, e.g. `/dev/gpiochip0` (what a gpio-sim chip is opened by).
    Path(PathBuf),
    /// The first chip whose kernel label matches, e.g. `pinctrl-bcm2711`: stable across kernels
    /// that number the chips differently.
    Label(String),
}

/// One GPIO line and how it is wired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin {
    /// Line offset on the chip (the BCM GPIO number on a Pi's main chip).
    pub offset: u32,
    /// The line reads low when active: a button to ground with a pull-up, or an LED sinking
    /// current into the pin.
    pub active_low: bool,
    /// Ask the kernel for the line's pull-up (inputs only; see [`cdev::BIAS_PULL_UP`]).
    pub pull_up: bool,
}

impl Pin {
    /// A button to ground with a pull-up: active-low.
    pub const fn button(offset: u32) -> Pin {
        Pin {
            offset,
            active_low: true,
            pull_up: true,
        }
    }

    /// An LED from the pin through its resistor to ground: active-high.
    pub const fn led(offset: u32) -> Pin {
        Pin {
            offset,
            active_low: false,
            pull_up: false,
        }
    }
}

/// The GPIO wiring of a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpioMap {
    /// The chip all lines are on.
    pub chip: ChipRef,
    /// One line per button, in [`Button::ALL`] order.
    pub buttons: [Pin; 4],
    /// One line per LED, in [`Led::ALL`] order.
    pub leds: [Pin; 2],
}

impl GpioMap {
    /// The line of a button.
    pub fn button(&self, button: Button) -> Pin {
        self.buttons[button.index()]
    }

    /// The line of an LED.
    pub fn led(&self, led: Led) -> Pin {
        self.leds[led.index()]
    }
}

/// How a board's buttons and LEDs are reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wiring {
    /// GPIO lines through the character device.
    Gpio(GpioMap),
    /// Keyboard keys for the buttons, LEDs shown in the terminal.
    Keys(sim::KeyMap),
}

/// A board the box runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardProfile {
    /// The name the config uses.
    pub name: &'static str,
    /// A line for the log and `--help`.
    pub description: &'static str,
    /// Its buttons and LEDs.
    pub wiring: Wiring,
}

/// The names [`BoardProfile::by_name`] knows.
pub const NAMES: [&str; 3] = ["pi4", "cm4-io", "sim"];

/// A board profile name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown board profile \"{0}\": use one of pi4, cm4-io, sim")]
pub struct UnknownProfile(pub String);

impl BoardProfile {
    /// The profile of that name.
    pub fn by_name(name: &str) -> Result<BoardProfile, UnknownProfile> {
        match name {
            "pi4" => Ok(pi::pi4()),
            "cm4-io" => Ok(pi::cm4_io()),
            "sim" => Ok(sim::sim()),
            other => Err(UnknownProfile(other.to_string())),
        }
    }

    /// The same board with its GPIO lines on another chip, e.g. a gpio-sim chip in a test.
    /// A keys profile is returned unchanged.
    pub fn on_chip(mut self, chip: ChipRef) -> BoardProfile {
        if let Wiring::Gpio(map) = &mut self.wiring {
            map.chip = chip;
        }
        self
    }
}

#[cfg(test)]
mod tests;
