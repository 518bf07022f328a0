//! Pan and balance laws.
//!
//! A mono track is panned with the constant-power sine/cosine law: at position `p` in `-1..=1`
//! the left gain is `sin((1 - p)·π/4)` and the right gain `sin((1 + p)·π/4)`, so the two squared
//! gains always sum to one, the centre gives `1/√2` (−3.01 dB) to each side and a hard pan gives
//! exactly 1 to one side and exactly 0 to the other.
//!
//! A stereo track (a linked pair of inputs) and a stereo bus use balance instead: at the centre
//! both sides pass at unity; turning towards one side leaves that side at unity and fades the
//! other along a quarter cosine, `cos(|p|·π/2)`, to exactly 0 at the end.

use std::f64::consts::FRAC_PI_4;

/// Left and right gains of a mono signal panned to `pan` (−1 hard left, 0 centre, +1 hard
/// right; values outside are limited, NaN is the centre).
///
/// This is realtime-safe.
pub fn pan_gains(pan: f32) -> [f32; 2] {
    let p = f64::from(limit(pan));
    [
        ((1.0 - p) * FRAC_PI_4).sin() as f32,
        ((1.0 + p) * FRAC_PI_4).sin() as f32,
    ]
}

/// Left and right gains of a stereo signal with balance `balance` (−1 left only, 0 both at
/// unity, +1 right only; values outside are limited, NaN is the centre).
///
/// This is realtime-safe.
pub fn balance_gains(balance: f32) -> [f32; 2] {
    let b = f64::from(limit(balance));
    // sin((1 - |b|)·π/2) is cos(|b|·π/2) but exactly 0 at |b| = 1.
    let fade = ((1.0 - b.abs()) * 2.0 * FRAC_PI_4).sin() as f32;
    if b > 0.0 {
        [fade, 1.0]
    } else if b < 0.0 {
        [1.0, fade]
    } else {
        [1.0, 1.0]
    }
}

fn limit(p: f32) -> f32 {
    if p.is_nan() {
        0.0
    } else {
        p.clamp(-1.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gain::gain_to_db;

    #[test]
    fn centre_is_minus_3_db_each_side() {
        let [l, r] = pan_gains(0.0);
        assert_eq!(l, r);
        assert!(
            (gain_to_db(l) + 3.0103).abs() < 1e-3,
            "{} dB",
            gain_to_db(l)
        );
        assert!((l * l + r * r - 1.0).abs() < 1e-6);
    }

    #[test]
    fn hard_sides_are_exact() {
        assert_eq!(pan_gains(-1.0), [1.0, 0.0]);
        assert_eq!(pan_gains(1.0), [0.0, 1.0]);
        assert_eq!(pan_gains(-5.0), [1.0, 0.0]);
        assert_eq!(pan_gains(f32::NAN), pan_gains(0.0));
    }

    #[test]
    fn power_is_constant_across_the_pan() {
        for i in -20..=20 {
            let [l, r] = pan_gains(i as f32 / 20.0);
            assert!((l * l + r * r - 1.0).abs() < 1e-6, "pan {i}/20");
        }
        // Left falls and right rises as the pan moves right.
        let a = pan_gains(-0.3);
        let b = pan_gains(0.3);
        assert!(a[0] > b[0] && a[1] < b[1]);
        assert_eq!(a, [b[1], b[0]], "the law is symmetric");
    }

    #[test]
    fn balance() {
        assert_eq!(balance_gains(0.0), [1.0, 1.0]);
        assert_eq!(balance_gains(1.0), [0.0, 1.0]);
        assert_eq!(balance_gains(-1.0), [1.0, 0.0]);
        let [l, r] = balance_gains(0.5);
        assert_eq!(r, 1.0);
        assert!((l - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
    }
}
