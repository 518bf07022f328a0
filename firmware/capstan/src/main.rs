//! The `capstan` binary: parses the command line and hands over to the library.

/// Counts any allocation the audio thread makes inside its cycle; each take reports the count.
#[global_allocator]
static ALLOC: capstan_board::alloc_guard::CountingAlloc = capstan_board::alloc_guard::CountingAlloc;

fn main() -> std::process::ExitCode {
    capstan::cli::main()
}
