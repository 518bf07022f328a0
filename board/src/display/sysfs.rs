//! A Linux framebuffer's geometry from sysfs (`/sys/class/graphics/fbN/`): no ioctl needed.

use std::path::Path;

use embedded_graphics::prelude::Size;

use super::DisplayError;

/// Where the kernel lists framebuffers.
pub(crate) const SYSFS_GRAPHICS: &str = "/sys/class/graphics";

/// The layout of a framebuffer's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FbGeometry {
    /// The visible resolution in pixels.
    pub size: Size,
    /// Bits of one pixel (16 and 32 are supported).
    pub bits_per_pixel: u32,
    /// Bytes from the start of one line to the next (at least width x bytes per pixel).
    pub stride: u32,
}

impl FbGeometry {
    /// Reads the geometry of framebuffer `name` (such as `fb0`) from sysfs.
    pub fn read(name: &str) -> Result<FbGeometry, DisplayError> {
        Self::read_from(&Path::new(SYSFS_GRAPHICS).join(name))
    }

    /// Reads the geometry from a sysfs folder of the same layout as
    /// `/sys/class/graphics/fbN`: `virtual_size` ("1024,768"), `bits_per_pixel`, `stride`, and
    /// `mode` ("U:640x480p-60"), whose resolution is the visible one when the virtual screen
    /// is taller (for panning).
    pub fn read_from(dir: &Path) -> Result<FbGeometry, DisplayError> {
        let read = |file: &str| {
            let path = dir.join(file);
            std::fs::read_to_string(&path)
                .map(|s| s.trim().to_string())
                .map_err(|source| DisplayError::Io {
                    what: format!("reading the framebuffer's {}", path.display()),
                    source,
                })
        };
        let number = |file: &str, text: &str| {
            text.parse::<u32>().map_err(|_| {
                DisplayError::Unsupported(format!(
                    "{}: expected a number, found {text:?}",
                    dir.join(file).display()
                ))
            })
        };
        let virtual_size = read("virtual_size")?;
        let (w, h) = virtual_size.split_once(',').unwrap_or((&virtual_size, ""));
        let mut size = Size::new(number("virtual_size", w)?, number("virtual_size", h)?);
        if let Some(visible) = read("mode").ok().as_deref().and_then(mode_size) {
            if visible.width <= size.width && visible.height <= size.height {
                size = visible;
            }
        }
        let bits_per_pixel = number("bits_per_pixel", &read("bits_per_pixel")?)?;
        let stride = number("stride", &read("stride")?)?;
        if stride < size.width * bits_per_pixel / 8 {
            return Err(DisplayError::Unsupported(format!(
                "{}: a stride of {stride} bytes is too short for {} pixels of {bits_per_pixel} bits",
                dir.display(),
                size.width
            )));
        }
        Ok(FbGeometry {
            size,
            bits_per_pixel,
            stride,
        })
    }

    /// Bytes of framebuffer memory the visible screen spans.
    pub fn len(&self) -> u64 {
        self.stride as u64 * self.size.height as u64
    }

    /// True for a screen of no lines.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The resolution in a sysfs mode line such as `U:640x480p-60` or `S:1920x1080i-50`.
fn mode_size(mode: &str) -> Option<Size> {
    let mode = mode.lines().next()?;
    let resolution = mode.split_once(':').map_or(mode, |(_, r)| r);
    let (w, rest) = resolution.split_once('x')?;
    let h: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(Size::new(w.parse().ok()?, h.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::display::tests::Scratch;

    fn sysfs(name: &str, files: &[(&str, &str)]) -> Scratch {
        let dir = Scratch::new(name);
        for (file, text) in files {
            std::fs::write(dir.0.join(file), format!("{text}\n")).unwrap();
        }
        dir
    }

    #[test]
    fn geometry_of_a_panning_framebuffer() {
        let dir = sysfs(
            "geometry1",
            &[
                ("virtual_size", "640,960"),
                ("bits_per_pixel", "32"),
                ("stride", "2560"),
                ("mode", "U:640x480p-60"),
            ],
        );
        let g = FbGeometry::read_from(dir.0.as_path()).unwrap();
        assert_eq!(
            g,
            FbGeometry {
                size: Size::new(640, 480),
                bits_per_pixel: 32,
                stride: 2560
            }
        );
        assert_eq!(g.len(), 2560 * 480);
    }

    #[test]
    fn geometry_without_a_mode_is_the_virtual_size() {
        let dir = sysfs(
            "geometry2",
            &[
                ("virtual_size", "240,240"),
                ("bits_per_pixel", "16"),
                ("stride", "480"),
            ],
        );
        let g = FbGeometry::read_from(dir.0.as_path()).unwrap();
        assert_eq!(g.size, Size::new(240, 240));
    }

    #[test]
    fn bad_geometry_is_refused_with_the_file_named() {
        let dir = sysfs(
            "geometry3",
            &[
                ("virtual_size", "640,480"),
                ("bits_per_pixel", "32"),
                ("stride", "100"),
            ],
        );
        let e = FbGeometry::read_from(dir.0.as_path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("stride of 100 bytes is too short"), "{e}");
        let dir = sysfs(
            "geometry4",
            &[
                ("virtual_size", "640x480"),
                ("bits_per_pixel", "32"),
                ("stride", "2560"),
            ],
        );
        let e = FbGeometry::read_from(dir.0.as_path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("virtual_size: expected a number"), "{e}");
        let e = FbGeometry::read_from(&dir.0.join("missing"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("reading the framebuffer's"), "{e}");
    }

    #[test]
    fn mode_lines() {
        assert_eq!(mode_size("U:640x480p-60"), Some(Size::new(640, 480)));
        assert_eq!(
            mode_size("S:1920x1080i-50\nU:800x600p-60"),
            Some(Size::new(1920, 1080))
        );
        assert_eq!(mode_size(""), None);
    }
}
