//! `take`: what a user runs on a laptop on a Capstan card's files. Parses the command line and
//! hands over to the subcommands in `cmd/`.
#![forbid(unsafe_code)]

mod cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Inspect, check and repair Capstan takes (and any WAV/BWF/RF64 file).
///
/// Exit codes: 0 all good; 1 a file has problems (or a repair was needed and made, for
/// `recover`: 0; for `report`, the take lost audio or has problems); 2 a file could not be
/// read, is not WAV, or the command line is wrong. For
/// `mixdown` and `stems`: 1 a print could not be written; 2 the take, its tracks or its mix
/// file are missing or unreadable.
#[derive(Debug, Parser)]
#[command(name = "take", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// A test pattern to check the audio against.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Pattern {
    /// The counter test signal (`capstan record --signal counter`).
    Counter,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show format, length, every bext and iXML field and the chunks of each file.
    Info {
        /// A WAV file or a take folder.
        path: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check the structure of each file; with --pattern, that the audio is gapless and bit-exact.
    Verify {
        /// A WAV file or a take folder.
        path: PathBuf,
        /// Check the audio against a test pattern.
        #[arg(long, value_enum)]
        pattern: Option<Pattern>,
    },
    /// Repair files cut short (power cut, crash): rebuild sizes from the file length.
    Recover {
        /// A WAV file or a take folder.
        path: PathBuf,
    },
    /// One take at a glance: what it is, its markers, and everything it lost or that went
    /// wrong, each at its place; exit 0 for a clean take, 1 for one with losses or problems.
    Report {
        /// A take folder (or one of its files).
        path: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the take's stereo mix from its tracks with the mix saved with it
    /// (SCENE-TNNN.mix.toml), bit for bit as the box's board mix.
    Mixdown {
        /// A take folder.
        take: PathBuf,
        /// The file to write (default: SCENE-TNNN_MIX.wav in the take folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print one stereo stem per group bus of the take's mix, SCENE-TNNN_STEM_Group.wav.
    Stems {
        /// A take folder.
        take: PathBuf,
        /// The folder to write them in (default: the take folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Info { path, json } => cmd::info::run(&path, json),
        Command::Verify { path, pattern } => cmd::verify::run(&path, pattern.is_some()),
        Command::Recover { path } => cmd::recover::run(&path),
        Command::Report { path, json } => cmd::report::run(&path, json),
        Command::Mixdown { take, out } => cmd::mixdown::run(&take, out.as_deref()),
        Command::Stems { take, out } => cmd::stems::run(&take, out.as_deref()),
    };
    ExitCode::from(code)
}
