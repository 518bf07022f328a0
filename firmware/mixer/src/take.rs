//! The mix saved with a take: the [`MixerState`] the box mixed with and the stream it mixed,
//! written beside the take's files as `<SCENE>-T<NNN>.mix.toml` when the take starts. The
//! `take` tools read it to print the mix and the stems offline, bit for bit as the box did:
//!
//! ```toml
//! board_mix = true
//! rate = 48000
//! input_channels = 2
//! input_format = "S24_3LE"
//! output_channels = 2
//! period_frames = 256
//!
//! [mixer]
//! tracks = [{ name = "Vox", input = 0 }, { name = "Gtr", input = 1, pan = 0.5 }]
//! ```
//!
//! The file names of a take's prints live here too, so the box and the tools agree on them:
//! `<SCENE>-T<NNN>_MIX.wav` for the stereo mix, `<SCENE>-T<NNN>_STEM_<Group>.wav` for a stem.

use serde::{Deserialize, Serialize};

use crate::convert::RawFormat;
use crate::spec::MixerSpec;
use crate::state::MixerState;

/// The first lines of a take's mix file, before the settings.
pub const HEADER: &str = "# The mix heard while this take was recorded: the mixer's settings and the stream it \
                          mixed.\n# `take mixdown` and `take stems` read it; edit [mixer] to print another mix.\n\n";

/// A take's mix: the stream and period the mixer ran with and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakeMix {
    /// True when the box printed the stereo mix (`_MIX.wav`) while recording.
    #[serde(default)]
    pub board_mix: bool,
    /// Sample rate in Hz.
    pub rate: u32,
    /// Channels in each captured frame (the take's tracks, in input order).
    pub input_channels: u16,
    /// How the captured samples were stored (the tracks' format).
    pub input_format: RawFormat,
    /// Channels of the monitor output the mixer wrote.
    pub output_channels: u16,
    /// Frames the mixer took per call: the offline print cuts the tracks the same way.
    pub period_frames: usize,
    /// The mixer's settings.
    #[serde(default)]
    pub mixer: MixerState,
}

impl TakeMix {
    /// The spec to build a [`Mixer`](crate::Mixer) with that mixes as the box did.
    pub fn spec(&self) -> MixerSpec {
        MixerSpec {
            input_channels: self.input_channels,
            input_format: self.input_format,
            output_channels: self.output_channels,
            rate: self.rate,
            period_frames: self.period_frames,
        }
    }

    /// The output channels the stereo mix is taken from: the master's pair.
    pub fn mix_pair(&self) -> Option<[u16; 2]> {
        self.mixer.master.output
    }

    /// The settings that print group `g`'s stem: every other group muted, tracks that go
    /// straight to the master muted, auxes off the outputs. The group's own fader, balance and
    /// mute and the master's stay as they were, so the stems add up to the mix of the groups.
    pub fn stem_state(&self, g: usize) -> MixerState {
        let mut s = self.mixer.clone();
        for (i, bus) in s.groups.iter_mut().enumerate() {
            if i != g {
                bus.mute = true;
            }
        }
        for t in &mut s.tracks {
            if t.output != crate::Destination::Group(g as u8) {
                t.mute = true;
            }
        }
        for a in &mut s.auxes {
            a.output = None;
        }
        s
    }
}

/// The mix file of take `stem` (`<SCENE>-T<NNN>`): `<SCENE>-T<NNN>.mix.toml`.
pub fn mix_file_name(stem: &str) -> String {
    format!("{stem}.mix.toml")
}

/// The stereo print of take `stem`: `<SCENE>-T<NNN>_MIX.wav`.
pub fn print_file_name(stem: &str) -> String {
    format!("{stem}_MIX.wav")
}

/// The stem of group `g` named `name` in take `stem`: `<SCENE>-T<NNN>_STEM_<Group>.wav`, with
/// characters a card's file system refuses replaced by `_` (an unnamed group is `Group<N>`,
/// counted from 1).
pub fn stem_file_name(stem: &str, g: usize, name: &str) -> String {
    let clean: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let group = if clean.is_empty() {
        format!("Group{}", g + 1)
    } else {
        clean
    };
    format!("{stem}_STEM_{group}.wav")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_mix_and_stem() {
        assert_eq!(mix_file_name("S01-T003"), "S01-T003.mix.toml");
        assert_eq!(print_file_name("S01-T003"), "S01-T003_MIX.wav");
        assert_eq!(
            stem_file_name("S01-T003", 0, "Drums"),
            "S01-T003_STEM_Drums.wav"
        );
        assert_eq!(
            stem_file_name("S01-T003", 1, "Vox/BV"),
            "S01-T003_STEM_Vox_BV.wav"
        );
        assert_eq!(
            stem_file_name("S01-T003", 2, " "),
            "S01-T003_STEM_Group3.wav"
        );
    }
}
