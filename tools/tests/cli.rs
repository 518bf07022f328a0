//! `take` on good, broken and wrong inputs: messages a user can act on and exit codes a script
//! can use (0 good, 1 problems, 2 unreadable / not WAV).

mod common;
use common::{counter_file, take_on, text};

use std::path::Path;

use capstan_bwf::counter;
use capstan_bwf::writer::{WavWriter, WriterOptions};
use capstan_bwf::{FileMeta, SampleFormat, WavSpec};

#[test]
fn a_good_file_verifies_and_shows_its_fields() {
    let d = tempfile::tempdir().unwrap();
    let f = counter_file(d.path(), "a.wav", 4800);
    let o = take_on(&["verify", "--pattern", "counter"], &f);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("4800 frames, counter signal gapless and bit-exact"));
    let one = counter_file(d.path(), "one.wav", 1);
    let o = take_on(&["verify", "--pattern", "counter"], &one);
    assert!(
        text(&o).contains("one.wav: 1 frame, counter signal gapless"),
        "{}",
        text(&o)
    );
    let o = take_on(&["info"], &f);
    assert_eq!(o.status.code(), Some(0));
    let t = text(&o);
    assert!(
        t.contains("originator   Capstan") && t.contains("scene / take Gig") && t.contains("data"),
        "{t}"
    );
    let o = take_on(&["info", "--json"], &f);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["fmt"]["channels"], 2);
    assert_eq!(v["ixml"]["scene"], "Gig");
    assert_eq!(v["container"], "Riff");
}

#[test]
fn a_damaged_pattern_fails_with_the_frame() {
    let d = tempfile::tempdir().unwrap();
    let f = counter_file(d.path(), "a.wav", 1000);
    let mut bytes = std::fs::read(&f).unwrap();
    let data = capstan_bwf::read(&f).unwrap().data.unwrap().offset as usize;
    bytes[data + 500 * 6 + 1] ^= 0x40; // frame 500, channel 0
    std::fs::write(&f, bytes).unwrap();
    let o = take_on(&["verify", "--pattern", "counter"], &f);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("frame 500 (channel 0)"), "{}", text(&o));
}

#[test]
fn a_cut_file_fails_verify_then_recovers_once() {
    let d = tempfile::tempdir().unwrap();
    let f = counter_file(d.path(), "a.wav", 1000);
    let len = std::fs::metadata(&f).unwrap().len();
    // Stale header (data size 0, as after a crash before the first commit) and a partial frame.
    let mut bytes = std::fs::read(&f).unwrap();
    let data = capstan_bwf::read(&f).unwrap().data.unwrap().offset as usize;
    bytes[data - 4..data].copy_from_slice(&0u32.to_le_bytes());
    bytes.truncate(len as usize - 4);
    std::fs::write(&f, bytes).unwrap();
    assert_eq!(take_on(&["verify"], &f).status.code(), Some(1));
    let o = take_on(&["recover"], &f);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("recovered") && text(&o).contains("999 frames"),
        "{}",
        text(&o)
    );
    let o = take_on(&["recover"], &f);
    assert!(text(&o).contains("nothing to change"), "{}", text(&o));
    assert_eq!(
        take_on(&["verify", "--pattern", "counter"], &f)
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn recover_leaves_a_file_being_recorded_alone() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("live.wav");
    let spec = WavSpec {
        channels: 2,
        sample_rate: 48_000,
        format: SampleFormat::I24,
    };
    let mut w =
        WavWriter::create(&f, spec, &FileMeta::default(), WriterOptions::default()).unwrap();
    let mut audio = vec![0u8; 6 * 4800];
    counter::fill(&mut audio, 2, spec.format, 0);
    w.write_frames(&audio).unwrap();
    w.commit().unwrap();
    w.write_frames(&audio).unwrap();
    // Its header is behind its audio, as after a power cut, but a writer still has it.
    assert!(capstan_bwf::writer::being_written(&f));
    let before = std::fs::read(&f).unwrap();
    let o = take_on(&["recover"], &f);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("is being recorded"), "{}", text(&o));
    assert_eq!(std::fs::read(&f).unwrap(), before, "the file is untouched");
    let o = take_on(&["report"], &f);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("- the take is being recorded"),
        "{}",
        text(&o)
    );
    // Once the writer is gone (closed unfinished), it is mended. (A process another test
    // starts meanwhile holds a copy of the file's descriptor, and so its lock, until it runs
    // its program: give that a moment.)
    drop(w);
    let gone = (0..500).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(10));
        !capstan_bwf::writer::being_written(&f)
    });
    assert!(gone, "the lock outlived its writer");
    let o = take_on(&["recover"], &f);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("9600 frames"), "{}", text(&o));
}

