//! Opening a profile's GPIO chip and lines through the character device (gpio-cdev, v1 uAPI).
//! Shared by the button and LED implementations.

use gpio_cdev::{Chip, LineRequestFlags};

use super::{ChipRef, Pin};

/// The v1 uAPI's `GPIOHANDLE_REQUEST_BIAS_PULL_UP` (`linux/gpio.h`, Linux 5.5 and later). gpio-cdev
/// 0.6 names only the flags of the first uAPI release, but hands the bits to the kernel as they
/// are, so the bias is asked for with the kernel's own value.
pub const BIAS_PULL_UP: u32 = 1 << 5;

/// The label lines are requested under, shown by `gpioinfo`.
pub const CONSUMER: &str = "capstan";

/// A GPIO chip or line that could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum GpioError {
    /// No chip carries the profile's label.
    #[error("no GPIO chip labelled \"{0}\": check the board profile (gpiodetect lists the chips)")]
    NoChip(String),
    /// The kernel refused to open a chip or hand out a line.
    #[error("{what}: {source}; check the board profile's chip and line offsets, and that no other program holds the line (gpioinfo shows who does)")]
    Kernel {
        /// Which chip or line.
        what: String,
        /// The kernel's answer.
        #[source]
        source: gpio_cdev::Error,
    },
}

/// Opens the chip a profile names.
pub fn open_chip(chip: &ChipRef) -> Result<Chip, GpioError> {
    match chip {
        ChipRef::Path(path) => Chip::new(path).map_err(|source| GpioError::Kernel {
            what: format!("opening GPIO chip {}", path.display()),
            source,
        }),
        ChipRef::Label(label) => {
            let chips = gpio_cdev::chips().map_err(|source| GpioError::Kernel {
                what: "listing GPIO chips in /dev".to_string(),
                source,
            })?;
            chips
                .filter_map(Result::ok)
                .find(|c| c.label() == label)
                .ok_or_else(|| GpioError::NoChip(label.clone()))
        }
    }
}

/// The request flags of an input line: active-low and pull-up as the pin says.
pub fn input_flags(pin: Pin) -> LineRequestFlags {
    let mut flags = LineRequestFlags::INPUT;
    if pin.active_low {
        flags |= LineRequestFlags::ACTIVE_LOW;
    }
    if pin.pull_up {
        flags |= LineRequestFlags::from_bits_retain(BIAS_PULL_UP);
    }
    flags
}

/// The request flags of an output line.
pub fn output_flags(pin: Pin) -> LineRequestFlags {
    if pin.active_low {
        LineRequestFlags::OUTPUT | LineRequestFlags::ACTIVE_LOW
    } else {
        LineRequestFlags::OUTPUT
    }
}
