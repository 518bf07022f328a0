use std::path::PathBuf;

use super::*;

#[test]
fn every_name_loads_its_own_profile() {
    for name in NAMES {
        let profile = BoardProfile::by_name(name).unwrap();
        assert_eq!(profile.name, name);
    }
}

#[test]
fn an_unknown_name_lists_the_known_ones() {
    let err = BoardProfile::by_name("pi5").unwrap_err();
    assert_eq!(err, UnknownProfile("pi5".into()));
    assert!(err.to_string().contains("pi4, cm4-io, sim"));
}

#[test]
fn pi_buttons_are_active_low_with_pull_up_on_free_lines() {
    // I2C, SPI0, UART, I2S and the HAT EEPROM lines stay free for the rest of the box.
    let reserved = [0, 1, 2, 3, 7, 8, 9, 10, 11, 14, 15, 18, 19, 20, 21];
    for name in ["pi4", "cm4-io"] {
        let Wiring::Gpio(map) = BoardProfile::by_name(name).unwrap().wiring else {
            panic!("{name} is a GPIO board");
        };
        assert_eq!(map.chip, ChipRef::Label("pinctrl-bcm2711".into()));
        let mut offsets: Vec<u32> = map
            .buttons
            .iter()
            .chain(&map.leds)
            .map(|p| p.offset)
            .collect();
        for b in map.buttons {
            assert!(b.active_low && b.pull_up, "{name}: {b:?}");
        }
        for l in map.leds {
            assert!(!l.active_low && !l.pull_up, "{name}: {l:?}");
        }
        assert!(
            offsets.iter().all(|o| *o <= 27 && !reserved.contains(o)),
            "{name}: {offsets:?}"
        );
        offsets.sort();
        offsets.dedup();
        assert_eq!(offsets.len(), 6, "{name}: a line used twice");
    }
}

#[test]
fn pi4_table_matches_the_docs() {
    let Wiring::Gpio(map) = BoardProfile::by_name("pi4").unwrap().wiring else {
        panic!("pi4 is a GPIO board");
    };
    assert_eq!(map.button(Button::Rec).offset, 5);
    assert_eq!(map.button(Button::Play).offset, 6);
    assert_eq!(map.button(Button::Stop).offset, 13);
    assert_eq!(map.button(Button::MarkArm).offset, 26);
    assert_eq!(map.led(Led::RecTally).offset, 12);
    assert_eq!(map.led(Led::Warning).offset, 16);
}

#[test]
fn a_gpio_profile_can_be_pointed_at_another_chip() {
    let chip = ChipRef::Path(PathBuf::from("/dev/gpiochip7"));
    let profile = BoardProfile::by_name("cm4-io")
        .unwrap()
        .on_chip(chip.clone());
    let Wiring::Gpio(map) = profile.wiring else {
        panic!("cm4-io is a GPIO board");
    };
    assert_eq!(map.chip, chip);
    assert_eq!(map.button(Button::Stop).offset, 13);
}

#[test]
fn sim_keys_map_to_buttons_and_capitals_hold() {
    let Wiring::Keys(keys) = BoardProfile::by_name("sim").unwrap().wiring else {
        panic!("sim uses keys");
    };
    let k = |c| keys.lookup(c).map(|p| (p.button, p.held));
    assert_eq!(k('r'), Some((Button::Rec, false)));
    assert_eq!(k('p'), Some((Button::Play, false)));
    assert_eq!(k('s'), Some((Button::Stop, false)));
    assert_eq!(k('S'), Some((Button::Stop, true)));
    assert_eq!(k('m'), Some((Button::MarkArm, false)));
    assert_eq!(k('x'), None);
    assert_eq!(k('\n'), None);
}

#[test]
fn input_flags_carry_active_low_and_the_pull_up_bias() {
    use gpio_cdev::LineRequestFlags as F;
    let flags = cdev::input_flags(Pin::button(5));
    assert_eq!(
        flags.bits(),
        (F::INPUT | F::ACTIVE_LOW).bits() | cdev::BIAS_PULL_UP
    );
    assert_eq!(cdev::output_flags(Pin::led(12)).bits(), F::OUTPUT.bits());
}

#[test]
fn opening_a_missing_chip_says_which() {
    let map = GpioMap {
        chip: ChipRef::Path(PathBuf::from("/nonexistent/gpiochip9")),
        buttons: [
            Pin::button(0),
            Pin::button(1),
            Pin::button(2),
            Pin::button(3),
        ],
        leds: [Pin::led(4), Pin::led(5)],
    };
    let err =
        crate::buttons::CdevButtons::open(&map.chip, &map.buttons, Default::default()).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/gpiochip9"), "{err}");
    let err = crate::leds::CdevLeds::open(&map.chip, &map.leds).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/gpiochip9"), "{err}");
    let err = cdev::open_chip(&ChipRef::Label("no-such-chip".into())).unwrap_err();
    assert!(err.to_string().contains("no-such-chip"), "{err}");
}
