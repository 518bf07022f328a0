//! Where the box's takes get their audio: the sim board's test signal or an ALSA capture
//! device, with a monitor that keeps the meters. The box opens it once and keeps it running
//! (meters live, pre-roll filling) while takes come and go.

use std::sync::Arc;

use capstan_board::audio::alsa::{AlsaCapture, AlsaPlayback, HwRequest};
use capstan_board::audio::{
    CaptureSource, DeviceFormat, OpenError, PlaybackSink, Signal, SimSource, StreamSpec,
};

use capstan_mixer::MixerState;

use crate::config::Config;
use crate::engine::{ring, Meters, Monitor};
use crate::recorder::{stream, AudioOptions, InputStream};

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

/// An input just opened, and what of its monitor could not be had.
pub struct OpenedInput {
    /// The source, with its monitor.
    pub source: TakeSource,
    /// Why the monitor's playback device is off (it did not open), if it is.
    pub monitor_off: Option<String>,
    /// Why the config's `[mixer]` was refused (the monitor plays the plain sum), if it was.
    pub mix_refused: Option<String>,
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

    /// Whether the monitor's playback device opens now (it is opened and closed again): for a
    /// box whose input runs without it, to know when it is back. `false` without a monitor.
    pub fn monitor_opens(&self) -> bool {
        match self {
            AudioInput::Device {
                request,
                monitor: Some(m),
                ..
            } => open_monitor(m, request.rate, request.period_frames, request.periods).is_ok(),
            _ => false,
        }
    }

    /// Opens the source for a take, with its monitor where that opens (the take matters more
    /// than the headphones). With `mixer` the monitor plays that mix instead of the plain sum.
    pub fn open(&self, mixer: Option<&MixerState>) -> Result<OpenedInput, OpenError> {
        match self {
            AudioInput::Sim {
                spec,
                signal,
                period_frames,
                fast,
            } => {
                let source = SimSource::new(*spec, *signal, *period_frames, *fast)?;
                let (monitor, mix_refused) =
                    monitor_for(*spec, None, *period_frames, *period_frames, mixer);
                Ok(OpenedInput {
                    source: TakeSource::Sim(source, monitor),
                    monitor_off: None,
                    mix_refused,
                })
            }
            AudioInput::Device {
                name,
                request,
                monitor,
            } => {
                let capture = AlsaCapture::open(name, request)?;
                let hw = capture.setup();
                let (out, off) = match monitor {
                    Some(m) => match open_monitor(m, hw.rate, hw.period_frames, request.periods) {
                        Ok(out) => (Some(out), None),
                        Err(e) => (None, Some(format!("monitor {m}: {e}"))),
                    },
                    None => (None, None),
                };
                let spec = capture.spec();
                let (monitor, mix_refused) =
                    monitor_for(spec, out, hw.buffer_frames, hw.period_frames, mixer);
                Ok(OpenedInput {
                    source: TakeSource::Device(capture, monitor),
                    monitor_off: off,
                    mix_refused,
                })
            }
        }
    }
}

/// The monitor of a stream of `spec` playing to `out`: through the mixer with `mixer`, a
/// period of `period_frames` at a time, else the plain sum, sized for `max_frames` a call (a
/// whole device buffer: the audio thread hands over every frame it took in a wake at once, so
/// the monitor writes its device once per wake). A mix this stream or device cannot play (a
/// track on a channel the input does not have, an output the device does not have) leaves
/// the monitor on the plain sum, and why is returned beside it: the takes matter more than
/// the headphones' mix.
fn monitor_for(
    spec: StreamSpec,
    out: Option<Box<dyn PlaybackSink>>,
    max_frames: usize,
    period_frames: usize,
    mixer: Option<&MixerState>,
) -> (Monitor, Option<String>) {
    let Some(state) = mixer else {
        return (Monitor::new(spec, out, max_frames), None);
    };
    let refused = |e| {
        format!(
            "[mixer]: {e}; the monitor plays every input summed to stereo (mend the [mixer] \
             section and restart the box)"
        )
    };
    match Monitor::mixer_fits(spec, out.as_deref(), period_frames, state) {
        Ok(()) => match Monitor::with_mixer(spec, out, max_frames, period_frames, state) {
            Ok(m) => (m, None),
            Err(e) => (Monitor::new(spec, None, max_frames), Some(refused(e))),
        },
        Err(e) => (Monitor::new(spec, out, max_frames), Some(refused(e))),
    }
}

