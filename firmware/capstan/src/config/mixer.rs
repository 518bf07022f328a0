//! The `[mixer]` section: the monitor mixer's settings as the mixer crate reads them
//! ([`MixerState`]: tracks, groups, auxes, master), plus `board_mix`, which prints the stereo
//! mix to a `_MIX.wav` file beside the tracks of every take `capstan record` makes. The box
//! (`capstan run`) plays the mix and saves it with its takes, but does not print it while it
//! records (its monitor runs between takes); `take mixdown` prints it from the tracks.
//!
//! ```toml
//! [mixer]
//! board_mix = true
//! tracks = [
//!     { name = "Kick", input = 0, output = { group = 0 } },
//!     { name = "Vox", input = 1, pan = -0.3, fader_db = -3.0 },
//! ]
//! groups = [{ name = "Drums" }]
//! ```
//!
//! With no `[mixer]` section the monitor plays a plain sum of every input and no mix is saved
//! with the takes.

use capstan_mixer::MixerState;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The `[mixer]` section.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MixerConfig {
    /// Print the stereo mix to `<SCENE>-T<NNN>_MIX.wav` with every take of `capstan record`.
    pub board_mix: bool,
    /// The mixer's settings (every other key of the section).
    pub state: MixerState,
}

impl MixerConfig {
    /// Checks what can be checked without the audio interface (the channels are checked when
    /// the mixer is built for it).
    pub fn check(&self) -> Result<(), String> {
        self.state
            .check_values()
            .map_err(|e| format!("mixer: {e}"))?;
        if self.board_mix && self.state.master.output.is_none() {
            return Err(
                "mixer.board_mix = true, but the master has no output: the mix is \
                        printed from the master's pair, so set mixer.master.output = [0, 1]"
                    .into(),
            );
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for MixerConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SectionVisitor)
    }
}

struct SectionVisitor;

impl<'de> Visitor<'de> for SectionVisitor {
    type Value = MixerConfig;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a [mixer] table")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MixerConfig, A::Error> {
        let mut board_mix = None;
        let state =
            MixerState::deserialize(de::value::MapAccessDeserializer::new(WithoutBoardMix {
                map,
                board_mix: &mut board_mix,
            }))?;
        Ok(MixerConfig {
            board_mix: board_mix.unwrap_or(false),
            state,
        })
    }
}

/// Every key `[mixer]` takes.
const SECTION_KEYS: &[&str] = &["board_mix", "tracks", "groups", "auxes", "master"];

/// The section's keys as the mixer state sees them: `board_mix` is taken out on the way, every
/// other key and value passes through (so the parser's line numbers stay with them).
struct WithoutBoardMix<'a, A> {
    map: A,
    board_mix: &'a mut Option<bool>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for WithoutBoardMix<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.map.next_key::<String>()? else {
                return Ok(None);
            };
            if key == "board_mix" {
                *self.board_mix = Some(self.map.next_value()?);
                continue;
            }
            if !SECTION_KEYS.contains(&key.as_str()) {
                // Named here, where board_mix is among the keys the section takes.
                return Err(de::Error::unknown_field(&key, SECTION_KEYS));
            }
            return seed.deserialize(key.into_deserializer()).map(Some);
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}
