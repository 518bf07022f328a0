//! Markers in take files: cue points with labels after the data once finished, iXML sync points
//! at every commit before that (so a power cut keeps them), sizes that stay true (RIFF and RF64),
//! and recovery that leaves a finished file alone and repairs one cut while it was finishing.

mod common;

use std::path::Path;

use capstan_bwf::markers::{Marker, MAX_MARKERS};
use capstan_bwf::reader::{Container, MarkerSource};
use capstan_bwf::recover::recover;
use capstan_bwf::{verify, SampleFormat, WavSpec, WavWriter, WriterOptions};
use common::*;

const LOSSES: [(u64, &str); 3] = [(0, "XRUN"), (480, "DROP 480 frames"), (1111, "M1")];

fn markers(list: &[(u64, &str)]) -> Vec<Marker> {
    list.iter().map(|&(p, l)| Marker::new(p, l)).collect()
}

/// A file of `frames` counter frames with `marks` added half-way through the audio.
fn marked_file(
    path: &Path,
    s: WavSpec,
    frames: usize,
    marks: &[(u64, &str)],
    opts: WriterOptions,
) -> WavWriter {
    let mut w = WavWriter::create(path, s, &meta(s), opts).unwrap();
    w.write_frames(&counter_bytes(s, 0, frames / 2)).unwrap();
    for &(p, l) in marks {
        assert!(w.add_marker(p, l));
    }
    w.write_frames(&counter_bytes(s, (frames / 2) as u64, frames - frames / 2))
        .unwrap();
    w
}

/// The file reads with these markers from its cue chunk, is sound, holds its counter frames and
/// is left alone by recovery.
fn check_finished(path: &Path, frames: u64, want: &[Marker]) -> capstan_bwf::WavFile {
    let w = read(path);
    let ids = ids(&w);
    assert_eq!(&ids[ids.len() - 3..], ["data", "cue ", "LIST"], "{ids:?}");
    assert_eq!(w.markers, want);
    assert_eq!(w.marker_source, Some(MarkerSource::Cue));
    assert_eq!(w.ixml.as_ref().unwrap().markers(), want, "iXML agrees");
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    assert_eq!(verify::structure(&w), Vec::<String>::new());
    assert_eq!(verify::counter(&w).unwrap().0, frames);
    let before = std::fs::read(path).unwrap();
    let rep = recover(path).unwrap();
    assert!(rep.changes.is_empty(), "{:?}", rep.changes);
    assert_eq!(rep.frames, frames);
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "recovery changed nothing"
    );
    w
}

#[test]
fn finished_files_carry_cue_points_labels_and_sync_points() {
    let dir = tempfile::tempdir().unwrap();
    for (i, s) in [
        spec(2, 48000, SampleFormat::I24),
        spec(1, 44100, SampleFormat::I16),
        spec(8, 96000, SampleFormat::F32),
        // 3-byte frames and an odd frame count: the pad byte comes before the cue chunk.
        spec(1, 48000, SampleFormat::I24),
    ]
    .into_iter()
    .enumerate()
    {
        let path = dir.path().join(format!("m{i}.wav"));
        let frames = 2001;
        marked_file(&path, s, frames, &LOSSES, WriterOptions::default())
            .finish()
            .unwrap();
        let w = check_finished(&path, frames as u64, &markers(&LOSSES));
        let data = w.data.unwrap();
        let bytes = frames as u64 * s.block_align() as u64;
        assert_eq!(data.declared, bytes);
        assert_eq!(
            w.chunks[w.chunks.len() - 2].offset,
            data.offset + bytes + (bytes & 1),
            "the cue chunk follows the data and its pad byte"
        );
        // The raw cue points: dwPosition, fccChunk 'data' and dwSampleOffset.
        let b = std::fs::read(&path).unwrap();
        let cue = w.chunks[w.chunks.len() - 2].offset as usize + 8;
        assert_eq!(u32_at(&b, cue), 3);
        for (k, (pos, _)) in LOSSES.iter().enumerate() {
            let p = cue + 4 + k * 24;
            assert_eq!(u32_at(&b, p), k as u32 + 1, "dwName");
            assert_eq!(u64::from(u32_at(&b, p + 4)), *pos, "dwPosition");
            assert_eq!(&b[p + 8..p + 12], b"data");
            assert_eq!(u64::from(u32_at(&b, p + 20)), *pos, "dwSampleOffset");
        }
        assert_eq!(
            w.cues.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(),
            ["XRUN", "DROP 480 frames", "M1"]
        );
    }
}

