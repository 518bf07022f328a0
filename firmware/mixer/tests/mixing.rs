//! The mixer's maths through its public API: pan law, solo, polarity, sends, groups, outputs.

mod common;

use capstan_mixer::gain::gain_to_db;
use capstan_mixer::{
    BusChange, BusState, Command, Destination, MixerState, SendState, TrackChange, TrackInput,
    TrackState,
};
use common::{all, Rig, PERIOD};

fn mono(n: u16) -> MixerState {
    MixerState::with_mono_tracks(n)
}

#[test]
fn centre_pan_is_minus_3_db_on_each_side() {
    let mut rig = Rig::new(&mono(1), 1, 2);
    let out = rig.period(|_| 0.5);
    let (l, r) = (rig.channel(&out, 0), rig.channel(&out, 1));
    assert_eq!(l, r);
    let db = gain_to_db(l[0] / 0.5);
    assert!((db + 3.0103).abs() < 1e-3, "{db} dB");
    assert!(all(&l, l[0]));
}

#[test]
fn hard_pans_reach_one_side_only() {
    let mut state = mono(2);
    state.tracks[0].pan = -1.0;
    state.tracks[1].pan = 1.0;
    let mut rig = Rig::new(&state, 2, 2);
    let out = rig.period(|c| if c == 0 { 0.5 } else { 0.25 });
    assert!(all(&rig.channel(&out, 0), 0.5), "left has track 1 only");
    assert!(all(&rig.channel(&out, 1), 0.25), "right has track 2 only");
}

#[test]
fn stereo_track_balance_keeps_sides_apart() {
    let mut state = MixerState::default();
    state
        .tracks
        .push(TrackState::new("Keys", TrackInput::Stereo([0, 1])));
    let mut rig = Rig::new(&state, 2, 2);
    let out = rig.period(|c| if c == 0 { 0.5 } else { -0.25 });
    assert!(
        all(&rig.channel(&out, 0), 0.5),
        "centre passes left at unity"
    );
    assert!(all(&rig.channel(&out, 1), -0.25), "and right at unity");
    rig.send(Command::Track(0, TrackChange::Pan(1.0)));
    rig.period(|c| if c == 0 { 0.5 } else { -0.25 });
    let out = rig.period(|c| if c == 0 { 0.5 } else { -0.25 });
    assert!(
        all(&rig.channel(&out, 0), 0.0),
        "full right removes the left"
    );
    assert!(all(&rig.channel(&out, 1), -0.25));
}

#[test]
fn inverted_copy_cancels_to_exact_zero() {
    let mut state = mono(2);
    state.tracks[1].input = TrackInput::Mono(0);
    state.tracks[1].invert = true;
    for t in &mut state.tracks {
        t.fader_db = -3.7;
        t.pan = 0.3;
    }
    let mut rig = Rig::new(&state, 1, 2);
    let input: Vec<f32> = (0..PERIOD).map(|i| (i as f32 * 0.7).sin() * 0.9).collect();
    let out = rig.run(&input);
    assert!(all(&out, 0.0), "{out:?}");
    // Without the inversion the copy doubles.
    rig.send(Command::Track(1, TrackChange::Invert(false)));
    rig.run(&input);
    let out = rig.run(&input);
    assert!(out.iter().any(|&x| x.abs() > 0.1));
}

#[test]
fn solo_in_place_mutes_the_others_but_not_the_buses() {
    let mut state = mono(3);
    for t in &mut state.tracks {
        t.pan = -1.0;
    }
    state.groups.push(BusState::new("Drums", None));
    state.tracks[1].output = Destination::Group(0);
    state.auxes.push(BusState::new("Cue", Some([2, 3])));
    state.tracks[1].sends.push(SendState {
        aux: 0,
        level_db: 0.0,
        pre_fader: false,
    });
    let mut rig = Rig::new(&state, 3, 4);
    let level = |c: usize| [0.5, 0.25, 0.125][c];
    let out = rig.period(level);
    assert!(all(&rig.channel(&out, 0), 0.875), "all three tracks");

    rig.send(Command::Track(1, TrackChange::Solo(true)));
    rig.period(level); // the ramp
    let out = rig.period(level);
    assert!(
        all(&rig.channel(&out, 0), 0.25),
        "only the soloed track, through its group: {:?}",
        rig.channel(&out, 0)
    );
    assert!(
        all(&rig.channel(&out, 2), 0.25),
        "its send still reaches the aux"
    );

    // Two soloed tracks are both heard; a muted soloed track is not.
    rig.send(Command::Track(2, TrackChange::Solo(true)));
    rig.send(Command::Track(1, TrackChange::Mute(true)));
    rig.period(level);
    let out = rig.period(level);
    assert!(all(&rig.channel(&out, 0), 0.125));
    assert!(
        all(&rig.channel(&out, 2), 0.0),
        "a muted track sends nothing"
    );

    // Unsoloing everything brings the others back.
    rig.send(Command::Track(1, TrackChange::Solo(false)));
    rig.send(Command::Track(2, TrackChange::Solo(false)));
    rig.send(Command::Track(1, TrackChange::Mute(false)));
    rig.period(level);
    let out = rig.period(level);
    assert!(all(&rig.channel(&out, 0), 0.875));
}

