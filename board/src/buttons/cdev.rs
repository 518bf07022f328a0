//! The buttons on GPIO lines through the character device (gpio-cdev, v1 uAPI). One event
//! handle per line, waited on together with poll(2); edges are stamped by the kernel on
//! CLOCK_MONOTONIC (Linux 5.7 and later; older kernels stamp on CLOCK_REALTIME, and their edges
//! are then stamped when read) and debounced here, since v1 has no kernel debounce.
//!
//! The kernel queues only 16 events per line, so [`Buttons::next_event`] should be called
//! often (every few tens of milliseconds, see [`crate::profile::POLL_INTERVAL`]); after each
//! read the lines' levels are checked, so edges lost to a full queue cannot leave a button
//! stuck down.
//!
//! On a gpio-sim chip (a test VM), the pull-up asked for here makes a line read released; write
//! `pull-down` to its `sim_gpioN/pull` to press the button and `pull-up` to release it.

use std::time::Duration;

use gpio_cdev::{EventRequestFlags, EventType, LineEventHandle};
use nix::poll::{PollFd, PollFlags};
use nix::time::{clock_gettime, ClockId};

use super::{Button, ButtonError, ButtonEvent, Buttons, DebounceConfig, Debouncer};
use crate::profile::cdev::{input_flags, open_chip, GpioError, CONSUMER};
use crate::profile::{ChipRef, Pin};

/// One requested button line.
#[derive(Debug)]
struct ButtonLine {
    button: Button,
    offset: u32,
    events: LineEventHandle,
}

/// The four buttons on GPIO lines.
#[derive(Debug)]
pub struct CdevButtons {
    lines: Vec<ButtonLine>,
    debouncer: Debouncer,
    notes: Vec<String>,
    /// Edges read in one round, put in time order before they are debounced.
    batch: Vec<(Duration, Button, bool)>,
}

/// Reads CLOCK_MONOTONIC, the clock of the kernel's edge timestamps.
pub fn monotonic_now() -> Result<Duration, ButtonError> {
    let ts = clock_gettime(ClockId::CLOCK_MONOTONIC).map_err(ButtonError::Clock)?;
    Ok(Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32))
}

/// Requests one line for both edges, with the pull-up if the kernel takes it. Returns the handle
/// and, when the pull-up had to be left out, a note saying so.
fn request(
    chip: &mut gpio_cdev::Chip,
    button: Button,
    pin: Pin,
) -> Result<(LineEventHandle, Option<String>), GpioError> {
    let line = chip
        .get_line(pin.offset)
        .map_err(|source| GpioError::Kernel {
            what: format!("GPIO line {} for {}", pin.offset, button.label()),
            source,
        })?;
    let flags = input_flags(pin);
    match line.events(flags, EventRequestFlags::BOTH_EDGES, CONSUMER) {
        Ok(h) => Ok((h, None)),
        Err(first) if pin.pull_up => {
            // Kernels before 5.5 refuse the bias flag: the pull-up must then come from the
            // board's config (config.txt `gpio=...=ip,pu` on a Pi).
            let plain = Pin {
                pull_up: false,
                ..pin
            };
            let h = line
                .events(input_flags(plain), EventRequestFlags::BOTH_EDGES, CONSUMER)
                .map_err(|_| GpioError::Kernel {
                    what: format!("requesting GPIO line {} for {}", pin.offset, button.label()),
                    source: first,
                })?;
            let note = format!(
                "the kernel does not set pull-ups through the GPIO character device: GPIO line {} ({}) relies on the board's own pull-up",
                pin.offset,
                button.label()
            );
            Ok((h, Some(note)))
        }
        Err(source) => Err(GpioError::Kernel {
            what: format!("requesting GPIO line {} for {}", pin.offset, button.label()),
            source,
        }),
    }
}

impl CdevButtons {
    /// Opens `chip` and requests one line per button (`pins` in [`Button::ALL`] order), each as
    /// an input for both edges. A button already held down at start must be released before it
    /// counts.
    pub fn open(
        chip: &ChipRef,
        pins: &[Pin; 4],
        config: DebounceConfig,
    ) -> Result<Self, ButtonError> {
        let mut chip = open_chip(chip)?;
        let mut debouncer = Debouncer::new(config);
        let mut lines = Vec::with_capacity(4);
        let mut notes = Vec::new();
        for (button, &pin) in Button::ALL.into_iter().zip(pins) {
            let (events, note) = request(&mut chip, button, pin)?;
            notes.extend(note);
            let level = events.get_value().map_err(|source| ButtonError::Read {
                button: button.label(),
                offset: pin.offset,
                source,
            })?;
            debouncer.assume(button, level == 1);
            lines.push(ButtonLine {
                button,
                offset: pin.offset,
                events,
            });
        }
        Ok(CdevButtons {
            lines,
            debouncer,
            notes,
            batch: Vec::new(),
        })
    }