#[test]
fn hound_reads_a_marked_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::I16);
    let path = dir.path().join("h.wav");
    marked_file(&path, s, 1000, &LOSSES, WriterOptions::default())
        .finish()
        .unwrap();
    let mut r = hound::WavReader::open(&path).unwrap();
    assert_eq!(r.len(), 2000);
    let got: Vec<i16> = r.samples::<i16>().map(Result::unwrap).collect();
    let want = counter_bytes(s, 0, 1000);
    let want: Vec<i16> = want
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_power_cut_keeps_the_markers_of_the_last_commit_in_the_ixml() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::I24);
    let path = dir.path().join("cut.wav");
    let mut w = marked_file(&path, s, 1000, &LOSSES[..2], WriterOptions::default());
    w.commit().unwrap();
    // A marker after the last commit is not on the medium yet.
    w.add_marker(1500, "late");
    w.write_frames(&counter_bytes(s, 1000, 777)).unwrap();
    // The card as a power cut leaves it: everything written (the last frame cut in half), no
    // cue chunk.
    let mut b = std::fs::read(&path).unwrap();
    b.truncate(b.len() - 2);
    let cut = dir.path().join("cut-copy.wav");
    std::fs::write(&cut, &b).unwrap();
    let r = read(&cut);
    assert!(!ids(&r).contains(&"cue "));
    assert_eq!(r.markers, markers(&LOSSES[..2]));
    assert_eq!(r.marker_source, Some(MarkerSource::Ixml));
    let rep = recover(&cut).unwrap();
    assert_eq!(rep.frames, 1776);
    let r = read(&cut);
    assert_eq!(verify::structure(&r), Vec::<String>::new());
    assert_eq!(r.markers, markers(&LOSSES[..2]), "recovery keeps them");
    assert!(recover(&cut).unwrap().changes.is_empty(), "idempotent");
    // The writer itself finishes with all three.
    w.finish().unwrap();
    let mut all = markers(&LOSSES[..2]);
    all.push(Marker::new(1500, "late"));
    check_finished(&path, 1777, &all);
}

#[test]
fn a_file_cut_while_its_markers_were_written_recovers_every_frame() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(1, 48000, SampleFormat::I24);
    let path = dir.path().join("f.wav");
    marked_file(&path, s, 1001, &LOSSES, WriterOptions::default())
        .finish()
        .unwrap();
    let good = std::fs::read(&path).unwrap();
    let w = read(&path);
    let data = w.data.unwrap();
    let data_end = (data.offset + data.declared + 1) as usize;
    // finish() syncs the final sizes before it appends the markers, so a cut file holds the
    // finished sizes and part of the trailer, and a RIFF size that does not count it yet. (A cut
    // inside the cue chunk's 8-byte header leaves bytes that recovery cannot tell from audio.)
    let cuts = std::iter::once(data_end).chain(data_end + 8..=good.len());
    for cut in cuts {
        let mut b = good[..cut].to_vec();
        let riff = (data_end - 8) as u32;
        b[4..8].copy_from_slice(&riff.to_le_bytes());
        let p = dir.path().join(format!("c{cut}.wav"));
        std::fs::write(&p, &b).unwrap();
        let rep = recover(&p).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert_eq!(rep.frames, 1001, "cut at {cut}");
        let r = read(&p);
        assert_eq!(verify::structure(&r), Vec::<String>::new(), "cut at {cut}");
        assert_eq!(verify::counter(&r).unwrap().0, 1001, "cut at {cut}");
        assert_eq!(r.ixml.unwrap().markers(), markers(&LOSSES), "cut at {cut}");
        assert!(
            recover(&p).unwrap().changes.is_empty(),
            "cut at {cut}: idempotent"
        );
    }
}

#[test]
fn rf64_files_count_the_markers_in_their_ds64() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::I24);
    // Already RF64 before the markers.
    let path = dir.path().join("rf.wav");
    let opts = WriterOptions {
        rf64_threshold: 8192,
    };
    marked_file(&path, s, 3000, &LOSSES, opts).finish().unwrap();
    let w = check_finished(&path, 3000, &markers(&LOSSES));
    assert_eq!(w.container, Container::Rf64);
    let d = w.ds64.unwrap();
    assert_eq!(d.riff_size, w.file_len - 8);
    assert_eq!(d.data_size, 3000 * 6);

    // Turned RF64 by the markers themselves: the audio fits under the threshold, the cue and
    // LIST chunks do not.
    let probe = dir.path().join("probe.wav");
    marked_file(&probe, s, 1000, &[], WriterOptions::default())
        .finish()
        .unwrap();
    let riff_without = std::fs::metadata(&probe).unwrap().len() - 8;
    let path = dir.path().join("rf2.wav");
    let opts = WriterOptions {
        rf64_threshold: riff_without + 10,
    };
    let w = marked_file(&path, s, 1000, &LOSSES, opts);
    assert!(!w.is_rf64());
    let f = w.finish().unwrap();
    assert!(f.rf64);
    let w = check_finished(&path, 1000, &markers(&LOSSES));
    assert_eq!(w.ds64.unwrap().riff_size, w.file_len - 8);
}

