//! Hardware and software parameters: the sample format, channels, rate and period negotiated
//! with a device, with errors that name what the device does accept.

use ::alsa::pcm::{Access, Format, HwParams, SwParams, PCM};
use ::alsa::ValueOr;

use capstan_bwf::SampleFormat;

use crate::audio::OpenError;

/// A sample format on the wire, as ALSA names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceFormat {
    /// 32-bit signed integer, little-endian.
    S32Le,
    /// 24-bit signed integer packed in 3 bytes, little-endian.
    S24_3Le,
    /// 24-bit signed integer in the low 3 bytes of 4, little-endian.
    S24Le,
    /// 16-bit signed integer, little-endian.
    S16Le,
    /// 32-bit IEEE float, little-endian.
    FloatLe,
}

/// The order formats are tried in when nothing else is asked: the widest integer first.
pub const DEFAULT_FORMATS: &[DeviceFormat] = &[
    DeviceFormat::S32Le,
    DeviceFormat::S24_3Le,
    DeviceFormat::S24Le,
    DeviceFormat::S16Le,
    DeviceFormat::FloatLe,
];

impl DeviceFormat {
    /// Every format Capstan speaks.
    pub const ALL: &'static [DeviceFormat] = DEFAULT_FORMATS;

    /// ALSA's name (`S32_LE`...).
    pub const fn name(self) -> &'static str {
        match self {
            DeviceFormat::S32Le => "S32_LE",
            DeviceFormat::S24_3Le => "S24_3LE",
            DeviceFormat::S24Le => "S24_LE",
            DeviceFormat::S16Le => "S16_LE",
            DeviceFormat::FloatLe => "FLOAT_LE",
        }
    }

    /// Parses ALSA's name, in any case.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }

    /// alsa-lib's constant.
    pub(crate) const fn alsa(self) -> Format {
        match self {
            DeviceFormat::S32Le => Format::S32LE,
            DeviceFormat::S24_3Le => Format::S243LE,
            DeviceFormat::S24Le => Format::S24LE,
            DeviceFormat::S16Le => Format::S16LE,
            DeviceFormat::FloatLe => Format::FloatLE,
        }
    }

    /// The file's sample format that holds this format bit for bit (S24_LE is kept as 24-bit).
    pub const fn sample_format(self) -> SampleFormat {
        match self {
            DeviceFormat::S32Le => SampleFormat::I32,
            DeviceFormat::S24_3Le | DeviceFormat::S24Le => SampleFormat::I24,
            DeviceFormat::S16Le => SampleFormat::I16,
            DeviceFormat::FloatLe => SampleFormat::F32,
        }
    }

    /// Bytes of one sample on the wire.
    pub const fn bytes(self) -> usize {
        match self {
            DeviceFormat::S32Le | DeviceFormat::S24Le | DeviceFormat::FloatLe => 4,
            DeviceFormat::S24_3Le => 3,
            DeviceFormat::S16Le => 2,
        }
    }

    /// The wire formats that carry a file format, best first.
    pub fn for_sample_format(f: SampleFormat) -> &'static [DeviceFormat] {
        match f {
            SampleFormat::I32 => &[DeviceFormat::S32Le],
            SampleFormat::I24 => &[DeviceFormat::S24_3Le, DeviceFormat::S24Le],
            SampleFormat::I16 => &[DeviceFormat::S16Le],
            SampleFormat::F32 => &[DeviceFormat::FloatLe],
        }
    }
}

/// What to ask a device for.
#[derive(Debug, Clone)]
pub struct HwRequest {
    /// Channels per frame.
    pub channels: u16,
    /// Frames per second (must be exact: Capstan never resamples).
    pub rate: u32,
    /// Acceptable formats, preferred first.
    pub formats: Vec<DeviceFormat>,
    /// Frames per period (the nearest the device allows is taken).
    pub period_frames: usize,
    /// Periods in the device buffer (the nearest the device allows is taken).
    pub periods: u32,
}

/// What a device agreed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HwSetup {
    /// Channels per frame.
    pub channels: u16,
    /// Frames per second.
    pub rate: u32,
    /// The wire format.
    pub format: DeviceFormat,
    /// Frames per period.
    pub period_frames: usize,
    /// Frames in the device buffer.
    pub buffer_frames: usize,
}

