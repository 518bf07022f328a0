//! Property tests of the transport: random button sequences, ticks, arming and engine faults,
//! checked against an independent account of what may and must happen.

use std::collections::BTreeSet;
use std::time::Duration;

use capstan::transport::{
    Alert, ArmedTracks, Command, Commands, EngineFault, Event, RecAgain, State, Transport,
    TransportConfig,
};
use capstan_board::buttons::Button;
use proptest::prelude::*;

/// One random input, before its time is known.
#[derive(Debug, Clone, Copy)]
enum Input {
    Down(Button),
    Up(Button),
    Tick,
    Arm(u8, bool),
    Fault(EngineFault),
    PlaybackEnded,
}

fn button() -> impl Strategy<Value = Button> {
    prop_oneof![
        Just(Button::Rec),
        Just(Button::Play),
        Just(Button::Stop),
        Just(Button::MarkArm)
    ]
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        6 => button().prop_map(Input::Down),
        6 => button().prop_map(Input::Up),
        6 => Just(Input::Tick),
        2 => (0u8..70, any::<bool>()).prop_map(|(t, a)| Input::Arm(t, a)),
        1 => prop_oneof![
            Just(EngineFault::DiskFull),
            Just(EngineFault::WriteFailed),
            Just(EngineFault::DeviceFailed)
        ]
        .prop_map(Input::Fault),
        1 => Just(Input::PlaybackEnded),
    ]
}

fn config() -> impl Strategy<Value = TransportConfig> {
    (1u8..=64, 0u64..1500, any::<bool>()).prop_map(|(tracks, hold, new_take)| TransportConfig {
        tracks,
        stop_hold: Duration::from_millis(hold),
        rec_again: if new_take {
            RecAgain::NewTake
        } else {
            RecAgain::Marker
        },
    })
}

/// Inputs with the milliseconds since the previous one (0 allowed: simultaneous events).
fn script() -> impl Strategy<Value = Vec<(u64, Input)>> {
    prop::collection::vec((0u64..700, input()), 0..300)
}

/// What the box has been told so far, kept from the commands alone.
#[derive(Debug, Default)]
struct Account {
    open_take: Option<u32>,
    playing: bool,
    /// Every take number ever opened, and every one closed.
    opened: BTreeSet<u32>,
    closed: BTreeSet<u32>,
    /// When STOP went down during the open take, while it is still down.
    stop_down: Option<Duration>,
}

fn event_of(input: Input, at: Duration) -> Event {
    match input {
        Input::Down(button) => Event::Down { button, at },
        Input::Up(button) => Event::Up { button, at },
        Input::Tick => Event::Tick { at },
        Input::Arm(track, armed) => Event::Arm { track, armed },
        Input::Fault(fault) => Event::Fault { fault, at },
        Input::PlaybackEnded => Event::PlaybackEnded { at },
    }
}

