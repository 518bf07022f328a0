//! Meters: measured in the audio thread, read by the UI thread without locks.
//!
//! Each metered channel publishes, once per processed period, four values in atomics:
//! - **peak**: the highest absolute sample, falling back at [`PEAK_FALL_DB_PER_S`] after the
//!   signal drops (a digital peak meter's return time);
//! - **hold**: the highest peak, held for [`HOLD_S`] seconds, then following the peak down;
//! - **RMS**: the root mean square over the last [`RMS_WINDOW_S`] seconds (whole periods);
//! - **clips**: how many samples reached full scale (`|x| >= `[`CLIP_LEVEL`]) since the last
//!   [`ChannelMeter::reset_clips`].
//!
//! Times are counted in processed frames, never read from a clock, so metering is as
//! deterministic as the mix. Each value is read on its own: a reader may see one period's peak
//! with the next period's RMS, which a display never shows.
//!
//! Track meters read the track's input as recorded (before trim, polarity, fader and mute), so
//! they show the level going into the take; bus meters read the bus after its fader and mute.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// A sample at or above this magnitude counts as a clip: the top code of a 16-bit converter,
/// within 0.0003 dB of full scale, which every integer format reaches when it clips.
pub const CLIP_LEVEL: f32 = 32_767.0 / 32_768.0;

/// How fast the peak falls once the signal drops: 20 dB in 1.7 s (IEC 60268-18).
pub const PEAK_FALL_DB_PER_S: f64 = 20.0 / 1.7;

/// How long the peak hold stays up, in seconds.
pub const HOLD_S: f64 = 2.0;

/// The RMS window, in seconds (rounded up to whole periods).
pub const RMS_WINDOW_S: f64 = 0.3;

/// One metered channel as the UI reads it. Every method is lock-free.
#[derive(Debug, Default)]
pub struct ChannelMeter {
    peak: AtomicU32,
    hold: AtomicU32,
    mean_square: AtomicU32,
    clips: AtomicU64,
}

impl ChannelMeter {
    /// The current peak, as a linear amplitude (1.0 = full scale).
    ///
    /// This is realtime-safe, as is every reader here.
    pub fn peak(&self) -> f32 {
        f32::from_bits(self.peak.load(Ordering::Relaxed))
    }

    /// The held peak, as a linear amplitude.
    pub fn hold(&self) -> f32 {
        f32::from_bits(self.hold.load(Ordering::Relaxed))
    }

    /// The RMS level over the window, as a linear amplitude (a full-scale sine reads 1/√2).
    pub fn rms(&self) -> f32 {
        // The audio thread publishes the mean square; the root is taken here, off its clock.
        f32::from_bits(self.mean_square.load(Ordering::Relaxed)).sqrt()
    }

    /// Samples at full scale since the last reset.
    pub fn clips(&self) -> u64 {
        self.clips.load(Ordering::Relaxed)
    }

    /// Clears the clip count (the UI's "clear clip" button). A clip in the period being
    /// processed may land just after the reset, which is the right answer too.
    pub fn reset_clips(&self) {
        self.clips.store(0, Ordering::Relaxed);
    }

    pub(crate) fn publish(&self, peak: f32, hold: f32, mean_square: f32, clips: u32) {
        self.peak.store(peak.to_bits(), Ordering::Relaxed);
        self.hold.store(hold.to_bits(), Ordering::Relaxed);
        self.mean_square
            .store(mean_square.to_bits(), Ordering::Relaxed);
        if clips > 0 {
            self.clips.fetch_add(u64::from(clips), Ordering::Relaxed);
        }
    }
}

/// Every meter of a mixer, shared between the audio thread (which writes) and any number of
/// readers. Get it from [`Mixer::meters`](crate::Mixer::meters).
///
/// A mono track has one channel meter; a stereo track and every bus have two (left, right).
#[derive(Debug)]
pub struct Meters {
    /// Tracks' channels, then groups', auxes' and the master's pairs.
    pub(crate) channels: Vec<ChannelMeter>,
    /// Where each track's channels start in `channels`, plus one past the last track's.
    track_starts: Vec<usize>,
    groups: usize,
    auxes: usize,
    pub(crate) periods: AtomicU64,
}

impl Meters {
    /// Meters for tracks (`true` = stereo) and `groups` + `auxes` + master stereo buses.
    pub(crate) fn new(tracks: impl Iterator<Item = bool>, groups: usize, auxes: usize) -> Meters {
        let mut track_starts = vec![0];
        for stereo in tracks {
            let last = track_starts[track_starts.len() - 1];
            track_starts.push(last + if stereo { 2 } else { 1 });
        }
        let n = track_starts[track_starts.len() - 1] + 2 * (groups + auxes + 1);
        Meters {
            channels: (0..n).map(|_| ChannelMeter::default()).collect(),
            track_starts,
            groups,
            auxes,
            periods: AtomicU64::new(0),
        }
    }

    /// Number of tracks metered.
    pub fn track_count(&self) -> usize {
        self.track_starts.len() - 1
    }

    /// Track `i`'s meter (one channel, or two for a stereo track), if there is such a track.
    pub fn track(&self, i: usize) -> Option<&[ChannelMeter]> {
        let (a, b) = (*self.track_starts.get(i)?, *self.track_starts.get(i + 1)?);
        Some(&self.channels[a..b])
    }

    /// Group bus `i`'s meter (left, right), if there is such a group.
    pub fn group(&self, i: usize) -> Option<&[ChannelMeter]> {
        (i < self.groups).then(|| self.pair(self.group_channel(i)))
    }

    /// Aux bus `i`'s meter (left, right), if there is such an aux.
    pub fn aux(&self, i: usize) -> Option<&[ChannelMeter]> {
        (i < self.auxes).then(|| self.pair(self.aux_channel(i)))
    }

    /// The master bus's meter (left, right).
    pub fn master(&self) -> &[ChannelMeter] {
        self.pair(self.master_channel())
    }

    /// Periods metered so far: a reader sees it change when new values are in.
    pub fn periods(&self) -> u64 {
        self.periods.load(Ordering::Acquire)
    }

    fn pair(&self, first: usize) -> &[ChannelMeter] {
        &self.channels[first..first + 2]
    }

    /// The first channel meter of track `i`.
    pub(crate) fn track_channel(&self, i: usize) -> usize {
        self.track_starts[i]
    }

    /// The left channel meter of group `i`.
    pub(crate) fn group_channel(&self, i: usize) -> usize {
        self.track_starts[self.track_count()] + 2 * i
    }

    /// The left channel meter of aux `i`.
    pub(crate) fn aux_channel(&self, i: usize) -> usize {
        self.group_channel(self.groups) + 2 * i
    }

    /// The master's left channel meter.
    pub(crate) fn master_channel(&self) -> usize {
        self.aux_channel(self.auxes)
    }
}
