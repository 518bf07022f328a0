//! Every `take` subcommand given what is not a good take: an empty file, random bytes, a WAV cut
//! inside its header, a folder with no WAV files, a path that does not exist, a FIFO or a
//! device. Each says what it found in words, exits 0 (good), 1 (problems) or 2 (unreadable), and
//! never panics or hangs. `take recover` on a read-only card reports a whole file whole, and a
//! card that fills up in the middle of a write leaves every file of the take whole.

use std::path::Path;
use std::process::Output;

mod common;
use common::{counter_file, take_on};

/// The subcommands that take a file or a folder of files.
const FILE_COMMANDS: [&[&str]; 5] = [
    &["info"],
    &["info", "--json"],
    &["verify"],
    &["verify", "--pattern", "counter"],
    &["recover"],
];

/// The subcommands that take a take folder.
const TAKE_COMMANDS: [&str; 2] = ["mixdown", "stems"];

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `args` on `path` and checks the exit code, that standard error holds every piece of
/// `says`, and that nothing panicked. Returns standard error.
fn expect(args: &[&str], path: &Path, code: i32, says: &[&str]) -> String {
    let o = take_on(args, path);
    let e = stderr(&o);
    assert!(!e.contains("panicked"), "{args:?} {}: {e}", path.display());
    assert_eq!(
        o.status.code(),
        Some(code),
        "{args:?} {}: {e}{}",
        path.display(),
        String::from_utf8_lossy(&o.stdout)
    );
    for s in says {
        assert!(
            e.contains(s),
            "{args:?} {}: lacks {s:?}: {e}",
            path.display()
        );
    }
    e
}

/// `n` bytes from a fixed-seed generator: the same "random" file on every run.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Lengths that cut a file written by capstan-bwf inside its header: in the opening, and at, in
/// and just past each chunk's id, size and body before the audio; and where the audio starts.
fn header_cuts(path: &Path) -> (Vec<usize>, usize) {
    let w = capstan_bwf::read(path).unwrap();
    let data = w.chunks.iter().find(|c| c.id == "data").unwrap();
    let audio = (data.offset + 8) as usize;
    let mut cuts = vec![1, 4, 8, 11, 12];
    for c in w.chunks.iter().take_while(|c| c.offset < data.offset) {
        let at = c.offset as usize;
        cuts.extend([
            at,
            at + 2,
            at + 4,
            at + 6,
            at + 9,
            at + 8 + c.size as usize / 2,
        ]);
    }
    cuts.extend([data.offset as usize, data.offset as usize + 4, audio - 1]);
    cuts.retain(|&n| n < audio);
    cuts.sort_unstable();
    cuts.dedup();
    (cuts, audio)
}

#[test]
fn an_empty_file_is_named_empty() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("S01-T001_01_Kick.wav");
    std::fs::write(&f, b"").unwrap();
    for args in FILE_COMMANDS {
        expect(args, &f, 2, &["S01-T001_01_Kick.wav is empty (0 bytes)"]);
    }
    for cmd in TAKE_COMMANDS {
        expect(&[cmd], &f, 2, &["is not a take folder"]);
    }
}

#[test]
fn random_bytes_are_not_a_wav_file() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("noise.wav");
    std::fs::write(&f, noise(4096, 7)).unwrap();
    for args in FILE_COMMANDS {
        expect(args, &f, 2, &["noise.wav is not a WAV file"]);
    }
    for cmd in TAKE_COMMANDS {
        expect(&[cmd], &f, 2, &["is not a take folder"]);
    }
    // A WAV opening followed by noise: problems or unreadable, never a panic or a pass.
    for seed in 1..40 {
        let mut bytes = b"RIFF\xff\xff\xff\x7fWAVE".to_vec();
        bytes.extend(noise(seed as usize * 37, seed));
        std::fs::write(&f, bytes).unwrap();
        for args in FILE_COMMANDS {
            let o = take_on(args, &f);
            let e = stderr(&o);
            assert!(!e.contains("panicked"), "seed {seed} {args:?}: {e}");
            assert!(
                matches!(o.status.code(), Some(1 | 2)),
                "seed {seed} {args:?}: {:?} {e}",
                o.status
            );
        }
    }
}

