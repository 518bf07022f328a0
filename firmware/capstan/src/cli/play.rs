//! `capstan play`: plays a take back through the mixer, with the mix saved with it, to the
//! monitor device (or, with `--sim`, to a WAV of what the box would play).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use capstan_board::audio::alsa::{AlsaPlayback, HwRequest, DEFAULT_FORMATS};
use capstan_mixer::tracks::WithoutMix;
use capstan_mixer::TakeTracks;
use clap::Args;

use crate::playback::{self, PlayOptions, PlayReport, SimSink};

/// Options of `capstan play`.
#[derive(Debug, Args)]
pub struct PlayArgs {
    /// The take folder to play (default: the last take in the out folder).
    pub take: Option<PathBuf>,
    /// Seconds into the take to start from.
    #[arg(long, default_value_t = 0.0)]
    pub from: f64,
    /// Playback device such as hw:1,0 (default: the config's audio.monitor).
    #[arg(long, conflicts_with = "sim")]
    pub device: Option<String>,
    /// Write what the box would play to this stereo 32-bit float WAV instead of a device.
    #[arg(long)]
    pub sim: Option<PathBuf>,
    /// The folder takes are in (default: the config's board.takes, else the current folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seconds of audio read ahead of playback (2 to 60).
    #[arg(long, default_value_t = 2.0)]
    pub read_ahead: f64,
}

/// Runs `capstan play`.
pub fn run(config_path: Option<&Path>, a: PlayArgs) -> ExitCode {
    match play(config_path, &a) {
        Ok(r) if r.underruns == 0 && r.device_underruns == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            errln!("capstan: {e}");
            ExitCode::from(2)
        }
    }
}

fn play(config_path: Option<&Path>, a: &PlayArgs) -> Result<PlayReport, String> {
    let cfg = super::record::load_config(config_path).map_err(|e| e.to_string())?;
    let dir = match &a.take {
        Some(t) => t.clone(),
        None => {
            let out = a.out.clone().unwrap_or_else(|| {
                if cfg.board.takes.is_dir() {
                    cfg.board.takes.clone()
                } else {
                    PathBuf::from(".")
                }
            });
            playback::takes::last_take(&out)?
        }
    };
    let take = Arc::new(TakeTracks::open_with(&dir, WithoutMix::Plain)?);
    if let Some(short) = take.short_tracks() {
        errln!("capstan: {}: {short}", take.stem);
    }
    if !(a.from >= 0.0 && a.from.is_finite()) {
        return Err(format!("--from {}: give seconds from 0 on", a.from));
    }
    let (least, most) = (
        playback::readahead::MIN_SECONDS,
        playback::readahead::MAX_SECONDS,
    );
    if !(least..=most).contains(&a.read_ahead) {
        return Err(format!(
            "--read-ahead {}: use {least} to {most} seconds",
            a.read_ahead
        ));
    }
    let rate = take.mix.rate;
    let from = (a.from * f64::from(rate)).round() as u64;
    if from >= take.frames {
        return Err(format!(
            "{} is only {:.3} s long: start before its end",
            take.stem,
            take.frames as f64 / f64::from(rate)
        ));
    }
    let o = PlayOptions {
        from,
        read_ahead_seconds: a.read_ahead,
        wait_for_reader: a.sim.is_some(),
        stop: Arc::new(AtomicBool::new(false)),
        priority: (cfg.audio.priority > 0).then_some(cfg.audio.priority),
    };
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(sig, o.stop.clone())
            .map_err(|e| format!("cannot catch signal {sig}: {e}"))?;
    }
    let mix = if take.plain {
        "a plain centred mix at unity (the take has no mix file)"
    } else {
        "the take's saved mix"
    };
    errln!(
        "capstan: playing {} from {:.3} s with {mix}",
        dir.display(),
        a.from
    );
    let report = if let Some(path) = &a.sim {
        let sink = SimSink::create(path, rate)?;
        let (sink, report) = playback::play(take.clone(), sink, &o)?;
        sink.finish()?;
        report
    } else {
        let device = a.device.clone().or(cfg.audio.monitor.clone()).ok_or(
            "no playback device: give --device hw:X,Y (or set audio.monitor in the config), \
             or --sim OUT.wav",
        )?;
        let req = HwRequest {
            channels: 2,
            rate,
            formats: DEFAULT_FORMATS.to_vec(),
            period_frames: take.mix.period_frames,
            periods: cfg.audio.periods.max(2),
        };
        let sink = AlsaPlayback::open(&device, &req, 2).map_err(|e| e.to_string())?;
        let (mut sink, report) = playback::play(take.clone(), sink, &o)?;
        if !report.stopped {
            sink.drain();
        }
        report
    };
    let seconds = report.frames as f64 / f64::from(rate);
    errln!(
        "capstan: played {} frames ({seconds:.3} s) of {}{}; {} read-ahead underruns, {} device \
         underruns",
        report.frames,
        take.stem,
        if report.stopped { ", stopped" } else { "" },
        report.underruns,
        report.device_underruns
    );
    if report.underruns > 0 {
        errln!(
            "capstan: the card could not keep up: silence was played {} times; give a larger \
             --read-ahead or use a faster card",
            report.underruns
        );
    }
    Ok(report)
}
