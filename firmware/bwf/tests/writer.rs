//! The take writer: every format, channel count and rate reads back right (with hound and with our
//! reader), the header stays true at every commit, iXML is rewritten in place, and the file turns
//! RF64 in place before it passes the RIFF limit.

mod common;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use capstan_bwf::counter;
use capstan_bwf::ixml::{Ixml, IxmlTrack};
use capstan_bwf::reader::Container;
use capstan_bwf::recover::recover;
use capstan_bwf::writer::DATA_ALIGN;
use capstan_bwf::{verify, SampleFormat, WavSpec, WavWriter, WriterOptions};
use common::*;

/// The sample hound must read for channel `c` at frame `n`, per the counter contract.
enum Expect {
    Int(i32),
    Float(f32),
}

fn expected(format: SampleFormat, n: u64, c: u32) -> Expect {
    let v = counter::word(n, c);
    match format {
        SampleFormat::I16 => Expect::Int(v >> 8),
        SampleFormat::I24 => Expect::Int(v),
        SampleFormat::I32 => Expect::Int(v << 8),
        SampleFormat::F32 => Expect::Float(v as f32 / 8_388_608.0),
    }
}

/// Hound reads the file with the right spec, length and every sample.
fn check_with_hound(path: &Path, spec: WavSpec, frames: u64, first: u64) {
    let mut r = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("hound cannot read {}: {e}", path.display()));
    let hs = r.spec();
    assert_eq!(hs.channels, spec.channels);
    assert_eq!(hs.sample_rate, spec.sample_rate);
    assert_eq!(hs.bits_per_sample, spec.format.bits());
    let want_fmt = if spec.format.is_float() {
        hound::SampleFormat::Float
    } else {
        hound::SampleFormat::Int
    };
    assert_eq!(hs.sample_format, want_fmt);
    assert_eq!(
        u64::from(r.len()),
        frames * u64::from(spec.channels),
        "hound sample count"
    );
    let ch = u64::from(spec.channels);
    if spec.format.is_float() {
        for (i, s) in r.samples::<f32>().enumerate() {
            let s = s.unwrap();
            let (n, c) = (first + i as u64 / ch, (i as u64 % ch) as u32);
            let Expect::Float(want) = expected(spec.format, n, c) else {
                unreachable!()
            };
            assert_eq!(s.to_bits(), want.to_bits(), "sample {i} ({spec:?})");
        }
    } else {
        for (i, s) in r.samples::<i32>().enumerate() {
            let s = s.unwrap();
            let (n, c) = (first + i as u64 / ch, (i as u64 % ch) as u32);
            let Expect::Int(want) = expected(spec.format, n, c) else {
                unreachable!()
            };
            assert_eq!(s, want, "sample {i} ({spec:?})");
        }
    }
}

/// Our reader sees Capstan's layout, metadata and sizes, and verify passes.
fn check_with_reader(path: &Path, spec: WavSpec, frames: u64, first: u64) -> capstan_bwf::WavFile {
    let w = read(path);
    let m = meta(spec);
    assert_eq!(w.container, Container::Riff);
    let want: Vec<&str> = if spec.needs_fact() {
        vec!["JUNK", "fmt ", "fact", "bext", "iXML", "JUNK", "data"]
    } else {
        vec!["JUNK", "fmt ", "bext", "iXML", "JUNK", "data"]
    };
    assert_eq!(ids(&w), want, "{spec:?}");
    assert_eq!(
        (w.chunks[0].offset, w.chunks[0].size),
        (12, 28),
        "JUNK reserved for ds64"
    );
    let data = w.data.expect("data");
    assert_eq!(data.offset % DATA_ALIGN, 0, "data offset {}", data.offset);
    let bytes = frames * spec.block_align() as u64;
    assert_eq!(data.declared, bytes);
    assert_eq!(data.available, bytes);
    assert_eq!(w.frames(), frames);
    assert_eq!(w.file_len, data.offset + bytes + (bytes & 1));
    assert_eq!(w.riff_size, w.file_len - 8);
    assert_eq!(w.fmt.as_ref().and_then(|f| f.spec()), Some(spec));
    assert_eq!(w.fact_samples, spec.needs_fact().then_some(frames as u32));
    assert_eq!(w.bext.as_ref(), Some(&m.bext), "bext round trip");
    assert_eq!(w.ixml.as_ref(), Some(&m.ixml), "iXML round trip");
    assert!(w.ixml_error.is_none());
    assert_eq!(w.trailing_bytes, 0);
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    assert_eq!(verify::structure(&w), Vec::<String>::new());
    let (checked, start) = verify::counter(&w).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
    assert_eq!(checked, frames);
    if frames > 0 {
        assert_eq!(start, Some((first & 0xFFFF) as u16));
    }
    w
}

