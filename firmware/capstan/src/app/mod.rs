//! The box's main loop: button events through the debounce into the transport, the
//! transport's commands carried out (takes started, stopped and marked on a recorder thread),
//! and the display and LEDs refreshed from the engine's counters and meters.
//!
//! The loop runs on the clock of its [`Buttons`]: the wall clock on the box and with keys, a
//! virtual one with scripted edges, which [`AppOptions::pace`] keeps in step with the wall
//! clock so takes still run in real time.

mod board;
mod commands;
mod input;
mod notify;
mod recording;
mod screen;
mod standby;
mod status;
mod statvfs;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use capstan_board::buttons::{ButtonError, Buttons};
use capstan_board::display::DisplayError;
use capstan_board::leds::{levels, Leds, Warnings};
use capstan_board::profile::POLL_INTERVAL;
use capstan_ui::UiState;

use crate::config::Config;
use crate::recorder::naming::next_take_number;
use crate::recorder::{AudioOptions, InputStream, RecordError, TakeReport};
use crate::transport::{EngineFault, Event, RecAgain, Transport, TransportConfig};

pub use board::{display_config, open_board};
pub(crate) use input::open_monitor;
pub use input::{AudioInput, InputFault, OpenedInput, StartError, TakeSource};
pub use recording::Recording;
pub use screen::{PanelScreen, Screen, TerminalScreen};
pub use status::StatusBoard;
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
    /// What REC does while recording: a marker or the next take.
    pub rec_again: RecAgain,
    /// Stop the loop at this time on the buttons' clock (none: until `quit`).
    pub until: Option<Duration>,
    /// Sleep so that the buttons' clock never runs ahead of the wall clock (for a virtual
    /// clock that would otherwise race through its script).
    pub pace: bool,
    /// Set to end the loop (Ctrl-C); a running take is closed first.
    pub quit: Arc<AtomicBool>,
    /// Why the box's own config could not be read, when it runs on a fallback instead: shown
    /// on the display until the box starts with a config that reads.
    pub config_error: Option<String>,
}

/// The box.
pub struct App {
    options: AppOptions,
    board: Board,
    transport: Transport,
    /// The audio input, running from start to end (meters live, pre-roll filling); `None`
    /// until it opens, after its device failed, and while PLAY needs its monitor device.
    input: Option<InputStream>,
    recording: Option<Recording>,
    /// The take PLAY is playing back.
    playing: Option<crate::playback::Playing>,
    status: StatusBoard,
    ui: UiState,
    warnings: Warnings,
    /// The fault that stopped the last take, until the next one starts (or the input comes
    /// back, for a device that failed).
    fault: Option<EngineFault>,
    /// When to try opening the input again, while the box has none (see
    /// [`App::wait_for_input`]).
    reopen_at: Option<Duration>,
    /// When to try the monitor's device again, while the input runs without it (see
    /// [`App::wait_for_monitor`]).
    monitor_retry_at: Option<Duration>,
    /// Why the monitor was off when a retry that found its device still could not play it:
    /// not tried every 2 s again for that reason.
    monitor_gave_up: Option<String>,
    /// Why the input last failed to open (logged once per reason while the box waits for it).
    input_error: Option<StartError>,
    /// Why the running input's monitor is off (its playback device did not open), if it is.
    monitor_off: Option<String>,
    /// Why the config's `[mixer]` was refused by the running input (its monitor plays the
    /// plain sum): shown as a config error.
    mix_refused: Option<String>,
    message: Option<(String, Duration)>,
    last_draw: Option<Duration>,
    leds_failed: bool,
    takes: Vec<TakeReport>,
    /// Set when a take ended or could not start: the next take's number is read from the card
    /// again once the transport is stopped.
    renumber: bool,
}

