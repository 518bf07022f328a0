//! `take info`.

use std::fmt::Write;
use std::path::Path;

use capstan_bwf::reader::MarkerSource;
use capstan_bwf::verify;
use capstan_bwf::WavFile;
use serde_json::Value;

use super::{seconds, time_of_day, wav_files, OK, PROBLEMS, UNREADABLE};

/// Runs `take info`; returns the exit code.
pub fn run(path: &Path, json: bool) -> u8 {
    let files = match wav_files(path) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut code = OK;
    let mut all = Vec::new();
    for f in files {
        match capstan_bwf::read(&f) {
            Ok(w) => {
                let problems = verify::structure(&w);
                if !problems.is_empty() {
                    errln!(
                        "take: {}: {} (`take verify` lists what is wrong; `take recover` repairs sizes a \
                         power cut left wrong)",
                        f.display(),
                        problems.join("; ")
                    );
                    code = code.max(PROBLEMS);
                }
                if json {
                    all.push(json_of(&w));
                } else {
                    out!("{}", text(&w));
                }
            }
            Err(e) => {
                super::say_unreadable(&f, &e);
                code = UNREADABLE;
            }
        }
    }
    if json {
        let out = if all.len() == 1 && !path.is_dir() {
            serde_json::to_string_pretty(&all[0])
        } else {
            serde_json::to_string_pretty(&all)
        };
        match out {
            Ok(s) => outln!("{s}"),
            Err(e) => {
                errln!("take: cannot write JSON: {e}");
                code = UNREADABLE;
            }
        }
    }
    code
}

/// One file as JSON: the reader's findings, each marker with its position in seconds too.
pub fn json_of(w: &WavFile) -> Value {
    let mut v = serde_json::to_value(w).unwrap_or(Value::Null);
    let rate = w.fmt.as_ref().map_or(0, |f| f.sample_rate);
    if let Some(ms) = v.get_mut("markers").and_then(Value::as_array_mut) {
        for (m, j) in w.markers.iter().zip(ms) {
            j["seconds"] = seconds(m.position, rate).into();
        }
    }
    v
}

/// The human-readable report of one file.
pub fn text(w: &WavFile) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", w.path.display());
    let _ = writeln!(o, "  container   {:?}, {} bytes", w.container, w.file_len);
    if let Some(f) = &w.fmt {
        let _ = writeln!(
            o,
            "  format      {}, {} ch, {} Hz",
            f.describe(),
            f.channels,
            f.sample_rate
        );
        if let Some(m) = f.channel_mask {
            let _ = writeln!(o, "  channel mask 0x{m:X}");
        }
    }
    let _ = writeln!(
        o,
        "  length      {} frames, {:.3} s",
        w.frames(),
        w.duration_secs()
    );
    if let Some(b) = &w.bext {
        let _ = writeln!(o, "  bext        version {}", b.version);
        for line in b.description.lines() {
            let _ = writeln!(o, "    description  {}", line.trim_end());
        }
        let _ = writeln!(o, "    originator   {}", b.originator);
        let _ = writeln!(o, "    reference    {}", b.originator_reference);
        let _ = writeln!(
            o,
            "    date / time  {} {}",
            b.origination_date, b.origination_time
        );
        let rate = w.fmt.as_ref().map_or(0, |f| f.sample_rate);
        let _ = writeln!(
            o,
            "    time ref     {} samples ({})",
            b.time_reference,
            time_of_day(b.time_reference, rate)
        );
        let umid: String = b.umid.iter().take(32).map(|x| format!("{x:02x}")).collect();
        let _ = writeln!(o, "    UMID         {umid}");
        let l = [
            b.loudness_value,
            b.loudness_range,
            b.max_true_peak_level,
            b.max_momentary_loudness,
            b.max_short_term_loudness,
        ];
        let ls: Vec<String> = l
            .iter()
            .map(|v| {
                if *v == 0x7FFF {
                    "-".into()
                } else {
                    format!("{:.2}", f64::from(*v) / 100.0)
                }
            })
            .collect();
        let _ = writeln!(
            o,
            "    loudness     {} (LUFS, LU, dBTP, LUFS, LUFS)",
            ls.join(" / ")
        );
        for line in b.coding_history.lines() {
            let _ = writeln!(o, "    history      {}", line.trim_end());
        }
    }
    if let Some(x) = &w.ixml {
        let _ = writeln!(o, "  iXML        version {}", x.version);
        let _ = writeln!(o, "    project      {}", x.project);
        let _ = writeln!(
            o,
            "    scene / take {} / {}{}",
            x.scene,
            x.take,
            if x.circled { " (circled)" } else { "" }
        );
        let _ = writeln!(o, "    tape         {}", x.tape);
        let _ = writeln!(o, "    note         {}", x.note);
        let _ = writeln!(o, "    file uid     {}", x.file_uid);
        let _ = writeln!(
            o,
            "    speed        timecode {} {}, {} Hz, {}-bit",
            x.timecode_rate, x.timecode_flag, x.file_sample_rate, x.audio_bit_depth
        );
        let _ = writeln!(
            o,
            "    timestamp    {} samples since midnight at {} Hz",
            x.timestamp_samples_since_midnight, x.timestamp_sample_rate
        );
        let _ = writeln!(
            o,
            "    file set     {} of {} files, family {}",
            x.file_set_index, x.total_files, x.family_uid
        );
        for t in &x.tracks {
            let _ = writeln!(
                o,
                "    track        {} (input {}): {}",
                t.interleave_index, t.channel_index, t.name
            );
        }
    }
    if let Some(src) = w.marker_source {
        let from = match src {
            MarkerSource::Cue => "cue chunk",
            MarkerSource::Ixml => "iXML sync points",
        };
        let _ = writeln!(o, "  markers     {} (from the {from})", w.markers.len());
        let rate = w.fmt.as_ref().map_or(0, |f| f.sample_rate);
        for m in &w.markers {
            let _ = writeln!(
                o,
                "    frame {:>10}  {:>10.3} s  {}",
                m.position,
                seconds(m.position, rate),
                m.label
            );
        }
    }
    let _ = writeln!(o, "  chunks");
    for c in &w.chunks {
        let _ = writeln!(o, "    {:<4} at {:>10}, {} bytes", c.id, c.offset, c.size);
    }
    for wr in &w.warnings {
        let _ = writeln!(o, "  warning     {wr}");
    }
    o
}
