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
//! ```
//! use capstan_mixer::{Command, Mixer, MixerSpec, MixerState, RawFormat, TrackChange};
//!
//! let state: MixerState = toml::from_str(
//!     r#"
//!     tracks = [{ name = "Vox", input = 0 }, { name = "Gtr", input = 1, pan = 0.5 }]
//!     master = { output = [0, 1] }
//!     "#,
//! )?;
//! let spec = MixerSpec {
//!     input_channels: 2,
//!     input_format: RawFormat::S16Le,
//!     output_channels: 2,
//!     rate: 48_000,
//!     period_frames: 64,
//! };
//! let (mut mixer, mut control) = Mixer::new(&state, spec)?;
//! let meters = mixer.meters(); // hand this to the UI thread
//!
//! // UI thread: pull the guitar down 6 dB; the next period ramps to it.
//! control.send(Command::Track(1, TrackChange::Fader(-6.0)))?;
//!
//! // Audio thread, once per period: captured S16_LE frames in, monitor frames out.
//! let captured = [0u8; 64 * 2 * 2];
//! let mut monitor = [0f32; 64 * 2];
//! mixer.process(&captured, 64, &mut monitor)?;
//! assert_eq!(meters.periods(), 1);
//! assert_eq!(control.state().tracks[1].fader_db, -6.0); // what to save with the take
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
mod feeds;
pub mod gain;
pub mod meter;
pub mod pan;
pub mod process;
pub mod spec;
pub mod state;
mod strip;
pub mod take;
pub mod tracks;

pub use command::{BusChange, Command, ControlError, MixerControl, TrackChange};
pub use convert::RawFormat;
pub use engine::Mixer;
pub use meter::{ChannelMeter, Meters};
pub use process::ProcessError;
pub use spec::{MixerError, MixerSpec};
pub use state::{BusState, Destination, MixerState, SendState, TrackInput, TrackState};
pub use take::TakeMix;
pub use tracks::TakeTracks;

/// The most tracks a mixer holds.
pub const MAX_TRACKS: usize = 64;
/// The most group buses a mixer holds.
pub const MAX_GROUPS: usize = 8;
/// The most aux buses a mixer holds.
pub const MAX_AUXES: usize = 4;
/// The longest period a mixer runs with, in frames (1.4 s at 48 kHz; the recorder's periods
/// are at most 8192).
pub const MAX_PERIOD_FRAMES: usize = 65_536;
/// The most channels in a frame of the mixer's input or output.
pub const MAX_CHANNELS: u16 = 256;
