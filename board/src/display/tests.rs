//! The framebuffer backend against a plain file laid out like `/dev/fb0`, and the sysfs
//! geometry it reads.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use embedded_graphics::pixelcolor::{BinaryColor, Rgb565, Rgb888};
use embedded_graphics::prelude::*;

use super::{Display, FbDisplay, FbGeometry, PixelLayout};

/// A scratch folder of its own for each test, removed at the end.
pub(super) struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("capstan-display-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file of `geometry`'s length filled with 0xAA, standing in for the device.
fn device(scratch: &Scratch, geometry: FbGeometry) -> (File, PathBuf) {
    let path = scratch.0.join("fb0");
    std::fs::write(&path, vec![0xAA; geometry.len() as usize]).unwrap();
    (OpenOptions::new().write(true).open(&path).unwrap(), path)
}

fn pixel_at(bytes: &[u8], geometry: FbGeometry, x: u32, y: u32) -> &[u8] {
    let bpp = geometry.bits_per_pixel as usize / 8;
    let at = y as usize * geometry.stride as usize + x as usize * bpp;
    &bytes[at..at + bpp]
}

#[test]
fn packs_both_layouts() {
    let mut out = Vec::new();
    PixelLayout::Rgb565.pack(Rgb888::new(255, 0, 0), &mut out);
    PixelLayout::Rgb565.pack(Rgb888::new(0, 0, 255), &mut out);
    PixelLayout::Xrgb8888.pack(Rgb888::new(1, 2, 3), &mut out);
    assert_eq!(out, [0x00, 0xF8, 0x1F, 0x00, 3, 2, 1, 0xff]);
    assert!(PixelLayout::from_bits(8)
        .unwrap_err()
        .to_string()
        .contains("fbset -depth 32"));
}

#[test]
fn a_16_bit_framebuffer_gets_the_screen_scaled_and_centred() {
    let scratch = Scratch::new("fb16");
    // 50x30 pixels with padded lines: an 8x6 screen fits 5 times across and down (40x30),
    // 5 pixels in from the left.
    let geometry = FbGeometry {
        size: Size::new(50, 30),
        bits_per_pixel: 16,
        stride: 104,
    };
    let (file, path) = device(&scratch, geometry);
    let mut display = FbDisplay::<Rgb565>::with_file(file, geometry, Size::new(8, 6)).unwrap();
    assert_eq!((display.scale(), display.origin()), (5, Point::new(5, 0)));
    Pixel(Point::new(0, 0), Rgb565::RED)
        .draw(display.canvas())
        .unwrap();
    Pixel(Point::new(7, 5), Rgb565::WHITE)
        .draw(display.canvas())
        .unwrap();
    display.flush().unwrap();

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 104 * 30, "nothing written past the end");
    let red = [0x00, 0xF8];
    for (x, y) in [(5, 0), (9, 4)] {
        assert_eq!(pixel_at(&bytes, geometry, x, y), red, "({x}, {y})");
    }
    assert_eq!(
        pixel_at(&bytes, geometry, 10, 0),
        [0, 0],
        "next screen pixel is black"
    );
    assert_eq!(pixel_at(&bytes, geometry, 4, 0), [0, 0], "border cleared");
    assert_eq!(pixel_at(&bytes, geometry, 44, 29), [0xFF, 0xFF]);
    assert_eq!(
        pixel_at(&bytes, geometry, 45, 29),
        [0, 0],
        "right border cleared"
    );
    assert_eq!(&bytes[100..104], [0xAA; 4], "line padding untouched");
}

#[test]
fn a_32_bit_framebuffer_gets_only_what_changed() {
    let scratch = Scratch::new("fb32");
    let geometry = FbGeometry {
        size: Size::new(16, 8),
        bits_per_pixel: 32,
        stride: 64,
    };
    let (file, path) = device(&scratch, geometry);
    let mut display = FbDisplay::<BinaryColor>::with_file(file, geometry, Size::new(8, 4)).unwrap();
    assert_eq!(display.scale(), 2);
    Pixel(Point::new(1, 1), BinaryColor::On)
        .draw(display.canvas())
        .unwrap();
    display.flush().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(pixel_at(&bytes, geometry, 2, 2), [255, 255, 255, 255]);
    assert_eq!(pixel_at(&bytes, geometry, 3, 3), [255, 255, 255, 255]);
    assert_eq!(pixel_at(&bytes, geometry, 4, 2), [0, 0, 0, 255]);

    // Mark a pixel the next frame does not change: a second flush must leave it alone.
    let mut marked = bytes.clone();
    marked[..4].copy_from_slice(&[9, 9, 9, 9]);
    std::fs::write(&path, &marked).unwrap();
    Pixel(Point::new(6, 3), BinaryColor::On)
        .draw(display.canvas())
        .unwrap();
    display.flush().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], [9, 9, 9, 9]);
    assert_eq!(pixel_at(&bytes, geometry, 13, 7), [255, 255, 255, 255]);
    assert_eq!(pixel_at(&bytes, geometry, 2, 2), [255, 255, 255, 255]);
}

#[test]
fn a_framebuffer_smaller_than_the_screen_is_refused() {
    let scratch = Scratch::new("fbsmall");
    let geometry = FbGeometry {
        size: Size::new(100, 50),
        bits_per_pixel: 32,
        stride: 400,
    };
    let (file, _) = device(&scratch, geometry);
    let e = FbDisplay::<Rgb565>::with_file(file, geometry, capstan_ui::SMALL_PANEL)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("100x50 pixels cannot hold a 128x64 screen"),
        "{e}"
    );
}