    /// What the log should know about how the lines were set up (e.g. a pull-up the kernel
    /// could not set).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Puts the batch in time order and makes it end on each line's present level. Stamps past
    /// the clock's present (a kernel before 5.7 stamps on CLOCK_REALTIME) are brought back to
    /// it; a line whose last edge disagrees with its level (edges lost to a full kernel queue,
    /// or a bounce's last edge lost by the controller) gets one more edge, now, at its level.
    /// Lines still settling are checked too, with no new edge, so a bounce never settles on a
    /// level the line no longer has.
    fn check_levels(&mut self) -> Result<(), ButtonError> {
        let settling = self
            .lines
            .iter()
            .any(|l| self.debouncer.settling_level(l.button).is_some());
        if self.batch.is_empty() && !settling {
            return Ok(());
        }
        let latest = monotonic_now()?;
        for edge in &mut self.batch {
            edge.0 = edge.0.min(latest);
        }
        self.batch.sort_by_key(|&(at, _, _)| at);
        for line in &self.lines {
            // A line with edges in the batch is corrected now, after them; a line still
            // settling with none gets its lost edge just after its last one, before the
            // settle time runs out on the level it no longer has.
            let last = match self.batch.iter().rev().find(|e| e.1 == line.button) {
                Some(&(_, _, down)) => Some((down, latest)),
                None => self
                    .debouncer
                    .settling_level(line.button)
                    .map(|(down, at)| (down, (at + Duration::from_nanos(1)).min(latest))),
            };
            let Some((last, at)) = last else {
                continue;
            };
            let level = line
                .events
                .get_value()
                .map_err(|source| ButtonError::Read {
                    button: line.button.label(),
                    offset: line.offset,
                    source,
                })?
                == 1;
            if level != last {
                self.batch.push((at, line.button, level));
            }
        }
        self.batch.sort_by_key(|&(at, _, _)| at);
        Ok(())
    }

    /// Waits up to `timeout_ms` for edges and reads every one that is ready into the batch.
    fn read_edges(&mut self, timeout_ms: i32) -> Result<(), ButtonError> {
        let ready: Vec<bool> = {
            let mut fds: Vec<PollFd<'_>> = self
                .lines
                .iter()
                .map(|l| PollFd::new(&l.events, PollFlags::POLLIN))
                .collect();
            match nix::poll::poll(&mut fds, timeout_ms) {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(ButtonError::Poll(e)),
            }
            fds.iter().map(|fd| fd.any().unwrap_or(false)).collect()
        };
        for (line, ready) in self.lines.iter_mut().zip(ready) {
            if !ready {
                continue;
            }
            let event = line
                .events
                .get_event()
                .map_err(|source| ButtonError::Read {
                    button: line.button.label(),
                    offset: line.offset,
                    source,
                })?;
            let down = matches!(event.event_type(), EventType::RisingEdge);
            self.batch
                .push((Duration::from_nanos(event.timestamp()), line.button, down));
        }
        Ok(())
    }
}

impl Buttons for CdevButtons {
    fn next_event(&mut self, timeout: Duration) -> Result<Option<ButtonEvent>, ButtonError> {
        let end = monotonic_now()? + timeout;
        loop {
            if let Some(event) = self.debouncer.pop() {
                return Ok(Some(event));
            }
            let now = monotonic_now()?;
            if now >= end {
                return Ok(None);
            }
            let wake = self.debouncer.next_deadline().map_or(end, |d| d.min(end));
            let wait_ms = wake.saturating_sub(now).as_nanos().div_ceil(1_000_000);
            self.read_edges(wait_ms.min(i32::MAX as u128) as i32)?;
            // Drain what else is queued without waiting, then debounce in time order up to the
            // time taken before the drain, so no edge still unread is settled over.
            let now = monotonic_now()?;
            loop {
                let before = self.batch.len();
                self.read_edges(0)?;
                if self.batch.len() == before {
                    break;
                }
            }
            self.check_levels()?;
            for (at, button, down) in self.batch.drain(..) {
                self.debouncer.edge(button, down, at);
            }
            self.debouncer.tick(now);
        }
    }

    fn now(&self) -> Result<Duration, ButtonError> {
        monotonic_now()
    }
}
