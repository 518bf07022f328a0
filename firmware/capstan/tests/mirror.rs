//! Mirror recording: the same take on two media, and a medium that fails mid-take dropped with
//! an alert and a NOTE while the other records on; and a card alone that is full or fails,
//! where the take stops and says why in its NOTE. Failures are injected into one medium
//! through the recorder's fault hook (`recorder::mirror::faults`); every file left is checked
//! as `take verify --pattern counter` checks it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use capstan::config::Config;
use capstan::recorder::mirror::faults::{self, MediumFault, Op};
use capstan::recorder::{
    record_take_live, LiveTake, MirrorMissing, RecordError, TakeReport, TakeRequest,
};
use capstan_board::audio::{Signal, SimSource, StreamSpec};
use capstan_bwf::{reader, verify, SampleFormat};

mod common;

const CHANNELS: u16 = 4;
const RATE: u32 = 48_000;

/// Records `seconds` of the counter signal in fast mode into `card`, mirrored to `mirror`,
/// committing at every turn of the writer loop.
fn record(card: &Path, mirror: &Path, seconds: u64) -> (TakeReport, LiveTake) {
    record_to(card, Some(mirror), seconds)
}

/// As [`record`], with or without a mirror.
fn record_to(card: &Path, mirror: Option<&Path>, seconds: u64) -> (TakeReport, LiveTake) {
    let live = LiveTake::new();
    let report = start_with(card, mirror, seconds, &live).expect("the take starts");
    (report, live)
}

/// As [`record_to`], giving back why the take could not start.
fn start_take(card: &Path, mirror: Option<&Path>, seconds: u64) -> Result<TakeReport, RecordError> {
    start_with(card, mirror, seconds, &LiveTake::new())
}

fn start_with(
    card: &Path,
    mirror: Option<&Path>,
    seconds: u64,
    live: &LiveTake,
) -> Result<TakeReport, RecordError> {
    start_with_policy(card, mirror, seconds, live, MirrorMissing::Refuse)
}

fn start_with_policy(
    card: &Path,
    mirror: Option<&Path>,
    seconds: u64,
    live: &LiveTake,
    mirror_missing: MirrorMissing,
) -> Result<TakeReport, RecordError> {
    let mut config = Config::default();
    config.recorder.mirror = mirror.map(Path::to_path_buf);
    config.recorder.commit_interval = 0.0;
    let spec = StreamSpec {
        channels: CHANNELS,
        rate: RATE,
        format: SampleFormat::I24,
    };
    let source = SimSource::new(spec, Signal::Counter, config.recorder.period_frames, true)
        .expect("sim source");
    let req = TakeRequest {
        config,
        out: card.to_path_buf(),
        frames: Some(seconds * u64::from(RATE)),
        writer: Default::default(),
        audio: Default::default(),
        tracks: None,
        mirror_missing,
    };
    record_take_live(source, None, &req, Arc::new(AtomicBool::new(false)), live)
}

fn wavs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wav"))
        .collect();
    v.sort();
    v
}

/// Checks every file in `dir` as `take verify --pattern counter` does; returns the frames of
/// each and its iXML NOTE.
fn verified(dir: &Path) -> Vec<(u64, String)> {
    let files = wavs(dir);
    assert_eq!(files.len(), usize::from(CHANNELS), "{}", dir.display());
    files
        .iter()
        .map(|p| {
            let w = reader::read(p).unwrap();
            assert_eq!(
                verify::structure(&w),
                Vec::<String>::new(),
                "{}",
                p.display()
            );
            let run = verify::counter_with_losses(&w)
                .unwrap_or_else(|e| panic!("{}: counter broken at {e}", p.display()));
            assert_eq!(run.start, Some(0), "{}", p.display());
            let note = w.ixml.as_ref().map(|x| x.note.clone()).unwrap_or_default();
            (run.frames, note)
        })
        .collect()
}

#[test]
fn both_media_hold_the_same_take_byte_for_byte() {
    let (card, mirror) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::create_dir(mirror.path().join("S01-T003")).unwrap();
    let (r, live) = record(card.path(), mirror.path(), 2);
    assert_eq!(r.failure, None);
    assert_eq!(r.frames, 2 * u64::from(RATE));
    assert!(live.dropped_media().is_empty());
    // The number is free on both media: T004, the same name on each.
    assert_eq!(r.dir, card.path().join("S01-T004"));
    let copy = mirror.path().join("S01-T004");
    for (a, b) in wavs(&r.dir).iter().zip(wavs(&copy)) {
        assert_eq!(a.file_name(), b.file_name());
        assert!(
            std::fs::read(a).unwrap() == std::fs::read(&b).unwrap(),
            "{} and {} differ",
            a.display(),
            b.display()
        );
    }
    for (frames, note) in verified(&r.dir).into_iter().chain(verified(&copy)) {
        assert_eq!(frames, r.frames);
        assert_eq!(note, "");
    }
}

