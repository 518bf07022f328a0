//! Raw sample conversion: full scale in each format, the channel-major layout, rounding and
//! clamping on the way out; 16- and 24-bit samples survive the trip through `f32` bit for bit
//! in any channel count, and 32-bit ones to within `f32`'s precision.

use capstan_mixer::convert::{deinterleave, encode};
use capstan_mixer::RawFormat;
use proptest::prelude::*;

/// Converts interleaved `raw` to `f32` and back, re-interleaving through the channel-major
/// buffer with a stride longer than the frames.
fn round_trip(format: RawFormat, raw: &[u8], channels: usize) -> Vec<u8> {
    let frames = raw.len() / (channels * format.bytes());
    let stride = frames + 3;
    let mut planes = vec![0.0f32; channels * stride];
    deinterleave(format, raw, channels, frames, &mut planes, stride);
    let interleaved: Vec<f32> = (0..frames * channels)
        .map(|i| planes[(i % channels) * stride + i / channels])
        .collect();
    let mut back = vec![0u8; raw.len()];
    encode(format, &interleaved, &mut back);
    back
}

fn frames_of(bytes: usize) -> impl Strategy<Value = (usize, Vec<u8>)> {
    (1usize..9, 1usize..40).prop_flat_map(move |(ch, fr)| {
        (
            Just(ch),
            prop::collection::vec(any::<u8>(), ch * fr * bytes),
        )
    })
}

const ALL: [RawFormat; 5] = [
    RawFormat::S16Le,
    RawFormat::S24_3Le,
    RawFormat::S24Le,
    RawFormat::S32Le,
    RawFormat::FloatLe,
];

#[test]
fn decodes_each_format_to_full_scale() {
    let mut out = [0.0f32; 4];
    deinterleave(
        RawFormat::S16Le,
        &[0x00, 0x80, 0xff, 0x7f],
        2,
        1,
        &mut out,
        2,
    );
    assert_eq!(out[0], -1.0);
    assert_eq!(out[2], 32_767.0 / 32_768.0);
    deinterleave(
        RawFormat::S24_3Le,
        &[0x00, 0x00, 0x80, 0x01, 0x00, 0x00],
        2,
        1,
        &mut out,
        2,
    );
    assert_eq!(out[0], -1.0);
    assert_eq!(out[2], 1.0 / 8_388_608.0);
    // S24_LE ignores the top byte.
    deinterleave(
        RawFormat::S24Le,
        &[0xff, 0xff, 0xff, 0x12],
        1,
        1,
        &mut out,
        1,
    );
    assert_eq!(out[0], -1.0 / 8_388_608.0);
    deinterleave(RawFormat::S32Le, &[0, 0, 0, 0x80], 1, 1, &mut out, 1);
    assert_eq!(out[0], -1.0);
    deinterleave(
        RawFormat::FloatLe,
        &0.25f32.to_le_bytes(),
        1,
        1,
        &mut out,
        1,
    );
    assert_eq!(out[0], 0.25);
}

#[test]
fn deinterleaves_channel_major() {
    // 3 channels, 2 frames of S16: frame f channel c = 100 * f + c.
    let mut raw = Vec::new();
    for f in 0..2i16 {
        for c in 0..3i16 {
            raw.extend_from_slice(&(100 * f + c).to_le_bytes());
        }
    }
    let mut out = [9.0f32; 12];
    deinterleave(RawFormat::S16Le, &raw, 3, 2, &mut out, 4);
    let v: Vec<i32> = out.iter().map(|x| (x * 32_768.0) as i32).collect();
    assert_eq!(&v[0..2], &[0, 100]);
    assert_eq!(&v[4..6], &[1, 101]);
    assert_eq!(&v[8..10], &[2, 102]);
    // Past `frames` in each stride nothing is touched.
    assert_eq!(out[3], 9.0);
}

#[test]
fn round_trips_every_format() {
    let xs = [0.0, 0.5, -0.5, -1.0, 0.125, -0.375, 1.0 / 1024.0];
    for format in ALL {
        let mut raw = vec![0u8; xs.len() * format.bytes()];
        encode(format, &xs, &mut raw);
        let mut back = vec![0.0f32; xs.len()];
        deinterleave(format, &raw, 1, xs.len(), &mut back, xs.len());
        assert_eq!(back, xs, "{}", format.alsa_name());
    }
}

#[test]
fn encoding_clamps_and_rounds() {
    let xs = [1.5, -1.5, 1.0, f32::NAN, 0.6 / 32_768.0];
    let mut raw = [0u8; 10];
    encode(RawFormat::S16Le, &xs, &mut raw);
    let v: Vec<i16> = raw
        .chunks(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    assert_eq!(v, [32_767, -32_768, 32_767, 0, 1]);

    let mut raw = [0u8; 15];
    encode(RawFormat::S24_3Le, &xs, &mut raw);
    let v: Vec<i32> = raw
        .chunks(3)
        .map(|b| i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8)
        .collect();
    assert_eq!(v, [8_388_607, -8_388_608, 8_388_607, 0, 154]);

    let mut raw = [0u8; 20];
    encode(RawFormat::S32Le, &xs, &mut raw);
    let v: Vec<i32> = raw
        .chunks(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(v[..4], [i32::MAX, i32::MIN, i32::MAX, 0]);
}

proptest! {
    #[test]
    fn s16_is_lossless((ch, raw) in frames_of(2)) {
        prop_assert_eq!(round_trip(RawFormat::S16Le, &raw, ch), raw);
    }

    #[test]
    fn s24_3_is_lossless((ch, raw) in frames_of(3)) {
        prop_assert_eq!(round_trip(RawFormat::S24_3Le, &raw, ch), raw);
    }

    #[test]
    fn s24_in_4_is_lossless_but_for_the_unused_byte((ch, raw) in frames_of(4)) {
        let back = round_trip(RawFormat::S24Le, &raw, ch);
        for (a, b) in raw.chunks(4).zip(back.chunks(4)) {
            prop_assert_eq!(&a[..3], &b[..3]);
            // The top byte is written as the sign of the 24-bit sample.
            prop_assert_eq!(b[3], if a[2] & 0x80 != 0 { 0xff } else { 0 });
        }
    }

    #[test]
    fn float_is_lossless(xs in prop::collection::vec(-4.0f32..4.0, 1..64)) {
        let mut raw = vec![0u8; xs.len() * 4];
        encode(RawFormat::FloatLe, &xs, &mut raw);
        prop_assert_eq!(round_trip(RawFormat::FloatLe, &raw, 1), raw);
    }

    #[test]
    fn s32_is_within_f32_precision(vs in prop::collection::vec(any::<i32>(), 1..64)) {
        let raw: Vec<u8> = vs.iter().flat_map(|v| v.to_le_bytes()).collect();
        let back = round_trip(RawFormat::S32Le, &raw, 1);
        for (v, b) in vs.iter().zip(back.chunks(4)) {
            let w = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            // 24 bits of mantissa: within 2^7 of the original, saturating at the top.
            prop_assert!((i64::from(*v) - i64::from(w)).abs() <= 128, "{} -> {}", v, w);
        }
    }
}