#[test]
fn every_channel_count_format_and_rate_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = 0u64;
    for channels in [1u16, 2, 18, 64] {
        for format in FORMATS {
            for rate in [44100u32, 48000, 96000, 192000] {
                case += 1;
                let spec = spec(channels, rate, format);
                // A few thousand frames, an odd count now and then, starting at various counter
                // positions (one crossing the 16-bit wrap of the frame number).
                let frames = 1500 + (case * 37 % 1000) as usize + (case % 2) as usize;
                let first = if case % 5 == 0 {
                    65536 - 700
                } else {
                    case * 1000
                };
                let path = dir
                    .path()
                    .join(format!("t{channels}_{}_{rate}.wav", format.cli_name()));
                let fin =
                    write_counter_file(&path, spec, frames, first, 511, WriterOptions::default());
                assert_eq!(fin.frames, frames as u64);
                assert!(!fin.rf64);
                assert_eq!(fin.path, path);
                check_with_hound(&path, spec, frames as u64, first);
                check_with_reader(&path, spec, frames as u64, first);
            }
        }
    }
}

#[test]
fn fmt_chunk_is_extensible_exactly_when_needed() {
    let dir = tempfile::tempdir().unwrap();
    for (channels, format, tag, len) in [
        (1u16, SampleFormat::I16, 1u16, 16u64),
        (2, SampleFormat::I16, 1, 16),
        (2, SampleFormat::F32, 3, 18),
        (1, SampleFormat::I24, 0xFFFE, 40),
        (2, SampleFormat::I32, 0xFFFE, 40),
        (18, SampleFormat::F32, 0xFFFE, 40),
    ] {
        let spec = spec(channels, 48000, format);
        let path = dir
            .path()
            .join(format!("f{channels}{}.wav", format.cli_name()));
        write_counter_file(&path, spec, 10, 0, 10, WriterOptions::default());
        let w = read(&path);
        let fmt = w.fmt.clone().unwrap();
        assert_eq!(fmt.format_tag, tag, "{spec:?}");
        assert_eq!(w.chunks[1].size, len, "{spec:?}");
        if tag == 0xFFFE {
            assert_eq!(fmt.valid_bits, Some(format.bits()));
            assert_ne!(
                fmt.channel_mask,
                Some(0),
                "sndfile-info complains about a zero mask"
            );
            assert_eq!(fmt.sub_format, Some(if format.is_float() { 3 } else { 1 }));
        }
    }
}

