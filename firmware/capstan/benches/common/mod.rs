//! What the record-path benches share: where their takes go and their settings from the
//! environment.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use capstan::config::{Config, Layout};
use capstan::recorder::TakeRequest;
use capstan_board::audio::{Signal, SimSource, StreamSpec};
use capstan_bwf::writer::WriterOptions;

/// A folder beside the build output, so the take lands on the target dir's file system.
pub fn scratch_parent() -> PathBuf {
    if let Some(d) = std::env::var_os("CAPSTAN_BENCH_DIR") {
        return PathBuf::from(d);
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(t);
    }
    // The bench binary lives in <target>/<profile>/deps.
    std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().and_then(Path::parent).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// A whole number from the environment, `default` when unset.
pub fn env_count(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(s) => s
            .trim()
            .parse()
            .ok()
            .filter(|&n: &u64| n > 0)
            .unwrap_or_else(|| panic!("{name}={s:?}: give a whole number above 0, e.g. {default}")),
        Err(_) => default,
    }
}

/// A take of `frames` frames of the counter signal in mono files into `out`, from the sim
/// source running as fast as the writer takes it.
pub fn counter_take(out: &Path, frames: u64, spec: StreamSpec) -> (SimSource, TakeRequest) {
    let mut config = Config::default();
    config.recorder.layout = Layout::Mono;
    let source = SimSource::new(spec, Signal::Counter, config.recorder.period_frames, true)
        .expect("sim source");
    let req = TakeRequest {
        config,
        out: out.to_path_buf(),
        frames: Some(frames),
        writer: WriterOptions::default(),
        audio: Default::default(),
        tracks: None,
        mirror_missing: Default::default(),
    };
    (source, req)
}