#[test]
fn a_mirror_failing_with_eio_is_dropped_and_the_card_records_on() {
    let (card, mirror) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    faults::inject(
        mirror.path(),
        MediumFault {
            fail: Some((Op::Write, u64::from(RATE), libc::EIO)),
            ..Default::default()
        },
    );
    let (r, live) = record(card.path(), mirror.path(), 3);
    faults::clear(mirror.path());
    assert_eq!(r.failure, None, "the take goes on on the card");
    assert_eq!(r.frames, 3 * u64::from(RATE));
    assert_eq!(r.frames_dropped, 0);
    let alerts = live.dropped_media();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        alerts[0].starts_with("MIRROR") && alerts[0].contains("DROPPED"),
        "{}",
        alerts[0]
    );
    assert!(alerts[0].contains("os error 5"), "the cause: {}", alerts[0]);
    for (frames, note) in verified(&r.dir) {
        assert_eq!(frames, r.frames);
        assert!(
            note.contains("MIRROR") && note.contains("DROPPED"),
            "{note}"
        );
        assert!(note.contains("os error 5"), "{note}");
    }
    // The mirror's files are closed at what they hold, and say where their copy ends.
    let copy = mirror.path().join(r.dir.file_name().unwrap());
    for (frames, note) in verified(&copy) {
        assert!(frames >= u64::from(RATE) && frames < r.frames, "{frames}");
        assert!(note.contains("MIRROR COPY ENDS"), "{note}");
    }
}

#[test]
fn a_card_failing_to_sync_is_dropped_and_the_mirror_records_on() {
    let (card, mirror) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    faults::inject(
        card.path(),
        MediumFault {
            fail: Some((Op::Sync, u64::from(RATE) / 2, libc::ENOSPC)),
            ..Default::default()
        },
    );
    let (r, live) = record(card.path(), mirror.path(), 2);
    faults::clear(card.path());
    assert_eq!(r.failure, None);
    assert_eq!(r.frames, 2 * u64::from(RATE));
    let alerts = live.dropped_media();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].starts_with("CARD"), "{}", alerts[0]);
    assert!(
        alerts[0].contains("DISK FULL"),
        "ENOSPC reads as DISK FULL: {}",
        alerts[0]
    );
    // The report's files are the mirror's now.
    let copy = mirror.path().join(r.dir.file_name().unwrap());
    assert!(r.files.iter().all(|f| f.path.starts_with(&copy)));
    for (frames, note) in verified(&copy) {
        assert_eq!(frames, r.frames);
        assert!(note.contains("CARD") && note.contains("DROPPED"), "{note}");
    }
}

#[test]
fn a_mirror_reaching_its_disk_full_reserve_is_dropped() {
    let (card, mirror) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    faults::inject(
        mirror.path(),
        MediumFault {
            free_bytes: Some((u64::from(RATE), 1_000_000)),
            ..Default::default()
        },
    );
    let (r, live) = record(card.path(), mirror.path(), 2);
    faults::clear(mirror.path());
    assert_eq!(r.failure, None);
    assert_eq!(r.frames, 2 * u64::from(RATE));
    let alerts = live.dropped_media();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        alerts[0].contains("DISK FULL: 1.0 MB left"),
        "{}",
        alerts[0]
    );
    for (frames, note) in verified(&r.dir) {
        assert_eq!(frames, r.frames);
        assert!(note.contains("DISK FULL"), "{note}");
    }
}

#[test]
fn when_the_last_medium_fails_the_take_stops_as_without_a_mirror() {
    let (card, mirror) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    faults::inject(
        mirror.path(),
        MediumFault {
            fail: Some((Op::Write, u64::from(RATE) / 2, libc::EIO)),
            ..Default::default()
        },
    );
    // Writes go out in blocks of about 1.8 s: the card fails two blocks after the mirror.
    faults::inject(
        card.path(),
        MediumFault {
            fail: Some((Op::Write, 3 * u64::from(RATE), libc::EIO)),
            ..Default::default()
        },
    );
    let (r, live) = record(card.path(), mirror.path(), 5);
    faults::clear(mirror.path());
    faults::clear(card.path());
    let failure = r.failure.expect("the take stopped");
    assert!(failure.contains("os error 5"), "{failure}");
    assert!(r.frames < 5 * u64::from(RATE));
    assert!(live.dropped_media()[0].starts_with("MIRROR"));
    assert_eq!(live.dropped_media().len(), 1);
    // The card's files are closed as a failed take's are, and still say the mirror went first.
    for (frames, note) in verified(&r.dir) {
        assert!(frames >= u64::from(RATE) / 2, "{frames}");
        assert!(
            note.contains("MIRROR") && note.contains("DROPPED"),
            "{note}"
        );
    }
}

