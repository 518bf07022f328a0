//! The Capstan recorder: the audio thread ([`engine`]), the record path to disk ([`recorder`]),
//! the configuration ([`config`]) and the `capstan` command line ([`cli`]).
#![forbid(unsafe_code)]

pub mod app;
pub mod cli;
pub mod config;
pub mod engine;
pub mod logging;
pub mod playback;
pub mod recorder;
pub mod transport;
