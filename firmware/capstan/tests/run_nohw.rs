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
