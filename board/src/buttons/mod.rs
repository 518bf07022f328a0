//! The transport buttons (REC, PLAY, STOP, MARK/ARM) behind one trait, [`Buttons`]: the GPIO
//! character device on the box ([`cdev`]), scripted edges or keyboard keys on a desktop
//! ([`sim`]). Every implementation feeds raw edges through the same software [`debounce`], so a
//! bouncing contact counts once and a held button reports a long press.
#![forbid(unsafe_code)]

pub mod cdev;
pub mod debounce;
pub mod sim;

use std::time::Duration;

use crate::profile::cdev::GpioError;

pub use cdev::CdevButtons;
pub use debounce::{DebounceConfig, Debouncer};
pub use sim::{KeyButtons, RawEdge, ScriptedButtons};

/// One of the box's four transport buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Button {
    /// Starts a take; while recording, adds a marker or starts the next take.
    Rec,
    /// Plays the last take back.
    Play,
    /// Stops playback; stops a recording only when held.
    Stop,
    /// Adds a marker while rolling; arms or disarms the tracks while stopped.
    MarkArm,
}

impl Button {
    /// All buttons, in the order profiles list their lines.
    pub const ALL: [Button; 4] = [Button::Rec, Button::Play, Button::Stop, Button::MarkArm];

    /// The position of the button in [`Button::ALL`].
    pub const fn index(self) -> usize {
        match self {
            Button::Rec => 0,
            Button::Play => 1,
            Button::Stop => 2,
            Button::MarkArm => 3,
        }
    }

    /// The label printed on the box.
    pub const fn label(self) -> &'static str {
        match self {
            Button::Rec => "REC",
            Button::Play => "PLAY",
            Button::Stop => "STOP",
            Button::MarkArm => "MARK/ARM",
        }
    }
}

/// What a debounced button did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The button went down.
    Press,
    /// The button has been held down for the long-press time (reported once per press, while it
    /// is still down).
    LongPress,
    /// The button came up after being down for `held`.
    Release {
        /// How long the button was down.
        held: Duration,
    },
}

/// A debounced button event, stamped on the monotonic clock of its [`Buttons`] source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ButtonEvent {
    /// Which button.
    pub button: Button,
    /// What it did.
    pub action: Action,
    /// When, on the source's monotonic clock (see [`Buttons::now`]). For a press or release
    /// this is the first edge of the contact's bounce, so hold times are measured from the
    /// moment the finger arrived.
    pub at: Duration,
}

/// Why the buttons could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum ButtonError {
    /// The GPIO chip or one of its lines could not be opened or requested.
    #[error(transparent)]
    Gpio(#[from] GpioError),
    /// Reading a line's events failed.
    #[error("reading the {button} button's events (GPIO line {offset}): {source}")]
    Read {
        /// The button's label.
        button: &'static str,
        /// Its line offset.
        offset: u32,
        /// The kernel's answer.
        #[source]
        source: gpio_cdev::Error,
    },
    /// Waiting for button events failed.
    #[error("waiting for button events: {0}")]
    Poll(nix::Error),
    /// The monotonic clock could not be read.
    #[error("reading the monotonic clock: {0}")]
    Clock(nix::Error),
}

/// A source of debounced button events.
pub trait Buttons {
    /// Waits up to `timeout` for the next button event; `Ok(None)` when none came in time.
    /// Returns early whenever an event is ready, so a caller looping on it with a short timeout
    /// can also tick its own timers (STOP hold, LED blink) from [`Buttons::now`].
    fn next_event(&mut self, timeout: Duration) -> Result<Option<ButtonEvent>, ButtonError>;

    /// Now, on the clock the events are stamped with.
    fn now(&self) -> Result<Duration, ButtonError>;
}

#[cfg(test)]
mod debounce_props;
#[cfg(test)]
mod tests;
