//! The audio thread's side of the meters: measuring each block, the peak's fall and hold, and
//! the RMS window, published into the shared [`Meters`].

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::meter::{Meters, CLIP_LEVEL, HOLD_S, PEAK_FALL_DB_PER_S, RMS_WINDOW_S};

/// The peak, sum of squares and clip count of a block, with eight independent lanes so the
/// compiler can vectorise it (the lanes are always combined in the same order).
///
/// This is realtime-safe.
pub(crate) fn measure(x: &[f32]) -> (f32, f32, u32) {
    let mut pk = [0f32; 8];
    let mut ss = [0f32; 8];
    let mut cl = [0u32; 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..8 {
            let a = c[i].abs();
            pk[i] = if a > pk[i] { a } else { pk[i] };
            ss[i] += c[i] * c[i];
            cl[i] += u32::from(a >= CLIP_LEVEL);
        }
    }
    for (i, &v) in rest.iter().enumerate() {
        let a = v.abs();
        pk[i] = if a > pk[i] { a } else { pk[i] };
        ss[i] += v * v;
        cl[i] += u32::from(a >= CLIP_LEVEL);
    }
    let peak = pk.iter().fold(0f32, |m, &p| if p > m { p } else { m });
    (peak, ss.iter().sum(), cl.iter().sum())
}

/// The audio thread's side of one channel meter.
#[derive(Debug, Clone, Copy, Default)]
struct ChannelState {
    peak: f32,
    hold: f32,
    hold_left: u64,
    sum: f64,
}

/// The audio thread's meter state: ballistics and RMS windows of every channel meter, sized at
/// construction.
#[derive(Debug)]
pub(crate) struct MeterBank {
    shared: Arc<Meters>,
    chans: Vec<ChannelState>,
    /// Per channel, the last `window` periods' sums of squares.
    ring: Vec<f64>,
    /// The last `window` periods' frame counts.
    ring_frames: Vec<u64>,
    frames_sum: u64,
    /// `1 / frames_sum`.
    per_frame: f64,
    window: usize,
    pos: usize,
    rate: f64,
    hold_frames: u64,
    /// The peak's fall factor for the current block.
    fall: f32,
    frames: usize,
}

impl MeterBank {
    /// The bank for `shared` at `rate` Hz with periods of `period` frames.
    pub(crate) fn new(shared: Arc<Meters>, rate: u32, period: usize) -> MeterBank {
        let n = shared.channels.len();
        let rate = f64::from(rate);
        let window = ((RMS_WINDOW_S * rate / period as f64).ceil() as usize).max(1);
        MeterBank {
            shared,
            chans: vec![ChannelState::default(); n],
            ring: vec![0.0; n * window],
            ring_frames: vec![0; window],
            frames_sum: 0,
            per_frame: 0.0,
            window,
            pos: 0,
            rate,
            hold_frames: (HOLD_S * rate) as u64,
            fall: 1.0,
            frames: 0,
        }
    }

    /// The meters this bank writes.
    pub(crate) fn shared(&self) -> &Arc<Meters> {
        &self.shared
    }

    /// Starts a block of `frames` frames.
    ///
    /// This is realtime-safe.
    pub(crate) fn begin(&mut self, frames: usize) {
        let old = self.ring_frames[self.pos];
        self.ring_frames[self.pos] = frames as u64;
        self.frames_sum = self.frames_sum - old + frames as u64;
        self.per_frame = 1.0 / self.frames_sum as f64;
        if frames != self.frames {
            let db = PEAK_FALL_DB_PER_S * frames as f64 / self.rate;
            self.fall = 10f64.powf(-db / 20.0) as f32;
        }
        self.frames = frames;
    }

    /// Meters channel `i`'s block `x` and publishes the result.
    ///
    /// This is realtime-safe.
    pub(crate) fn update(&mut self, i: usize, x: &[f32]) {
        let (p, ss, clips) = measure(x);
        let frames = x.len() as u64;
        let st = &mut self.chans[i];
        let fallen = st.peak * self.fall;
        st.peak = if p > fallen { p } else { fallen };
        if p >= st.hold {
            st.hold = p;
            st.hold_left = self.hold_frames;
        } else if st.hold_left > frames {
            st.hold_left -= frames;
        } else {
            st.hold_left = 0;
            st.hold = st.peak;
        }
        let slot = &mut self.ring[i * self.window + self.pos];
        st.sum += f64::from(ss) - *slot;
        *slot = f64::from(ss);
        if self.pos == 0 {
            // Once per window, sum afresh so rounding cannot pile up.
            st.sum = self.ring[i * self.window..][..self.window].iter().sum();
        }
        let mean_square = (st.sum.max(0.0) * self.per_frame) as f32;
        self.shared.channels[i].publish(st.peak, st.hold, mean_square, clips);
    }

    /// Ends the block: advances the RMS window and tells readers new values are in.
    ///
    /// This is realtime-safe.
    pub(crate) fn end(&mut self) {
        self.pos = (self.pos + 1) % self.window;
        self.shared.periods.fetch_add(1, Ordering::Release);
    }
}