impl App {
    /// The box with its transport stopped and no track armed.
    pub fn new(options: AppOptions, board: Board) -> App {
        let tracks = options.input.channels().min(64) as u8;
        let first = next_take_number(
            &options.out,
            options.config.recorder.mirror.as_deref(),
            &options.config.scene,
        );
        let transport = Transport::new(
            TransportConfig {
                tracks,
                rec_again: options.rec_again,
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
            input: None,
            recording: None,
            playing: None,
            status: StatusBoard::new(names),
            ui: UiState::default(),
            warnings: Warnings::default(),
            fault: None,
            reopen_at: None,
            monitor_retry_at: None,
            monitor_gave_up: None,
            input_error: None,
            monitor_off: None,
            mix_refused: None,
            message: None,
            last_draw: None,
            leds_failed: false,
            takes: Vec::new(),
            renumber: false,
        }
    }

    /// Runs the loop until [`AppOptions::until`] or [`AppOptions::quit`]; returns every take
    /// recorded, oldest first.
    pub fn run(mut self) -> Result<Vec<TakeReport>, AppError> {
        if let Some(e) = &self.options.config_error {
            tracing::error!("{e}");
        }
        // A missing input is reported here, shown, and opened once it is there.
        let _ = self.open_input();
        let mut service = notify::ServiceNotify::from_env();
        service.ready();
        let wall = Instant::now();
        let result = loop {
            service.ping();
            let now = match self.step(wall) {
                Ok(now) => now,
                Err(e) => break Err(e),
            };
            let done = self.options.until.is_some_and(|u| now >= u);
            if done || self.options.quit.load(Ordering::Relaxed) {
                break Ok(());
            }
        };
        service.stopping();
        self.end_take();
        self.stop_playback();
        if let Some(input) = self.input.take() {
            let exit = input.stop();
            tracing::info!("audio input closed ({exit:?})");
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
            if let Some(fault) = self.end_take() {
                events.push(Event::Fault { fault, at: now });
            }
        }
        if self.recording.is_none() && self.input.as_ref().is_some_and(|i| !i.is_running()) {
            // The device went away while stopped: say so now, not at the next REC.
            self.end_input();
        }
        if self.playing.as_ref().is_some_and(|p| p.has_ended()) {
            self.stop_playback();
            self.resume_input();
            events.push(Event::PlaybackEnded { at: now });
        }
        self.wait_for_input(now);
        self.wait_for_monitor(now);
        events.push(Event::Tick { at: now });
        for event in events {
            for command in self.transport.handle(event).iter() {
                self.carry_out(*command, now)?;
            }
        }
        if self.renumber && !self.transport.is_recording() {
            self.renumber = false;
            let config = &self.options.config;
            let next = next_take_number(
                &self.options.out,
                config.recorder.mirror.as_deref(),
                &config.scene,
            );
            self.transport.set_next_take(next);
        }
        // A failing LED or display must not end a take: it is logged once and left dark.
        if !self.leds_failed {
            let lit = levels(self.transport.is_recording(), &self.warnings, now);
            if let Err(e) = self.board.leds.show(lit) {
                tracing::error!("{e}; the LEDs stay as they are, recording goes on");
                self.leds_failed = true;
            }
        }
        if self
            .last_draw
            .is_none_or(|t| now.saturating_sub(t) >= REFRESH)
        {
            self.last_draw = Some(now);
            if let Err(e) = self.draw(now) {
                tracing::error!("{e}; the display stays dark, recording goes on");
                self.board.screen = None;
            }
        }
        Ok(now)
    }

    /// Shows a message from the transport for [`MESSAGE_SHOWN`].
    fn say(&mut self, text: String, now: Duration) {
        self.message = Some((text, now));
    }

    /// Refreshes the screen's state from the recorder and draws it.
    fn draw(&mut self, now: Duration) -> Result<(), DisplayError> {
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
                meters: self.input.as_ref().and_then(|i| i.meters()).map(|m| &**m),
                scene: &self.options.config.scene,
                input: &self.options.input,
                free,
                recorder: &self.options.config.recorder,
                fault: self.fault,
                monitor_off: self.input.is_some() && self.monitor_off.is_some(),
                config_error: (self.options.config_error.as_deref())
                    .or(self.mix_refused.as_deref()),
                input_fault: match &self.input {
                    None => self.input_error.as_ref().map(|e| e.fault),
                    Some(_) => None,
                },
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
