//! The sim audio source: a test signal generated on the audio thread, paced by the wall clock
//! like an interface, or as fast as the consumer takes it (`fast`).

use std::time::{Duration, Instant};

use capstan_bwf::counter;
use capstan_bwf::SampleFormat;

use super::{CaptureError, CaptureSource, OpenError, StreamSpec};

/// The signal the sim source plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The counter test signal of DESIGN.md: every sample says its frame and channel.
    Counter,
    /// A 1 kHz sine at -18 dBFS on every channel.
    Sine,
    /// Digital silence.
    Silence,
}

impl Signal {
    /// Parses the command-line spelling.
    pub fn from_cli(s: &str) -> Option<Signal> {
        match s {
            "counter" => Some(Signal::Counter),
            "sine" => Some(Signal::Sine),
            "silence" => Some(Signal::Silence),
            _ => None,
        }
    }
}

/// A simulated interface.
#[derive(Debug)]
pub struct SimSource {
    spec: StreamSpec,
    signal: Signal,
    period: usize,
    fast: bool,
    next_frame: u64,
    /// Frames the clock has made ready but that were not read yet.
    ready: usize,
    started: Option<Instant>,
    /// One second of the sine, encoded, for one channel (1 kHz repeats exactly every second).
    sine: Vec<u8>,
    /// The counter signal's frame-independent bytes, for integer formats.
    counter: Option<CounterFrame>,
}

/// One frame of the counter signal split into what stays and what follows the frame number:
/// in every integer format the frame's bits and the channel's bits of a sample never overlap,
/// so a frame is `channel_bits | (low_byte & low_mask) | (high_byte & high_mask)`.
#[derive(Debug)]
struct CounterFrame {
    /// The channel bits of every sample (the frame as it is at frame 0).
    channel_bits: Vec<u8>,
    /// 0xFF where the low byte of the frame number goes.
    low_mask: Vec<u8>,
    /// 0xFF where the high byte of the frame number goes.
    high_mask: Vec<u8>,
}

impl CounterFrame {
    /// For `format`; `None` for float samples, whose bits do not split that way.
    fn new(channels: usize, format: SampleFormat) -> Option<CounterFrame> {
        let bps = format.bytes();
        // Where frame bits 0-7 and 8-15 land inside a sample.
        let (low, high) = match format {
            SampleFormat::I16 => (0, 1),
            SampleFormat::I24 => (1, 2),
            SampleFormat::I32 => (2, 3),
            SampleFormat::F32 => return None,
        };
        let mut channel_bits = vec![0u8; channels * bps];
        counter::fill(&mut channel_bits, channels, format, 0);
        let mask = |at: usize| -> Vec<u8> {
            (0..channels * bps)
                .map(|i| if i % bps == at { 0xFF } else { 0 })
                .collect()
        };
        Some(CounterFrame {
            channel_bits,
            low_mask: mask(low),
            high_mask: mask(high),
        })
    }

    /// Fills `out` (whole frames) from frame `first_frame` on. This is realtime-safe.
    fn fill(&self, out: &mut [u8], first_frame: u64) {
        let fb = self.channel_bits.len();
        let (t, l, h) = (
            &self.channel_bits[..],
            &self.low_mask[..fb],
            &self.high_mask[..fb],
        );
        for (i, frame) in out.chunks_exact_mut(fb).enumerate() {
            let n = first_frame + i as u64;
            let (lo, hi) = (n as u8, (n >> 8) as u8);
            for j in 0..fb {
                frame[j] = t[j] | (lo & l[j]) | (hi & h[j]);
            }
        }
    }
}

