//! The monitor through the real mixer: faders, pans, groups and auxes from the config's
//! `[mixer]`, out to the playback device, and the master's pair printed into a ring for the
//! take's `_MIX.wav`.
//!
//! Captured frames are cut into whole periods before they reach the mixer (however the ring
//! or the device hands them over), so the mixer always sees the same calls for the same frames
//! and the `take` tools can print the same mix offline, bit for bit. The last part period of a
//! take is mixed when the monitor is dropped, on the audio thread, after its last cycle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use capstan_board::audio::PlaybackSink;
use capstan_mixer::{Mixer, MixerControl, MixerSpec, MixerState, RawFormat, TakeMix};

/// The mixer side of a [`Monitor`](super::Monitor).
pub(super) struct MixedMonitor {
    mixer: Mixer,
    control: MixerControl,
    spec: MixerSpec,
    frame_bytes: usize,
    /// One period of captured bytes, filled across calls.
    pending: Vec<u8>,
    filled: usize,
    /// The mixer's interleaved output for one period.
    mixed: Vec<f32>,
    out: Option<Box<dyn PlaybackSink>>,
    out_format: RawFormat,
    /// The mixed periods of one call, encoded for the playback device, written to it in one
    /// go at the call's end (each write asks the device for room and commits: system calls
    /// the audio thread would otherwise pay once per period).
    wire: Vec<u8>,
    /// Frames in `wire` not yet written.
    queued: usize,
    /// Where the printed mix goes, and the output channels it is taken from.
    print: Option<rtrb::Producer<f32>>,
    pair: [usize; 2],
    /// Monitor frames that found no room in the playback buffer.
    pub(super) dropped: Arc<AtomicU64>,
    /// Printed frames that found no room in the print ring.
    pub(super) print_lost: Arc<AtomicU64>,
}

