//! Property tests of the debounce: random presses, each with a random bounce at both ends.

use std::time::Duration;

use proptest::prelude::*;

use super::sim::RawEdge;
use super::*;

/// One press as a finger makes it: bounce gaps at the press and at the release (each shorter
/// than the settle time), how long it is held after its bounce, and the pause after it.
#[derive(Debug, Clone)]
struct Press {
    button: Button,
    press_bounce: Vec<u64>,
    held_us: u64,
    release_bounce: Vec<u64>,
    pause_us: u64,
}

fn press() -> impl Strategy<Value = Press> {
    let button = prop_oneof![
        Just(Button::Rec),
        Just(Button::Play),
        Just(Button::Stop),
        Just(Button::MarkArm)
    ];
    let bounce = prop::collection::vec(1u64..4_999, 0..8);
    (
        button,
        bounce.clone(),
        0u64..2_000_000,
        bounce,
        0u64..300_000,
    )
        .prop_map(
            |(button, press_bounce, held_us, release_bounce, pause_us)| Press {
                button,
                press_bounce,
                held_us,
                release_bounce,
                pause_us,
            },
        )
}

/// Alternating edges from `start`, `gaps` apart, the last one at level `down`.
fn bounce(
    button: Button,
    start: Duration,
    gaps: &[u64],
    down: bool,
    out: &mut Vec<RawEdge>,
) -> Duration {
    let mut at = start;
    for i in 0..=gaps.len() {
        let level = if (gaps.len() - i) % 2 == 0 {
            down
        } else {
            !down
        };
        out.push(RawEdge {
            button,
            down: level,
            at,
        });
        if let Some(&g) = gaps.get(i) {
            at += Duration::from_micros(g);
        }
    }
    at
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn each_press_counts_once_however_it_bounces(presses in prop::collection::vec(press(), 1..12)) {
        let cfg = DebounceConfig::default();
        let mut edges = Vec::new();
        let mut expected = Vec::new();
        let mut at = Duration::from_millis(1);
        for p in &presses {
            let pressed_at = at;
            let settled = bounce(p.button, at, &p.press_bounce, true, &mut edges) + cfg.settle;
            let released_at = settled + Duration::from_micros(p.held_us);
            let quiet = bounce(p.button, released_at, &p.release_bounce, false, &mut edges) + cfg.settle;
            let held = released_at - pressed_at;
            expected.push(ButtonEvent { button: p.button, action: Action::Press, at: pressed_at });
            if held >= cfg.long_press {
                expected.push(ButtonEvent { button: p.button, action: Action::LongPress, at: pressed_at + cfg.long_press });
            }
            expected.push(ButtonEvent { button: p.button, action: Action::Release { held }, at: released_at });
            at = quiet + Duration::from_micros(p.pause_us);
        }
        let events = ScriptedButtons::new(edges, cfg).events_until(at + Duration::from_secs(2));
        prop_assert_eq!(events, expected);
    }
}
