#!/usr/bin/env python3
"""Compare a framebuffer dump with the sim's PNG of the same screen.

usage: compare-fb.py FB_RAW WIDTH HEIGHT BITS_PER_PIXEL STRIDE PNG

The screen (the PNG's size, one PNG pixel per screen pixel) must sit in the
framebuffer scaled up by the largest whole factor that fits and centred, as
Capstan's fbdev backend draws it, with everything around it black. Prints one
line saying what matched, or what did not, and exits 0 or 1. Python's
standard library only (zlib for the PNG).
"""

import struct
import sys
import zlib


def read_png(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (2, 6) or body[12] != 0:
                raise SystemExit(f"{path}: only 8-bit RGB(A), not interlaced")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append([tuple(line[x * channels : x * channels + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def fb_pixel(fb, stride, bpp, x, y):
    at = y * stride + x * (bpp // 8)
    if bpp == 32:
        b, g, r = fb[at], fb[at + 1], fb[at + 2]
        return (r, g, b)
    (v,) = struct.unpack("<H", fb[at : at + 2])
    r, g, b = v >> 11, (v >> 5) & 63, v & 31
    return ((r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2))


def main():
    fb_path, width, height, bpp, stride, png_path = sys.argv[1:7]
    width, height, bpp, stride = int(width), int(height), int(bpp), int(stride)
    fb = open(fb_path, "rb").read()
    if len(fb) < stride * height:
        raise SystemExit(f"{fb_path}: {len(fb)} bytes, a {width}x{height} framebuffer has {stride * height}")
    sw, sh, screen = read_png(png_path)
    scale = min(width // sw, height // sh)
    ox, oy = (width - sw * scale) // 2, (height - sh * scale) // 2
    colours = {p for row in screen for p in row}
    if len(colours) < 2:
        print(f"the sim's render is one colour {colours}: nothing to compare")
        return 1
    differ, border, first = 0, 0, None
    for y in range(height):
        for x in range(width):
            got = fb_pixel(fb, stride, bpp, x, y)
            sx, sy = (x - ox) // scale, (y - oy) // scale
            inside = x >= ox and y >= oy and sx < sw and sy < sh
            want = screen[sy][sx] if inside else (0, 0, 0)
            if got != want:
                if inside:
                    differ += 1
                else:
                    border += 1
                if first is None:
                    first = (x, y, got, want)
    if differ or border:
        x, y, got, want = first
        print(
            f"{differ} screen pixels and {border} border pixels differ from the sim's render "
            f"(first at device ({x}, {y}): framebuffer {got}, sim {want})"
        )
        return 1
    print(
        f"all {width}x{height} pixels match: the {sw}x{sh} screen scaled {scale}x at "
        f"({ox}, {oy}) is the sim's render pixel for pixel ({len(colours)} colours), "
        f"the rest black"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
