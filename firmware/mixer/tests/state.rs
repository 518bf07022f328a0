//! The mixer's settings as TOML: round trips, the documented example, and the defaults a
//! short table leaves.

use capstan_mixer::{BusState, Destination, MixerState, SendState, TrackInput, TrackState};
use serde::Deserialize;

#[test]
fn toml_round_trip_with_silence_and_pairs() {
    let mut state = MixerState::with_mono_tracks(2);
    state.tracks[1].input = TrackInput::Stereo([1, 2]);
    state.tracks[1].fader_db = f32::NEG_INFINITY;
    state.tracks[0].output = Destination::Group(0);
    state.tracks[0].sends.push(SendState {
        aux: 0,
        level_db: -6.0,
        pre_fader: true,
    });
    state.groups.push(BusState::new("Drums", None));
    state.auxes.push(BusState::new("Cue", Some([2, 3])));
    let text = toml::to_string(&state).unwrap();
    assert!(text.contains("fader_db = -inf"), "{text}");
    assert!(text.contains("input = [1, 2]"), "{text}");
    let back: MixerState = toml::from_str(&text).unwrap();
    assert_eq!(back, state);
}

#[test]
fn whole_decibels_and_alsa_format_names_read_too() {
    let t: TrackState = toml::from_str("input = 1\nfader_db = -6\ntrim_db = 3").unwrap();
    assert_eq!((t.fader_db, t.trim_db), (-6.0, 3.0));
    #[derive(Deserialize)]
    struct F {
        format: capstan_mixer::RawFormat,
    }
    let f: F = toml::from_str("format = \"S24_3LE\"").unwrap();
    assert_eq!(f.format, capstan_mixer::RawFormat::S24_3Le);
}

#[test]
fn the_master_keeps_its_outputs_when_its_table_only_sets_a_level() {
    let state: MixerState = toml::from_str("[master]\nfader_db = -3.0").unwrap();
    assert_eq!(state.master.output, Some([0, 1]));
    assert_eq!(state.master.name, "Master");
    assert_eq!(state.master.fader_db, -3.0);
    let state: MixerState = toml::from_str("master = { output = [4, 5] }").unwrap();
    assert_eq!(state.master.output, Some([4, 5]));
    assert!(toml::from_str::<MixerState>("[master]\nfadr_db = 1.0").is_err());
    // No [master] table at all: the default master.
    let state: MixerState = toml::from_str("").unwrap();
    assert_eq!(state.master, MixerState::default().master);
}

#[test]
fn reads_the_documented_example() {
    let text = include_str!("../src/state.rs")
        .split("```toml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap()
        .lines()
        .map(|l| l.trim_start_matches("//!").trim_start())
        .collect::<Vec<_>>()
        .join("\n");
    let state: MixerState = toml::from_str(&text).unwrap();
    assert_eq!(state.tracks.len(), 2);
    assert_eq!(state.tracks[0].output, Destination::Group(0));
    assert!(state.tracks[0].sends[0].pre_fader);
    assert_eq!(state.tracks[1].input, TrackInput::Stereo([2, 3]));
    assert_eq!(state.auxes[0].output, Some([2, 3]));
    assert_eq!(state.master.output, Some([0, 1]));
}

#[test]
fn a_gain_or_pan_that_is_no_number_is_refused_and_one_past_its_range_is_held() {
    let spec = capstan_mixer::MixerSpec {
        input_channels: 2,
        input_format: capstan_mixer::RawFormat::FloatLe,
        output_channels: 2,
        rate: 48_000,
        period_frames: 64,
    };
    let mut s = MixerState::with_mono_tracks(2);
    s.tracks[1].fader_db = f32::NAN;
    let e = spec.check_state(&s).unwrap_err().to_string();
    assert!(e.contains("track 2") && e.contains("fader_db = NaN"), "{e}");
    assert!(s.check_values().is_err());
    // Past the top, the mixer holds the value at it (a config check says so first).
    s.tracks[1].fader_db = 30.0;
    s.master.pan = 3.0;
    assert!(spec.check_state(&s).is_ok());
    assert!(s.check_values().unwrap_err().contains("fader_db = 30"));
    // A send as well: held where a mixer is built, refused by the config check.
    s.tracks[1].fader_db = 0.0;
    s.master.pan = 0.0;
    s.auxes.push(Default::default());
    s.tracks[0].sends.push(SendState {
        aux: 0,
        level_db: 20.0,
        pre_fader: false,
    });
    assert!(spec.check_state(&s).is_ok(), "{:?}", spec.check_state(&s));
    let e = s.check_values().unwrap_err();
    assert!(e.contains("send to aux 0: level_db = 20"), "{e}");
}

#[test]
fn a_track_input_of_the_wrong_shape_says_what_to_write() {
    for bad in ["{ mono = 0 }", "\"1\"", "[1, 2, 3]", "-1"] {
        let text = format!("[[tracks]]\nname = \"A\"\ninput = {bad}\n");
        let e = toml::from_str::<MixerState>(&text).unwrap_err().to_string();
        assert!(
            e.contains("(input = 3)") && e.contains("(input = [4, 5])"),
            "{bad}: {e}"
        );
    }
}
