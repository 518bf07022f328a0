//! The whole box headless: scripted, bouncing button presses on a virtual clock kept in step
//! with the wall clock drive the main loop, which records the sim board's counter signal. REC
//! (with tracks armed) starts a take, a tapped STOP does not end it, MARK marks it, a held STOP
//! ends it; the take's files verify, carry the markers where they were pressed, and the
//! terminal screen showed the take recording.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use capstan::app::{App, AppOptions, AudioInput, Board, Screen};
use capstan::config::Config;
use capstan::transport::RecAgain;
use capstan_board::audio::{Signal, StreamSpec};
use capstan_board::buttons::{Button, DebounceConfig, ScriptedButtons};
use capstan_board::display::DisplayError;
use capstan_board::leds::{Led, LedError, Leds};
use capstan_bwf::reader::{self, MarkerSource};
use capstan_bwf::{verify, SampleFormat};
use capstan_ui::UiState;

mod box_harness;
use box_harness::*;

#[test]
fn scripted_panel_records_marks_and_stops_a_take() {
    let dir = tempfile::tempdir().unwrap();
    let mut edges = press(Button::MarkArm, 50, 120); // arms every track
    edges.extend(press(Button::Rec, 200, 260)); // take 1 starts
    edges.extend(press(Button::Stop, 450, 520)); // a tap: the take goes on
    edges.extend(press(Button::MarkArm, 800, 860)); // M1, 0.6 s into the take
    edges.extend(press(Button::Rec, 1200, 1260)); // REC again: M2, 1.0 s in
    edges.extend(press(Button::Stop, 1500, 2200)); // held: the take ends at 2.0 s
    let Run {
        takes,
        terminal,
        leds,
    } = run_box(edges, dir.path().join("takes"), 2500, RecAgain::Marker);

    assert_eq!(takes.len(), 1, "one take, not stopped by the tap");
    let take = &takes[0];
    assert!(take.dir.ends_with("S01-T001"), "{:?}", take.dir);
    assert_eq!(take.failure, None);
    let secs = take.frames as f64 / f64::from(RATE);
    // Recorded from REC (0.2 s) to the held STOP's end (2.0 s): 1.8 s, whatever the machine's
    // load adds to the thread start and stop.
    assert!((1.5..2.3).contains(&secs), "{secs} s recorded");
    assert_eq!(take.files.len(), 2);
    for f in &take.files {
        let w = reader::read(&f.path).unwrap();
        assert_eq!(verify::structure(&w), Vec::<String>::new(), "{:?}", f.path);
        assert_eq!(
            verify::counter(&w).unwrap().0,
            take.frames,
            "the counter runs unbroken"
        );
        assert_eq!(w.marker_source, Some(MarkerSource::Cue));
        let labels: Vec<&str> = w.markers.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["M1", "M2"], "{:?}", f.path);
        let at: Vec<f64> = w
            .markers
            .iter()
            .map(|m| m.position as f64 / f64::from(RATE))
            .collect();
        // Pressed 0.6 s and 1.0 s after REC; the take's first frame comes a little after REC.
        assert!((0.35..0.7).contains(&at[0]), "M1 at {} s", at[0]);
        let apart = at[1] - at[0];
        assert!((0.3..0.5).contains(&apart), "M2 {apart} s after M1");
    }

    // The tally lit for the take and went out with it.
    assert_eq!(leds, [(Led::RecTally, true), (Led::RecTally, false)]);

    // Some frame of the terminal screen showed the take recording, by name.
    let frames: Vec<&str> = terminal.split("\x1b[H").collect();
    assert!(frames.len() > 10, "{} frames drawn", frames.len());
    assert!(
        frames
            .iter()
            .any(|f| f.contains("REC  S01-T001") && f.contains("M1")),
        "no frame showed take S01-T001 recording with marker M1"
    );
    let last = frames.last().unwrap();
    assert!(last.contains("STOP  S01-T002"), "{last}");
    assert!(
        last.contains('█') || last.contains('▀'),
        "the panel is drawn"
    );
}

#[test]
fn rec_on_a_card_below_the_reserve_shows_card_full() {
    use capstan::recorder::mirror::faults::{self, MediumFault};
    let dir = tempfile::tempdir().unwrap();
    let takes = dir.path().join("takes");
    std::fs::create_dir(&takes).unwrap();
    faults::inject(
        &takes,
        MediumFault {
            free_bytes: Some((0, 1_000_000)),
            ..Default::default()
        },
    );
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 200, 260));
    let run = run_box(edges, takes.clone(), 900, RecAgain::Marker);
    faults::clear(&takes);
    assert!(run.takes.is_empty(), "no take is made");
    let left: Vec<_> = std::fs::read_dir(&takes).unwrap().collect();
    assert!(left.is_empty(), "no take folder of empty files: {left:?}");
    let last = run.terminal.split("\x1b[H").last().unwrap();
    assert!(last.contains("! Card full"), "{last}");
    assert!(!last.contains("Device failed"), "{last}");
    // The refused take made no folder, so it used up no number.
    assert!(last.contains("STOP  S01-T001"), "{last}");
}

