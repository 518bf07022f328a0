//! The box's audio input between and during takes: opened once and kept running, its ring's
//! reading end with the standby thread while stopped (the pre-roll filling) and with the
//! take's writer while recording. A device that is not there, or failed, is shown as a fault
//! and opened again as soon as it is back (or at the next REC).

use std::sync::Arc;
use std::time::Duration;

use crate::engine::{EngineExit, Meters};
use crate::recorder::{MirrorMissing, RingTap, TakeRequest};
use crate::transport::{EngineFault, Event};

use super::{App, AppError, Recording, StartError};

/// How often a box without its input tries to open it again.
pub const REOPEN_INTERVAL: Duration = Duration::from_secs(2);

impl App {
    /// Opens the input and starts it running; logs why not.
    pub(super) fn open_input(&mut self) -> Result<(), StartError> {
        self.start_input().inspect_err(|e| tracing::error!("{e}"))
    }

    /// Opens the input and starts it running (logged); says why not to the caller only, but
    /// keeps it in `input_error`.
    fn start_input(&mut self) -> Result<(), StartError> {
        let (input, monitor_off, mix_refused) = self
            .options
            .input
            .start(&self.options.config, &self.options.audio)
            .inspect_err(|e| self.input_error = Some(e.clone()))?;
        self.input_error = None;
        if monitor_off != self.monitor_off {
            match &monitor_off {
                Some(why) => tracing::warn!(
                    "{why}; takes record without the monitor (it is tried again every {} s \
                     while stopped)",
                    REOPEN_INTERVAL.as_secs()
                ),
                None => tracing::info!("monitor playing again"),
            }
        }
        self.monitor_off = monitor_off;
        if mix_refused != self.mix_refused {
            if let Some(why) = &mix_refused {
                tracing::error!("{why}");
            }
            self.mix_refused = mix_refused;
        }
        tracing::info!(
            "audio input running: {}, {} frames of pre-roll kept while stopped",
            self.options.input.describe(),
            input.pre_roll_frames()
        );
        self.input = Some(input);
        Ok(())
    }

    /// While the box has no input (its device not plugged in yet, held by another program, or
    /// gone) and neither records nor plays: shows that as the device's fault (display and
    /// warning LED) and tries to open it every [`REOPEN_INTERVAL`], logging a miss only when
    /// its reason changes (the first was logged where it was found). Once it runs, the fault
    /// is cleared.
    pub(super) fn wait_for_input(&mut self, now: Duration) {
        if self.input.is_some() || self.recording.is_some() || self.playing.is_some() {
            self.reopen_at = None;
            return;
        }
        let Some(at) = self.reopen_at else {
            tracing::warn!(
                "no audio input: {} is opened as soon as it is there (tried every {} s)",
                self.options.input.describe(),
                REOPEN_INTERVAL.as_secs()
            );
            self.reopen_at = Some(now + REOPEN_INTERVAL);
            if self.fault.is_none() {
                self.fault = Some(EngineFault::DeviceFailed);
                self.warnings.fault_since = Some(now);
            }
            return;
        };
        if now < at {
            return;
        }
        let before = self.input_error.take();
        match self.start_input() {
            Ok(()) => {
                self.reopen_at = None;
                if self.fault == Some(EngineFault::DeviceFailed) {
                    self.fault = None;
                    self.warnings.fault_since = None;
                }
            }
            Err(e) => {
                if before.as_ref() != Some(&e) {
                    tracing::error!("{e}");
                }
                self.reopen_at = Some(now + REOPEN_INTERVAL);
            }
        }
    }

