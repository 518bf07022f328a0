//! What the screens show: plain data, filled in by the UI thread from the engine's meters, the
//! transport and the recorder's counters, and drawn by [`crate::draw`].

use std::time::Duration;

/// The most tracks a box records, and so the most meters a screen draws.
pub const MAX_TRACKS: usize = 64;

/// Everything the display shows. Drawing is a pure function of this value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UiState {
    /// Which screen is up.
    pub screen: Screen,
    /// What the transport is doing.
    pub transport: Transport,
    /// The name of the take being recorded or played (or the next one, when stopped).
    pub take: String,
    /// Time since the take started (recording or playing); zero when stopped.
    pub elapsed: Duration,
    /// Record time left on the card at the current data rate (see
    /// [`crate::remaining_record_time`]); `None` when unknown or when no track is armed.
    pub remaining: Option<Duration>,
    /// One meter per track, in track order; only the first [`MAX_TRACKS`] are drawn.
    pub tracks: Vec<TrackMeter>,
    /// How many times audio was lost (xruns on the device or a full ring on the way to disk).
    /// Anything but zero is drawn so that it cannot be missed.
    pub drops: u64,
    /// The ring between the audio thread and the card while a take records: how full it is
    /// now and at most so far. `None` when no take is recording.
    pub buffer: Option<BufferFill>,
    /// What needs the user's attention, most urgent first.
    pub alerts: Vec<Alert>,
    /// The selected row on the track screen.
    pub track_cursor: usize,
    /// While the selected track's name is being edited: the character under the cursor.
    pub name_cursor: Option<usize>,
}

/// How full the ring that absorbs the card's stalls is, in percent of its size. A card that
/// keeps up leaves it near empty; one that stalls fills it, and a full ring loses audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BufferFill {
    /// Fill now, 0 to 100.
    pub now_percent: u8,
    /// Highest fill since the take started (the high-water mark), 0 to 100.
    pub high_water_percent: u8,
}

impl BufferFill {
    /// The fill of a ring of `capacity` bytes holding `now` bytes, with a high-water mark of
    /// `high` bytes; percentages round up, so a ring that is not empty never reads 0%.
    pub fn from_bytes(now: u64, high: u64, capacity: u64) -> BufferFill {
        let percent = |b: u64| {
            if capacity == 0 {
                0
            } else {
                (b.min(capacity) * 100).div_ceil(capacity) as u8
            }
        };
        BufferFill {
            now_percent: percent(now),
            high_water_percent: percent(high.max(now)),
        }
    }
}

/// The screens the box can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    /// Transport, take, times, meters and the drop counter.
    #[default]
    Home,
    /// The list of alerts.
    Alerts,
    /// Track arming and naming.
    Tracks,
}

/// The transport's state as the display shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// Neither recording nor playing.
    #[default]
    Stopped,
    /// Armed tracks are going to disk.
    Recording,
    /// A take is playing back.
    Playing,
}

impl Transport {
    /// The word drawn next to the transport symbol.
    pub const fn label(self) -> &'static str {
        match self {
            Transport::Stopped => "STOP",
            Transport::Recording => "REC",
            Transport::Playing => "PLAY",
        }
    }
}

/// One track's meter and settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackMeter {
    /// The track's name (empty for none: the screens then show its number).
    pub name: String,
    /// Peak level of the last meter period, in dBFS (0 is full scale; `-inf` for silence).
    pub peak_dbfs: f32,
    /// The held peak, in dBFS, drawn as a line above the bar.
    pub hold_dbfs: f32,
    /// True once the track has reached full scale since the clip marks were last cleared.
    pub clipped: bool,
    /// True when the track records on REC.
    pub armed: bool,
}

impl Default for TrackMeter {
    fn default() -> Self {
        TrackMeter {
            name: String::new(),
            peak_dbfs: f32::NEG_INFINITY,
            hold_dbfs: f32::NEG_INFINITY,
            clipped: false,
            armed: false,
        }
    }
}

/// Something that needs the user's attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alert {
    /// The card will fill soon; the record time left at the current rate.
    CardNearlyFull {
        /// Record time left.
        remaining: Duration,
    },
    /// The card does not keep up with the data rate: audio will be lost if it goes on.
    CardTooSlow,
    /// The ring has been more than half full this take (its high-water mark, in percent): the
    /// card stalls; audio is safe until the ring fills.
    BufferFilling(u8),
    /// The audio device overran this many times since the take started.
    Xruns(u64),
    /// The box is hot (CPU temperature in degrees Celsius) and may throttle.
    Temperature {
        /// CPU temperature, degrees Celsius.
        celsius: i16,
    },
    /// The card is full: recording stopped.
    DiskFull,
    /// A device stopped working; its name (such as the audio interface's).
    DeviceFailed(String),
    /// The audio interface (its name) is not there: not plugged in or switched off. The box
    /// opens it as soon as it is.
    NoInterface(String),
    /// The audio interface (its name) is held by another program.
    DeviceBusy(String),
    /// The box's config file could not be read (where: "line 7", or empty): the box runs on
    /// its default config until the file is mended.
    ConfigError(String),
    /// The monitor's playback device (its name) could not be opened: takes record, but
    /// nothing plays in the headphones.
    MonitorOff(String),
}

