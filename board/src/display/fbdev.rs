//! A Linux framebuffer device (`/dev/fbN`) as the display: the screen is scaled up by the
//! largest whole factor that fits, centred, and written with `pwrite` at each changed line's
//! offset. No mmap and no ioctl: the geometry comes from sysfs ([`FbGeometry`]).

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;

use embedded_graphics::pixelcolor::{Rgb565, Rgb888};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

use super::{remember, Display, DisplayError, FbGeometry, Framebuffer};

/// How a pixel is stored in framebuffer memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelLayout {
    /// 16 bits, little-endian, red in the top 5 bits, green 6, blue the low 5.
    Rgb565,
    /// 32 bits, little-endian: blue, green, red, then an unused byte written as 0xff.
    Xrgb8888,
}

impl PixelLayout {
    /// The layout the kernel uses for `bits_per_pixel` on true-colour framebuffers.
    pub fn from_bits(bits_per_pixel: u32) -> Result<PixelLayout, DisplayError> {
        match bits_per_pixel {
            16 => Ok(PixelLayout::Rgb565),
            32 => Ok(PixelLayout::Xrgb8888),
            other => Err(DisplayError::Unsupported(format!(
                "the framebuffer has {other} bits per pixel; Capstan draws on 16 or 32: set it \
                 with `fbset -depth 32` or by writing 32 to /sys/class/graphics/fbN/bits_per_pixel"
            ))),
        }
    }

    /// Bytes of one pixel.
    pub const fn bytes(self) -> usize {
        match self {
            PixelLayout::Rgb565 => 2,
            PixelLayout::Xrgb8888 => 4,
        }
    }

    /// Appends `color` in this layout to `out`.
    pub fn pack(self, color: Rgb888, out: &mut Vec<u8>) {
        match self {
            PixelLayout::Rgb565 => {
                out.extend_from_slice(&Rgb565::from(color).into_storage().to_le_bytes())
            }
            PixelLayout::Xrgb8888 => {
                out.extend_from_slice(&[color.b(), color.g(), color.r(), 0xff])
            }
        }
    }
}

/// A Linux framebuffer device showing the screens.
pub struct FbDisplay<C> {
    file: File,
    geometry: FbGeometry,
    layout: PixelLayout,
    scale: u32,
    origin: Point,
    canvas: Framebuffer<C>,
    shown: Option<Framebuffer<C>>,
    line: Vec<u8>,
}

impl<C: PixelColor + Default + Into<Rgb888>> FbDisplay<C> {
    /// Opens `/dev/<name>` (such as `fb0`) to show a screen of `size`, with the geometry from
    /// sysfs.
    pub fn open(name: &str, size: Size) -> Result<Self, DisplayError> {
        let geometry = FbGeometry::read(name)?;
        let path = Path::new("/dev").join(name);
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|source| DisplayError::Io {
                what: format!("opening the framebuffer {}", path.display()),
                source,
            })?;
        Self::with_file(file, geometry, size)
    }

    /// Shows a screen of `size` on `file`, laid out as `geometry` says: the framebuffer device,
    /// or a plain file of the same layout in tests.
    pub fn with_file(file: File, geometry: FbGeometry, size: Size) -> Result<Self, DisplayError> {
        let layout = PixelLayout::from_bits(geometry.bits_per_pixel)?;
        let fit = |device: u32, screen: u32| device.checked_div(screen).unwrap_or(0);
        let scale =
            fit(geometry.size.width, size.width).min(fit(geometry.size.height, size.height));
        if scale == 0 {
            return Err(DisplayError::Unsupported(format!(
                "the framebuffer's {}x{} pixels cannot hold a {}x{} screen",
                geometry.size.width, geometry.size.height, size.width, size.height
            )));
        }
        let origin = Point::new(
            ((geometry.size.width - size.width * scale) / 2) as i32,
            ((geometry.size.height - size.height * scale) / 2) as i32,
        );
        Ok(FbDisplay {
            file,
            geometry,
            layout,
            scale,
            origin,
            canvas: Framebuffer::new(size),
            shown: None,
            line: Vec::new(),
        })
    }

    /// Device pixels per screen pixel, across and down.
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// Where the screen's top-left corner lands on the device.
    pub fn origin(&self) -> Point {
        self.origin
    }

    /// Writes `bytes` at `offset` of the device.
    fn write_at(&self, bytes: &[u8], offset: u64) -> Result<(), DisplayError> {
        self.file
            .write_all_at(bytes, offset)
            .map_err(|source| DisplayError::Io {
                what: format!(
                    "writing {} bytes to the framebuffer at offset {offset}",
                    bytes.len()
                ),
                source,
            })
    }

    /// Paints every visible line of the device black, borders included.
    fn clear_device(&mut self) -> Result<(), DisplayError> {
        let mut line = Vec::with_capacity(self.geometry.stride as usize);
        for _ in 0..self.geometry.size.width {
            self.layout.pack(Rgb888::BLACK, &mut line);
        }
        for y in 0..self.geometry.size.height {
            self.write_at(&line, y as u64 * self.geometry.stride as u64)?;
        }
        Ok(())
    }

    /// Writes the screen's `area`, each screen line `scale` times.
    fn write_area(&mut self, area: Rectangle) -> Result<(), DisplayError> {
        let Some(end) = area.bottom_right() else {
            return Ok(());
        };
        let (x0, x1) = (area.top_left.x as usize, end.x as usize);
        let bpp = self.layout.bytes() as u64;
        let mut line = std::mem::take(&mut self.line);
        for y in area.top_left.y..=end.y {
            line.clear();
            for &c in &self.canvas.row(y as u32)[x0..=x1] {
                for _ in 0..self.scale {
                    self.layout.pack(c.into(), &mut line);
                }
            }
            let x = self.origin.x as u64 + x0 as u64 * self.scale as u64;
            for k in 0..self.scale {
                let device_y = self.origin.y as u64 + y as u64 * self.scale as u64 + k as u64;
                self.write_at(&line, device_y * self.geometry.stride as u64 + x * bpp)?;
            }
        }
        self.line = line;
        Ok(())
    }
}

impl<C: PixelColor + Default + Into<Rgb888>> Display for FbDisplay<C> {
    type Color = C;

    fn canvas(&mut self) -> &mut Framebuffer<C> {
        &mut self.canvas
    }

    fn flush(&mut self) -> Result<(), DisplayError> {
        let area = match &self.shown {
            Some(shown) => self.canvas.changed_area(shown),
            None => {
                self.clear_device()?;
                Some(self.canvas.bounding_box())
            }
        };
        if let Some(area) = area {
            self.write_area(area)?;
            remember(&mut self.shown, &self.canvas);
        }
        Ok(())
    }
}