#[test]
fn missing_unreadable_and_non_wav_inputs_say_so_with_code_2() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("nope.wav");
    for cmd in ["info", "verify", "recover"] {
        let o = take_on(&[cmd], &missing);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(
            text(&o).contains("nope.wav") && text(&o).contains("No such file"),
            "{}",
            text(&o)
        );
    }
    let txt = d.path().join("notes.wav");
    std::fs::write(&txt, b"hello, this is text").unwrap();
    for cmd in ["info", "verify", "recover"] {
        let o = take_on(&[cmd], &txt);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(text(&o).contains("is not a WAV file"), "{}", text(&o));
    }
    let empty = tempfile::tempdir().unwrap();
    let o = take_on(&["verify"], empty.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no .wav files"), "{}", text(&o));
}

#[test]
fn a_take_folder_is_checked_file_by_file() {
    let d = tempfile::tempdir().unwrap();
    counter_file(d.path(), "a_01.wav", 100);
    counter_file(d.path(), "a_02.wav", 100);
    std::fs::write(d.path().join("a_03.wav"), b"RIFF\x04\x00\x00\x00WAVE").unwrap();
    let o = take_on(&["verify"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert_eq!(t.matches("OK ").count(), 2, "{t}");
    assert!(
        t.contains("FAIL") && t.contains("a_03.wav") && t.contains("no fmt chunk"),
        "{t}"
    );
}

#[test]
fn info_lists_markers_from_the_cue_chunk_or_else_the_ixml() {
    let d = tempfile::tempdir().unwrap();
    let spec = WavSpec {
        channels: 2,
        sample_rate: 48000,
        format: SampleFormat::I24,
    };
    let f = d.path().join("m.wav");
    let mut w =
        WavWriter::create(&f, spec, &FileMeta::default(), WriterOptions::default()).unwrap();
    let mut buf = vec![0u8; 96_000 * 6];
    counter::fill(&mut buf, 2, SampleFormat::I24, 0);
    w.write_frames(&buf).unwrap();
    w.add_marker(24_000, "XRUN");
    w.add_marker(72_000, "DROP 480 frames");
    w.commit().unwrap();
    // A copy as a power cut would leave it: markers only in the iXML.
    let cut = d.path().join("cut.wav");
    std::fs::copy(&f, &cut).unwrap();
    w.finish().unwrap();

    let o = take_on(&["info"], &f);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("markers     2 (from the cue chunk)"), "{t}");
    assert!(t.contains("frame      24000       0.500 s  XRUN"), "{t}");
    assert!(
        t.contains("frame      72000       1.500 s  DROP 480 frames"),
        "{t}"
    );
    let o = take_on(&["info", "--json"], &f);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["marker_source"], "Cue");
    assert_eq!(v["markers"][0]["position"], 24_000);
    assert_eq!(v["markers"][0]["seconds"], 0.5);
    assert_eq!(v["markers"][1]["label"], "DROP 480 frames");
    assert_eq!(v["markers"][1]["seconds"], 1.5);
    let o = take_on(&["verify", "--pattern", "counter"], &f);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = take_on(&["info"], &cut);
    let t = text(&o);
    assert!(
        t.contains("markers     2 (from the iXML sync points)"),
        "{t}"
    );
    assert!(t.contains("1.500 s  DROP 480 frames"), "{t}");
    let o = take_on(&["info", "--json"], &cut);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["marker_source"], "Ixml");
    assert_eq!(v["markers"][0]["label"], "XRUN");
    // Recovery of the cut copy keeps the markers and changes nothing the second time.
    let o = take_on(&["recover"], &cut);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = take_on(&["recover"], &cut);
    assert!(text(&o).contains("nothing to change"), "{}", text(&o));
    let o = take_on(&["recover"], &f);
    assert!(text(&o).contains("nothing to change"), "{}", text(&o));
    assert_eq!(capstan_bwf::read(&cut).unwrap().markers.len(), 2);
}

