//! The audio thread's calls never allocate: every `process` runs under `assert_no_alloc`, which
//! aborts the test process on any allocation (abort mode: the default in builds with debug
//! assertions, as tests are), with every kind of change arriving between periods.

use capstan_mixer::{
    BusChange, BusState, Command, Destination, Mixer, MixerSpec, MixerState, RawFormat, SendState,
    TrackChange, TrackInput, TrackState,
};

#[global_allocator]
static A: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

#[test]
fn processing_never_allocates() {
    let mut state = MixerState::with_mono_tracks(62);
    state
        .tracks
        .push(TrackState::new("Pair", TrackInput::Stereo([62, 63])));
    state.groups = (0..8)
        .map(|g| BusState::new(format!("G{g}"), None))
        .collect();
    state.auxes = (0..4u16)
        .map(|a| BusState::new(format!("A{a}"), Some([2 + 2 * a, 3 + 2 * a])))
        .collect();
    for (i, t) in state.tracks.iter_mut().enumerate() {
        t.output = Destination::Group((i % 8) as u8);
        t.sends = (0..4)
            .map(|aux| SendState {
                aux,
                level_db: -6.0,
                pre_fader: aux == 0,
            })
            .collect();
    }
    let spec = MixerSpec {
        input_channels: 64,
        input_format: RawFormat::S24_3Le,
        output_channels: 10,
        rate: 96_000,
        period_frames: 64,
    };
    let (mut mixer, mut control) = Mixer::new(&state, spec).unwrap();
    let input: Vec<u8> = (0..64 * 64 * 3).map(|i| (i * 7 % 251) as u8).collect();
    let floats: Vec<f32> = (0..64 * 64).map(|i| (i % 97) as f32 / 97.0 - 0.5).collect();
    let mut out = vec![0.0f32; 64 * 10];
    let mut raw_out = vec![0u8; 64 * 10 * 4];
    let changes = [
        Command::Track(3, TrackChange::Fader(-3.0)),
        Command::Track(3, TrackChange::Trim(6.0)),
        Command::Track(4, TrackChange::Pan(0.7)),
        Command::Track(5, TrackChange::Mute(true)),
        Command::Track(6, TrackChange::Solo(true)),
        Command::Track(7, TrackChange::Invert(true)),
        Command::Track(8, TrackChange::Output(Destination::Master)),
        Command::Track(9, TrackChange::Input(TrackInput::Mono(0))),
        Command::Track(62, TrackChange::Input(TrackInput::Stereo([1, 0]))),
        Command::Track(10, TrackChange::Unsend(2)),
        Command::Track(
            10,
            TrackChange::Send(SendState {
                aux: 2,
                level_db: 3.0,
                pre_fader: true,
            }),
        ),
        Command::Group(1, BusChange::Mute(true)),
        Command::Group(2, BusChange::Pan(-0.5)),
        Command::Aux(3, BusChange::Fader(-10.0)),
        Command::Aux(3, BusChange::Output(Some([0, 1]))),
        Command::Master(BusChange::Output(None)),
        Command::Track(6, TrackChange::Solo(false)),
    ];
    for (k, cmd) in changes.into_iter().enumerate() {
        control.send(cmd).unwrap();
        assert_no_alloc::assert_no_alloc(|| {
            mixer.process(&input, 64, &mut out).unwrap();
            mixer.process(&input, 17, &mut out).unwrap();
            mixer.process_f32(&floats, 64, &mut out).unwrap();
            let format = [RawFormat::S16Le, RawFormat::S24_3Le, RawFormat::S32Le][k % 3];
            mixer.process_raw(&input, 64, &mut raw_out, format).unwrap();
            assert!(mixer.process(&input, 65, &mut out).is_err());
        });
    }
    let meters = mixer.meters();
    assert!(meters.periods() >= 4 * 17);
    assert!(out.iter().any(|&x| x != 0.0));
}