impl SimSource {
    /// A sim source; `fast` generates as fast as the consumer takes frames.
    pub fn new(
        spec: StreamSpec,
        signal: Signal,
        period_frames: usize,
        fast: bool,
    ) -> Result<Self, OpenError> {
        if spec.channels == 0 || spec.channels > 256 {
            return Err(OpenError::Unsupported(format!(
                "{} channels: the sim source has 1 to 256",
                spec.channels
            )));
        }
        if !(8000..=768_000).contains(&spec.rate) {
            return Err(OpenError::Unsupported(format!(
                "{} Hz: the sim source runs at 8000 to 768000 Hz",
                spec.rate
            )));
        }
        if period_frames == 0 {
            return Err(OpenError::Unsupported("a period of 0 frames".into()));
        }
        let bps = spec.format.bytes();
        let sine = if signal == Signal::Sine {
            let amp = 10f64.powf(-18.0 / 20.0);
            let mut s = vec![0u8; spec.rate as usize * bps];
            for (n, out) in s.chunks_exact_mut(bps).enumerate() {
                let x = amp
                    * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / f64::from(spec.rate)).sin();
                encode_f64(x, spec.format, out);
            }
            s
        } else {
            Vec::new()
        };
        let counter = match signal {
            Signal::Counter => CounterFrame::new(usize::from(spec.channels), spec.format),
            _ => None,
        };
        Ok(SimSource {
            spec,
            signal,
            period: period_frames,
            fast,
            next_frame: 0,
            ready: 0,
            started: None,
            sine,
            counter,
        })
    }
}

fn encode_f64(x: f64, format: SampleFormat, out: &mut [u8]) {
    match format {
        SampleFormat::I16 => out.copy_from_slice(&((x * 32767.0).round() as i16).to_le_bytes()),
        SampleFormat::I24 => {
            out.copy_from_slice(&((x * 8_388_607.0).round() as i32).to_le_bytes()[..3])
        }
        SampleFormat::I32 => {
            out.copy_from_slice(&((x * 2_147_483_647.0).round() as i32).to_le_bytes())
        }
        SampleFormat::F32 => out.copy_from_slice(&(x as f32).to_le_bytes()),
    }
}

impl CaptureSource for SimSource {
    fn spec(&self) -> StreamSpec {
        self.spec
    }

    fn period_frames(&self) -> usize {
        self.period
    }

    fn start(&mut self) -> Result<(), CaptureError> {
        self.started = Some(Instant::now());
        Ok(())
    }

    /// This is realtime-safe.
    fn wait(&mut self) -> Result<usize, CaptureError> {
        if self.fast {
            self.ready = self.period;
            return Ok(self.ready);
        }
        let start = self
            .started
            .ok_or(CaptureError::Fatal("sim source waited before start"))?;
        // The clock makes a period ready every period_frames / rate seconds.
        let due_frames = self.next_frame + self.ready as u64 + self.period as u64;
        let due =
            start + Duration::from_nanos(due_frames * 1_000_000_000 / u64::from(self.spec.rate));
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        let elapsed = start.elapsed();
        let clock = (elapsed.as_nanos() * u128::from(self.spec.rate) / 1_000_000_000) as u64;
        self.ready = clock.saturating_sub(self.next_frame) as usize;
        Ok(self.ready)
    }

    /// This is realtime-safe.
    fn read(&mut self, dst: &mut [u8]) -> Result<usize, CaptureError> {
        let fb = self.spec.frame_bytes();
        let n = (dst.len() / fb).min(self.ready);
        let out = &mut dst[..n * fb];
        let ch = usize::from(self.spec.channels);
        match self.signal {
            Signal::Counter => match &self.counter {
                Some(c) => c.fill(out, self.next_frame),
                None => counter::fill(out, ch, self.spec.format, self.next_frame),
            },
            Signal::Silence => out.fill(0),
            Signal::Sine => {
                let bps = self.spec.format.bytes();
                let rate = self.spec.rate as u64;
                for (i, frame) in out.chunks_exact_mut(fb).enumerate() {
                    let k = ((self.next_frame + i as u64) % rate) as usize * bps;
                    let s = &self.sine[k..k + bps];
                    for dst in frame.chunks_exact_mut(bps) {
                        dst.copy_from_slice(s);
                    }
                }
            }
        }
        self.next_frame += n as u64;
        self.ready -= n;
        Ok(n)
    }

