//! Mixing one track's two legs (left and right) into its destination and aux buses.

use crate::gain::mix_ramped;
use crate::state::Destination;
use crate::strip::{Gains, Route};
use crate::MAX_AUXES;

/// What mixing one strip's legs needs: its inputs, the bus buffers and the ramp.
///
/// The buffers are laid out as [`Mixer`](crate::Mixer) keeps them: `input` channel-major,
/// `buses` the master's left and right, then each group's, then each aux's, `period` apart.
pub(crate) struct Legs<'a> {
    pub input: &'a [f32],
    pub buses: &'a mut [f32],
    pub period: usize,
    pub frames: usize,
    pub groups: usize,
    pub auxes: usize,
    pub ramp: &'a [f32],
}

impl Legs<'_> {
    /// Adds the strip's left and right legs on `route` to its destination and aux buses, with
    /// gains ramping from `from` to `to`.
    ///
    /// This is realtime-safe.
    pub fn mix(&mut self, route: Route, from: &Gains, to: &Gains) {
        let (p, n) = (self.period, self.frames);
        let l = &self.input[usize::from(route.src[0]) * p..][..n];
        let r = &self.input[usize::from(route.src[1]) * p..][..n];
        let dest = match route.dest {
            Destination::Master => 0,
            Destination::Group(g) => 1 + usize::from(g),
        };
        let buses = std::iter::once((dest, from.dest, to.dest)).chain(
            (0..self.auxes.min(MAX_AUXES))
                .map(|a| (1 + self.groups + a, from.sends[a], to.sends[a])),
        );
        for (bus, f, t) in buses {
            if f == [0.0; 2] && t == [0.0; 2] {
                continue;
            }
            let side = &mut self.buses[2 * bus * p..][..2 * p];
            let (bl, br) = side.split_at_mut(p);
            mix_ramped(&mut bl[..n], l, f[0], t[0], self.ramp);
            mix_ramped(&mut br[..n], r, f[1], t[1], self.ramp);
        }
    }
}
