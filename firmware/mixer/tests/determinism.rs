//! Offline equals online: the same settings, input, call sizes and commands give bit-identical
//! output and meters, whatever the input path.

use capstan_mixer::convert::encode;
use capstan_mixer::{
    BusState, Command, Destination, Mixer, MixerSpec, MixerState, RawFormat, SendState,
    TrackChange, TrackInput, TrackState,
};

const CHANNELS: u16 = 6;
const PERIOD: usize = 32;

fn state() -> MixerState {
    let mut state = MixerState::with_mono_tracks(4);
    state
        .tracks
        .push(TrackState::new("Pair", TrackInput::Stereo([4, 5])));
    state.groups.push(BusState::new("Drums", None));
    state.auxes.push(BusState::new("Cue", Some([2, 3])));
    for (i, t) in state.tracks.iter_mut().enumerate() {
        t.pan = i as f32 * 0.4 - 0.8;
        t.fader_db = -(i as f32);
        t.output = if i % 2 == 0 {
            Destination::Group(0)
        } else {
            Destination::Master
        };
        t.sends.push(SendState {
            aux: 0,
            level_db: -3.0,
            pre_fader: i % 2 == 1,
        });
    }
    state
}

/// A loud pseudo-random 24-bit signal, with some clipping samples.
fn signal(frames: usize) -> Vec<f32> {
    let mut x = 7u32;
    (0..frames * usize::from(CHANNELS))
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let v = ((x as i32 >> 8) as f32 * 1.2).round();
            v.clamp(-8_388_608.0, 8_388_607.0) / 8_388_608.0
        })
        .collect()
}

/// Mixes `input` in calls of `sizes` (cycled), with a fader and a route change before two of
/// the calls; returns the output and the final meter readings.
fn mix(input: &[f32], raw: Option<&[u8]>, sizes: &[usize]) -> (Vec<f32>, Vec<u32>) {
    let spec = MixerSpec {
        input_channels: CHANNELS,
        input_format: RawFormat::S24_3Le,
        output_channels: 4,
        rate: 48_000,
        period_frames: PERIOD,
    };
    let (mut mixer, mut control) = Mixer::new(&state(), spec).unwrap();
    let ch = usize::from(CHANNELS);
    let frames = input.len() / ch;
    let mut out = vec![0.0; frames * 4];
    let (mut at, mut call) = (0, 0);
    while at < frames {
        let n = sizes[call % sizes.len()].min(frames - at);
        if call == 3 {
            control
                .send(Command::Track(1, TrackChange::Fader(-20.0)))
                .unwrap();
        }
        if call == 7 {
            control
                .send(Command::Track(2, TrackChange::Output(Destination::Master)))
                .unwrap();
        }
        let o = &mut out[at * 4..(at + n) * 4];
        match raw {
            Some(raw) => mixer.process(&raw[at * ch * 3..], n, o).unwrap(),
            None => mixer.process_f32(&input[at * ch..], n, o).unwrap(),
        }
        at += n;
        call += 1;
    }
    let meters = mixer.meters();
    let mut readings = Vec::new();
    for i in 0..meters.track_count() {
        for m in meters.track(i).unwrap() {
            readings.extend([m.peak(), m.hold(), m.rms()].map(f32::to_bits));
            readings.push(m.clips() as u32);
        }
    }
    for m in meters.master() {
        readings.extend([m.peak(), m.hold(), m.rms()].map(f32::to_bits));
    }
    (out, readings)
}

fn bits(xs: &[f32]) -> Vec<u32> {
    xs.iter().map(|x| x.to_bits()).collect()
}

/// Asserts two runs are bit-identical, naming the first sample that differs.
fn assert_same(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len());
    if let Some(i) = (0..a.len()).find(|&i| a[i].to_bits() != b[i].to_bits()) {
        panic!("{what}: sample {i} differs: {} vs {}", a[i], b[i]);
    }
}

#[test]
fn the_same_calls_give_bit_identical_results() {
    let input = signal(40 * PERIOD);
    let (a, ma) = mix(&input, None, &[PERIOD]);
    let (b, mb) = mix(&input, None, &[PERIOD]);
    assert_same(&a, &b, "two runs");
    assert_eq!(ma, mb);
    assert!(a.iter().any(|&x| x != 0.0));
    assert!(ma.iter().any(|&m| m != 0));

    // From the device's raw bytes (exact for 24-bit samples) the result is the same again.
    let mut raw = vec![0u8; input.len() * 3];
    encode(RawFormat::S24_3Le, &input, &mut raw);
    let (c, mc) = mix(&input, Some(&raw), &[PERIOD]);
    assert_same(&a, &c, "raw bytes and f32");
    assert_eq!(ma, mc);

    // Uneven call sizes repeat exactly too.
    let sizes = [PERIOD, 7, 25, PERIOD, 1];
    let (d, md) = mix(&input, None, &sizes);
    let (e, me) = mix(&input, None, &sizes);
    assert_same(&d, &e, "uneven calls");
    assert_eq!(md, me);
}

#[test]
fn steady_settings_do_not_depend_on_the_call_size() {
    // With no command pending, cutting the input differently changes nothing in the output:
    // gains are constant and every sample is mixed on its own.
    let input = signal(8 * PERIOD);
    let spec = MixerSpec {
        input_channels: CHANNELS,
        input_format: RawFormat::FloatLe,
        output_channels: 4,
        rate: 48_000,
        period_frames: PERIOD,
    };
    let run = |size: usize| {
        let (mut mixer, _control) = Mixer::new(&state(), spec).unwrap();
        let mut out = vec![0.0; 8 * PERIOD * 4];
        for (i, o) in out.chunks_mut(size * 4).enumerate() {
            let n = o.len() / 4;
            mixer
                .process_f32(&input[i * size * usize::from(CHANNELS)..], n, o)
                .unwrap();
        }
        bits(&out)
    };
    assert_eq!(run(PERIOD), run(5));
}
