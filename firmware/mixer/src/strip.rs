//! A track's channel strip as the audio thread holds it: parameters as linear gains, and the
//! gains it is ramping from and to.

use crate::command::TrackChange;
use crate::gain::{db_to_gain, FADER_MAX_DB, TRIM_MAX_DB};
use crate::pan::{balance_gains, pan_gains};
use crate::state::{Destination, TrackInput, TrackState};
use crate::MAX_AUXES;

/// The gains of a strip's two legs (left, right) to its destination and to each aux.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Gains {
    /// To the main destination.
    pub dest: [f32; 2],
    /// To each aux bus.
    pub sends: [[f32; 2]; MAX_AUXES],
}

impl Gains {
    /// All zero: silence everywhere.
    pub const SILENT: Gains = Gains {
        dest: [0.0; 2],
        sends: [[0.0; 2]; MAX_AUXES],
    };
}

/// Where a strip's legs come from and go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Route {
    /// Device channels of the left and right legs.
    pub src: [u16; 2],
    /// Main destination.
    pub dest: Destination,
}

/// A send as the audio thread uses it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Send {
    level: f32,
    pre_fader: bool,
}

/// One track's strip.
#[derive(Debug, Clone)]
pub(crate) struct Strip {
    input: TrackInput,
    output: Destination,
    trim: f32,
    fader: f32,
    pan: [f32; 2],
    pan_pos: f32,
    mute: bool,
    /// Soloed in place.
    pub solo: bool,
    invert: bool,
    sends: [Option<Send>; MAX_AUXES],
    /// The route the last period played.
    pub route: Route,
    /// The gains the last period ended on.
    pub current: Gains,
    /// The gains this period ramps to.
    pub target: Gains,
}

impl Strip {
    /// The strip for `t`, starting at its targets (no ramp from silence on the first period).
    pub fn new(t: &TrackState) -> Strip {
        let mut s = Strip {
            input: t.input,
            output: t.output,
            trim: db_to_gain(t.trim_db, TRIM_MAX_DB),
            fader: db_to_gain(t.fader_db, FADER_MAX_DB),
            pan: [1.0; 2],
            pan_pos: 0.0,
            mute: t.mute,
            solo: t.solo,
            invert: t.invert,
            sends: [None; MAX_AUXES],
            route: Route {
                src: t.input.channels(),
                dest: t.output,
            },
            current: Gains::SILENT,
            target: Gains::SILENT,
        };
        s.set_pan(t.pan);
        for send in &t.sends {
            s.sends[usize::from(send.aux)] = Some(Send {
                level: db_to_gain(send.level_db, FADER_MAX_DB),
                pre_fader: send.pre_fader,
            });
        }
        s
    }

    fn set_pan(&mut self, pan: f32) {
        self.pan_pos = pan;
        self.pan = if self.input.is_stereo() {
            balance_gains(pan)
        } else {
            pan_gains(pan)
        };
    }

    /// Applies a change. Indices were checked by the control; one out of range is ignored.
    ///
    /// This is realtime-safe.
    pub fn apply(&mut self, change: TrackChange) {
        match change {
            TrackChange::Input(input) => {
                self.input = input;
                self.set_pan(self.pan_pos);
            }
            TrackChange::Trim(db) => self.trim = db_to_gain(db, TRIM_MAX_DB),
            TrackChange::Fader(db) => self.fader = db_to_gain(db, FADER_MAX_DB),
            TrackChange::Pan(p) => self.set_pan(p),
            TrackChange::Mute(on) => self.mute = on,
            TrackChange::Solo(on) => self.solo = on,
            TrackChange::Invert(on) => self.invert = on,
            TrackChange::Output(dest) => self.output = dest,
            TrackChange::Send(send) => {
                if let Some(slot) = self.sends.get_mut(usize::from(send.aux)) {
                    *slot = Some(Send {
                        level: db_to_gain(send.level_db, FADER_MAX_DB),
                        pre_fader: send.pre_fader,
                    });
                }
            }
            TrackChange::Unsend(aux) => {
                if let Some(slot) = self.sends.get_mut(usize::from(aux)) {
                    *slot = None;
                }
            }
        }
    }

    /// The route the strip's settings ask for.
    pub fn wanted_route(&self) -> Route {
        Route {
            src: self.input.channels(),
            dest: self.output,
        }
    }

    /// Sets the target gains from the settings; `soloing` is true while any track is soloed.
    ///
    /// This is realtime-safe.
    pub fn update_target(&mut self, soloing: bool) {
        let heard = !self.mute && (self.solo || !soloing);
        let base = match (heard, self.invert) {
            (false, _) => 0.0,
            (true, false) => self.trim,
            (true, true) => -self.trim,
        };
        let [l, r] = self.pan;
        let post = base * self.fader;
        self.target.dest = [post * l, post * r];
        for (gains, send) in self.target.sends.iter_mut().zip(&self.sends) {
            *gains = match send {
                Some(s) => {
                    let g = if s.pre_fader { base } else { post } * s.level;
                    [g * l, g * r]
                }
                None => [0.0; 2],
            };
        }
    }
}
