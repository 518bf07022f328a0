//! `capstan record`: one take, headless.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use capstan_board::audio::{Signal, SimSource, StreamSpec};
use capstan_bwf::SampleFormat;
use clap::Args;

use crate::config::{self, Config, Layout};
use crate::recorder::{record_take, TakeRequest};

/// Options of `capstan record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Record from the sim board (a generated test signal).
    #[arg(long)]
    pub sim: bool,
    /// Record from an ALSA device such as hw:1,0 (not built yet: use --sim).
    #[arg(long, conflicts_with = "sim")]
    pub device: Option<String>,
    /// Input channels.
    #[arg(long, default_value_t = 2)]
    pub channels: u16,
    /// Sample rate in Hz.
    #[arg(long, default_value_t = 48000)]
    pub rate: u32,
    /// Sample format: 16, 24, 32 or 32f.
    #[arg(long, default_value = "24", value_parser = parse_bits)]
    pub bits: SampleFormat,
    /// Seconds to record (default: until Ctrl-C).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// The sim board's signal: counter, sine or silence.
    #[arg(long, default_value = "counter", value_parser = parse_signal)]
    pub signal: Signal,
    /// File layout: mono (one file per track) or poly (one file).
    #[arg(long, value_parser = parse_layout)]
    pub layout: Option<Layout>,
    /// Folder the take folder is created in.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// Generate the sim signal as fast as the writer takes it instead of in real time.
    #[arg(long)]
    pub fast: bool,
    /// Scene name (overrides the config).
    #[arg(long)]
    pub scene: Option<String>,
    /// Seconds between commits (overrides the config).
    #[arg(long)]
    pub commit_interval: Option<f64>,
    /// Seconds of audio the ring holds (overrides the config).
    #[arg(long)]
    pub ring_seconds: Option<f64>,
}

fn parse_bits(s: &str) -> Result<SampleFormat, String> {
    SampleFormat::from_cli(s)
        .ok_or_else(|| format!("'{s}' is not a sample format: use 16, 24, 32 or 32f"))
}

fn parse_signal(s: &str) -> Result<Signal, String> {
    Signal::from_cli(s)
        .ok_or_else(|| format!("'{s}' is not a signal: use counter, sine or silence"))
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    Layout::from_cli(s).ok_or_else(|| format!("'{s}' is not a layout: use mono or poly"))
}

/// Loads the config named on the command line, else the box's default file if present, else
/// the built-in defaults.
pub fn load_config(path: Option<&Path>) -> Result<Config, config::ConfigError> {
    match path {
        Some(p) => Config::load(p),
        None if Path::new(config::DEFAULT_PATH).exists() => {
            Config::load(Path::new(config::DEFAULT_PATH))
        }
        None => Ok(Config::default()),
    }
}

/// Runs `capstan record`.
pub fn run(config_path: Option<&Path>, a: RecordArgs) -> ExitCode {
    let mut cfg = match load_config(config_path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("capstan: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(s) = a.scene {
        cfg.scene = s;
    }
    if let Some(l) = a.layout {
        cfg.recorder.layout = l;
    }
    if let Some(c) = a.commit_interval {
        cfg.recorder.commit_interval = c;
    }
    if let Some(r) = a.ring_seconds {
        cfg.recorder.ring_seconds = r;
    }
    if let Err(e) = cfg.check() {
        eprintln!("capstan: {e}");
        return ExitCode::from(2);
    }
    if !(1..=64).contains(&a.channels) {
        eprintln!(
            "capstan: --channels {}: Capstan records 1 to 64 channels",
            a.channels
        );
        return ExitCode::from(2);
    }
    if !(44_100..=192_000).contains(&a.rate) {
        eprintln!(
            "capstan: --rate {}: Capstan records at 44100 to 192000 Hz",
            a.rate
        );
        return ExitCode::from(2);
    }
    let frames = match a.seconds {
        Some(s) if s.is_finite() && s > 0.0 => Some((s * f64::from(a.rate)).round() as u64),
        Some(s) => {
            eprintln!("capstan: --seconds {s}: give a positive number of seconds");
            return ExitCode::from(2);
        }
        None => None,
    };
    if let Some(dev) = a.device {
        eprintln!("capstan: --device {dev}: the ALSA backend is not in this build yet; use --sim");
        return ExitCode::from(2);
    }
    if !a.sim {
        eprintln!("capstan: say where to record from: --sim (the sim board) or --device hw:X,Y");
        return ExitCode::from(2);
    }
    let spec = StreamSpec {
        channels: a.channels,
        rate: a.rate,
        format: a.bits,
    };
    let source = match SimSource::new(spec, a.signal, cfg.recorder.period_frames, a.fast) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("capstan: {e}");
            return ExitCode::from(2);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, stop.clone()) {
            tracing::warn!(
                "cannot catch signal {sig}: {e}; Ctrl-C will not close the take cleanly"
            );
        }
    }
    let req = TakeRequest {
        config: cfg,
        out: a.out,
        frames,
        writer: Default::default(),
    };
    match record_take(source, &req, stop) {
        Ok(report) => {
            let failed = report.failure.clone();
            if let Some(f) = &failed {
                eprintln!("capstan: the take stopped early: {f}");
            }
            if report.frames_dropped > 0 || report.xruns > 0 {
                eprintln!(
                    "capstan: {} xruns, {} frames dropped (see the take's iXML NOTE)",
                    report.xruns, report.frames_dropped
                );
            }
            println!("{}", report.dir.display());
            if failed.is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("capstan: {e}");
            ExitCode::from(1)
        }
    }
}
