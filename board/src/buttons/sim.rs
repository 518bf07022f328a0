//! Buttons without GPIO: a scripted list of raw edges on a virtual clock (for tests: bounces
//! and all), or keyboard keys on the wall clock (for a desktop). Both go through the same
//! [`Debouncer`] as the real lines.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::{Button, ButtonError, ButtonEvent, Buttons, DebounceConfig, Debouncer};
use crate::profile::sim::KeyMap;

/// One raw edge of a button's contact, before debounce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawEdge {
    /// Which button.
    pub button: Button,
    /// The level after the edge: true when the contact closed.
    pub down: bool,
    /// When, on the script's clock.
    pub at: Duration,
}

/// Buttons that play back a script of raw edges on a virtual clock: each call to
/// [`Buttons::next_event`] moves the clock forward by at most its timeout, without sleeping.
#[derive(Debug)]
pub struct ScriptedButtons {
    edges: VecDeque<RawEdge>,
    debouncer: Debouncer,
    now: Duration,
}

impl ScriptedButtons {
    /// Plays `edges` (sorted here by time) with the clock starting at zero.
    pub fn new(mut edges: Vec<RawEdge>, config: DebounceConfig) -> Self {
        edges.sort_by_key(|e| e.at);
        ScriptedButtons {
            edges: edges.into(),
            debouncer: Debouncer::new(config),
            now: Duration::ZERO,
        }
    }

    /// Reads every event the script produces up to `until` on its clock.
    pub fn events_until(&mut self, until: Duration) -> Vec<ButtonEvent> {
        let mut out = Vec::new();
        while self.now < until {
            let step = until - self.now;
            // The virtual clock cannot fail.
            if let Ok(Some(event)) = self.next_event(step) {
                out.push(event);
            }
        }
        out.extend(std::iter::from_fn(|| self.debouncer.pop()));
        out
    }
}

impl Buttons for ScriptedButtons {
    fn next_event(&mut self, timeout: Duration) -> Result<Option<ButtonEvent>, ButtonError> {
        let end = self.now + timeout;
        loop {
            if let Some(event) = self.debouncer.pop() {
                return Ok(Some(event));
            }
            match self.edges.front() {
                Some(edge) if edge.at <= end => {
                    self.now = self.now.max(edge.at);
                    self.debouncer.edge(edge.button, edge.down, edge.at);
                    self.edges.pop_front();
                }
                _ => {
                    self.now = end;
                    self.debouncer.tick(end);
                    return Ok(self.debouncer.pop());
                }
            }
        }
    }

    fn now(&self) -> Result<Duration, ButtonError> {
        Ok(self.now)
    }
}

/// How long a tapped key holds its button down.
pub const TAP: Duration = Duration::from_millis(80);
/// How long a capital letter holds its button down: longer than the STOP hold and a long press.
pub const HOLD: Duration = Duration::from_millis(1500);

/// Buttons from keyboard keys read off a byte stream (standard input, which a terminal hands
/// over a line at a time: type the keys, then Enter). A key taps its button; the capital letter
/// holds it for [`HOLD`]. Stamped on the wall clock since the keys were opened.
#[derive(Debug)]
pub struct KeyButtons {
    keys: KeyMap,
    rx: Receiver<(u8, Instant)>,
    start: Instant,
    /// Raw edges scheduled from keys, in time order.
    pending: VecDeque<RawEdge>,
    debouncer: Debouncer,
}

impl KeyButtons {
    /// Reads keys from `input` on a thread of its own.
    pub fn new<R: Read + Send + 'static>(
        keys: KeyMap,
        mut input: R,
        config: DebounceConfig,
    ) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("keys".into())
            .spawn(move || {
                let mut byte = [0u8; 1];
                while let Ok(1) = input.read(&mut byte) {
                    if tx.send((byte[0], Instant::now())).is_err() {
                        break;
                    }
                }
            })
            .expect("spawning the key reader thread");
        KeyButtons {
            keys,
            rx,
            start: Instant::now(),
            pending: VecDeque::new(),
            debouncer: Debouncer::new(config),
        }
    }

    /// Turns a key into the edges of its button.
    fn schedule(&mut self, key: u8, at: Instant) {
        let Some(press) = self.keys.lookup(char::from(key)) else {
            return;
        };
        let at = at.saturating_duration_since(self.start);
        let up = at + if press.held { HOLD } else { TAP };
        self.pending.push_back(RawEdge {
            button: press.button,
            down: true,
            at,
        });
        self.pending.push_back(RawEdge {
            button: press.button,
            down: false,
            at: up,
        });
        self.pending.make_contiguous().sort_by_key(|e| e.at);
    }
}

impl Buttons for KeyButtons {
    fn next_event(&mut self, timeout: Duration) -> Result<Option<ButtonEvent>, ButtonError> {
        let end = self.start.elapsed() + timeout;
        loop {
            while let Ok((key, at)) = self.rx.try_recv() {
                self.schedule(key, at);
            }
            let now = self.start.elapsed();
            while self.pending.front().is_some_and(|e| e.at <= now) {
                let e = self.pending.pop_front().expect("front checked");
                self.debouncer.edge(e.button, e.down, e.at);
            }
            self.debouncer.tick(now);
            if let Some(event) = self.debouncer.pop() {
                return Ok(Some(event));
            }
            if now >= end {
                return Ok(None);
            }
            let mut wake = end;
            if let Some(e) = self.pending.front() {
                wake = wake.min(e.at);
            }
            if let Some(d) = self.debouncer.next_deadline() {
                wake = wake.min(d);
            }
            match self.rx.recv_timeout(wake.saturating_sub(now)) {
                Ok((key, at)) => self.schedule(key, at),
                Err(RecvTimeoutError::Timeout) => {}
                // The input has ended: only the clock moves on.
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wake.saturating_sub(now)),
            }
        }
    }

    fn now(&self) -> Result<Duration, ButtonError> {
        Ok(self.start.elapsed())
    }
}
