//! `capstan record` given bad input: a broken config, a missing device, a rate or channel count
//! it does not record (`capstan run` too), an output folder that
//! cannot take a take, a ring that does not fit in memory, take numbers already used. Each is
//! refused before anything is recorded (exit 2, no take folder) with a message that says what to
//! change, or, for used take numbers, recorded under the next free number without touching what
//! is there. The box (`capstan run`) given a config with a mistake and a fallback starts on the
//! fallback and shows the error instead of staying dark.

use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::{capstan, stderr, take_dir};

/// A short sim take into `out`, with `extra` arguments before `record`'s own.
fn record(out: &Path, global: &[&str], extra: &[&str]) -> Output {
    let mut args: Vec<&str> = global.to_vec();
    args.extend(["record", "--sim", "--fast", "--seconds", "0.1", "--out"]);
    args.push(out.to_str().unwrap());
    args.extend(extra);
    capstan(&args)
}

/// Asserts exit 2 and every piece of `says` on standard error.
fn refused(o: &Output, says: &[&str]) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    for s in says {
        assert!(e.contains(s), "stderr lacks {s:?}:\n{e}");
    }
    assert!(!e.contains("panicked"), "{e}");
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn config_errors_name_the_line_and_the_fix_and_record_nothing() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("takes");
    std::fs::create_dir(&out).unwrap();
    let cases: [(&str, &str, &[&str]); 7] = [
        (
            "syntax",
            "project = \"Gig\"\nscene = \"S01\n",
            &["line 2", "syntax.toml"],
        ),
        (
            "unknown",
            "[recorder]\ncommit_interval = 1.0\nring_secs = 4\n",
            &["line 3", "ring_secs", "expected one of", "ring_seconds"],
        ),
        (
            "range",
            "scene = \"S01\"\n\n[recorder]\nring_seconds = 0.1\n",
            &["line 4", "recorder.ring_seconds = 0.1", "use 0.5 to 600"],
        ),
        (
            "type",
            "[audio]\nperiods = \"three\"\n",
            &["line 2", "invalid type", "u32"],
        ),
        (
            "track",
            "[[tracks]]\nname = \"Kick\"\n[[tracks]]\nname = \"Snare/Top\"\n",
            &["line 4", "tracks[1].name", "'/'", "remove it"],
        ),
        (
            "layout",
            "[recorder]\nlayout = \"stereo\"\n",
            &["line 2", "`mono` or `poly`"],
        ),
        (
            "takes",
            "scene = \"S01\"\n[board]\ntakes = \"\"\n",
            &[
                "line 3",
                "board.takes is empty",
                "name the folder takes go in",
            ],
        ),
    ];
    for (name, text, says) in cases {
        let cfg = d.path().join(format!("{name}.toml"));
        std::fs::write(&cfg, text).unwrap();
        let o = record(&out, &["--config", cfg.to_str().unwrap()], &[]);
        refused(&o, says);
    }
    let o = record(&out, &["--config", "/no/such/capstan.toml"], &[]);
    refused(&o, &["cannot read the config file /no/such/capstan.toml"]);
    // A FIFO is refused at once (reading it would wait for a writer for ever).
    let fifo = d.path().join("capstan.toml");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        // Should capstan read it, this gives it an end after 20 s, so the test fails instead
        // of hanging (opening the writing end waits for a reader).
        let guard = fifo.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(20));
            let _ = std::fs::OpenOptions::new().write(true).open(guard);
        });
        let o = record(&out, &["--config", fifo.to_str().unwrap()], &[]);
        refused(&o, &["capstan.toml: it is a FIFO (named pipe), not a file"]);
    }
    // A device that never ends is not read into memory for ever.
    let o = record(&out, &["--config", "/dev/zero"], &[]);
    refused(&o, &["/dev/zero: it is larger than 1 MiB"]);
    assert!(names(&out).is_empty(), "{:?}", names(&out));
}

