//! The transport: what REC, PLAY, STOP and MARK/ARM do, as a pure state machine. Events go in
//! (button edges, ticks, engine faults, each stamped with the monotonic time); a short list of
//! [`Command`]s for the rest of the box comes out. Nothing here reads a clock or touches a
//! device, so every rule can be tested with made-up times.
//!
//! The rules that keep a take safe:
//! - STOP ends a recording only when held for [`TransportConfig::stop_hold`] (500 ms by
//!   default); a short press only answers with [`Alert::HoldStopToStop`].
//! - PLAY does nothing while recording but say so.
//! - REC with no armed track refuses, and arming is locked while recording.
//! - Only a held STOP or an engine fault ([`EngineFault`]) ends a take.
#![forbid(unsafe_code)]

mod arm;
mod event;
mod machine;

use std::time::Duration;

pub use arm::{ArmedTracks, MAX_TRACKS};
pub use event::{Alert, Command, Commands, EngineFault, Event};
pub use machine::{State, Transport};

/// What REC does while already recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecAgain {
    /// Adds a marker to the take (the default).
    #[default]
    Marker,
    /// Closes the take and opens the next one without a gap.
    NewTake,
}

/// How the transport behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportConfig {
    /// Inputs that can be armed, 1 to [`MAX_TRACKS`].
    pub tracks: u8,
    /// How long STOP must be held to end a recording.
    pub stop_hold: Duration,
    /// What REC does while recording.
    pub rec_again: RecAgain,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            tracks: 8,
            stop_hold: Duration::from_millis(500),
            rec_again: RecAgain::Marker,
        }
    }
}

/// A transport setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportConfigError {
    /// The track count is out of range.
    #[error("{0} tracks: the transport arms 1 to 64 tracks; set the input count in that range")]
    Tracks(u8),
}