impl HwSetup {
    /// Bytes of one frame on the wire.
    pub const fn frame_bytes(&self) -> usize {
        self.channels as usize * self.format.bytes()
    }
}

fn unsupported(name: &str, what: String) -> OpenError {
    OpenError::Unsupported(format!("{name}: {what}"))
}

/// Sets hw params (mmap interleaved access, format, channels, rate, period, buffer) and sw params
/// (wake up every period, start by hand) on an open PCM.
pub(crate) fn configure(pcm: &PCM, name: &str, req: &HwRequest) -> Result<HwSetup, OpenError> {
    let failed = |what: &str, e: ::alsa::Error| OpenError::Failed(format!("{name}: {what}: {e}"));
    let hwp = HwParams::any(pcm).map_err(|e| failed("reading its capabilities", e))?;
    hwp.set_rate_resample(false).ok();
    hwp.set_access(Access::MMapInterleaved).map_err(|_| {
        unsupported(
            name,
            "does not offer mmap interleaved access (is it a plug or dmix device? use hw:X,Y)"
                .into(),
        )
    })?;
    let format = req
        .formats
        .iter()
        .copied()
        .find(|f| hwp.test_format(f.alsa()).is_ok())
        .ok_or_else(|| {
            let asked: Vec<_> = req.formats.iter().map(|f| f.name()).collect();
            let offered: Vec<_> = DeviceFormat::ALL
                .iter()
                .filter(|f| hwp.test_format(f.alsa()).is_ok())
                .map(|f| f.name())
                .collect();
            unsupported(
                name,
                format!(
                    "takes none of the formats {} (it takes {})",
                    asked.join(", "),
                    if offered.is_empty() {
                        "none Capstan speaks".into()
                    } else {
                        offered.join(", ")
                    }
                ),
            )
        })?;
    hwp.set_format(format.alsa())
        .map_err(|e| failed("setting the format", e))?;
    if hwp.test_channels(u32::from(req.channels)).is_err() {
        let (lo, hi) = (
            hwp.get_channels_min().unwrap_or(0),
            hwp.get_channels_max().unwrap_or(0),
        );
        return Err(unsupported(
            name,
            format!(
                "does not take {} channels in {}: it takes {lo} to {hi}",
                req.channels,
                format.name()
            ),
        ));
    }
    hwp.set_channels(u32::from(req.channels))
        .map_err(|e| failed("setting the channels", e))?;
    if hwp.test_rate(req.rate).is_err() {
        let (lo, hi) = (
            hwp.get_rate_min().unwrap_or(0),
            hwp.get_rate_max().unwrap_or(0),
        );
        return Err(unsupported(
            name,
            format!(
                "does not run at {} Hz with {} channels of {}: it takes {lo} to {hi} Hz{}",
                req.rate,
                req.channels,
                format.name(),
                if lo == hi {
                    " (the clock may be set by its other side or its front panel)"
                } else {
                    ""
                }
            ),
        ));
    }
    hwp.set_rate(req.rate, ValueOr::Nearest)
        .map_err(|e| failed("setting the rate", e))?;
    let period = hwp
        .set_period_size_near(req.period_frames as ::alsa::pcm::Frames, ValueOr::Nearest)
        .map_err(|e| failed("setting the period size", e))?;
    hwp.set_periods_near(req.periods.max(2), ValueOr::Nearest)
        .map_err(|e| failed("setting the period count", e))?;
    pcm.hw_params(&hwp)
        .map_err(|e| failed("applying the hardware parameters", e))?;
    let buffer = hwp.get_buffer_size().unwrap_or(period * 2);
    let swp = pcm
        .sw_params_current()
        .map_err(|e| failed("reading the software parameters", e))?;
    apply_sw(pcm, &swp, period).map_err(|e| failed("setting the software parameters", e))?;
    Ok(HwSetup {
        channels: req.channels,
        rate: req.rate,
        format,
        period_frames: period as usize,
        buffer_frames: buffer as usize,
    })
}

fn apply_sw(pcm: &PCM, swp: &SwParams, period: ::alsa::pcm::Frames) -> ::alsa::Result<()> {
    swp.set_avail_min(period)?;
    // Started by hand: capture at once, playback after its prefill.
    swp.set_start_threshold(::alsa::pcm::Frames::MAX / 2)?;
    swp.set_tstamp_mode(true)?;
    pcm.sw_params(swp)
}
