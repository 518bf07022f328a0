//! `take report`: one take at a glance, for the engineer after the show: what it is, how long,
//! its markers, and everything it lost or that went wrong (each loss at its place, a take that
//! stopped early, files cut short or damaged, files of other takes), ending with a verdict that
//! the exit code repeats for scripts.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use capstan_bwf::losses::{self, Loss};
use capstan_bwf::{verify, WavFile};
use serde::Serialize;

use super::{clock, count, seconds, time_of_day, wav_files, OK, PROBLEMS, UNREADABLE};

/// One take's report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The take folder (or the one file) reported on.
    pub path: PathBuf,
    /// PROJECT, SCENE and TAKE from the iXML.
    pub project: String,
    /// The scene.
    pub scene: String,
    /// The take's number.
    pub take: String,
    /// The take's first frame: the bext origination date and time.
    pub recorded: String,
    /// The time of day of the take's first frame (bext TimeReference), `HH:MM:SS.mmm`.
    pub time_of_day: String,
    /// Sample rate.
    pub rate: u32,
    /// Sample format, as `take info` describes it.
    pub format: String,
    /// The take's length: its longest file's.
    pub frames: u64,
    /// The take's length in seconds.
    pub seconds: f64,
    /// The track files.
    pub files: Vec<FileReport>,
    /// Mixes and stems printed from the take (`_MIX.wav`, `_STEM_*.wav`).
    pub prints: Vec<PathBuf>,
    /// The markers put in while recording, losses aside.
    pub markers: Vec<Place>,
    /// Xruns counted.
    pub xruns: u64,
    /// Frames thrown away by a full ring.
    pub frames_dropped: u64,
    /// Each loss marked in the files.
    pub losses: Vec<Place>,
    /// Why the take stopped early, if it did.
    pub stopped_early: Option<String>,
    /// The iXML NOTE, whole.
    pub note: String,
    /// What is wrong, one line each; empty for a clean take.
    pub problems: Vec<String>,
}

/// One track file.
#[derive(Debug, Serialize)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// Frames it holds.
    pub frames: u64,
    /// Its tracks' names, in file order.
    pub tracks: Vec<String>,
    /// What `take verify` finds wrong with it (or why it could not be read).
    pub problems: Vec<String>,
}

/// A marker or loss at its place in the take.
#[derive(Debug, Serialize)]
pub struct Place {
    /// The marker's label.
    pub label: String,
    /// Frames from the take's first frame.
    pub frame: u64,
    /// Seconds from the take's first frame.
    pub seconds: f64,
}

/// Runs `take report`; returns the exit code: 0 for a clean take, 1 for one with losses or
/// problems, 2 when nothing could be read.
pub fn run(path: &Path, json: bool) -> u8 {
    let files = match wav_files(path) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let (prints, tracks): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| {
        let name = f.file_name().unwrap_or_default().to_string_lossy();
        name.ends_with("_MIX.wav") || name.contains("_STEM_")
    });
    let read: Vec<(PathBuf, Result<WavFile, String>)> = tracks
        .into_iter()
        .map(|f| {
            let r = capstan_bwf::read(&f).map_err(|e| e.to_string());
            (f, r)
        })
        .collect();
    let Some(report) = report(path, read, prints) else {
        errln!(
            "take: {}: no track file could be read: `take info` says why for each",
            path.display()
        );
        return UNREADABLE;
    };
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => outln!("{s}"),
            Err(e) => {
                errln!("take: cannot write JSON: {e}");
                return UNREADABLE;
            }
        }
    } else {
        out!("{}", text(&report));
    }
    if report.problems.is_empty() {
        OK
    } else {
        PROBLEMS
    }
}

