//! Parameter changes while the mixer runs: small `Copy` commands the UI thread pushes into a
//! lock-free ring through a [`MixerControl`], drained by the audio thread at the start of each
//! period. The control keeps its own copy of the [`MixerState`], so the UI always has the
//! settings to show and to save with a take.

use crate::spec::{bus_label, MixerError, MixerSpec};
use crate::state::{BusState, Destination, MixerState, SendState, TrackInput};

/// How many commands may wait for the audio thread: far more than a UI sends in one period.
pub const COMMAND_CAPACITY: usize = 1024;

/// A change to one track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrackChange {
    /// Take the signal from other device channels (crossfaded over one period).
    Input(TrackInput),
    /// Trim in dB.
    Trim(f32),
    /// Fader in dB.
    Fader(f32),
    /// Pan (mono) or balance (stereo), −1..=1.
    Pan(f32),
    /// Mute.
    Mute(bool),
    /// Solo in place.
    Solo(bool),
    /// Polarity invert.
    Invert(bool),
    /// Main output (crossfaded over one period).
    Output(Destination),
    /// Add a send or change an existing one to the same aux.
    Send(SendState),
    /// Remove the send to this aux, if any.
    Unsend(u8),
}

/// A change to one bus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BusChange {
    /// Fader in dB.
    Fader(f32),
    /// Balance, −1..=1.
    Pan(f32),
    /// Mute.
    Mute(bool),
    /// Output pair (aux and master only), or none.
    Output(Option<[u16; 2]>),
}

/// One parameter change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Command {
    /// Change track `track` (index into [`MixerState::tracks`]).
    Track(u8, TrackChange),
    /// Change group bus `group`.
    Group(u8, BusChange),
    /// Change aux bus `aux`.
    Aux(u8, BusChange),
    /// Change the master bus.
    Master(BusChange),
}

/// Why a command was not sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlError {
    /// The command names something that does not exist or cannot be done.
    #[error(transparent)]
    Invalid(#[from] MixerError),
    /// The audio thread has not taken the last [`COMMAND_CAPACITY`] commands (it is stopped or
    /// stalled). The command is handed back; nothing changed.
    #[error("the mixer is not taking changes (is the audio stream running?); try again")]
    Full(Command),
}

/// Applies `cmd` to `state` after checking it against `spec`.
pub(crate) fn apply_to_state(
    state: &mut MixerState,
    spec: &MixerSpec,
    cmd: Command,
) -> Result<(), MixerError> {
    match cmd {
        Command::Track(i, change) => {
            let i = usize::from(i);
            if i >= state.tracks.len() {
                return Err(MixerError::NoSuch {
                    what: "track",
                    index: i,
                    count: state.tracks.len(),
                });
            }
            let mut next = state.tracks[i].clone();
            let t = &mut next;
            match change {
                TrackChange::Input(input) => {
                    if input.is_stereo() != t.input.is_stereo() {
                        return Err(MixerError::WhileRunning(
                            "a track cannot turn between mono and stereo while the mixer runs: \
                             change it in the configuration and restart the mixer",
                        ));
                    }
                    t.input = input;
                }
                TrackChange::Trim(db) => t.trim_db = db,
                TrackChange::Fader(db) => t.fader_db = db,
                TrackChange::Pan(p) => t.pan = p,
                TrackChange::Mute(on) => t.mute = on,
                TrackChange::Solo(on) => t.solo = on,
                TrackChange::Invert(on) => t.invert = on,
                TrackChange::Output(dest) => t.output = dest,
                TrackChange::Send(send) => match t.sends.iter_mut().find(|s| s.aux == send.aux) {
                    Some(s) => *s = send,
                    None => t.sends.push(send),
                },
                TrackChange::Unsend(aux) => t.sends.retain(|s| s.aux != aux),
            }
            let old = std::mem::replace(&mut state.tracks[i], next);
            if let Err(e) = spec.check_track(state, i) {
                state.tracks[i] = old;
                return Err(e);
            }
        }
        Command::Group(g, change) => {
            if matches!(change, BusChange::Output(_)) {
                let name = state
                    .groups
                    .get(usize::from(g))
                    .map(|b| bus_label(b, "group", g.into()));
                return Err(MixerError::GroupOutput(name.unwrap_or_default()));
            }
            let bus = bus_mut(&mut state.groups, g, "group")?;
            apply_to_bus(bus, spec, change, "group", g)?;
        }
        Command::Aux(a, change) => {
            let bus = bus_mut(&mut state.auxes, a, "aux")?;
            apply_to_bus(bus, spec, change, "aux", a)?;
        }
        Command::Master(change) => {
            if let BusChange::Output(out) = change {
                spec.check_output("master", out)?;
            }
            apply_to_bus(&mut state.master, spec, change, "master", 0)?;
        }
    }
    Ok(())
}