#[test]
fn a_take_that_cannot_start_stops_the_transport_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("card");
    std::fs::write(&not_a_folder, b"a file where the takes folder should be").unwrap();
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 200, 260));
    let run = run_box(edges, not_a_folder, 800, RecAgain::Marker);
    assert!(run.takes.is_empty());
    let last = run.terminal.split("\x1b[H").last().unwrap();
    assert!(last.contains("STOP  S01-T001"), "{last}");
    assert!(last.contains("! Device failed card"), "{last}");
    assert!(
        last.contains("stopped: writing to the card failed"),
        "{last}"
    );
    assert!(
        run.leds.contains(&(Led::Warning, true)),
        "the warning LED blinks: {:?}",
        run.leds
    );
}

#[test]
fn a_box_whose_interface_is_not_there_shows_it_and_refuses_rec_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = box_options(
        harness_config(),
        dir.path().join("takes"),
        1500,
        RecAgain::Marker,
    );
    options.input = AudioInput::Device {
        name: "hw:CapstanNoSuchCard,0".into(),
        request: capstan_board::audio::alsa::HwRequest {
            channels: 2,
            rate: 48_000,
            formats: capstan_board::audio::alsa::DEFAULT_FORMATS.to_vec(),
            period_frames: 256,
            periods: 3,
        },
        monitor: None,
    };
    // Nothing pressed at first: the fault shows before anyone tries to record.
    let mut edges = press(Button::MarkArm, 700, 760);
    edges.extend(press(Button::Rec, 900, 960));
    let run = run_box_with(options, edges);
    assert!(run.takes.is_empty());
    let screens: Vec<&str> = run.terminal.split("\x1b[H").collect();
    let before_rec = screens
        .iter()
        .find(|s| s.contains("STOP  S01-T001"))
        .expect("a screen while stopped");
    assert!(
        before_rec.contains("! No interface hw:CapstanNoSuchCard,0"),
        "{before_rec}"
    );
    let last = screens.last().unwrap();
    assert!(
        last.contains("cannot record: cannot open the audio device hw:CapstanNoSuchCard,0"),
        "{last}"
    );
    assert!(
        run.leds.first() == Some(&(Led::Warning, true)),
        "the warning LED blinks from the start: {:?}",
        run.leds
    );
}

#[test]
fn rec_again_can_close_the_take_and_open_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 200, 260)); // take 1
    edges.extend(press(Button::Rec, 900, 960)); // take 2
    edges.extend(press(Button::Stop, 1400, 2000)); // held: take 2 ends at 1.9 s
    let run = run_box(edges, dir.path().join("takes"), 2200, RecAgain::NewTake);
    let names: Vec<String> = run
        .takes
        .iter()
        .map(|t| t.dir.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["S01-T001", "S01-T002"]);
    for (take, secs) in run.takes.iter().zip([0.7, 1.0]) {
        let got = take.frames as f64 / f64::from(RATE);
        assert!(
            (got - secs).abs() < 0.25,
            "{names:?}: {got} s, not about {secs} s"
        );
        for f in &take.files {
            let w = reader::read(&f.path).unwrap();
            assert_eq!(verify::structure(&w), Vec::<String>::new(), "{:?}", f.path);
            assert_eq!(verify::counter(&w).unwrap().0, take.frames);
            assert!(w.markers.is_empty(), "REC made a take, not a marker");
        }
    }
    // The tally stayed lit across the change of take.
    assert_eq!(run.leds, [(Led::RecTally, true), (Led::RecTally, false)]);
}

/// A display whose bus has failed.
struct BrokenScreen;

impl Screen for BrokenScreen {
    fn show(&mut self, _: &UiState, _: Option<&str>) -> Result<(), DisplayError> {
        Err(DisplayError::Unsupported(
            "the panel stopped answering".into(),
        ))
    }
}

/// LEDs whose GPIO lines have gone.
struct BrokenLeds;

impl Leds for BrokenLeds {
    fn set(&mut self, _: Led, _: bool) -> Result<(), LedError> {
        Err(LedError::Gpio(
            capstan_board::profile::cdev::GpioError::NoChip("gpio-test".into()),
        ))
    }
}

