//! Conversion between a device's raw interleaved sample bytes and the mixer's `f32`.
//!
//! Integer formats map full scale to ±1.0: a sample `v` of `b` bits becomes `v / 2^(b-1)`, which
//! is exact for 16- and 24-bit samples. On the way out, samples are scaled back, rounded to the
//! nearest integer and limited to the format's range, so anything beyond ±1.0 clips cleanly
//! instead of wrapping; NaN becomes 0.

use serde::{Deserialize, Serialize};

/// A sample format as an ALSA device delivers or takes it, little endian, interleaved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RawFormat {
    /// `S16_LE`: 16-bit signed integer in 2 bytes.
    #[serde(rename = "S16_LE")]
    S16Le,
    /// `S24_3LE`: 24-bit signed integer packed in 3 bytes.
    #[serde(rename = "S24_3LE")]
    S24_3Le,
    /// `S24_LE`: 24-bit signed integer in the low 3 bytes of 4 (the top byte is ignored).
    #[serde(rename = "S24_LE")]
    S24Le,
    /// `S32_LE`: 32-bit signed integer in 4 bytes.
    #[serde(rename = "S32_LE")]
    S32Le,
    /// `FLOAT_LE`: 32-bit IEEE float, full scale at ±1.0.
    #[serde(rename = "FLOAT_LE")]
    FloatLe,
}

impl RawFormat {
    /// Bytes one sample of this format takes.
    pub const fn bytes(self) -> usize {
        match self {
            RawFormat::S16Le => 2,
            RawFormat::S24_3Le => 3,
            RawFormat::S24Le | RawFormat::S32Le | RawFormat::FloatLe => 4,
        }
    }

    /// The format's ALSA name, e.g. `S24_3LE`.
    pub const fn alsa_name(self) -> &'static str {
        match self {
            RawFormat::S16Le => "S16_LE",
            RawFormat::S24_3Le => "S24_3LE",
            RawFormat::S24Le => "S24_LE",
            RawFormat::S32Le => "S32_LE",
            RawFormat::FloatLe => "FLOAT_LE",
        }
    }
}

const S16: f32 = 1.0 / 32_768.0;
const S24: f32 = 1.0 / 8_388_608.0;
const S32: f32 = 1.0 / 2_147_483_648.0;

