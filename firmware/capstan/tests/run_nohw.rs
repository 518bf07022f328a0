//! `capstan run` on a machine without the box's hardware starts, names every part it cannot
//! find with what to do, records nothing and exits with status 2.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes a config for board `profile` with `display` and takes in `dir`/takes, then `more`;
/// returns its path and the takes folder.
fn write_config(dir: &Path, profile: &str, display: &str, more: &str) -> (PathBuf, PathBuf) {
    let config = dir.join("capstan.toml");
    let takes = dir.join("takes");
    let board = format!(
        "[board]\nprofile = \"{profile}\"\ndisplay = \"{display}\"\ntakes = \"{}\"\n",
        takes.display()
    );
    std::fs::write(&config, board + more).unwrap();
    (config, takes)
}

#[test]
fn run_without_hardware_lists_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (config, takes) = write_config(dir.path(), "pi4", "fb-capstan-test", "");
    let out = Command::new(env!("CARGO_BIN_EXE_capstan"))
        .arg("--config")
        .arg(&config)
        .arg("run")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for part in [
        "buttons:",
        "LEDs:",
        "display (fb-capstan-test)",
        "sound card:",
    ] {
        assert!(stderr.contains(part), "{part} not named in: {stderr}");
    }
    assert!(stderr.contains("--device"), "{stderr}");
    assert!(stderr.contains("capstan run --sim"), "{stderr}");
    assert!(!takes.exists(), "nothing recorded");

    // A named sound card that is not there is named too.
    let out = Command::new(env!("CARGO_BIN_EXE_capstan"))
        .arg("--config")
        .arg(&config)
        .args(["run", "--device", "hw:CapstanNoSuchCard,0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("sound card (the audio device hw:CapstanNoSuchCard,0)"),
        "{stderr}"
    );
}

/// A config naming parts the box does not have (here a Pi 4 board on a machine without one)
/// with a fallback that names the right ones: the box runs on the fallback and says why.
#[test]
fn a_config_naming_missing_parts_runs_the_box_on_its_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = write_config(dir.path(), "pi4", "fb-capstan-test", "");
    let fallback_dir = dir.path().join("fallback");
    std::fs::create_dir(&fallback_dir).unwrap();
    let (fallback, takes) = write_config(
        &fallback_dir,
        "sim",
        "none",
        "[audio]\ndevice = \"hw:CapstanNoSuchCard,0\"\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_capstan"))
        .arg("--config")
        .arg(&config)
        .arg("run")
        .arg("--fallback-config")
        .arg(&fallback)
        .args(["--seconds", "1.5"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for said in [
        "cannot run the box on the pi4 board",
        "the config names parts the box does not have (buttons:",
        &format!(
            "the box runs on {} until the config is mended",
            fallback.display()
        ),
        // The fallback's board runs: it waits for its interface.
        "no audio input: the audio device hw:CapstanNoSuchCard,0 is opened as soon as it is there",
    ] {
        assert!(stderr.contains(said), "{said:?} not in: {stderr}");
    }
    assert!(!takes.exists(), "nothing recorded");
}

/// A box whose buttons, LEDs and display are there but whose audio interface is not (yet)
/// plugged in starts anyway: it says so, blinks its warning LED, refuses REC in words and
/// keeps trying the device, instead of exiting and staying dark until the next power-on.
#[test]
fn a_box_without_its_interface_starts_waits_for_it_and_refuses_rec() {
    let dir = tempfile::tempdir().unwrap();
    let (config, takes) = write_config(
        dir.path(),
        "sim",
        "none",
        "[audio]\ndevice = \"hw:CapstanNoSuchCard,0\"\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_capstan"))
        .arg("--config")
        .arg(&config)
        .args(["run", "--seconds", "3"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // MARK/ARM then REC, once the box is up.
    let mut keys = child.stdin.take().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    std::io::Write::write_all(&mut keys, b"m\nr\n").unwrap();
    let out = child.wait_with_output().unwrap();
    drop(keys);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for said in [
        "no capture device hw:CapstanNoSuchCard,0",
        "no audio input: the audio device hw:CapstanNoSuchCard,0 is opened as soon as it is there",
        "LED WARN on",
        "stopped: the audio interface failed",
    ] {
        assert!(stderr.contains(said), "{said:?} not in: {stderr}");
    }
    // Said once, however often the device is tried again.
    assert_eq!(stderr.matches("no audio input:").count(), 1, "{stderr}");
    assert!(
        std::fs::read_dir(&takes).map_or(true, |mut d| d.next().is_none()),
        "nothing recorded"
    );
}