#[test]
fn create_refuses_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.wav");
    std::fs::write(&path, b"keep me").unwrap();
    let s = spec(2, 48000, SampleFormat::I24);
    let e = WavWriter::create(&path, s, &meta(s), WriterOptions::default()).unwrap_err();
    assert_eq!(e.source.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(!e.is_disk_full());
    assert!(e.to_string().contains("x.wav"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
}

#[test]
fn an_empty_take_is_a_valid_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.wav");
    let s = spec(2, 48000, SampleFormat::F32);
    let w = WavWriter::create(&path, s, &meta(s), WriterOptions::default()).unwrap();
    // Straight after create the header is complete and true.
    let r = read(&path);
    assert_eq!(verify::structure(&r), Vec::<String>::new());
    assert_eq!(r.data.unwrap().declared, 0);
    let fin = w.finish().unwrap();
    assert_eq!(fin.frames, 0);
    check_with_reader(&path, s, 0, 0);
    check_with_hound(&path, s, 0, 0);
}

#[test]
fn commit_mid_take_leaves_a_header_that_matches_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    // Mono 24-bit makes odd data sizes (3-byte frames): the header must still match.
    for (i, s) in [
        spec(1, 48000, SampleFormat::I24),
        spec(18, 96000, SampleFormat::F32),
        spec(2, 44100, SampleFormat::I16),
    ]
    .into_iter()
    .enumerate()
    {
        let path = dir.path().join(format!("c{i}.wav"));
        let mut w = WavWriter::create(&path, s, &meta(s), WriterOptions::default()).unwrap();
        let mut frames = 0u64;
        for round in 0..4u64 {
            let n = 333 + round as usize * 100;
            w.write_frames(&counter_bytes(s, frames, n)).unwrap();
            frames += n as u64;
            w.commit().unwrap();
            assert_eq!(w.frames(), frames);
            // Read it while the writer is still open.
            let r = read(&path);
            let bytes = frames * s.block_align() as u64;
            let data = r.data.unwrap();
            assert_eq!(r.file_len, data.offset + bytes, "no pad byte mid-take");
            assert_eq!(data.declared, bytes);
            assert_eq!(data.available, bytes);
            assert_eq!(r.riff_size, r.file_len - 8);
            if s.needs_fact() {
                assert_eq!(r.fact_samples, Some(frames as u32));
            }
            assert_eq!(
                verify::structure(&r),
                Vec::<String>::new(),
                "{s:?} round {round}"
            );
            assert_eq!(verify::counter(&r).unwrap().0, frames);
            let h = hound::WavReader::open(&path).unwrap();
            assert_eq!(u64::from(h.len()), frames * u64::from(s.channels));
        }
        // Frames written after the last commit are not in the header yet: a reader trusting it
        // sees the committed part, and ours notices the rest.
        w.write_frames(&counter_bytes(s, frames, 100)).unwrap();
        let r = read(&path);
        assert_eq!(r.data.unwrap().declared, frames * s.block_align() as u64);
        assert!(
            !verify::structure(&r).is_empty(),
            "a stale header must not verify"
        );
        let fin = w.finish().unwrap();
        assert_eq!(fin.frames, frames + 100);
        check_with_reader(&path, s, frames + 100, 0);
        check_with_hound(&path, s, frames + 100, 0);
    }
}

#[test]
fn odd_data_size_gets_its_pad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(1, 48000, SampleFormat::I24);
    let path = dir.path().join("odd.wav");
    let fin = write_counter_file(&path, s, 1001, 0, 1001, WriterOptions::default());
    assert_eq!(fin.frames, 1001);
    let bytes = std::fs::read(&path).unwrap();
    let r = check_with_reader(&path, s, 1001, 0);
    let data = r.data.unwrap();
    assert_eq!(data.declared, 3003);
    assert_eq!(
        bytes.len() as u64,
        data.offset + 3003 + 1,
        "pad byte present"
    );
    assert_eq!(*bytes.last().unwrap(), 0, "pad byte is zero");
    assert_eq!(
        u64::from(u32_at(&bytes, 4)),
        bytes.len() as u64 - 8,
        "RIFF size counts the pad byte"
    );
    assert_eq!(
        u64::from(u32_at(&bytes, data.offset as usize - 4)),
        3003,
        "data size excludes the pad byte"
    );
    check_with_hound(&path, s, 1001, 0);
}

fn ixml_with_note(s: WavSpec, note: &str) -> Ixml {
    let mut x = meta(s).ixml;
    x.note = note.into();
    x.circled = false;
    x.take = "7B".into();
    x
}

