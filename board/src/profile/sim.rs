//! The sim board: keyboard keys stand in for the buttons (`r` REC, `p` PLAY, `s` STOP, `m`
//! MARK/ARM; the capital letter holds the button down, e.g. `S` for the held STOP that ends a
//! recording), and the LEDs are shown in the terminal.

use crate::buttons::Button;

use super::{BoardProfile, Wiring};

/// Which key stands for which button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    /// Pairs of a lower-case key and its button.
    pub keys: Vec<(char, Button)>,
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPress {
    /// The button it stands for.
    pub button: Button,
    /// The capital letter: the button is held down rather than tapped.
    pub held: bool,
}

impl KeyMap {
    /// The button a key stands for, if any; the capital letter holds it down.
    pub fn lookup(&self, key: char) -> Option<KeyPress> {
        let lower = key.to_ascii_lowercase();
        self.keys
            .iter()
            .find(|(k, _)| *k == lower)
            .map(|&(_, button)| KeyPress {
                button,
                held: key.is_ascii_uppercase(),
            })
    }
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap {
            keys: vec![
                ('r', Button::Rec),
                ('p', Button::Play),
                ('s', Button::Stop),
                ('m', Button::MarkArm),
            ],
        }
    }
}

/// The sim board.
pub fn sim() -> BoardProfile {
    BoardProfile {
        name: "sim",
        description: "sim: keys r REC, p PLAY, s STOP, m MARK/ARM (capital letter holds)",
        wiring: Wiring::Keys(KeyMap::default()),
    }
}
