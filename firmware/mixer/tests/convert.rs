//! Raw sample conversion: 16- and 24-bit samples survive the trip through `f32` bit for bit, in
//! any channel count, and 32-bit ones to within `f32`'s precision.

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
