//! The audio thread's side of playback: one period from the read-ahead ring, through the
//! mixer, to the playback sink.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use capstan_board::audio::{PlaybackError, PlaybackSink};

use crate::engine::monitor::raw_device_format;
use capstan_mixer::{Mixer, MixerError, RawFormat, TakeMix};

/// What one call of [`PlayCycle::cycle`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cycle {
    /// A period (or the take's last, shorter one) was mixed and queued.
    Played,
    /// The ring ran dry: a period of silence was queued and an underrun counted.
    Underrun,
    /// The sink had no room for all of the last period: call again once it has played some.
    SinkFull,
    /// The ring holds less than a period and the sink waits for the reader (sim playback only).
    WaitingForReader,
    /// The whole take has been queued.
    End,
    /// The playback device failed for good.
    Failed(PlaybackError),
}

/// Counters the audio thread keeps, for any thread to read.
#[derive(Debug, Default)]
pub struct PlayStats {
    /// Frames of the take queued to the sink.
    pub frames: AtomicU64,
    /// Periods of silence played because the read-ahead ring ran dry.
    pub underruns: AtomicU64,
}

/// Playback's audio-thread state: everything is allocated in [`PlayCycle::new`].
pub struct PlayCycle<S: PlaybackSink> {
    mixer: Mixer,
    ring: rtrb::Consumer<u8>,
    done: Arc<AtomicBool>,
    sink: S,
    stats: Arc<PlayStats>,
    wait_for_reader: bool,
    period: usize,
    frame_bytes: usize,
    mix_channels: usize,
    pair: [usize; 2],
    out_channels: usize,
    out_format: RawFormat,
    raw: Vec<u8>,
    mixed: Vec<f32>,
    out: Vec<f32>,
    wire: Vec<u8>,
    /// Bytes of `wire` queued so far, and bytes in it.
    queued: usize,
    filled: usize,
}

impl<S: PlaybackSink> PlayCycle<S> {
    /// Builds the mixer with `mix` and the buffers for one period of it. `ring` carries frames
    /// in the take's input order and format; `done` says the reader has put the last one in.
    /// With `wait_for_reader` (sim playback, no real clock) an empty ring waits instead of
    /// playing silence. Not realtime-safe.
    pub fn new(
        mix: &TakeMix,
        ring: rtrb::Consumer<u8>,
        done: Arc<AtomicBool>,
        sink: S,
        wait_for_reader: bool,
    ) -> Result<Self, MixerError> {
        let spec = mix.spec();
        let (mixer, _control) = Mixer::new(&mix.mixer, spec)?;
        let p = spec.period_frames;
        let mix_channels = usize::from(spec.output_channels);
        let out_channels = usize::from(sink.channels());
        let out_format = raw_device_format(sink.format());
        let frame_bytes = usize::from(spec.input_channels) * spec.input_format.bytes();
        Ok(PlayCycle {
            mixer,
            ring,
            done,
            sink,
            stats: Arc::new(PlayStats::default()),
            wait_for_reader,
            period: p,
            frame_bytes,
            mix_channels,
            pair: mix.mix_pair().unwrap_or([0, 1]).map(usize::from),
            out_channels,
            out_format,
            raw: vec![0; p * frame_bytes],
            mixed: vec![0.0; p * mix_channels],
            out: vec![0.0; p * out_channels],
            wire: vec![0; p * out_channels * out_format.bytes()],
            queued: 0,
            filled: 0,
        })
    }

    /// The counters, for the thread that reports them.
    pub fn stats(&self) -> Arc<PlayStats> {
        self.stats.clone()
    }

    /// Frames in one period.
    pub fn period_frames(&self) -> usize {
        self.period
    }

    /// The sink, to drain or finish once playback is over.
    pub fn into_sink(self) -> S {
        self.sink
    }

    /// Plays one period: the rest of the last one if the sink had no room for it, else the
    /// next from the ring (or silence when it has run dry). This is realtime-safe.
    pub fn cycle(&mut self) -> Cycle {
        if self.queued < self.filled {
            return self.push();
        }
        let period_bytes = self.period * self.frame_bytes;
        let mut have = self.ring.slots();
        if have < period_bytes {
            let done = self.done.load(Ordering::Acquire);
            // The reader may have put its last frames in just before it said so.
            have = self.ring.slots();
            if done && have == 0 {
                return Cycle::End;
            }
            if !done {
                if self.wait_for_reader {
                    return Cycle::WaitingForReader;
                }
                self.wire.fill(0);
                self.filled = self.wire.len();
                self.queued = 0;
                self.stats.underruns.fetch_add(1, Ordering::Relaxed);
                return match self.push() {
                    Cycle::Played => Cycle::Underrun,
                    other => other,
                };
            }
        }
        let bytes = have.min(period_bytes) / self.frame_bytes * self.frame_bytes;
        let frames = bytes / self.frame_bytes;
        if let Ok(chunk) = self.ring.read_chunk(bytes) {
            let (a, b) = chunk.as_slices();
            self.raw[..a.len()].copy_from_slice(a);
            self.raw[a.len()..bytes].copy_from_slice(b);
            chunk.commit_all();
        }
        self.mix(frames);
        self.stats
            .frames
            .fetch_add(frames as u64, Ordering::Relaxed);
        self.push()
    }

    /// Mixes `frames` frames of `raw` into `wire`: the master's pair on the sink's first two
    /// channels, silence on any others.
    fn mix(&mut self, frames: usize) {
        let (n, o) = (self.mix_channels, self.out_channels);
        let raw = &self.raw[..frames * self.frame_bytes];
        // The buffers are sized for the spec: this cannot fail.
        if self.mixer.process(raw, frames, &mut self.mixed).is_err() {
            self.mixed.fill(0.0);
        }
        let [l, r] = self.pair;
        let out = &mut self.out[..frames * o];
        for (dst, src) in out.chunks_exact_mut(o).zip(self.mixed.chunks_exact(n)) {
            dst.fill(0.0);
            dst[0] = src[l];
            if o > 1 {
                dst[1] = src[r];
            }
        }
        let len = out.len() * self.out_format.bytes();
        capstan_mixer::convert::encode(self.out_format, out, &mut self.wire[..len]);
        self.filled = len;
        self.queued = 0;
    }

    /// Queues what fits of the period in `wire`.
    fn push(&mut self) -> Cycle {
        let fb = self.out_channels * self.out_format.bytes();
        let n = match self.sink.write(&self.wire[self.queued..self.filled]) {
            Ok(n) => n,
            Err(e) => return Cycle::Failed(e),
        };
        self.queued += n * fb;
        if self.queued < self.filled {
            Cycle::SinkFull
        } else {
            Cycle::Played
        }
    }
}
