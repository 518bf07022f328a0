//! The transport's rules, one scenario at a time.

use std::time::Duration;

use capstan::transport::{
    Alert, ArmedTracks, Command, EngineFault, Event, RecAgain, State, Transport, TransportConfig,
    TransportConfigError,
};
use capstan_board::buttons::{Action, Button, ButtonEvent};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn down(button: Button, t: u64) -> Event {
    Event::Down { button, at: ms(t) }
}

fn up(button: Button, t: u64) -> Event {
    Event::Up { button, at: ms(t) }
}

fn tick(t: u64) -> Event {
    Event::Tick { at: ms(t) }
}

/// A transport with 4 tracks, all armed, next take 1.
fn armed(rec_again: RecAgain) -> Transport {
    let config = TransportConfig {
        tracks: 4,
        rec_again,
        ..TransportConfig::default()
    };
    let mut t = Transport::new(config, 1).unwrap();
    assert_eq!(
        &*t.handle(down(Button::MarkArm, 0)),
        &[Command::Armed(ArmedTracks::first(4))]
    );
    t.handle(up(Button::MarkArm, 50));
    t
}

fn run(t: &mut Transport, events: &[Event]) -> Vec<Command> {
    events.iter().flat_map(|e| t.handle(*e).to_vec()).collect()
}

#[test]
fn rec_starts_a_take_on_the_armed_tracks() {
    let mut t = armed(RecAgain::Marker);
    let out = run(&mut t, &[down(Button::Rec, 100), up(Button::Rec, 180)]);
    assert_eq!(
        out,
        [Command::StartTake {
            take: 1,
            tracks: ArmedTracks::from_bits(0b1111)
        }]
    );
    assert_eq!(
        t.state(),
        State::Recording {
            take: 1,
            stop_down: None
        }
    );
}

#[test]
fn rec_with_nothing_armed_refuses() {
    let mut t = Transport::new(TransportConfig::default(), 1).unwrap();
    assert_eq!(
        &*t.handle(down(Button::Rec, 10)),
        &[Command::Alert(Alert::NoTrackArmed)]
    );
    assert_eq!(t.state(), State::Stopped);
    assert_eq!(t.next_take(), 1);
    assert!(Alert::NoTrackArmed.to_string().contains("MARK/ARM"));
}

#[test]
fn a_short_stop_while_recording_only_hints() {
    let mut t = armed(RecAgain::Marker);
    t.handle(down(Button::Rec, 100));
    let out = run(
        &mut t,
        &[
            down(Button::Stop, 1000),
            tick(1200),
            tick(1499),
            up(Button::Stop, 1499),
        ],
    );
    assert_eq!(out, [Command::Alert(Alert::HoldStopToStop)]);
    assert!(t.is_recording());
    assert_eq!(
        Alert::HoldStopToStop.to_string(),
        "hold STOP to stop recording"
    );
}

#[test]
fn a_held_stop_ends_the_take_while_still_held() {
    let mut t = armed(RecAgain::Marker);
    t.handle(down(Button::Rec, 100));
    assert!(t.handle(down(Button::Stop, 1000)).is_empty());
    assert_eq!(t.stop_progress(ms(1250)), Some(0.5));
    assert!(t.handle(tick(1499)).is_empty());
    assert_eq!(&*t.handle(tick(1500)), &[Command::StopTake { take: 1 }]);
    assert_eq!(t.state(), State::Stopped);
    assert!(
        t.handle(up(Button::Stop, 2000)).is_empty(),
        "the release after a stop is quiet"
    );
}

#[test]
fn a_held_stop_counts_at_release_when_ticks_are_late() {
    let mut t = armed(RecAgain::Marker);
    t.handle(down(Button::Rec, 100));
    t.handle(down(Button::Stop, 1000));
    assert_eq!(
        &*t.handle(up(Button::Stop, 1600)),
        &[Command::StopTake { take: 1 }]
    );
}

