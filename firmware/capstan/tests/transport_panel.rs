//! The front panel end to end on the sim board: bouncing button contacts through the debounce,
//! the transport and the LEDs, the way the UI thread drives them.

use std::time::Duration;

use capstan::transport::{Command, Event, Transport, TransportConfig};
use capstan_board::buttons::sim::RawEdge;
use capstan_board::buttons::{Button, Buttons, DebounceConfig, ScriptedButtons};
use capstan_board::leds::{levels, Led, Leds, SimLeds, Warnings};
use capstan_board::profile::POLL_INTERVAL;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A press from `down` to `up` (ms) whose contact bounces twice at each end.
fn press(button: Button, down: u64, up: u64) -> Vec<RawEdge> {
    let us = Duration::from_micros;
    let edge = |at: Duration, down: bool| RawEdge { button, down, at };
    vec![
        edge(ms(down), true),
        edge(ms(down) + us(400), false),
        edge(ms(down) + us(900), true),
        edge(ms(up), false),
        edge(ms(up) + us(300), true),
        edge(ms(up) + us(700), false),
    ]
}

/// Runs the UI loop until `until`, returning every command and the tally's level at each
/// command.
fn run(edges: Vec<RawEdge>, until: Duration) -> (Vec<(Duration, Command)>, SimLeds) {
    let mut buttons = ScriptedButtons::new(edges, DebounceConfig::default());
    let mut transport = Transport::new(TransportConfig::default(), 1).unwrap();
    let mut leds = SimLeds::new();
    let mut commands = Vec::new();
    while buttons.now().unwrap() < until {
        let mut events = Vec::new();
        if let Some(e) = buttons.next_event(POLL_INTERVAL).unwrap() {
            events.extend(Event::from_button(e));
        }
        let now = buttons.now().unwrap();
        events.push(Event::Tick { at: now });
        for event in events {
            commands.extend(transport.handle(event).iter().map(|c| (now, *c)));
        }
        leds.show(levels(transport.is_recording(), &Warnings::default(), now))
            .unwrap();
    }
    (commands, leds)
}

#[test]
fn arm_record_tap_stop_then_hold_stop() {
    let mut edges = press(Button::MarkArm, 100, 200);
    edges.extend(press(Button::Rec, 1000, 1100));
    edges.extend(press(Button::Stop, 3000, 3100)); // a tap: only the hint
    edges.extend(press(Button::Stop, 5000, 5800)); // held: ends the take at 5.5 s
    let (commands, leds) = run(edges, ms(7000));
    let what: Vec<&Command> = commands.iter().map(|(_, c)| c).collect();
    assert!(
        matches!(what[0], Command::Armed(a) if a.count() == 8),
        "{what:?}"
    );
    assert!(
        matches!(what[1], Command::StartTake { take: 1, .. }),
        "{what:?}"
    );
    assert!(matches!(what[2], Command::Alert(_)), "{what:?}");
    assert!(matches!(what[3], Command::StopTake { take: 1 }), "{what:?}");
    assert_eq!(what.len(), 4, "{what:?}");
    // The take stops once STOP has been held 500 ms, within one poll interval.
    let stopped_at = commands[3].0;
    assert!(
        stopped_at >= ms(5500) && stopped_at <= ms(5500) + POLL_INTERVAL,
        "{stopped_at:?}"
    );
    // The tally lit once, for the take, and went out with it.
    assert_eq!(
        leds.changes(),
        &[(Led::RecTally, true), (Led::RecTally, false)]
    );
}
