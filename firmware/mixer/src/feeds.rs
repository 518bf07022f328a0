//! Summing tracks into buses. Each period the strips list their feeds (one per leg and bus
//! side, with the gain it ramps between) in track order; then each bus side is summed a block
//! of frames at a time, the block's sum held in registers while every feed is added to it. The
//! order of the additions is the track order, whatever the block size.

use crate::state::Destination;
use crate::strip::{Gains, Route};
use crate::{MAX_AUXES, MAX_TRACKS};

/// Frames summed together: four SSE or NEON registers (8 and 32 measured slower on x86-64).
const BLOCK: usize = 16;

/// One leg's contribution to one bus side: a device channel and its gain over the period.
#[derive(Debug, Clone, Copy)]
struct Feed {
    src: u16,
    from: f32,
    to: f32,
}

/// The feeds of every bus side (master L, R, each group's, each aux's), sized at construction.
#[derive(Debug)]
pub(crate) struct Feeds {
    /// Per side; a track feeds a side at most twice (its old and new route while rerouting).
    sides: Vec<heapless::Vec<Feed, { 2 * MAX_TRACKS }>>,
    groups: usize,
    auxes: usize,
}

impl Feeds {
    /// Room for the master, `groups` groups and `auxes` auxes.
    pub fn new(groups: usize, auxes: usize) -> Feeds {
        Feeds {
            sides: vec![heapless::Vec::new(); 2 * (1 + groups + auxes)],
            groups,
            auxes,
        }
    }

    /// Forgets the last period's feeds.
    ///
    /// This is realtime-safe.
    pub fn clear(&mut self) {
        for side in &mut self.sides {
            side.clear();
        }
    }

    /// Adds a strip's legs on `route` to its destination and aux buses, with gains ramping from
    /// `from` to `to`. Legs whose gain stays at 0 are left out.
    ///
    /// This is realtime-safe.
    pub fn add(&mut self, route: Route, from: &Gains, to: &Gains) {
        let dest = match route.dest {
            Destination::Master => 0,
            Destination::Group(g) => 1 + usize::from(g),
        };
        let auxes = (0..self.auxes.min(MAX_AUXES))
            .map(|a| (1 + self.groups + a, from.sends[a], to.sends[a]));
        for (bus, f, t) in std::iter::once((dest, from.dest, to.dest)).chain(auxes) {
            for k in 0..2 {
                if f[k] == 0.0 && t[k] == 0.0 {
                    continue;
                }
                let feed = Feed {
                    src: route.src[k],
                    from: f[k],
                    to: t[k],
                };
                // Two feeds per track per side at most, so the side always has room.
                let _ = self.sides[2 * bus + k].push(feed);
            }
        }
    }

    /// Writes each bus side's sum into `buses` (`period` apart, first `ramp.len()` frames) from
    /// the channel-major `input`. A side nothing feeds is silent.
    ///
    /// This is realtime-safe.
    pub fn sum(&self, input: &[f32], buses: &mut [f32], period: usize, ramp: &[f32]) {
        let n = ramp.len();
        for (out, feeds) in buses.chunks_exact_mut(period).zip(&self.sides) {
            let mut start = 0;
            while start + BLOCK <= n {
                let block: &mut [f32; BLOCK] = (&mut out[start..start + BLOCK]).try_into().unwrap();
                *block = sum_block(feeds, input, period, start, ramp);
                start += BLOCK;
            }
            for i in start..n {
                let mut acc = 0.0;
                for f in feeds {
                    let x = input[usize::from(f.src) * period + i];
                    acc += x * if f.from == f.to {
                        f.from
                    } else {
                        f.from + (f.to - f.from) * ramp[i]
                    };
                }
                out[i] = acc;
            }
        }
    }
}

/// The sum of `feeds` over frames `start..start + BLOCK`.
#[inline(always)]
fn sum_block(
    feeds: &[Feed],
    input: &[f32],
    period: usize,
    start: usize,
    ramp: &[f32],
) -> [f32; BLOCK] {
    let mut acc = [0f32; BLOCK];
    let r: &[f32; BLOCK] = ramp[start..start + BLOCK].try_into().unwrap();
    for f in feeds {
        let at = usize::from(f.src) * period + start;
        let x: &[f32; BLOCK] = input[at..at + BLOCK].try_into().unwrap();
        if f.from == f.to {
            for k in 0..BLOCK {
                acc[k] += x[k] * f.from;
            }
        } else {
            let step = f.to - f.from;
            for k in 0..BLOCK {
                acc[k] += x[k] * (f.from + step * r[k]);
            }
        }
    }
    acc
}
