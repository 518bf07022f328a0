//! The screen's state filled from the transport, the running take's counters and meters, and
//! the card's free space; the LEDs' warnings follow the same figures.

use std::time::Duration;

use capstan_board::leds::Warnings;
use capstan_ui::{Alert, TrackMeter, Transport as Shown, UiState};

use crate::config::RecorderConfig;
use crate::engine::Meters;
use crate::recorder::space;
use crate::transport::{EngineFault, State, Transport};

use super::input::{AudioInput, InputFault};
use super::recording::Recording;

/// How long a meter's peak hold stays before it falls to the current peak.
pub const PEAK_HOLD: Duration = Duration::from_millis(1500);

/// Ring fill (its high-water mark this take, in percent) above which the card counts as
/// stalling: audio is still safe, but the user is warned before the ring runs out.
pub const BUFFER_WARNING_PERCENT: u8 = 50;

/// Record time left below which the card counts as nearly full.
pub const NEARLY_FULL: Duration = Duration::from_secs(10 * 60);

/// What the status is made from, at one refresh.
pub struct View<'a> {
    /// The transport.
    pub transport: &'a Transport,
    /// The take being recorded, if any.
    pub recording: Option<&'a Recording>,
    /// The running input's meters (live while stopped too), if the input runs.
    pub meters: Option<&'a Meters>,
    /// The scene, for the next take's name.
    pub scene: &'a str,
    /// The input, for the data rate.
    pub input: &'a AudioInput,
    /// Free bytes on the card, if known.
    pub free: Option<u64>,
    /// The record path's settings: the layout and commit interval set the room a take keeps
    /// in reserve, which the record time left does not count.
    pub recorder: &'a RecorderConfig,
    /// The fault that stopped the last take, if any.
    pub fault: Option<EngineFault>,
    /// The input runs without its monitor (the playback device did not open).
    pub monitor_off: bool,
    /// Why the box has no input, while it waits for one.
    pub input_fault: Option<InputFault>,
    /// Why the box's config could not be read (it runs on its fallback).
    pub config_error: Option<&'a str>,
}

/// Keeps what the status needs from one refresh to the next: peak holds, clip marks and the
/// runs of dropped frames seen.
#[derive(Debug)]
pub struct StatusBoard {
    names: Vec<String>,
    holds: Vec<(f32, Duration)>,
    clipped: Vec<bool>,
    take: Option<u32>,
    dropped_seen: u64,
    drop_runs: u64,
    drops_shown: u64,
}

impl StatusBoard {
    /// A status for tracks named `names`.
    pub fn new(names: Vec<String>) -> StatusBoard {
        let n = names.len();
        StatusBoard {
            names,
            holds: vec![(f32::NEG_INFINITY, Duration::ZERO); n],
            clipped: vec![false; n],
            take: None,
            dropped_seen: 0,
            drop_runs: 0,
            drops_shown: 0,
        }
    }

