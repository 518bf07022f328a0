//! Audio capture behind one trait, [`CaptureSource`]. The audio thread drives a source period by
//! period; everything a source does after [`CaptureSource::start`] is realtime-safe.

pub mod alsa;
pub mod sim;

use capstan_bwf::SampleFormat;

pub use self::alsa::{DeviceFormat, PlaybackError};
pub use sim::{Signal, SimSource};

/// The shape of a captured stream: channels, rate and the sample format on the wire (which the
/// record path keeps bit for bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSpec {
    /// Channels in each frame.
    pub channels: u16,
    /// Frames per second.
    pub rate: u32,
    /// Sample format of each channel.
    pub format: SampleFormat,
}

impl StreamSpec {
    /// Bytes of one interleaved frame.
    pub const fn frame_bytes(&self) -> usize {
        self.channels as usize * self.format.bytes()
    }
}

/// What went wrong on a capture call. Small and `Copy`, so the audio thread can return it without
/// allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// The device overran (frames were lost before they could be read); the source has recovered
    /// and capture goes on.
    #[error("capture overrun (xrun): frames were lost")]
    Xrun,
    /// The device is gone or failed for good; capture cannot go on.
    #[error("capture device failed: {0}")]
    Fatal(&'static str),
}

/// Why a source could not be opened or started (not on the audio thread: may allocate).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A requested setting is not possible, with what to do instead.
    #[error("{0}")]
    Unsupported(String),
    /// There is no such device (or no permission to open it), with what to do.
    #[error("{0}")]
    NoDevice(String),
    /// The device is open in another program.
    #[error("{0}")]
    Busy(String),
    /// The device failed while being set up.
    #[error("{0}")]
    Failed(String),
}

/// A source of captured frames, interleaved, in [`StreamSpec::format`].
pub trait CaptureSource: Send {
    /// What the source delivers.
    fn spec(&self) -> StreamSpec;

    /// Frames in one period (the unit of wake-ups).
    fn period_frames(&self) -> usize;

    /// Starts the stream. Called once on the audio thread before the first [`Self::wait`].
    fn start(&mut self) -> Result<(), CaptureError>;

    /// Blocks until at least one period is ready and returns how many frames are ready.
    /// This is realtime-safe.
    fn wait(&mut self) -> Result<usize, CaptureError>;

    /// Copies up to `dst.len() / frame_bytes` ready frames into `dst` and returns the count.
    /// This is realtime-safe.
    fn read(&mut self, dst: &mut [u8]) -> Result<usize, CaptureError>;

    /// True for a source that may wait for the consumer instead of overflowing: only the sim
    /// source in fast mode, which has no real clock behind it.
    fn paced_by_consumer(&self) -> bool {
        false
    }
}

/// Where the monitor feed goes: a playback device taking interleaved frames in its wire format.
pub trait PlaybackSink: Send {
    /// Channels per frame.
    fn channels(&self) -> u16;

    /// The wire format.
    fn format(&self) -> DeviceFormat;

    /// Queues what fits of `frames` without waiting; returns the frames queued. An underrun is
    /// recovered and counted. This is realtime-safe.
    fn write(&mut self, frames: &[u8]) -> Result<usize, PlaybackError>;

    /// Underruns so far.
    fn underruns(&self) -> u64;
}

impl PlaybackSink for self::alsa::AlsaPlayback {
    fn channels(&self) -> u16 {
        self.setup().channels
    }

    fn format(&self) -> DeviceFormat {
        self.setup().format
    }

    fn write(&mut self, frames: &[u8]) -> Result<usize, PlaybackError> {
        self.write_nonblocking(frames)
    }

    fn underruns(&self) -> u64 {
        self.underruns()
    }
}
