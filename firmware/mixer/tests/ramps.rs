//! Parameter changes ramp over one period: no zipper noise, no clicks, and the same result
//! every time.

mod common;

use capstan_mixer::gain::db_to_gain;
use capstan_mixer::{BusChange, BusState, Command, Destination, MixerState, TrackChange};
use common::{all, Rig, PERIOD};

fn left_only(n: u16) -> MixerState {
    let mut state = MixerState::with_mono_tracks(n);
    for t in &mut state.tracks {
        t.pan = -1.0;
    }
    state
}

/// Checks that `xs` runs from `from` (the sample before) to exactly `to` in equal steps of at
/// most `|to - from| / PERIOD` (plus rounding), monotonically.
fn assert_ramp(xs: &[f32], from: f32, to: f32) {
    let bound = (to - from).abs() / PERIOD as f32 * 1.0001 + 1e-7;
    let mut prev = from;
    for (i, &x) in xs.iter().enumerate() {
        let step = x - prev;
        assert!(
            step.abs() <= bound,
            "step {step} at {i} beyond {bound}: {xs:?}"
        );
        assert!(
            if to >= from { step >= 0.0 } else { step <= 0.0 },
            "not monotonic at {i}: {xs:?}"
        );
        prev = x;
    }
    assert_eq!(xs[xs.len() - 1], to, "the ramp ends on the target");
}

#[test]
fn a_fader_step_is_a_monotonic_ramp_over_one_period() {
    let mut rig = Rig::new(&left_only(1), 1, 2);
    let out = rig.period(|_| 0.5);
    assert!(all(&rig.channel(&out, 0), 0.5));

    rig.send(Command::Track(0, TrackChange::Fader(12.0)));
    let out = rig.period(|_| 0.5);
    let high = 0.5 * db_to_gain(12.0, 12.0);
    assert_ramp(&rig.channel(&out, 0), 0.5, high);
    let out = rig.period(|_| 0.5);
    assert!(all(&rig.channel(&out, 0), high), "steady after the ramp");

    // Down to silence the same way, and back.
    rig.send(Command::Track(0, TrackChange::Fader(f32::NEG_INFINITY)));
    let out = rig.period(|_| 0.5);
    assert_ramp(&rig.channel(&out, 0), high, 0.0);
    rig.send(Command::Track(0, TrackChange::Fader(0.0)));
    let out = rig.period(|_| 0.5);
    assert_ramp(&rig.channel(&out, 0), 0.0, 0.5);
}

#[test]
fn mute_solo_pan_trim_and_polarity_ramp_too() {
    let mut state = left_only(2);
    state.tracks[1].mute = true;
    let mut rig = Rig::new(&state, 2, 2);
    let level = |c: usize| if c == 0 { 0.5 } else { 0.0 };
    rig.period(level);
    let steps: [(Command, f32, f32); 5] = [
        (Command::Track(0, TrackChange::Mute(true)), 0.5, 0.0),
        (Command::Track(0, TrackChange::Mute(false)), 0.0, 0.5),
        (Command::Track(1, TrackChange::Solo(true)), 0.5, 0.0),
        (Command::Track(1, TrackChange::Solo(false)), 0.0, 0.5),
        (Command::Track(0, TrackChange::Invert(true)), 0.5, -0.5),
    ];
    for (cmd, from, to) in steps {
        rig.send(cmd);
        let out = rig.period(level);
        assert_ramp(&rig.channel(&out, 0), from, to);
    }
    rig.send(Command::Track(0, TrackChange::Pan(1.0)));
    let out = rig.period(level);
    assert_ramp(&rig.channel(&out, 0), -0.5, 0.0);
    assert_ramp(&rig.channel(&out, 1), 0.0, -0.5);
    rig.send(Command::Track(0, TrackChange::Trim(-6.0)));
    let out = rig.period(level);
    assert_ramp(&rig.channel(&out, 1), -0.5, -0.5 * db_to_gain(-6.0, 18.0));
}

#[test]
fn bus_faders_ramp() {
    let mut state = left_only(1);
    state.groups.push(BusState::new("G", None));
    state.tracks[0].output = Destination::Group(0);
    let mut rig = Rig::new(&state, 1, 2);
    rig.period(|_| 0.5);
    rig.send(Command::Group(0, BusChange::Mute(true)));
    let out = rig.period(|_| 0.5);
    assert_ramp(&rig.channel(&out, 0), 0.5, 0.0);
    rig.send(Command::Group(0, BusChange::Mute(false)));
    rig.period(|_| 0.5);
    rig.send(Command::Master(BusChange::Fader(-6.0)));
    let out = rig.period(|_| 0.5);
    assert_ramp(&rig.channel(&out, 0), 0.5, 0.5 * db_to_gain(-6.0, 12.0));
}

#[test]
fn rerouting_crossfades_without_a_click() {
    let mut state = left_only(1);
    state.groups.push(BusState {
        fader_db: -6.0206,
        ..BusState::new("G", None)
    });
    let mut rig = Rig::new(&state, 1, 2);
    rig.period(|_| 0.5);
    rig.send(Command::Track(
        0,
        TrackChange::Output(Destination::Group(0)),
    ));
    let out = rig.period(|_| 0.5);
    // The master fades out as the (half-level) group fades in: the sum ramps from 0.5 to 0.25.
    assert_ramp(&rig.channel(&out, 0), 0.5, 0.25);
}

#[test]
fn a_new_input_crossfades_from_the_old() {
    let mut rig = Rig::new(&left_only(1), 2, 2);
    let level = |c: usize| if c == 0 { 0.5 } else { -0.5 };
    rig.period(level);
    rig.send(Command::Track(
        0,
        TrackChange::Input(capstan_mixer::TrackInput::Mono(1)),
    ));
    let out = rig.period(level);
    assert_ramp(&rig.channel(&out, 0), 0.5, -0.5);
    let out = rig.period(level);
    assert!(all(&rig.channel(&out, 0), -0.5));
}

#[test]
fn partial_periods_ramp_over_what_they_are_given() {
    let mut rig = Rig::new(&left_only(1), 1, 2);
    rig.period(|_| 0.5);
    rig.send(Command::Track(0, TrackChange::Fader(f32::NEG_INFINITY)));
    let out = rig.run(&[0.5; 5]);
    let l = rig.channel(&out, 0);
    assert_eq!(l.len(), 5);
    assert_eq!(l[4], 0.0);
    assert!(l.windows(2).all(|w| w[1] < w[0]));
}
