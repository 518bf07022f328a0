//! A 128x64 monochrome SSD1306 OLED on an I2C bus (`/dev/i2c-1` on a Pi's header), driven by the
//! ssd1306 crate in buffered graphics mode: a flush sends only the part that changed.

use std::path::PathBuf;

use ::ssd1306::mode::BufferedGraphicsMode;
use ::ssd1306::prelude::{DisplayConfig, DisplayRotation, DisplaySize128x64, I2CInterface};
use ::ssd1306::{I2CDisplayInterface, Ssd1306};
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_hal::i2c::I2c;
use linux_embedded_hal::I2cdev;

use super::{changed_area, remember, Display, DisplayError, Framebuffer};

/// Where the panel is and how it is mounted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ssd1306Config {
    /// The I2C bus's device file.
    pub bus: PathBuf,
    /// The panel's address on the bus: 0x3C, or 0x3D with its address pad bridged.
    pub address: u8,
    /// The panel is mounted upside down.
    pub rotate_180: bool,
}

impl Default for Ssd1306Config {
    /// A panel at 0x3C on the Pi header's I2C bus (GPIO 2 and 3).
    fn default() -> Self {
        Ssd1306Config {
            bus: PathBuf::from("/dev/i2c-1"),
            address: 0x3C,
            rotate_180: false,
        }
    }
}

type Driver<I> =
    Ssd1306<I2CInterface<I>, DisplaySize128x64, BufferedGraphicsMode<DisplaySize128x64>>;

/// An SSD1306 panel showing the screens, on a Linux I2C bus unless built on another with
/// [`Ssd1306Display::with_bus`].
pub struct Ssd1306Display<I = I2cdev> {
    driver: Driver<I>,
    canvas: Framebuffer<BinaryColor>,
    shown: Option<Framebuffer<BinaryColor>>,
    what: String,
}

impl Ssd1306Display<I2cdev> {
    /// Opens the bus and initialises the panel (display on, screen cleared on the first flush).
    pub fn open(config: &Ssd1306Config) -> Result<Self, DisplayError> {
        let what = format!(
            "the SSD1306 display at 0x{:02X} on {}",
            config.address,
            config.bus.display()
        );
        let i2c = I2cdev::new(&config.bus).map_err(|e| DisplayError::Io {
            what: format!("opening {what}"),
            source: std::io::Error::other(e),
        })?;
        Self::with_bus(i2c, config.address, config.rotate_180, what)
    }
}

impl<I: I2c> Ssd1306Display<I> {
    /// Initialises a panel at `address` on `i2c`, upside down when `rotate_180`; `what` names
    /// it in errors.
    pub fn with_bus(
        i2c: I,
        address: u8,
        rotate_180: bool,
        what: String,
    ) -> Result<Self, DisplayError> {
        let interface = I2CDisplayInterface::new_custom_address(i2c, address);
        let rotation = if rotate_180 {
            DisplayRotation::Rotate180
        } else {
            DisplayRotation::Rotate0
        };
        let mut driver =
            Ssd1306::new(interface, DisplaySize128x64, rotation).into_buffered_graphics_mode();
        driver
            .init()
            .map_err(|e| DisplayError::bus(format!("initialising {what}"), e))?;
        Ok(Ssd1306Display {
            driver,
            canvas: Framebuffer::new(capstan_ui::SMALL_PANEL),
            shown: None,
            what,
        })
    }
}

impl<I: I2c> Display for Ssd1306Display<I> {
    type Color = BinaryColor;

    fn canvas(&mut self) -> &mut Framebuffer<BinaryColor> {
        &mut self.canvas
    }

    fn flush(&mut self) -> Result<(), DisplayError> {
        let area = changed_area(&self.shown, &self.canvas);
        let Some(area) = area else {
            return Ok(());
        };
        // The driver sends the rectangle of pixels set since its last flush.
        for p in area.points() {
            let on = self.canvas.pixel(p).is_some_and(|c| c.is_on());
            self.driver.set_pixel(p.x as u32, p.y as u32, on);
        }
        self.driver
            .flush()
            .map_err(|e| DisplayError::bus(format!("writing to {}", self.what), e))?;
        remember(&mut self.shown, &self.canvas);
        Ok(())
    }
}