#[test]
fn update_ixml_rewrites_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::I24);
    let path = dir.path().join("ix.wav");
    let mut w = WavWriter::create(&path, s, &meta(s), WriterOptions::default()).unwrap();
    w.write_frames(&counter_bytes(s, 0, 1000)).unwrap();
    w.commit().unwrap();
    let before = read(&path);
    let len = before.file_len;

    // During the take.
    let x = ixml_with_note(s, "2 xruns at 00:01:02 & a <drop>");
    w.update_ixml(&x).unwrap();
    let r = read(&path);
    assert_eq!(r.file_len, len, "file length unchanged");
    assert_eq!(r.chunks, before.chunks, "no chunk moved or resized");
    assert_eq!(r.ixml.as_ref(), Some(&x));
    assert_eq!(verify::structure(&r), Vec::<String>::new());

    // A huge note is cut, not refused, and the chunk keeps its size.
    let huge: String = (0..200_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let t = std::time::Instant::now();
    w.update_ixml(&ixml_with_note(s, &huge)).unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "cutting a huge note took {:?}",
        t.elapsed()
    );
    let r = read(&path);
    assert_eq!(r.file_len, len);
    assert_eq!(r.chunks, before.chunks);
    let got = r.ixml.clone().expect("iXML still parses");
    assert!(got.note.len() < huge.len());
    assert!(
        got.note.len() > 1000,
        "the room is used, not everything dropped ({} bytes)",
        got.note.len()
    );
    assert!(got.note.ends_with("..."), "cut is marked");
    assert!(
        huge.starts_with(got.note.trim_end_matches("...")),
        "the start of the note is kept"
    );
    assert_eq!(got.scene, "S01");
    assert_eq!(got.take, "7B");
    assert_eq!(got.tracks, x.tracks);

    // Non-ASCII notes are cut on a character boundary.
    let wide = "é→😀".repeat(20_000);
    w.update_ixml(&ixml_with_note(s, &wide)).unwrap();
    let got = read(&path).ixml.unwrap();
    assert!(wide.starts_with(got.note.trim_end_matches("...")));

    // After the take.
    w.write_frames(&counter_bytes(s, 1000, 500)).unwrap();
    let x = ixml_with_note(s, "final");
    w.update_ixml(&x).unwrap();
    w.finish().unwrap();
    let r = read(&path);
    assert_eq!(r.ixml.as_ref(), Some(&x));
    assert_eq!(verify::structure(&r), Vec::<String>::new());
    assert_eq!(verify::counter(&r).unwrap().0, 1500);
    check_with_hound(&path, s, 1500, 0);
}

#[test]
fn update_ixml_that_cannot_fit_fails_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(1, 48000, SampleFormat::I24);
    let path = dir.path().join("ixbig.wav");
    let mut w = WavWriter::create(&path, s, &meta(s), WriterOptions::default()).unwrap();
    let len = std::fs::metadata(&path).unwrap().len();
    let original = std::fs::read(&path).unwrap();
    // Far more than the reserved room, and not in the NOTE.
    let mut x = meta(s).ixml;
    x.tracks = (1..=200)
        .map(|i| IxmlTrack {
            channel_index: i,
            interleave_index: i,
            name: format!("a long track name {i:>40}"),
            function: String::new(),
        })
        .collect();
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let r = w.update_ixml(&x).map_err(|e| e.to_string());
        let _ = tx.send(r);
        w
    });
    let res = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("update_ixml did not return (endless loop?)");
    let w = handle.join().unwrap();
    assert!(res.is_err(), "an iXML that cannot fit must be refused");
    // The file is untouched and still finishes.
    assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
    assert_eq!(std::fs::read(&path).unwrap(), original);
    w.finish().unwrap();
    assert_eq!(read(&path).ixml, Some(meta(s).ixml));
}

#[test]
fn a_track_file_checks_against_its_input_channel() {
    // A mono file of input channel 5 carries word(n, 4); the iXML says so, and verify uses it.
    let dir = tempfile::tempdir().unwrap();
    let s = spec(1, 48000, SampleFormat::I24);
    let path = dir.path().join("trk5.wav");
    let mut m = meta(s);
    m.ixml.tracks = vec![IxmlTrack {
        channel_index: 5,
        interleave_index: 1,
        name: "Snare".into(),
        function: String::new(),
    }];
    let mut w = WavWriter::create(&path, s, &m, WriterOptions::default()).unwrap();
    let mut b = vec![0u8; 3 * 500];
    for (n, f) in b.chunks_exact_mut(3).enumerate() {
        counter::encode(counter::word(n as u64, 4), s.format, f);
    }
    w.write_frames(&b).unwrap();
    w.finish().unwrap();
    let r = read(&path);
    assert_eq!(verify::source_channels(&r), vec![4]);
    assert_eq!(verify::counter(&r).unwrap().0, 500);
    // The same audio does not pass as input channel 1.
    let mut m1 = meta(s);
    m1.ixml.tracks[0].channel_index = 1;
    let p1 = dir.path().join("trk1.wav");
    let mut w = WavWriter::create(&p1, s, &m1, WriterOptions::default()).unwrap();
    w.write_frames(&b).unwrap();
    w.finish().unwrap();
    assert!(verify::counter(&read(&p1)).is_err());
}

