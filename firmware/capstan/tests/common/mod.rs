//! What the tests of the `capstan` binary share: running it, and reading the take folder it
//! prints as its last line.

// Each test file uses the part it needs.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `capstan` binary with `args` (without RUST_LOG, so that its log is the default
/// one) and returns what it did.
pub fn capstan<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capstan"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run capstan")
}

/// Standard error of a run, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The take folder a successful run printed as its last line; fails the test, with the run's
/// standard error, when it did not succeed.
pub fn take_dir(o: &Output) -> PathBuf {
    assert!(
        o.status.success(),
        "capstan failed: {:?}\n{}",
        o.status,
        stderr(o)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    PathBuf::from(out.lines().last().expect("a take folder on stdout").trim())
}
