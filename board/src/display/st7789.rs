//! A 240x240 colour ST7789 LCD on SPI (`/dev/spidev0.0`), with GPIO lines for data/command,
//! reset and backlight, driven by mipidsi: a flush sends the rectangle that changed.

use std::path::PathBuf;
use std::thread::sleep;
use std::time::Duration;

use embedded_graphics::pixelcolor::Rgb565;
use embedded_hal::digital::OutputPin;
use embedded_hal::spi::SpiDevice;
use linux_embedded_hal::gpio_cdev::{Chip, LineHandle, LineRequestFlags};
use linux_embedded_hal::spidev::{SpiModeFlags, Spidev, SpidevOptions};
use linux_embedded_hal::{CdevPin, Delay, SpidevDevice};
use mipidsi::interface::SpiInterface;
use mipidsi::models::ST7789;
use mipidsi::options::ColorInversion;
use mipidsi::{Builder, NoResetPin};

use super::{changed_area, remember, Display, DisplayError, Framebuffer};

/// Bytes the SPI interface gathers before each transfer.
const SPI_BUFFER: usize = 4096;

/// Where the panel is and how it is wired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct St7789Config {
    /// The SPI device file (bus and chip select).
    pub spi: PathBuf,
    /// SPI clock in hertz.
    pub speed_hz: u32,
    /// The GPIO chip carrying the control lines.
    pub gpio_chip: PathBuf,
    /// The data/command line.
    pub dc: u32,
    /// The reset line, when wired (else the panel gets a software reset).
    pub reset: Option<u32>,
    /// The backlight line, when wired: driven high while the display is open.
    pub backlight: Option<u32>,
    /// The panel shows inverted colours unless told to invert them (most 240x240 modules do).
    pub invert_colors: bool,
}

impl Default for St7789Config {
    /// The wiring of the common 1.3" 240x240 HATs: SPI0 CE0, DC on GPIO 25, reset on 27,
    /// backlight on 24.
    fn default() -> Self {
        St7789Config {
            spi: PathBuf::from("/dev/spidev0.0"),
            speed_hz: 32_000_000,
            gpio_chip: PathBuf::from("/dev/gpiochip0"),
            dc: 25,
            reset: Some(27),
            backlight: Some(24),
            invert_colors: true,
        }
    }
}

type Driver<SPI, DC> = mipidsi::Display<SpiInterface<'static, SPI, DC>, ST7789, NoResetPin>;

/// An ST7789 panel showing the screens, on a Linux SPI device and a GPIO data/command line
/// unless built on other buses with [`St7789Display::with_bus`].
pub struct St7789Display<SPI: SpiDevice = SpidevDevice, DC: OutputPin = CdevPin> {
    driver: Driver<SPI, DC>,
    // Held so the backlight stays on: the kernel releases a line with its handle.
    _backlight: Option<LineHandle>,
    canvas: Framebuffer<Rgb565>,
    shown: Option<Framebuffer<Rgb565>>,
    what: String,
}

impl St7789Display<SpidevDevice, CdevPin> {
    /// Opens the SPI device and the control lines, resets and initialises the panel.
    pub fn open(config: &St7789Config) -> Result<Self, DisplayError> {
        let what = format!("the ST7789 display on {}", config.spi.display());
        let io = |doing: &str| {
            let what = format!("{doing} {what}");
            move |source| DisplayError::Io { what, source }
        };
        let mut spi = Spidev::open(&config.spi).map_err(io("opening"))?;
        let options = SpidevOptions::new()
            .bits_per_word(8)
            .max_speed_hz(config.speed_hz)
            .mode(SpiModeFlags::SPI_MODE_0)
            .build();
        spi.configure(&options).map_err(io("setting up SPI for"))?;
        let spi = SpidevDevice(spi);
        let mut chip =
            Chip::new(&config.gpio_chip).map_err(|e| gpio_error(&config.gpio_chip, e))?;
        let mut output = |line: u32, value: u8, name: &str| {
            chip.get_line(line)
                .and_then(|l| l.request(LineRequestFlags::OUTPUT, value, name))
                .map_err(|e| gpio_error(&config.gpio_chip, e))
        };
        let dc = CdevPin::new(output(config.dc, 0, "capstan-display-dc")?)
            .map_err(|e| gpio_error(&config.gpio_chip, e))?;
        if let Some(line) = config.reset {
            // A hardware reset pulse; mipidsi then sends its software reset as well.
            let reset = output(line, 0, "capstan-display-reset")?;
            sleep(Duration::from_millis(10));
            reset
                .set_value(1)
                .map_err(|e| gpio_error(&config.gpio_chip, e))?;
            sleep(Duration::from_millis(120));
        }
        let backlight = config
            .backlight
            .map(|line| output(line, 1, "capstan-display-backlight"))
            .transpose()?;
        let mut display = Self::with_bus(spi, dc, config.invert_colors, what)?;
        display._backlight = backlight;
        Ok(display)
    }
}

impl<SPI: SpiDevice, DC: OutputPin> St7789Display<SPI, DC> {
    /// Initialises a panel on `spi` with its data/command line `dc` (after any hardware reset);
    /// `what` names it in errors.
    ///
    /// The SPI interface's transfer buffer lives for the rest of the process: open the display
    /// once.
    pub fn with_bus(
        spi: SPI,
        dc: DC,
        invert_colors: bool,
        what: String,
    ) -> Result<Self, DisplayError> {
        let buffer: &'static mut [u8] = Box::leak(vec![0; SPI_BUFFER].into_boxed_slice());
        let inversion = if invert_colors {
            ColorInversion::Inverted
        } else {
            ColorInversion::Normal
        };
        let size = capstan_ui::LARGE_PANEL;
        let driver = Builder::new(ST7789, SpiInterface::new(spi, dc, buffer))
            .display_size(size.width as u16, size.height as u16)
            .invert_colors(inversion)
            .init(&mut Delay)
            .map_err(|e| DisplayError::bus(format!("initialising {what}"), e))?;
        Ok(St7789Display {
            driver,
            _backlight: None,
            canvas: Framebuffer::new(size),
            shown: None,
            what,
        })
    }
}

/// A GPIO error naming the chip.
fn gpio_error(chip: &std::path::Path, e: impl std::fmt::Debug) -> DisplayError {
    DisplayError::bus(
        format!("requesting the display's lines on {}", chip.display()),
        e,
    )
}

impl<SPI: SpiDevice, DC: OutputPin> Display for St7789Display<SPI, DC> {
    type Color = Rgb565;

    fn canvas(&mut self) -> &mut Framebuffer<Rgb565> {
        &mut self.canvas
    }

    fn flush(&mut self) -> Result<(), DisplayError> {
        let area = changed_area(&self.shown, &self.canvas);
        let Some(end) = area.and_then(|a| a.bottom_right()) else {
            return Ok(());
        };
        let start = area.expect("has a corner").top_left;
        let canvas = &self.canvas;
        let pixels = (start.y..=end.y).flat_map(|y| {
            canvas.row(y as u32)[start.x as usize..=end.x as usize]
                .iter()
                .copied()
        });
        self.driver
            .set_pixels(
                start.x as u16,
                start.y as u16,
                end.x as u16,
                end.y as u16,
                pixels,
            )
            .map_err(|e| DisplayError::bus(format!("writing to {}", self.what), e))?;
        remember(&mut self.shown, &self.canvas);
        Ok(())
    }
}
