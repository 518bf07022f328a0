//! Meters: peak, hold, clip count and RMS, read from another thread.

mod common;

use std::f32::consts::{FRAC_1_SQRT_2, PI};

use capstan_mixer::meter::{CLIP_LEVEL, HOLD_S, PEAK_FALL_DB_PER_S, RMS_WINDOW_S};
use capstan_mixer::{BusChange, Command, MixerState, TrackInput, TrackState};
use common::{Rig, PERIOD, RATE};

fn periods_in(seconds: f64) -> usize {
    (seconds * f64::from(RATE) / PERIOD as f64).ceil() as usize
}

#[test]
fn peak_and_rms_of_a_sine() {
    let mut rig = Rig::new(&MixerState::with_mono_tracks(1), 1, 2);
    let meters = rig.mixer.meters();
    // 1 kHz at 48 kHz: 48 samples a cycle, three test periods.
    let amp = 0.8;
    let mut n = 0;
    for _ in 0..periods_in(RMS_WINDOW_S) * 2 {
        let input: Vec<f32> = (0..PERIOD)
            .map(|i| amp * (2.0 * PI * (n + i) as f32 / 48.0 + 0.3).sin())
            .collect();
        n += PERIOD;
        rig.run(&input);
    }
    let track = &meters.track(0).unwrap()[0];
    assert!((track.peak() - amp).abs() < 0.002, "peak {}", track.peak());
    let rms = track.rms();
    assert!(
        (rms - amp * FRAC_1_SQRT_2).abs() < 1e-4,
        "rms {rms}, peak/√2 = {}",
        amp * FRAC_1_SQRT_2
    );
    // The master carries the track at −3 dB per side.
    let master = meters.master();
    assert!((master[0].rms() - rms * FRAC_1_SQRT_2).abs() < 1e-4);
    assert_eq!(master[0].peak(), master[1].peak());
    assert_eq!(meters.periods(), (periods_in(RMS_WINDOW_S) * 2) as u64);
}

#[test]
fn peak_hold_stays_then_follows_the_falling_peak() {
    let mut rig = Rig::new(&MixerState::with_mono_tracks(1), 1, 2);
    let meters = rig.mixer.meters();
    let m = &meters.track(0).unwrap()[0];
    let mut burst = vec![0.0; PERIOD];
    burst[3] = -0.9;
    rig.run(&burst);
    assert_eq!((m.peak(), m.hold()), (0.9, 0.9));
    rig.period(|_| 0.0);
    let one_period_db = PEAK_FALL_DB_PER_S * PERIOD as f64 / f64::from(RATE);
    let fallen = 0.9 * 10f64.powf(-one_period_db / 20.0);
    assert!(
        (f64::from(m.peak()) - fallen).abs() < 1e-6,
        "the peak falls"
    );
    assert_eq!(m.hold(), 0.9, "the hold stays");
    // A lower peak does not move the hold.
    rig.period(|_| 0.3);
    assert_eq!(m.hold(), 0.9);
    let hold_periods = periods_in(HOLD_S);
    for _ in 3..hold_periods - 1 {
        rig.period(|_| 0.0);
    }
    assert_eq!(m.hold(), 0.9, "held for {HOLD_S} s");
    for _ in 0..3 {
        rig.period(|_| 0.0);
    }
    assert!(m.hold() < 0.9, "released after {HOLD_S} s");
    assert_eq!(m.hold(), m.peak(), "and following the peak down");
    let db = 20.0 * f64::from(m.peak() / 0.9).log10();
    let expected = -PEAK_FALL_DB_PER_S * ((hold_periods + 1) * PERIOD) as f64 / f64::from(RATE);
    assert!(
        (db - expected).abs() < 0.01,
        "fallen {db} dB, expected {expected}"
    );
}

#[test]
fn clips_count_full_scale_samples_until_reset() {
    let mut rig = Rig::new(&MixerState::with_mono_tracks(1), 1, 2);
    let meters = rig.mixer.meters();
    let m = &meters.track(0).unwrap()[0];
    let mut input = vec![0.5; PERIOD];
    input[1] = 1.0;
    input[2] = -1.0;
    input[5] = CLIP_LEVEL;
    input[6] = 0.999; // loud but not full scale
    rig.run(&input);
    assert_eq!(m.clips(), 3);
    rig.run(&input);
    assert_eq!(m.clips(), 6, "clips add up");
    m.reset_clips();
    rig.period(|_| 0.1);
    assert_eq!(m.clips(), 0);
    // The master clips too when the sum passes full scale.
    let master = meters.master();
    rig.send(Command::Master(BusChange::Fader(12.0)));
    rig.period(|_| 0.5);
    assert!(master[0].clips() > 0);
}

#[test]
fn stereo_tracks_and_buses_have_two_channels() {
    let mut state = MixerState::with_mono_tracks(1);
    state
        .tracks
        .push(TrackState::new("Pair", TrackInput::Stereo([1, 2])));
    state.groups.push(Default::default());
    state.auxes.push(Default::default());
    let mut rig = Rig::new(&state, 3, 2);
    let meters = rig.mixer.meters();
    assert_eq!(meters.track_count(), 2);
    assert_eq!(meters.track(0).unwrap().len(), 1);
    let pair = meters.track(1).unwrap();
    assert_eq!(pair.len(), 2);
    assert!(meters.track(2).is_none());
    assert_eq!(meters.group(0).unwrap().len(), 2);
    assert!(meters.group(1).is_none());
    assert_eq!(meters.aux(0).unwrap().len(), 2);
    rig.period(|c| [0.1, 0.2, 0.4][c]);
    assert_eq!(meters.track(0).unwrap()[0].peak(), 0.1);
    assert_eq!(pair[0].peak(), 0.2);
    assert_eq!(pair[1].peak(), 0.4);
}

#[test]
fn another_thread_reads_while_the_mixer_runs() {
    let mut rig = Rig::new(&MixerState::with_mono_tracks(1), 1, 2);
    let meters = rig.mixer.meters();
    let reader = std::thread::spawn(move || {
        let mut checks = 0u32;
        loop {
            let periods = meters.periods();
            let p = meters.track(0).unwrap()[0].peak();
            if periods > 0 {
                // Values stored before a period was counted are seen with the count.
                assert_eq!(p, 0.25, "after {periods} periods");
                checks += 1;
            } else {
                assert!(p == 0.0 || p == 0.25, "a torn or stray value: {p}");
            }
            if periods == 200 {
                return checks;
            }
            std::thread::yield_now();
        }
    });
    for _ in 0..200 {
        rig.period(|_| 0.25);
    }
    assert!(reader.join().unwrap() > 0);
}
