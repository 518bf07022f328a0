//! What goes into the transport ([`Event`]) and what comes out ([`Command`], [`Alert`]).

use std::fmt;
use std::ops::Deref;
use std::time::Duration;

use capstan_board::buttons::{Action, Button, ButtonEvent};

use super::ArmedTracks;

/// Something that happened, stamped with the monotonic time it happened at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A button went down.
    Down {
        /// Which button.
        button: Button,
        /// When.
        at: Duration,
    },
    /// A button came up.
    Up {
        /// Which button.
        button: Button,
        /// When.
        at: Duration,
    },
    /// Time passed: lets a held STOP end a recording while it is still down. Send one every few
    /// tens of milliseconds.
    Tick {
        /// Now.
        at: Duration,
    },
    /// A track was armed or disarmed from the track screen.
    Arm {
        /// The track, 0-based.
        track: u8,
        /// Armed or not.
        armed: bool,
    },
    /// The engine hit a fault that stops the transport.
    Fault {
        /// What went wrong.
        fault: EngineFault,
        /// When.
        at: Duration,
    },
    /// Playback reached the end of the take.
    PlaybackEnded {
        /// When.
        at: Duration,
    },
}

impl Event {
    /// The transport event of a debounced button event; a long press is none (the transport
    /// times STOP's hold itself).
    pub fn from_button(event: ButtonEvent) -> Option<Event> {
        let (button, at) = (event.button, event.at);
        match event.action {
            Action::Press => Some(Event::Down { button, at }),
            Action::Release { .. } => Some(Event::Up { button, at }),
            Action::LongPress => None,
        }
    }
}

/// A fault in the engine that ends a take or playback at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineFault {
    /// The card or drive is full.
    DiskFull,
    /// Writing the take failed.
    WriteFailed,
    /// The audio interface failed or was unplugged.
    DeviceFailed,
}

impl EngineFault {
    /// What happened, for the display.
    pub const fn message(self) -> &'static str {
        match self {
            EngineFault::DiskFull => {
                "the card is full: free space or change the card to record again"
            }
            EngineFault::WriteFailed => "writing to the card failed: check or replace the card",
            EngineFault::DeviceFailed => "the audio interface failed: check its cable and power",
        }
    }
}

/// A message for the user, shown on the display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    /// STOP was tapped while recording.
    HoldStopToStop,
    /// PLAY was pressed while recording.
    PlayLockedWhileRecording,
    /// REC was pressed with no track armed.
    NoTrackArmed,
    /// Arming was tried while recording.
    ArmLockedWhileRecording,
    /// A track past the box's inputs was armed.
    NoSuchTrack {
        /// The track, 0-based.
        track: u8,
        /// How many tracks the box has.
        tracks: u8,
    },
    /// An engine fault stopped the transport.
    Stopped(EngineFault),
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Alert::HoldStopToStop => f.write_str("hold STOP to stop recording"),
            Alert::PlayLockedWhileRecording => {
                f.write_str("PLAY is locked while recording: hold STOP first")
            }
            Alert::NoTrackArmed => {
                f.write_str("no track armed: press MARK/ARM or arm tracks on the track screen")
            }
            Alert::ArmLockedWhileRecording => {
                f.write_str("tracks cannot be armed while recording: hold STOP first")
            }
            Alert::NoSuchTrack { track, tracks } => write!(
                f,
                "there is no track {}: the box has {tracks} tracks",
                u16::from(track) + 1
            ),
            Alert::Stopped(fault) => write!(f, "stopped: {}", fault.message()),
        }
    }
}

/// What the transport asks of the rest of the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Open take `take` on the armed tracks and start writing (pre-roll included).
    StartTake {
        /// The take's number.
        take: u32,
        /// The tracks it records.
        tracks: ArmedTracks,
    },
    /// Stop writing and close take `take`.
    StopTake {
        /// The take's number.
        take: u32,
    },
    /// Close take `closed` and go on in take `opened`, without losing a frame between them.
    NewTake {
        /// The take that ends.
        closed: u32,
        /// The take that begins, on the same tracks.
        opened: u32,
    },
    /// Put a marker in the take being recorded or played, at the time of the press.
    AddMarker {
        /// When the button went down.
        at: Duration,
    },
    /// Play the last take back.
    StartPlayback,
    /// Stop playback.
    StopPlayback,
    /// The armed tracks changed.
    Armed(ArmedTracks),
    /// Show a message.
    Alert(Alert),
}

/// The commands of one event: at most [`Commands::CAPACITY`], in the order to carry them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commands {
    items: [Command; Commands::CAPACITY],
    len: usize,
}

impl Commands {
    /// The most commands one event gives.
    pub const CAPACITY: usize = 3;

    /// No command.
    pub(super) const fn new() -> Commands {
        // The filler is never seen: only the first `len` items are.
        Commands {
            items: [Command::StopPlayback; Commands::CAPACITY],
            len: 0,
        }
    }

    /// Adds a command.
    pub(super) fn push(&mut self, command: Command) {
        self.items[self.len] = command;
        self.len += 1;
    }
}

impl Deref for Commands {
    type Target = [Command];

    fn deref(&self) -> &[Command] {
        &self.items[..self.len]
    }
}

impl<'a> IntoIterator for &'a Commands {
    type Item = &'a Command;
    type IntoIter = std::slice::Iter<'a, Command>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
