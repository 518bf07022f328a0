//! The mix printed three ways agrees: a take recorded by the `capstan` binary on the sim board
//! with a `[mixer]` (pans, faders, groups) and `board_mix = true` carries its mix file and its
//! board mix; `take mixdown` prints the same mix from the tracks, sample for sample; `take
//! stems` prints one stem per group. Refused with a message and exit code 2: a folder without a
//! mix file or that is not a take, a mix file no mixer can be built from, a folder holding a
//! file of another take or two files of one input. A print a full card cuts short is removed.

use std::path::Path;

mod common;
use common::{band_mix, mixdown, record_sine as record, stereo_float, take, text};

/// A stereo float file's audio: (frames, samples).
fn audio(p: &Path) -> (u64, Vec<f32>) {
    let v = stereo_float(p);
    ((v.len() / 2) as u64, v)
}

#[test]
fn the_offline_mix_is_the_board_mix_bit_for_bit_and_stems_come_per_group() {
    let d = tempfile::tempdir().unwrap();
    // 1.01 s: the take ends in the middle of a period.
    let dir = record(d.path(), &band_mix(true), "1.01");
    let frames = 48_480u64;
    assert!(dir.join("Gig-T001.mix.toml").exists());
    let board = dir.join("Gig-T001_MIX.wav");
    let (n, board_mix) = audio(&board);
    assert_eq!(n, frames, "the board mix is as long as the tracks");
    let peak = board_mix.iter().fold(0f32, |m, x| m.max(x.abs()));
    assert!(peak > 0.05, "the board mix carries the sine (peak {peak})");
    assert!(
        board_mix.chunks_exact(2).any(|f| f[0] != f[1]),
        "pans make the two sides differ"
    );

    let printed = d.path().join("offline.wav");
    let o = mixdown(&dir, &printed);
    assert!(String::from_utf8_lossy(&o.stderr).contains("100%"));
    let (m, offline) = audio(&printed);
    assert_eq!(m, frames);
    let first_diff = board_mix
        .iter()
        .zip(&offline)
        .position(|(a, b)| a.to_bits() != b.to_bits());
    assert_eq!(
        first_diff, None,
        "the offline mix differs from the board mix"
    );

    // Without --out the board mix is in the way: the message says what to do.
    let o = take(&["mixdown", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--out"), "{}", text(&o));

    let o = take(&["stems", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("_STEM_"))
        .collect();
    stems.sort();
    assert_eq!(
        stems,
        ["Gig-T001_STEM_Drums.wav", "Gig-T001_STEM_Vocals.wav"]
    );
    let (nd, drums) = audio(&dir.join(&stems[0]));
    let (nv, vocals) = audio(&dir.join(&stems[1]));
    assert_eq!((nd, nv), (frames, frames));
    assert!(drums.iter().any(|x| x.abs() > 0.01) && vocals.iter().any(|x| x.abs() > 0.01));
    assert_ne!(drums, vocals);
    // The guitar goes straight to the master: mix minus the stems is the guitar alone, panned
    // right (its left side 0.8 of the way to silence).
    let (mut left, mut right) = (0f64, 0f64);
    for i in (0..board_mix.len()).step_by(2) {
        left += f64::from(board_mix[i] - drums[i] - vocals[i]).abs();
        right += f64::from(board_mix[i + 1] - drums[i + 1] - vocals[i + 1]).abs();
    }
    assert!(right > 3.0 * left, "guitar left {left}, right {right}");
}

#[test]
fn a_take_without_a_mix_file_or_a_folder_that_is_no_take_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let dir = record(d.path(), "scene = \"Plain\"\n", "0.1");
    assert!(!dir.join("Plain-T001.mix.toml").exists());
    assert!(!dir.join("Plain-T001_MIX.wav").exists());
    for cmd in ["mixdown", "stems"] {
        let o = take(&[cmd, dir.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let t = text(&o);
        assert!(
            t.contains("no mix file Plain-T001.mix.toml") && t.contains("[mixer]"),
            "{t}"
        );
    }
    let o = take(&["mixdown", d.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not a take folder"), "{}", text(&o));
    let o = take(&["stems", d.path().join("nothing").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not a take folder"), "{}", text(&o));

    // A mix file that does not parse names its line.
    let bad = dir.join("Plain-T001.mix.toml");
    std::fs::write(&bad, "rate = 48000\ninput_channels = 6\nperiod = 64\n").unwrap();
    let o = take(&["mixdown", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("line 3"), "{}", text(&o));
}

#[test]
fn a_mix_file_no_mixer_can_be_built_from_is_refused_before_anything_is_made() {
    let d = tempfile::tempdir().unwrap();
    let dir = record(d.path(), &band_mix(false), "0.1");
    let file = dir.join("Gig-T001.mix.toml");
    let mix = std::fs::read_to_string(&file).unwrap();
    assert!(mix.contains("period_frames = 96"), "{mix}");
    // A period no memory holds: this aborted on the allocation.
    std::fs::write(
        &file,
        mix.replace("period_frames = 96", "period_frames = 100000000000"),
    )
    .unwrap();
    let out = d.path().join("out");
    let o = take(&[
        "mixdown",
        dir.to_str().unwrap(),
        "--out",
        out.join("mix.wav").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("more than 65536 frames") && text(&o).contains("mend the mix file"),
        "{}",
        text(&o)
    );
    let o = take(&[
        "stems",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        !out.exists(),
        "stems made their folder for a mix they cannot print"
    );
}

#[test]
fn a_print_cut_short_by_a_full_card_is_removed() {
    let d = tempfile::tempdir().unwrap();
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!("skipped: a 64 KB card (tmpfs in a mount namespace) needs root");
        return;
    }
    // Half a second of stereo float is 192 KB: it cannot fit.
    let dir = record(d.path(), &band_mix(false), "0.5");
    let small = d.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let script = r#"mount -t tmpfs -o size=64k none "$1" || exit 99
"$2" mixdown "$3" --out "$1/mix.wav"; echo "status=$?"; ls -A "$1""#;
    let take = Path::new(env!("CARGO_BIN_EXE_take"));
    let o = common::in_mount_namespace(
        script,
        &[small.as_os_str(), take.as_os_str(), dir.as_os_str()],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    if !out.contains("status=") {
        eprintln!("skipped: no tmpfs mount here: {}", text(&o));
        return;
    }
    assert!(out.contains("status=1"), "{}", text(&o));
    assert!(text(&o).contains("No space left"), "{}", text(&o));
    assert_eq!(
        out.lines().last().unwrap().trim(),
        "status=1",
        "the part print was left on the card: {}",
        text(&o)
    );
}

#[test]
fn a_file_of_another_take_or_a_second_file_of_an_input_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let dir = record(d.path(), &band_mix(false), "0.1");
    let elsewhere = d.path().join("other");
    std::fs::create_dir(&elsewhere).unwrap();
    let other = record(&elsewhere, &band_mix(false), "0.1");
    let out = d.path().join("mix.wav");
    let mixdown = |dir: &Path| {
        take(&[
            "mixdown",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let third = |dir: &Path| {
        (std::fs::read_dir(dir).unwrap())
            .map(|e| e.unwrap().path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("Gig-T001_03_")
            })
            .unwrap()
    };
    // Another take's third track, under a name of this take: it mixed in in place of input 3.
    let stray = dir.join("Gig-T001_09_Other.wav");
    std::fs::copy(third(&other), &stray).unwrap();
    let o = mixdown(&dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("are files of two takes (their iXML FAMILY_UIDs differ)"),
        "{}",
        text(&o)
    );
    assert!(!out.exists());
    // This take's own third track twice.
    let own = third(&dir);
    std::fs::copy(&own, &stray).unwrap();
    let o = mixdown(&dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let holds_too = format!("holds input 3, which {} holds too", own.display());
    assert!(text(&o).contains(&holds_too), "{}", text(&o));
    assert!(!out.exists());
    std::fs::remove_file(&stray).unwrap();
    assert_eq!(mixdown(&dir).status.code(), Some(0));
}

/// Records `seconds` of the sine on six inputs with `config`, writing only `tracks` (the box
/// writes its armed inputs); returns the take's folder.
fn record_tracks(dir: &Path, config: &str, tracks: &str) -> std::path::PathBuf {
    let cfg = dir.join("armed.toml");
    std::fs::write(&cfg, config).unwrap();
    let o = std::process::Command::new(common::capstan())
        .arg("--config")
        .arg(&cfg)
        .args(["record", "--sim", "--signal", "sine", "--channels", "6"])
        .args(["--seconds", "0.2", "--fast", "--tracks", tracks, "--out"])
        .arg(dir.join("takes"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    std::path::PathBuf::from(out.lines().last().unwrap().trim())
}

#[test]
fn a_take_with_unarmed_inputs_mixes_plays_and_prints_its_stems() {
    let d = tempfile::tempdir().unwrap();
    // Kick and Snare (inputs 1 and 2) unarmed: the mix has them silent.
    let dir = record_tracks(d.path(), &band_mix(false), "3-6");
    let o = mixdown(&dir, &d.path().join("mix.wav"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mix = stereo_float(&d.path().join("mix.wav"));
    assert_eq!(mix.len(), 2 * 9600);
    assert!(
        mix.iter().any(|&s| s.abs() > 0.01),
        "the armed tracks are heard"
    );
    let o = take(&["stems", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Without a mix (the plain sum), `capstan play` plays it too.
    let plain = record_tracks(d.path(), "scene = \"Plain\"\n", "2,3");
    let o = std::process::Command::new(common::capstan())
        .arg("play")
        .arg(&plain)
        .arg("--sim")
        .arg(d.path().join("heard.wav"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A file of the take's set missing is still refused, saying so.
    let gone = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("_03_"))
        .unwrap();
    std::fs::remove_file(gone).unwrap();
    let out = d.path().join("mix2.wav");
    let o = take(&[
        "mixdown",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("1 of the take's 4 track files is missing"),
        "{}",
        text(&o)
    );
}

#[test]
fn groups_whose_names_make_one_file_name_get_a_stem_each() {
    let d = tempfile::tempdir().unwrap();
    let config = band_mix(false).replace(
        r#"groups = [{ name = "Drums", fader_db = -1.5, pan = 0.1 }, { name = "Vocals" }]"#,
        r#"groups = [{ name = "Drums" }, { name = "drums" }]"#,
    );
    assert!(config.contains("\"drums\""), "the config was changed");
    let dir = record_tracks(d.path(), &config, "1-6");
    let o = take(&["stems", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stem = dir.file_name().unwrap().to_string_lossy().into_owned();
    for name in [
        format!("{stem}_STEM_Drums.wav"),
        format!("{stem}_STEM_drums 2.wav"),
    ] {
        assert!(dir.join(&name).exists(), "{name}: {}", text(&o));
    }
}

#[test]
fn a_track_file_renamed_by_hand_is_still_mixed() {
    let d = tempfile::tempdir().unwrap();
    let dir = record_tracks(d.path(), &band_mix(false), "1-6");
    mixdown(&dir, &d.path().join("before.wav"));
    let snare = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("_02_"))
        .unwrap();
    std::fs::rename(&snare, dir.join("Snare top.wav")).unwrap();
    mixdown(&dir, &d.path().join("after.wav"));
    let bits = |p: &Path| {
        stereo_float(p)
            .iter()
            .map(|x| x.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bits(&d.path().join("after.wav")),
        bits(&d.path().join("before.wav")),
        "the renamed track is in the mix"
    );
}
