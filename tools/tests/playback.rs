//! `capstan play --sim` plays what `take mixdown` prints: a take recorded by the `capstan`
//! binary on the sim board with a `[mixer]` plays back through the same mixer, cut into the
//! same periods, bit for bit as the offline print, whole or from 0.5 s on; a take without a mix
//! file plays a plain centred mix of its tracks.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{band_mix, capstan, record_sine as record, stereo_float, text};

/// Runs `capstan play` with `args`, no config file.
fn play(args: &[&str]) -> Output {
    Command::new(capstan())
        .arg("--config")
        .arg("/dev/null")
        .arg("play")
        .args(args)
        .output()
        .unwrap()
}

/// A stereo float file's samples, as bits so comparisons are exact.
fn samples(p: &Path) -> Vec<u32> {
    stereo_float(p).into_iter().map(f32::to_bits).collect()
}

/// The take's mix printed offline to `out`, as bits.
fn mixdown(take: &Path, out: &Path) -> Vec<u32> {
    common::mixdown(take, out);
    samples(out)
}

/// The index of the first sample where `a` and `b` differ, if any (lengths included).
fn first_diff(a: &[u32], b: &[u32]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or((a.len() != b.len()).then_some(a.len().min(b.len())))
}

#[test]
fn playback_is_the_offline_mix_bit_for_bit_whole_and_from_half_a_second() {
    let d = tempfile::tempdir().unwrap();
    // 1.01 s: the take ends in the middle of a period.
    let dir = record(d.path(), &band_mix(false), "1.01");
    let printed = mixdown(&dir, &d.path().join("offline.wav"));
    assert_eq!(printed.len(), 2 * 48_480);
    assert!(printed.iter().any(|&x| f32::from_bits(x).abs() > 0.05));

    // The last take of the out folder is played when none is named.
    let sim = d.path().join("played.wav");
    let takes = d.path().join("takes");
    let o = play(&[
        "--out",
        takes.to_str().unwrap(),
        "--sim",
        sim.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("played 48480 frames"), "{}", text(&o));
    assert!(text(&o).contains("0 read-ahead underruns"), "{}", text(&o));
    let played = samples(&sim);
    assert_eq!(first_diff(&played, &printed), None, "played vs printed");

    // From 0.5 s (frame 24000, a multiple of the 96-frame period, so the periods fall where
    // the print's do): the print's samples from that frame on.
    let sim = d.path().join("from.wav");
    let o = play(&[
        dir.to_str().unwrap(),
        "--from",
        "0.5",
        "--sim",
        sim.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let from = samples(&sim);
    assert_eq!(
        first_diff(&from, &printed[2 * 24_000..]),
        None,
        "from 0.5 s"
    );

    // From 0.501 s the periods are cut 48 frames later than the print's; the mixer has no
    // ramp to run at a steady setting, so the samples are still the print's.
    let sim = d.path().join("off.wav");
    let o = play(&[
        dir.to_str().unwrap(),
        "--from",
        "0.501",
        "--sim",
        sim.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let off = samples(&sim);
    assert_eq!(
        first_diff(&off, &printed[2 * 24_048..]),
        None,
        "from 0.501 s"
    );
}

#[test]
fn a_take_without_a_mix_file_plays_a_plain_centred_mix_and_bad_options_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let dir = record(d.path(), "scene = \"Dry\"\n", "0.3");
    assert!(!dir.join("Dry-T001.mix.toml").exists());
    let sim = d.path().join("plain.wav");
    let o = play(&[dir.to_str().unwrap(), "--sim", sim.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("plain centred mix"), "{}", text(&o));
    let plain = samples(&sim);
    assert_eq!(plain.len(), 2 * 14_400);
    assert!(
        plain.chunks_exact(2).all(|f| f[0] == f[1]),
        "a centred mix is the same on both sides"
    );
    assert!(plain.iter().any(|&x| f32::from_bits(x) != 0.0));

    let o = play(&[
        dir.to_str().unwrap(),
        "--from",
        "5",
        "--sim",
        sim.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("only 0.300 s long"), "{}", text(&o));
    let o = play(&[d.path().to_str().unwrap(), "--sim", sim.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not a take folder"), "{}", text(&o));
    // An existing --sim file is left as it is, and named once.
    let before = std::fs::read(&sim).unwrap();
    let o = play(&[dir.to_str().unwrap(), "--sim", sim.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("give another --sim file"), "{}", text(&o));
    let named = sim.display().to_string();
    assert_eq!(text(&o).matches(&named).count(), 1, "{}", text(&o));
    assert_eq!(std::fs::read(&sim).unwrap(), before);
    // A read-ahead past what the box holds (1e9 s asked for 288 TB and aborted) or under the
    // minimum is refused in words.
    for bad in ["1e9", "1", "NaN"] {
        let o = play(&[
            dir.to_str().unwrap(),
            "--read-ahead",
            bad,
            "--sim",
            d.path().join("ra.wav").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o));
        assert!(text(&o).contains("use 2 to 60 seconds"), "{}", text(&o));
    }
}