    /// Fills `ui` from `view` at `now`, and the dropout and caution warnings of the LEDs.
    pub fn refresh(
        &mut self,
        ui: &mut UiState,
        warnings: &mut Warnings,
        view: View<'_>,
        now: Duration,
    ) {
        let armed = view.transport.armed();
        ui.transport = match view.transport.state() {
            State::Stopped => Shown::Stopped,
            State::Recording { .. } => Shown::Recording,
            State::Playing => Shown::Playing,
        };
        let mut peaks = vec![f32::NEG_INFINITY; self.names.len()];
        match view.recording {
            Some(r) => {
                if self.take != Some(r.number()) {
                    self.take = Some(r.number());
                    self.dropped_seen = 0;
                    self.drop_runs = 0;
                    self.drops_shown = 0;
                    ui.drops = 0;
                    self.clipped.fill(false);
                }
                ui.take = r
                    .name()
                    .unwrap_or_else(|| take_name(view.scene, r.number()));
                ui.elapsed = r.elapsed();
                let dropped = r.frames_dropped();
                if dropped > self.dropped_seen {
                    self.dropped_seen = dropped;
                    self.drop_runs += 1;
                }
                ui.drops = r.xruns() + self.drop_runs;
            }
            None => {
                ui.take = take_name(view.scene, view.transport.next_take());
                ui.elapsed = Duration::ZERO;
            }
        }
        if let Some(meters) = view.meters.or(view.recording.map(Recording::meters)) {
            for (c, peak) in peaks.iter_mut().enumerate().take(meters.channels()) {
                *peak = dbfs(meters.take_peak(c));
                self.clipped[c] |= meters.clips(c) > 0;
            }
        }
        ui.buffer = view.recording.map(Recording::buffer);
        if ui.drops > self.drops_shown {
            warnings.last_drop = Some(now);
        }
        self.drops_shown = ui.drops;
        ui.tracks = (0..self.names.len())
            .map(|c| {
                let (hold, at) = &mut self.holds[c];
                if peaks[c] >= *hold || now.saturating_sub(*at) >= PEAK_HOLD {
                    *hold = peaks[c];
                    *at = now;
                }
                TrackMeter {
                    name: self.names[c].clone(),
                    peak_dbfs: peaks[c],
                    hold_dbfs: *hold,
                    clipped: self.clipped[c],
                    armed: armed.contains(c as u8),
                }
            })
            .collect();
        let rate = data_rate(view.input, armed.count());
        let files = view.recorder.layout.files(armed.count() as usize);
        // A take stops when the card is down to its reserve: the time left ends there too.
        let reserve = space::take_reserve(
            data_rate(view.input, u32::from(view.input.channels())),
            view.recorder.commit_interval,
            files,
        );
        ui.remaining = view
            .free
            .and_then(|free| capstan_ui::remaining_record_time(free.saturating_sub(reserve), rate));
        ui.alerts.clear();
        // A caution that lasts blinks the warning LED from when it began.
        let mut caution = false;
        if let Some(left) = ui.remaining.filter(|&left| left < NEARLY_FULL) {
            ui.alerts.push(Alert::CardNearlyFull { remaining: left });
            caution = true;
        }
        if self.drop_runs > 0 {
            ui.alerts.push(Alert::CardTooSlow);
        } else if let Some(high) = ui
            .buffer
            .map(|b| b.high_water_percent)
            .filter(|&h| h > BUFFER_WARNING_PERCENT)
        {
            ui.alerts.push(Alert::BufferFilling(high));
            caution = true;
        }
        if let Some(xruns) = view.recording.map(|r| r.xruns()).filter(|&x| x > 0) {
            ui.alerts.push(Alert::Xruns(xruns));
        }
        // A mirror recording's medium dropped: "CARD ..." or "MIRROR ...", shown by its role.
        for why in view.recording.map_or_else(Vec::new, |r| r.dropped_media()) {
            let role = why.split(' ').next().unwrap_or("card").to_lowercase();
            ui.alerts
                .push(Alert::DeviceFailed(format!("{role} dropped")));
        }
        if let (
            true,
            AudioInput::Device {
                monitor: Some(m), ..
            },
        ) = (view.monitor_off, view.input)
        {
            ui.alerts.push(Alert::MonitorOff(m.clone()));
        }
        if let Some(e) = view.config_error {
            ui.alerts.push(Alert::ConfigError(line_of(e)));
            caution = true;
        }
        warnings.caution_since = match caution {
            true => warnings.caution_since.or(Some(now)),
            false => None,
        };
        match view.fault {
            Some(EngineFault::DiskFull) => ui.alerts.push(Alert::DiskFull),
            Some(EngineFault::DeviceFailed) => {
                let name = device_name(view.input);
                ui.alerts.push(match view.input_fault {
                    Some(InputFault::Absent) => Alert::NoInterface(name),
                    Some(InputFault::Busy) => Alert::DeviceBusy(name),
                    Some(InputFault::Failed) | None => Alert::DeviceFailed(name),
                })
            }
            Some(EngineFault::WriteFailed) => ui.alerts.push(Alert::DeviceFailed("card".into())),
            None => {}
        }
        ui.alerts.sort_by_key(|a| std::cmp::Reverse(a.severity()));
    }
}

