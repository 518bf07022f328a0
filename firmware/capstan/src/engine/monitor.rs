//! The monitor feed of the audio thread. With no mixer configured: every captured channel
//! summed at equal gain to a stereo pair for the playback device, in integer arithmetic, and a
//! peak meter per input channel. With a `[mixer]`: the real mixer (faders, pans, groups, auxes)
//! instead, with its own meters, and optionally the master printed into a ring for the take's
//! mix file (see [`Monitor::with_mixer`]). It only reads the captured frames, so the record path
//! stays bit-transparent whatever it does.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use capstan_board::audio::{DeviceFormat, PlaybackSink, StreamSpec};
use capstan_bwf::SampleFormat;
use capstan_mixer::{MixerError, MixerSpec, MixerState, RawFormat, TakeMix};

mod mixed;
#[cfg(test)]
mod test_sink;

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
    peaks: Vec<u32>,
    clips: Vec<u64>,
    /// Each frame's mean, at 32-bit scale, before it is written to `wire`.
    means: Vec<i32>,
    wire: Vec<u8>,
    meters: Arc<Meters>,
    /// Monitor frames that found no room in the playback buffer.
    pub dropped: Arc<AtomicU64>,
    /// The mixer, when one is configured (it replaces the plain sum).
    mixed: Option<mixed::MixedMonitor>,
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
            peaks: vec![0; channels],
            clips: vec![0; channels],
            means: vec![0; max_frames.max(1)],
            wire: vec![0; max_frames.max(1) * out_channels * out_format.bytes()],
            meters: Arc::new(Meters::new(channels)),
            dropped: Arc::new(AtomicU64::new(0)),
            mixed: None,
        }
    }

    /// A monitor that mixes captured frames of `spec` through the real mixer with `state`, a
    /// period of `period_frames` at a time, playing to `out` (or metering only) what it mixed
    /// from each call in one write, of up to `max_frames` frames. Without a
    /// playback device the mixer writes as many outputs as its buses play on (at least two).
    /// [`Monitor::meters`] keeps the input channels' peaks as with the plain sum (the box's
    /// display shows them); [`Monitor::mixer_meters`] has the mixer's own. Not realtime-safe:
    /// this is where the mixer is built.
    pub fn with_mixer(
        spec: StreamSpec,
        out: Option<Box<dyn PlaybackSink>>,
        max_frames: usize,
        period_frames: usize,
        state: &MixerState,
    ) -> Result<Self, MixerError> {
        let mixer_spec = mixer_spec(spec, out.as_deref(), period_frames, state);
        let mut m = Monitor::new(spec, None, period_frames);
        m.mixed = Some(mixed::MixedMonitor::new(
            state,
            mixer_spec,
            out,
            max_frames,
            m.dropped.clone(),
        )?);
        Ok(m)
    }

    /// Whether [`Monitor::with_mixer`] takes `state` for this stream and playback device: the
    /// mixer's reason when it does not (a track on a channel the input does not have, an
    /// output pair the device does not have...).
    pub fn mixer_fits(
        spec: StreamSpec,
        out: Option<&dyn PlaybackSink>,
        period_frames: usize,
        state: &MixerState,
    ) -> Result<(), MixerError> {
        mixer_spec(spec, out, period_frames, state).check_state(state)
    }

    /// The settings and stream the mixer runs with, to save with a take (`None` for the plain
    /// sum). `board_mix` says whether the take prints its mix.
    pub fn take_mix(&self, board_mix: bool) -> Option<TakeMix> {
        self.mixed.as_ref().map(|m| m.take_mix(board_mix))
    }

    /// The mixer's meters (`None` for the plain sum).
    pub fn mixer_meters(&self) -> Option<Arc<capstan_mixer::Meters>> {
        self.mixed.as_ref().map(|m| m.meters())
    }

    /// From now on, prints the stereo mix (the master's output pair, interleaved `f32`) into
    /// `ring`; frames that find no room are counted in the returned counter. `None` (and the
    /// ring dropped) when there is no mixer to print from.
    pub fn print_to(&mut self, ring: rtrb::Producer<f32>) -> Option<Arc<AtomicU64>> {
        let m = self.mixed.as_mut()?;
        m.print_to(ring);
        Some(m.print_lost.clone())
    }

    /// Mixes the part period the mixer still holds, printing it and playing it: at the end of
    /// the stream, so the printed mix ends with the take. (The plain sum holds nothing back.)
    /// This is realtime-safe.
    pub fn flush(&mut self) {
        if let Some(m) = self.mixed.as_mut() {
            m.flush();
        }
    }

    /// The meters, for the UI.
    pub fn meters(&self) -> Arc<Meters> {
        self.meters.clone()
    }

    /// Feeds captured frames (interleaved, in the stream's format) through the monitor.
    /// With a mixer, the frames are mixed a whole period at a time (the rest waits for the next
    /// call). Without one, integer formats are summed and metered in integer arithmetic at
    /// 32-bit scale (exact, and cheap on any core); float input is summed in f32. Either way
    /// the input channels are metered here (with a mixer the plain sum plays nowhere).
    /// This is realtime-safe.
    pub fn process(&mut self, captured: &[u8]) {
        if let Some(m) = self.mixed.as_mut() {
            m.feed(captured);
        }
        // One loop per format, so the per-sample decode has no branch on the format and the
        // loop over a frame's channels runs in vector registers.
        match self.format {
            SampleFormat::I16 => self.mix(captured, |s: [u8; 2]| decode_i32(SampleFormat::I16, &s)),
            SampleFormat::I24 => self.mix(captured, |s: [u8; 3]| decode_i32(SampleFormat::I24, &s)),
            SampleFormat::I32 => self.mix(captured, |s: [u8; 4]| decode_i32(SampleFormat::I32, &s)),
            SampleFormat::F32 => self.mix(captured, |s: [u8; 4]| decode_i32(SampleFormat::F32, &s)),
        }
        self.count_clips(captured);
        for c in 0..self.channels {
            let peak = self.peaks[c] as f32 / 2_147_483_648.0;
            self.meters.peak[c].fetch_max(peak.to_bits(), Ordering::Relaxed);
            self.meters.clips[c].store(self.clips[c], Ordering::Relaxed);
            self.peaks[c] = 0;
        }
    }

    /// Sums and meters `N`-byte samples. The sum of up to 64 channels of 32-bit samples is
    /// kept exact in two 32-bit sums, of the top 24 bits and of the low 8, which vectorise
    /// on every core (a 64-bit sum, which aarch64 vectorises too, was no cheaper in the
    /// emulated Pi). The usual channel counts have loops of their own, whose peaks stay in
    /// registers from frame to frame instead of going through memory.
    #[inline(always)]
    fn mix<const N: usize>(&mut self, captured: &[u8], decode: impl Fn([u8; N]) -> i32 + Copy) {
        let frame_bytes = N * self.channels;
        let out_bytes = self.out_format.bytes();
        let out_frame = self.out_channels * out_bytes;
        let max = self.means.len();
        for part in captured.chunks(max * frame_bytes) {
            let frames = part.len() / frame_bytes;
            let sums = Sums {
                part,
                peaks: &mut self.peaks,
                means: &mut self.means[..frames],
            };
            match self.channels {
                2 => sums.run::<N, 2>(decode),
                8 => sums.run::<N, 8>(decode),
                16 => sums.run::<N, 16>(decode),
                32 => sums.run::<N, 32>(decode),
                64 => sums.run::<N, 64>(decode),
                _ => sums.run_any::<N>(decode),
            }
            // Without a playback device (metering only, or a mixer playing) the sum goes nowhere.
            if let Some(out) = self.out.as_mut() {
                let wire = &mut self.wire[..frames * out_frame];
                encode_frames(
                    self.out_format,
                    self.out_channels,
                    &self.means[..frames],
                    wire,
                );
                let queued = out.write(wire).unwrap_or(0);
                if queued < frames {
                    self.dropped
                        .fetch_add((frames - queued) as u64, Ordering::Relaxed);
                }
            }
        }
    }

    /// Counts the full-scale samples of `captured`, on the channels whose peak (since the last
    /// publication, which includes all of `captured`) reached full scale: a second pass that
    /// only a clipping channel pays for.
    fn count_clips(&mut self, captured: &[u8]) {
        let clip = clip_level(self.format);
        let bps = self.format.bytes();
        let frame_bytes = bps * self.channels;
        for c in 0..self.channels {
            if self.peaks[c] < clip {
                continue;
            }
            let samples = captured
                .chunks_exact(frame_bytes)
                .map(|f| &f[c * bps..][..bps]);
            self.clips[c] += samples
                .filter(|s| decode_i32(self.format, s).unsigned_abs() >= clip)
                .count() as u64;
        }
    }

    /// Playback underruns so far.
    pub fn underruns(&self) -> u64 {
        match &self.mixed {
            Some(m) => m.underruns(),
            None => self.out.as_ref().map_or(0, |o| o.underruns()),
        }
    }
}

