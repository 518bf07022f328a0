//! The box's main loop: button events through the debounce into the transport, the
//! transport's commands carried out (takes started, stopped and marked on a recorder thread),
//! and the display and LEDs refreshed from the engine's counters and meters.
//!
//! The loop runs on the clock of its [`Buttons`]: the wall clock on the box and with keys, a
//! virtual one with scripted edges, which [`AppOptions::pace`] keeps in step with the wall
//! clock so takes still run in real time.

mod input;
mod recording;
mod screen;
mod status;
mod statvfs;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use capstan_board::buttons::{ButtonError, Buttons};
use capstan_board::display::DisplayError;
use capstan_board::leds::{levels, LedError, Leds, Warnings};
use capstan_board::profile::POLL_INTERVAL;
use capstan_ui::UiState;

use crate::config::Config;
use crate::recorder::{AudioOptions, RecordError, TakeReport, TakeRequest};
use crate::transport::{Command, EngineFault, Event, Transport, TransportConfig};

pub use input::{AudioInput, TakeSource};
pub use recording::Recording;
pub use screen::{PanelScreen, Screen, TerminalScreen};
pub use status::{next_take_number, StatusBoard};
pub use statvfs::free_bytes;

/// How often the display is redrawn.
pub const REFRESH: Duration = Duration::from_millis(50);

/// How long a message from the transport stays on screen.
pub const MESSAGE_SHOWN: Duration = Duration::from_secs(3);

