//! A playback sink for the monitor's tests: keeps every byte played, in one wire format.

use std::sync::{Arc, Mutex};

use capstan_board::audio::{DeviceFormat, PlaybackError, PlaybackSink};

/// `channels` channels (stereo in [`Capture::stereo`]) in `format`; everything written lands
/// in the shared buffer.
pub struct Capture(pub Arc<Mutex<Vec<u8>>>, pub DeviceFormat, pub u16);

impl Capture {
    /// A stereo sink in `format` writing into `played`.
    pub fn stereo(played: Arc<Mutex<Vec<u8>>>, format: DeviceFormat) -> Self {
        Capture(played, format, 2)
    }
}

impl PlaybackSink for Capture {
    fn channels(&self) -> u16 {
        self.2
    }
    fn format(&self) -> DeviceFormat {
        self.1
    }
    fn write(&mut self, f: &[u8]) -> Result<usize, PlaybackError> {
        self.0.lock().unwrap().extend_from_slice(f);
        Ok(f.len() / (usize::from(self.2) * self.1.bytes()))
    }
    fn underruns(&self) -> u64 {
        0
    }
}
