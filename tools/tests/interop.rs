//! Interoperability: takes recorded by the `capstan` binary (mono and poly; 16, 24, 32 and 32f
//! bits; 1, 2 and 8 channels), and one of them again with markers (cue points after the data,
//! iXML sync points), are read by tools nobody here wrote: ffprobe, sndfile-info, mediainfo and
//! Python's wavinfo.
//!
//! A missing tool fails the test when `CI` is set and skips it (with a message) otherwise. The
//! Python used for wavinfo is `$CAPSTAN_PYTHON` if set, else `python3`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::capstan;

const RATE: u32 = 48_000;
const SECONDS: &str = "0.5";
const FRAMES: u64 = 24_000;
const LAYOUTS: [&str; 2] = ["mono", "poly"];
const BITS: [&str; 4] = ["16", "24", "32", "32f"];
const CHANNELS: [u16; 3] = [1, 2, 8];
/// Names given in the config; inputs past these are named `In<NN>` by the recorder.
const NAMED: [&str; 3] = ["Boom", "Lav1", "Lav2"];

/// One recorded take's files.
struct Take {
    label: String,
    channels: u16,
    layout: &'static str,
    files: Vec<PathBuf>,
}

/// Records every combination into `root` and returns the takes.
fn record_all(root: &Path) -> Vec<Take> {
    let bin = capstan();
    let cfg = root.join("capstan.toml");
    let mut toml = String::from("project = \"Interop\"\nscene = \"SC7\"\n");
    for n in NAMED {
        toml.push_str(&format!("[[tracks]]\nname = \"{n}\"\n"));
    }
    std::fs::write(&cfg, toml).unwrap();
    let mut takes = Vec::new();
    for layout in LAYOUTS {
        for bits in BITS {
            for ch in CHANNELS {
                let label = format!("{layout}-{bits}-{ch}ch");
                let out = root.join(&label);
                std::fs::create_dir_all(&out).unwrap();
                let o = Command::new(bin)
                    .arg("--config")
                    .arg(&cfg)
                    .args(["record", "--sim", "--fast", "--signal", "counter"])
                    .args(["--channels", &ch.to_string()])
                    .args(["--rate", &RATE.to_string()])
                    .args(["--bits", bits, "--seconds", SECONDS, "--layout", layout])
                    .arg("--out")
                    .arg(&out)
                    .output()
                    .expect("cannot run capstan");
                assert!(
                    o.status.success(),
                    "{label}: capstan record failed ({}): {}",
                    o.status,
                    String::from_utf8_lossy(&o.stderr)
                );
                let stdout = String::from_utf8_lossy(&o.stdout);
                let dir = PathBuf::from(stdout.lines().last().expect("take folder on stdout"));
                let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                    .unwrap_or_else(|e| panic!("{label}: {}: {e}", dir.display()))
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|x| x == "wav"))
                    .collect();
                files.sort();
                let want = if layout == "mono" { usize::from(ch) } else { 1 };
                assert_eq!(files.len(), want, "{label}: wav files in {}", dir.display());
                takes.push(Take {
                    label,
                    channels: ch,
                    layout,
                    files,
                });
            }
        }
    }
    let marked = with_markers(root, &takes);
    takes.push(marked);
    takes
}

/// The markers the marked take carries.
const MARKERS: [(u64, &str); 3] = [(0, "XRUN"), (4801, "DROP 480 frames"), (FRAMES - 1, "M1")];

/// The poly 24-bit stereo take written again, audio and metadata alike, with [`MARKERS`].
fn with_markers(root: &Path, takes: &[Take]) -> Take {
    let src = takes
        .iter()
        .find(|t| t.label == "poly-24-2ch")
        .expect("the poly 24-bit stereo take");
    let from = &src.files[0];
    let w = capstan_bwf::read(from).expect("capstan_bwf::read");
    let spec = w.fmt.as_ref().and_then(|f| f.spec()).expect("a spec");
    let data = w.data.expect("a data chunk");
    let bytes = std::fs::read(from).unwrap();
    let audio = &bytes[data.offset as usize..(data.offset + data.declared) as usize];
    let meta = capstan_bwf::FileMeta {
        bext: w.bext.clone().expect("bext"),
        ixml: w.ixml.clone().expect("iXML"),
    };
    let dir = root.join("poly-24-2ch-markers");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(from.file_name().unwrap());
    let mut wr = capstan_bwf::WavWriter::create(&path, spec, &meta, Default::default()).unwrap();
    wr.write_frames(audio).unwrap();
    for (at, label) in MARKERS {
        wr.add_marker(at, label);
    }
    wr.finish().unwrap();
    Take {
        label: "poly-24-2ch-markers".into(),
        channels: src.channels,
        layout: src.layout,
        files: vec![path],
    }
}

fn track_name(i: usize) -> String {
    NAMED
        .get(i)
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("In{:02}", i + 1))
}

