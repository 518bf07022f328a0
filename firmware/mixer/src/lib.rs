//! Capstan's monitor mixer and meters.
//!
//! The mixer shapes only what is heard (and the printed mix), never the recorded tracks. It is
//! built once from a [`MixerState`] (the serde settings that live in the configuration file and
//! in each take) and a [`MixerSpec`] (the device's channels, format, rate and period):
//!
//! - [`Mixer`] runs in the audio thread: fixed capacity ([`MAX_TRACKS`] tracks,
//!   [`MAX_GROUPS`] group buses, [`MAX_AUXES`] aux buses and the master), `f32`, and nothing
//!   allocated, locked or blocked on after construction.
//! - [`MixerControl`] is the UI thread's handle: it checks each [`Command`], keeps the settings
//!   and hands the change to the audio thread through a lock-free ring.
//! - [`Meters`] are read by any thread from atomics.
//!
//! Every parameter change is a linear gain ramp over the next period (routing and input changes
//! crossfade over it), so faders, mutes and pans move without zipper noise or clicks.
//!
//! # Determinism
//!
//! The mixer has no clock, no randomness and no state that depends on anything but the calls
//! made to it: given the same [`MixerState`] and [`MixerSpec`], the same input frames cut into
//! the same sequence of call sizes, and the same commands taken before the same calls, it
//! produces bit-identical output and meter values, whether it runs on the box in real time or
//! offline in the `take` tools. Processing order is fixed (tracks in order, then groups, auxes
//! and master, see [`engine`]); sums use no floating-point reassociation that depends on the
//! data; meter times are counted in frames. The same binary on the same CPU architecture is
//! needed for bit-identity (another compiler or target may round differently).
#![forbid(unsafe_code)]

mod ballistics;
mod bus;
pub mod command;
pub mod convert;
pub mod engine;
pub mod gain;
mod legs;
pub mod meter;
pub mod pan;
pub mod process;
pub mod spec;
pub mod state;
mod strip;

pub use command::{BusChange, Command, ControlError, MixerControl, TrackChange};
pub use convert::RawFormat;
pub use engine::Mixer;
pub use meter::{ChannelMeter, Meters};
pub use process::ProcessError;
pub use spec::{MixerError, MixerSpec};
pub use state::{BusState, Destination, MixerState, SendState, TrackInput, TrackState};

/// The most tracks a mixer holds.
pub const MAX_TRACKS: usize = 64;
/// The most group buses a mixer holds.
pub const MAX_GROUPS: usize = 8;
/// The most aux buses a mixer holds.
pub const MAX_AUXES: usize = 4;