/// Converts `frames` interleaved frames of `channels` channels in `format` from `input` into
/// channel-major `f32`: channel `c`'s samples land in `out[c * stride..][..frames]`.
///
/// `input` must hold at least `frames * channels * format.bytes()` bytes and `out` at least
/// `channels * stride` samples, with `frames <= stride`.
///
/// This is realtime-safe.
pub fn deinterleave(
    format: RawFormat,
    input: &[u8],
    channels: usize,
    frames: usize,
    out: &mut [f32],
    stride: usize,
) {
    assert!(frames <= stride, "a channel's frames must fit its stride");
    let frame_bytes = channels * format.bytes();
    let input = &input[..frames * frame_bytes];
    let out = &mut out[..channels * stride];
    match format {
        RawFormat::S16Le => spread::<2>(input, channels, out, stride, |b| {
            f32::from(i16::from_le_bytes(b)) * S16
        }),
        RawFormat::S24_3Le => spread_s24_3(input, channels, frames, out, stride),
        RawFormat::S24Le => spread::<4>(input, channels, out, stride, |b| {
            (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 * S24
        }),
        RawFormat::S32Le => spread::<4>(input, channels, out, stride, |b| {
            i32::from_le_bytes(b) as f32 * S32
        }),
        RawFormat::FloatLe => spread::<4>(input, channels, out, stride, f32::from_le_bytes),
    }
}

#[inline(always)]
fn spread<const B: usize>(
    input: &[u8],
    channels: usize,
    out: &mut [f32],
    stride: usize,
    decode: impl Fn([u8; B]) -> f32,
) {
    // Channel by channel: each channel's samples are written in order (the writes stream),
    // while the reads stride through the period's bytes, which stay in cache.
    let frame_bytes = channels * B;
    let frames = input.len() / frame_bytes;
    for (c, dst) in out.chunks_exact_mut(stride).take(channels).enumerate() {
        let samples = input[c * B..].windows(B).step_by(frame_bytes);
        for (d, s) in dst[..frames].iter_mut().zip(samples) {
            *d = decode(s.try_into().expect("B bytes"));
        }
    }
}

/// `S24_3LE` four channels at a time: each frame's 12 bytes for them are read together and
/// spread over the four channels' planes; leftover channels go one at a time.
fn spread_s24_3(input: &[u8], channels: usize, frames: usize, out: &mut [f32], stride: usize) {
    let frame_bytes = channels * 3;
    let quads = channels / 4;
    let (quad_planes, rest) = out[..channels * stride].split_at_mut(quads * 4 * stride);
    for (q, planes) in quad_planes.chunks_exact_mut(4 * stride).enumerate() {
        let (p0, p) = planes.split_at_mut(stride);
        let (p1, p) = p.split_at_mut(stride);
        let (p2, p3) = p.split_at_mut(stride);
        let samples = input[q * 12..].chunks(frame_bytes);
        let planes = p0[..frames]
            .iter_mut()
            .zip(&mut p1[..frames])
            .zip(&mut p2[..frames])
            .zip(&mut p3[..frames]);
        for ((((d0, d1), d2), d3), s) in planes.zip(samples) {
            let b: &[u8; 12] = s[..12].try_into().expect("12 bytes");
            *d0 = s24(b[0], b[1], b[2]);
            *d1 = s24(b[3], b[4], b[5]);
            *d2 = s24(b[6], b[7], b[8]);
            *d3 = s24(b[9], b[10], b[11]);
        }
    }
    for (k, dst) in rest.chunks_exact_mut(stride).enumerate() {
        let c = quads * 4 + k;
        for (d, s) in dst[..frames]
            .iter_mut()
            .zip(input[c * 3..].chunks(frame_bytes))
        {
            *d = s24(s[0], s[1], s[2]);
        }
    }
}

#[inline(always)]
fn s24(b0: u8, b1: u8, b2: u8) -> f32 {
    (i32::from_le_bytes([0, b0, b1, b2]) >> 8) as f32 * S24
}

/// Converts interleaved `f32` samples to `format` in `out`, which must hold at least
/// `input.len() * format.bytes()` bytes. Samples are rounded to the nearest integer and limited
/// to the format's range; NaN becomes 0. `FLOAT_LE` is written as is.
///
/// This is realtime-safe.
pub fn encode(format: RawFormat, input: &[f32], out: &mut [u8]) {
    let out = &mut out[..input.len() * format.bytes()];
    match format {
        RawFormat::S16Le => pack::<2>(input, out, |x| {
            // `as` saturates at the type's limits and maps NaN to 0.
            ((x * 32_768.0).round() as i16).to_le_bytes()
        }),
        RawFormat::S24_3Le => pack::<3>(input, out, |x| {
            let v = to_s24(x).to_le_bytes();
            [v[0], v[1], v[2]]
        }),
        RawFormat::S24Le => pack::<4>(input, out, |x| to_s24(x).to_le_bytes()),
        RawFormat::S32Le => pack::<4>(input, out, |x| {
            ((f64::from(x) * 2_147_483_648.0).round() as i32).to_le_bytes()
        }),
        RawFormat::FloatLe => pack::<4>(input, out, f32::to_le_bytes),
    }
}

fn to_s24(x: f32) -> i32 {
    ((x * 8_388_608.0).round() as i32).clamp(-8_388_608, 8_388_607)
}

#[inline(always)]
fn pack<const B: usize>(input: &[f32], out: &mut [u8], code: impl Fn(f32) -> [u8; B]) {
    for (o, &x) in out.chunks_exact_mut(B).zip(input) {
        o.copy_from_slice(&code(x));
    }
}
