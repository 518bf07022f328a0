//! The transport's states and how each event moves between them.

use std::time::Duration;

use capstan_board::buttons::Button;

use super::event::{Alert, Command, Commands, EngineFault, Event};
use super::{ArmedTracks, RecAgain, TransportConfig, TransportConfigError, MAX_TRACKS};

/// Where the transport is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Nothing rolling.
    Stopped,
    /// Take `take` is being recorded.
    Recording {
        /// The open take's number.
        take: u32,
        /// When STOP went down during this recording, while it is still down.
        stop_down: Option<Duration>,
    },
    /// The last take is playing.
    Playing,
}

/// The transport state machine.
#[derive(Debug, Clone)]
pub struct Transport {
    config: TransportConfig,
    state: State,
    armed: ArmedTracks,
    next_take: u32,
}

impl Transport {
    /// A stopped transport with no track armed, whose next take is `next_take`.
    pub fn new(config: TransportConfig, next_take: u32) -> Result<Transport, TransportConfigError> {
        if config.tracks == 0 || config.tracks > MAX_TRACKS {
            return Err(TransportConfigError::Tracks(config.tracks));
        }
        Ok(Transport {
            config,
            state: State::Stopped,
            armed: ArmedTracks::NONE,
            next_take,
        })
    }

    /// The settings in use.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Where the transport is.
    pub fn state(&self) -> State {
        self.state
    }

    /// True while a take is open.
    pub fn is_recording(&self) -> bool {
        matches!(self.state, State::Recording { .. })
    }

    /// The armed tracks.
    pub fn armed(&self) -> ArmedTracks {
        self.armed
    }

    /// The number the next take will get.
    pub fn next_take(&self) -> u32 {
        self.next_take
    }

    /// Sets the number the next take will get: what the card says after a take ended or was
    /// refused, so a take that made no folder does not use up its number. Ignored while a
    /// take records, whose number is already given.
    pub fn set_next_take(&mut self, next_take: u32) {
        if !self.is_recording() {
            self.next_take = next_take;
        }
    }

    /// How far a held STOP has come towards ending the recording, 0 to 1, while it is held; for
    /// a progress bar on the display.
    pub fn stop_progress(&self, now: Duration) -> Option<f32> {
        let State::Recording {
            stop_down: Some(down),
            ..
        } = self.state
        else {
            return None;
        };
        let hold = self.config.stop_hold.as_secs_f32();
        if hold == 0.0 {
            return Some(1.0);
        }
        Some((now.saturating_sub(down).as_secs_f32() / hold).min(1.0))
    }

    /// Takes one event and returns what the rest of the box must do.
    pub fn handle(&mut self, event: Event) -> Commands {
        let mut out = Commands::new();
        match event {
            Event::Down { button, at } => self.down(button, at, &mut out),
            Event::Up { button, at } => self.up(button, at, &mut out),
            Event::Tick { at } => self.check_stop_hold(at, &mut out),
            Event::Arm { track, armed } => self.arm(track, armed, &mut out),
            Event::Fault { fault, .. } => self.fault(fault, &mut out),
            Event::PlaybackEnded { .. } => {
                if self.state == State::Playing {
                    self.state = State::Stopped;
                }
            }
        }
        out
    }

    fn down(&mut self, button: Button, at: Duration, out: &mut Commands) {
        match (self.state, button) {
            (State::Stopped, Button::Rec) => self.start_take(out),
            (State::Playing, Button::Rec) => {
                if self.armed.is_empty() {
                    out.push(Command::Alert(Alert::NoTrackArmed));
                } else {
                    out.push(Command::StopPlayback);
                    self.start_take(out);
                }
            }
            (State::Recording { take, stop_down }, Button::Rec) => match self.config.rec_again {
                RecAgain::Marker => out.push(Command::AddMarker { at }),
                RecAgain::NewTake => {
                    let opened = self.next_take;
                    self.next_take = opened.wrapping_add(1);
                    self.state = State::Recording {
                        take: opened,
                        stop_down,
                    };
                    out.push(Command::NewTake {
                        closed: take,
                        opened,
                    });
                }
            },
            (State::Stopped, Button::Play) => {
                self.state = State::Playing;
                out.push(Command::StartPlayback);
            }
            (State::Recording { .. }, Button::Play) => {
                out.push(Command::Alert(Alert::PlayLockedWhileRecording));
            }
            (State::Playing, Button::Play) | (State::Stopped, Button::Stop) => {}
            (State::Playing, Button::Stop) => {
                self.state = State::Stopped;
                out.push(Command::StopPlayback);
            }
            (State::Recording { take, .. }, Button::Stop) => {
                // A second down without an up means the up was lost: the hold starts again.
                self.state = State::Recording {
                    take,
                    stop_down: Some(at),
                };
                self.check_stop_hold(at, out);
            }
            (State::Recording { .. } | State::Playing, Button::MarkArm) => {
                out.push(Command::AddMarker { at });
            }
            (State::Stopped, Button::MarkArm) => {
                self.armed = if self.armed.is_empty() {
                    ArmedTracks::first(self.config.tracks)
                } else {
                    ArmedTracks::NONE
                };
                out.push(Command::Armed(self.armed));
            }
        }
    }

    fn up(&mut self, button: Button, at: Duration, out: &mut Commands) {
        if button != Button::Stop {
            return;
        }
        if let State::Recording {
            take,
            stop_down: Some(_),
        } = self.state
        {
            self.check_stop_hold(at, out);
            if self.is_recording() {
                self.state = State::Recording {
                    take,
                    stop_down: None,
                };
                out.push(Command::Alert(Alert::HoldStopToStop));
            }
        }
    }

    /// Ends the recording if STOP has been held long enough by `now`.
    fn check_stop_hold(&mut self, now: Duration, out: &mut Commands) {
        if let State::Recording {
            take,
            stop_down: Some(down),
        } = self.state
        {
            if now.saturating_sub(down) >= self.config.stop_hold {
                self.state = State::Stopped;
                out.push(Command::StopTake { take });
            }
        }
    }

    fn start_take(&mut self, out: &mut Commands) {
        if self.armed.is_empty() {
            out.push(Command::Alert(Alert::NoTrackArmed));
            return;
        }
        let take = self.next_take;
        self.next_take = take.wrapping_add(1);
        self.state = State::Recording {
            take,
            stop_down: None,
        };
        out.push(Command::StartTake {
            take,
            tracks: self.armed,
        });
    }

    fn arm(&mut self, track: u8, armed: bool, out: &mut Commands) {
        if self.is_recording() {
            out.push(Command::Alert(Alert::ArmLockedWhileRecording));
        } else if track >= self.config.tracks {
            out.push(Command::Alert(Alert::NoSuchTrack {
                track,
                tracks: self.config.tracks,
            }));
        } else {
            let now = self.armed.with(track, armed);
            if now != self.armed {
                self.armed = now;
                out.push(Command::Armed(now));
            }
        }
    }

    fn fault(&mut self, fault: EngineFault, out: &mut Commands) {
        match self.state {
            State::Recording { take, .. } => out.push(Command::StopTake { take }),
            State::Playing => out.push(Command::StopPlayback),
            State::Stopped => {}
        }
        self.state = State::Stopped;
        out.push(Command::Alert(Alert::Stopped(fault)));
    }
}
