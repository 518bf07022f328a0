//! What the tools' tests share: the workspace and a `capstan` binary built once.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use capstan_bwf::counter;
use capstan_bwf::writer::{WavWriter, WriterOptions};
use capstan_bwf::{FileMeta, SampleFormat, WavSpec};

/// The workspace's root folder.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ sits in the workspace")
        .to_path_buf()
}

/// Builds the `capstan` binary once and returns its path.
pub fn capstan() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let st = Command::new(cargo)
            .current_dir(workspace())
            .args(["build", "-p", "capstan", "--bin", "capstan"])
            .status()
            .expect("cannot run cargo to build capstan");
        assert!(st.success(), "cargo build -p capstan failed: {st}");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|t| {
                if t.is_absolute() {
                    t
                } else {
                    workspace().join(t)
                }
            })
            .unwrap_or_else(|| workspace().join("target"));
        let bin = target
            .join("debug")
            .join(format!("capstan{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "no capstan binary at {}", bin.display());
        bin
    })
}

/// Runs the `take` binary with `args`.
pub fn take(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_take"))
        .args(args)
        .output()
        .expect("cannot run the take binary")
}

/// Runs the `take` binary with `args` and then `path`.
pub fn take_on(args: &[&str], path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_take"))
        .args(args)
        .arg(path)
        .output()
        .expect("cannot run the take binary")
}

/// Standard output then standard error of `o`, as one text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A band's mix on six inputs: two groups (drums, vocals), pans, faders, a phase-inverted
/// snare, a stereo keys track, a master fader; with a board mix printed when `board_mix`.
pub fn band_mix(board_mix: bool) -> String {
    format!(
        r#"
scene = "Gig"
[recorder]
period_frames = 96
[mixer]
board_mix = {board_mix}
tracks = [
    {{ name = "Kick", input = 0, output = {{ group = 0 }}, pan = -0.3, fader_db = -1.0 }},
    {{ name = "Snare", input = 1, output = {{ group = 0 }}, pan = 0.2, fader_db = -4.0, invert = true }},
    {{ name = "Vox", input = 2, output = {{ group = 1 }}, pan = 0.4, fader_db = -2.5 }},
    {{ name = "Keys", input = [3, 4], output = {{ group = 1 }}, pan = -0.6, trim_db = 3.0 }},
    {{ name = "Gtr", input = 5, pan = 0.8, fader_db = -6.0 }},
]
groups = [{{ name = "Drums", fader_db = -1.5, pan = 0.1 }}, {{ name = "Vocals" }}]
master = {{ fader_db = -3.0 }}
"#
    )
}

/// Records a take of `seconds` of the sine on six inputs with `config` (the `capstan` binary on
/// the sim board, fast); returns its folder.
pub fn record_sine(dir: &Path, config: &str, seconds: &str) -> PathBuf {
    let cfg = dir.join("box.toml");
    std::fs::write(&cfg, config).unwrap();
    let o = Command::new(capstan())
        .arg("--config")
        .arg(&cfg)
        .args(["record", "--sim", "--signal", "sine", "--channels", "6"])
        .args(["--seconds", seconds, "--fast", "--out"])
        .arg(dir.join("takes"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    PathBuf::from(out.lines().last().unwrap().trim())
}

/// A finished 2-channel 24-bit counter file of `frames` frames (scene "Gig", originator
/// "Capstan").
pub fn counter_file(dir: &Path, name: &str, frames: usize) -> PathBuf {
    let spec = WavSpec {
        channels: 2,
        sample_rate: 48000,
        format: SampleFormat::I24,
    };
    let path = dir.join(name);
    let mut meta = FileMeta::default();
    meta.ixml.scene = "Gig".into();
    meta.bext.originator = "Capstan".into();
    let mut w = WavWriter::create(&path, spec, &meta, WriterOptions::default()).unwrap();
    let mut buf = vec![0u8; frames * 6];
    counter::fill(&mut buf, 2, SampleFormat::I24, 0);
    w.write_frames(&buf).unwrap();
    w.finish().unwrap();
    path
}

/// A stereo 32-bit float file's samples (a mix or a stem); fails the test on another format.
pub fn stereo_float(p: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(p).unwrap();
    let s = r.spec();
    assert_eq!(
        (s.channels, s.sample_format, s.bits_per_sample),
        (2, hound::SampleFormat::Float, 32),
        "{}",
        p.display()
    );
    r.samples::<f32>().map(Result::unwrap).collect()
}

/// Prints the mix of the take in `take_dir` to `out` with `take mixdown`, which must succeed.
pub fn mixdown(take_dir: &Path, out: &Path) -> Output {
    let o = take(&[
        "mixdown",
        take_dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    o
}

/// Runs the shell `script` with `args` as `$1`, `$2`... in a mount namespace of its own (so
/// the mounts it makes, a tmpfs or a read-only bind, go with it). Needs root or user
/// namespaces: a caller whose script did not run to its end skips.
pub fn in_mount_namespace(script: &str, args: &[&std::ffi::OsStr]) -> Output {
    Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .args(args)
        .output()
        .expect("unshare")
}
