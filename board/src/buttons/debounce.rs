//! Software debounce from edge timestamps. The v1 GPIO uAPI has no kernel debounce, so every
//! edge of a bouncing contact reaches us; a level counts only once it has held still for the
//! settle time. The press is then stamped with the first edge of its bounce, so the latency of
//! the settle time never shows in hold times.
//!
//! Pure: time comes in with every call, nothing here reads a clock.

use std::collections::VecDeque;
use std::time::Duration;

use super::{Action, Button, ButtonEvent};

/// Debounce and long-press times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebounceConfig {
    /// How long a contact must stay still before its level counts (default 5 ms).
    pub settle: Duration,
    /// How long a button must be held to report [`Action::LongPress`] (default 1 s).
    pub long_press: Duration,
}

impl Default for DebounceConfig {
    fn default() -> Self {
        DebounceConfig {
            settle: Duration::from_millis(5),
            long_press: Duration::from_secs(1),
        }
    }
}

/// The debounce state of one button's contact.
#[derive(Debug, Clone, Copy, Default)]
struct Contact {
    /// The debounced level: true while the button counts as down.
    down: bool,
    /// The level of the last raw edge.
    raw: bool,
    /// Edges arrived since the contact last held still.
    bouncing: bool,
    /// The first edge of the current bounce.
    bounce_start: Duration,
    /// The last raw edge.
    last_edge: Duration,
    /// When the current press began.
    pressed_at: Duration,
    /// The current press has already reported its long press.
    long_sent: bool,
}

impl Contact {
    /// Reports a long press whose time came at or before `limit`.
    fn check_long(
        &mut self,
        button: Button,
        limit: Duration,
        cfg: &DebounceConfig,
        out: &mut Vec<ButtonEvent>,
    ) {
        let due = self.pressed_at + cfg.long_press;
        if self.down && !self.long_sent && due <= limit {
            self.long_sent = true;
            out.push(ButtonEvent {
                button,
                action: Action::LongPress,
                at: due,
            });
        }
    }

    /// Brings the contact up to `now`: confirms a level that has held still long enough.
    fn settle(
        &mut self,
        button: Button,
        now: Duration,
        cfg: &DebounceConfig,
        out: &mut Vec<ButtonEvent>,
    ) {
        // A long press that came due before a release began still counts.
        let limit = if self.bouncing {
            self.bounce_start.min(now)
        } else {
            now
        };
        self.check_long(button, limit, cfg, out);
        if self.bouncing && now >= self.last_edge + cfg.settle {
            self.bouncing = false;
            if self.raw != self.down {
                self.down = self.raw;
                let at = self.bounce_start;
                let action = if self.down {
                    self.pressed_at = at;
                    self.long_sent = false;
                    Action::Press
                } else {
                    Action::Release {
                        held: at.saturating_sub(self.pressed_at),
                    }
                };
                out.push(ButtonEvent { button, action, at });
            }
        }
        if !self.bouncing {
            self.check_long(button, now, cfg, out);
        }
    }

    /// When this contact next needs a [`Debouncer::tick`], if ever.
    fn deadline(&self, cfg: &DebounceConfig) -> Option<Duration> {
        let settle = self.bouncing.then(|| self.last_edge + cfg.settle);
        let long = (self.down && !self.long_sent).then(|| self.pressed_at + cfg.long_press);
        match (settle, long) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Debounces the four buttons from their raw edges and queues the resulting events.
#[derive(Debug, Clone)]
pub struct Debouncer {
    config: DebounceConfig,
    contacts: [Contact; 4],
    queue: VecDeque<ButtonEvent>,
    scratch: Vec<ButtonEvent>,
}

impl Debouncer {
    /// A debouncer with every button up.
    pub fn new(config: DebounceConfig) -> Self {
        Debouncer {
            config,
            contacts: [Contact::default(); 4],
            queue: VecDeque::new(),
            scratch: Vec::new(),
        }
    }

    /// The times in use.
    pub fn config(&self) -> DebounceConfig {
        self.config
    }

    /// Sets a button's level without an event, for a button found held down at start: it must
    /// be released before it can count as a press.
    pub fn assume(&mut self, button: Button, down: bool) {
        let c = &mut self.contacts[button.index()];
        c.down = down;
        c.raw = down;
        c.bouncing = false;
        c.long_sent = true;
    }

    /// Feeds one raw edge: `down` is the button's level after the edge (already corrected for
    /// an active-low contact), `at` its timestamp. Edges must come in time order.
    pub fn edge(&mut self, button: Button, down: bool, at: Duration) {
        self.tick(at);
        let c = &mut self.contacts[button.index()];
        if !c.bouncing {
            c.bouncing = true;
            c.bounce_start = at;
        }
        c.raw = down;
        c.last_edge = at;
    }

    /// Brings every button up to `now`, queueing the presses, long presses and releases that
    /// have settled by then (in time order).
    pub fn tick(&mut self, now: Duration) {
        let mut out = std::mem::take(&mut self.scratch);
        for (contact, button) in self.contacts.iter_mut().zip(Button::ALL) {
            contact.settle(button, now, &self.config, &mut out);
        }
        out.sort_by_key(|e| e.at);
        self.queue.extend(out.drain(..));
        self.scratch = out;
    }

    /// The next queued event, oldest first.
    pub fn pop(&mut self) -> Option<ButtonEvent> {
        self.queue.pop_front()
    }

    /// The earliest time at which a [`Debouncer::tick`] will produce an event, if any is
    /// pending: a bounce about to settle or a long press coming due.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.contacts
            .iter()
            .filter_map(|c| c.deadline(&self.config))
            .min()
    }

    /// The level and time of the button's last raw edge while it has not held still for the
    /// settle time yet; `None` once it has settled.
    pub fn settling_level(&self, button: Button) -> Option<(bool, Duration)> {
        let c = &self.contacts[button.index()];
        c.bouncing.then_some((c.raw, c.last_edge))
    }

    /// Whether the button counts as down now.
    pub fn is_down(&self, button: Button) -> bool {
        self.contacts[button.index()].down
    }
}
