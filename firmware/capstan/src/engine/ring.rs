//! Sizing the ring between the audio thread and the writer, from seconds in the config.

use capstan_board::audio::StreamSpec;
use capstan_board::memory::FilledProducer;

/// Loss events the event ring holds before further ones are only counted.
pub const EVENT_CAPACITY: usize = 4096;

/// How big the frame ring is, decided once at start and printed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RingPlan {
    /// Whole frames the ring holds.
    pub frames: usize,
    /// Bytes the ring takes (frames x frame size).
    pub bytes: usize,
    /// Seconds of audio it holds.
    pub seconds: f64,
}

impl RingPlan {
    /// The ring for `seconds` of `spec`, at least two periods.
    pub fn new(spec: StreamSpec, seconds: f64, period_frames: usize) -> RingPlan {
        let frames = ((seconds * f64::from(spec.rate)).ceil() as usize).max(2 * period_frames);
        RingPlan {
            frames,
            bytes: frames * spec.frame_bytes(),
            seconds: frames as f64 / f64::from(spec.rate),
        }
    }

    /// Creates the ring, faulted in and written through once, so the audio thread never takes
    /// a page fault on its first pass through the ring and can read the device straight into
    /// it (see [`capstan_board::memory::filled_ring`]).
    pub fn build(&self) -> (FilledProducer, rtrb::Consumer<u8>) {
        capstan_board::memory::filled_ring(self.bytes)
    }
}

impl std::fmt::Display for RingPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.1} s of audio, {:.1} MB",
            self.seconds,
            self.bytes as f64 / 1e6
        )
    }
}

/// Memory kept free besides the ring: the writer's page cache, the UI and the rest of the box.
pub const MEMORY_MARGIN: u64 = 128_000_000;

/// The ring does not fit in the memory the box has free: start refused, with what to change.
#[derive(Debug, Clone, PartialEq)]
pub struct RingTooBig {
    /// The ring asked for.
    pub plan: RingPlan,
    /// The stream it was sized for.
    pub spec: StreamSpec,
    /// Bytes of memory available (MemAvailable).
    pub available: u64,
    /// What to change, in words.
    pub fix: String,
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

impl std::fmt::Display for RingTooBig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the ring needs {:.0} MB ({:.1} s of {} channels at {} Hz, {} bytes a sample) plus {:.0} MB kept \
             free for the rest of the box, but only {:.0} MB of memory is available: {}",
            mb(self.plan.bytes as u64),
            self.plan.seconds,
            self.spec.channels,
            self.spec.rate,
            self.spec.format.bytes(),
            mb(MEMORY_MARGIN),
            mb(self.available),
            self.fix
        )
    }
}

impl std::error::Error for RingTooBig {}

impl RingPlan {
    /// Checks the ring fits in `available` bytes of free memory with [`MEMORY_MARGIN`] to spare.
    /// When it does not, the error says how much is needed and what to lower.
    pub fn check_memory(&self, spec: StreamSpec, available: u64) -> Result<(), RingTooBig> {
        let needed = self.bytes as u64 + MEMORY_MARGIN;
        if needed <= available {
            return Ok(());
        }
        let per_second = spec.frame_bytes() as f64 * f64::from(spec.rate);
        let room = available.saturating_sub(MEMORY_MARGIN) as f64;
        let fit = (room / per_second * 10.0).floor() / 10.0;
        let fix = if fit >= 0.5 {
            format!(
                "lower recorder.ring_seconds (or --ring-seconds) to {fit:.1} s or less, or \
                 record fewer channels (--channels) or at a lower rate (--rate)"
            )
        } else {
            "record fewer channels (--channels) or at a lower rate (--rate), lower \
             recorder.ring_seconds (or --ring-seconds), or stop what else uses the memory"
                .to_string()
        };
        Err(RingTooBig {
            plan: *self,
            spec,
            available,
            fix,
        })
    }
}

/// The memory the kernel says is available for new allocations (`MemAvailable` in
/// `/proc/meminfo`), in bytes.
pub fn mem_available() -> std::io::Result<u64> {
    let text = std::fs::read_to_string("/proc/meminfo")?;
    parse_mem_available(&text).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "/proc/meminfo has no MemAvailable line",
        )
    })
}

/// Reads the `MemAvailable:   N kB` line of `/proc/meminfo` text, in bytes.
pub fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let rest = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let mut words = rest.split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => n.checked_mul(1024),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capstan_bwf::SampleFormat;

    fn spec(channels: u16, rate: u32) -> StreamSpec {
        StreamSpec {
            channels,
            rate,
            format: SampleFormat::I32,
        }
    }

    #[test]
    fn the_ring_is_sized_from_seconds_and_never_below_two_periods() {
        let p = RingPlan::new(spec(2, 48000), 10.0, 256);
        assert_eq!(p.frames, 480_000);
        assert_eq!(p.bytes, 480_000 * 8);
        assert_eq!(p.seconds, 10.0);
        let tiny = RingPlan::new(spec(2, 48000), 0.001, 256);
        assert_eq!(tiny.frames, 512);
    }

    #[test]
    fn a_ring_that_fits_with_the_margin_is_accepted() {
        let s = spec(64, 48000);
        let p = RingPlan::new(s, 10.0, 256);
        assert_eq!(p.bytes, 122_880_000);
        assert!(p.check_memory(s, p.bytes as u64 + MEMORY_MARGIN).is_ok());
        assert!(p.check_memory(s, 8 << 30).is_ok());
    }

    #[test]
    fn a_ring_too_big_says_what_it_needs_what_there_is_and_what_to_change() {
        let s = spec(64, 192_000);
        let p = RingPlan::new(s, 600.0, 256);
        let e = p.check_memory(s, 1_000_000_000).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("needs 29491 MB"), "{m}");
        assert!(m.contains("only 1000 MB of memory is available"), "{m}");
        assert!(m.contains("64 channels at 192000 Hz"), "{m}");
        // (1e9 - 128e6) / (64 x 4 x 192000 bytes a second) = 17.7 s
        assert!(
            m.contains("ring_seconds (or --ring-seconds) to 17.7 s"),
            "{m}"
        );
        assert!(m.contains("--channels") && m.contains("--rate"), "{m}");
        // Just under the margin: the ring cannot fit at any length.
        let e = p.check_memory(s, MEMORY_MARGIN).unwrap_err().to_string();
        assert!(!e.contains(" s or less"), "{e}");
        assert!(e.contains("fewer channels"), "{e}");
    }

    #[test]
    fn mem_available_is_read_from_meminfo_text() {
        let t = "MemTotal:        3884300 kB\nMemFree:          123456 kB\nMemAvailable:    2048000 kB\n";
        assert_eq!(parse_mem_available(t), Some(2_048_000 * 1024));
        assert_eq!(parse_mem_available("MemTotal: 5 kB\n"), None);
        assert_eq!(parse_mem_available("MemAvailable: lots\n"), None);
        assert!(mem_available().is_ok_and(|b| b > 0));
    }
}