#[test]
fn a_stop_held_from_before_the_take_does_not_end_it() {
    let mut t = armed(RecAgain::Marker);
    t.handle(down(Button::Stop, 50));
    t.handle(down(Button::Rec, 100));
    let out = run(&mut t, &[tick(2000), up(Button::Stop, 2100), tick(5000)]);
    assert_eq!(out, []);
    assert!(t.is_recording());
}

#[test]
fn the_stop_hold_is_configurable() {
    let config = TransportConfig {
        tracks: 2,
        stop_hold: ms(2000),
        ..TransportConfig::default()
    };
    let mut t = Transport::new(config, 7).unwrap();
    t.handle(Event::Arm {
        track: 1,
        armed: true,
    });
    t.handle(down(Button::Rec, 0));
    t.handle(down(Button::Stop, 100));
    assert!(t.handle(tick(2099)).is_empty());
    assert_eq!(&*t.handle(tick(2100)), &[Command::StopTake { take: 7 }]);
}

#[test]
fn play_is_locked_while_recording() {
    let mut t = armed(RecAgain::Marker);
    t.handle(down(Button::Rec, 100));
    assert_eq!(
        &*t.handle(down(Button::Play, 200)),
        &[Command::Alert(Alert::PlayLockedWhileRecording)]
    );
    assert!(t.is_recording());
}

#[test]
fn rec_while_recording_marks_or_starts_the_next_take() {
    let mut t = armed(RecAgain::Marker);
    t.handle(down(Button::Rec, 100));
    assert_eq!(
        &*t.handle(down(Button::Rec, 900)),
        &[Command::AddMarker { at: ms(900) }]
    );
    assert_eq!(
        &*t.handle(down(Button::MarkArm, 950)),
        &[Command::AddMarker { at: ms(950) }]
    );

    let mut t = armed(RecAgain::NewTake);
    t.handle(down(Button::Rec, 100));
    assert_eq!(
        &*t.handle(down(Button::Rec, 900)),
        &[Command::NewTake {
            closed: 1,
            opened: 2
        }]
    );
    t.handle(down(Button::Stop, 1000));
    assert_eq!(&*t.handle(tick(1500)), &[Command::StopTake { take: 2 }]);
    assert_eq!(t.next_take(), 3);
}

#[test]
fn play_and_stop_when_not_recording_act_at_once() {
    let mut t = armed(RecAgain::Marker);
    assert_eq!(
        &*t.handle(down(Button::Play, 100)),
        &[Command::StartPlayback]
    );
    assert_eq!(
        &*t.handle(down(Button::Stop, 200)),
        &[Command::StopPlayback]
    );
    assert_eq!(t.state(), State::Stopped);
    t.handle(down(Button::Play, 300));
    t.handle(Event::PlaybackEnded { at: ms(400) });
    assert_eq!(t.state(), State::Stopped);
}

#[test]
fn rec_during_playback_stops_it_and_records() {
    let mut t = armed(RecAgain::Marker);
    t.handle(down(Button::Play, 100));
    assert_eq!(
        &*t.handle(down(Button::Rec, 200)),
        &[
            Command::StopPlayback,
            Command::StartTake {
                take: 1,
                tracks: ArmedTracks::first(4)
            }
        ]
    );
}

#[test]
fn a_fault_stops_the_take_and_says_why() {
    let mut t = armed(RecAgain::Marker);
    t.handle(down(Button::Rec, 100));
    let out = t.handle(Event::Fault {
        fault: EngineFault::DiskFull,
        at: ms(5000),
    });
    assert_eq!(
        &*out,
        &[
            Command::StopTake { take: 1 },
            Command::Alert(Alert::Stopped(EngineFault::DiskFull))
        ]
    );
    assert_eq!(t.state(), State::Stopped);
    assert!(Alert::Stopped(EngineFault::DiskFull)
        .to_string()
        .contains("card is full"));
}