#[test]
fn a_file_cut_anywhere_in_its_header_is_reported() {
    let d = tempfile::tempdir().unwrap();
    let good = counter_file(d.path(), "good.wav", 4800);
    let whole = std::fs::read(&good).unwrap();
    let (cuts, audio) = header_cuts(&good);
    assert!(cuts.len() > 15, "{cuts:?}");
    let cut = d.path().join("cut.wav");
    for n in cuts {
        std::fs::write(&cut, &whole[..n]).unwrap();
        if n < 12 {
            for args in FILE_COMMANDS {
                expect(args, &cut, 2, &[&format!("cut.wav is only {n} bytes long")]);
            }
            continue;
        }
        // Readable as far as it goes: info and verify find problems, recover cannot repair
        // what has no audio.
        expect(&["info"], &cut, 1, &["cut.wav: ", "take verify"]);
        expect(&["info", "--json"], &cut, 1, &["cut.wav: "]);
        let o = take_on(&["verify"], &cut);
        assert_eq!(o.status.code(), Some(1), "{n}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains("FAIL") && out.contains("cut.wav"),
            "{n}: {out}"
        );
        expect(&["recover"], &cut, 2, &["cannot recover", "cut.wav"]);
        // Nothing was written to the file by any of them.
        assert_eq!(std::fs::read(&cut).unwrap(), &whole[..n]);
    }
    // The whole header and no audio: an empty but sound file.
    std::fs::write(&cut, &whole[..audio]).unwrap();
    let o = take_on(&["recover"], &cut);
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
}

#[test]
fn a_folder_with_no_wav_files_and_a_missing_path_say_so() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("notes.txt"), b"set list").unwrap();
    let missing = d.path().join("S01-T009");
    for args in FILE_COMMANDS {
        expect(args, d.path(), 2, &["no .wav files in this folder"]);
        expect(
            args,
            &missing,
            2,
            &["S01-T009", "No such file", "check the path"],
        );
    }
    for cmd in TAKE_COMMANDS {
        expect(&[cmd], d.path(), 2, &["is not a take folder"]);
        expect(&[cmd], &missing, 2, &["S01-T009 is not a take folder"]);
    }
}

#[test]
fn a_fifo_or_a_device_is_refused_without_waiting_for_it() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("S01-T001_01_Kick.wav");
    let st = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !st.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available here");
        return;
    }
    // Should `take` open the FIFO, it would wait for a writer for ever: after 20 s this opens
    // the writing end and closes it, so the test fails on the message instead of hanging.
    let guard = fifo.clone();
    std::thread::spawn(move || {
        use std::os::unix::fs::OpenOptionsExt;
        std::thread::sleep(std::time::Duration::from_secs(20));
        loop {
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&guard);
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    });
    for args in FILE_COMMANDS {
        // Named, or met in a folder: the same words.
        for path in [fifo.as_path(), d.path()] {
            expect(args, path, 2, &["it is a FIFO (named pipe), not a file"]);
        }
        let null = Path::new("/dev/null");
        expect(args, null, 2, &["it is a character device, not a file"]);
    }
}

