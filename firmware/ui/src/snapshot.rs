//! Framebuffers as PNG images: the sim display's snapshots and the golden images of the tests.

use embedded_graphics::pixelcolor::{Rgb888, RgbColor};
use embedded_graphics::prelude::*;

use crate::framebuffer::Framebuffer;

/// An image as 8-bit RGB pixels, row after row: what a snapshot holds, compared exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbImage {
    /// Width and height in pixels.
    pub size: Size,
    /// `[r, g, b]` per pixel, row-major.
    pub pixels: Vec<[u8; 3]>,
}

impl RgbImage {
    /// The framebuffer's pixels in 8-bit RGB (monochrome: off black, on white).
    pub fn from_framebuffer<C: PixelColor + Into<Rgb888>>(fb: &Framebuffer<C>) -> Self {
        let pixels = fb
            .pixels()
            .iter()
            .map(|&c| {
                let c: Rgb888 = c.into();
                [c.r(), c.g(), c.b()]
            })
            .collect();
        RgbImage {
            size: fb.size(),
            pixels,
        }
    }

    /// The image as a PNG file, each pixel drawn as a `scale` x `scale` square (1 for the
    /// panel's own resolution, more to look at a small panel on a desktop screen).
    pub fn to_png(&self, scale: u32) -> Vec<u8> {
        let scale = scale.max(1) as usize;
        let (w, h) = (self.size.width as usize, self.size.height as usize);
        let mut data = Vec::with_capacity(w * h * 3 * scale * scale);
        for y in 0..h {
            let mut line = Vec::with_capacity(w * 3 * scale);
            for p in &self.pixels[y * w..][..w] {
                for _ in 0..scale {
                    line.extend_from_slice(p);
                }
            }
            for _ in 0..scale {
                data.extend_from_slice(&line);
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, (w * scale) as u32, (h * scale) as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Writing into a Vec cannot fail, and the data's length matches the header.
        let mut writer = encoder.write_header().expect("PNG header into memory");
        writer
            .write_image_data(&data)
            .expect("PNG data into memory");
        writer.finish().expect("PNG end into memory");
        out
    }

    /// Reads a PNG file (8-bit grey, grey with alpha, RGB or RGBA; alpha is dropped).
    pub fn from_png(bytes: &[u8]) -> Result<Self, png::DecodingError> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info()?;
        let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut buf)?;
        let channels = info.color_type.samples();
        let pixels = buf[..info.buffer_size()]
            .chunks_exact(channels)
            .map(|p| match channels {
                1 | 2 => [p[0]; 3],
                _ => [p[0], p[1], p[2]],
            })
            .collect();
        Ok(RgbImage {
            size: Size::new(info.width, info.height),
            pixels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::pixelcolor::{BinaryColor, Rgb565};

    #[test]
    fn png_round_trip_and_scaling() {
        let mut fb = Framebuffer::<Rgb565>::new(Size::new(3, 2));
        Pixel(Point::new(1, 0), Rgb565::RED).draw(&mut fb).unwrap();
        Pixel(Point::new(2, 1), Rgb565::WHITE)
            .draw(&mut fb)
            .unwrap();
        let image = RgbImage::from_framebuffer(&fb);
        assert_eq!(image.pixels[1], [255, 0, 0]);
        assert_eq!(image.pixels[5], [255, 255, 255]);
        assert_eq!(RgbImage::from_png(&image.to_png(1)).unwrap(), image);
        let big = RgbImage::from_png(&image.to_png(2)).unwrap();
        assert_eq!(big.size, Size::new(6, 4));
        assert_eq!(big.pixels[2..4], [[255, 0, 0]; 2]);
        assert_eq!(big.pixels[6 + 2..6 + 4], [[255, 0, 0]; 2]);
        assert_eq!(big.pixels[4 * 6 - 1], [255, 255, 255]);
    }

    #[test]
    fn monochrome_is_black_and_white() {
        let mut fb = Framebuffer::<BinaryColor>::new(Size::new(2, 1));
        Pixel(Point::new(0, 0), BinaryColor::On)
            .draw(&mut fb)
            .unwrap();
        let image = RgbImage::from_framebuffer(&fb);
        assert_eq!(image.pixels, vec![[255; 3], [0; 3]]);
    }
}