#[test]
fn a_missing_or_unknown_device_is_refused_before_any_take() {
    let d = tempfile::tempdir().unwrap();
    for dev in ["hw:9,0", "no_such_interface"] {
        let o = capstan([
            "record",
            "--device",
            dev,
            "--seconds",
            "1",
            "--out",
            d.path().to_str().unwrap(),
        ]);
        refused(&o, &[dev, "capstan devices"]);
        // alsa-lib's own lines ("ALSA lib confmisc.c:165:(snd_config_get_card) Cannot get card
        // index for 9") are caught: the message above says it in words.
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("ALSA lib"), "{err}");
    }
    assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));
}

#[test]
fn a_rate_channel_count_or_length_capstan_does_not_record_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().to_str().unwrap();
    let cases = [
        (
            ["--rate", "8000"],
            "--rate 8000: Capstan records at 44100 to 192000 Hz",
        ),
        (
            ["--rate", "384000"],
            "--rate 384000: Capstan records at 44100 to 192000 Hz",
        ),
        (
            ["--channels", "65"],
            "--channels 65: Capstan records 1 to 64 channels",
        ),
        (
            ["--channels", "0"],
            "--channels 0: Capstan records 1 to 64 channels",
        ),
    ];
    for (opt, says) in cases {
        for cmd in ["record", "run"] {
            let mut args = vec![cmd, "--sim", "--fast", "--seconds", "0.1", "--out", out];
            args.extend(opt);
            refused(&capstan(&args), &[says]);
        }
    }
    // A length past 31 days (`run` panicked on 1e300 s), or none at all.
    for (secs, shown) in [("1e300", "1e300"), ("0", "0.0"), ("NaN", "NaN")] {
        for cmd in ["record", "run"] {
            let o = capstan([cmd, "--sim", "--seconds", secs, "--out", out]);
            refused(&o, &[&format!("--seconds {shown}: give a positive number")]);
        }
    }
    // An empty device name.
    for opt in ["--device", "--monitor"] {
        let o = capstan(["record", opt, "", "--seconds", "1", "--out", out]);
        refused(
            &o,
            &[&format!("{opt} is empty: name a device such as hw:1,0")],
        );
    }
    // A take shorter than one frame (it would have been a take with no end).
    let o = capstan(["record", "--sim", "--seconds", "0.00001", "--out", out]);
    refused(
        &o,
        &["--seconds 0.00001 is less than one frame at 48000 Hz"],
    );
    assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));
}

#[test]
fn a_ring_too_big_for_memory_is_refused_with_the_figures_and_the_fix() {
    let d = tempfile::tempdir().unwrap();
    let big = [
        "--channels",
        "64",
        "--rate",
        "96000",
        "--ring-seconds",
        "60",
        "--mem-available-mb",
        "500",
    ];
    let o = record(d.path(), &[], &big);
    // 60 s x 96000 x 64 x 3 bytes = 1106 MB; (500 - 128) MB holds 20.1 s.
    refused(
        &o,
        &[
            "the ring needs 1106 MB",
            "only 500 MB of memory is available",
            "ring_seconds (or --ring-seconds) to 20.1 s or less",
            "--channels",
            "--rate",
        ],
    );
    assert!(names(d.path()).is_empty(), "{:?}", names(d.path()));

    // The same take with a ring that fits records, with the figures in the log.
    let o = record(d.path(), &[], &["--mem-available-mb", "500"]);
    take_dir(&o);
    let e = stderr(&o);
    assert!(
        e.contains("memory: the ring takes 2.9 MB of 500.0 MB available"),
        "{e}"
    );
    assert!(e.contains("capstan: ring high-water "), "{e}");
    assert!(e.contains(" s of 10.0 s"), "{e}");
}

