use std::time::Duration;

use super::sim::RawEdge;
use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

/// A contact that bounces: alternating edges `gaps` apart from `start`, ending at `down`.
fn bounce(button: Button, start: Duration, gaps: &[Duration], down: bool) -> Vec<RawEdge> {
    let mut edges = Vec::new();
    let mut at = start;
    let mut level = down;
    // Walk backwards from the final level so the last edge lands on it.
    let mut levels: Vec<bool> = (0..=gaps.len())
        .map(|_| {
            let l = level;
            level = !level;
            l
        })
        .collect();
    levels.reverse();
    for (i, level) in levels.into_iter().enumerate() {
        edges.push(RawEdge {
            button,
            down: level,
            at,
        });
        if let Some(g) = gaps.get(i) {
            at += *g;
        }
    }
    edges
}

fn run(edges: Vec<RawEdge>, until: Duration) -> Vec<ButtonEvent> {
    ScriptedButtons::new(edges, DebounceConfig::default()).events_until(until)
}

fn presses(events: &[ButtonEvent]) -> Vec<(Button, Duration)> {
    events
        .iter()
        .filter(|e| e.action == Action::Press)
        .map(|e| (e.button, e.at))
        .collect()
}

#[test]
fn a_bouncing_press_and_release_count_once() {
    let gaps = [us(300), us(200), us(900), us(400), us(1200)];
    let mut edges = bounce(Button::Rec, ms(10), &gaps, true);
    edges.extend(bounce(Button::Rec, ms(200), &gaps, false));
    let events = run(edges, ms(1000));
    assert_eq!(
        events,
        vec![
            ButtonEvent {
                button: Button::Rec,
                action: Action::Press,
                at: ms(10)
            },
            ButtonEvent {
                button: Button::Rec,
                action: Action::Release { held: ms(190) },
                at: ms(200)
            },
        ]
    );
}

#[test]
fn a_real_double_press_counts_twice() {
    let gaps = [us(500), us(700), us(300)];
    let mut edges = Vec::new();
    for (down, up) in [(0, 60), (120, 180)] {
        edges.extend(bounce(Button::Play, ms(down), &gaps, true));
        edges.extend(bounce(Button::Play, ms(up), &gaps, false));
    }
    let events = run(edges, ms(500));
    assert_eq!(
        presses(&events),
        vec![(Button::Play, ms(0)), (Button::Play, ms(120))]
    );
    assert_eq!(events.len(), 4);
}

#[test]
fn a_glitch_shorter_than_the_settle_time_is_ignored() {
    let edges = vec![
        RawEdge {
            button: Button::Stop,
            down: true,
            at: ms(50),
        },
        RawEdge {
            button: Button::Stop,
            down: false,
            at: ms(50) + us(2500),
        },
    ];
    assert_eq!(run(edges, ms(500)), vec![]);
}

#[test]
fn a_press_is_reported_only_once_the_contact_has_settled() {
    let edges = bounce(Button::MarkArm, ms(100), &[us(800), us(800)], true);
    let mut buttons = ScriptedButtons::new(edges, DebounceConfig::default());
    // The last edge is at 101.6 ms: nothing before 106.6 ms.
    assert_eq!(buttons.events_until(ms(106)), vec![]);
    let events = buttons.events_until(ms(107));
    assert_eq!(presses(&events), vec![(Button::MarkArm, ms(100))]);
}

#[test]
fn a_held_button_reports_one_long_press_at_its_time() {
    let mut edges = bounce(Button::Stop, ms(20), &[us(400)], true);
    edges.extend(bounce(Button::Stop, ms(2520), &[us(400)], false));
    let events = run(edges, ms(3000));
    let actions: Vec<(Action, Duration)> = events.iter().map(|e| (e.action, e.at)).collect();
    assert_eq!(
        actions,
        vec![
            (Action::Press, ms(20)),
            (Action::LongPress, ms(1020)),
            (Action::Release { held: ms(2500) }, ms(2520)),
        ]
    );
}

#[test]
fn a_short_press_has_no_long_press() {
    let mut edges = bounce(Button::Stop, ms(0), &[], true);
    edges.extend(bounce(Button::Stop, ms(999), &[], false));
    let events = run(edges, ms(3000));
    assert!(
        events.iter().all(|e| e.action != Action::LongPress),
        "{events:?}"
    );
    assert_eq!(events.len(), 2);
}

#[test]
fn buttons_pressed_together_come_out_in_time_order() {
    let mut edges = bounce(Button::Stop, ms(10) + us(300), &[us(900), us(900)], true);
    edges.extend(bounce(Button::Rec, ms(10), &[us(100)], true));
    let events = run(edges, ms(100));
    assert_eq!(
        presses(&events),
        vec![(Button::Rec, ms(10)), (Button::Stop, ms(10) + us(300))]
    );
}

#[test]
fn a_button_held_at_start_must_be_released_first() {
    let mut d = Debouncer::new(DebounceConfig::default());
    d.assume(Button::Rec, true);
    d.tick(ms(5000));
    assert_eq!(d.pop(), None, "no long press for a button found held");
    d.edge(Button::Rec, false, ms(6000));
    d.tick(ms(6010));
    assert!(matches!(
        d.pop(),
        Some(ButtonEvent {
            action: Action::Release { .. },
            ..
        })
    ));
    assert!(!d.is_down(Button::Rec));
}

#[test]
fn the_next_deadline_is_the_settle_or_the_long_press() {
    let mut d = Debouncer::new(DebounceConfig::default());
    assert_eq!(d.next_deadline(), None);
    d.edge(Button::Play, true, ms(100));
    assert_eq!(d.next_deadline(), Some(ms(105)));
    d.tick(ms(105));
    assert_eq!(d.pop().map(|e| e.action), Some(Action::Press));
    assert_eq!(d.next_deadline(), Some(ms(1100)));
}

#[test]
fn keys_tap_and_hold_their_buttons() {
    let keymap = crate::profile::sim::KeyMap::default();
    let mut keys = KeyButtons::new(
        keymap,
        std::io::Cursor::new(b"xS".to_vec()),
        DebounceConfig::default(),
    );
    let mut events = Vec::new();
    while events.len() < 3 {
        if let Some(e) = keys.next_event(ms(2500)).unwrap() {
            events.push(e);
        } else {
            break;
        }
    }
    let actions: Vec<(Button, Action)> = events.iter().map(|e| (e.button, e.action)).collect();
    assert_eq!(
        actions,
        vec![
            (Button::Stop, Action::Press),
            (Button::Stop, Action::LongPress),
            (Button::Stop, Action::Release { held: sim::HOLD }),
        ]
    );
}

#[test]
fn a_contact_reports_its_settling_level_until_it_held_still() {
    let mut d = Debouncer::new(DebounceConfig::default());
    assert_eq!(d.settling_level(Button::Rec), None);
    d.edge(Button::Rec, true, ms(100));
    d.edge(Button::Rec, false, ms(101));
    assert_eq!(d.settling_level(Button::Rec), Some((false, ms(101))));
    // The level the line really has, found after the last edge was lost: one more edge.
    d.edge(Button::Rec, true, ms(101) + Duration::from_nanos(1));
    d.tick(ms(101) + DebounceConfig::default().settle + ms(1));
    assert_eq!(d.settling_level(Button::Rec), None);
    assert!(d.is_down(Button::Rec), "settled on the line's level");
    assert_eq!(d.pop().map(|e| e.action), Some(Action::Press));
}