#[test]
fn markers_past_the_limit_are_counted_and_the_ixml_keeps_what_fits() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(1, 48000, SampleFormat::I16);
    let path = dir.path().join("many.wav");
    let mut w = WavWriter::create(&path, s, &meta(s), WriterOptions::default()).unwrap();
    w.write_frames(&counter_bytes(s, 0, 4000)).unwrap();
    let len_before = std::fs::metadata(&path).unwrap().len();
    let extra = 7;
    for i in 0..(MAX_MARKERS + extra) as u64 {
        let kept = w.add_marker(i * 3, &format!("XRUN {i}"));
        assert_eq!(kept, i < MAX_MARKERS as u64);
    }
    assert_eq!(w.markers().len(), MAX_MARKERS);
    assert_eq!(w.markers_over_limit(), extra as u64);
    let mut x = meta(s).ixml;
    x.note = "LOSSES: ".to_string() + &"XRUN at 1.000 s; ".repeat(100);
    w.update_ixml(&x).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        len_before,
        "the iXML is rewritten in place"
    );
    let r = read(&path);
    let ix = r.ixml.clone().unwrap();
    assert!(
        ix.note.starts_with("LOSSES: XRUN at 1.000 s;") && ix.note.ends_with("..."),
        "the note's start stays: {}",
        ix.note
    );
    let in_ixml = ix.markers();
    assert!(
        in_ixml.len() > 20 && in_ixml.len() < MAX_MARKERS,
        "{} markers in the iXML",
        in_ixml.len()
    );
    assert_eq!(in_ixml[..], w.markers()[..in_ixml.len()], "the first ones");
    w.finish().unwrap();
    let r = read(&path);
    assert_eq!(r.markers.len(), MAX_MARKERS, "the cue chunk holds them all");
    assert_eq!(
        r.markers[MAX_MARKERS - 1],
        Marker::new(1023 * 3, "XRUN 1023")
    );
    assert_eq!(verify::structure(&r), Vec::<String>::new());
    assert!(recover(&path).unwrap().changes.is_empty());
}

#[test]
fn a_file_without_markers_is_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::I24);
    let path = dir.path().join("plain.wav");
    write_counter_file(&path, s, 1000, 0, 300, WriterOptions::default());
    let r = read(&path);
    assert_eq!(ids(&r).last(), Some(&"data"));
    assert!(r.markers.is_empty() && r.marker_source.is_none());
    let x = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
    assert!(!x.contains("SYNC_POINT"));
}

/// A jump in the counter is accepted by `counter_with_losses` only where a loss marker sits, and
/// never by the strict check.
#[test]
fn a_counter_jump_passes_only_at_its_loss_marker() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48_000, SampleFormat::I24);
    let write = |name: &str, mark: Option<(u64, &str)>| {
        let p = dir.path().join(name);
        let mut w = WavWriter::create(&p, s, &meta(s), WriterOptions::default()).unwrap();
        w.write_frames(&counter_bytes(s, 0, 1000)).unwrap();
        // 300 frames lost: the next frame carries position 1300.
        w.write_frames(&counter_bytes(s, 1300, 700)).unwrap();
        if let Some((at, label)) = mark {
            assert!(w.add_marker(at, label));
        }
        w.finish().unwrap();
        read(&p)
    };
    let marked = write("xrun.wav", Some((1000, "XRUN")));
    assert!(
        verify::counter(&marked).is_err(),
        "the strict check sees the jump"
    );
    let run = verify::counter_with_losses(&marked).unwrap();
    assert_eq!(run.frames, 1700);
    assert_eq!(run.start, Some(0));
    assert_eq!(
        run.gaps,
        vec![verify::MarkedGap {
            frame: 1000,
            label: "XRUN".into()
        }]
    );
    let misplaced = write("off.wav", Some((999, "XRUN")));
    let e = verify::counter_with_losses(&misplaced).unwrap_err();
    assert!(e.starts_with("frame 1000 "), "{e}");
    let user = write("user.wav", Some((1000, "M1")));
    assert!(
        verify::counter_with_losses(&user).is_err(),
        "a user marker does not account for a loss"
    );
    let clean = write("none.wav", None);
    assert!(verify::counter_with_losses(&clean).is_err());
}
