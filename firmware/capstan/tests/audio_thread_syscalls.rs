//! The audio thread never touches a file, logs or waits on a lock: `capstan record
//! --audio-syscall-guard` runs it under a seccomp filter that kills the process on any system
//! call outside its cycle's (`capstan_board::syscall_guard`). Takes on the sim board, paced by
//! its clock or in fast mode waiting for the writer, with the mixer feeding the monitor and
//! printing the board mix, and with the thread stalled on purpose, must still finish with every
//! file gapless. hal-tests/capture does the same on real ALSA drivers in both VMs.

use std::path::Path;

use capstan_bwf::{reader, verify};

mod common;
use common::{capstan, stderr, take_dir};

/// A mixer over six inputs that also prints the board mix (the audio thread feeds its ring).
const MIXER: &str = r#"
scene = "Gig"
[recorder]
period_frames = 96
[mixer]
board_mix = true
tracks = [
    { name = "Kick", input = 0, output = { group = 0 }, pan = -0.3 },
    { name = "Snare", input = 1, output = { group = 0 }, fader_db = -4.0 },
    { name = "Vox", input = 2, pan = 0.4 },
    { name = "Keys", input = [3, 4], pan = -0.6 },
    { name = "Gtr", input = 5, pan = 0.8 },
]
groups = [{ name = "Drums" }]
"#;

/// Checks every track file of the take in `dir` holds `frames` frames of the counter signal,
/// gapless.
fn gapless(dir: &Path, frames: u64) {
    let mut tracks = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".wav") || name.ends_with("_MIX.wav") {
            continue;
        }
        let w = reader::read(&p).unwrap();
        let (n, _) = verify::counter(&w).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(n, frames, "{name}");
        tracks += 1;
    }
    assert_eq!(tracks, 6, "six track files in {}", dir.display());
}

#[test]
fn sim_takes_finish_with_the_audio_thread_confined_to_its_system_calls() {
    let d = tempfile::tempdir().unwrap();
    let config = d.path().join("capstan.toml");
    std::fs::write(&config, MIXER).unwrap();
    let out = d.path().join("takes");
    std::fs::create_dir(&out).unwrap();
    let cases: [&[&str]; 3] = [&[], &["--fast"], &["--stall-at", "0.2:150"]];
    for extra in cases {
        let mut args = vec![
            "--config",
            config.to_str().unwrap(),
            "record",
            "--sim",
            "--channels",
            "6",
            "--seconds",
            "0.5",
            "--out",
            out.to_str().unwrap(),
            "--audio-syscall-guard",
        ];
        args.extend(extra);
        let o = capstan(&args);
        // A call outside the filter kills the process with SIGSYS: no success, no take line.
        let e = stderr(&o);
        assert!(o.status.success(), "{extra:?}: {:?}\n{e}", o.status);
        assert!(
            e.contains("audio thread: confined to the system calls of its cycle")
                && !e.contains("could not be confined"),
            "{extra:?}: {e}"
        );
        gapless(&take_dir(&o), 24_000);
    }
}
