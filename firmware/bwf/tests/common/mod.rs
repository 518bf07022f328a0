//! Helpers shared by the integration tests: metadata, counter-signal audio, whole files.
#![allow(dead_code)]

use std::path::Path;

use capstan_bwf::bext::{basic_umid, Bext};
use capstan_bwf::counter;
use capstan_bwf::ixml::{Ixml, IxmlTrack};
use capstan_bwf::writer::FinishedFile;
use capstan_bwf::{FileMeta, SampleFormat, WavSpec, WavWriter, WriterOptions};

/// Every sample format the writer knows.
pub const FORMATS: [SampleFormat; 4] = [
    SampleFormat::I16,
    SampleFormat::I24,
    SampleFormat::I32,
    SampleFormat::F32,
];

/// A spec.
pub fn spec(channels: u16, sample_rate: u32, format: SampleFormat) -> WavSpec {
    WavSpec {
        channels,
        sample_rate,
        format,
    }
}

/// Metadata as Capstan would write it for a poly file whose interleave position `i` is input
/// channel `i + 1`.
pub fn meta(spec: WavSpec) -> FileMeta {
    let bext = Bext {
        description: format!(
            "sSCENE=S01\r\nsTAKE=7\r\nsTRK1=Kick\r\nsNOTE=ch{}\r\n",
            spec.channels
        ),
        originator: "Capstan".into(),
        originator_reference: "XXCAP0000000000011234561234567".into(),
        origination_date: "2026-11-23".into(),
        origination_time: "14:30:05".into(),
        time_reference: 0x1_2345_6789,
        version: 2,
        umid: basic_umid([0xA5; 16]),
        loudness_value: -2300,
        loudness_range: 700,
        max_true_peak_level: -100,
        max_momentary_loudness: -1500,
        max_short_term_loudness: -1800,
        coding_history: format!(
            "A=PCM,F={},W={},M={},T=Capstan\r\n",
            spec.sample_rate,
            spec.format.bits(),
            if spec.channels == 1 { "mono" } else { "multi" }
        ),
        garbage_fields: Vec::new(),
    };
    let ixml = Ixml {
        version: "2.10".into(),
        project: "Gig & <Friends>".into(),
        scene: "S01".into(),
        take: "7".into(),
        tape: "2026-11-23".into(),
        circled: true,
        note: "first note".into(),
        file_uid: format!(
            "CAPSTAN-{}-{}-{}",
            spec.channels,
            spec.sample_rate,
            spec.format.cli_name()
        ),
        master_speed: "25/1".into(),
        timecode_rate: "24000/1001".into(),
        timecode_flag: "NDF".into(),
        file_sample_rate: spec.sample_rate,
        audio_bit_depth: spec.format.bits(),
        timestamp_sample_rate: spec.sample_rate,
        timestamp_samples_since_midnight: 0x1_2345_6789,
        total_files: 1,
        family_uid: "FAMILY-1".into(),
        file_set_index: "A".into(),
        tracks: (0..u32::from(spec.channels))
            .map(|i| IxmlTrack {
                channel_index: i + 1,
                interleave_index: i + 1,
                name: format!("Track {}", i + 1),
                function: String::new(),
            })
            .collect(),
        sync_points: Vec::new(),
    };
    FileMeta { bext, ixml }
}

/// `frames` frames of the counter signal starting at frame `first`.
pub fn counter_bytes(spec: WavSpec, first: u64, frames: usize) -> Vec<u8> {
    let mut b = vec![0u8; frames * spec.block_align()];
    counter::fill(&mut b, usize::from(spec.channels), spec.format, first);
    b
}

/// Writes a finished file of `frames` counter frames, starting at frame `first`, in blocks of
/// `block` frames.
pub fn write_counter_file(
    path: &Path,
    spec: WavSpec,
    frames: usize,
    first: u64,
    block: usize,
    opts: WriterOptions,
) -> FinishedFile {
    let mut w = WavWriter::create(path, spec, &meta(spec), opts).expect("create");
    let mut done = 0usize;
    while done < frames {
        let n = block.min(frames - done);
        w.write_frames(&counter_bytes(spec, first + done as u64, n))
            .expect("write");
        done += n;
    }
    w.finish().expect("finish")
}

/// Reads a file that must read.
pub fn read(path: &Path) -> capstan_bwf::WavFile {
    capstan_bwf::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The chunk ids in order.
pub fn ids(w: &capstan_bwf::WavFile) -> Vec<&str> {
    w.chunks.iter().map(|c| c.id.as_str()).collect()
}

/// Little-endian u32 at `at`.
pub fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Little-endian u64 at `at`.
pub fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}
