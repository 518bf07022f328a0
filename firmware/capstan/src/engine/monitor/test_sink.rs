//! A playback sink for the monitor's tests: keeps every byte played, in one wire format.

use std::sync::{Arc, Mutex};

use capstan_board::audio::{DeviceFormat, PlaybackError, PlaybackSink};

/// Stereo in `format`; everything written lands in the shared buffer.
pub struct Capture(pub Arc<Mutex<Vec<u8>>>, pub DeviceFormat);

impl PlaybackSink for Capture {
    fn channels(&self) -> u16 {
        2
    }
    fn format(&self) -> DeviceFormat {
        self.1
    }
    fn write(&mut self, f: &[u8]) -> Result<usize, PlaybackError> {
        self.0.lock().unwrap().extend_from_slice(f);
        Ok(f.len() / (2 * self.1.bytes()))
    }
    fn underruns(&self) -> u64 {
        0
    }
}
