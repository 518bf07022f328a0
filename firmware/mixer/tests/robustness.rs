//! Any sequence of changes, with any values (NaN and infinite levels too) and any call sizes,
//! leaves the mixer running: it never panics and, fed finite audio, never outputs anything but
//! finite samples within what its gains allow.

mod common;

use capstan_mixer::{
    BusChange, BusState, Command, Destination, MixerState, SendState, TrackChange, TrackInput,
    TrackState,
};
use common::{Rig, PERIOD};
use proptest::prelude::*;

fn level() -> impl Strategy<Value = f32> {
    prop_oneof![
        -150.0f32..30.0,
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
    ]
}

fn track_change() -> impl Strategy<Value = TrackChange> {
    prop_oneof![
        (0u16..6).prop_map(|c| TrackChange::Input(TrackInput::Mono(c))),
        level().prop_map(TrackChange::Trim),
        level().prop_map(TrackChange::Fader),
        level().prop_map(TrackChange::Pan),
        any::<bool>().prop_map(TrackChange::Mute),
        any::<bool>().prop_map(TrackChange::Solo),
        any::<bool>().prop_map(TrackChange::Invert),
        (0u8..4).prop_map(|g| TrackChange::Output(if g == 0 {
            Destination::Master
        } else {
            Destination::Group(g - 1)
        })),
        (0u8..3, level(), any::<bool>()).prop_map(|(aux, level_db, pre_fader)| {
            TrackChange::Send(SendState {
                aux,
                level_db,
                pre_fader,
            })
        }),
        (0u8..3).prop_map(TrackChange::Unsend),
    ]
}

fn bus_change() -> impl Strategy<Value = BusChange> {
    prop_oneof![
        level().prop_map(BusChange::Fader),
        level().prop_map(BusChange::Pan),
        any::<bool>().prop_map(BusChange::Mute),
        (0u16..5, 0u16..5).prop_map(|(a, b)| BusChange::Output(Some([a, b]))),
        Just(BusChange::Output(None)),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        4 => (0u8..5, track_change()).prop_map(|(t, c)| Command::Track(t, c)),
        1 => (0u8..3, bus_change()).prop_map(|(g, c)| Command::Group(g, c)),
        1 => (0u8..3, bus_change()).prop_map(|(a, c)| Command::Aux(a, c)),
        1 => bus_change().prop_map(Command::Master),
    ]
}

fn state() -> MixerState {
    let mut state = MixerState::with_mono_tracks(3);
    state
        .tracks
        .push(TrackState::new("Pair", TrackInput::Stereo([3, 4])));
    state.groups = vec![BusState::new("G1", None), BusState::new("G2", None)];
    state.auxes = vec![BusState::new("A", Some([2, 3]))];
    state
}

proptest! {
    #[test]
    fn any_changes_keep_the_output_finite(
        steps in prop::collection::vec(
            (prop::collection::vec(command(), 0..4), 1usize..=PERIOD, -1.0f32..=1.0),
            1..40,
        )
    ) {
        let mut rig = Rig::new(&state(), 6, 4);
        for (commands, frames, x) in steps {
            for cmd in commands {
                // Refused changes (a missing aux, a mono track made stereo...) are fine here.
                let _ = rig.control.send(cmd);
            }
            let input = vec![x; frames * 6];
            let out = rig.run(&input);
            // Four tracks (one stereo) at +18 trim and +12 fader through group, send and bus
            // faders at +12 dB: no sample can pass this.
            let bound = 5.0 * 7.95 * 3.99 * 3.99 * 3.99 * 2.0;
            for &y in &out {
                prop_assert!(y.is_finite() && y.abs() <= bound, "{y}");
            }
        }
        let meters = rig.mixer.meters();
        for m in meters.master() {
            prop_assert!(m.peak().is_finite() && m.rms().is_finite());
        }
    }
}
