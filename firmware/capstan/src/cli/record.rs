//! `capstan record`: one take, headless.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use std::time::Duration;

use capstan_board::audio::alsa::AlsaCapture;
use capstan_board::audio::{CaptureSource, Signal, SimSource};
use clap::Args;

use crate::config::{self, Config, Layout};
use crate::engine::ring::{self, RingPlan};
use crate::engine::Monitor;
use crate::recorder::{
    mirror, naming, record_take_with_monitor, AudioOptions, MirrorMissing, RecordError, TakeRequest,
};

/// Options of `capstan record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Record from the sim board (a generated test signal).
    #[arg(long)]
    pub sim: bool,
    /// The audio input: device or sim, channels, rate, sample format.
    #[command(flatten)]
    pub input: super::args::InputArgs,
    /// Seconds to record (default: until Ctrl-C).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// The sim board's signal: counter, sine or silence.
    #[arg(long, default_value = "counter", value_parser = super::args::parse_signal)]
    pub signal: Signal,
    /// File layout: mono (one file per track) or poly (one file).
    #[arg(long, value_parser = parse_layout)]
    pub layout: Option<Layout>,
    /// Folder the take folder is created in. A missing folder is made only when its parent
    /// exists; a whole missing path is refused, as it usually means the card is not mounted.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// Also write the take to this folder on a second medium (overrides the config's
    /// recorder.mirror); the folder must exist. A medium that fails is dropped with an alert
    /// and the take goes on on the other.
    #[arg(long)]
    pub mirror: Option<PathBuf>,
    /// The inputs to write, 1-based, such as `1,2,5-8` (default: every input). Mono files keep
    /// their input's number; a poly file holds the block of inputs from the first to the last.
    #[arg(long, value_parser = super::args::parse_tracks)]
    pub tracks: Option<super::args::TrackList>,
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
    /// Frames per period (overrides the config).
    #[arg(long)]
    pub period: Option<usize>,
    /// Periods in the device buffer (overrides the config).
    #[arg(long)]
    pub periods: Option<u32>,
    /// Test hook: stall the audio thread once, `SECONDS:MILLISECONDS` into the take, to
    /// provoke a real overrun.
    #[arg(long, hide = true, value_parser = parse_stall)]
    pub stall_at: Option<(f64, Duration)>,
    /// Test hook: the audio thread runs under a seccomp filter that kills the process on any
    /// system call outside its cycle's (the device's, sleeping, clocks): proof that it never
    /// touches a file, logs or waits on a lock.
    #[arg(long, hide = true)]
    pub audio_syscall_guard: bool,
    /// Test hook: megabytes of memory to take as available instead of MemAvailable.
    #[arg(long, hide = true)]
    pub mem_available_mb: Option<u64>,
}

fn parse_stall(s: &str) -> Result<(f64, Duration), String> {
    let bad = || format!("'{s}': write SECONDS:MILLISECONDS, e.g. 5:300");
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let at: f64 = a.parse().map_err(|_| bad())?;
    let ms: u64 = b.parse().map_err(|_| bad())?;
    Ok((at, Duration::from_millis(ms)))
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    Layout::from_cli(s).ok_or_else(|| format!("'{s}' is not a layout: use mono or poly"))
}

/// Loads the config named on the command line, else the box's default file if present, else
/// the built-in defaults.
pub fn load_config(path: Option<&Path>) -> Result<Config, config::ConfigError> {
    let p = match path {
        Some(p) => p,
        None if Path::new(config::DEFAULT_PATH).exists() => Path::new(config::DEFAULT_PATH),
        None => return Ok(Config::default()),
    };
    Config::load(p).map_err(|e| match e {
        config::ConfigError::Invalid { path, message } => {
            let line = std::fs::read_to_string(p)
                .ok()
                .and_then(|text| key_line(&text, &message));
            config::ConfigError::Invalid {
                path,
                message: match line {
                    Some(l) => format!("line {l}: {message}"),
                    None => message,
                },
            }
        }
        e => e,
    })
}

/// The line (1-based) in `text` of the key a check message starts with, such as
/// `recorder.ring_seconds = 0.1: ...` or `tracks[1].name = ...`; `None` when it is not written
/// as a plain `key = value` line under its table header.
fn key_line(text: &str, message: &str) -> Option<usize> {
    let key = message.split([' ', ':']).next()?;
    let (table, leaf) = key.rsplit_once('.').unwrap_or(("", key));
    let (table, index) = match table.split_once('[') {
        Some((t, i)) => (t, Some(i.strip_suffix(']')?.parse::<usize>().ok()?)),
        None => (table, None),
    };
    let mut current = "";
    let mut seen = 0;
    for (n, line) in text.lines().enumerate() {
        let l = line.split('#').next().unwrap_or("").trim();
        if let Some(h) = l.strip_prefix("[[").and_then(|h| h.strip_suffix("]]")) {
            current = h.trim();
            seen += usize::from(current == table);
        } else if let Some(h) = l.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            current = h.trim();
        } else if current == table
            && index.is_none_or(|i| seen == i + 1)
            && l.split('=').next().map(str::trim) == Some(leaf)
        {
            return Some(n + 1);
        }
    }
    None
}