/// One pass of the plain sum over whole frames: each frame's channels summed at equal gain
/// into its mean in `means`, each channel's peak kept in `peaks`.
struct Sums<'a> {
    part: &'a [u8],
    peaks: &'a mut [u32],
    means: &'a mut [i32],
}

impl Sums<'_> {
    /// For exactly `C` channels of `N`-byte samples.
    #[inline(always)]
    fn run<const N: usize, const C: usize>(self, decode: impl Fn([u8; N]) -> i32) {
        let mut peaks = [0u32; C];
        peaks.copy_from_slice(&self.peaks[..C]);
        let frames = self.part.chunks_exact(N * C);
        for (frame, y) in frames.zip(self.means.iter_mut()) {
            let (mut high, mut low) = (0i32, 0i32);
            for (c, peak) in peaks.iter_mut().enumerate() {
                let x = decode(frame[c * N..][..N].try_into().expect("N bytes"));
                *peak = (*peak).max(x.unsigned_abs());
                high += x >> 8;
                low += x & 0xFF;
            }
            *y = mean(high, low, C as i64);
        }
        self.peaks[..C].copy_from_slice(&peaks);
    }

    /// For any number of channels (the length of `peaks`). Its loop repeats [`Self::run`]'s
    /// on purpose: one body for both, with the fixed loop's peaks passed in as a slice, gave
    /// back most of the gain in the aarch64 guest (8 ch 16-bit: 16.8-18.3 ns a sample against
    /// 13.0-13.5).
    #[inline(always)]
    fn run_any<const N: usize>(self, decode: impl Fn([u8; N]) -> i32) {
        let frames = self.part.chunks_exact(N * self.peaks.len());
        let n = self.peaks.len() as i64;
        for (frame, y) in frames.zip(self.means.iter_mut()) {
            let (mut high, mut low) = (0i32, 0i32);
            for (s, peak) in frame.chunks_exact(N).zip(self.peaks.iter_mut()) {
                let x = decode(s.try_into().expect("N bytes"));
                *peak = (*peak).max(x.unsigned_abs());
                high += x >> 8;
                low += x & 0xFF;
            }
            *y = mean(high, low, n);
        }
    }
}