/// How urgent an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Act soon.
    Warning,
    /// Audio is being lost or recording has stopped: act now.
    Critical,
}

impl Alert {
    /// How urgent the alert is.
    pub fn severity(&self) -> Severity {
        match self {
            Alert::CardNearlyFull { .. }
            | Alert::Temperature { .. }
            | Alert::BufferFilling(_)
            | Alert::MonitorOff(_)
            | Alert::ConfigError(_) => Severity::Warning,
            Alert::CardTooSlow
            | Alert::Xruns(_)
            | Alert::DiskFull
            | Alert::DeviceFailed(_)
            | Alert::NoInterface(_)
            | Alert::DeviceBusy(_) => Severity::Critical,
        }
    }

    /// A short title that fits a line of the small panel (at most 15 characters, leaving room for a 5-character detail).
    pub fn title(&self) -> &'static str {
        match self {
            Alert::CardNearlyFull { .. } => "Card near full",
            Alert::CardTooSlow => "Card too slow",
            Alert::BufferFilling(_) => "Card stalls",
            Alert::Xruns(_) => "Xruns",
            Alert::Temperature { .. } => "Too hot",
            Alert::DiskFull => "Card full",
            Alert::DeviceFailed(_) => "Device failed",
            Alert::NoInterface(_) => "No interface",
            Alert::DeviceBusy(_) => "Device busy",
            Alert::ConfigError(_) => "Config error",
            Alert::MonitorOff(_) => "No monitor",
        }
    }

    /// The detail drawn after the title: a time, a count, a temperature, a device name, or
    /// nothing when the title says it all.
    pub fn detail(&self) -> String {
        match self {
            Alert::CardNearlyFull { remaining } => crate::format_remaining(*remaining),
            Alert::CardTooSlow => String::new(),
            Alert::BufferFilling(percent) => format!("{percent}%"),
            Alert::Xruns(n) => n.to_string(),
            Alert::Temperature { celsius } => format!("{celsius}\u{b0}C"),
            Alert::DiskFull => "stopped".into(),
            Alert::DeviceFailed(name)
            | Alert::NoInterface(name)
            | Alert::DeviceBusy(name)
            | Alert::MonitorOff(name) => name.clone(),
            Alert::ConfigError(line) => line.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_fit_the_small_panel() {
        let alerts = [
            Alert::CardNearlyFull {
                remaining: Duration::from_secs(600),
            },
            Alert::CardTooSlow,
            Alert::BufferFilling(67),
            Alert::Xruns(3),
            Alert::Temperature { celsius: 82 },
            Alert::DiskFull,
            Alert::DeviceFailed("hw:USB".into()),
            Alert::MonitorOff("hw:1,0".into()),
            Alert::NoInterface("hw:USB".into()),
            Alert::DeviceBusy("hw:USB".into()),
            Alert::ConfigError("line 12".into()),
        ];
        for alert in &alerts {
            assert!(alert.title().len() <= 15, "{}", alert.title());
        }
        assert_eq!(alerts[0].detail(), "10m");
        assert_eq!(alerts[2].detail(), "67%");
        assert_eq!(alerts[2].severity(), Severity::Warning);
        assert_eq!(alerts[4].detail(), "82\u{b0}C");
        assert_eq!(alerts[5].severity(), Severity::Critical);
        assert_eq!(alerts[0].severity(), Severity::Warning);
        // Takes still record: a warning, not a failure.
        assert_eq!(alerts[7].severity(), Severity::Warning);
        assert_eq!(alerts[7].detail(), "hw:1,0");
        // No input, no takes.
        assert_eq!(alerts[8].severity(), Severity::Critical);
        assert_eq!(alerts[9].severity(), Severity::Critical);
        // The box records, on its default config.
        assert_eq!(alerts[10].severity(), Severity::Warning);
        assert_eq!(alerts[10].detail(), "line 12");
    }

    #[test]
    fn buffer_fill_rounds_up_and_keeps_the_high_water_at_or_above_now() {
        let b = BufferFill::from_bytes(1, 0, 1000);
        assert_eq!((b.now_percent, b.high_water_percent), (1, 1));
        let b = BufferFill::from_bytes(0, 0, 1000);
        assert_eq!((b.now_percent, b.high_water_percent), (0, 0));
        let b = BufferFill::from_bytes(250, 755, 1000);
        assert_eq!((b.now_percent, b.high_water_percent), (25, 76));
        let b = BufferFill::from_bytes(2000, 2000, 1000);
        assert_eq!((b.now_percent, b.high_water_percent), (100, 100));
        assert_eq!(BufferFill::from_bytes(5, 5, 0), BufferFill::default());
    }
}