/// The track names file `index` of `take` should list.
fn expected_tracks(take: &Take, index: usize) -> Vec<String> {
    if take.layout == "mono" {
        vec![track_name(index)]
    } else {
        (0..usize::from(take.channels)).map(track_name).collect()
    }
}

/// Runs `cmd`; `None` if the program is not installed.
fn run(cmd: &mut Command) -> Option<Output> {
    match cmd.output() {
        Ok(o) => Some(o),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("cannot run {cmd:?}: {e}"),
    }
}

/// Fails under CI, else prints why the test is skipped. Returns so the caller can `return`.
fn missing(tool: &str, why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is needed for the interop test and is missing: {why}");
    }
    println!("SKIPPED: {tool} is not available ({why}); install it to run this check");
}

fn tool_present(program: &str, probe_args: &[&str]) -> bool {
    run(Command::new(program).args(probe_args)).is_some()
}

fn check_all(tool: &str, mut check: impl FnMut(&Take, usize, &Path) -> Vec<String>) {
    let root = tempfile::tempdir().unwrap();
    let takes = record_all(root.path());
    let mut problems = Vec::new();
    let mut n = 0;
    for take in &takes {
        for (i, f) in take.files.iter().enumerate() {
            n += 1;
            for p in check(take, i, f) {
                problems.push(format!(
                    "{} {}: {p}",
                    take.label,
                    f.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    println!("{tool}: {n} files in {} takes checked", takes.len());
    assert!(
        problems.is_empty(),
        "{tool} found {} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn ffprobe_reads_duration_and_time_reference() {
    if !tool_present("ffprobe", &["-version"]) {
        return missing("ffprobe", "not on PATH (package ffmpeg)");
    }
    let want = FRAMES as f64 / f64::from(RATE);
    let frame = 1.0 / f64::from(RATE);
    check_all("ffprobe", |take, _, f| {
        let mut p = Vec::new();
        let o = run(Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_format",
                "-show_streams",
                "-show_chapters",
                "-of",
                "json",
            ])
            .arg(f))
        .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        if !o.status.success() {
            p.push(format!("ffprobe failed ({}): {}", o.status, err.trim()));
            return p;
        }
        for line in err.lines().filter(|l| l.contains("may be invalid")) {
            p.push(format!("ffprobe warns: {line}"));
        }
        let j: Value = serde_json::from_slice(&o.stdout).expect("ffprobe JSON");
        let durations = [
            ("format", j["format"]["duration"].as_str()),
            ("stream", j["streams"][0]["duration"].as_str()),
        ];
        for (what, d) in durations {
            match d.and_then(|d| d.parse::<f64>().ok()) {
                // ffprobe prints 6 decimals: allow for its rounding on top of one frame.
                Some(d) if (d - want).abs() <= frame + 1e-6 => {}
                Some(d) => p.push(format!("{what} duration {d} s, expected {want} s")),
                None => p.push(format!("no {what} duration: {d:?}")),
            }
        }
        if let Some(ts) = j["streams"][0]["duration_ts"].as_u64() {
            if ts.abs_diff(FRAMES) > 1 {
                p.push(format!("duration_ts {ts}, expected {FRAMES}"));
            }
        }
        // ffprobe shows cue points as chapters, titled with their labels.
        let chapters: Vec<(u64, String)> = j["chapters"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        let title = c["tags"]["title"].as_str().unwrap_or("").to_string();
                        (c["start"].as_u64().unwrap_or(u64::MAX), title)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let want: Vec<(u64, String)> = if take.label.ends_with("markers") {
            MARKERS.iter().map(|&(p, l)| (p, l.to_string())).collect()
        } else {
            Vec::new()
        };
        if chapters != want {
            p.push(format!("chapters {chapters:?}, expected {want:?}"));
        }
        let ours = capstan_bwf::read(f).expect("capstan_bwf::read");
        let bext = ours.bext.expect("our reader finds bext");
        let tr = j["format"]["tags"]["time_reference"].as_str();
        if tr != Some(bext.time_reference.to_string().as_str()) {
            p.push(format!(
                "time_reference tag {tr:?}, bext TimeReference {}",
                bext.time_reference
            ));
        }
        p
    });
}

#[test]
fn sndfile_info_has_no_complaints() {
    if !tool_present("sndfile-info", &[]) {
        return missing("sndfile-info", "not on PATH (package sndfile-programs)");
    }
    check_all("sndfile-info", |_, _, f| {
        let o = run(Command::new("sndfile-info").arg(f)).unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        // "should be" (wrong sizes) and "****" (libsndfile's complaints, such as a missing
        // fact chunk) both fail.
        let mut p: Vec<String> = text
            .lines()
            .filter(|l| l.contains("should be") || l.trim_start().starts_with("****"))
            .map(|l| format!("sndfile-info: {}", l.trim()))
            .collect();
        if !o.status.success() {
            p.push(format!("sndfile-info failed ({})", o.status));
        }
        p
    });
}

#[test]
fn mediainfo_does_not_see_truncation() {
    if !tool_present("mediainfo", &["--Version"]) {
        return missing("mediainfo", "not on PATH (package mediainfo)");
    }
    check_all("mediainfo", |_, _, f| {
        let mut p = Vec::new();
        for args in [&["--Output=JSON"][..], &["-f"][..]] {
            let o = run(Command::new("mediainfo").args(args).arg(f)).unwrap();
            let text = String::from_utf8_lossy(&o.stdout);
            if !o.status.success() {
                p.push(format!("mediainfo {args:?} failed ({})", o.status));
            }
            for l in text
                .lines()
                .filter(|l| l.to_lowercase().contains("truncated"))
            {
                p.push(format!("mediainfo {args:?}: {}", l.trim()));
            }
        }
        p
    });
}

const WAVINFO_SCRIPT: &str = r#"
import json, sys, wavinfo
r = wavinfo.WavInfoReader(sys.argv[1])
out = {"bext": None, "ixml": None, "cues": []}
if r.cues is not None:
    for n, frame in r.cues.each_cue():
        out["cues"].append([frame, r.cues.label_and_note(n)[0]])
if r.bext is not None:
    out["bext"] = {"time_reference": r.bext.time_reference, "originator": r.bext.originator}
if r.ixml is not None:
    out["ixml"] = {"scene": r.ixml.scene, "take": r.ixml.take,
                   "tracks": [t.name for t in r.ixml.track_list]}
print(json.dumps(out))
"#;

#[test]
fn wavinfo_reads_bext_and_ixml() {
    let python = std::env::var_os("CAPSTAN_PYTHON").unwrap_or_else(|| "python3".into());
    let py = Path::new(&python).display().to_string();
    match run(Command::new(&python).args(["-c", "import wavinfo"])) {
        None => return missing("python", &format!("{py} not found")),
        Some(o) if !o.status.success() => {
            return missing(
                "wavinfo",
                &format!(
                    "{py} cannot import wavinfo (set CAPSTAN_PYTHON to a python with wavinfo): {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                ),
            )
        }
        Some(_) => {}
    }
    check_all("wavinfo", |take, i, f| {
        let mut p = Vec::new();
        let o = run(Command::new(&python).args(["-c", WAVINFO_SCRIPT]).arg(f)).unwrap();
        if !o.status.success() {
            p.push(format!(
                "wavinfo failed ({}): {}",
                o.status,
                String::from_utf8_lossy(&o.stderr).trim()
            ));
            return p;
        }
        let j: Value = serde_json::from_slice(&o.stdout).expect("wavinfo script JSON");
        let ours = capstan_bwf::read(f).expect("capstan_bwf::read");
        let (Some(bext), Some(ixml)) = (ours.bext, ours.ixml) else {
            p.push("our reader finds no bext or no iXML".into());
            return p;
        };
        let b = &j["bext"];
        if b.is_null() {
            p.push("wavinfo finds no bext".into());
        } else {
            if b["time_reference"].as_u64() != Some(bext.time_reference) {
                p.push(format!(
                    "wavinfo time_reference {}, ours {}",
                    b["time_reference"], bext.time_reference
                ));
            }
            if b["originator"].as_str() != Some(bext.originator.as_str()) {
                p.push(format!(
                    "wavinfo originator {}, ours {:?}",
                    b["originator"], bext.originator
                ));
            }
        }
        let x = &j["ixml"];
        if x.is_null() {
            p.push("wavinfo finds no iXML".into());
            return p;
        }
        if x["scene"].as_str() != Some("SC7") || x["scene"].as_str() != Some(&ixml.scene) {
            p.push(format!(
                "wavinfo scene {}, ours {:?}, config SC7",
                x["scene"], ixml.scene
            ));
        }
        if x["take"].as_str() != Some(ixml.take.as_str()) {
            p.push(format!("wavinfo take {}, ours {:?}", x["take"], ixml.take));
        }
        let names: Vec<String> = x["tracks"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        let want = expected_tracks(take, i);
        if names != want {
            p.push(format!("wavinfo track names {names:?}, expected {want:?}"));
        }
        let cues: Vec<(u64, String)> = j["cues"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        let label = c[1].as_str().unwrap_or("").to_string();
                        (c[0].as_u64().unwrap_or(u64::MAX), label)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let ours_cues: Vec<(u64, String)> = ours
            .markers
            .iter()
            .map(|m| (m.position, m.label.clone()))
            .collect();
        let want_cues: Vec<(u64, String)> = if take.label.ends_with("markers") {
            MARKERS.iter().map(|&(p, l)| (p, l.to_string())).collect()
        } else {
            Vec::new()
        };
        if cues != want_cues || ours_cues != want_cues {
            p.push(format!(
                "cue points: wavinfo {cues:?}, ours {ours_cues:?}, expected {want_cues:?}"
            ));
        }
        let ours_names: Vec<&str> = ixml.tracks.iter().map(|t| t.name.as_str()).collect();
        if ours_names != want {
            p.push(format!(
                "our reader's track names {ours_names:?}, expected {want:?}"
            ));
        }
        p
    });
}