impl MixedMonitor {
    /// Builds the mixer for `spec` and `state`, playing to `out` up to `max_frames` frames a
    /// write (rounded up to whole periods). Not realtime-safe.
    pub(super) fn new(
        state: &MixerState,
        spec: MixerSpec,
        out: Option<Box<dyn PlaybackSink>>,
        max_frames: usize,
        dropped: Arc<AtomicU64>,
    ) -> Result<Self, capstan_mixer::MixerError> {
        let (mixer, control) = Mixer::new(state, spec)?;
        let p = spec.period_frames;
        let wire_frames = max_frames.max(p).div_ceil(p) * p;
        let out_format = out
            .as_ref()
            .map_or(RawFormat::S16Le, |o| super::raw_device_format(o.format()));
        let n = usize::from(spec.output_channels);
        let frame_bytes = usize::from(spec.input_channels) * spec.input_format.bytes();
        let pair = state.master.output.unwrap_or([0, 1]).map(usize::from);
        Ok(MixedMonitor {
            mixer,
            control,
            spec,
            frame_bytes,
            pending: vec![0; p * frame_bytes],
            filled: 0,
            mixed: vec![0.0; p * n],
            out,
            out_format,
            wire: vec![0; wire_frames * n * out_format.bytes()],
            queued: 0,
            print: None,
            pair,
            dropped,
            print_lost: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The settings and stream the mixer runs with, to save with a take.
    pub(super) fn take_mix(&self, board_mix: bool) -> TakeMix {
        let s = self.spec;
        TakeMix {
            board_mix,
            rate: s.rate,
            input_channels: s.input_channels,
            input_format: s.input_format,
            output_channels: s.output_channels,
            period_frames: s.period_frames,
            mixer: self.control.state().clone(),
        }
    }

    /// The mixer's meters.
    pub(super) fn meters(&self) -> Arc<capstan_mixer::Meters> {
        self.mixer.meters()
    }

    /// Prints the master's pair into `ring` from now on, interleaved stereo `f32`.
    pub(super) fn print_to(&mut self, ring: rtrb::Producer<f32>) {
        self.print = Some(ring);
    }

    /// Playback underruns so far.
    pub(super) fn underruns(&self) -> u64 {
        self.out.as_ref().map_or(0, |o| o.underruns())
    }

    /// Takes captured frames, mixing each period as it completes. This is realtime-safe.
    pub(super) fn feed(&mut self, mut captured: &[u8]) {
        let period_bytes = self.pending.len();
        if self.filled > 0 {
            let n = (period_bytes - self.filled).min(captured.len());
            self.pending[self.filled..][..n].copy_from_slice(&captured[..n]);
            self.filled += n;
            captured = &captured[n..];
            if self.filled < period_bytes {
                return;
            }
            let pending = std::mem::take(&mut self.pending);
            self.mix(&pending, self.spec.period_frames);
            self.pending = pending;
            self.filled = 0;
        }
        while captured.len() >= period_bytes {
            let (block, rest) = captured.split_at(period_bytes);
            self.mix(block, self.spec.period_frames);
            captured = rest;
        }
        self.pending[..captured.len()].copy_from_slice(captured);
        self.filled = captured.len();
        self.play_queued();
    }

    /// Mixes the part period still waiting (the end of a take). This is realtime-safe.
    pub(super) fn flush(&mut self) {
        let frames = self.filled / self.frame_bytes;
        if frames > 0 {
            let pending = std::mem::take(&mut self.pending);
            self.mix(&pending, frames);
            self.pending = pending;
        }
        self.filled = 0;
        self.play_queued();
    }

    /// Writes the frames queued in `wire` to the playback device, counting those it has no
    /// room for.
    fn play_queued(&mut self) {
        let frames = std::mem::take(&mut self.queued);
        let Some(out) = self.out.as_mut().filter(|_| frames > 0) else {
            return;
        };
        let frame_bytes = usize::from(self.spec.output_channels) * self.out_format.bytes();
        let played = out.write(&self.wire[..frames * frame_bytes]).unwrap_or(0);
        if played < frames {
            self.dropped
                .fetch_add((frames - played) as u64, Ordering::Relaxed);
        }
    }

    fn mix(&mut self, block: &[u8], frames: usize) {
        let n = usize::from(self.spec.output_channels);
        // The block and buffers are sized for the spec: this cannot fail.
        if self.mixer.process(block, frames, &mut self.mixed).is_err() {
            return;
        }
        if self.out.is_some() {
            let frame_bytes = n * self.out_format.bytes();
            if (self.queued + frames) * frame_bytes > self.wire.len() {
                self.play_queued();
            }
            let wire = &mut self.wire[self.queued * frame_bytes..][..frames * frame_bytes];
            capstan_mixer::convert::encode(self.out_format, &self.mixed[..frames * n], wire);
            self.queued += frames;
        }
        let mixed = &self.mixed[..frames * n];
        if let Some(ring) = self.print.as_mut() {
            let [l, r] = self.pair;
            match ring.write_chunk_uninit(2 * frames) {
                Ok(chunk) => {
                    let samples = mixed.chunks_exact(n).flat_map(|f| [f[l], f[r]]);
                    chunk.fill_from_iter(samples);
                }
                Err(_) => {
                    self.print_lost.fetch_add(frames as u64, Ordering::Relaxed);
                }
            }
        }
    }
}

impl Drop for MixedMonitor {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use capstan_board::audio::{DeviceFormat, StreamSpec};
    use capstan_bwf::SampleFormat;
    use capstan_mixer::{Destination, TrackInput, TrackState};

    use super::super::test_sink::Capture;
    use super::super::Monitor;
    use super::*;

    const STREAM: StreamSpec = StreamSpec {
        channels: 3,
        rate: 48_000,
        format: SampleFormat::I24,
    };

    fn state() -> MixerState {
        let mut s = MixerState::with_mono_tracks(3);
        s.tracks[0].pan = -0.7;
        s.tracks[1].fader_db = -5.0;
        s.tracks[2] = TrackState {
            output: Destination::Group(0),
            pan: 0.3,
            ..TrackState::new("Vox", TrackInput::Mono(2))
        };
        s.groups.push(capstan_mixer::BusState::new("Vocals", None));
        s
    }

    /// 1000 frames of a different ramp on each channel, S24_3LE.
    fn captured() -> Vec<u8> {
        (0..1000 * 3)
            .flat_map(|i: i32| {
                let v = (i * 2_741 + (i % 3) * 400_000) % 8_000_000 - 4_000_000;
                let b = v.to_le_bytes();
                [b[0], b[1], b[2]]
            })
            .collect()
    }

    #[test]
    fn any_cut_of_the_input_mixes_as_whole_periods_and_the_end_is_flushed() {
        let period = 64;
        let data = captured();
        // What the mixer gives for whole periods and a last part period of 1000 % 64 frames.
        let spec = MixerSpec {
            input_channels: 3,
            input_format: RawFormat::S24_3Le,
            output_channels: 2,
            rate: 48_000,
            period_frames: period,
        };
        let (mut mixer, _c) = Mixer::new(&state(), spec).unwrap();
        let mut want = Vec::new();
        let mut out = vec![0f32; period * 2];
        for block in data.chunks(period * 9) {
            let n = block.len() / 9;
            mixer.process(block, n, &mut out).unwrap();
            want.extend_from_slice(&out[..n * 2]);
        }

        let played = Arc::new(Mutex::new(Vec::new()));
        let out = Box::new(Capture::stereo(played.clone(), DeviceFormat::S32Le));
        let mut m = Monitor::with_mixer(STREAM, Some(out), period, period, &state()).unwrap();
        let mix = m.take_mix(true).unwrap();
        assert_eq!((mix.period_frames, mix.input_channels), (period, 3));
        assert_eq!(mix.mixer, state());
        let (tx, mut rx) = rtrb::RingBuffer::new(4096);
        assert!(m.print_to(tx).is_some());
        let mut rest = &data[..];
        for frames in [1usize, 37, 64, 100, 3, 200, 64, 64, 17].iter().cycle() {
            let n = (frames * 9).min(rest.len());
            m.process(&rest[..n]);
            rest = &rest[n..];
            if rest.is_empty() {
                break;
            }
        }
        assert_eq!(
            rx.slots(),
            960 * 2,
            "only whole periods are mixed while it runs"
        );
        drop(m);
        let got: Vec<f32> = std::iter::from_fn(|| rx.pop().ok()).collect();
        assert_eq!(got.len(), 2000);
        assert!(got.iter().any(|&x| x != 0.0));
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&want));
        // The playback device hears the same mix, as S32_LE.
        let wire = played.lock().unwrap();
        let mut enc = vec![0u8; want.len() * 4];
        capstan_mixer::convert::encode(RawFormat::S32Le, &want, &mut enc);
        assert_eq!(*wire, enc);
    }

    /// A stereo S16_LE sink that keeps the frames of each write.
    struct Writes(Arc<Mutex<Vec<usize>>>);

    impl PlaybackSink for Writes {
        fn channels(&self) -> u16 {
            2
        }
        fn format(&self) -> DeviceFormat {
            DeviceFormat::S16Le
        }
        fn write(&mut self, f: &[u8]) -> Result<usize, capstan_board::audio::PlaybackError> {
            self.0.lock().unwrap().push(f.len() / 4);
            Ok(f.len() / 4)
        }
        fn underruns(&self) -> u64 {
            0
        }
    }

    #[test]
    fn the_periods_mixed_in_one_call_reach_the_device_in_one_write() {
        let data = captured();
        let writes = Arc::new(Mutex::new(Vec::new()));
        let out = Box::new(Writes(writes.clone()));
        // Up to 200 frames a write, rounded up to whole periods of 64: 256.
        let mut m = Monitor::with_mixer(STREAM, Some(out), 200, 64, &state()).unwrap();
        let frames = |n: usize| n * 9;
        m.process(&data[..frames(160)]); // two periods and a half
        m.process(&data[frames(160)..frames(260)]); // the third and fourth complete
        m.process(&data[frames(260)..frames(300)]); // no period completes: no write
        m.process(&data[frames(300)..frames(940)]); // ten periods: more than a write holds
        drop(m); // the last part period, 940 - 14 * 64 frames
        assert_eq!(*writes.lock().unwrap(), [128, 128, 256, 256, 128, 44]);
    }

    #[test]
    fn a_mixer_monitor_meters_the_inputs_as_the_plain_sum_does() {
        let data = captured();
        let mut mixed = Monitor::with_mixer(STREAM, None, 64, 64, &state()).unwrap();
        let mut plain = Monitor::new(STREAM, None, 64);
        for part in data.chunks(37 * 9) {
            mixed.process(part);
            plain.process(part);
        }
        let (got, want) = (mixed.meters(), plain.meters());
        for c in 0..3 {
            let peak = want.take_peak(c);
            assert!(peak > 0.0, "channel {c} has signal");
            assert_eq!(got.take_peak(c), peak, "channel {c}");
        }
    }

    #[test]
    fn a_state_the_stream_cannot_feed_is_refused_and_the_plain_sum_has_no_mix() {
        let mut s = state();
        s.tracks[0].input = TrackInput::Mono(7);
        let e = Monitor::with_mixer(STREAM, None, 64, 64, &s).err().unwrap();
        assert!(e.to_string().contains("input channel 7"), "{e}");
        let mut plain = Monitor::new(STREAM, None, 64);
        assert!(plain.take_mix(false).is_none());
        assert!(plain.print_to(rtrb::RingBuffer::new(8).0).is_none());
    }
}