/// The mixer's stream for captured frames of `spec` mixed with `state` a period of
/// `period_frames` at a time, playing to `out`: as many outputs as the device has, or without
/// one as many as the buses play on (at least two).
fn mixer_spec(
    spec: StreamSpec,
    out: Option<&dyn PlaybackSink>,
    period_frames: usize,
    state: &MixerState,
) -> MixerSpec {
    let outputs = match out {
        Some(o) => o.channels(),
        None => (state.auxes.iter().filter_map(|a| a.output))
            .chain(state.master.output)
            .flatten()
            .map(|c| c.saturating_add(1))
            .fold(2, u16::max),
    };
    MixerSpec {
        input_channels: spec.channels,
        input_format: raw_format(spec.format),
        output_channels: outputs,
        rate: spec.rate,
        period_frames,
    }
}

/// Writes each frame's mean to every one of the `channels` channels of its frame of `wire`
/// (whole frames of the playback device, `means.len()` of them), in `format`. A loop per
/// format, and one for the usual stereo pair, so no sample pays for a branch on either: in
/// the emulated Pi the branching encode was a quarter to a half of the monitor's cost.
fn encode_frames(format: DeviceFormat, channels: usize, means: &[i32], wire: &mut [u8]) {
    #[inline(always)]
    fn fill<const B: usize>(
        channels: usize,
        means: &[i32],
        wire: &mut [u8],
        encode: impl Fn(i32, &mut [u8]),
    ) {
        if channels == 2 {
            for (&y, out) in means.iter().zip(wire.chunks_exact_mut(2 * B)) {
                let (l, r) = out.split_at_mut(B);
                encode(y, l);
                r.copy_from_slice(l);
            }
        } else {
            for (&y, out) in means.iter().zip(wire.chunks_exact_mut(channels * B)) {
                let (first, rest) = out.split_at_mut(B);
                encode(y, first);
                for o in rest.chunks_exact_mut(B) {
                    o.copy_from_slice(first);
                }
            }
        }
    }
    match format {
        DeviceFormat::S16Le => fill::<2>(channels, means, wire, |y, o| {
            encode_i32(DeviceFormat::S16Le, y, o)
        }),
        DeviceFormat::S24_3Le => fill::<3>(channels, means, wire, |y, o| {
            encode_i32(DeviceFormat::S24_3Le, y, o)
        }),
        DeviceFormat::S24Le => fill::<4>(channels, means, wire, |y, o| {
            encode_i32(DeviceFormat::S24Le, y, o)
        }),
        DeviceFormat::S32Le => fill::<4>(channels, means, wire, |y, o| {
            encode_i32(DeviceFormat::S32Le, y, o)
        }),
        DeviceFormat::FloatLe => fill::<4>(channels, means, wire, |y, o| {
            encode_i32(DeviceFormat::FloatLe, y, o)
        }),
    }
}

