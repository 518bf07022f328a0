//! Capstan's take files: Broadcast WAV (EBU Tech 3285 `bext`), iXML, and RF64 (EBU Tech 3306)
//! when a file passes 4 GiB.
//!
//! - [`writer`] writes files that stay valid while they grow and survive a power cut up to the
//!   last [`writer::WavWriter::commit`].
//! - [`reader`] reads what any recorder or DAW writes, without panicking on any input.
//! - [`recover`] repairs a file cut short, idempotently.
//! - [`verify`] checks structure and the [`counter`] test signal.
//! - [`markers`] are cue points (xruns, drops, user marks) as DAWs and iXML readers see them.
//!
//! This crate has no audio-device dependency: the firmware and the laptop tools share it.
#![forbid(unsafe_code)]

pub mod bext;
pub mod counter;
pub mod format;
pub mod ixml;
pub mod losses;
pub mod markers;
pub mod reader;
pub mod recover;
pub mod riff;
pub mod verify;
pub mod writer;

pub use format::{SampleFormat, WavSpec};
pub use markers::Marker;
pub use reader::{read, WavFile};
pub use writer::{FileMeta, WavWriter, WriterOptions};
