//! Record time left on the card, and how times are written on screen.

use std::time::Duration;

/// Bytes per second that recording `tracks` armed tracks at `sample_rate` frames per second,
/// `bytes_per_sample` bytes each (2, 3 or 4), writes to the card.
pub const fn record_data_rate(tracks: u16, sample_rate: u32, bytes_per_sample: u16) -> u64 {
    tracks as u64 * sample_rate as u64 * bytes_per_sample as u64
}

/// Record time left with `free_bytes` free on the card at `bytes_per_second` (see
/// [`record_data_rate`]), rounded down to the second; `None` when nothing would be written
/// (no track armed), as the time is then unbounded.
pub fn remaining_record_time(free_bytes: u64, bytes_per_second: u64) -> Option<Duration> {
    (bytes_per_second > 0).then(|| Duration::from_secs(free_bytes / bytes_per_second))
}

/// A take's elapsed time as `H:MM:SS` (whole seconds, hours unbounded).
pub fn format_elapsed(elapsed: Duration) -> String {
    let s = elapsed.as_secs();
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Record time left, short: `5h07m` from an hour up, `47m` from a minute up, `59s` below.
pub fn format_remaining(remaining: Duration) -> String {
    let s = remaining.as_secs();
    match s {
        3600.. => format!("{}h{:02}m", s / 3600, s / 60 % 60),
        60.. => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_rate_of_a_64_track_24_bit_show() {
        assert_eq!(record_data_rate(64, 48_000, 3), 9_216_000);
        assert_eq!(record_data_rate(2, 44_100, 2), 176_400);
        assert_eq!(record_data_rate(0, 48_000, 3), 0);
    }

    #[test]
    fn remaining_time_from_free_bytes() {
        let rate = record_data_rate(64, 48_000, 3);
        // 32 GB free at 9.216 MB/s: 3472.2 s, rounded down.
        assert_eq!(
            remaining_record_time(32_000_000_000, rate),
            Some(Duration::from_secs(3472))
        );
        assert_eq!(remaining_record_time(rate - 1, rate), Some(Duration::ZERO));
        assert_eq!(remaining_record_time(0, rate), Some(Duration::ZERO));
        assert_eq!(remaining_record_time(1 << 40, 0), None);
        // A full 2 TB drive of 24-bit stereo at 192 kHz: no overflow.
        let stereo = record_data_rate(2, 192_000, 3);
        assert_eq!(
            remaining_record_time(u64::MAX, stereo),
            Some(Duration::from_secs(u64::MAX / stereo))
        );
    }

    #[test]
    fn elapsed_is_hours_minutes_seconds() {
        assert_eq!(format_elapsed(Duration::ZERO), "0:00:00");
        assert_eq!(format_elapsed(Duration::from_millis(59_999)), "0:00:59");
        assert_eq!(
            format_elapsed(Duration::from_secs(3 * 3600 + 7 * 60 + 5)),
            "3:07:05"
        );
        assert_eq!(format_elapsed(Duration::from_secs(27 * 3600)), "27:00:00");
    }

    #[test]
    fn remaining_is_short() {
        assert_eq!(format_remaining(Duration::from_secs(3472)), "57m");
        assert_eq!(
            format_remaining(Duration::from_secs(5 * 3600 + 7 * 60 + 59)),
            "5h07m"
        );
        assert_eq!(format_remaining(Duration::from_secs(59)), "59s");
        assert_eq!(format_remaining(Duration::from_secs(60)), "1m");
    }
}