#[test]
fn arming_is_locked_while_recording_and_checked_against_the_inputs() {
    let mut t = armed(RecAgain::Marker);
    assert_eq!(
        &*t.handle(Event::Arm {
            track: 4,
            armed: true
        }),
        &[Command::Alert(Alert::NoSuchTrack {
            track: 4,
            tracks: 4
        })]
    );
    assert_eq!(
        &*t.handle(Event::Arm {
            track: 0,
            armed: false
        }),
        &[Command::Armed(ArmedTracks::from_bits(0b1110))]
    );
    assert!(
        t.handle(Event::Arm {
            track: 0,
            armed: false
        })
        .is_empty(),
        "no change, no command"
    );
    t.handle(down(Button::Rec, 100));
    assert_eq!(
        &*t.handle(Event::Arm {
            track: 0,
            armed: true
        }),
        &[Command::Alert(Alert::ArmLockedWhileRecording)]
    );
    assert_eq!(t.armed(), ArmedTracks::from_bits(0b1110));
}

#[test]
fn mark_arm_while_stopped_toggles_every_track() {
    let config = TransportConfig {
        tracks: 64,
        ..TransportConfig::default()
    };
    let mut t = Transport::new(config, 1).unwrap();
    assert_eq!(
        &*t.handle(down(Button::MarkArm, 0)),
        &[Command::Armed(ArmedTracks::first(64))]
    );
    assert_eq!(t.armed().count(), 64);
    assert_eq!(
        &*t.handle(down(Button::MarkArm, 500)),
        &[Command::Armed(ArmedTracks::NONE)]
    );
}

#[test]
fn track_counts_outside_one_to_sixty_four_are_refused() {
    for tracks in [0, 65, 255] {
        let config = TransportConfig {
            tracks,
            ..TransportConfig::default()
        };
        assert_eq!(
            Transport::new(config, 1).unwrap_err(),
            TransportConfigError::Tracks(tracks)
        );
    }
}

#[test]
fn armed_tracks_print_as_runs() {
    assert_eq!(ArmedTracks::NONE.to_string(), "none");
    assert_eq!(ArmedTracks::from_bits(0b1011_1101).to_string(), "1, 3-6, 8");
    assert_eq!(ArmedTracks::first(64).to_string(), "1-64");
    assert!(!ArmedTracks::first(64).with(70, true).contains(70));
}

#[test]
fn debounced_button_events_become_transport_events() {
    let e = |action| ButtonEvent {
        button: Button::Stop,
        action,
        at: ms(3),
    };
    assert_eq!(
        Event::from_button(e(Action::Press)),
        Some(down(Button::Stop, 3))
    );
    assert_eq!(
        Event::from_button(e(Action::Release { held: ms(1) })),
        Some(up(Button::Stop, 3))
    );
    assert_eq!(Event::from_button(e(Action::LongPress)), None);
}

#[test]
fn the_next_take_number_is_set_from_the_card_only_while_stopped() {
    let mut t = armed(RecAgain::Marker);
    run(&mut t, &[down(Button::Rec, 100)]);
    assert_eq!(t.next_take(), 2);
    // While take 1 records its number is given: a number read from the card is not taken.
    t.set_next_take(1);
    assert_eq!(t.next_take(), 2);
    // The take was refused (no folder): stopped, the card says take 1 is still to come.
    run(
        &mut t,
        &[Event::Fault {
            fault: EngineFault::DiskFull,
            at: ms(200),
        }],
    );
    assert_eq!(t.state(), State::Stopped);
    t.set_next_take(1);
    assert_eq!(t.next_take(), 1);
    let out = run(&mut t, &[up(Button::Rec, 300), down(Button::Rec, 400)]);
    assert_eq!(
        out,
        [Command::StartTake {
            take: 1,
            tracks: ArmedTracks::from_bits(0b1111)
        }]
    );
}