#[test]
fn a_card_below_the_reserve_at_rec_makes_no_take_and_says_disk_full() {
    let card = tempfile::tempdir().unwrap();
    faults::inject(
        card.path(),
        MediumFault {
            free_bytes: Some((0, 1_000_000)),
            ..Default::default()
        },
    );
    let started = start_take(card.path(), None, 3);
    faults::clear(card.path());
    match started {
        Err(RecordError::DiskFull(why)) => {
            assert!(why.contains("DISK FULL: 1.0 MB left"), "{why}");
            assert!(why.contains("no take was started"), "{why}")
        }
        other => panic!("a take on a full card: {:?}", other.map(|r| r.dir)),
    }
    let left: Vec<_> = std::fs::read_dir(card.path()).unwrap().collect();
    assert!(left.is_empty(), "no take folder of empty files: {left:?}");
}

#[test]
fn a_card_failing_alone_stops_the_take_with_the_cause_in_its_note() {
    let card = tempfile::tempdir().unwrap();
    faults::inject(
        card.path(),
        MediumFault {
            fail: Some((Op::Write, u64::from(RATE), libc::ENOSPC)),
            ..Default::default()
        },
    );
    let (r, _) = record_to(card.path(), None, 3);
    faults::clear(card.path());
    let failure = r.failure.expect("the take stopped");
    assert!(failure.starts_with("DISK FULL"), "{failure}");
    assert!(r.frames >= u64::from(RATE) && r.frames < 3 * u64::from(RATE));
    for (frames, note) in verified(&r.dir) {
        assert!(frames >= u64::from(RATE) / 2, "{frames}");
        assert!(note.contains("TAKE STOPPED EARLY: DISK FULL"), "{note}");
        assert!(note.contains("os error 28"), "{note}");
    }
}

/// `capstan record` of 1 s of 4 sim channels onto `card` and `mirror`.
#[test]
fn a_missing_mirror_refuses_the_take_or_leaves_it_on_the_card_as_asked() {
    let card = tempfile::tempdir().unwrap();
    let gone = card.path().join("card2/takes");
    // Refused: nothing made, the mirror named.
    match start_take(card.path(), Some(&gone), 1) {
        Err(RecordError::Mirror { mirror, .. }) => assert_eq!(mirror, gone),
        other => panic!("expected the mirror refused, got {other:?}"),
    }
    assert_eq!(std::fs::read_dir(card.path()).unwrap().count(), 0);
    // On the card alone: the whole take there, the alert raised, the NOTE saying why.
    let live = LiveTake::new();
    let report = start_with_policy(card.path(), Some(&gone), 1, &live, MirrorMissing::CardAlone)
        .expect("the take records on the card");
    assert_eq!(report.failure, None);
    assert_eq!(report.frames, u64::from(RATE));
    let left_out = format!("MIRROR {} LEFT OUT at REC", gone.display());
    for (frames, note) in verified(&report.dir) {
        assert_eq!(frames, report.frames);
        assert!(note.contains(&left_out), "{note}");
    }
    let alerts = live.dropped_media();
    assert!(
        alerts.len() == 1 && alerts[0].contains(&left_out),
        "{alerts:?}"
    );
    assert!(!gone.exists(), "the mirror folder is never made");
}

fn record_cli(card: &Path, mirror: &Path) -> std::process::Output {
    let args: [&OsStr; 11] = [
        "record".as_ref(),
        "--sim".as_ref(),
        "--channels".as_ref(),
        "4".as_ref(),
        "--seconds".as_ref(),
        "1".as_ref(),
        "--fast".as_ref(),
        "--out".as_ref(),
        card.as_os_str(),
        "--mirror".as_ref(),
        mirror.as_os_str(),
    ];
    common::capstan(args)
}

#[test]
fn the_command_line_refuses_a_missing_mirror_before_recording() {
    let card = tempfile::tempdir().unwrap();
    let gone = card.path().join("card2/takes");
    let out = record_cli(card.path(), &gone);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is the mirror card mounted"), "{err}");
    // An empty name in the config (`mirror = ""`) is not taken for the current folder.
    let config = card.path().join("capstan.toml");
    std::fs::write(&config, "[recorder]\nmirror = \"\"\n").unwrap();
    let args: [&OsStr; 8] = [
        "--config".as_ref(),
        config.as_os_str(),
        "record".as_ref(),
        "--sim".as_ref(),
        "--seconds".as_ref(),
        "1".as_ref(),
        "--out".as_ref(),
        card.path().as_os_str(),
    ];
    let out = common::capstan(args);
    std::fs::remove_file(&config).unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the mirror folder is empty: name a folder"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(card.path()).unwrap().count(),
        0,
        "no take was made"
    );
}

#[test]
fn the_command_line_records_both_copies() {
    let (card, mirror) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out = record_cli(card.path(), mirror.path());
    let dir = common::take_dir(&out);
    let copy = mirror.path().join(dir.file_name().unwrap());
    for d in [&dir, &copy] {
        for (frames, _) in verified(d) {
            assert_eq!(frames, u64::from(RATE));
        }
    }
}