/// The report of the track files `read` (each read or the reason it was not) of the take at
/// `path`; `None` when none could be read.
pub fn report(
    path: &Path,
    read: Vec<(PathBuf, Result<WavFile, String>)>,
    prints: Vec<PathBuf>,
) -> Option<Report> {
    // The take speaks through its longest file: a file cut short may lack its last markers.
    let main = read
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .max_by_key(|w| (w.frames(), std::cmp::Reverse(w.path.clone())))?;
    let rate = main.fmt.as_ref().map_or(0, |f| f.sample_rate);
    let ixml = main.ixml.clone().unwrap_or_default();
    let bext = main.bext.as_ref();
    let frames = main.frames();
    let mut problems = Vec::new();
    let mut file_reports = Vec::new();
    for (f, r) in &read {
        let fr = match r {
            Ok(w) => FileReport {
                path: f.clone(),
                frames: w.frames(),
                tracks: (w.ixml.iter().flat_map(|x| &x.tracks))
                    .map(|t| t.name.clone())
                    .collect(),
                problems: verify::structure(w),
            },
            Err(e) => FileReport {
                path: f.clone(),
                frames: 0,
                tracks: Vec::new(),
                problems: vec![format!("cannot be read: {e}")],
            },
        };
        let name = f.file_name().unwrap_or_default().to_string_lossy();
        // A file of another take (FAMILY_UID, which every file of a take shares) says so and
        // nothing else: its length is not this take's business.
        let family = (r.as_ref().ok())
            .and_then(|w| w.ixml.as_ref())
            .map(|x| x.family_uid.as_str());
        let ours = ixml.family_uid.as_str();
        if family.is_some_and(|u| !u.is_empty() && !ours.is_empty() && u != ours) {
            problems.push(format!(
                "{name} belongs to another take (its FAMILY_UID differs): give a folder \
                 holding one take"
            ));
        } else if !fr.problems.is_empty() {
            problems.push(format!(
                "{name}: {} (`take recover` repairs sizes a power cut left wrong)",
                fr.problems.join("; ")
            ));
        } else if fr.frames < frames {
            problems.push(format!(
                "{name} ends at {} ({}), before the take's end",
                clock(fr.frames, rate),
                count(fr.frames, "frame")
            ));
        }
        file_reports.push(fr);
    }
    // A folder missing some of the take's files (its iXML FILE_SET counts them; a print is
    // not one of them) is no whole take, however clean the files that are here.
    let ours = (read.iter().filter_map(|(_, r)| r.as_ref().ok()))
        .filter(|w| {
            w.ixml
                .as_ref()
                .is_some_and(|x| x.family_uid.is_empty() || x.family_uid == ixml.family_uid)
        })
        .count();
    // Two files of the take holding one input: a copy of a track file left beside it.
    let mut holder: std::collections::BTreeMap<u32, &Path> = Default::default();
    for w in (read.iter().filter_map(|(_, r)| r.as_ref().ok())).filter(|w| {
        w.ixml
            .as_ref()
            .is_some_and(|x| x.family_uid == ixml.family_uid)
    }) {
        for t in w
            .ixml
            .iter()
            .flat_map(|x| &x.tracks)
            .filter(|t| t.channel_index > 0)
        {
            if let Some(other) = holder.insert(t.channel_index, &w.path) {
                problems.push(format!(
                    "{} holds input {}, as {} does: is one a copy? Keep one file per input",
                    w.path.file_name().unwrap_or_default().to_string_lossy(),
                    t.channel_index,
                    other.file_name().unwrap_or_default().to_string_lossy()
                ));
            }
        }
    }
    let set = ixml.total_files as usize;
    if path.is_dir() && set > ours {
        problems.push(format!(
            "{} of the take's {set} files {} not here (its iXML FILE_SET counts {set}): was the \
             take copied without {}?",
            set - ours,
            if set - ours == 1 { "is" } else { "are" },
            if set - ours == 1 { "it" } else { "them" },
        ));
    }
    let place = |m: &capstan_bwf::Marker| Place {
        label: m.label.clone(),
        frame: m.position,
        seconds: seconds(m.position, rate),
    };
    let (loss_marks, user_marks): (Vec<_>, Vec<_>) =
        main.markers.iter().partition(|m| m.loss().is_some());
    let marked = loss_marks.iter().fold((0, 0), |(x, d), m| match m.loss() {
        Some(Loss::Xrun) => (x + 1, d),
        Some(Loss::Drop(n)) => (x, d + n),
        None => (x, d),
    });
    // The NOTE counts every loss, the markers only those the files had room for.
    let (xruns, frames_dropped) = match losses::note_losses(&ixml.note) {
        Some((x, d)) => (x.max(marked.0), d.max(marked.1)),
        None => marked,
    };
    if xruns > 0 || frames_dropped > 0 {
        problems.insert(
            0,
            format!(
                "{} and {} dropped while recording",
                count(xruns, "xrun"),
                count(frames_dropped, "frame")
            ),
        );
    }
    // Capstan writes an iXML into every file: one it cannot read leaves the take's NOTE (its
    // losses, a stop, a power cut) unknown.
    let capstan_made = bext.is_some_and(|b| b.originator == "Capstan");
    if capstan_made && main.ixml.is_none() {
        problems.push(format!(
            "{}: its iXML chunk cannot be read (`take info` says why), so what the take lost or \
             why it ended is not known",
            main.path.file_name().unwrap_or_default().to_string_lossy()
        ));
    }
    let stopped_early = losses::note_stopped_early(&ixml.note).map(str::to_string);
    if let Some(why) = &stopped_early {
        problems.insert(0, format!("the take stopped early: {why}"));
    }
    // A file whose NOTE still says it is being recorded was never closed, unless a recorder
    // has it open still.
    let read_files: Vec<&WavFile> = read.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
    let live = (read_files.iter()).any(|w| capstan_bwf::writer::being_written(&w.path));
    let cut = (read_files.iter())
        .filter(|w| (w.ixml.as_ref()).is_some_and(|x| losses::note_not_closed(&x.note)))
        .count();
    if live {
        problems.insert(
            0,
            "the take is being recorded: this is the take so far, as of its last commit"
                .to_string(),
        );
    } else if cut > 0 {
        problems.insert(
            0,
            format!(
                "{} not closed by the recorder (a power cut, a crash, or the card pulled or \
                 failing): the audio ends at the last commit before that, up to a commit \
                 interval short of where the take was cut",
                if cut == read_files.len() {
                    "the take was".to_string()
                } else {
                    format!(
                        "{cut} of its {} files {}",
                        read_files.len(),
                        if cut == 1 { "was" } else { "were" }
                    )
                }
            ),
        );
    }
    Some(Report {
        path: path.to_path_buf(),
        project: ixml.project.clone(),
        scene: ixml.scene.clone(),
        take: ixml.take.clone(),
        recorded: bext.map_or(String::new(), |b| {
            format!("{} {}", b.origination_date, b.origination_time)
        }),
        time_of_day: bext.map_or(String::new(), |b| time_of_day(b.time_reference, rate)),
        rate,
        format: main.fmt.as_ref().map_or(String::new(), |f| f.describe()),
        frames,
        seconds: seconds(frames, rate),
        files: file_reports,
        prints,
        markers: user_marks.into_iter().map(place).collect(),
        xruns,
        frames_dropped,
        losses: loss_marks.into_iter().map(place).collect(),
        stopped_early,
        note: ixml.note,
        problems,
    })
}