/// Why the input did not start, as the box's display tells it apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFault {
    /// The device is not there: not plugged in, switched off, or no such card.
    Absent,
    /// Another program holds the device.
    Busy,
    /// Anything else: a setting it refuses, too little memory, a failed start.
    Failed,
}

/// Why the input did not start: what to say (with what to change) and its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StartError {
    /// The kind, for the display.
    pub fault: InputFault,
    /// What happened and what to do.
    pub message: String,
}

impl From<String> for StartError {
    fn from(message: String) -> Self {
        StartError {
            fault: InputFault::Failed,
            message,
        }
    }
}

impl AudioInput {
    /// Opens the input and starts it running with the config's ring and pre-roll, after
    /// checking the ring fits in the memory the box has free; the ring's reading end goes to
    /// the standby thread. The message of an error says what to change. Beside the input:
    /// why its monitor is off, when its device could not be opened, and why the config's mix
    /// was refused, when it was (see [`OpenedInput`]).
    pub fn start(
        &self,
        cfg: &Config,
        audio: &AudioOptions,
    ) -> Result<(InputStream, Option<String>, Option<String>), StartError> {
        let mixer = cfg.mixer.as_ref().map(|m| &m.state);
        let opened = self.open(mixer).map_err(|e| StartError {
            fault: match e {
                OpenError::NoDevice(_) => InputFault::Absent,
                OpenError::Busy(_) => InputFault::Busy,
                OpenError::Unsupported(_) | OpenError::Failed(_) => InputFault::Failed,
            },
            message: format!("cannot open {}: {e}", self.describe()),
        })?;
        let pre_roll = cfg.recorder.pre_roll;
        let mut input = match opened.source {
            TakeSource::Sim(s, m) => start_stream(s, m, cfg, pre_roll, audio),
            TakeSource::Device(d, m) => start_stream(d, m, cfg, pre_roll, audio),
        }?;
        input.standby().map_err(|e| e.to_string())?;
        Ok((input, opened.monitor_off, opened.mix_refused))
    }
}

/// Sizes the ring for `source`, checks it against the free memory, logs it and starts the
/// input.
fn start_stream<S: CaptureSource + 'static>(
    source: S,
    monitor: Monitor,
    cfg: &Config,
    pre_roll: f64,
    audio: &AudioOptions,
) -> Result<InputStream, String> {
    let spec = source.spec();
    let period = source.period_frames();
    let plan = stream::ring_plan(spec, cfg.recorder.ring_seconds, pre_roll, period);
    crate::recorder::log_ring(&plan, spec, period, cfg, pre_roll);
    if let Ok(available) = ring::mem_available() {
        plan.check_memory(spec, available).map_err(|e| {
            if pre_roll > 0.0 {
                format!("{e}; or lower recorder.pre_roll ({pre_roll} s)")
            } else {
                e.to_string()
            }
        })?;
        tracing::info!(
            "memory: the ring takes {:.1} MB of {:.1} MB available",
            plan.bytes as f64 / 1e6,
            available as f64 / 1e6
        );
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    InputStream::start(source, Some(monitor), plan, pre_roll, None, audio, stop)
        .map_err(|e| e.to_string())
}

/// Opens the monitor's playback device in stereo at the capture's rate and period, with the
/// capture's periods (3 at least) in its buffer.
pub(crate) fn open_monitor(
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
