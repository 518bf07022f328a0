//! Pieces the recording commands (`record`, `run`) share: option parsers and the wire formats
//! to ask a device for.

use capstan_board::audio::alsa::HwRequest;
use capstan_board::audio::{DeviceFormat, Signal, StreamSpec};
use capstan_bwf::SampleFormat;
use clap::Args;

use crate::config::Config;

/// The audio input options `record` and `run` share: where the audio comes from and in what
/// shape.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Record from an ALSA device such as hw:1,0 (default: the config's audio.device).
    #[arg(long, conflicts_with = "sim")]
    pub device: Option<String>,
    /// Monitor playback device such as hw:1,0 (default: the config's audio.monitor).
    #[arg(long, conflicts_with = "sim")]
    pub monitor: Option<String>,
    /// Input channels (default: the config's audio.channels, 2).
    #[arg(long)]
    pub channels: Option<u16>,
    /// Sample rate in Hz (default: the config's audio.rate, 48000).
    #[arg(long)]
    pub rate: Option<u32>,
    /// Sample format: 16, 24, 32 or 32f (sim default 24; a device's default is the first of
    /// the config's audio.formats it accepts).
    #[arg(long, value_parser = parse_bits)]
    pub bits: Option<SampleFormat>,
}

impl InputArgs {
    /// Checks the device names given, and `--channels` and `--rate` against what Capstan
    /// records (the config's own are checked when it is read).
    pub fn check(&self) -> Result<(), String> {
        for (opt, name) in [("--device", &self.device), ("--monitor", &self.monitor)] {
            if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
                return Err(format!(
                    "{opt} is empty: name a device such as hw:1,0 (`capstan devices` lists them)"
                ));
            }
        }
        if let Some(channels) = self.channels {
            check_channels(channels)?;
        }
        if let Some(rate) = self.rate {
            crate::config::check_rate(&format!("--rate {rate}"), rate)?;
        }
        Ok(())
    }

    /// Puts `--channels` and `--rate`, where given, over the config's `audio.channels` and
    /// `audio.rate`, which the rest of the command reads.
    pub fn apply(&self, cfg: &mut Config) {
        if let Some(c) = self.channels {
            cfg.audio.channels = c;
        }
        if let Some(r) = self.rate {
            cfg.audio.rate = r;
        }
    }

    /// The sim board's stream: the config's channels and rate (after [`Self::apply`]), and
    /// `--bits` or 24-bit.
    pub fn sim_spec(&self, cfg: &Config) -> StreamSpec {
        StreamSpec {
            channels: cfg.audio.channels,
            rate: cfg.audio.rate,
            format: self.bits.unwrap_or(SampleFormat::I24),
        }
    }

    /// What to ask the capture device for: the config's channels and rate (after
    /// [`Self::apply`]), the wire formats from `--bits` or the config, the period and buffer
    /// from the config.
    pub fn hw_request(&self, cfg: &Config) -> HwRequest {
        HwRequest {
            channels: cfg.audio.channels,
            rate: cfg.audio.rate,
            formats: device_formats(self.bits, cfg),
            period_frames: cfg.recorder.period_frames,
            periods: cfg.audio.periods,
        }
    }
}

/// Parses `--bits`.
pub fn parse_bits(s: &str) -> Result<SampleFormat, String> {
    SampleFormat::from_cli(s)
        .ok_or_else(|| format!("'{s}' is not a sample format: use 16, 24, 32 or 32f"))
}

/// Parses `--signal`.
pub fn parse_signal(s: &str) -> Result<Signal, String> {
    Signal::from_cli(s)
        .ok_or_else(|| format!("'{s}' is not a signal: use counter, sine or silence"))
}

/// The wire formats to offer a capture device, preferred first: those that carry `--bits`
/// exactly when it is given, else the config's `audio.formats`.
pub fn device_formats(bits: Option<SampleFormat>, cfg: &Config) -> Vec<DeviceFormat> {
    match bits {
        Some(b) => DeviceFormat::for_sample_format(b).to_vec(),
        None => cfg
            .audio
            .formats
            .iter()
            .filter_map(|f| DeviceFormat::from_name(f))
            .collect(),
    }
}

/// Checks `--channels`: Capstan records 1 to 64.
pub fn check_channels(channels: u16) -> Result<(), String> {
    crate::config::check_channels(&format!("--channels {channels}"), channels)
}

/// The longest `--seconds`: 31 days (longer runs leave it out and are stopped by hand).
const MAX_SECONDS: f64 = 31.0 * 24.0 * 3600.0;

/// Checks `--seconds`, when given: a positive number, 31 days at most.
pub fn check_seconds(seconds: Option<f64>) -> Result<(), String> {
    match seconds {
        Some(s) if !(s > 0.0 && s <= MAX_SECONDS) => Err(format!(
            "--seconds {s:?}: give a positive number of seconds up to 31 days ({MAX_SECONDS}), \
             or leave it out to run until stopped"
        )),
        _ => Ok(()),
    }
}

/// Checks `--tracks` against `--channels`: every input named must be one the take has.
pub fn check_tracks(tracks: Option<&TrackList>, channels: u16) -> Result<(), String> {
    match tracks.and_then(|t| t.0.last()) {
        Some(&last) if last >= usize::from(channels) => Err(format!(
            "--tracks names input {} but the take has {channels} (--channels): name inputs 1 to {channels}",
            last + 1
        )),
        _ => Ok(()),
    }
}

/// The inputs `--tracks` names: 0-based, in order, each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackList(pub Vec<usize>);

/// Parses `--tracks`: 1-based inputs and ranges, such as `1,2,5-8`.
pub fn parse_tracks(s: &str) -> Result<TrackList, String> {
    let bad = || format!("--tracks {s}: list inputs from 1 to 64 and ranges, such as 1,2,5-8");
    let mut tracks = Vec::new();
    for part in s.split(',').map(str::trim) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (usize, usize) = (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        );
        if a == 0 || b < a || b > 64 {
            return Err(bad());
        }
        tracks.extend((a - 1)..b);
    }
    tracks.sort_unstable();
    tracks.dedup();
    Ok(TrackList(tracks))
}

#[cfg(test)]
mod tests {
    use super::parse_tracks;

    #[test]
    fn tracks_read_as_lists_and_ranges() {
        assert_eq!(parse_tracks("1,2,5-8").unwrap().0, vec![0, 1, 4, 5, 6, 7]);
        assert_eq!(parse_tracks("3, 1-2,2").unwrap().0, vec![0, 1, 2]);
        assert_eq!(parse_tracks("64").unwrap().0, vec![63]);
        for bad in ["0", "65", "3-1", "a", "1,,2", ""] {
            let e = parse_tracks(bad).unwrap_err();
            assert!(e.contains("1,2,5-8"), "{bad}: {e}");
        }
    }
}
