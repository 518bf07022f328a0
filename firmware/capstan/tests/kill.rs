//! Crash safety: `capstan record` killed with SIGKILL at a random moment leaves files that
//! recovery makes whole, holding at least every frame of the last logged commit, with the counter
//! signal unbroken from frame 0.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use capstan_bwf::recover::{recover, RecoverError};
use capstan_bwf::verify;

/// xorshift64*: enough randomness for kill times, and the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Drops ANSI colour sequences from log text.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Frames of the last `commit` log line, if any.
fn last_commit(stderr: &str) -> Option<u64> {
    strip_ansi(stderr)
        .lines()
        .filter(|l| l.contains("commit") && l.contains("frames="))
        .filter_map(|l| {
            let rest = &l[l.find("frames=")? + "frames=".len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .next_back()
}

struct Run {
    channels: u16,
    poly: bool,
    bits: &'static str,
    kill_after: Duration,
}

fn wavs(out: &Path) -> Vec<PathBuf> {
    let Ok(takes) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for t in takes {
        let t = t.unwrap().path();
        if t.is_dir() {
            for f in std::fs::read_dir(&t).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "wav") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    files
}

/// One run; returns the frames of the last logged commit.
fn one(i: usize, run: &Run) -> Option<u64> {
    let out = tempfile::tempdir().unwrap();
    let ch = run.channels.to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_capstan"))
        .args([
            "record",
            "--sim",
            "--channels",
            &ch,
            "--rate",
            "48000",
            "--bits",
            run.bits,
            "--layout",
            if run.poly { "poly" } else { "mono" },
            "--seconds",
            "30",
            "--commit-interval",
            "0.2",
            "--out",
        ])
        .arg(out.path())
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start capstan");
    let mut stderr = child.stderr.take().unwrap();
    // Read stderr on another thread so a full pipe can never stall the recorder.
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).unwrap();
        s
    });
    std::thread::sleep(run.kill_after);
    child.kill().expect("SIGKILL capstan");
    let status = child.wait().unwrap();
    assert!(
        status.code().is_none(),
        "run {i}: capstan was not killed: {status:?}"
    );
    let log = reader.join().unwrap();
    let committed = last_commit(&log);
    let ctx = format!(
        "run {i}: {} ch {} {}-bit, killed after {:?}, last commit {committed:?}",
        run.channels,
        if run.poly { "poly" } else { "mono" },
        run.bits,
        run.kill_after
    );

    let files = wavs(out.path());
    let expected = if run.poly {
        1
    } else {
        usize::from(run.channels)
    };
    if committed.is_some() {
        assert_eq!(files.len(), expected, "{ctx}: files {files:?}\n{log}");
    }
    for (k, f) in files.iter().enumerate() {
        let report = match recover(f) {
            Ok(r) => r,
            Err(RecoverError::Unrecoverable { why, .. })
                if committed.is_none() && why.contains("no data chunk") =>
            {
                continue
            }
            Err(e) => panic!("{ctx}: {}: {e}\n{log}", f.display()),
        };
        let w = capstan_bwf::read(f).unwrap();
        assert_eq!(
            verify::structure(&w),
            Vec::<String>::new(),
            "{ctx}: {}",
            f.display()
        );
        assert_eq!(w.frames(), report.frames, "{ctx}");
        if committed.is_some() {
            // Killed mid-take: the file says it was never closed.
            let note = w.ixml.as_ref().map_or("", |x| x.note.as_str());
            assert!(
                capstan_bwf::losses::note_not_closed(note),
                "{ctx}: {}: NOTE {note:?}",
                f.display()
            );
        }
        let (checked, start) =
            verify::counter(&w).unwrap_or_else(|e| panic!("{ctx}: {}: {e}", f.display()));
        assert_eq!(checked, report.frames, "{ctx}");
        if report.frames > 0 {
            assert_eq!(
                start,
                Some(0),
                "{ctx}: {}: counter from frame 0",
                f.display()
            );
        }
        if let Some(n) = committed {
            assert!(
                report.frames >= n,
                "{ctx}: {} holds {} frames, fewer than the {n} committed",
                f.display(),
                report.frames
            );
        }
        if !run.poly {
            assert_eq!(verify::source_channels(&w), vec![k as u32], "{ctx}");
        }
        let again = recover(f).unwrap();
        assert_eq!(
            again.changes,
            Vec::<String>::new(),
            "{ctx}: second recovery"
        );
        assert_eq!(again.frames, report.frames, "{ctx}");
    }
    committed
}

#[test]
fn sigkill_at_random_moments_loses_nothing_committed() {
    let mut rng = Rng(0x5EED_CAB5_7A11_0001);
    let bits = ["16", "24", "32f"];
    let runs: Vec<Run> = (0..50)
        .map(|_| Run {
            channels: 1 + rng.below(4) as u16,
            poly: rng.below(2) == 0,
            bits: bits[rng.below(3) as usize],
            kill_after: Duration::from_millis(50 + rng.below(1151)),
        })
        .collect();
    let t = Instant::now();
    // Five at a time keeps the whole test well under a minute.
    let workers = 5;
    let committed_runs = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for w in 0..workers {
            let runs = &runs;
            let committed_runs = &committed_runs;
            s.spawn(move || {
                for (i, run) in runs.iter().enumerate().skip(w).step_by(workers) {
                    if one(i, run).is_some_and(|n| n > 0) {
                        committed_runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert!(
        committed_runs.into_inner() > 10,
        "too few runs logged a commit before the kill"
    );
    assert!(
        t.elapsed() < Duration::from_secs(90),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn commit_lines_are_parsed() {
    let log =
        "\x1b[2m2026\x1b[0m \x1b[34mDEBUG\x1b[0m commit \x1b[3mframes\x1b[0m\x1b[2m=\x1b[0m9600\n\
               INFO ring: commit every 0.20 s\nDEBUG commit frames=19200\n";
    assert_eq!(last_commit(log), Some(19200));
    assert_eq!(last_commit("INFO ring: commit every 0.20 s\n"), None);
}
