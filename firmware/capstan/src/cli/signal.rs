//! `capstan signal`: plays a test signal (the counter of DESIGN.md) into an ALSA playback
//! device, so a capture of the other side of a loopback (or a cable) can be checked frame by
//! frame.

use std::process::ExitCode;

use capstan_board::audio::alsa::{AlsaPlayback, HwRequest};
use capstan_board::audio::DeviceFormat;
use capstan_bwf::counter;
use clap::Args;

/// Options of `capstan signal`.
#[derive(Debug, Args)]
pub struct SignalArgs {
    /// Playback device, e.g. hw:Loopback,0,0.
    #[arg(long)]
    pub device: String,
    /// Channels.
    #[arg(long, default_value_t = 2)]
    pub channels: u16,
    /// Sample rate in Hz.
    #[arg(long, default_value_t = 48000)]
    pub rate: u32,
    /// Wire format: S32_LE, S24_3LE, S24_LE, S16_LE or FLOAT_LE.
    #[arg(long, default_value = "S32_LE", value_parser = parse_format)]
    pub format: DeviceFormat,
    /// Seconds to play.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Frames per period.
    #[arg(long, default_value_t = 1024)]
    pub period: usize,
    /// SCHED_FIFO priority (1 to 99) to play at, so that a busy system does not starve the
    /// player (a player that falls behind makes a loopback deliver old frames or silence,
    /// which the capture's check would blame on the recorder); 0 plays as a normal process.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i32).range(0..=99))]
    pub priority: i32,
}

fn parse_format(s: &str) -> Result<DeviceFormat, String> {
    DeviceFormat::from_name(s).ok_or_else(|| {
        format!("'{s}' is not a format: use S32_LE, S24_3LE, S24_LE, S16_LE or FLOAT_LE")
    })
}

/// Fills `out` (whole frames in `format`) with the counter signal from frame `first`.
pub fn fill_counter(out: &mut [u8], channels: usize, format: DeviceFormat, first: u64) {
    if format == DeviceFormat::S24Le {
        for (i, frame) in out.chunks_exact_mut(channels * 4).enumerate() {
            for (c, s) in frame.chunks_exact_mut(4).enumerate() {
                s.copy_from_slice(&counter::word(first + i as u64, c as u32).to_le_bytes());
            }
        }
    } else {
        counter::fill(out, channels, format.sample_format(), first);
    }
}

/// Runs `capstan signal`.
pub fn run(a: SignalArgs) -> ExitCode {
    if a.priority > 0 {
        if let Err(e) = capstan_board::realtime::set_fifo_priority(a.priority) {
            errln!(
                "capstan: warning: cannot play at SCHED_FIFO priority {}: {e} ({}); playing as a \
                 normal process",
                a.priority,
                capstan_board::realtime::advice(&e)
            );
        }
    }
    let req = HwRequest {
        channels: a.channels,
        rate: a.rate,
        formats: vec![a.format],
        period_frames: a.period,
        periods: 4,
    };
    let mut out = match AlsaPlayback::open(&a.device, &req, 4) {
        Ok(p) => p,
        Err(e) => {
            errln!("capstan: {e}");
            return ExitCode::from(2);
        }
    };
    let hw = out.setup();
    let total = (a.seconds * f64::from(a.rate)).round() as u64;
    let mut buf = vec![0u8; hw.period_frames * hw.frame_bytes()];
    let mut pos = 0u64;
    while pos < total {
        let n = (total - pos).min(hw.period_frames as u64) as usize;
        let bytes = &mut buf[..n * hw.frame_bytes()];
        fill_counter(bytes, usize::from(a.channels), a.format, pos);
        let underruns = out.underruns();
        if let Err(e) = out.write_all(bytes) {
            errln!("capstan: {}: {e}", a.device);
            return ExitCode::from(1);
        }
        if out.underruns() > underruns {
            // Said at once: a player stopped by a signal never reaches its summary.
            errln!(
                "capstan: underrun playing frame {pos}: the other side of a loopback has old \
                 frames or silence there"
            );
        }
        pos += n as u64;
    }
    out.drain();
    if out.underruns() > 0 {
        errln!("capstan: {} underruns while playing", out.underruns());
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use capstan_bwf::SampleFormat;

    #[test]
    fn s24_le_carries_the_24_bit_word_sign_extended() {
        let mut b = [0u8; 8];
        // Frame 0x8000, channel 1: word 0x800001 is negative in 24 bits.
        fill_counter(&mut b, 2, DeviceFormat::S24Le, 0x8000);
        assert_eq!(
            i32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            counter::word(0x8000, 1)
        );
        assert!(counter::word(0x8000, 1) < 0);
    }

    #[test]
    fn other_formats_match_the_file_encoding() {
        let mut wire = [0u8; 12];
        fill_counter(&mut wire, 2, DeviceFormat::S24_3Le, 7);
        let mut file = [0u8; 12];
        counter::fill(&mut file, 2, SampleFormat::I24, 7);
        assert_eq!(wire[..6], file[..6]);
    }
}