/// Where a config error is: "line N" when it names its line, "[mixer]" for a mix the input
/// refused, else "".
fn line_of(error: &str) -> String {
    if error.starts_with("[mixer]") {
        return "[mixer]".into();
    }
    let Some(at) = error.find("line ") else {
        return String::new();
    };
    let digits: String = error[at + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        String::new()
    } else {
        format!("line {digits}")
    }
}

/// `<SCENE>-T<NNN>`, as the take's folder will be named.
fn take_name(scene: &str, number: u32) -> String {
    format!("{scene}-T{number:03}")
}

/// The input's name as an alert shows it.
fn device_name(input: &AudioInput) -> String {
    match input {
        AudioInput::Sim { .. } => "sim".into(),
        AudioInput::Device { name, .. } => name.clone(),
    }
}

/// A linear peak (0 to 1) in dBFS.
fn dbfs(peak: f32) -> f32 {
    if peak > 0.0 {
        20.0 * peak.log10()
    } else {
        f32::NEG_INFINITY
    }
}

/// Bytes per second `armed` tracks of the input write to the card.
fn data_rate(input: &AudioInput, armed: u32) -> u64 {
    let (rate, bytes) = match input {
        AudioInput::Sim { spec, .. } => (spec.rate, spec.format.bytes()),
        AudioInput::Device { request, .. } => (request.rate, 4),
    };
    capstan_ui::record_data_rate(armed.min(64) as u16, rate, bytes as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Layout;

    fn device_input() -> AudioInput {
        AudioInput::Device {
            name: "hw:1,0".into(),
            request: capstan_board::audio::alsa::HwRequest {
                channels: 2,
                rate: 48_000,
                formats: capstan_board::audio::alsa::DEFAULT_FORMATS.to_vec(),
                period_frames: 256,
                periods: 3,
            },
            monitor: Some("hw:2,0".into()),
        }
    }

    /// A stopped box's view with nothing wrong and the card's free space unknown.
    fn quiet_view<'a>(
        transport: &'a Transport,
        input: &'a AudioInput,
        recorder: &'a RecorderConfig,
    ) -> View<'a> {
        View {
            transport,
            recording: None,
            meters: None,
            scene: "S01",
            input,
            free: None,
            recorder,
            fault: None,
            monitor_off: false,
            input_fault: None,
            config_error: None,
        }
    }

    /// The alerts one refresh shows for a box with `input` and the given state.
    fn alerts(
        input: &AudioInput,
        fault: Option<EngineFault>,
        monitor_off: bool,
        input_fault: Option<InputFault>,
    ) -> Vec<Alert> {
        let transport =
            Transport::new(crate::transport::TransportConfig::default(), 1).expect("transport");
        let mut board = StatusBoard::new(vec!["In01".into(), "In02".into()]);
        let mut ui = UiState::default();
        let recorder = RecorderConfig::default();
        let view = View {
            fault,
            monitor_off,
            input_fault,
            ..quiet_view(&transport, input, &recorder)
        };
        board.refresh(&mut ui, &mut Warnings::default(), view, Duration::ZERO);
        ui.alerts
    }

    #[test]
    fn a_monitor_that_did_not_open_is_a_warning_naming_its_device() {
        let input = device_input();
        for monitor_off in [true, false] {
            let shown = alerts(&input, None, monitor_off, None);
            let warned = shown.contains(&Alert::MonitorOff("hw:2,0".into()));
            assert_eq!(warned, monitor_off, "{shown:?}");
        }
    }

    #[test]
    fn a_missing_input_is_told_apart_from_a_busy_or_failed_one() {
        let input = device_input();
        let failed = Some(EngineFault::DeviceFailed);
        let cases = [
            (
                Some(InputFault::Absent),
                Alert::NoInterface("hw:1,0".into()),
            ),
            (Some(InputFault::Busy), Alert::DeviceBusy("hw:1,0".into())),
            (
                Some(InputFault::Failed),
                Alert::DeviceFailed("hw:1,0".into()),
            ),
            // A device that failed while running (mid-take).
            (None, Alert::DeviceFailed("hw:1,0".into())),
        ];
        for (why, want) in cases {
            assert_eq!(alerts(&input, failed, false, why), [want]);
        }
    }

    #[test]
    fn a_lasting_caution_blinks_from_when_it_began() {
        let transport =
            Transport::new(crate::transport::TransportConfig::default(), 1).expect("transport");
        let input = device_input();
        let mut board = StatusBoard::new(vec!["In01".into(), "In02".into()]);
        let (mut ui, mut warnings) = (UiState::default(), Warnings::default());
        for (ms, config_error) in [
            (0, Some("line 3: x")),
            (700, Some("line 3: x")),
            (900, None),
        ] {
            let recorder = RecorderConfig::default();
            let view = View {
                config_error,
                ..quiet_view(&transport, &input, &recorder)
            };
            board.refresh(&mut ui, &mut warnings, view, Duration::from_millis(ms));
            let want = config_error.map(|_| Duration::ZERO);
            assert_eq!(warnings.caution_since, want, "at {ms} ms");
        }
    }

    #[test]
    fn the_record_time_left_ends_where_a_take_keeps_its_reserve() {
        let mut transport =
            Transport::new(crate::transport::TransportConfig::default(), 1).expect("transport");
        for track in [0, 1] {
            transport.handle(crate::transport::Event::Arm { track, armed: true });
        }
        let input = device_input();
        // Both tracks of a 2-channel input armed, at 48 kHz, 4 bytes a sample.
        let per_second = 384_000;
        for (layout, files) in [(Layout::Mono, 2), (Layout::Poly, 1)] {
            for commit_interval in [1.0, 2.0] {
                let recorder = RecorderConfig {
                    layout,
                    commit_interval,
                    ..RecorderConfig::default()
                };
                // The input's audio for two commits and a second, and 1 MiB per file.
                let reserve =
                    per_second as f64 * (2.0 * commit_interval + 1.0) + files as f64 * 1048576.0;
                let mut board = StatusBoard::new(vec!["In01".into(), "In02".into()]);
                let mut ui = UiState::default();
                for (free, left) in [
                    (reserve as u64 + 600 * per_second, Some(600)),
                    (reserve as u64 + 3 * per_second / 2, Some(1)),
                    (reserve as u64 / 2, Some(0)),
                ] {
                    let view = View {
                        free: Some(free),
                        ..quiet_view(&transport, &input, &recorder)
                    };
                    board.refresh(&mut ui, &mut Warnings::default(), view, Duration::ZERO);
                    assert_eq!(
                        ui.remaining.map(|d| d.as_secs()),
                        left,
                        "{free} bytes free, {layout:?}, commit every {commit_interval} s"
                    );
                }
            }
        }
    }

    #[test]
    fn a_config_error_shows_the_line_it_names() {
        assert_eq!(
            line_of("config file /boot/firmware/capstan.toml: line 12: unknown field `chanels`"),
            "line 12"
        );
        assert_eq!(
            line_of("cannot read the config file x: Permission denied"),
            ""
        );
        assert_eq!(
            line_of("[mixer]: track 1 \"Kick\" takes input channel 7, but ..."),
            "[mixer]"
        );
    }

    #[test]
    fn peaks_read_in_dbfs() {
        assert_eq!(dbfs(1.0), 0.0);
        assert!((dbfs(0.5) + 6.02).abs() < 0.01);
        assert_eq!(dbfs(0.0), f32::NEG_INFINITY);
    }
}