/// The report in words.
pub fn text(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", r.path.display());
    let said: Vec<String> = [
        ("scene", &r.scene),
        ("take", &r.take),
        ("project", &r.project),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k} {v}"))
    .collect();
    if !said.is_empty() {
        let _ = writeln!(o, "  take        {}", said.join(", "));
    }
    let _ = writeln!(
        o,
        "  recorded    {}{}time of day {}",
        r.recorded,
        if r.recorded.trim().is_empty() {
            ""
        } else {
            ", "
        },
        r.time_of_day
    );
    let frames_of = |n: u64| clock(n, r.rate);
    let _ = writeln!(
        o,
        "  length      {} ({}), {}, {} Hz, {}",
        frames_of(r.frames),
        count(r.frames, "frame"),
        r.format,
        r.rate,
        count(r.files.len() as u64, "track file")
    );
    let names: Vec<String> = (r.files.iter())
        .flat_map(|f| f.tracks.iter().cloned())
        .collect();
    if !names.is_empty() {
        let _ = writeln!(o, "  tracks      {}", names.join(", "));
    }
    for p in &r.prints {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        let _ = writeln!(o, "  print       {name}");
    }
    for m in &r.markers {
        let _ = writeln!(o, "  marker      {} at {}", m.label, frames_of(m.frame));
    }
    for l in &r.losses {
        let _ = writeln!(
            o,
            "  loss        {} at {} (frame {})",
            l.label,
            frames_of(l.frame),
            l.frame
        );
    }
    if !r.note.is_empty() {
        let _ = writeln!(o, "  note        {}", r.note);
    }
    if r.problems.is_empty() {
        let _ = writeln!(
            o,
            "CLEAN: no losses; every file whole, {} long",
            frames_of(r.frames)
        );
    } else {
        let _ = writeln!(o, "NOT CLEAN:");
        for p in &r.problems {
            let _ = writeln!(o, "  - {p}");
        }
    }
    o
}
