//! Pieces the recording commands (`record`, `run`) share: option parsers and the wire formats
//! to ask a device for.

use capstan_board::audio::{DeviceFormat, Signal};
use capstan_bwf::SampleFormat;

use crate::config::Config;

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
    if (1..=64).contains(&channels) {
        Ok(())
    } else {
        Err(format!(
            "--channels {channels}: Capstan records 1 to 64 channels"
        ))
    }
}

/// Checks `--seconds`, when given: a positive, finite number.
pub fn check_seconds(seconds: Option<f64>) -> Result<(), String> {
    match seconds {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            Err(format!("--seconds {s}: give a positive number of seconds"))
        }
        _ => Ok(()),
    }
}
