//! The monitor feed of the audio thread: every captured channel summed at equal gain to a
//! stereo pair for the playback device, and a peak meter per input channel. It only reads the
//! captured frames, so the record path stays bit-transparent whatever it does. (The full mixer,
//! with faders, pans and buses, replaces the plain sum when it is wired in.)

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use capstan_board::audio::{DeviceFormat, PlaybackSink, StreamSpec};
use capstan_bwf::SampleFormat;

/// Peak meters per input channel, written by the audio thread, read by anyone without locks.
#[derive(Debug)]
pub struct Meters {
    /// Highest absolute sample (0.0..=1.0, as f32 bits) per channel since the last
    /// [`Meters::take_peak`].
    peak: Box<[AtomicU32]>,
    /// Full-scale samples per channel.
    clips: Box<[AtomicU64]>,
}

impl Meters {
    /// Meters for `channels` channels, all at zero.
    pub fn new(channels: usize) -> Self {
        Meters {
            peak: (0..channels).map(|_| AtomicU32::new(0)).collect(),
            clips: (0..channels).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Channels metered.
    pub fn channels(&self) -> usize {
        self.peak.len()
    }

    /// Reads channel `c`'s peak since the last call and starts a new one.
    pub fn take_peak(&self, c: usize) -> f32 {
        f32::from_bits(self.peak[c].swap(0, Ordering::Relaxed))
    }

    /// Full-scale samples seen on channel `c`.
    pub fn clips(&self, c: usize) -> u64 {
        self.clips[c].load(Ordering::Relaxed)
    }
}

/// The monitor: decode, meter, sum, encode, play.
pub struct Monitor {
    format: SampleFormat,
    channels: usize,
    out: Option<Box<dyn PlaybackSink>>,
    out_format: DeviceFormat,
    out_channels: usize,
    gain: f32,
    peaks: Vec<f32>,
    clips: Vec<u64>,
    wire: Vec<u8>,
    meters: Arc<Meters>,
    /// Monitor frames that found no room in the playback buffer.
    pub dropped: Arc<AtomicU64>,
}

impl Monitor {
    /// A monitor for captured frames of `spec`, playing to `out` (or metering only), sized for
    /// up to `max_frames` frames per call.
    pub fn new(spec: StreamSpec, out: Option<Box<dyn PlaybackSink>>, max_frames: usize) -> Self {
        let channels = usize::from(spec.channels);
        let (out_format, out_channels) = out
            .as_ref()
            .map(|o| (o.format(), usize::from(o.channels())))
            .unwrap_or((DeviceFormat::S16Le, 2));
        Monitor {
            format: spec.format,
            channels,
            out,
            out_format,
            out_channels,
            gain: 1.0 / channels as f32,
            peaks: vec![0.0; channels],
            clips: vec![0; channels],
            wire: vec![0; max_frames * out_channels * out_format.bytes()],
            meters: Arc::new(Meters::new(channels)),
            dropped: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The meters, for the UI.
    pub fn meters(&self) -> Arc<Meters> {
        self.meters.clone()
    }

    /// Feeds captured frames (interleaved, in the stream's format) through the monitor.
    /// This is realtime-safe.
    pub fn process(&mut self, captured: &[u8]) {
        let bps = self.format.bytes();
        let frame_bytes = bps * self.channels;
        let max = self.wire.len() / (self.out_channels * self.out_format.bytes());
        for part in captured.chunks(max.max(1) * frame_bytes) {
            let frames = part.len() / frame_bytes;
            let out_frame = self.out_channels * self.out_format.bytes();
            for (i, frame) in part.chunks_exact(frame_bytes).enumerate() {
                let mut sum = 0.0f32;
                for (c, s) in frame.chunks_exact(bps).enumerate() {
                    let x = decode(self.format, s);
                    let a = x.abs();
                    if a > self.peaks[c] {
                        self.peaks[c] = a;
                    }
                    if a >= 1.0 {
                        self.clips[c] += 1;
                    }
                    sum += x;
                }
                let y = sum * self.gain;
                let out = &mut self.wire[i * out_frame..][..out_frame];
                for o in out.chunks_exact_mut(self.out_format.bytes()) {
                    encode(self.out_format, y, o);
                }
            }
            if let Some(out) = self.out.as_mut() {
                let bytes = frames * out_frame;
                let queued = out.write(&self.wire[..bytes]).unwrap_or(0);
                if queued < frames {
                    self.dropped
                        .fetch_add((frames - queued) as u64, Ordering::Relaxed);
                }
            }
        }
        for c in 0..self.channels {
            let bits = self.peaks[c].to_bits();
            self.meters.peak[c].fetch_max(bits, Ordering::Relaxed);
            self.meters.clips[c].store(self.clips[c], Ordering::Relaxed);
            self.peaks[c] = 0.0;
        }
    }

    /// Playback underruns so far.
    pub fn underruns(&self) -> u64 {
        self.out.as_ref().map_or(0, |o| o.underruns())
    }
}

/// One sample of the record format as f32 in -1.0..1.0. This is realtime-safe.
#[inline]
pub fn decode(format: SampleFormat, s: &[u8]) -> f32 {
    match format {
        SampleFormat::I16 => f32::from(i16::from_le_bytes([s[0], s[1]])) / 32_768.0,
        SampleFormat::I24 => (i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8) as f32 / 8_388_608.0,
        SampleFormat::I32 => i32::from_le_bytes([s[0], s[1], s[2], s[3]]) as f32 / 2_147_483_648.0,
        SampleFormat::F32 => f32::from_le_bytes([s[0], s[1], s[2], s[3]]),
    }
}

/// Writes `x` (clamped to full scale) in a wire format. This is realtime-safe.
#[inline]
pub fn encode(format: DeviceFormat, x: f32, out: &mut [u8]) {
    let x = x.clamp(-1.0, 1.0);
    match format {
        DeviceFormat::S16Le => out.copy_from_slice(&((x * 32_767.0).round() as i16).to_le_bytes()),
        DeviceFormat::S24_3Le => {
            out.copy_from_slice(&((x * 8_388_607.0).round() as i32).to_le_bytes()[..3])
        }
        DeviceFormat::S24Le => {
            out.copy_from_slice(&((x * 8_388_607.0).round() as i32).to_le_bytes())
        }
        DeviceFormat::S32Le => {
            out.copy_from_slice(&((f64::from(x) * 2_147_483_647.0).round() as i32).to_le_bytes())
        }
        DeviceFormat::FloatLe => out.copy_from_slice(&x.to_le_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl PlaybackSink for Capture {
        fn channels(&self) -> u16 {
            2
        }
        fn format(&self) -> DeviceFormat {
            DeviceFormat::S16Le
        }
        fn write(&mut self, f: &[u8]) -> Result<usize, capstan_board::audio::PlaybackError> {
            self.0.lock().unwrap().extend_from_slice(f);
            Ok(f.len() / 4)
        }
        fn underruns(&self) -> u64 {
            0
        }
    }

    #[test]
    fn sums_every_channel_equally_and_meters_peaks() {
        let spec = StreamSpec {
            channels: 2,
            rate: 48_000,
            format: SampleFormat::I16,
        };
        let played = Arc::new(Mutex::new(Vec::new()));
        let mut m = Monitor::new(spec, Some(Box::new(Capture(played.clone()))), 64);
        // Frame 0: +0.5, -0.25; frame 1: full scale negative on both.
        let mut cap = Vec::new();
        for v in [16_384i16, -8_192, i16::MIN, i16::MIN] {
            cap.extend_from_slice(&v.to_le_bytes());
        }
        m.process(&cap);
        let out = played.lock().unwrap().clone();
        let s: Vec<i16> = out
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        // (0.5 - 0.25) / 2 = 0.125 on both sides, then -1.0.
        assert_eq!(s, vec![4096, 4096, -32_767, -32_767]);
        let meters = m.meters();
        assert_eq!(meters.take_peak(0), 1.0);
        assert_eq!(meters.take_peak(1), 1.0);
        assert_eq!(meters.clips(0), 1);
        assert_eq!(meters.take_peak(0), 0.0, "a read starts a new peak");
    }

    #[test]
    fn decode_matches_the_counter_contract() {
        let mut b = [0u8; 4];
        capstan_bwf::counter::encode(-4_194_304, SampleFormat::I24, &mut b);
        assert_eq!(decode(SampleFormat::I24, &b), -0.5);
        capstan_bwf::counter::encode(-4_194_304, SampleFormat::I32, &mut b);
        assert_eq!(decode(SampleFormat::I32, &b), -0.5);
        capstan_bwf::counter::encode(-4_194_304, SampleFormat::F32, &mut b);
        assert_eq!(decode(SampleFormat::F32, &b), -0.5);
    }
}