fn bus_mut<'a>(
    buses: &'a mut [BusState],
    i: u8,
    what: &'static str,
) -> Result<&'a mut BusState, MixerError> {
    let count = buses.len();
    buses.get_mut(usize::from(i)).ok_or(MixerError::NoSuch {
        what,
        index: i.into(),
        count,
    })
}

fn apply_to_bus(
    bus: &mut BusState,
    spec: &MixerSpec,
    change: BusChange,
    kind: &str,
    i: u8,
) -> Result<(), MixerError> {
    match change {
        BusChange::Fader(db) => bus.fader_db = db,
        BusChange::Pan(p) => bus.pan = p,
        BusChange::Mute(on) => bus.mute = on,
        BusChange::Output(out) => {
            spec.check_output(&bus_label(bus, kind, i.into()), out)?;
            bus.output = out;
        }
    }
    Ok(())
}

/// The UI thread's handle on a running mixer: checks each change, keeps the settings, and hands
/// changes to the audio thread without locks. Its methods are not for the audio thread.
#[derive(Debug)]
pub struct MixerControl {
    ring: rtrb::Producer<Command>,
    state: MixerState,
    spec: MixerSpec,
}

impl MixerControl {
    pub(crate) fn new(ring: rtrb::Producer<Command>, state: MixerState, spec: MixerSpec) -> Self {
        MixerControl { ring, state, spec }
    }

    /// Checks `cmd`, queues it for the audio thread (which applies it at the start of its next
    /// period, ramping over that period) and records it in [`state`](Self::state).
    pub fn send(&mut self, cmd: Command) -> Result<(), ControlError> {
        if self.ring.is_full() {
            return Err(ControlError::Full(cmd));
        }
        // Only this handle pushes, so with a free slot the push below cannot fail.
        apply_to_state(&mut self.state, &self.spec, cmd)?;
        self.ring
            .push(cmd)
            .map_err(|rtrb::PushError::Full(c)| ControlError::Full(c))
    }

    /// The settings as of the last change sent: what to show and what to save with a take.
    pub fn state(&self) -> &MixerState {
        &self.state
    }

    /// Renames track `i` (names live on this side only). Returns false if there is no such track.
    pub fn rename_track(&mut self, i: usize, name: impl Into<String>) -> bool {
        self.state
            .tracks
            .get_mut(i)
            .map(|t| t.name = name.into())
            .is_some()
    }

    /// Renames group `i`. Returns false if there is no such group.
    pub fn rename_group(&mut self, i: usize, name: impl Into<String>) -> bool {
        self.state
            .groups
            .get_mut(i)
            .map(|b| b.name = name.into())
            .is_some()
    }

    /// Renames aux `i`. Returns false if there is no such aux.
    pub fn rename_aux(&mut self, i: usize, name: impl Into<String>) -> bool {
        self.state
            .auxes
            .get_mut(i)
            .map(|b| b.name = name.into())
            .is_some()
    }

    /// Commands sent but not yet taken by the audio thread.
    pub fn pending(&self) -> usize {
        COMMAND_CAPACITY - self.ring.slots()
    }
}
