//! The `capstan` binary: parses the command line and hands over to the library.

fn main() -> std::process::ExitCode {
    capstan::cli::main()
}
