//! Carrying out the transport's commands: takes started, stopped, renewed and marked, and
//! the messages the user sees.

use std::time::Duration;

use capstan_board::audio::alsa::{AlsaPlayback, HwRequest, DEFAULT_FORMATS};

use crate::playback::{PacedSink, Playing};
use crate::recorder::TakeReport;
use crate::transport::{Alert, Command, EngineFault, Event};

use super::{App, AppError, AudioInput};

impl App {
    /// Does what the transport asks.
    pub(super) fn carry_out(&mut self, command: Command, now: Duration) -> Result<(), AppError> {
        match command {
            Command::StartTake { take, tracks } => {
                tracing::info!(
                    "recording {} of {} inputs: {}",
                    tracks.count(),
                    self.options.input.channels(),
                    tracks
                );
                self.warnings.fault_since = None;
                self.fault = None;
                self.start(take, now)?;
            }
            Command::StopTake { .. } => {
                self.end_take();
            }
            Command::NewTake { opened, .. } => {
                self.end_take();
                self.start(opened, now)?;
            }
            Command::AddMarker { at } => match self.recording.as_mut() {
                Some(r) => {
                    let (label, position) = r.mark(now.saturating_sub(at));
                    tracing::info!("marker {label} at frame {position}");
                    self.say(format!("marker {label}"), now);
                }
                None => self.say("nothing is recording: no marker".into(), now),
            },
            Command::StartPlayback => match self.start_playback() {
                Ok(stem) => self.say(format!("playing {stem}"), now),
                Err(e) => {
                    tracing::error!("cannot play: {e}");
                    self.say(format!("cannot play: {e}"), now);
                    self.transport.handle(Event::PlaybackEnded { at: now });
                    self.resume_input();
                }
            },
            Command::StopPlayback => {
                self.stop_playback();
                self.resume_input();
            }
            Command::Armed(tracks) => {
                self.say(format!("{} tracks armed", tracks.count()), now);
            }
            Command::Alert(alert) => {
                if let Alert::Stopped(fault) = alert {
                    self.warnings.fault_since = Some(now);
                    self.fault = Some(fault);
                }
                tracing::warn!("{alert}");
                self.say(alert.to_string(), now);
            }
        }
        Ok(())
    }

    /// Plays the last take in the out folder to the monitor device (on the sim board: in real
    /// time, to nowhere); returns its name.
    fn start_playback(&mut self) -> Result<String, String> {
        self.stop_playback();
        let dir = crate::playback::takes::last_take(&self.options.out)?;
        let priority = self.options.audio.priority;
        if matches!(
            self.options.input,
            AudioInput::Device {
                monitor: Some(_),
                ..
            }
        ) {
            // The running input holds the monitor device: it pauses while PLAY plays.
            self.pause_input();
        }
        let playing = match &self.options.input {
            AudioInput::Sim { .. } => {
                Playing::start(&dir, 0, priority, |mix| Ok(PacedSink::new(mix.rate)))?
            }
            AudioInput::Device { monitor: None, .. } => {
                return Err("no monitor device to play to: set audio.monitor in the config".into())
            }
            AudioInput::Device {
                monitor: Some(name),
                request,
                ..
            } => Playing::start(&dir, 0, priority, |mix| {
                let req = HwRequest {
                    channels: 2,
                    rate: mix.rate,
                    formats: DEFAULT_FORMATS.to_vec(),
                    period_frames: mix.period_frames,
                    periods: request.periods.max(3),
                };
                AlsaPlayback::open(name, &req, 2).map_err(|e| e.to_string())
            })?,
        };
        let stem = playing.stem.clone();
        self.playing = Some(playing);
        Ok(stem)
    }

    /// Stops the playback, if any, and logs what it did.
    pub(super) fn stop_playback(&mut self) {
        let Some(p) = self.playing.take() else { return };
        let stem = p.stem.clone();
        match p.stop() {
            Ok(r) => {
                tracing::info!("played {} frames of {stem}", r.frames);
                if r.underruns > 0 || r.device_underruns > 0 {
                    tracing::warn!(
                        "playback of {stem}: {} read-ahead underruns, {} device underruns",
                        r.underruns,
                        r.device_underruns
                    );
                }
            }
            Err(e) => tracing::error!("playback of {stem} failed: {e}"),
        }
    }

    /// Logs a take that ended and keeps its report.
    pub(super) fn finished(&mut self, report: Result<TakeReport, AppError>) {
        match report {
            Ok(r) => {
                tracing::info!("take {} closed: {} frames", r.dir.display(), r.frames);
                if let Some(f) = &r.failure {
                    tracing::error!("take {} stopped early: {f}", r.dir.display());
                }
                self.takes.push(r);
            }
            Err(e) => tracing::error!("the take failed: {e}"),
        }
    }
}

/// The transport's fault for a take that ended by itself.
pub(super) fn fault_of(report: &Result<TakeReport, AppError>) -> EngineFault {
    match report {
        Ok(r) => match (&r.exit, &r.failure) {
            (crate::engine::EngineExit::DeviceFailed(_), _) => EngineFault::DeviceFailed,
            // The reserve reached ("DISK FULL: ... MB left") or a write refused (ENOSPC).
            (_, Some(f)) if f.contains("DISK FULL") || f.contains("No space left") => {
                EngineFault::DiskFull
            }
            (_, Some(_)) => EngineFault::WriteFailed,
            // The source ended on its own: the device went away.
            (_, None) => EngineFault::DeviceFailed,
        },
        // The card had no room for the take's reserve: no take was made.
        Err(AppError::Record(crate::recorder::RecordError::DiskFull(_))) => EngineFault::DiskFull,
        Err(_) => EngineFault::WriteFailed,
    }
}
