//! What the LEDs show, as a pure function of the box's state and the monotonic time: the REC
//! tally is lit while recording; the warning LED blinks fast on a fault, flickers for a moment
//! after a dropout, and winks slowly while a caution lasts.

use std::time::Duration;

/// A periodic blink: lit for `on` at the start of every `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blink {
    /// Length of one cycle.
    pub period: Duration,
    /// How long the LED is lit at the start of each cycle.
    pub on: Duration,
}

impl Blink {
    /// A fault (disk full, interface gone, a forced stop): 4 Hz, half on.
    pub const FAULT: Blink = Blink {
        period: Duration::from_millis(250),
        on: Duration::from_millis(125),
    };
    /// A dropout (xrun, ring overflow, write error): a 10 Hz flicker.
    pub const DROP: Blink = Blink {
        period: Duration::from_millis(100),
        on: Duration::from_millis(50),
    };
    /// A caution that lasts (card nearly full): a short wink each second.
    pub const CAUTION: Blink = Blink {
        period: Duration::from_secs(1),
        on: Duration::from_millis(150),
    };

    /// Whether the LED is lit at `now` for a blink that began at `since` (lit at once, so a
    /// warning shows the moment it comes).
    pub fn lit(&self, since: Duration, now: Duration) -> bool {
        if now < since || self.period.is_zero() {
            return false;
        }
        let phase = (now - since).as_nanos() % self.period.as_nanos();
        phase < self.on.as_nanos()
    }
}

/// How long the warning LED flickers after a dropout.
pub const DROP_SHOWN: Duration = Duration::from_secs(2);

/// The warnings the LED shows, each with the time it began.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Warnings {
    /// A fault that stopped the box, until the user clears it.
    pub fault_since: Option<Duration>,
    /// The last dropout.
    pub last_drop: Option<Duration>,
    /// A caution that lasts, while it lasts.
    pub caution_since: Option<Duration>,
}

/// The levels of both LEDs at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedLevels {
    /// The REC tally.
    pub rec_tally: bool,
    /// The warning LED.
    pub warning: bool,
}

/// The LED levels at `now`: the tally follows `recording`; the warning LED shows the most
/// pressing warning (fault, then a recent dropout, then a caution).
pub fn levels(recording: bool, warnings: &Warnings, now: Duration) -> LedLevels {
    let warning = if let Some(since) = warnings.fault_since {
        Blink::FAULT.lit(since, now)
    } else if let Some(at) = warnings
        .last_drop
        .filter(|&at| now >= at && now - at < DROP_SHOWN)
    {
        Blink::DROP.lit(at, now)
    } else if let Some(since) = warnings.caution_since {
        Blink::CAUTION.lit(since, now)
    } else {
        false
    };
    LedLevels {
        rec_tally: recording,
        warning,
    }
}