/// A mono track file of take `meta` with `frames` frames of the counter signal and `markers`.
fn track_file(
    dir: &std::path::Path,
    name: &str,
    meta: &FileMeta,
    frames: usize,
    markers: &[(u64, &str)],
) -> std::path::PathBuf {
    let spec = WavSpec {
        channels: 1,
        sample_rate: 48000,
        format: SampleFormat::I24,
    };
    let f = dir.join(name);
    let mut w = WavWriter::create(&f, spec, meta, WriterOptions::default()).unwrap();
    let mut buf = vec![0u8; frames * 3];
    counter::fill(&mut buf, 1, SampleFormat::I24, 0);
    w.write_frames(&buf).unwrap();
    for (at, label) in markers {
        w.add_marker(*at, label);
    }
    w.finish().unwrap();
    f
}

#[test]
fn report_tells_a_clean_take_from_one_that_lost_audio() {
    use capstan_bwf::losses::{drop_label, losses_note, STOPPED_EARLY, XRUN};
    let d = tempfile::tempdir().unwrap();
    let mut meta = FileMeta::default();
    meta.ixml.scene = "Gig".into();
    meta.ixml.take = "7".into();
    meta.ixml.family_uid = "FAMILY-7".into();
    meta.bext.time_reference = 48_000 * 3600;

    // A clean take: two whole files, a marker put in by hand.
    let clean = d.path().join("Gig-T007");
    std::fs::create_dir(&clean).unwrap();
    for name in ["Gig-T007_01_Kick.wav", "Gig-T007_02_Snare.wav"] {
        track_file(&clean, name, &meta, 96_000, &[(48_000, "M1")]);
    }
    let o = take_on(&["report"], &clean);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("scene Gig, take 7"), "{t}");
    assert!(t.contains("time of day 01:00:00.000"), "{t}");
    assert!(t.contains("0:00:02.000 (96000 frames)"), "{t}");
    assert!(t.contains("marker      M1 at 0:00:01.000"), "{t}");
    assert!(t.contains("CLEAN: no losses"), "{t}");

    // The same two files of a take whose file set counts three: one is missing.
    let short = d.path().join("Gig-T010");
    std::fs::create_dir(&short).unwrap();
    let mut three = meta.clone();
    three.ixml.total_files = 3;
    for name in ["Gig-T010_01_Kick.wav", "Gig-T010_03_Bass.wav"] {
        track_file(&short, name, &three, 96_000, &[]);
    }
    let o = take_on(&["report"], &short);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("1 of the take's 3 files is not here (its iXML FILE_SET counts 3)"),
        "{t}"
    );
    // `take verify` of the folder says so too; of one of its files, nothing.
    let o = take_on(&["verify"], &short);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("1 of the take's 3 files is not here"),
        "{}",
        text(&o)
    );
    let one = short.join("Gig-T010_01_Kick.wav");
    assert_eq!(take_on(&["verify"], &one).status.code(), Some(0));

    // A take cut by a power cut, recovered: its files still say they were never closed.
    let cut = d.path().join("Gig-T011");
    std::fs::create_dir(&cut).unwrap();
    let mut open = meta.clone();
    open.ixml.note = capstan_bwf::losses::open_note("pre-roll 1.00 s (48000 frames before REC).");
    for name in ["Gig-T011_01_Kick.wav", "Gig-T011_02_Snare.wav"] {
        track_file(&cut, name, &open, 96_000, &[]);
    }
    let o = take_on(&["report"], &cut);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("- the take was not closed by the recorder (a power cut"),
        "{t}"
    );
    // Only one of them (the other closed on a second card): counted.
    std::fs::remove_file(cut.join("Gig-T011_02_Snare.wav")).unwrap();
    track_file(&cut, "Gig-T011_02_Snare.wav", &meta, 96_000, &[]);
    let t = text(&take_on(&["report"], &cut));
    assert!(t.contains("- 1 of its 2 files was not closed"), "{t}");

    // A Capstan file whose iXML cannot be read: what the take lost is not known.
    let blind = d.path().join("Gig-T012");
    std::fs::create_dir(&blind).unwrap();
    let mut ours = meta.clone();
    ours.bext.originator = "Capstan".into();
    let f = track_file(&blind, "Gig-T012_01_Kick.wav", &ours, 96_000, &[]);
    assert_eq!(take_on(&["report"], &blind).status.code(), Some(0));
    let mut bytes = std::fs::read(&f).unwrap();
    let at = bytes.windows(8).position(|w| w == b"<BWFXML>").unwrap();
    bytes[at + 1] = b'X';
    std::fs::write(&f, bytes).unwrap();
    let o = take_on(&["report"], &blind);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("its iXML chunk cannot be read"),
        "{}",
        text(&o)
    );

    // A take that lost audio, stopped early on a full card, has a file cut short and one of
    // another take among its files.
    let lossy = d.path().join("Gig-T008");
    std::fs::create_dir(&lossy).unwrap();
    meta.ixml.note = format!(
        "{} XRUN at 0.500 s (frame 24000); DROP 480 frames at 1.500 s (frame 72000); \
         {STOPPED_EARLY}DISK FULL: 0.3 MB left",
        losses_note(1, 480)
    );
    let marks = [(24_000, XRUN), (48_000, "M1"), (72_000, &*drop_label(480))];
    track_file(&lossy, "Gig-T008_01_Kick.wav", &meta, 96_000, &marks);
    track_file(&lossy, "Gig-T008_02_Snare.wav", &meta, 60_000, &marks[..2]);
    meta.ixml.family_uid = "FAMILY-9".into();
    track_file(&lossy, "Gig-T009_01_Kick.wav", &meta, 96_000, &[]);
    let o = take_on(&["report"], &lossy);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("loss        XRUN at 0:00:00.500 (frame 24000)"),
        "{t}"
    );
    assert!(
        t.contains("loss        DROP 480 frames at 0:00:01.500 (frame 72000)"),
        "{t}"
    );
    assert!(t.contains("marker      M1 at 0:00:01.000"), "{t}");
    assert!(t.contains("NOT CLEAN:"), "{t}");
    assert!(
        t.contains("the take stopped early: DISK FULL: 0.3 MB left"),
        "{t}"
    );
    assert!(
        t.contains("1 xrun and 480 frames dropped while recording"),
        "{t}"
    );
    assert!(
        t.contains("Gig-T008_02_Snare.wav ends at 0:00:01.250 (60000 frames)"),
        "{t}"
    );
    assert!(
        t.contains("Gig-T009_01_Kick.wav belongs to another take"),
        "{t}"
    );
    let o = take_on(&["report", "--json"], &lossy);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["xruns"], 1);
    assert_eq!(v["frames_dropped"], 480);
    assert_eq!(v["losses"][1]["frame"], 72_000);
    assert_eq!(v["losses"][1]["seconds"], 1.5);
    assert_eq!(v["markers"][0]["label"], "M1");
    assert_eq!(v["stopped_early"], "DISK FULL: 0.3 MB left");

    // Nothing readable: exit 2, saying where to look.
    let junk = d.path().join("junk");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("a.wav"), b"not a wav file at all").unwrap();
    let o = take_on(&["report"], &junk);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("no track file could be read"),
        "{}",
        text(&o)
    );
}

