//! Log output: human-readable lines on standard error, filtered by `RUST_LOG` (default `info`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Sets up logging once for the process. Not for the audio thread, which never logs.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        // A log line that cannot be written (standard error a closed pipe, or a file on a full
        // disk) is lost, and the take goes on: tracing would report it with `eprintln!`, which
        // panics on the same broken pipe and took the box down mid-take.
        .log_internal_errors(false)
        // Colours only for a person at a terminal (and not with NO_COLOR), not in log files.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .try_init();
}
