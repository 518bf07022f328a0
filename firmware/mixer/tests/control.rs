//! The control handle checks changes and keeps the settings; bad settings are refused with a
//! message that says what to do.

use capstan_mixer::{
    BusChange, BusState, Command, ControlError, Destination, Mixer, MixerError, MixerSpec,
    MixerState, ProcessError, RawFormat, SendState, TrackChange, TrackInput,
};

fn spec() -> MixerSpec {
    MixerSpec {
        input_channels: 8,
        input_format: RawFormat::S16Le,
        output_channels: 4,
        rate: 48_000,
        period_frames: 64,
    }
}

#[test]
fn bad_states_are_refused_with_a_useful_message() {
    let mut state = MixerState::with_mono_tracks(2);
    state.tracks[1].input = TrackInput::Stereo([7, 8]);
    let err = Mixer::new(&state, spec()).err().unwrap();
    assert_eq!(
        err.to_string(),
        "track 2 \"Track 2\" takes input channel 8, but the interface captures 8 channels: \
         pick a channel from 0 to 7"
    );

    let mut state = MixerState::with_mono_tracks(1);
    state.tracks[0].output = Destination::Group(0);
    assert!(matches!(
        Mixer::new(&state, spec()).err().unwrap(),
        MixerError::NoSuchGroup { group: 0, .. }
    ));

    let mut state = MixerState::with_mono_tracks(1);
    state.auxes.push(BusState::new("Cue", Some([4, 5])));
    let msg = Mixer::new(&state, spec()).err().unwrap().to_string();
    assert!(
        msg.contains("aux 0 \"Cue\" bus plays on outputs 4/5"),
        "{msg}"
    );

    let mut state = MixerState::with_mono_tracks(1);
    state.auxes.push(BusState::new("Cue", None));
    let send = SendState {
        aux: 0,
        level_db: 0.0,
        pre_fader: false,
    };
    state.tracks[0].sends = vec![send, send];
    assert!(matches!(
        Mixer::new(&state, spec()).err().unwrap(),
        MixerError::BadSend { aux: 0, .. }
    ));

    for (bad, words) in [
        (
            MixerSpec {
                period_frames: 0,
                ..spec()
            },
            "a period of 0 frames",
        ),
        (
            MixerSpec {
                input_channels: 0,
                ..spec()
            },
            "no input channels",
        ),
        (
            MixerSpec {
                output_channels: 0,
                ..spec()
            },
            "no output channels",
        ),
        (MixerSpec { rate: 0, ..spec() }, "0 Hz"),
    ] {
        let msg = Mixer::new(&MixerState::default(), bad)
            .err()
            .unwrap()
            .to_string();
        assert!(msg.contains(words), "{msg}");
    }

    let state = MixerState::with_mono_tracks(65);
    let wide = MixerSpec {
        input_channels: 65,
        ..spec()
    };
    assert!(matches!(
        Mixer::new(&state, wide).err().unwrap(),
        MixerError::TooMany { max: 64, .. }
    ));
}

