//! `capstan devices`: every card and PCM with what it accepts.

use std::process::ExitCode;

use capstan_board::audio::alsa::devices;

/// Runs `capstan devices`: exit 0 when there is at least one card, 1 when there is none.
pub fn run() -> ExitCode {
    let cards = devices::survey();
    print!("{}", devices::render(&cards));
    if cards.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