/// Why the loop stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The buttons could not be read.
    #[error(transparent)]
    Buttons(#[from] ButtonError),
    /// An LED could not be set.
    #[error(transparent)]
    Leds(#[from] LedError),
    /// The display could not be drawn.
    #[error(transparent)]
    Display(#[from] DisplayError),
    /// The recorder thread could not be started.
    #[error("cannot start the recorder thread: {0}")]
    Thread(std::io::Error),
    /// A take could not start.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The recorder thread panicked (its files are closed only up to the last commit).
    #[error("the recorder thread panicked: run `take recover` on the last take folder")]
    WriterPanicked,
}

/// The devices the loop drives.
pub struct Board {
    /// The transport buttons.
    pub buttons: Box<dyn Buttons>,
    /// The REC tally and the warning LED.
    pub leds: Box<dyn Leds>,
    /// The display, if the box has one.
    pub screen: Option<Box<dyn Screen>>,
}

/// What the loop records and how it runs.
pub struct AppOptions {
    /// Names and record settings.
    pub config: Config,
    /// The folder takes go in.
    pub out: PathBuf,
    /// Where the audio comes from.
    pub input: AudioInput,
    /// How the audio thread runs.
    pub audio: AudioOptions,
    /// Stop the loop at this time on the buttons' clock (none: until `quit`).
    pub until: Option<Duration>,
    /// Sleep so that the buttons' clock never runs ahead of the wall clock (for a virtual
    /// clock that would otherwise race through its script).
    pub pace: bool,
    /// Set to end the loop (Ctrl-C); a running take is closed first.
    pub quit: Arc<AtomicBool>,
}

/// The box.
pub struct App {
    options: AppOptions,
    board: Board,
    transport: Transport,
    recording: Option<Recording>,
    status: StatusBoard,
    ui: UiState,
    warnings: Warnings,
    message: Option<(String, Duration)>,
    last_draw: Option<Duration>,
    takes: Vec<TakeReport>,
}

impl App {
    /// The box with its transport stopped and no track armed.
    pub fn new(options: AppOptions, board: Board) -> App {
        let tracks = options.input.channels().min(64) as u8;
        let first = next_take_number(&options.out, &options.config.scene);
        let transport = Transport::new(
            TransportConfig {
                tracks,
                ..TransportConfig::default()
            },
            first,
        )
        .expect("1 to 64 tracks");
        let names = (0..usize::from(tracks))
            .map(|c| options.config.track_name(c))
            .collect();
        App {
            options,
            board,
            transport,
            recording: None,
            status: StatusBoard::new(names),
            ui: UiState::default(),
            warnings: Warnings::default(),
            message: None,
            last_draw: None,
            takes: Vec::new(),
        }
    }

    /// Runs the loop until [`AppOptions::until`] or [`AppOptions::quit`]; returns every take
    /// recorded, oldest first.
    pub fn run(mut self) -> Result<Vec<TakeReport>, AppError> {
        let wall = Instant::now();
        let result = loop {
            let now = match self.step(wall) {
                Ok(now) => now,
                Err(e) => break Err(e),
            };
            let done = self.options.until.is_some_and(|u| now >= u);
            if done || self.options.quit.load(Ordering::Relaxed) {
                break Ok(());
            }
        };
        if let Some(r) = self.recording.take() {
            let report = r.stop();
            self.finished(report);
        }
        result.map(|()| self.takes)
    }

    /// One pass of the loop: waits up to a poll interval for a button, then carries out what
    /// the transport says and refreshes the LEDs and display. Returns the time on the buttons'
    /// clock.
    fn step(&mut self, wall: Instant) -> Result<Duration, AppError> {
        let mut events = Vec::with_capacity(3);
        if let Some(e) = self.board.buttons.next_event(POLL_INTERVAL)? {
            events.extend(Event::from_button(e));
        }
        let now = self.board.buttons.now()?;
        if self.options.pace {
            std::thread::sleep(now.saturating_sub(wall.elapsed()));
        }
        if self.recording.as_ref().is_some_and(|r| r.has_ended()) {
            let r = self.recording.take().expect("checked above");
            let fault = fault_of(&r.stop());
            events.push(Event::Fault { fault, at: now });
        }
        events.push(Event::Tick { at: now });
        for event in events {
            for command in self.transport.handle(event).iter() {
                self.carry_out(*command, now)?;
            }
        }
        let lit = levels(self.transport.is_recording(), &self.warnings, now);
        self.board.leds.show(lit)?;
        if self
            .last_draw
            .is_none_or(|t| now.saturating_sub(t) >= REFRESH)
        {
            self.last_draw = Some(now);
            self.draw(now)?;
        }
        Ok(now)
    }

    /// Does what the transport asks.
    fn carry_out(&mut self, command: Command, now: Duration) -> Result<(), AppError> {
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
                if let crate::transport::Alert::Stopped(_) = alert {
                    self.warnings.fault_since = Some(now);
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
                self.transport.handle(Event::Fault {
                    fault: EngineFault::DeviceFailed,
                    at: now,
                });
                self.warnings.fault_since = Some(now);
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
    fn finished(&mut self, report: Result<TakeReport, AppError>) {
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

    /// Shows a message from the transport for [`MESSAGE_SHOWN`].
    fn say(&mut self, text: String, now: Duration) {
        self.message = Some((text, now));
    }

    /// Refreshes the screen's state from the recorder and draws it.
    fn draw(&mut self, now: Duration) -> Result<(), AppError> {
        if self
            .message
            .as_ref()
            .is_some_and(|(_, at)| now.saturating_sub(*at) >= MESSAGE_SHOWN)
        {
            self.message = None;
        }
        let free = free_bytes(&self.options.out);
        self.status.refresh(
            &mut self.ui,
            &mut self.warnings,
            status::View {
                transport: &self.transport,
                recording: self.recording.as_ref(),
                scene: &self.options.config.scene,
                input: &self.options.input,
                free,
            },
            now,
        );
        if let Some(screen) = self.board.screen.as_mut() {
            let message = self.message.as_ref().map(|(m, _)| m.as_str());
            screen.show(&self.ui, message)?;
        }
        Ok(())
    }
}

/// The transport's fault for a take that ended by itself.
fn fault_of(report: &Result<TakeReport, AppError>) -> EngineFault {
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