#[test]
fn an_output_folder_that_is_missing_or_a_file_is_refused() {
    let d = tempfile::tempdir().unwrap();
    // One missing level is made (a new folder on a mounted card)...
    let o = record(&d.path().join("takes"), &[], &[]);
    assert_eq!(take_dir(&o), d.path().join("takes/S01-T001"));
    // ...a whole missing path is not: the card is probably not mounted.
    let deep = d.path().join("card/takes");
    let o = record(&deep, &[], &[]);
    refused(
        &o,
        &["card/takes", "no such folder", "is the card mounted?"],
    );
    assert!(!d.path().join("card").exists());
    // A file is never written into or replaced.
    let file = d.path().join("notes.txt");
    std::fs::write(&file, b"set list").unwrap();
    let o = record(&file, &[], &[]);
    refused(&o, &["notes.txt", "a file, not a folder"]);
    assert_eq!(std::fs::read(&file).unwrap(), b"set list");
}

/// `capstan` with `args`, in a mount namespace of its own where the shell `mount` (given
/// `dir` as `$1`) has run first: its mounts go with the namespace. Needs root or user
/// namespaces; when they fail, capstan never runs (its stderr has no `capstan:` line).
fn capstan_in_mount_namespace(mount: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!("{mount} && shift && exec \"$@\""))
        .arg("sh")
        .arg(dir)
        .arg(env!("CARGO_BIN_EXE_capstan"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("unshare")
}

/// `capstan record` into `dir` made read-only: by its mode for a normal user, and for root (whom
/// modes do not stop) by a read-only bind mount in a mount namespace of its own. `None` when
/// neither can be arranged here.
fn record_read_only(dir: &Path) -> Option<Output> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    let d = dir.to_str().unwrap();
    let args = ["record", "--sim", "--fast", "--seconds", "0.1", "--out", d];
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        Command::new("chmod").args(["0555", d]).status().ok()?;
        let o = capstan(args);
        Command::new("chmod").args(["0755", d]).status().ok()?;
        return Some(o);
    }
    let o = capstan_in_mount_namespace(
        r#"mount --bind "$1" "$1" && mount -o remount,ro,bind "$1""#,
        dir,
        &args,
    );
    if stderr(&o).contains("capstan:") {
        Some(o)
    } else {
        eprintln!("no read-only bind mount here: {}", stderr(&o));
        None
    }
}

#[test]
fn a_read_only_output_folder_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let ro = d.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let Some(o) = record_read_only(&ro) else {
        eprintln!("skipped: running as root and a read-only bind mount cannot be made here");
        return;
    };
    refused(&o, &["cannot create a take folder", "ro", "writable"]);
    let e = stderr(&o);
    assert!(
        e.contains("Permission denied") || e.contains("Read-only file system"),
        "{e}"
    );
    assert!(names(&ro).is_empty(), "{:?}", names(&ro));
}

#[test]
fn a_card_too_full_for_a_take_is_refused_without_a_take_folder() {
    let d = tempfile::tempdir().unwrap();
    let small = d.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let uid = Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!("skipped: a 300 KB card (tmpfs in a mount namespace) needs root");
        return;
    }
    let args = [
        "record",
        "--sim",
        "--fast",
        "--seconds",
        "0.5",
        "--channels",
        "8",
        "--out",
        small.to_str().unwrap(),
    ];
    let o = capstan_in_mount_namespace(r#"mount -t tmpfs -o size=300k none "$1""#, &small, &args);
    if !stderr(&o).contains("capstan:") {
        eprintln!("skipped: no tmpfs mount here: {}", stderr(&o));
        return;
    }
    refused(
        &o,
        &["DISK FULL: 0.", "no take was started", "use a bigger card"],
    );
}

#[test]
fn a_used_take_number_is_never_overwritten() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path();
    // S01-T001 as a folder holding a file, S01-T002 as a file.
    std::fs::create_dir(out.join("S01-T001")).unwrap();
    std::fs::write(out.join("S01-T001/S01-T001_01_In01.wav"), b"first take").unwrap();
    std::fs::write(out.join("S01-T002"), b"not a folder").unwrap();
    let o = record(out, &[], &[]);
    assert_eq!(take_dir(&o), out.join("S01-T003"));
    assert_eq!(
        std::fs::read(out.join("S01-T001/S01-T001_01_In01.wav")).unwrap(),
        b"first take"
    );
    assert_eq!(names(&out.join("S01-T001")), ["S01-T001_01_In01.wav"]);
    assert_eq!(
        std::fs::read(out.join("S01-T002")).unwrap(),
        b"not a folder"
    );
    // Another scene's numbers do not count.
    let o = record(out, &[], &["--scene", "S02"]);
    assert_eq!(take_dir(&o), out.join("S02-T001"));
}