#[test]
fn the_control_keeps_the_settings_and_refuses_bad_changes() {
    let mut state = MixerState::with_mono_tracks(2);
    state.auxes.push(BusState::new("Cue", Some([2, 3])));
    let (_mixer, mut control) = Mixer::new(&state, spec()).unwrap();
    control
        .send(Command::Track(1, TrackChange::Fader(-10.0)))
        .unwrap();
    control
        .send(Command::Aux(0, BusChange::Output(Some([0, 1]))))
        .unwrap();
    assert_eq!(control.state().tracks[1].fader_db, -10.0);
    assert_eq!(control.state().auxes[0].output, Some([0, 1]));
    assert!(control.rename_track(0, "Kick"));
    assert!(!control.rename_track(5, "None"));
    assert_eq!(control.state().tracks[0].name, "Kick");

    let refused = [
        Command::Track(2, TrackChange::Mute(true)),
        Command::Track(0, TrackChange::Input(TrackInput::Mono(9))),
        Command::Track(0, TrackChange::Input(TrackInput::Stereo([0, 1]))),
        Command::Track(0, TrackChange::Output(Destination::Group(0))),
        Command::Track(
            0,
            TrackChange::Send(SendState {
                aux: 1,
                level_db: 0.0,
                pre_fader: true,
            }),
        ),
        Command::Group(0, BusChange::Fader(0.0)),
        Command::Aux(0, BusChange::Output(Some([3, 4]))),
        Command::Master(BusChange::Output(Some([9, 0]))),
    ];
    let before = control.state().clone();
    let pending = control.pending();
    for cmd in refused {
        assert!(
            matches!(control.send(cmd), Err(ControlError::Invalid(_))),
            "{cmd:?}"
        );
    }
    assert_eq!(
        control.state(),
        &before,
        "refused changes leave the settings alone"
    );
    let err = control
        .send(Command::Track(2, TrackChange::Mute(true)))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no track 2: the mixer has 2 (counted from 0)"
    );
    let err = control
        .send(Command::Track(
            0,
            TrackChange::Input(TrackInput::Stereo([0, 1])),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("restart the mixer"), "{err}");
    assert_eq!(
        control.pending(),
        pending,
        "and never reach the audio thread"
    );
}

#[test]
fn a_stalled_audio_thread_hands_the_change_back() {
    let (_mixer, mut control) = Mixer::new(&MixerState::with_mono_tracks(1), spec()).unwrap();
    let cmd = Command::Track(0, TrackChange::Pan(0.5));
    for _ in 0..capstan_mixer::command::COMMAND_CAPACITY {
        control.send(cmd).unwrap();
    }
    let last = Command::Track(0, TrackChange::Pan(-0.5));
    assert_eq!(control.send(last), Err(ControlError::Full(last)));
    assert_eq!(
        control.state().tracks[0].pan,
        0.5,
        "a refused change is not recorded"
    );
}

#[test]
fn process_refuses_buffers_that_do_not_fit() {
    let (mut mixer, _control) = Mixer::new(&MixerState::with_mono_tracks(1), spec()).unwrap();
    let mut out = vec![0.0; 64 * 4];
    let input = vec![0u8; 64 * 8 * 2];
    assert_eq!(
        mixer.process(&input, 65, &mut out),
        Err(ProcessError::TooManyFrames {
            frames: 65,
            period: 64
        })
    );
    assert_eq!(
        mixer.process(&input[1..], 64, &mut out),
        Err(ProcessError::InputTooShort {
            need: 1024,
            got: 1023
        })
    );
    assert!(matches!(
        mixer.process(&input, 64, &mut out[1..]),
        Err(ProcessError::OutputTooShort { .. })
    ));
    let mut raw = vec![0u8; 64 * 4 * 3];
    assert!(mixer
        .process_raw(&input, 64, &mut raw, RawFormat::S24_3Le)
        .is_ok());
    assert!(mixer
        .process_raw(&input, 64, &mut raw, RawFormat::S32Le)
        .is_err());
}

#[test]
fn process_raw_writes_the_playback_format() {
    let mut state = MixerState::with_mono_tracks(1);
    state.tracks[0].pan = -1.0;
    let (mut mixer, _control) = Mixer::new(&state, spec()).unwrap();
    let mut input = Vec::new();
    for _ in 0..64 {
        for c in 0..8i16 {
            input.extend_from_slice(&(if c == 0 { -16_384i16 } else { 0 }).to_le_bytes());
        }
    }
    let mut raw = vec![0u8; 64 * 4 * 2];
    mixer
        .process_raw(&input, 64, &mut raw, RawFormat::S16Le)
        .unwrap();
    let samples: Vec<i16> = raw
        .chunks(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    for frame in samples.chunks(4) {
        assert_eq!(frame, [-16_384, 0, 0, 0]);
    }
}
