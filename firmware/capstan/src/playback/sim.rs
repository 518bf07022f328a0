//! The sim sinks: [`SimSink`] writes what the box would play to a stereo `f32` WAV from its own
//! thread, so the audio thread never touches the disk; [`PacedSink`] takes frames as a device
//! would, in real time, and lets them go (the sim board's playback).

use std::path::Path;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use capstan_board::audio::{DeviceFormat, PlaybackError, PlaybackSink};
use capstan_bwf::writer::{WavWriter, WriterOptions};
use capstan_bwf::{FileMeta, SampleFormat, WavSpec};

/// Bytes of one stereo `f32` frame.
const FRAME_BYTES: usize = 8;

/// A playback sink writing stereo `FLOAT_LE` frames to a WAV file.
pub struct SimSink {
    ring: rtrb::Producer<u8>,
    writer: JoinHandle<Result<u64, String>>,
}

impl SimSink {
    /// Creates `path` (stereo 32-bit float at `rate`) and the thread that writes it, with a
    /// ring of one second between them.
    pub fn create(path: &Path, rate: u32) -> Result<SimSink, String> {
        let spec = WavSpec {
            channels: 2,
            sample_rate: rate,
            format: SampleFormat::F32,
        };
        // The writer's error names the file already.
        let mut file =
            WavWriter::create(path, spec, &FileMeta::default(), WriterOptions::default())
                .map_err(|e| format!("{e}: give another --sim file, or remove this one"))?;
        let (ring, mut cons) = rtrb::RingBuffer::<u8>::new(rate as usize * FRAME_BYTES);
        let writer = thread::Builder::new()
            .name("capstan-simsink".into())
            .spawn(move || {
                let mut buf = Vec::new();
                loop {
                    let n = cons.slots();
                    if n == 0 {
                        if cons.is_abandoned() && cons.slots() == 0 {
                            break;
                        }
                        thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                    if let Ok(chunk) = cons.read_chunk(n) {
                        let (a, b) = chunk.as_slices();
                        buf.clear();
                        buf.extend_from_slice(a);
                        buf.extend_from_slice(b);
                        chunk.commit_all();
                    }
                    file.write_frames(&buf).map_err(|e| e.to_string())?;
                }
                file.finish().map(|f| f.frames).map_err(|e| e.to_string())
            })
            .map_err(|e| format!("cannot start the sim sink's writer: {e}"))?;
        Ok(SimSink { ring, writer })
    }

    /// Waits for every queued frame to be written, finishes the file and returns its frames.
    pub fn finish(self) -> Result<u64, String> {
        drop(self.ring);
        self.writer
            .join()
            .unwrap_or_else(|_| Err("the sim sink's writer panicked".into()))
    }
}

impl PlaybackSink for SimSink {
    fn channels(&self) -> u16 {
        2
    }

    fn format(&self) -> DeviceFormat {
        DeviceFormat::FloatLe
    }

    fn write(&mut self, frames: &[u8]) -> Result<usize, PlaybackError> {
        let n = (self.ring.slots() / FRAME_BYTES).min(frames.len() / FRAME_BYTES);
        if n > 0 {
            if let Ok(chunk) = self.ring.write_chunk_uninit(n * FRAME_BYTES) {
                chunk.fill_from_iter(frames.iter().copied());
            }
        }
        Ok(n)
    }

    fn underruns(&self) -> u64 {
        0
    }
}

/// A sink that takes stereo `FLOAT_LE` frames at the rate of a real device (a tenth of a second
/// of buffer) and drops them: playback on the sim board, which has no speakers.
pub struct PacedSink {
    rate: u32,
    started: Option<Instant>,
    taken: u64,
}

impl PacedSink {
    /// A sink playing at `rate` frames per second.
    pub fn new(rate: u32) -> PacedSink {
        PacedSink {
            rate,
            started: None,
            taken: 0,
        }
    }
}

impl PlaybackSink for PacedSink {
    fn channels(&self) -> u16 {
        2
    }

    fn format(&self) -> DeviceFormat {
        DeviceFormat::FloatLe
    }

    fn write(&mut self, frames: &[u8]) -> Result<usize, PlaybackError> {
        let started = *self.started.get_or_insert_with(Instant::now);
        let played = (started.elapsed().as_secs_f64() * f64::from(self.rate)) as u64;
        let room = (played + u64::from(self.rate / 10)).saturating_sub(self.taken);
        let n = (frames.len() / FRAME_BYTES).min(room as usize);
        self.taken += n as u64;
        Ok(n)
    }

    fn underruns(&self) -> u64 {
        0
    }
}