#[test]
fn a_take_folder_with_one_bad_file_reports_the_good_ones_too() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("S01-T001");
    std::fs::create_dir(&dir).unwrap();
    counter_file(&dir, "S01-T001_01_Kick.wav", 4800);
    let whole = std::fs::read(counter_file(&dir, "S01-T001_02_Snare.wav", 4800)).unwrap();
    std::fs::write(dir.join("S01-T001_02_Snare.wav"), &whole[..40]).unwrap();
    std::fs::write(dir.join("S01-T001_03_Vox.wav"), b"").unwrap();

    let o = take_on(&["info"], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("S01-T001_01_Kick.wav"));
    let e = stderr(&o);
    assert!(e.contains("S01-T001_02_Snare.wav: no "), "{e}");
    assert!(e.contains("S01-T001_03_Vox.wav is empty"), "{e}");

    let o = take_on(&["verify", "--pattern", "counter"], &dir);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{out}{}", stderr(&o));
    assert!(
        out.contains("OK   ") && out.contains("_01_Kick.wav"),
        "{out}"
    );
    assert!(
        out.contains("FAIL ") && out.contains("_02_Snare.wav"),
        "{out}"
    );

    // A folder named like a WAV file is refused without stopping the rest.
    std::fs::remove_file(dir.join("S01-T001_03_Vox.wav")).unwrap();
    std::fs::create_dir(dir.join("S01-T001_03_Vox.wav")).unwrap();
    let e = expect(&["recover"], &dir, 2, &["S01-T001_03_Vox.wav"]);
    assert!(
        e.contains("cannot recover") && e.contains("_02_Snare.wav"),
        "{e}"
    );
    assert!(
        String::from_utf8_lossy(&take_on(&["recover"], &dir).stdout).contains("_01_Kick.wav"),
        "the good file is still reported"
    );
    for cmd in TAKE_COMMANDS {
        let o = take_on(&[cmd], &dir);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[test]
fn recover_on_a_read_only_card_reports_a_whole_file_and_refuses_to_mend_a_cut_one() {
    let d = tempfile::tempdir().unwrap();
    let whole = counter_file(d.path(), "whole.wav", 4800);
    let bytes = std::fs::read(&whole).unwrap();
    std::fs::write(d.path().join("cut.wav"), &bytes[..bytes.len() - 1000]).unwrap();
    // A read-only bind mount in a mount namespace of its own (root bypasses file modes).
    let script = r#"mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" || exit 99
"$2" recover "$1/whole.wav"; echo "status=$?"
"$2" recover "$1/cut.wav"; echo "status=$?""#;
    let take = Path::new(env!("CARGO_BIN_EXE_take"));
    let o = common::in_mount_namespace(script, &[d.path().as_os_str(), take.as_os_str()]);
    let out = String::from_utf8_lossy(&o.stdout);
    if !out.contains("status=") {
        eprintln!("skipped: no read-only bind mount here: {}", stderr(&o));
        return;
    }
    let status: Vec<&str> = out.lines().filter(|l| l.starts_with("status=")).collect();
    assert_eq!(status, ["status=0", "status=2"], "{out}{}", stderr(&o));
    assert!(out.contains("whole"), "{out}");
    assert!(
        stderr(&o).contains("Read-only file system"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_reader_gone_from_the_output_is_no_crash() {
    let d = tempfile::tempdir().unwrap();
    let f = counter_file(d.path(), "f.wav", 4800);
    for args in [
        &["info"][..],
        &["verify", "--pattern", "counter"],
        &["report"],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_take"))
            .args(args)
            .arg(&f)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // `take info f.wav | head -0`: the reader is gone before the first line.
        drop(child.stdout.take());
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_card_full_in_the_middle_of_a_write_leaves_every_file_whole() {
    let d = tempfile::tempdir().unwrap();
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!("skipped: a 40 MB card (tmpfs in a mount namespace) needs root");
        return;
    }
    // A fast take of 60 s of 8 tracks (69 MB) into 40 MB: its writes outrun the reserve check
    // at each commit and one of them meets the full card part way through its block.
    let script = r#"mount -t tmpfs -o size=40m none "$1" || exit 99
"$2" record --sim --fast --channels 8 --seconds 60 --out "$1" >"$1/out" 2>/dev/null
echo "status=$?"
"$3" verify --pattern counter "$(tail -n 1 "$1/out")"; echo "verify=$?""#;
    let capstan = common::capstan();
    let take = Path::new(env!("CARGO_BIN_EXE_take"));
    let o = common::in_mount_namespace(
        script,
        &[d.path().as_os_str(), capstan.as_os_str(), take.as_os_str()],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    if !out.contains("status=") {
        eprintln!("skipped: no tmpfs mount here: {}", stderr(&o));
        return;
    }
    assert!(out.contains("status=1"), "the take stopped early: {out}");
    // Every file whole: its header counts exactly the frames it holds, no part frame after.
    assert!(out.contains("verify=0"), "{out}{}", stderr(&o));
    assert_eq!(
        out.lines().filter(|l| l.starts_with("OK ")).count(),
        8,
        "{out}"
    );
}