/// Runs `capstan record`.
pub fn run(config_path: Option<&Path>, a: RecordArgs) -> ExitCode {
    let mut cfg = match load_config(config_path) {
        Ok(c) => c,
        Err(e) => {
            errln!("capstan: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(s) = a.scene.clone() {
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
    if let Some(m) = a.mirror.clone() {
        cfg.recorder.mirror = Some(m);
    }
    if let Err(e) = cfg.check() {
        errln!("capstan: {e}");
        return ExitCode::from(2);
    }
    if let Err(e) = a.input.check() {
        errln!("capstan: {e}");
        return ExitCode::from(2);
    }
    a.input.apply(&mut cfg);
    if let Err(e) = super::args::check_tracks(a.tracks.as_ref(), cfg.audio.channels) {
        errln!("capstan: {e}");
        return ExitCode::from(2);
    }
    if let Err(e) = super::args::check_seconds(a.seconds) {
        errln!("capstan: {e}");
        return ExitCode::from(2);
    }
    if let Some(s) = a
        .seconds
        .filter(|&s| frames_of(Some(s), cfg.audio.rate) == Some(0))
    {
        errln!(
            "capstan: --seconds {s} is less than one frame at {} Hz: record at least {:.6} s",
            cfg.audio.rate,
            1.0 / f64::from(cfg.audio.rate)
        );
        return ExitCode::from(2);
    }
    if a.period.is_some() || a.periods.is_some() {
        if let Some(p) = a.period {
            cfg.recorder.period_frames = p;
        }
        if let Some(p) = a.periods {
            cfg.audio.periods = p;
        }
        if let Err(e) = cfg.check() {
            errln!("capstan: {e}");
            return ExitCode::from(2);
        }
    }
    let device = a
        .input
        .device
        .clone()
        .or_else(|| (!a.sim).then(|| cfg.audio.device.clone()).flatten());
    let audio = AudioOptions {
        priority: (cfg.audio.priority > 0).then_some(cfg.audio.priority),
        lock_memory: cfg.audio.lock_memory,
        stall: a.stall_at,
        syscall_guard: a.audio_syscall_guard,
    };
    let out = a.out.clone();
    // After a power cut: bring the takes left behind up to date before recording anything.
    crate::recorder::recovery::recover_at_start(&out);
    if let Err(e) = naming::prepare_out_folder(&out) {
        errln!("capstan: {e}");
        return ExitCode::from(2);
    }
    if let Some(m) = &cfg.recorder.mirror {
        if let Err(e) = mirror::check_mirror_folder(m) {
            errln!("capstan: {e}");
            return ExitCode::from(2);
        }
    }
    let mem = a.mem_available_mb.map(|mb| mb * 1_000_000);
    match device {
        Some(dev) => {
            let (source, monitor) = match open_device(&dev, &a, &cfg) {
                Ok(x) => x,
                Err(e) => {
                    errln!("capstan: {e}");
                    return ExitCode::from(2);
                }
            };
            let req = TakeRequest {
                config: cfg,
                out,
                frames: frames_of(a.seconds, source.spec().rate),
                writer: Default::default(),
                audio,
                tracks: a.tracks.clone().map(|t| t.0),
                mirror_missing: MirrorMissing::Refuse,
            };
            record(source, Some(monitor), req, mem)
        }
        None if a.sim => {
            let spec = a.input.sim_spec(&cfg);
            let source = match SimSource::new(spec, a.signal, cfg.recorder.period_frames, a.fast) {
                Ok(s) => s,
                Err(e) => {
                    errln!("capstan: {e}");
                    return ExitCode::from(2);
                }
            };
            let monitor = match &cfg.mixer {
                Some(m) => {
                    match Monitor::with_mixer(spec, None, 0, cfg.recorder.period_frames, &m.state) {
                        Ok(m) => Some(m),
                        Err(e) => {
                            errln!("capstan: [mixer]: {e}");
                            return ExitCode::from(2);
                        }
                    }
                }
                None => None,
            };
            let req = TakeRequest {
                config: cfg,
                out,
                frames: frames_of(a.seconds, spec.rate),
                writer: Default::default(),
                audio,
                tracks: a.tracks.clone().map(|t| t.0),
                mirror_missing: MirrorMissing::Refuse,
            };
            record(source, monitor, req, mem)
        }
        None => {
            errln!("capstan: say where to record from: --sim (the sim board) or --device hw:X,Y (see `capstan devices`)");
            ExitCode::from(2)
        }
    }
}

fn frames_of(seconds: Option<f64>, rate: u32) -> Option<u64> {
    seconds.map(|s| (s * f64::from(rate)).round() as u64)
}

/// Opens the capture device and the monitor (a playback device, or meters only).
fn open_device(dev: &str, a: &RecordArgs, cfg: &Config) -> Result<(AlsaCapture, Monitor), String> {
    let req = a.input.hw_request(cfg);
    let capture = AlsaCapture::open(dev, &req).map_err(|e| e.to_string())?;
    let hw = capture.setup();
    tracing::info!(
        "{dev}: {} channels of {} at {} Hz, period {} frames, buffer {} frames ({:.1} ms)",
        hw.channels,
        hw.format.name(),
        hw.rate,
        hw.period_frames,
        hw.buffer_frames,
        hw.buffer_frames as f64 * 1000.0 / f64::from(hw.rate)
    );
    let out = match a.input.monitor.as_ref().or(cfg.audio.monitor.as_ref()) {
        Some(name) => {
            let p = crate::app::open_monitor(name, hw.rate, hw.period_frames, cfg.audio.periods)
                .map_err(|e| e.to_string())?;
            let what = match cfg.mixer {
                Some(_) => "the [mixer]",
                None => "a plain sum of every input in stereo",
            };
            tracing::info!("monitor: {name}, {what}");
            Some(p)
        }
        None => None,
    };
    let monitor = match &cfg.mixer {
        Some(m) => Monitor::with_mixer(
            capture.spec(),
            out,
            hw.buffer_frames,
            hw.period_frames,
            &m.state,
        )
        .map_err(|e| format!("[mixer]: {e}"))?,
        // Sized for a whole device buffer, as the box's (app::AudioInput::open).
        None => Monitor::new(capture.spec(), out, hw.buffer_frames),
    };
    Ok((capture, monitor))
}

/// Sizes the ring for `source` and checks it fits in the memory available (`assumed` bytes, else
/// MemAvailable), with the figures in the log.
fn ring_fits<S: CaptureSource>(
    source: &S,
    cfg: &Config,
    assumed: Option<u64>,
) -> Result<RingPlan, String> {
    let spec = source.spec();
    let plan = RingPlan::new(spec, cfg.recorder.ring_seconds, source.period_frames());
    let available = match assumed.map_or_else(ring::mem_available, Ok) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(
                "cannot tell the memory available ({e}): the ring ({plan}) is not checked"
            );
            return Ok(plan);
        }
    };
    plan.check_memory(spec, available)
        .map_err(|e| e.to_string())?;
    tracing::info!(
        "memory: the ring takes {:.1} MB of {:.1} MB available",
        plan.bytes as f64 / 1e6,
        available as f64 / 1e6
    );
    Ok(plan)
}

/// `capstan record`'s exit status for a take that ran to its end but lost audio (xruns, frames
/// dropped): its files are whole and its NOTE lists every loss.
const LOST_AUDIO: u8 = 3;

fn record<S: CaptureSource + 'static>(
    source: S,
    monitor: Option<Monitor>,
    req: TakeRequest,
    mem_available: Option<u64>,
) -> ExitCode {
    let plan = match ring_fits(&source, &req.config, mem_available) {
        Ok(p) => p,
        Err(e) => {
            errln!("capstan: {e}");
            return ExitCode::from(2);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        if let Err(e) = signal_hook::flag::register(sig, stop.clone()) {
            tracing::warn!(
                "cannot catch signal {sig}: {e}; Ctrl-C will not close the take cleanly"
            );
        }
    }
    let cpu0 = capstan_board::rusage::process_cpu_time();
    let rate = source.spec().rate;
    match record_take_with_monitor(source, monitor, &req, stop) {
        Ok(report) => {
            let failed = report.failure.clone();
            if let Some(f) = &failed {
                errln!("capstan: the take stopped early: {f}");
            }
            if report.frames_dropped > 0 || report.xruns > 0 {
                errln!(
                    "capstan: {} xruns, {} frames dropped (see the take's iXML NOTE)",
                    report.xruns,
                    report.frames_dropped
                );
            }
            let cpu = capstan_board::rusage::process_cpu_time().saturating_sub(cpu0);
            let secs = report.frames as f64 / f64::from(rate);
            if secs > 0.0 {
                tracing::info!(
                    "cpu: {:.3} s for {secs:.1} s of audio ({:.3} s per minute of audio)",
                    cpu.as_secs_f64(),
                    cpu.as_secs_f64() * 60.0 / secs
                );
            }
            errln!(
                "capstan: ring high-water {:.2} s of {:.1} s",
                report.ring_high_water_secs,
                plan.seconds
            );
            outln!("{}", report.dir.display());
            if failed.is_some() {
                ExitCode::from(1)
            } else if report.frames_dropped > 0 || report.xruns > 0 {
                // Whole to its end, but not every frame: a script must not take it for clean.
                ExitCode::from(LOST_AUDIO)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(
            e @ (RecordError::TakeFolder { .. }
            | RecordError::Mirror { .. }
            | RecordError::OutFolder(_)
            | RecordError::DiskFull(_)),
        ) => {
            // Nothing was recorded: the same refusal as a bad path.
            errln!("capstan: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            errln!("capstan: {e}");
            ExitCode::from(1)
        }
    }
}