#[test]
fn a_take_number_used_only_as_a_file_is_skipped() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("S01-T001"), b"keep").unwrap();
    let o = record(d.path(), &[], &[]);
    assert_eq!(take_dir(&o), d.path().join("S01-T002"));
    assert_eq!(std::fs::read(d.path().join("S01-T001")).unwrap(), b"keep");
}

#[test]
fn the_box_runs_on_its_fallback_config_and_shows_the_error() {
    let d = tempfile::tempdir().unwrap();
    let (bad, good) = (d.path().join("bad.toml"), d.path().join("good.toml"));
    std::fs::write(&bad, "scene = \"Gig\"\n[audio]\nchanels = 8\n").unwrap();
    std::fs::write(&good, "scene = \"Fallback\"\n").unwrap();
    let out = d.path().join("takes");
    let run = |fallback: &[&str]| {
        let mut args = vec!["--config", bad.to_str().unwrap(), "run", "--sim"];
        args.extend(fallback);
        args.extend(["--seconds", "1", "--out", out.to_str().unwrap()]);
        capstan(&args)
    };
    // Without a fallback: refused, as any command with a broken config.
    refused(&run(&[]), &["line 3: unknown field `chanels`"]);
    let o = run(&["--fallback-config", good.to_str().unwrap()]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{e}");
    assert!(e.contains("line 3: unknown field `chanels`"), "{e}");
    assert!(e.contains("until the file is mended"), "{e}");
    let screen = String::from_utf8_lossy(&o.stdout);
    assert!(screen.contains("Config error line 3"), "{screen}");
    assert!(
        screen.contains("Fallback-T001"),
        "the fallback's scene: {screen}"
    );
}

/// `capstan record` of `seconds` of the 2-channel sim into `out`, running: its output piped,
/// its log to `log`.
fn spawn_record(out: &Path, seconds: &str, log: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_capstan"))
        .args([
            "record",
            "--sim",
            "--channels",
            "2",
            "--seconds",
            seconds,
            "--out",
        ])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start capstan")
}

#[test]
fn a_reader_gone_from_the_log_or_the_output_does_not_stop_a_take() {
    let d = tempfile::tempdir().unwrap();
    let mut child = spawn_record(d.path(), "1.5", Stdio::piped());
    // The reader goes away at once (`capstan record ... 2>&1 | head -1`): every line written
    // after meets a broken pipe.
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    let take = d.path().join("S01-T001");
    for n in 1..=2 {
        let w = capstan_bwf::read(&take.join(format!("S01-T001_0{n}_In0{n}.wav"))).unwrap();
        assert_eq!(w.frames(), 72_000);
        assert_eq!(capstan_bwf::verify::counter(&w).unwrap(), (72_000, Some(0)));
    }
}

#[test]
fn a_hangup_ends_the_take_as_stop_does() {
    // The terminal closes (an ssh session drops): SIGHUP ends the take cleanly, every frame up
    // to it kept, where it killed the process and lost what was not yet committed.
    let d = tempfile::tempdir().unwrap();
    let child = spawn_record(d.path(), "30", Stdio::null());
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let kill = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{:?}", o.status);
    let take = d.path().join("S01-T001");
    assert!(String::from_utf8_lossy(&o.stdout).contains("S01-T001"));
    for n in 1..=2 {
        let w = capstan_bwf::read(&take.join(format!("S01-T001_0{n}_In0{n}.wav"))).unwrap();
        assert!(
            capstan_bwf::verify::structure(&w).is_empty(),
            "a whole file"
        );
        let (frames, first) = capstan_bwf::verify::counter(&w).unwrap();
        assert_eq!(first, Some(0));
        assert!(
            frames > 48_000,
            "{frames} frames: the take ran until the hangup"
        );
    }
}
