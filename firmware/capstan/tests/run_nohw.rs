//! `capstan run` on a machine without the box's hardware starts, names every part it cannot
//! find with what to do, records nothing and exits with status 2.

use std::process::Command;

#[test]
fn run_without_hardware_lists_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("capstan.toml");
    let takes = dir.path().join("takes");
    std::fs::write(
        &config,
        format!(
            "[board]\nprofile = \"pi4\"\ndisplay = \"fb-capstan-test\"\ntakes = \"{}\"\n",
            takes.display()
        ),
    )
    .unwrap();
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

/// A box whose buttons, LEDs and display are there but whose audio interface is not (yet)
/// plugged in starts anyway: it says so, blinks its warning LED, refuses REC in words and
/// keeps trying the device, instead of exiting and staying dark until the next power-on.
#[test]
fn a_box_without_its_interface_starts_waits_for_it_and_refuses_rec() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("capstan.toml");
    let takes = dir.path().join("takes");
    std::fs::write(
        &config,
        format!(
            "[board]\nprofile = \"sim\"\ndisplay = \"none\"\ntakes = \"{}\"\n\
             [audio]\ndevice = \"hw:CapstanNoSuchCard,0\"\n",
            takes.display()
        ),
    )
    .unwrap();
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
    // Tried again while waiting, and said once only.
    assert_eq!(stderr.matches("no audio input:").count(), 1, "{stderr}");
    assert!(
        std::fs::read_dir(&takes).map_or(true, |mut d| d.next().is_none()),
        "nothing recorded"
    );
}
