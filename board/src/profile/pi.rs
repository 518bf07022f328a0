//! The Raspberry Pi 4 and the Compute Module 4 on its IO board. Both bring the BCM2711's bank 0
//! out on the same 40-pin header, and Capstan uses the same lines on both:
//!
//! | function        | BCM GPIO | header pin | wiring                                  |
//! |-----------------|----------|------------|-----------------------------------------|
//! | REC button      | 5        | 29         | to ground (pin 30), pull-up, active-low |
//! | PLAY button     | 6        | 31         | to ground (pin 34), pull-up, active-low |
//! | STOP button     | 13       | 33         | to ground (pin 34), pull-up, active-low |
//! | MARK/ARM button | 26       | 37         | to ground (pin 39), pull-up, active-low |
//! | REC tally LED   | 12       | 32         | 330 Ω and LED to ground, active-high    |
//! | warning LED     | 16       | 36         | 330 Ω and LED to ground, active-high    |
//!
//! Left free for the rest of the box: GPIO 0-1 (HAT ID EEPROM), 2-3 (I2C1: SSD1306 display,
//! codec control), 7-11 (SPI0: ST7789 display), 14-15 (UART console), 18-21 (I2S/PCM audio
//! HATs), 22-25 and 27 (display DC, reset and backlight lines).
//!
//! The buttons need the pull-up: GPIO 5 and 6 have one at reset, 13 and 26 a pull-down.
//! Capstan asks the kernel for it with the v1 uAPI's bias flag (Linux 5.5 and later). On an
//! older kernel, or to have the pulls set from power-on, put this line in `config.txt`:
//! `gpio=5,6,13,26=ip,pu`.

use super::{BoardProfile, ChipRef, GpioMap, Pin, Wiring};

/// The kernel label of the BCM2711's main GPIO chip, the same on Raspberry Pi OS and Debian
/// kernels (whose chip numbers differ).
pub const BCM2711_LABEL: &str = "pinctrl-bcm2711";

/// The header lines of the table above, on the BCM2711's main chip.
fn header_map() -> GpioMap {
    GpioMap {
        chip: ChipRef::Label(BCM2711_LABEL.to_string()),
        buttons: [
            Pin::button(5),
            Pin::button(6),
            Pin::button(13),
            Pin::button(26),
        ],
        leds: [Pin::led(12), Pin::led(16)],
    }
}

/// A Raspberry Pi 4 Model B.
pub fn pi4() -> BoardProfile {
    BoardProfile {
        name: "pi4",
        description: "Raspberry Pi 4: buttons on GPIO 5, 6, 13, 26, LEDs on GPIO 12, 16",
        wiring: Wiring::Gpio(header_map()),
    }
}

/// A Compute Module 4 on the CM4 IO board (its 40-pin header carries the same lines).
pub fn cm4_io() -> BoardProfile {
    BoardProfile {
        name: "cm4-io",
        description: "CM4 on the CM4 IO board: buttons on GPIO 5, 6, 13, 26, LEDs on GPIO 12, 16",
        wiring: Wiring::Gpio(header_map()),
    }
}
