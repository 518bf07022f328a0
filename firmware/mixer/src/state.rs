//! The mixer's settings as they live in the configuration file and in each take: tracks with
//! their names, inputs, levels and routing, the group and aux buses and the master.
//!
//! Levels are in dB; `-inf` (TOML's `-inf`) or anything at or below
//! [`SILENCE_DB`](crate::gain::SILENCE_DB) is silence. A minimal TOML mixer:
//!
//! ```toml
//! [[tracks]]
//! name = "Kick"
//! input = 0
//! output = { group = 0 }
//! sends = [{ aux = 0, level_db = -6.0, pre_fader = true }]
//!
//! [[tracks]]
//! name = "Keys"
//! input = [2, 3]       # a linked stereo pair
//! pan = -0.25          # balance, for a stereo track
//!
//! [[groups]]
//! name = "Drums"
//!
//! [[auxes]]
//! name = "Drummer's cans"
//! output = [2, 3]
//!
//! [master]
//! output = [0, 1]
//! ```

use serde::{Deserialize, Serialize};

/// Where a track's signal comes from: one device channel, or a linked pair for a stereo track
/// (written `input = 3` or `input = [4, 5]`; channels count from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    untagged,
    expecting = "a device channel for a mono track (input = 3) or a pair for a stereo one \
                 (input = [4, 5]), counting from 0"
)]
pub enum TrackInput {
    /// One device channel: a mono track.
    Mono(u16),
    /// Left and right device channels: a stereo track.
    Stereo([u16; 2]),
}

impl TrackInput {
    /// The device channels feeding the left and right legs (the same channel twice for mono).
    pub fn channels(self) -> [u16; 2] {
        match self {
            TrackInput::Mono(c) => [c, c],
            TrackInput::Stereo(pair) => pair,
        }
    }

    /// True for a linked pair.
    pub fn is_stereo(self) -> bool {
        matches!(self, TrackInput::Stereo(_))
    }
}

/// Where a track's main output goes (written `output = "master"` or `output = { group = 2 }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Destination {
    /// Straight to the master bus.
    #[default]
    Master,
    /// To a group bus (by index, from 0), which goes on to the master.
    Group(u8),
}

/// A track's send to an aux bus. The send follows the track's pan (or balance), mute, solo and
/// polarity; a post-fader send follows its fader too.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendState {
    /// The aux bus (by index, from 0).
    pub aux: u8,
    /// Send level in dB, up to +12.
    #[serde(default)]
    pub level_db: f32,
    /// Taken before the track's fader (a cue mix that ignores the fader) instead of after it.
    #[serde(default)]
    pub pre_fader: bool,
}

/// One track's channel strip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackState {
    /// The track's name, as shown and written in takes.
    #[serde(default)]
    pub name: String,
    /// Its input.
    pub input: TrackInput,
    /// Trim in dB, up to +18.
    #[serde(default)]
    pub trim_db: f32,
    /// Fader in dB, up to +12.
    #[serde(default)]
    pub fader_db: f32,
    /// Pan for a mono track, balance for a stereo one: −1 left, 0 centre, +1 right.
    #[serde(default)]
    pub pan: f32,
    /// Muted: nothing of the track is heard, on its output or its sends.
    #[serde(default)]
    pub mute: bool,
    /// Soloed in place: while any track is soloed, tracks that are not are muted.
    #[serde(default)]
    pub solo: bool,
    /// Polarity inverted.
    #[serde(default)]
    pub invert: bool,
    /// Main output: master or a group.
    #[serde(default)]
    pub output: Destination,
    /// Sends to aux buses, at most one per aux.
    #[serde(default)]
    pub sends: Vec<SendState>,
}

impl TrackState {
    /// A track at unity on `input`, centred, routed to the master, with no sends.
    pub fn new(name: impl Into<String>, input: TrackInput) -> TrackState {
        TrackState {
            name: name.into(),
            input,
            trim_db: 0.0,
            fader_db: 0.0,
            pan: 0.0,
            mute: false,
            solo: false,
            invert: false,
            output: Destination::Master,
            sends: Vec::new(),
        }
    }
}

/// A stereo bus: a group, an aux or the master.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusState {
    /// The bus's name.
    pub name: String,
    /// Fader in dB, up to +12.
    pub fader_db: f32,
    /// Balance: −1 left only, 0 both, +1 right only.
    pub pan: f32,
    /// Muted. Buses are solo-safe: soloing tracks never mutes a bus.
    pub mute: bool,
    /// The output channel pair it plays on (aux and master only; groups feed the master),
    /// counted from 0. Several buses on one pair are summed.
    pub output: Option<[u16; 2]>,
}

impl BusState {
    /// A bus at unity named `name`, playing on `output`.
    pub fn new(name: impl Into<String>, output: Option<[u16; 2]>) -> BusState {
        BusState {
            name: name.into(),
            output,
            ..BusState::default()
        }
    }
}