    /// While the input runs without its monitor and the box neither records nor plays: tries
    /// the monitor's device every [`REOPEN_INTERVAL`], and once it opens (plugged in, switched
    /// on, or let go by another program), starts the input again with it. The pre-roll kept
    /// so far goes with the restart. A device that opens alone but still not with the input
    /// is not tried again for the same reason, so the input is not restarted in a loop.
    pub(super) fn wait_for_monitor(&mut self, now: Duration) {
        let waiting = self.monitor_off.is_some()
            && self.monitor_off != self.monitor_gave_up
            && self.input.as_ref().is_some_and(|i| i.is_running())
            && self.recording.is_none()
            && self.playing.is_none();
        if !waiting {
            self.monitor_retry_at = None;
            return;
        }
        let at = *self.monitor_retry_at.get_or_insert(now + REOPEN_INTERVAL);
        if now < at || !self.options.input.monitor_opens() {
            if now >= at {
                self.monitor_retry_at = Some(now + REOPEN_INTERVAL);
            }
            return;
        }
        self.monitor_retry_at = None;
        tracing::info!("the monitor's device opens again: the audio input restarts to play it");
        if let Some(input) = self.input.take() {
            input.stop();
        }
        let _ = self.open_input();
        if self.monitor_off.is_some() {
            tracing::warn!(
                "the monitor's device opens alone but not with the input; it is tried again \
                 whenever the input opens (after PLAY, or after the interface comes back)"
            );
            self.monitor_gave_up = self.monitor_off.clone();
        }
    }

    /// Opens the input again after PLAY had it closed.
    pub(super) fn resume_input(&mut self) {
        if self.input.is_none() && self.recording.is_none() {
            let _ = self.open_input();
        }
    }

    /// Closes the input (PLAY needs its monitor device).
    pub(super) fn pause_input(&mut self) {
        if let Some(input) = self.input.take() {
            input.stop();
            tracing::info!("audio input closed while playing");
        }
    }

    /// Stops the take, if one records: logs and keeps its report, gives the ring's reading
    /// end back to the input (or closes an input whose device stopped). Returns the
    /// transport's fault for a take that ended by itself.
    pub(super) fn end_take(&mut self) -> Option<EngineFault> {
        let r = self.recording.take()?;
        self.renumber = true;
        let (report, tap) = r.stop();
        self.give_back(tap);
        let fault = super::commands::fault_of(&report);
        self.finished(report);
        Some(fault)
    }

    fn give_back(&mut self, tap: Option<RingTap>) {
        let running = self.input.as_ref().is_some_and(|i| i.is_running());
        match (self.input.as_mut(), tap) {
            (Some(input), Some(tap)) if running => {
                if let Err(e) = input.give_back(tap) {
                    tracing::error!("{e}; the input is opened again at the next REC");
                    self.input = None;
                }
            }
            _ => {
                if let Some(input) = self.input.take() {
                    match input.stop() {
                        EngineExit::DeviceFailed(why) => tracing::error!(
                            "the audio input stopped: {why}; it is opened again at the next REC"
                        ),
                        _ => {
                            tracing::info!("audio input closed; it is opened again at the next REC")
                        }
                    }
                }
            }
        }
    }

    /// Closes an input whose audio thread has stopped (its device failed); it is opened
    /// again at the next REC.
    pub(super) fn end_input(&mut self) {
        self.give_back(None);
    }

    /// Starts take `number` from the running input (opened first if it is not running).
    pub(super) fn start(&mut self, number: u32, now: Duration) -> Result<(), AppError> {
        if self.input.as_ref().is_some_and(|i| !i.is_running()) {
            self.give_back(None);
        }
        if self.input.is_none() {
            if let Err(e) = self.open_input() {
                self.renumber = true;
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
        }
        let input = self.input.as_mut().expect("opened above");
        let rec = (input.position(), chrono::Local::now());
        let channels = usize::from(input.spec().channels);
        let meters = input
            .meters()
            .cloned()
            .unwrap_or_else(|| Arc::new(Meters::new(channels)));
        let shared = input.shared().clone();
        let Some(tap) = input.take_tap() else {
            // The standby thread panicked with the reading end: start the input afresh.
            self.give_back(None);
            return self.start(number, now);
        };
        let req = TakeRequest {
            config: self.options.config.clone(),
            out: self.options.out.clone(),
            frames: None,
            writer: Default::default(),
            audio: self.options.audio.clone(),
            tracks: Some(self.transport.armed().iter().map(usize::from).collect()),
            mirror_missing: MirrorMissing::CardAlone,
        };
        match Recording::start(tap, shared, meters, rec, req, number) {
            Ok(r) => self.recording = Some(r),
            Err(e) => {
                // The reading end went with the thread that could not start.
                self.give_back(None);
                return Err(e);
            }
        }
        Ok(())
    }
}
