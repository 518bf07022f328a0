//! A framebuffer drawn in a terminal with half-block characters: two pixel rows per text line,
//! so a 128x64 screen takes 128 columns and 32 lines.

use std::fmt::Write;

use crate::snapshot::RgbImage;

/// The image in plain half blocks (` `, `▀`, `▄`, `█`): a pixel is lit when it is brighter than
/// mid grey. For monochrome panels and terminals without colour. Lines end in `\n`.
pub fn half_blocks(image: &RgbImage) -> String {
    let lit = |p: [u8; 3]| (p[0] as u32 * 2 + p[1] as u32 * 5 + p[2] as u32) > 128 * 8;
    render(image, |out, top, bottom| {
        out.push(match (lit(top), lit(bottom)) {
            (false, false) => ' ',
            (true, false) => '▀',
            (false, true) => '▄',
            (true, true) => '█',
        });
    })
}

/// The image in colour: `▀` with the top pixel as the 24-bit foreground and the bottom one as
/// the background, escapes only where the colour changes, and the colours reset at the end of
/// each line.
pub fn ansi_half_blocks(image: &RgbImage) -> String {
    let mut last = None;
    let mut out = render(image, |out, top, bottom| {
        if out.ends_with('\n') || out.is_empty() {
            last = None;
        }
        if last != Some((top, bottom)) {
            let [r, g, b] = top;
            let [br, bg, bb] = bottom;
            // Writing into a String cannot fail.
            let _ = write!(out, "\x1b[38;2;{r};{g};{b};48;2;{br};{bg};{bb}m");
            last = Some((top, bottom));
        }
        out.push('▀');
    });
    out = out.replace('\n', "\x1b[0m\n");
    out
}

/// Walks the image two rows at a time, calling `cell` for each column, with a newline after each
/// pair of rows; an odd last row pairs with black.
fn render(image: &RgbImage, mut cell: impl FnMut(&mut String, [u8; 3], [u8; 3])) -> String {
    let (w, h) = (image.size.width as usize, image.size.height as usize);
    let mut out = String::with_capacity((w * 4 + 8) * h.div_ceil(2));
    for y in (0..h).step_by(2) {
        for x in 0..w {
            let top = image.pixels[y * w + x];
            let bottom = if y + 1 < h {
                image.pixels[(y + 1) * w + x]
            } else {
                [0; 3]
            };
            cell(&mut out, top, bottom);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::prelude::Size;

    fn image(w: u32, h: u32, lit: &[usize]) -> RgbImage {
        let mut pixels = vec![[0; 3]; (w * h) as usize];
        for &i in lit {
            pixels[i] = [255, 255, 255];
        }
        RgbImage {
            size: Size::new(w, h),
            pixels,
        }
    }

    #[test]
    fn two_rows_per_line() {
        // 3x3: row 0 = (on, off, on), row 1 = (on, on, off), row 2 = (off, on, off)
        let img = image(3, 3, &[0, 2, 3, 4, 7]);
        assert_eq!(half_blocks(&img), "█▄▀\n ▀ \n");
    }

    #[test]
    fn colour_escapes_only_on_change() {
        let mut img = image(3, 2, &[]);
        img.pixels[0] = [255, 0, 0];
        img.pixels[1] = [255, 0, 0];
        let out = ansi_half_blocks(&img);
        assert_eq!(
            out,
            "\x1b[38;2;255;0;0;48;2;0;0;0m▀▀\x1b[38;2;0;0;0;48;2;0;0;0m▀\x1b[0m\n"
        );
    }
}