/// The whole file as it is on disk now, and its length.
fn header(path: &Path) -> (Vec<u8>, u64) {
    let b = std::fs::read(path).unwrap();
    let len = b.len() as u64;
    (b, len)
}

/// Writes a take with a low RF64 threshold, checking after every block that the file never
/// passes the threshold as RIFF; returns the path, the frames written and the crash copies made
/// right after the upgrade.
fn rf64_take(
    dir: &Path,
    s: WavSpec,
    name: &str,
) -> (std::path::PathBuf, u64, Vec<(std::path::PathBuf, u64)>) {
    let path = dir.join(name);
    let m = meta(s);
    // Measure the header with a throwaway writer to place the threshold ~40 blocks in.
    let probe = dir.join(format!("{name}.probe"));
    let data_start = {
        let w = WavWriter::create(&probe, s, &m, WriterOptions::default()).unwrap();
        w.finish().unwrap();
        read(&probe).data.unwrap().offset
    };
    let block = 97usize; // frames; odd on purpose
    let block_bytes = (block * s.block_align()) as u64;
    let threshold = data_start - 8 + 40 * block_bytes + block_bytes / 2;
    let opts = WriterOptions {
        rf64_threshold: threshold,
    };
    let mut w = WavWriter::create(&path, s, &m, opts).unwrap();
    let mut frames = 0u64;
    let mut crash_copies = Vec::new();
    let mut upgraded_at = None;
    for i in 0..80u64 {
        let before_bytes = frames * s.block_align() as u64;
        w.write_frames(&counter_bytes(s, frames, block)).unwrap();
        frames += block as u64;
        let (b, len) = header(&path);
        if &b[0..4] == b"RIFF" {
            assert!(!w.is_rf64());
            assert!(
                len - 8 < threshold,
                "RIFF file of {len} bytes passed the threshold {threshold}"
            );
            assert_eq!(&b[12..16], b"JUNK");
        } else {
            assert_eq!(&b[0..4], b"RF64", "block {i}");
            assert!(w.is_rf64());
            assert_eq!(u32_at(&b, 4), u32::MAX);
            assert_eq!(&b[12..16], b"ds64", "ds64 takes the JUNK's place");
            assert_eq!(u32_at(&b, 16), 28);
            assert_eq!(u32_at(&b, 20 + 24), 0, "table length");
            assert_eq!(
                u32_at(&b, data_start as usize - 4),
                u32::MAX,
                "data size defers to ds64"
            );
            assert_eq!(
                &b[data_start as usize - 8..data_start as usize - 4],
                b"data"
            );
            if upgraded_at.is_none() {
                upgraded_at = Some(i);
                // The upgrade happened before this block's audio was written: the ds64 it wrote
                // describes the file as it was then.
                assert_eq!(
                    u64_at(&b, 20 + 8),
                    before_bytes,
                    "ds64 data size at upgrade"
                );
                assert_eq!(
                    u64_at(&b, 20),
                    data_start + before_bytes - 8,
                    "ds64 RIFF size at upgrade"
                );
                // Crash copies: as it is now, cut to the length at the upgrade, and cut with a
                // partial frame.
                for (k, cut) in [
                    len,
                    data_start + before_bytes,
                    data_start + before_bytes + 5,
                    len - 1,
                ]
                .into_iter()
                .enumerate()
                {
                    let c = dir.join(format!("{name}.crash{k}"));
                    std::fs::copy(&path, &c).unwrap();
                    std::fs::OpenOptions::new()
                        .write(true)
                        .open(&c)
                        .unwrap()
                        .set_len(cut)
                        .unwrap();
                    crash_copies.push((c, cut));
                }
            }
        }
        if i % 10 == 9 {
            w.commit().unwrap();
            let r = read(&path);
            assert_eq!(
                verify::structure(&r),
                Vec::<String>::new(),
                "after commit at block {i}"
            );
            assert_eq!(r.frames(), frames);
            if w.is_rf64() {
                assert_eq!(r.container, Container::Rf64);
                assert_eq!(r.ds64.unwrap().sample_count, frames);
            }
        }
    }
    let up = upgraded_at.expect("the file never became RF64");
    // It upgraded with the write that would have crossed, not earlier.
    assert_eq!(
        up,
        (threshold - (data_start - 8)) / block_bytes,
        "upgraded at block {up}"
    );
    let fin = w.finish().unwrap();
    assert!(fin.rf64);
    assert_eq!(fin.frames, frames);
    (path, frames, crash_copies)
}