#[test]
fn pre_fader_send_ignores_the_fader_post_fader_follows_it() {
    let mut state = mono(1);
    state.tracks[0].pan = -1.0;
    state.tracks[0].sends = vec![
        SendState {
            aux: 0,
            level_db: 0.0,
            pre_fader: true,
        },
        SendState {
            aux: 1,
            level_db: 0.0,
            pre_fader: false,
        },
    ];
    state.auxes.push(BusState::new("Pre", Some([2, 3])));
    state.auxes.push(BusState::new("Post", Some([4, 5])));
    let mut rig = Rig::new(&state, 1, 6);
    for fader in [-6.0, f32::NEG_INFINITY, 6.0] {
        rig.send(Command::Track(0, TrackChange::Fader(fader)));
        rig.period(|_| 0.5);
        let out = rig.period(|_| 0.5);
        let g = capstan_mixer::gain::db_to_gain(fader, 12.0);
        assert!(all(&rig.channel(&out, 2), 0.5), "pre-fader at {fader} dB");
        assert!(
            all(&rig.channel(&out, 4), 0.5 * g),
            "post-fader at {fader} dB"
        );
        assert!(all(&rig.channel(&out, 0), 0.5 * g), "main at {fader} dB");
    }
    // A send's level applies to it alone.
    rig.send(Command::Track(
        0,
        TrackChange::Send(SendState {
            aux: 0,
            level_db: -6.0206,
            pre_fader: true,
        }),
    ));
    rig.period(|_| 0.5);
    let out = rig.period(|_| 0.5);
    assert!((rig.channel(&out, 2)[0] - 0.25).abs() < 1e-6);
    rig.send(Command::Track(0, TrackChange::Unsend(0)));
    rig.period(|_| 0.5);
    let out = rig.period(|_| 0.5);
    assert!(all(&rig.channel(&out, 2), 0.0));
}

#[test]
fn groups_sum_their_tracks_through_their_fader_to_the_master() {
    let mut state = mono(3);
    for t in &mut state.tracks {
        t.pan = -1.0;
        t.output = Destination::Group(0);
    }
    state.tracks[2].output = Destination::Master;
    state.groups.push(BusState {
        fader_db: -6.0206,
        ..BusState::new("Drums", None)
    });
    let mut rig = Rig::new(&state, 3, 2);
    let level = |c: usize| [0.5, 0.25, 0.125][c];
    let out = rig.period(level);
    let l = rig.channel(&out, 0);
    assert!((l[0] - (0.75 * 0.5 + 0.125)).abs() < 1e-6, "{l:?}");
    assert!(all(&l, l[0]));
    // Group balance right removes the group from the left; mute removes it altogether.
    rig.send(Command::Group(0, BusChange::Pan(1.0)));
    rig.period(level);
    let out = rig.period(level);
    assert!(all(&rig.channel(&out, 0), 0.125));
    rig.send(Command::Group(0, BusChange::Pan(0.0)));
    rig.send(Command::Group(0, BusChange::Mute(true)));
    rig.period(level);
    let out = rig.period(level);
    assert!(all(&rig.channel(&out, 0), 0.125));
    // Moving a track to the master takes it out of the (muted) group.
    rig.send(Command::Track(0, TrackChange::Output(Destination::Master)));
    rig.period(level);
    let out = rig.period(level);
    assert!(all(&rig.channel(&out, 0), 0.625));
}

#[test]
fn buses_play_on_their_output_pairs_and_share_a_pair_by_summing() {
    let mut state = mono(1);
    state.tracks[0].sends = (0..2)
        .map(|aux| SendState {
            aux,
            level_db: 0.0,
            pre_fader: true,
        })
        .collect();
    state.tracks[0].pan = 1.0;
    state.auxes.push(BusState::new("A", Some([3, 2])));
    state.auxes.push(BusState::new("B", Some([0, 1])));
    state.master.output = Some([0, 1]);
    let mut rig = Rig::new(&state, 1, 5);
    let out = rig.period(|_| 0.25);
    assert!(all(&rig.channel(&out, 1), 0.5), "master and aux B summed");
    assert!(
        all(&rig.channel(&out, 2), 0.25),
        "aux A's right on output 2"
    );
    assert!(all(&rig.channel(&out, 3), 0.0));
    assert!(all(&rig.channel(&out, 4), 0.0), "unused outputs are silent");
    rig.send(Command::Master(BusChange::Output(None)));
    rig.period(|_| 0.25);
    let out = rig.period(|_| 0.25);
    assert!(all(&rig.channel(&out, 1), 0.25), "aux B alone");
}

#[test]
fn trim_and_fader_limits() {
    let mut state = mono(1);
    state.tracks[0].pan = -1.0;
    state.tracks[0].trim_db = 30.0;
    state.tracks[0].fader_db = 30.0;
    let mut rig = Rig::new(&state, 1, 2);
    let out = rig.period(|_| 0.001);
    let db = gain_to_db(rig.channel(&out, 0)[0] / 0.001);
    assert!(
        (db - 30.0).abs() < 1e-3,
        "+18 trim and +12 fader at most: {db} dB"
    );
}