/// Feeds one event and checks every command it gives against the account.
fn step(
    t: &mut Transport,
    acc: &mut Account,
    cfg: &TransportConfig,
    input: Input,
    at: Duration,
) -> Result<(), TestCaseError> {
    let armed_before = t.armed();
    let recording_before = acc.open_take.is_some();
    // The stop hold as the account sees it, after this event's own edge.
    let held_since = match input {
        Input::Down(Button::Stop) if recording_before => Some(at),
        _ => acc.stop_down,
    };
    let hold_met = held_since.is_some_and(|d| at.saturating_sub(d) >= cfg.stop_hold);
    let deliberate_stop = matches!(
        input,
        Input::Tick | Input::Up(Button::Stop) | Input::Down(Button::Stop)
    ) && hold_met;

    let out: Commands = t.handle(event_of(input, at));
    prop_assert!(out.len() <= Commands::CAPACITY);
    let mut stopped = false;
    for cmd in out.iter() {
        match *cmd {
            Command::StartTake { take, tracks } => {
                prop_assert_eq!(acc.open_take, None, "a take opened over an open one");
                prop_assert!(!acc.playing, "a take opened during playback");
                prop_assert!(matches!(input, Input::Down(Button::Rec)));
                prop_assert!(!tracks.is_empty(), "a take with no track");
                prop_assert_eq!(tracks.bits() & !ArmedTracks::first(cfg.tracks).bits(), 0);
                prop_assert!(
                    acc.opened.iter().all(|&n| n < take),
                    "take numbers only go up"
                );
                acc.opened.insert(take);
                acc.open_take = Some(take);
            }
            Command::StopTake { take } => {
                prop_assert_eq!(acc.open_take, Some(take), "stopped a take that is not open");
                prop_assert!(
                    deliberate_stop || matches!(input, Input::Fault(_)),
                    "take {} stopped by {:?} at {:?} (STOP down since {:?})",
                    take,
                    input,
                    at,
                    held_since
                );
                prop_assert!(acc.closed.insert(take), "take {} closed twice", take);
                acc.open_take = None;
                stopped = true;
            }
            Command::NewTake { closed, opened } => {
                prop_assert_eq!(cfg.rec_again, RecAgain::NewTake);
                prop_assert!(matches!(input, Input::Down(Button::Rec)));
                prop_assert_eq!(acc.open_take, Some(closed));
                prop_assert!(acc.closed.insert(closed), "take {} closed twice", closed);
                prop_assert!(
                    acc.opened.iter().all(|&n| n < opened),
                    "take numbers only go up"
                );
                acc.opened.insert(opened);
                acc.open_take = Some(opened);
            }
            Command::AddMarker { at: marked } => {
                prop_assert_eq!(marked, at);
                prop_assert!(
                    acc.open_take.is_some() || acc.playing,
                    "a marker with nothing rolling"
                );
            }
            Command::StartPlayback => {
                prop_assert_eq!(acc.open_take, None, "playback started while recording");
                prop_assert!(!acc.playing, "playback started twice");
                acc.playing = true;
            }
            Command::StopPlayback => {
                prop_assert!(acc.playing, "stopped playback that was not playing");
                acc.playing = false;
            }
            Command::Armed(tracks) => {
                prop_assert!(!recording_before, "arming changed while recording");
                prop_assert_eq!(tracks, t.armed());
            }
            Command::Alert(Alert::Stopped(_)) => prop_assert!(matches!(input, Input::Fault(_))),
            Command::Alert(_) => {}
        }
    }
    if matches!(input, Input::Fault(_)) {
        acc.playing = false;
    }
    if matches!(input, Input::PlaybackEnded) {
        acc.playing = false;
    }

    // A STOP held long enough while recording must end the take, and a short one must hint.
    if recording_before
        && hold_met
        && matches!(
            input,
            Input::Tick | Input::Up(Button::Stop) | Input::Down(Button::Stop)
        )
    {
        prop_assert!(
            stopped,
            "STOP held since {:?} did not stop at {:?}",
            held_since,
            at
        );
    }
    if recording_before
        && matches!(input, Input::Up(Button::Stop))
        && acc.stop_down.is_some()
        && !hold_met
    {
        prop_assert!(out.contains(&Command::Alert(Alert::HoldStopToStop)));
        prop_assert!(acc.open_take.is_some());
    }

    // Keep the account of STOP.
    match input {
        Input::Down(Button::Stop) if acc.open_take.is_some() => acc.stop_down = Some(at),
        Input::Up(Button::Stop) => acc.stop_down = None,
        _ => {}
    }
    if acc.open_take.is_none() {
        acc.stop_down = None;
    }

    // The transport's own state agrees with what it said.
    match t.state() {
        State::Recording { take, stop_down } => {
            prop_assert_eq!(acc.open_take, Some(take));
            prop_assert_eq!(stop_down, acc.stop_down);
            prop_assert!(!acc.playing);
            prop_assert!(!t.armed().is_empty(), "recording with nothing armed");
        }
        State::Playing => prop_assert!(acc.playing && acc.open_take.is_none()),
        State::Stopped => prop_assert!(!acc.playing && acc.open_take.is_none()),
    }
    if recording_before {
        prop_assert_eq!(t.armed(), armed_before, "arming changed while recording");
    }
    prop_assert_eq!(t.armed().bits() & !ArmedTracks::first(cfg.tracks).bits(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_every_rule(cfg in config(), first_take in 0u32..1000, script in script()) {
        let mut t = Transport::new(cfg, first_take).unwrap();
        let mut acc = Account::default();
        let mut now = Duration::ZERO;
        for (gap, input) in script {
            now += Duration::from_millis(gap);
            step(&mut t, &mut acc, &cfg, input, now)?;
        }
        // Every take opened is closed at most once, and all but the open one are closed.
        let still_open: BTreeSet<u32> = acc.open_take.into_iter().collect();
        let expected: BTreeSet<u32> = acc.opened.difference(&still_open).copied().collect();
        prop_assert_eq!(acc.closed, expected);
    }

    #[test]
    fn without_stop_or_a_fault_a_take_never_ends(cfg in config(), script in script()) {
        let mut t = Transport::new(cfg, 1).unwrap();
        t.handle(Event::Arm { track: 0, armed: true });
        let mut now = Duration::ZERO;
        let started = t.handle(Event::Down { button: Button::Rec, at: now });
        let opened = started.iter().any(|c| matches!(c, Command::StartTake { .. }));
        prop_assert!(opened, "REC with a track armed opens a take");
        for (gap, input) in script {
            if matches!(input, Input::Down(Button::Stop) | Input::Up(Button::Stop) | Input::Fault(_)) {
                continue;
            }
            now += Duration::from_millis(gap);
            let out = t.handle(event_of(input, now));
            prop_assert!(!out.iter().any(|c| matches!(c, Command::StopTake { .. })), "{:?} stopped the take", input);
            prop_assert!(t.is_recording());
        }
    }
}
