//! Carrying out the transport's commands: takes started, stopped, renewed and marked, and
//! the messages the user sees.

use std::time::Duration;

use crate::recorder::{TakeReport, TakeRequest};
use crate::transport::{Alert, Command, EngineFault, Event};

use super::{App, AppError, Recording};

impl App {
    /// Does what the transport asks.
    pub(super) fn carry_out(&mut self, command: Command, now: Duration) -> Result<(), AppError> {
        match command {
            Command::StartTake { take, tracks } => {
                if tracks.count() < u32::from(self.options.input.channels()) {
                    tracing::warn!(
                        "{} of {} tracks armed: every input is recorded (recording armed tracks only is not built yet)",
                        tracks.count(),
                        self.options.input.channels()
                    );
                }
                self.warnings.fault_since = None;
                self.fault = None;
                self.start(take, now)?;
            }
            Command::StopTake { .. } => {
                if let Some(r) = self.recording.take() {
                    let report = r.stop();
                    self.finished(report);
                }
            }
            Command::NewTake { opened, .. } => {
                if let Some(r) = self.recording.take() {
                    let report = r.stop();
                    self.finished(report);
                }
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
            Command::StartPlayback => {
                self.say("playback is not built yet".into(), now);
                self.transport.handle(Event::PlaybackEnded { at: now });
            }
            Command::StopPlayback => {}
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

    /// Opens the input and starts take `number` on a recorder thread.
    fn start(&mut self, number: u32, now: Duration) -> Result<(), AppError> {
        let source = match self.options.input.open() {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("cannot open {}: {e}", self.options.input.describe());
                let fault = Event::Fault {
                    fault: EngineFault::DeviceFailed,
                    at: now,
                };
                for command in self.transport.handle(fault).iter() {
                    self.carry_out(*command, now)?;
                }
                self.say(format!("cannot record: {e}"), now);
                return Ok(());
            }
        };
        let req = TakeRequest {
            config: self.options.config.clone(),
            out: self.options.out.clone(),
            frames: None,
            writer: Default::default(),
            audio: self.options.audio.clone(),
        };
        self.recording = Some(Recording::start(source, req, number)?);
        Ok(())
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
            (_, Some(f)) if f.contains("No space left") || f.contains("full") => {
                EngineFault::DiskFull
            }
            (_, Some(_)) => EngineFault::WriteFailed,
            // The source ended on its own: the device went away.
            (_, None) => EngineFault::DeviceFailed,
        },
        Err(_) => EngineFault::WriteFailed,
    }
}