/// The mean of `n` samples whose top 24 bits sum to `high` and low 8 bits to `low`, exactly.
#[inline(always)]
fn mean(high: i32, low: i32, n: i64) -> i32 {
    (((i64::from(high) << 8) + i64::from(low)) / n) as i32
}

/// The mixer's name for a record format (the bytes the ring carries).
pub fn raw_format(f: SampleFormat) -> RawFormat {
    match f {
        SampleFormat::I16 => RawFormat::S16Le,
        SampleFormat::I24 => RawFormat::S24_3Le,
        SampleFormat::I32 => RawFormat::S32Le,
        SampleFormat::F32 => RawFormat::FloatLe,
    }
}

/// The mixer's name for a playback device's wire format.
pub fn raw_device_format(f: DeviceFormat) -> RawFormat {
    match f {
        DeviceFormat::S16Le => RawFormat::S16Le,
        DeviceFormat::S24_3Le => RawFormat::S24_3Le,
        DeviceFormat::S24Le => RawFormat::S24Le,
        DeviceFormat::S32Le => RawFormat::S32Le,
        DeviceFormat::FloatLe => RawFormat::FloatLe,
    }
}

/// The magnitude, at 32-bit scale, of a full-scale sample of `format`.
const fn clip_level(format: SampleFormat) -> u32 {
    match format {
        SampleFormat::I16 => 0x7FFF_0000,
        SampleFormat::I24 => 0x7FFF_FF00,
        SampleFormat::I32 | SampleFormat::F32 => 0x7FFF_FFFF,
    }
}

/// One sample of the record format at 32-bit integer scale (float is scaled and clamped).
/// This is realtime-safe.
#[inline]
pub fn decode_i32(format: SampleFormat, s: &[u8]) -> i32 {
    match format {
        SampleFormat::I16 => i32::from(i16::from_le_bytes([s[0], s[1]])) << 16,
        SampleFormat::I24 => i32::from_le_bytes([0, s[0], s[1], s[2]]),
        SampleFormat::I32 => i32::from_le_bytes([s[0], s[1], s[2], s[3]]),
        SampleFormat::F32 => {
            // Scaling by 2^31 is exact in f32 (a float sample has 24 bits), so this stays in
            // single precision, which vectorises; +1.0 saturates to i32::MAX.
            let x = f32::from_le_bytes([s[0], s[1], s[2], s[3]]).clamp(-1.0, 1.0);
            (x * 2_147_483_648.0) as i32
        }
    }
}

