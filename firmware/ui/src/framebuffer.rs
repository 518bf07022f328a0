//! An in-memory framebuffer: the screens draw into it, a display backend sends what changed to
//! the panel, tests compare it with golden images.

use std::convert::Infallible;

use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;

/// A `width` x `height` grid of pixels in row-major order, drawable with embedded-graphics.
#[derive(Debug, PartialEq, Eq)]
pub struct Framebuffer<C> {
    size: Size,
    pixels: Vec<C>,
}

impl<C: Clone> Clone for Framebuffer<C> {
    fn clone(&self) -> Self {
        Framebuffer {
            size: self.size,
            pixels: self.pixels.clone(),
        }
    }

    /// Copies `source` into the pixels already allocated: a backend keeps the last frame it
    /// sent this way without allocating for each frame.
    fn clone_from(&mut self, source: &Self) {
        self.size = source.size;
        self.pixels.clone_from(&source.pixels);
    }
}

impl<C: PixelColor> Framebuffer<C> {
    /// A framebuffer of `size` with every pixel `color`.
    pub fn filled(size: Size, color: C) -> Self {
        Framebuffer {
            size,
            pixels: vec![color; (size.width * size.height) as usize],
        }
    }

    /// The pixel at `p`, or `None` outside the framebuffer.
    pub fn pixel(&self, p: Point) -> Option<C> {
        self.index(p).map(|i| self.pixels[i])
    }

    /// Every pixel, row after row from the top-left corner.
    pub fn pixels(&self) -> &[C] {
        &self.pixels
    }

    /// The pixels of row `y` (panics when `y` is not below the height).
    pub fn row(&self, y: u32) -> &[C] {
        let w = self.size.width as usize;
        &self.pixels[y as usize * w..][..w]
    }

    /// The smallest rectangle holding every pixel that differs from `other`; `None` when the
    /// two are the same, and the whole framebuffer when their sizes differ. A backend sends
    /// only this area to the panel.
    pub fn changed_area(&self, other: &Framebuffer<C>) -> Option<Rectangle> {
        if self.size != other.size {
            return Some(self.bounding_box());
        }
        let (mut min, mut max) = (Point::new(i32::MAX, i32::MAX), Point::new(-1, -1));
        for y in 0..self.size.height {
            let (a, b) = (self.row(y), other.row(y));
            let Some(first) = a.iter().zip(b).position(|(p, q)| p != q) else {
                continue;
            };
            let last = a.iter().zip(b).rposition(|(p, q)| p != q).unwrap_or(first);
            min = Point::new(min.x.min(first as i32), min.y.min(y as i32));
            max = Point::new(max.x.max(last as i32), y as i32);
        }
        (max.y >= 0).then(|| Rectangle::with_corners(min, max))
    }

    fn index(&self, p: Point) -> Option<usize> {
        let (w, h) = (self.size.width as i32, self.size.height as i32);
        ((0..w).contains(&p.x) && (0..h).contains(&p.y)).then(|| (p.y * w + p.x) as usize)
    }
}

impl<C: PixelColor + Default> Framebuffer<C> {
    /// A framebuffer of `size` with every pixel the colour's default (off, black).
    pub fn new(size: Size) -> Self {
        Self::filled(size, C::default())
    }
}

impl<C: PixelColor> OriginDimensions for Framebuffer<C> {
    fn size(&self) -> Size {
        self.size
    }
}

impl<C: PixelColor> DrawTarget for Framebuffer<C> {
    type Color = C;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(p, color) in pixels {
            if let Some(i) = self.index(p) {
                self.pixels[i] = color;
            }
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Self::Color) -> Result<(), Self::Error> {
        let area = area.intersection(&self.bounding_box());
        let Some(bottom_right) = area.bottom_right() else {
            return Ok(());
        };
        let w = self.size.width as usize;
        let (x0, x1) = (area.top_left.x as usize, bottom_right.x as usize);
        for y in area.top_left.y as usize..=bottom_right.y as usize {
            self.pixels[y * w + x0..=y * w + x1].fill(color);
        }
        Ok(())
    }

    fn clear(&mut self, color: Self::Color) -> Result<(), Self::Error> {
        self.pixels.fill(color);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::pixelcolor::BinaryColor;

    #[test]
    fn draws_clips_and_finds_changes() {
        let mut fb = Framebuffer::<BinaryColor>::new(Size::new(8, 4));
        let before = fb.clone();
        assert_eq!(fb.changed_area(&before), None);
        Pixel(Point::new(2, 1), BinaryColor::On)
            .draw(&mut fb)
            .unwrap();
        Pixel(Point::new(9, 1), BinaryColor::On)
            .draw(&mut fb)
            .unwrap();
        Pixel(Point::new(-1, 0), BinaryColor::On)
            .draw(&mut fb)
            .unwrap();
        fb.fill_solid(
            &Rectangle::new(Point::new(6, 2), Size::new(5, 5)),
            BinaryColor::On,
        )
        .unwrap();
        assert_eq!(fb.pixel(Point::new(2, 1)), Some(BinaryColor::On));
        assert_eq!(fb.pixel(Point::new(8, 1)), None);
        assert_eq!(fb.pixels().iter().filter(|p| p.is_on()).count(), 1 + 2 * 2);
        assert_eq!(
            fb.changed_area(&before),
            Some(Rectangle::with_corners(Point::new(2, 1), Point::new(7, 3)))
        );
        assert_eq!(
            fb.row(3),
            &[
                BinaryColor::Off,
                BinaryColor::Off,
                BinaryColor::Off,
                BinaryColor::Off,
                BinaryColor::Off,
                BinaryColor::Off,
                BinaryColor::On,
                BinaryColor::On
            ]
        );
        let other = Framebuffer::<BinaryColor>::new(Size::new(4, 4));
        assert_eq!(fb.changed_area(&other), Some(fb.bounding_box()));
    }
}
