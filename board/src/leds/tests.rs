use std::time::Duration;

use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn the_tally_follows_recording_and_nothing_else() {
    let quiet = Warnings::default();
    for t in [0, 1, 499, 10_000] {
        assert_eq!(
            levels(true, &quiet, ms(t)),
            LedLevels {
                rec_tally: true,
                warning: false
            }
        );
        assert_eq!(
            levels(false, &quiet, ms(t)),
            LedLevels {
                rec_tally: false,
                warning: false
            }
        );
    }
}

#[test]
fn a_fault_blinks_at_four_hertz_from_its_start() {
    let w = Warnings {
        fault_since: Some(ms(1000)),
        ..Warnings::default()
    };
    let lit: Vec<bool> = [999, 1000, 1124, 1125, 1249, 1250, 1375]
        .iter()
        .map(|&t| levels(false, &w, ms(t)).warning)
        .collect();
    assert_eq!(lit, [false, true, true, false, false, true, false]);
}

#[test]
fn a_dropout_flickers_for_two_seconds_then_stops() {
    let w = Warnings {
        last_drop: Some(ms(500)),
        ..Warnings::default()
    };
    assert!(levels(true, &w, ms(500)).warning);
    assert!(!levels(true, &w, ms(550)).warning);
    assert!(levels(true, &w, ms(2400)).warning);
    assert!(!levels(true, &w, ms(2500)).warning);
    assert!(!levels(true, &w, ms(9000)).warning);
}

#[test]
fn a_fault_outranks_a_dropout_and_a_dropout_a_caution() {
    let caution = Warnings {
        caution_since: Some(ms(0)),
        ..Warnings::default()
    };
    // Caution: lit 150 ms of each second.
    assert!(levels(false, &caution, ms(3100)).warning);
    assert!(!levels(false, &caution, ms(3200)).warning);
    let drop = Warnings {
        last_drop: Some(ms(3170)),
        ..caution
    };
    assert!(
        levels(false, &drop, ms(3200)).warning,
        "the dropout's flicker shows over the caution"
    );
    let fault = Warnings {
        fault_since: Some(ms(3075)),
        ..drop
    };
    assert!(
        !levels(false, &fault, ms(3200)).warning,
        "the fault's blink shows over both"
    );
}

#[test]
fn blinks_before_their_start_or_with_no_period_stay_dark() {
    assert!(!Blink::FAULT.lit(ms(10), ms(5)));
    assert!(!Blink {
        period: Duration::ZERO,
        on: ms(1)
    }
    .lit(ms(0), ms(0)));
}

#[test]
fn sim_leds_remember_only_changes() {
    let mut leds = SimLeds::new();
    leds.show(LedLevels {
        rec_tally: true,
        warning: false,
    })
    .unwrap();
    leds.show(LedLevels {
        rec_tally: true,
        warning: true,
    })
    .unwrap();
    leds.show(LedLevels {
        rec_tally: true,
        warning: true,
    })
    .unwrap();
    leds.set(Led::RecTally, false).unwrap();
    assert_eq!(
        leds.changes(),
        &[
            (Led::RecTally, true),
            (Led::Warning, true),
            (Led::RecTally, false)
        ]
    );
    assert!(leds.is_lit(Led::Warning));
    assert!(!leds.is_lit(Led::RecTally));
}