/// Writes a 32-bit-scale sample in a wire format (integer formats keep the top bits).
/// This is realtime-safe.
#[inline]
pub fn encode_i32(format: DeviceFormat, y: i32, out: &mut [u8]) {
    match format {
        DeviceFormat::S16Le => out.copy_from_slice(&((y >> 16) as i16).to_le_bytes()),
        DeviceFormat::S24_3Le => out.copy_from_slice(&y.to_le_bytes()[1..]),
        DeviceFormat::S24Le => out.copy_from_slice(&(y >> 8).to_le_bytes()),
        DeviceFormat::S32Le => out.copy_from_slice(&y.to_le_bytes()),
        DeviceFormat::FloatLe => out.copy_from_slice(&(y as f32 / 2_147_483_648.0).to_le_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::test_sink::Capture;
    use super::*;
    use std::sync::Mutex;

    /// A monitor of `channels` channels of `format` playing to a stereo sink in `out`, sized
    /// for `max_frames` frames a call, and what the sink was given.
    fn monitor_into(
        channels: u16,
        format: SampleFormat,
        out: DeviceFormat,
        max_frames: usize,
    ) -> (Monitor, Arc<Mutex<Vec<u8>>>) {
        let spec = StreamSpec {
            channels,
            rate: 48_000,
            format,
        };
        let played = Arc::new(Mutex::new(Vec::new()));
        let sink = Capture::stereo(played.clone(), out);
        (Monitor::new(spec, Some(Box::new(sink)), max_frames), played)
    }

    /// The left channel of what an S32_LE stereo sink was given.
    fn left_s32(played: &Mutex<Vec<u8>>) -> Vec<i32> {
        (played.lock().unwrap().chunks_exact(8))
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    #[test]
    fn sums_every_channel_equally_and_meters_peaks() {
        let (mut m, played) = monitor_into(2, SampleFormat::I16, DeviceFormat::S16Le, 64);
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
        assert_eq!(s, vec![4096, 4096, -32_768, -32_768]);
        let meters = m.meters();
        assert_eq!(meters.take_peak(0), 1.0);
        assert_eq!(meters.take_peak(1), 1.0);
        assert_eq!(meters.clips(0), 1);
        assert_eq!(meters.take_peak(0), 0.0, "a read starts a new peak");
    }

    #[test]
    fn sum_is_exact_and_clips_are_counted_per_sample_at_64_channels() {
        let (mut m, played) = monitor_into(64, SampleFormat::I32, DeviceFormat::S32Le, 4);
        // Frame 0: every channel at negative full scale. Frame 1: every channel at positive
        // full scale but channel 5 at 0x7FFF_FF01. Frame 2: channel c = c * 0x0101_0101 + 7,
        // channel 63 negated. Frame 3: silence.
        let frames: [Vec<i32>; 4] = [
            vec![i32::MIN; 64],
            (0..64)
                .map(|c| if c == 5 { 0x7FFF_FF01 } else { i32::MAX })
                .collect(),
            (0..64)
                .map(|c: i32| {
                    let v = c.wrapping_mul(0x0101_0101).wrapping_add(7);
                    if c == 63 {
                        -v
                    } else {
                        v
                    }
                })
                .collect(),
            vec![0; 64],
        ];
        let cap: Vec<u8> = frames
            .iter()
            .flatten()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        m.process(&cap);
        m.process(&cap);
        let got = left_s32(&played);
        let want: Vec<i32> = frames
            .iter()
            .map(|f| (f.iter().map(|&v| i64::from(v)).sum::<i64>() / 64) as i32)
            .collect();
        assert_eq!(got[..4], want[..], "the sum of a frame, exact");
        assert_eq!(got[4..], want[..], "and again on the next call");
        let meters = m.meters();
        // Two calls, each with one negative and one positive full-scale sample (channel 5 only
        // the negative one).
        assert_eq!(meters.clips(0), 4);
        assert_eq!(meters.clips(5), 2);
        assert_eq!(meters.take_peak(5), 1.0);
    }

    #[test]
    fn every_channel_count_sums_and_meters_as_the_plain_reference() {
        // The usual counts have loops of their own; the others share one. Each must give the
        // mean of the frame, exact, and each channel's peak, across calls of odd lengths.
        for channels in 1..=64u16 {
            let (mut m, played) = monitor_into(channels, SampleFormat::I32, DeviceFormat::S32Le, 7);
            let n = usize::from(channels);
            let mut x = 0x1234_5678u32 ^ u32::from(channels);
            let samples: Vec<i32> = (0..n * 23)
                .map(|_| {
                    // xorshift: every bit pattern, both signs.
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as i32
                })
                .collect();
            let bytes: Vec<u8> = samples.iter().flat_map(|v| v.to_le_bytes()).collect();
            m.process(&bytes[..n * 4 * 10]);
            m.process(&bytes[n * 4 * 10..]);
            let got = left_s32(&played);
            let want: Vec<i32> = (samples.chunks_exact(n))
                .map(|f| (f.iter().map(|&v| i64::from(v)).sum::<i64>() / n as i64) as i32)
                .collect();
            assert_eq!(got, want, "{channels} channels: the mean of each frame");
            let meters = m.meters();
            for c in 0..n {
                let peak = (samples.iter().skip(c).step_by(n))
                    .map(|v| v.unsigned_abs())
                    .max()
                    .unwrap_or(0);
                let want = peak as f32 / 2_147_483_648.0;
                assert_eq!(
                    meters.take_peak(c),
                    want,
                    "{channels} channels: channel {c}"
                );
            }
        }
    }

    #[test]
    fn every_playback_format_and_width_gets_the_mean_on_every_channel() {
        // The encode has a loop per wire format and one for a stereo pair: each must write
        // every frame's mean, as `encode_i32` writes it, to every channel of the device, with
        // the frames of one call split into several passes (5 frames a pass here).
        let formats = [
            DeviceFormat::S16Le,
            DeviceFormat::S24_3Le,
            DeviceFormat::S24Le,
            DeviceFormat::S32Le,
            DeviceFormat::FloatLe,
        ];
        for (format, out_channels) in formats
            .into_iter()
            .flat_map(|f| [1u16, 2, 3, 6].map(|c| (f, c)))
        {
            for inputs in [3u16, 8] {
                let spec = StreamSpec {
                    channels: inputs,
                    rate: 48_000,
                    format: SampleFormat::I32,
                };
                let played = Arc::new(Mutex::new(Vec::new()));
                let sink = Capture(played.clone(), format, out_channels);
                let mut m = Monitor::new(spec, Some(Box::new(sink)), 5);
                let n = usize::from(inputs);
                let samples: Vec<i32> = (0..n as i32 * 13)
                    .map(|k| k.wrapping_mul(0x2345_6789).wrapping_sub(0x1357_9BDF))
                    .collect();
                let bytes: Vec<u8> = samples.iter().flat_map(|v| v.to_le_bytes()).collect();
                m.process(&bytes);
                let b = format.bytes();
                let mut want = Vec::new();
                for f in samples.chunks_exact(n) {
                    let y = (f.iter().map(|&v| i64::from(v)).sum::<i64>() / n as i64) as i32;
                    let mut o = vec![0u8; b];
                    encode_i32(format, y, &mut o);
                    for _ in 0..out_channels {
                        want.extend_from_slice(&o);
                    }
                }
                assert_eq!(
                    *played.lock().unwrap(),
                    want,
                    "{inputs} inputs to {out_channels} channels of {format:?}"
                );
            }
        }
    }

    #[test]
    fn integer_scale_matches_the_counter_contract() {
        let mut b = [0u8; 4];
        // Every format, float too, lands on the same 32-bit value.
        for f in [
            SampleFormat::I16,
            SampleFormat::I24,
            SampleFormat::I32,
            SampleFormat::F32,
        ] {
            capstan_bwf::counter::encode(-4_194_304, f, &mut b);
            assert_eq!(decode_i32(f, &b), i32::MIN / 2, "{f:?}");
        }
        // Float full scale and beyond: clamped, +1.0 saturating to the largest integer.
        for (x, want) in [
            (1.0f32, i32::MAX),
            (-1.0, i32::MIN),
            (3.5, i32::MAX),
            (-9.0, i32::MIN),
        ] {
            assert_eq!(decode_i32(SampleFormat::F32, &x.to_le_bytes()), want, "{x}");
        }
        let mut o = [0u8; 3];
        encode_i32(DeviceFormat::S24_3Le, i32::MIN / 2, &mut o);
        assert_eq!(o, [0x00, 0x00, 0xC0]);
    }
}
