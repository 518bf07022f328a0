//! A panel that also keeps the sim's render of every state it shows: each state goes to the
//! panel, then to a [`SimDisplay`] of the same size and colours that writes it as a PNG
//! snapshot. A test compares what a real device shows (a framebuffer read back from a test
//! VM) with the sim's pixels of the very same state, clock and free-space texts included.

use std::path::Path;

use capstan_ui::UiState;
use embedded_graphics::pixelcolor::{BinaryColor, Rgb565, Rgb888};
use embedded_graphics::prelude::*;

use super::{DisplayConfig, DisplayError, Panel, SimDisplay};

/// The panel and its sim twin.
struct Mirrored {
    panel: Box<dyn Panel>,
    sim: Box<dyn Panel>,
}

impl Panel for Mirrored {
    fn show(&mut self, state: &UiState) -> Result<(), DisplayError> {
        // The panel first: once a snapshot of a state exists, the panel already shows it.
        self.panel.show(state)?;
        self.sim.show(state)
    }

    fn size(&mut self) -> Size {
        self.panel.size()
    }
}

/// A sim display writing `snapshot` at one pixel per screen pixel.
fn sim<C>(size: Size, snapshot: &Path) -> Box<dyn Panel>
where
    C: PixelColor + Default + Into<Rgb888> + capstan_ui::Palette + Send + 'static,
{
    Box::new(SimDisplay::<C>::new(size).with_snapshot(snapshot, 1))
}

/// `panel`, opened from `config`, that also writes each new frame to `snapshot` as a PNG drawn
/// by the sim in the panel's size and colours (monochrome for the SSD1306, RGB565 for the
/// rest), one PNG pixel per screen pixel.
pub fn mirrored(
    config: &DisplayConfig,
    mut panel: Box<dyn Panel>,
    snapshot: &Path,
) -> Box<dyn Panel> {
    let size = panel.size();
    let sim = match config {
        DisplayConfig::Ssd1306(_) | DisplayConfig::Sim { colour: false, .. } => {
            sim::<BinaryColor>(size, snapshot)
        }
        _ => sim::<Rgb565>(size, snapshot),
    };
    Box::new(Mirrored { panel, sim })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::tests::Scratch;
    use crate::display::{FbDisplay, FbGeometry, Ssd1306Config};
    use capstan_ui::{RgbImage, Transport, LARGE_PANEL, SMALL_PANEL};
    use std::fs::OpenOptions;

    /// The screen in a 32-bit framebuffer file, as RGB per screen pixel (the top-left device
    /// pixel of each `scale` x `scale` square).
    fn screen_in(bytes: &[u8], geometry: FbGeometry, scale: u32, origin: Point) -> Vec<[u8; 3]> {
        let mut out = Vec::new();
        for y in 0..LARGE_PANEL.height {
            for x in 0..LARGE_PANEL.width {
                let dx = origin.x as u32 + x * scale;
                let dy = origin.y as u32 + y * scale;
                let at = (dy * geometry.stride + dx * 4) as usize;
                out.push([bytes[at + 2], bytes[at + 1], bytes[at]]);
            }
        }
        out
    }

    #[test]
    fn the_framebuffer_and_the_snapshot_show_the_same_pixels() {
        let scratch = Scratch::new("mirror");
        let geometry = FbGeometry {
            size: Size::new(640, 480),
            bits_per_pixel: 32,
            stride: 640 * 4,
        };
        let fb_path = scratch.0.join("fb0");
        std::fs::write(&fb_path, vec![0u8; geometry.len() as usize]).unwrap();
        let file = OpenOptions::new().write(true).open(&fb_path).unwrap();
        let fb = FbDisplay::<Rgb565>::with_file(file, geometry, LARGE_PANEL).unwrap();
        let (scale, origin) = (fb.scale(), fb.origin());
        assert_eq!((scale, origin), (2, Point::new(80, 0)));
        let config = DisplayConfig::Framebuffer {
            device: "fb0".into(),
            size: LARGE_PANEL,
        };
        let png = scratch.0.join("screen.png");
        let mut panel = mirrored(&config, Box::new(fb), &png);
        assert_eq!(panel.size(), LARGE_PANEL);
        for transport in [Transport::Recording, Transport::Stopped] {
            let state = UiState {
                transport,
                take: "S01T007".into(),
                ..UiState::default()
            };
            panel.show(&state).unwrap();
            let image = RgbImage::from_png(&std::fs::read(&png).unwrap()).unwrap();
            assert_eq!(image.size, LARGE_PANEL, "one PNG pixel per screen pixel");
            let device = std::fs::read(&fb_path).unwrap();
            assert_eq!(screen_in(&device, geometry, scale, origin), image.pixels);
        }
        let image = RgbImage::from_png(&std::fs::read(&png).unwrap()).unwrap();
        assert_ne!(
            image.pixels[0],
            [255, 0, 0],
            "the last state shown, not the first"
        );
    }

    #[test]
    fn an_oled_is_mirrored_in_black_and_white() {
        let scratch = Scratch::new("mirror-mono");
        let png = scratch.0.join("screen.png");
        let inner = Box::new(SimDisplay::<BinaryColor>::new(SMALL_PANEL));
        let config = DisplayConfig::Ssd1306(Ssd1306Config::default());
        let mut panel = mirrored(&config, inner, &png);
        let state = UiState {
            transport: Transport::Recording,
            ..UiState::default()
        };
        panel.show(&state).unwrap();
        let image = RgbImage::from_png(&std::fs::read(&png).unwrap()).unwrap();
        assert_eq!(image.size, SMALL_PANEL);
        assert!(image
            .pixels
            .iter()
            .all(|p| *p == [0, 0, 0] || *p == [255, 255, 255]));
        assert!(image.pixels.contains(&[255, 255, 255]));
    }
}