#[test]
fn a_failing_display_or_led_does_not_end_the_take() {
    let dir = tempfile::tempdir().unwrap();
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 200, 260));
    edges.extend(press(Button::Stop, 700, 1300)); // held: the take ends at 1.2 s
    let board = Board {
        buttons: Box::new(ScriptedButtons::new(edges, DebounceConfig::default())),
        leds: Box::new(BrokenLeds),
        screen: Some(Box::new(BrokenScreen)),
    };
    let options = AppOptions {
        config: Config::default(),
        out: dir.path().join("takes"),
        input: AudioInput::Sim {
            spec: StreamSpec {
                channels: 1,
                rate: RATE,
                format: SampleFormat::I16,
            },
            signal: Signal::Counter,
            period_frames: 256,
            fast: false,
        },
        audio: Default::default(),
        rec_again: RecAgain::Marker,
        until: Some(ms(1500)),
        pace: true,
        quit: Arc::new(AtomicBool::new(false)),
        config_error: None,
    };
    let takes = App::new(options, board).run().unwrap();
    assert_eq!(takes.len(), 1);
    let secs = takes[0].frames as f64 / f64::from(RATE);
    assert!((0.75..1.25).contains(&secs), "{secs} s");
    let w = reader::read(&takes[0].files[0].path).unwrap();
    assert_eq!(verify::counter(&w).unwrap().0, takes[0].frames);
}

#[test]
fn a_box_with_a_mixer_saves_the_mix_heard_with_each_take() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("takes");
    let mut config = harness_config();
    let mut state = capstan_mixer::MixerState::with_mono_tracks(2);
    state.tracks[1].fader_db = -6.0;
    config.mixer = Some(capstan::config::MixerConfig {
        board_mix: true,
        state: state.clone(),
    });
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 200, 260));
    edges.extend(press(Button::Stop, 900, 1600));
    let run = run_box_with(
        box_options(config, out.clone(), 1900, RecAgain::Marker),
        edges,
    );
    assert_eq!(run.takes.len(), 1);
    let take = &run.takes[0];
    assert_eq!(take.failure, None);
    // The mix the monitor played is saved beside the tracks, as `capstan record` saves it.
    let text = std::fs::read_to_string(take.dir.join("S01-T001.mix.toml"))
        .expect("the take keeps the mix heard");
    let mix: capstan_mixer::TakeMix =
        toml::from_str(&text).expect("the mix file reads back as a TakeMix");
    assert_eq!(mix.mixer, state);
    assert_eq!((mix.rate, mix.input_channels), (RATE, 2));
    // The box does not print the board mix while it records: the file says so.
    assert!(!mix.board_mix);
    assert!(!take.dir.join("S01-T001_MIX.wav").exists());
    for f in &take.files {
        let w = reader::read(&f.path).unwrap();
        assert_eq!(verify::counter(&w).unwrap().0, take.frames, "{:?}", f.path);
    }
}

#[test]
fn a_mix_the_input_cannot_play_leaves_the_plain_sum_and_says_so_and_takes_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = harness_config();
    let mut state = capstan_mixer::MixerState::with_mono_tracks(2);
    state.tracks[1].input = capstan_mixer::TrackInput::Mono(7);
    config.mixer = Some(capstan::config::MixerConfig {
        board_mix: false,
        state,
    });
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 200, 260));
    edges.extend(press(Button::Stop, 700, 1400));
    let run = run_box_with(
        box_options(config, dir.path().join("takes"), 1700, RecAgain::Marker),
        edges,
    );
    assert_eq!(run.takes.len(), 1, "the take records whatever the mix");
    let take = &run.takes[0];
    assert_eq!(take.failure, None);
    assert_eq!(take.files.len(), 2);
    assert!(
        !take.dir.join("S01-T001.mix.toml").exists(),
        "no mix was heard, so none is saved"
    );
    let last = run.terminal.split("\x1b[H").last().unwrap();
    assert!(last.contains("Config error [mixer]"), "{last}");
}

#[test]
fn a_box_whose_mirror_is_missing_at_rec_records_on_the_card_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("takes");
    let mirror = dir.path().join("card2/takes");
    let mut config = harness_config();
    config.recorder.mirror = Some(mirror.clone());
    let mut edges = press(Button::MarkArm, 50, 120);
    edges.extend(press(Button::Rec, 200, 260));
    edges.extend(press(Button::Stop, 900, 1600));
    let run = run_box_with(
        box_options(config, out.clone(), 1900, RecAgain::Marker),
        edges,
    );
    // The take is on the card (it did not start at all before).
    assert_eq!(run.takes.len(), 1, "{}", run.terminal);
    let take = &run.takes[0];
    assert_eq!(take.failure, None);
    assert_eq!(take.dir, out.join("S01-T001"));
    assert!(!mirror.exists());
    for f in &take.files {
        let w = reader::read(&f.path).unwrap();
        assert_eq!(verify::counter(&w).unwrap().0, take.frames, "{:?}", f.path);
        let note = w.ixml.unwrap().note;
        assert!(
            note.contains(&format!("MIRROR {} LEFT OUT at REC", mirror.display())),
            "{note}"
        );
    }
    let shown = run
        .terminal
        .split("\x1b[H")
        .any(|s| s.contains("mirror dropped"));
    assert!(shown, "{}", run.terminal.split("\x1b[H").last().unwrap());
}
