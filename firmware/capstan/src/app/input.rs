//! Where the box's takes get their audio: the sim board's test signal or an ALSA capture
//! device, opened afresh for each take with a monitor that keeps the meters.

use std::sync::Arc;

use capstan_board::audio::alsa::{AlsaCapture, AlsaPlayback, HwRequest};
use capstan_board::audio::{
    CaptureSource, DeviceFormat, OpenError, PlaybackSink, Signal, SimSource, StreamSpec,
};

use crate::engine::{Meters, Monitor};

/// The audio input of the box.
#[derive(Debug, Clone)]
pub enum AudioInput {
    /// The sim board: a generated signal.
    Sim {
        /// Channels, rate and sample format.
        spec: StreamSpec,
        /// What the channels carry.
        signal: Signal,
        /// Frames per period.
        period_frames: usize,
        /// Generate as fast as the writer takes frames instead of in real time.
        fast: bool,
    },
    /// An ALSA capture device such as `hw:1,0`.
    Device {
        /// The device's name.
        name: String,
        /// What to ask it for.
        request: HwRequest,
        /// A playback device for the monitor sum, if any.
        monitor: Option<String>,
    },
}

/// One take's opened source, with the monitor that meters it on the audio thread.
pub enum TakeSource {
    /// The sim board's source.
    Sim(SimSource, Monitor),
    /// An ALSA capture device.
    Device(AlsaCapture, Monitor),
}

impl TakeSource {
    /// The stream the source delivers.
    pub fn spec(&self) -> StreamSpec {
        match self {
            TakeSource::Sim(s, _) => s.spec(),
            TakeSource::Device(d, _) => d.spec(),
        }
    }

    /// The meters the monitor fills.
    pub fn meters(&self) -> Arc<Meters> {
        match self {
            TakeSource::Sim(_, m) | TakeSource::Device(_, m) => m.meters(),
        }
    }
}

impl AudioInput {
    /// Input channels (the tracks the transport can arm).
    pub fn channels(&self) -> u16 {
        match self {
            AudioInput::Sim { spec, .. } => spec.channels,
            AudioInput::Device { request, .. } => request.channels,
        }
    }

    /// A short description for the log and the error messages.
    pub fn describe(&self) -> String {
        match self {
            AudioInput::Sim { spec, signal, .. } => format!(
                "the sim board ({} channels of {signal:?} at {} Hz, {}-bit)",
                spec.channels,
                spec.rate,
                spec.format.cli_name()
            ),
            AudioInput::Device { name, .. } => format!("the audio device {name}"),
        }
    }

    /// Opens the source for a take.
    pub fn open(&self) -> Result<TakeSource, OpenError> {
        match self {
            AudioInput::Sim {
                spec,
                signal,
                period_frames,
                fast,
            } => {
                let source = SimSource::new(*spec, *signal, *period_frames, *fast)?;
                let monitor = Monitor::new(*spec, None, *period_frames);
                Ok(TakeSource::Sim(source, monitor))
            }
            AudioInput::Device {
                name,
                request,
                monitor,
            } => {
                let capture = AlsaCapture::open(name, request)?;
                let hw = capture.setup();
                let out = match monitor {
                    Some(m) => Some(open_monitor(m, hw.rate, hw.period_frames, request.periods)?),
                    None => None,
                };
                let monitor = Monitor::new(capture.spec(), out, hw.period_frames);
                Ok(TakeSource::Device(capture, monitor))
            }
        }
    }
}

/// Opens the monitor's playback device in stereo at the capture's rate.
fn open_monitor(
    name: &str,
    rate: u32,
    period_frames: usize,
    periods: u32,
) -> Result<Box<dyn PlaybackSink>, OpenError> {
    let request = HwRequest {
        channels: 2,
        rate,
        formats: vec![
            DeviceFormat::S16Le,
            DeviceFormat::S32Le,
            DeviceFormat::S24_3Le,
            DeviceFormat::S24Le,
            DeviceFormat::FloatLe,
        ],
        period_frames,
        periods: periods.max(3),
    };
    Ok(Box::new(AlsaPlayback::open(name, &request, 2)?))
}