/// The whole mixer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MixerState {
    /// Tracks, in processing order (at most [`MAX_TRACKS`](crate::MAX_TRACKS)).
    pub tracks: Vec<TrackState>,
    /// Group buses (at most [`MAX_GROUPS`](crate::MAX_GROUPS)).
    pub groups: Vec<GroupState>,
    /// Aux buses (at most [`MAX_AUXES`](crate::MAX_AUXES)).
    pub auxes: Vec<BusState>,
    /// The master bus. Unlike an aux it plays on outputs 0 and 1 unless told otherwise, so a
    /// `[master]` table that only sets a level keeps the monitor playing.
    #[serde(deserialize_with = "master_from")]
    pub master: BusState,
}

/// Reads the master's table with its own defaults (named "Master", on outputs 0 and 1).
fn master_from<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BusState, D::Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Master {
        name: String,
        fader_db: f32,
        pan: f32,
        mute: bool,
        output: Option<[u16; 2]>,
    }
    impl Default for Master {
        fn default() -> Self {
            let b = MixerState::default().master;
            Master {
                name: b.name,
                fader_db: b.fader_db,
                pan: b.pan,
                mute: b.mute,
                output: b.output,
            }
        }
    }
    let m = Master::deserialize(d)?;
    Ok(BusState {
        name: m.name,
        fader_db: m.fader_db,
        pan: m.pan,
        mute: m.mute,
        output: m.output,
    })
}

/// A group bus: a stereo submix of tracks (a stem) with its own fader, balance and mute, going
/// to the master.
pub type GroupState = BusState;

impl Default for MixerState {
    fn default() -> Self {
        MixerState {
            tracks: Vec::new(),
            groups: Vec::new(),
            auxes: Vec::new(),
            master: BusState::new("Master", Some([0, 1])),
        }
    }
}

/// How strictly [`MixerState`]'s gains and pans are checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Only that each is a number (where a mixer is built: it holds the rest in range).
    Numbers,
    /// As a config must state them: numbers within their ranges.
    Ranges,
}

impl MixerState {
    /// One mono track per input channel (named "Track 1", "Track 2", ...), all to the master,
    /// which plays on outputs 0 and 1.
    pub fn with_mono_tracks(channels: u16) -> MixerState {
        MixerState {
            tracks: (0..channels)
                .map(|c| TrackState::new(format!("Track {}", c + 1), TrackInput::Mono(c)))
                .collect(),
            ..MixerState::default()
        }
    }

    /// Checks every gain and pan as a config states them: a number (not NaN), gains at most
    /// their top (+18 dB trim, +12 dB faders and sends; -inf is silence), pans from -1 to +1.
    /// Says which and what to write when one is not. (The mixer itself holds a value past its
    /// range at the range's end; only NaN it cannot mix with, see [`MixerState::check_numbers`].)
    pub fn check_values(&self) -> Result<(), String> {
        self.check_gains_and_pans(Check::Ranges)
    }

    /// Checks that every gain and pan is a number (not NaN): a NaN silences the whole mix.
    pub fn check_numbers(&self) -> Result<(), String> {
        self.check_gains_and_pans(Check::Numbers)
    }

    fn check_gains_and_pans(&self, check: Check) -> Result<(), String> {
        let ranges = check == Check::Ranges;
        let top = |t: f32| if ranges { t } else { f32::INFINITY };
        let gain = |what: String, db: f32, top: f32| {
            if db.is_nan() || db > top {
                Err(format!("{what} = {db}: use a level in dB up to +{top}"))
            } else {
                Ok(())
            }
        };
        let pan = |what: String, p: f32| {
            if (-1.0..=1.0).contains(&p) || (!ranges && !p.is_nan()) {
                Ok(())
            } else {
                Err(format!(
                    "{what} = {p}: use -1 (left) to +1 (right), 0 the centre"
                ))
            }
        };
        for (i, t) in self.tracks.iter().enumerate() {
            let name = self.track_label(i);
            gain(format!("{name}: trim_db"), t.trim_db, top(18.0))?;
            gain(format!("{name}: fader_db"), t.fader_db, top(12.0))?;
            pan(format!("{name}: pan"), t.pan)?;
            for s in &t.sends {
                gain(
                    format!("{name}: the send to aux {}: level_db", s.aux),
                    s.level_db,
                    top(12.0),
                )?;
            }
        }
        let buses = (self
            .groups
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("group {i}"), b)))
        .chain(
            self.auxes
                .iter()
                .enumerate()
                .map(|(i, b)| (format!("aux {i}"), b)),
        )
        .chain(std::iter::once(("the master".to_string(), &self.master)));
        for (what, b) in buses {
            gain(format!("{what}: fader_db"), b.fader_db, top(12.0))?;
            pan(format!("{what}: pan"), b.pan)?;
        }
        Ok(())
    }

    /// Track `i`'s name for messages: `track 3 "Kick"` (counting from 1 as the box shows).
    pub(crate) fn track_label(&self, i: usize) -> String {
        match self.tracks.get(i) {
            Some(t) if !t.name.is_empty() => format!("track {} \"{}\"", i + 1, t.name),
            _ => format!("track {}", i + 1),
        }
    }
}
