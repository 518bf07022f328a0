//! Choosing a display from the config, and the one call the UI thread makes on it.

use std::path::PathBuf;

use capstan_ui::{Palette, UiState};
use embedded_graphics::pixelcolor::{BinaryColor, Rgb565};
use embedded_graphics::prelude::*;

use super::{
    Display, DisplayError, FbDisplay, SimDisplay, Ssd1306Config, Ssd1306Display, St7789Config,
    St7789Display,
};

/// A display as the UI thread uses it, whatever its colour: draw a state and show it.
pub trait Panel: Send {
    /// Draws the screen `state` selects and sends what changed to the panel.
    fn show(&mut self, state: &UiState) -> Result<(), DisplayError>;

    /// The screen's size in pixels.
    fn size(&mut self) -> Size;
}

impl<D> Panel for D
where
    D: Display + Send,
    D::Color: Palette,
{
    fn show(&mut self, state: &UiState) -> Result<(), DisplayError> {
        let Ok(()) = capstan_ui::draw(state, self.canvas());
        self.flush()
    }

    fn size(&mut self) -> Size {
        self.canvas().size()
    }
}

/// Which display the box has, as the config names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisplayConfig {
    /// No display.
    None,
    /// A 128x64 SSD1306 OLED on I2C.
    Ssd1306(Ssd1306Config),
    /// A 240x240 ST7789 LCD on SPI.
    St7789(St7789Config),
    /// A Linux framebuffer device, such as `fb0`, showing a screen of `size` in colour.
    Framebuffer {
        /// The device's name under `/dev`.
        device: String,
        /// The screen drawn, scaled up to fit the device.
        size: Size,
    },
    /// No panel: frames go to a PNG file and the terminal.
    Sim {
        /// The screen drawn: [`capstan_ui::SMALL_PANEL`] or [`capstan_ui::LARGE_PANEL`].
        size: Size,
        /// Draw in colour (else monochrome, as the SSD1306 shows it).
        colour: bool,
        /// Where each new frame is written as a PNG, enlarged four times.
        snapshot: Option<PathBuf>,
        /// Draw each new frame on standard output with half-block characters.
        terminal: bool,
    },
}

/// Opens the display `config` names; `None` for [`DisplayConfig::None`].
pub fn open(config: &DisplayConfig) -> Result<Option<Box<dyn Panel>>, DisplayError> {
    Ok(Some(match config {
        DisplayConfig::None => return Ok(None),
        DisplayConfig::Ssd1306(c) => Box::new(Ssd1306Display::open(c)?),
        DisplayConfig::St7789(c) => Box::new(St7789Display::open(c)?),
        DisplayConfig::Framebuffer { device, size } => {
            Box::new(FbDisplay::<Rgb565>::open(device, *size)?)
        }
        DisplayConfig::Sim {
            size,
            colour: true,
            snapshot,
            terminal,
        } => Box::new(sim::<Rgb565>(*size, snapshot, *terminal, true)),
        DisplayConfig::Sim {
            size,
            colour: false,
            snapshot,
            terminal,
        } => Box::new(sim::<BinaryColor>(*size, snapshot, *terminal, false)),
    }))
}

/// A sim display with the outputs asked for.
fn sim<C>(size: Size, snapshot: &Option<PathBuf>, terminal: bool, colour: bool) -> SimDisplay<C>
where
    C: PixelColor + Default + Into<embedded_graphics::pixelcolor::Rgb888>,
{
    let mut display = SimDisplay::new(size);
    if let Some(path) = snapshot {
        display = display.with_snapshot(path, 4);
    }
    if terminal {
        display = display.with_terminal(std::io::stdout(), colour);
    }
    display
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::tests::Scratch;
    use capstan_ui::{RgbImage, Transport, LARGE_PANEL};

    #[test]
    fn a_sim_panel_shows_each_state() {
        let scratch = Scratch::new("open");
        let path = scratch.0.join("screen.png");
        let config = DisplayConfig::Sim {
            size: LARGE_PANEL,
            colour: true,
            snapshot: Some(path.clone()),
            terminal: false,
        };
        let mut panel = open(&config).unwrap().expect("a sim panel");
        assert_eq!(panel.size(), LARGE_PANEL);
        let recording = UiState {
            transport: Transport::Recording,
            ..UiState::default()
        };
        panel.show(&recording).unwrap();
        let image = RgbImage::from_png(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(image.size, LARGE_PANEL * 4);
        assert_eq!(image.pixels[0], [255, 0, 0], "the REC band is red");
        panel.show(&UiState::default()).unwrap();
        let image = RgbImage::from_png(&std::fs::read(&path).unwrap()).unwrap();
        assert_ne!(image.pixels[0], [255, 0, 0], "the STOP band is not");
        assert!(open(&DisplayConfig::None).unwrap().is_none());
    }

    #[test]
    fn a_missing_device_names_itself() {
        let config = DisplayConfig::Framebuffer {
            device: "fb-none".into(),
            size: LARGE_PANEL,
        };
        let e = open(&config).err().unwrap().to_string();
        assert!(e.contains("/sys/class/graphics/fb-none"), "{e}");
        let config = DisplayConfig::Ssd1306(Ssd1306Config {
            bus: "/dev/i2c-none".into(),
            ..Ssd1306Config::default()
        });
        let e = open(&config).err().unwrap().to_string();
        assert!(e.contains("/dev/i2c-none"), "{e}");
    }
}
