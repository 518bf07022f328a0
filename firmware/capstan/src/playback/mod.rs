//! Playback of a take through the same mixer the box monitors with.
//!
//! Three threads carry a take to the speakers:
//!
//! - the read-ahead thread ([`readahead`]) reads the take's track files from the chosen frame
//!   and keeps a ring of at least two seconds of interleaved frames full, exactly as the record
//!   path's ring carried them;
//! - the audio thread ([`cycle`]) takes one period at a time from that ring, runs the
//!   [`Mixer`](capstan_mixer::Mixer) with the take's saved mix (or a plain centred mix at unity
//!   when the take has none) and queues the master's pair to a
//!   [`PlaybackSink`](capstan_board::audio::PlaybackSink). It never allocates, locks, logs or
//!   touches the disk; when the ring runs dry it plays a period of silence and counts an
//!   underrun, never garbage;
//! - on a desktop, [`sim::SimSink`] stands in for the device and writes what the box would play
//!   to a stereo `f32` WAV from its own thread.
//!
//! The mixer is cut into the take's own periods, so playing a whole take to the sim sink gives
//! bit for bit the samples `take mixdown` prints. [`player::play`] runs the three together.

pub mod background;
pub mod cycle;
pub mod player;
pub mod readahead;
pub mod sim;
pub mod takes;

pub use background::Playing;
pub use cycle::{Cycle, PlayCycle, PlayStats};
pub use player::{play, PlayOptions, PlayReport};
pub use readahead::ReadAhead;
pub use sim::{PacedSink, SimSink};