#[test]
fn rf64_upgrade_in_place_before_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    for (k, s) in [
        spec(2, 48000, SampleFormat::F32),
        spec(1, 96000, SampleFormat::I24),
        spec(18, 44100, SampleFormat::I16),
    ]
    .into_iter()
    .enumerate()
    {
        let (path, frames, crashes) = rf64_take(dir.path(), s, &format!("rf{k}.wav"));
        let r = read(&path);
        assert_eq!(r.container, Container::Rf64);
        let bytes = frames * s.block_align() as u64;
        let d = r.ds64.expect("ds64");
        assert_eq!(d.data_size, bytes);
        assert_eq!(d.sample_count, frames);
        assert_eq!(d.riff_size, r.file_len - 8);
        assert_eq!(d.table_length, 0);
        assert_eq!(r.riff_size, r.file_len - 8);
        assert_eq!(r.file_len, r.data.unwrap().offset + bytes + (bytes & 1));
        assert_eq!(r.frames(), frames);
        assert_eq!(r.data.unwrap().declared, bytes);
        assert_eq!(ids(&r)[0], "ds64");
        assert_eq!(r.chunks[0].offset, 12);
        assert_eq!(*ids(&r).last().unwrap(), "data");
        assert_eq!(r.data.unwrap().offset % DATA_ALIGN, 0);
        assert_eq!(r.bext.as_ref(), Some(&meta(s).bext));
        assert_eq!(r.ixml.as_ref(), Some(&meta(s).ixml));
        if s.needs_fact() {
            assert_eq!(r.fact_samples, Some(u32::MAX), "RF64 fact defers to ds64");
        }
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert_eq!(verify::structure(&r), Vec::<String>::new(), "{s:?}");
        assert_eq!(verify::counter(&r).unwrap(), (frames, Some(0)));

        // The crash copies read as RF64 and recover to every whole frame they hold.
        assert_eq!(crashes.len(), 4);
        for (c, cut) in crashes {
            let r = read(&c);
            assert_eq!(r.container, Container::Rf64, "{}", c.display());
            let data_offset = r.data.unwrap().offset;
            let whole = (cut - data_offset) / s.block_align() as u64;
            let rep = recover(&c).unwrap_or_else(|e| panic!("{}: {e}", c.display()));
            assert_eq!(rep.frames, whole, "{}", c.display());
            let r = read(&c);
            assert_eq!(r.container, Container::Rf64);
            assert_eq!(
                verify::structure(&r),
                Vec::<String>::new(),
                "{}",
                c.display()
            );
            assert_eq!(r.ds64.unwrap().sample_count, whole);
            assert_eq!(verify::counter(&r).unwrap().0, whole);
            assert!(
                recover(&c).unwrap().changes.is_empty(),
                "recovery is idempotent"
            );
        }
    }
}

#[test]
fn rf64_commit_with_odd_data_size_matches_the_file() {
    // Mono 24-bit: an odd number of frames is an odd data size. A mid-take commit of an RF64 file
    // must describe the file as it is (no pad byte yet), like the RIFF header does.
    let dir = tempfile::tempdir().unwrap();
    let s = spec(1, 48000, SampleFormat::I24);
    let path = dir.path().join("rfodd.wav");
    let mut w = WavWriter::create(
        &path,
        s,
        &meta(s),
        WriterOptions {
            rf64_threshold: 5000,
        },
    )
    .unwrap();
    w.write_frames(&counter_bytes(s, 0, 1001)).unwrap();
    assert!(w.is_rf64());
    w.commit().unwrap();
    let r = read(&path);
    assert_eq!(r.container, Container::Rf64);
    assert_eq!(r.ds64.unwrap().data_size, 3003);
    assert_eq!(verify::structure(&r), Vec::<String>::new());
    w.write_frames(&counter_bytes(s, 1001, 2)).unwrap();
    w.finish().unwrap();
    let r = read(&path);
    assert_eq!(r.file_len, r.data.unwrap().offset + 3009 + 1);
    assert_eq!(verify::structure(&r), Vec::<String>::new());
    assert_eq!(verify::counter(&r).unwrap().0, 1003);
}
