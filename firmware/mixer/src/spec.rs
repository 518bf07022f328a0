//! What the mixer is built for (the device's channels and format, the rate and period) and the
//! checks a [`MixerState`] must pass against it.

use crate::convert::RawFormat;
use crate::state::{BusState, Destination, MixerState, TrackInput};
use crate::{MAX_AUXES, MAX_CHANNELS, MAX_GROUPS, MAX_PERIOD_FRAMES, MAX_TRACKS};

/// The audio streams a mixer is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MixerSpec {
    /// Channels in each captured frame.
    pub input_channels: u16,
    /// The capture device's sample format.
    pub input_format: RawFormat,
    /// Channels in each frame of the monitor output.
    pub output_channels: u16,
    /// Sample rate in Hz (sets the meters' times).
    pub rate: u32,
    /// Frames per period: the most one `process` call takes, and the length of every ramp.
    pub period_frames: usize,
}

/// Why a mixer cannot be built from a state, or a change cannot be made to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MixerError {
    /// More tracks or buses than the mixer holds.
    #[error("the mixer has {count} {what}; it holds at most {max}: remove some from [mixer]")]
    TooMany {
        /// "tracks", "groups" or "aux buses".
        what: &'static str,
        /// How many the state has.
        count: usize,
        /// The most there may be.
        max: usize,
    },
    /// A track's input is not a channel of the device.
    #[error(
        "{track} takes input channel {channel}, but the interface captures {channels} \
         channels: pick a channel from 0 to {}", channels.saturating_sub(1)
    )]
    InputChannel {
        /// Which track.
        track: String,
        /// The channel asked for.
        channel: u16,
        /// The device's channel count.
        channels: u16,
    },
    /// A track's output names a group that does not exist.
    #[error("{track} goes to group {group}, but there are {groups} groups: add it under [[groups]] or route the track elsewhere")]
    NoSuchGroup {
        /// Which track.
        track: String,
        /// The group asked for.
        group: u8,
        /// How many groups there are.
        groups: usize,
    },
    /// A track sends to an aux that does not exist, or twice to the same aux.
    #[error("{track} sends to aux {aux}, which {problem}: fix its sends")]
    BadSend {
        /// Which track.
        track: String,
        /// The aux asked for.
        aux: u8,
        /// What is wrong ("does not exist", "it already sends to").
        problem: &'static str,
    },
    /// A bus plays on output channels the device does not have.
    #[error(
        "the {bus} bus plays on outputs {}/{}, but the monitor output has {channels} channels: \
         pick channels from 0 to {}", pair[0], pair[1], channels.saturating_sub(1)
    )]
    OutputPair {
        /// Which bus.
        bus: String,
        /// The pair asked for.
        pair: [u16; 2],
        /// The output's channel count.
        channels: u16,
    },
    /// A group has an output pair: groups always feed the master.
    #[error("group {0} has an output, but groups always feed the master: remove its output")]
    GroupOutput(String),
    /// A change names a track or bus that does not exist.
    #[error("there is no {what} {index}: the mixer has {count} (counted from 0)")]
    NoSuch {
        /// "track", "group" or "aux".
        what: &'static str,
        /// The index asked for.
        index: usize,
        /// How many there are.
        count: usize,
    },
    /// A change the running mixer cannot make.
    #[error("{0}")]
    WhileRunning(&'static str),
    /// The spec itself is unusable.
    #[error("cannot run a mixer with {0}")]
    Spec(&'static str),
    /// A gain or pan that is not a usable number.
    #[error("{0}")]
    Value(String),
}

impl MixerSpec {
    /// Checks the spec itself.
    pub fn check(&self) -> Result<(), MixerError> {
        if self.period_frames == 0 {
            return Err(MixerError::Spec("a period of 0 frames: set period_frames"));
        }
        if self.period_frames > MAX_PERIOD_FRAMES {
            return Err(MixerError::Spec(
                "a period of more than 65536 frames: set period_frames to the period it ran with",
            ));
        }
        if self.rate == 0 {
            return Err(MixerError::Spec("a sample rate of 0 Hz"));
        }
        if self.input_channels == 0 {
            return Err(MixerError::Spec("no input channels"));
        }
        if self.output_channels == 0 {
            return Err(MixerError::Spec("no output channels"));
        }
        if self.input_channels > MAX_CHANNELS || self.output_channels > MAX_CHANNELS {
            return Err(MixerError::Spec("more than 256 input or output channels"));
        }
        Ok(())
    }

    /// Checks that `state` fits the mixer's capacity and this spec: every index names something
    /// that exists, every channel is one the device has.
    pub fn check_state(&self, state: &MixerState) -> Result<(), MixerError> {
        self.check()?;
        state.check_numbers().map_err(MixerError::Value)?;
        for (what, count, max) in [
            ("tracks", state.tracks.len(), MAX_TRACKS),
            ("groups", state.groups.len(), MAX_GROUPS),
            ("aux buses", state.auxes.len(), MAX_AUXES),
        ] {
            if count > max {
                return Err(MixerError::TooMany { what, count, max });
            }
        }
        for i in 0..state.tracks.len() {
            self.check_track(state, i)?;
        }
        for (i, g) in state.groups.iter().enumerate() {
            if g.output.is_some() {
                return Err(MixerError::GroupOutput(bus_label(g, "group", i)));
            }
        }
        for (i, a) in state.auxes.iter().enumerate() {
            self.check_output(&bus_label(a, "aux", i), a.output)?;
        }
        self.check_output("master", state.master.output)
    }

    /// Checks track `i` of `state`.
    pub(crate) fn check_track(&self, state: &MixerState, i: usize) -> Result<(), MixerError> {
        let t = &state.tracks[i];
        self.check_input(state, i, t.input)?;
        self.check_destination(state, i, t.output)?;
        for (k, s) in t.sends.iter().enumerate() {
            let problem = if usize::from(s.aux) >= state.auxes.len() {
                "does not exist"
            } else if t.sends[..k].iter().any(|o| o.aux == s.aux) {
                "it already sends to"
            } else {
                continue;
            };
            return Err(MixerError::BadSend {
                track: state.track_label(i),
                aux: s.aux,
                problem,
            });
        }
        Ok(())
    }

    /// Checks that track `i` may take `input`.
    pub(crate) fn check_input(
        &self,
        state: &MixerState,
        i: usize,
        input: TrackInput,
    ) -> Result<(), MixerError> {
        match input
            .channels()
            .into_iter()
            .find(|&c| c >= self.input_channels)
        {
            Some(channel) => Err(MixerError::InputChannel {
                track: state.track_label(i),
                channel,
                channels: self.input_channels,
            }),
            None => Ok(()),
        }
    }

    /// Checks that track `i` may go to `dest`.
    pub(crate) fn check_destination(
        &self,
        state: &MixerState,
        i: usize,
        dest: Destination,
    ) -> Result<(), MixerError> {
        match dest {
            Destination::Group(g) if usize::from(g) >= state.groups.len() => {
                Err(MixerError::NoSuchGroup {
                    track: state.track_label(i),
                    group: g,
                    groups: state.groups.len(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Checks that a bus may play on `output`.
    pub(crate) fn check_output(
        &self,
        bus: &str,
        output: Option<[u16; 2]>,
    ) -> Result<(), MixerError> {
        match output {
            Some(pair) if pair.iter().any(|&c| c >= self.output_channels) => {
                Err(MixerError::OutputPair {
                    bus: bus.to_string(),
                    pair,
                    channels: self.output_channels,
                })
            }
            _ => Ok(()),
        }
    }
}

/// A bus's name for messages: `aux 2 "Cue"`.
pub(crate) fn bus_label(bus: &BusState, kind: &str, i: usize) -> String {
    if bus.name.is_empty() {
        format!("{kind} {i}")
    } else {
        format!("{kind} {i} \"{}\"", bus.name)
    }
}