    fn paced_by_consumer(&self) -> bool {
        self.fast
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(format: SampleFormat) -> StreamSpec {
        StreamSpec {
            channels: 3,
            rate: 48000,
            format,
        }
    }

    #[test]
    fn counter_continues_across_reads() {
        let mut s = SimSource::new(spec(SampleFormat::I24), Signal::Counter, 64, true).unwrap();
        s.start().unwrap();
        let mut a = vec![0u8; 64 * 9];
        let mut all = Vec::new();
        for _ in 0..3 {
            assert_eq!(s.wait().unwrap(), 64);
            assert_eq!(s.read(&mut a).unwrap(), 64);
            all.extend_from_slice(&a);
        }
        let mut c = counter::Checker::new(SampleFormat::I24, &[0, 1, 2]);
        c.check(&all).unwrap();
        assert_eq!((c.frames(), c.start_position()), (192, Some(0)));
    }

    #[test]
    fn counter_frames_match_the_signal_in_every_format_and_at_the_wrap() {
        for format in [
            SampleFormat::I16,
            SampleFormat::I24,
            SampleFormat::I32,
            SampleFormat::F32,
        ] {
            for channels in [1u16, 3, 64, 256] {
                let spec = StreamSpec {
                    channels,
                    rate: 48000,
                    format,
                };
                let mut s = SimSource::new(spec, Signal::Counter, 512, true).unwrap();
                // Start near frame 32767 so the run crosses the sign bit and the 16-bit wrap.
                s.next_frame = 65536 * 3 - 40_000;
                s.start().unwrap();
                let first = s.next_frame;
                let fb = spec.frame_bytes();
                let mut got = vec![0u8; 512 * fb];
                let mut want = got.clone();
                for k in 0..100u64 {
                    s.wait().unwrap();
                    assert_eq!(s.read(&mut got).unwrap(), 512);
                    counter::fill(&mut want, usize::from(channels), format, first + k * 512);
                    assert!(got == want, "{format:?}, {channels} channels, read {k}");
                }
            }
        }
    }

    #[test]
    fn realtime_clock_makes_frames_ready_at_the_rate() {
        let mut s = SimSource::new(
            StreamSpec {
                channels: 1,
                rate: 8000,
                format: SampleFormat::I16,
            },
            Signal::Silence,
            80,
            false,
        )
        .unwrap();
        s.start().unwrap();
        let t = Instant::now();
        let mut buf = vec![0u8; 8000 * 2];
        let mut got = 0;
        while got < 800 {
            s.wait().unwrap();
            got += s.read(&mut buf).unwrap();
        }
        // 800 frames at 8 kHz take at least 100 ms of wall clock.
        assert!(
            t.elapsed() >= Duration::from_millis(99),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn sine_is_the_level_asked_for() {
        let mut s = SimSource::new(
            StreamSpec {
                channels: 1,
                rate: 48000,
                format: SampleFormat::F32,
            },
            Signal::Sine,
            4800,
            true,
        )
        .unwrap();
        s.start().unwrap();
        s.wait().unwrap();
        let mut b = vec![0u8; 4800 * 4];
        s.read(&mut b).unwrap();
        let peak = b
            .chunks_exact(4)
            .map(|x| f32::from_le_bytes(x.try_into().unwrap()).abs())
            .fold(0.0, f32::max);
        assert!((peak - 0.1259).abs() < 0.001, "{peak}");
    }

    #[test]
    fn bad_settings_are_refused_with_the_reason() {
        let e = SimSource::new(
            StreamSpec {
                channels: 0,
                rate: 48000,
                format: SampleFormat::I16,
            },
            Signal::Counter,
            64,
            true,
        )
        .unwrap_err();
        assert!(e.to_string().contains("0 channels"));
    }
}