#[test]
fn report_reads_other_recorders_takes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real-recorders");
    if !root.is_dir() {
        println!("skipping: no corpus at {}", root.display());
        return;
    }
    // Three files of a Zoom F8 take, its track names from the iXML; the take had nine files
    // (its iXML FILE_SET), and the report says six are not here.
    let o = take_on(&["report"], &root.join("zoom_F8"));
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("scene Scene_1_2AG, take 001"), "{t}");
    assert!(t.contains("tracks      BOOM, BOOM_D, Mix-L, Mix-R"), "{t}");
    assert!(
        t.contains("NOT CLEAN:\n  - 6 of the take's 9 files are not here"),
        "{t}"
    );
    // A Sound Devices folder holds several takes: not taken for one.
    let o = take_on(&["report"], &root.join("sounddevices"));
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("A101_1.WAV belongs to another take (its FAMILY_UID differs)"),
        "{t}"
    );
}

#[test]
fn report_notices_a_copy_of_a_track_file_beside_it() {
    let d = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(common::capstan())
        .args([
            "record",
            "--sim",
            "--channels",
            "2",
            "--seconds",
            "0.2",
            "--fast",
            "--out",
        ])
        .arg(d.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let take = d.path().join("S01-T001");
    assert_eq!(take_on(&["report"], &take).status.code(), Some(0));
    std::fs::copy(take.join("S01-T001_01_In01.wav"), take.join("extra.wav")).unwrap();
    let o = take_on(&["report"], &take);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("holds input 1, as"), "{}", text(&o));
}
