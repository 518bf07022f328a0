//! Decibels, gain limits and the linear ramp every gain change runs through.
//!
//! A gain change never jumps: over one period the gain moves in equal steps from where it was to
//! where it is going, reaching the new value exactly on the period's last frame. A step of `d`
//! in gain over a period of `n` frames thus changes the signal by at most `|d| / n` of its level
//! from one frame to the next, which is what keeps fader moves free of zipper noise and clicks.

/// Levels at or below this many dB are silence (gain exactly 0).
pub const SILENCE_DB: f32 = -144.0;

/// Highest trim, in dB.
pub const TRIM_MAX_DB: f32 = 18.0;

/// Highest fader level (tracks and buses) and send level, in dB.
pub const FADER_MAX_DB: f32 = 12.0;

/// The linear gain of a level in dB, with `-inf` (or anything at or below [`SILENCE_DB`]) giving
/// exactly 0 and anything above `max_db` limited to `max_db`. NaN is treated as silence.
///
/// This is realtime-safe.
pub fn db_to_gain(db: f32, max_db: f32) -> f32 {
    if db.is_nan() || db <= SILENCE_DB {
        return 0.0;
    }
    let db = db.min(max_db);
    (10f64.powf(f64::from(db) / 20.0)) as f32
}

/// The level in dB of a linear gain or amplitude (`-inf` for 0).
pub fn gain_to_db(gain: f32) -> f32 {
    20.0 * gain.abs().log10()
}

/// The ramp positions `(i + 1) / n` for `i` in `0..n`, written into `out[..n]`: multiplying a
/// gain difference by these walks from the old gain to exactly the new one in `n` equal steps.
///
/// This is realtime-safe.
pub fn fill_ramp(out: &mut [f32], n: usize) {
    let inv = 1.0 / n as f32;
    for (i, r) in out[..n].iter_mut().enumerate() {
        *r = (i + 1) as f32 * inv;
    }
    if n > 0 {
        // (n * (1/n)) may round below 1: the ramp must land on the target exactly.
        out[n - 1] = 1.0;
    }
}

/// Adds `src` scaled by a gain moving linearly from `from` to `to` (positions from
/// [`fill_ramp`]) into `dst`. A gain that stays at 0 adds nothing at all, so a muted or unsent
/// signal costs no time and cannot leak NaN into the bus.
///
/// `dst`, `src` and `ramp` must have the same length.
///
/// This is realtime-safe.
#[inline]
pub fn mix_ramped(dst: &mut [f32], src: &[f32], from: f32, to: f32, ramp: &[f32]) {
    let n = dst.len();
    let (src, ramp) = (&src[..n], &ramp[..n]);
    if from == to {
        if from == 0.0 {
            return;
        }
        for (d, s) in dst.iter_mut().zip(src) {
            *d += *s * from;
        }
    } else {
        let step = to - from;
        for ((d, s), r) in dst.iter_mut().zip(src).zip(ramp) {
            *d += *s * (from + step * *r);
        }
    }
}

/// Scales `buf` in place by a gain moving linearly from `from` to `to`, as [`mix_ramped`] does.
///
/// This is realtime-safe.
#[inline]
pub fn scale_ramped(buf: &mut [f32], from: f32, to: f32, ramp: &[f32]) {
    let ramp = &ramp[..buf.len()];
    if from == to {
        if from != 1.0 {
            for s in buf.iter_mut() {
                *s *= from;
            }
        }
    } else {
        let step = to - from;
        for (s, r) in buf.iter_mut().zip(ramp) {
            *s *= from + step * *r;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decibels() {
        assert_eq!(db_to_gain(0.0, FADER_MAX_DB), 1.0);
        assert_eq!(db_to_gain(f32::NEG_INFINITY, FADER_MAX_DB), 0.0);
        assert_eq!(db_to_gain(-200.0, FADER_MAX_DB), 0.0);
        assert_eq!(db_to_gain(f32::NAN, FADER_MAX_DB), 0.0);
        assert!((db_to_gain(-6.0, FADER_MAX_DB) - 0.501_187).abs() < 1e-6);
        // Above the limit the limit applies.
        assert_eq!(
            db_to_gain(40.0, FADER_MAX_DB),
            db_to_gain(12.0, FADER_MAX_DB)
        );
        assert!((db_to_gain(18.0, TRIM_MAX_DB) - 7.943_282).abs() < 1e-5);
        assert!((gain_to_db(0.5) + 6.0206).abs() < 1e-3);
    }

    #[test]
    fn ramp_lands_on_target() {
        for n in [1, 3, 7, 64, 96, 1000] {
            let mut r = vec![0.0; n];
            fill_ramp(&mut r, n);
            assert_eq!(r[n - 1], 1.0, "n = {n}");
            assert!(r.windows(2).all(|w| w[1] > w[0]));
            let mut dst = vec![0.0; n];
            mix_ramped(&mut dst, &vec![1.0; n], 0.25, 0.75, &r);
            assert_eq!(dst[n - 1], 0.75);
        }
    }

    #[test]
    fn zero_gain_adds_nothing_not_even_nan() {
        let mut dst = [1.0f32; 4];
        let r = [0.25, 0.5, 0.75, 1.0];
        mix_ramped(&mut dst, &[f32::NAN; 4], 0.0, 0.0, &r);
        assert_eq!(dst, [1.0; 4]);
        mix_ramped(&mut dst, &[2.0; 4], 0.5, 0.5, &r);
        assert_eq!(dst, [2.0; 4]);
    }
}
