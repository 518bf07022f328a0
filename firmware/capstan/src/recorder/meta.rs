//! The metadata a take's files carry: bext and iXML, from the config, the clock and the stream.

use std::io::Read;

use capstan_bwf::bext::{basic_umid, Bext};
use capstan_bwf::ixml::{Ixml, IxmlTrack};
use capstan_bwf::{FileMeta, WavSpec};
use chrono::{DateTime, Local, Timelike};

use super::naming::TakeName;

/// Unique bytes from the kernel (for UIDs and the UMID).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_err()
    {
        // No /dev/urandom: fall back to the clock and the process id, still unique per take.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let seed = t ^ (u128::from(std::process::id()) << 64);
        for (i, x) in b.iter_mut().enumerate() {
            *x = (seed >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    b
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// Samples since local midnight at `t`, at `rate`.
pub fn samples_since_midnight(t: &DateTime<Local>, rate: u32) -> u64 {
    let secs = u64::from(t.num_seconds_from_midnight());
    let nanos = u64::from(t.nanosecond().min(999_999_999));
    secs * u64::from(rate) + nanos * u64::from(rate) / 1_000_000_000
}

/// What every file of one take shares.
#[derive(Debug, Clone)]
pub struct TakeMeta {
    /// Project name.
    pub project: String,
    /// Take name and folder.
    pub take: TakeName,
    /// When REC was pressed (local time): the take's first sample is `pre_roll` frames
    /// earlier.
    pub rec: DateTime<Local>,
    /// Frames of the take before REC (the pre-roll it holds; 0 without pre-roll).
    pub pre_roll: u64,
    /// Timecode rate for iXML.
    pub timecode_rate: String,
    /// iXML FAMILY_UID shared by the take's files.
    pub family_uid: String,
    /// Number of files in the take.
    pub total_files: u32,
    /// What the take's NOTE says from its first frame after the pre-roll (a mirror left out
    /// at REC); empty for most takes.
    pub start_note: String,
}

/// One file's tracks: (input channel, track name) for each interleave position.
pub type FileTracks<'a> = &'a [(u32, String)];

impl TakeMeta {
    /// Samples since local midnight at the take's first sample, at `rate`: REC's, less the
    /// pre-roll (through midnight when the pre-roll began the day before).
    pub fn time_reference(&self, rate: u32) -> u64 {
        let day = 86_400 * u64::from(rate);
        (samples_since_midnight(&self.rec, rate) + day - self.pre_roll % day) % day
    }

    /// When the take's first sample was captured (local time), at `rate`.
    pub fn start(&self, rate: u32) -> DateTime<Local> {
        let nanos = self.pre_roll.saturating_mul(1_000_000_000) / u64::from(rate.max(1));
        self.rec - chrono::Duration::nanoseconds(nanos as i64)
    }

    /// The iXML NOTE's first part: how much of the take came before REC (with pre-roll), and
    /// the start note (a mirror left out).
    pub fn start_note(&self, rate: u32) -> String {
        let pre_roll = (self.pre_roll > 0).then(|| {
            format!(
                "pre-roll {:.2} s ({} frames before REC).",
                self.pre_roll as f64 / f64::from(rate),
                self.pre_roll
            )
        });
        (pre_roll.iter())
            .chain((!self.start_note.is_empty()).then_some(&self.start_note))
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The bext and iXML of one file of the take (`index` 0-based among the take's files).
    pub fn file_meta(&self, spec: WavSpec, index: usize, tracks: FileTracks<'_>) -> FileMeta {
        let tref = self.time_reference(spec.sample_rate);
        let start = self.start(spec.sample_rate);
        // In ASCII as the bext field will hold it, so that only whole lines go in.
        let mut description = format!(
            "sSCENE={}\r\nsTAKE={}\r\n",
            capstan_bwf::bext::ascii(&self.take.scene),
            self.take.number
        );
        for (i, (_, name)) in tracks.iter().enumerate() {
            let line = format!("sTRK{}={}\r\n", i + 1, capstan_bwf::bext::ascii(name));
            if description.len() + line.len() > 256 {
                break;
            }
            description.push_str(&line);
        }
        let mode = match tracks.len() {
            1 => "mono",
            2 => "stereo",
            _ => "multitrack",
        };
        let format_name = if spec.format.is_float() {
            "FLOAT"
        } else {
            "PCM"
        };
        let coding_history = format!(
            "A={format_name},F={},W={},M={mode},T=Capstan {}\r\n",
            spec.sample_rate,
            spec.format.bits(),
            env!("CARGO_PKG_VERSION")
        );
        // EBU R99 USID: country, organisation, serial, time, random.
        let r: [u8; 8] = random_bytes();
        let serial = u64::from_le_bytes(r) % 1_000_000_000_000;
        let rnd = u64::from_le_bytes(random_bytes::<8>()) % 1_000_000_000;
        let originator_reference = format!("XXCAP{serial:012}{}{rnd:09}", start.format("%H%M%S"));
        let bext = Bext {
            description,
            originator: "Capstan".into(),
            originator_reference,
            origination_date: start.format("%Y-%m-%d").to_string(),
            origination_time: start.format("%H:%M:%S").to_string(),
            time_reference: tref,
            version: 2,
            umid: basic_umid(random_bytes()),
            coding_history,
            ..Bext::default()
        };
        let ixml = Ixml {
            version: "2.10".into(),
            project: self.project.clone(),
            scene: self.take.scene.clone(),
            take: self.take.number.to_string(),
            tape: start.format("%Y%m%d").to_string(),
            circled: false,
            note: self.start_note(spec.sample_rate),
            file_uid: hex(&random_bytes::<16>()),
            master_speed: self.timecode_rate.clone(),
            timecode_rate: self.timecode_rate.clone(),
            timecode_flag: if self.timecode_rate.contains("1001") {
                "DF".into()
            } else {
                "NDF".into()
            },
            file_sample_rate: spec.sample_rate,
            audio_bit_depth: spec.format.bits(),
            timestamp_sample_rate: spec.sample_rate,
            timestamp_samples_since_midnight: tref,
            total_files: self.total_files,
            family_uid: self.family_uid.clone(),
            file_set_index: set_index(index),
            tracks: tracks
                .iter()
                .enumerate()
                .map(|(i, (ch, name))| IxmlTrack {
                    channel_index: ch + 1,
                    interleave_index: i as u32 + 1,
                    name: name.clone(),
                    function: String::new(),
                })
                .collect(),
            sync_points: Vec::new(),
        };
        FileMeta { bext, ixml }
    }
}

/// "A".."Z", then "AA".. like spreadsheet columns.
fn set_index(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A new FAMILY_UID for a take.
pub fn new_family_uid() -> String {
    hex(&random_bytes::<16>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_reference_counts_samples_since_midnight() {
        let t = Local.with_ymd_and_hms(2026, 11, 23, 1, 0, 2).unwrap();
        assert_eq!(samples_since_midnight(&t, 48000), 3602 * 48000);
    }

    fn take_meta(rec: DateTime<Local>, pre_roll: u64) -> TakeMeta {
        TakeMeta {
            project: "P".into(),
            take: super::super::naming::TakeName {
                dir: "/tmp/S01-T001".into(),
                scene: "S01".into(),
                number: 1,
            },
            rec,
            pre_roll,
            timecode_rate: "25/1".into(),
            family_uid: new_family_uid(),
            total_files: 1,
            start_note: String::new(),
        }
    }

    #[test]
    fn pre_roll_moves_the_start_back_in_bext_and_ixml_alike() {
        let rec = Local.with_ymd_and_hms(2026, 11, 23, 1, 0, 2).unwrap();
        let tm = take_meta(rec, 2 * 48000 + 24000);
        let spec = WavSpec {
            channels: 1,
            sample_rate: 48000,
            format: capstan_bwf::SampleFormat::I24,
        };
        let m = tm.file_meta(spec, 0, &[(0, "Kick".into())]);
        assert_eq!(m.bext.time_reference, 3602 * 48000 - 120_000);
        assert_eq!(
            m.ixml.timestamp_samples_since_midnight,
            m.bext.time_reference
        );
        assert_eq!(m.bext.origination_time, "00:59:59");
        assert!(m.ixml.note.contains("pre-roll 2.50 s"), "{}", m.ixml.note);
        // A pre-roll reaching back over midnight starts the day before.
        let early = Local.with_ymd_and_hms(2026, 11, 23, 0, 0, 1).unwrap();
        let m = take_meta(early, 2 * 48000).file_meta(spec, 0, &[(0, "Kick".into())]);
        assert_eq!(m.bext.time_reference, 86_399 * 48000);
        assert_eq!(m.bext.origination_date, "2026-11-22");
        let none = take_meta(rec, 0).file_meta(spec, 0, &[(0, "Kick".into())]);
        assert_eq!(none.bext.time_reference, 3602 * 48000);
        assert_eq!(none.ixml.note, "");
    }

    #[test]
    fn bext_names_are_ascii_and_whole_lines_while_ixml_keeps_them() {
        let rec = Local.with_ymd_and_hms(2026, 11, 23, 1, 0, 2).unwrap();
        let mut tm = take_meta(rec, 0);
        tm.take.scene = "Café".into();
        // "Běijīng" spelled in Latin letters is longer than its UTF-8 bytes.
        let tracks: Vec<(u32, String)> = (0..32).map(|c| (c, format!("北京{c}"))).collect();
        let spec = WavSpec {
            channels: 32,
            sample_rate: 48000,
            format: capstan_bwf::SampleFormat::I24,
        };
        let m = tm.file_meta(spec, 0, &tracks);
        let d = &m.bext.description;
        assert!(d.is_ascii() && d.len() <= 256, "{d:?}");
        assert!(
            d.starts_with("sSCENE=Cafe\r\nsTAKE=1\r\nsTRK1=Bei Jing 0\r\n"),
            "{d:?}"
        );
        assert!(d.ends_with("\r\n"), "only whole lines: {d:?}");
        assert_eq!(m.ixml.scene, "Café");
        assert_eq!(m.ixml.tracks[0].name, "北京0");
    }

    #[test]
    fn set_indexes_are_letters() {
        assert_eq!(set_index(0), "A");
        assert_eq!(set_index(25), "Z");
        assert_eq!(set_index(26), "AA");
        assert_eq!(set_index(63), "BL");
    }
}
