//! A stereo bus (group, aux or master) as the audio thread holds it.

use crate::command::BusChange;
use crate::gain::{db_to_gain, scale_ramped, FADER_MAX_DB};
use crate::pan::balance_gains;
use crate::state::BusState;

/// One bus's fader, balance, mute and output, with the gains it ramps between.
#[derive(Debug, Clone)]
pub(crate) struct Bus {
    fader: f32,
    balance: [f32; 2],
    mute: bool,
    /// The output pair it plays on.
    pub output: Option<[u16; 2]>,
    current: [f32; 2],
    target: [f32; 2],
}

impl Bus {
    /// The bus for `b`, starting at its target gains.
    pub fn new(b: &BusState) -> Bus {
        let mut bus = Bus {
            fader: db_to_gain(b.fader_db, FADER_MAX_DB),
            balance: balance_gains(b.pan),
            mute: b.mute,
            output: b.output,
            current: [0.0; 2],
            target: [0.0; 2],
        };
        bus.update_target();
        bus.current = bus.target;
        bus
    }

    /// Applies a change.
    ///
    /// This is realtime-safe.
    pub fn apply(&mut self, change: BusChange) {
        match change {
            BusChange::Fader(db) => self.fader = db_to_gain(db, FADER_MAX_DB),
            BusChange::Pan(p) => self.balance = balance_gains(p),
            BusChange::Mute(on) => self.mute = on,
            BusChange::Output(out) => self.output = out,
        }
        self.update_target();
    }

    fn update_target(&mut self) {
        let g = if self.mute { 0.0 } else { self.fader };
        self.target = [g * self.balance[0], g * self.balance[1]];
    }

    /// Applies the bus's gains (ramping from the last period's) to its left and right buffers.
    ///
    /// This is realtime-safe.
    pub fn scale(&mut self, left: &mut [f32], right: &mut [f32], ramp: &[f32]) {
        scale_ramped(left, self.current[0], self.target[0], ramp);
        scale_ramped(right, self.current[1], self.target[1], ramp);
        self.current = self.target;
    }
}
