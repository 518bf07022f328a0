//! The `capstan` command line.

/// `println!` that never panics: a line for a reader that has gone (a closed pipe, a full
/// disk) is lost, and the take goes on.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that never panics (see `outln!`).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod devices;
mod play;
mod record;
mod run;
mod signal;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Capstan: a standalone multitrack recorder.
#[derive(Debug, Parser)]
#[command(name = "capstan", version, about)]
pub struct Cli {
    /// Config file (default: /etc/capstan/capstan.toml if it exists, else built-in defaults).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Record one take headless and print its folder as the last line.
    ///
    /// Exit status: 0 the take is whole and lost nothing; 1 it stopped early (a full or failing
    /// card; its files hold everything up to then); 2 nothing was recorded (a bad option,
    /// device or folder); 3 the take ran to its end but lost audio (xruns, frames dropped):
    /// its iXML NOTE and markers say where.
    Record(record::RecordArgs),
    /// Run the whole box: buttons, display, LEDs and takes (`--sim`: on a desktop, with keys).
    Run(run::RunArgs),
    /// List every sound card and PCM with the formats, rates, channels and periods it accepts.
    Devices,
    /// Play a take back through its saved mix (to the monitor device, or `--sim` to a WAV).
    Play(play::PlayArgs),
    /// Play the counter test signal into a playback device (for loopback and cable tests).
    Signal(signal::SignalArgs),
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::logging::init();
    match cli.command {
        Command::Record(args) => record::run(cli.config.as_deref(), args),
        Command::Run(args) => run::run(cli.config.as_deref(), args),
        Command::Devices => devices::run(),
        Command::Play(args) => play::run(cli.config.as_deref(), args),
        Command::Signal(args) => signal::run(args),
    }
}
