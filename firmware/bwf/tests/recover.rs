//! Recovery of files cut short or left with a stale header: every whole frame up to the cut comes
//! back, the result verifies, what changed is reported, and a second run changes nothing.

mod common;

use std::path::{Path, PathBuf};

use capstan_bwf::reader::{Container, ReadError};
use capstan_bwf::recover::{recover, RecoverError};
use capstan_bwf::{verify, SampleFormat, WavSpec, WavWriter, WriterOptions};
use common::*;

/// A finished file's bytes and where its audio starts.
struct Made {
    spec: WavSpec,
    bytes: Vec<u8>,
    data_offset: usize,
    frames: usize,
    first: u64,
}

fn make(spec: WavSpec, frames: usize, first: u64) -> Made {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.wav");
    write_counter_file(&p, spec, frames, first, 1000, WriterOptions::default());
    let bytes = std::fs::read(&p).unwrap();
    let data_offset = read(&p).data.unwrap().offset as usize;
    Made {
        spec,
        bytes,
        data_offset,
        frames,
        first,
    }
}

/// How the header of a cut file was left.
#[derive(Debug, Clone, Copy)]
enum Header {
    /// As `finish` wrote it (the file was cut after: sizes claim more than is there).
    Final,
    /// As `create` wrote it: data size 0 (no commit ever happened).
    Created,
    /// As a commit half-way through left it.
    HalfWay,
    /// RIFF and data size fields both 0 (some writers fill them in only at the end).
    Zeros,
}

impl Made {
    fn align(&self) -> usize {
        self.spec.block_align()
    }

    fn fact_offset(&self) -> Option<usize> {
        self.spec.needs_fact().then(|| {
            let i = self.bytes.windows(4).position(|w| w == b"fact").unwrap();
            i + 8
        })
    }

    /// The file cut at `cut` bytes, with its header as `h` describes.
    fn cut(&self, cut: usize, h: Header) -> Vec<u8> {
        let mut b = self.bytes[..cut].to_vec();
        let d = self.data_offset;
        let (riff, data, fact) = match h {
            Header::Final => return b,
            Header::Created => (d as u32 - 8, 0u32, 0u32),
            Header::HalfWay => {
                let half = (self.frames / 2 * self.align()) as u32;
                (d as u32 - 8 + half, half, (self.frames / 2) as u32)
            }
            Header::Zeros => (0, 0, 0),
        };
        if b.len() >= 8 {
            b[4..8].copy_from_slice(&riff.to_le_bytes());
        }
        if b.len() >= d {
            b[d - 4..d].copy_from_slice(&data.to_le_bytes());
        }
        if let Some(o) = self.fact_offset() {
            if b.len() >= o + 4 {
                b[o..o + 4].copy_from_slice(&fact.to_le_bytes());
            }
        }
        b
    }
}

/// Writes `bytes` to a fresh file in `dir`.
fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Recovers `path` (a copy of `m` cut at `cut`) and checks everything the brief promises.
fn recover_and_check(path: &Path, m: &Made, cut: usize, h: Header) {
    let what = format!(
        "{:?} cut at {cut} (data at {}), header {h:?}",
        m.spec, m.data_offset
    );
    let before = std::fs::read(path).unwrap();
    let whole = (cut - m.data_offset) / m.align();
    let rep = recover(path).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(rep.frames, whole as u64, "{what}");
    assert_eq!(rep.path, path);
    let after = std::fs::read(path).unwrap();
    assert_eq!(
        rep.changes.is_empty(),
        before == after,
        "{what}: changes {:?} must match what happened",
        rep.changes
    );
    let bytes = whole * m.align();
    assert_eq!(after.len(), m.data_offset + bytes + (bytes & 1), "{what}");
    // Nothing but the size fields changed in what was kept.
    let masked = |b: &[u8]| {
        let mut b = b[..m.data_offset + bytes].to_vec();
        b[4..8].fill(0);
        b[m.data_offset - 4..m.data_offset].fill(0);
        if let Some(o) = m.fact_offset() {
            b[o..o + 4].fill(0);
        }
        b
    };
    assert!(
        masked(&after) == masked(&m.bytes),
        "{what}: bytes other than sizes changed"
    );
    if bytes & 1 == 1 {
        assert_eq!(after.last(), Some(&0), "{what}: pad byte");
    }

    let w = read(path);
    assert_eq!(w.container, Container::Riff);
    assert_eq!(verify::structure(&w), Vec::<String>::new(), "{what}");
    assert_eq!(w.frames(), whole as u64);
    assert_eq!(w.data.unwrap().declared, bytes as u64);
    if m.spec.needs_fact() {
        assert_eq!(w.fact_samples, Some(whole as u32), "{what}: fact");
    }
    let (n, start) = verify::counter(&w).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(n, whole as u64);
    assert_eq!(start, (whole > 0).then_some((m.first & 0xFFFF) as u16));
    // hound agrees.
    let hr = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{what}: hound: {e}"));
    assert_eq!(
        u64::from(hr.len()),
        whole as u64 * u64::from(m.spec.channels)
    );

    let again = recover(path).unwrap();
    assert_eq!(
        again.changes,
        Vec::<String>::new(),
        "{what}: second recovery changed something"
    );
    assert_eq!(again.frames, whole as u64);
    assert_eq!(
        std::fs::read(path).unwrap(),
        after,
        "{what}: second recovery touched the file"
    );
}

fn specs() -> Vec<WavSpec> {
    vec![
        spec(2, 48000, SampleFormat::I24),
        spec(1, 48000, SampleFormat::I24),
        spec(1, 44100, SampleFormat::F32),
        spec(18, 96000, SampleFormat::I16),
        spec(3, 192000, SampleFormat::I32),
    ]
}

#[test]
fn cut_at_every_byte_around_the_end_of_the_header() {
    let dir = tempfile::tempdir().unwrap();
    for s in specs() {
        let m = make(s, 300, 100);
        let d = m.data_offset;
        for h in [Header::Final, Header::Created] {
            for cut in d - 80..=d + 3 * m.align() + 7 {
                let bytes = m.cut(cut, h);
                let p = put(dir.path(), "c.wav", &bytes);
                if cut < d {
                    // The data chunk's header is missing or incomplete: a clear error, and the
                    // file is left as it was.
                    match recover(&p) {
                        Err(RecoverError::Unrecoverable { why, .. }) => {
                            assert!(why.contains("no data chunk"), "{why}")
                        }
                        other => panic!("{s:?} cut at {cut}: {other:?}"),
                    }
                    assert_eq!(std::fs::read(&p).unwrap(), bytes);
                } else {
                    recover_and_check(&p, &m, cut, h);
                }
            }
        }
    }
}

/// A small deterministic generator, so a failure names a reproducible cut.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn cut_at_random_points_in_the_audio_with_any_header() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for s in specs() {
        let m = make(s, 3001, 60_000);
        let d = m.data_offset;
        for h in [
            Header::Final,
            Header::Created,
            Header::HalfWay,
            Header::Zeros,
        ] {
            for _ in 0..25 {
                let cut = d + 1 + rng.below(m.bytes.len() - d);
                // The half-way header must not claim more than the file holds.
                if matches!(h, Header::HalfWay) && cut < d + m.frames / 2 * m.align() {
                    continue;
                }
                let p = put(dir.path(), "r.wav", &m.cut(cut, h));
                recover_and_check(&p, &m, cut, h);
            }
            // And the whole file with the stale header.
            let p = put(dir.path(), "r.wav", &m.cut(m.bytes.len(), h));
            recover_and_check(&p, &m, m.bytes.len(), h);
        }
    }
}

#[test]
fn a_trailing_partial_frame_is_dropped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(18, 48000, SampleFormat::I24);
    let m = make(s, 1000, 0);
    let whole_end = m.data_offset + 700 * m.align();
    for extra in 1..m.align() {
        let p = put(
            dir.path(),
            "p.wav",
            &m.cut(whole_end + extra, Header::Created),
        );
        let rep = recover(&p).unwrap();
        assert_eq!(rep.frames, 700);
        assert!(
            rep.changes
                .iter()
                .any(|c| c.contains(&format!("dropped {extra} bytes"))),
            "{extra}: {:?}",
            rep.changes
        );
        assert!(
            rep.changes.iter().any(|c| c.contains("data size 0 ->")),
            "{:?}",
            rep.changes
        );
        assert!(
            rep.changes.iter().any(|c| c.contains("RIFF size")),
            "{:?}",
            rep.changes
        );
        recover_and_check(
            &put(
                dir.path(),
                "p2.wav",
                &m.cut(whole_end + extra, Header::Created),
            ),
            &m,
            whole_end + extra,
            Header::Created,
        );
    }
}

#[test]
fn an_odd_sized_cut_gets_its_pad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(1, 48000, SampleFormat::I24);
    let m = make(s, 1000, 0);
    // 333 frames of 3 bytes: 999 bytes, odd.
    let cut = m.data_offset + 999;
    let p = put(dir.path(), "o.wav", &m.cut(cut, Header::Created));
    let rep = recover(&p).unwrap();
    assert!(
        rep.changes.iter().any(|c| c.contains("pad byte")),
        "{:?}",
        rep.changes
    );
    assert_eq!(std::fs::metadata(&p).unwrap().len() as usize, cut + 1);
    recover_and_check(
        &put(dir.path(), "o2.wav", &m.cut(cut, Header::Created)),
        &m,
        cut,
        Header::Created,
    );
}

#[test]
fn a_stale_odd_size_one_byte_short_of_the_audio_keeps_its_last_frame() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(1, 48000, SampleFormat::I24);
    // 1000 frames of 3 bytes (3000, even) whose header says 2999: no whole frames, so the byte
    // after it is audio, not a pad byte.
    let m = make(s, 1000, 0);
    let mut bytes = m.bytes.clone();
    let d = m.data_offset;
    bytes[d - 4..d].copy_from_slice(&2999u32.to_le_bytes());
    let p = put(dir.path(), "short.wav", &bytes);
    let rep = recover(&p).unwrap();
    assert_eq!(rep.frames, 1000, "{:?}", rep.changes);
    let w = read(&p);
    assert_eq!(verify::counter(&w).unwrap(), (1000, Some(0)));
}

#[test]
fn a_sample_rate_of_zero_is_refused_by_recover_and_named_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let m = make(spec(1, 48000, SampleFormat::I24), 100, 0);
    let mut bytes = m.bytes.clone();
    let fmt = bytes.windows(4).position(|w| w == b"fmt ").unwrap();
    // The fmt body: format tag (2), channels (2), then the sample rate (4).
    bytes[fmt + 12..fmt + 16].copy_from_slice(&0u32.to_le_bytes());
    let p = put(dir.path(), "rate0.wav", &bytes);
    match recover(&p) {
        Err(RecoverError::Unrecoverable { why, .. }) => {
            assert!(why.contains("sample rate of 0"), "{why}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(std::fs::read(&p).unwrap(), bytes, "left as it was");
    let problems = verify::structure(&read(&p));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("zero sample rate"), "{problems:?}");
}

#[test]
fn a_whole_file_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    for s in specs() {
        let m = make(s, 777, 5);
        let p = put(dir.path(), "w.wav", &m.bytes);
        let rep = recover(&p).unwrap();
        assert_eq!(rep.changes, Vec::<String>::new(), "{s:?}");
        assert_eq!(rep.frames, 777);
        assert_eq!(std::fs::read(&p).unwrap(), m.bytes);
    }
}

#[test]
fn float_fact_chunk_is_fixed_too() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::F32);
    let m = make(s, 2000, 0);
    let fo = m.fact_offset().unwrap();
    // Stale at half-way, audio to 1500 frames.
    let cut = m.data_offset + 1500 * m.align();
    let p = put(dir.path(), "f.wav", &m.cut(cut, Header::HalfWay));
    assert_eq!(read(&p).fact_samples, Some(1000));
    let rep = recover(&p).unwrap();
    assert!(
        rep.changes
            .iter()
            .any(|c| c == "fact sample count 1000 -> 1500"),
        "{:?}",
        rep.changes
    );
    let b = std::fs::read(&p).unwrap();
    assert_eq!(u32_at(&b, fo), 1500);
    assert_eq!(read(&p).fact_samples, Some(1500));
    recover_and_check(
        &put(dir.path(), "f2.wav", &m.cut(cut, Header::HalfWay)),
        &m,
        cut,
        Header::HalfWay,
    );
    // A file cut short after finish: the fact chunk claims too much.
    let p = put(dir.path(), "f3.wav", &m.cut(cut, Header::Final));
    let rep = recover(&p).unwrap();
    assert!(
        rep.changes
            .iter()
            .any(|c| c == "fact sample count 2000 -> 1500"),
        "{:?}",
        rep.changes
    );
}

#[test]
fn stale_header_whose_audio_looks_like_a_chunk_header() {
    // With a stale data size, the reader meets audio where the next chunk header would be. Audio
    // can spell a printable four-character code: 16-bit stereo frame 0x6167 is "gaga". Recovery
    // must still take the audio to the end of the file.
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::I16);
    let half = 2000usize;
    let first = 0x6167 - half as u64;
    let m = make(s, 4000, first);
    let stale = &m.bytes[m.data_offset + half * m.align()..][..4];
    assert_eq!(stale, b"gaga");
    for cut in [
        m.bytes.len(),
        m.bytes.len() - 3,
        m.data_offset + 3001 * m.align(),
    ] {
        let p = put(dir.path(), "g.wav", &m.cut(cut, Header::HalfWay));
        let w = read(&p);
        assert!(
            w.chunks.iter().any(|c| c.id == "gaga"),
            "the premise: {:?}",
            ids(&w)
        );
        recover_and_check(&p, &m, cut, Header::HalfWay);
    }
}

#[test]
fn a_take_copied_while_the_writer_runs_recovers_every_frame() {
    // What a power cut leaves: the header as of the last commit, more audio after it.
    let dir = tempfile::tempdir().unwrap();
    for (i, s) in specs().into_iter().enumerate() {
        let path = dir.path().join(format!("live{i}.wav"));
        let mut w = WavWriter::create(&path, s, &meta(s), WriterOptions::default()).unwrap();
        let mut frames = 0u64;
        for round in 0..6u64 {
            let n = 250 + 17 * round as usize;
            w.write_frames(&counter_bytes(s, frames, n)).unwrap();
            frames += n as u64;
            if round == 2 {
                w.commit().unwrap();
            }
        }
        let copy = dir.path().join(format!("live{i}.crash.wav"));
        std::fs::copy(&path, &copy).unwrap();
        drop(w);
        let before = read(&copy);
        assert!(
            !verify::structure(&before).is_empty(),
            "the premise: a stale header"
        );
        let rep = recover(&copy).unwrap();
        assert_eq!(rep.frames, frames);
        assert!(!rep.changes.is_empty());
        let r = read(&copy);
        assert_eq!(verify::structure(&r), Vec::<String>::new());
        assert_eq!(verify::counter(&r).unwrap(), (frames, Some(0)));
        assert_eq!(r.ixml, Some(meta(s).ixml));
        assert!(recover(&copy).unwrap().changes.is_empty());
    }
}

#[test]
fn rf64_files_cut_anywhere_recover_as_rf64() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::F32);
    let path = dir.path().join("rf.wav");
    let mut w = WavWriter::create(
        &path,
        s,
        &meta(s),
        WriterOptions {
            rf64_threshold: 30_000,
        },
    )
    .unwrap();
    for i in 0..10u64 {
        w.write_frames(&counter_bytes(s, i * 1000, 1000)).unwrap();
    }
    w.finish().unwrap();
    let full = std::fs::read(&path).unwrap();
    let d = read(&path).data.unwrap().offset as usize;
    let mut rng = Rng(77);
    for k in 0..30 {
        let cut = d + rng.below(full.len() - d + 1);
        let mut b = full[..cut].to_vec();
        if k % 2 == 0 {
            // A stale ds64 (as of an earlier commit): data size and sample count too small.
            b[28..36].copy_from_slice(&100u64.to_le_bytes());
            b[36..44].copy_from_slice(&(100u64 / 8).to_le_bytes());
        }
        let p = put(dir.path(), "rc.wav", &b);
        let whole = (cut - d) / 8;
        let rep = recover(&p).unwrap_or_else(|e| panic!("cut {cut}: {e}"));
        assert_eq!(rep.frames, whole as u64, "cut {cut}");
        let r = read(&p);
        assert_eq!(r.container, Container::Rf64);
        let ds = r.ds64.unwrap();
        assert_eq!(
            (ds.riff_size, ds.data_size, ds.sample_count),
            (r.file_len - 8, whole as u64 * 8, whole as u64)
        );
        assert_eq!(verify::structure(&r), Vec::<String>::new(), "cut {cut}");
        assert_eq!(verify::counter(&r).unwrap().0, whole as u64);
        assert!(recover(&p).unwrap().changes.is_empty(), "cut {cut}");
    }
}

#[test]
fn a_riff_file_grown_past_4_gib_becomes_rf64() {
    // A sparse file: the header of a Capstan take, then a hole to 5 GiB (nothing is written).
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::I24);
    let p = dir.path().join("big.wav");
    write_counter_file(&p, s, 10, 0, 10, WriterOptions::default());
    let d = read(&p).data.unwrap().offset;
    let len = 5u64 << 30;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(len)
        .unwrap();
    let rep = recover(&p).unwrap();
    let whole = (len - d) / 6;
    assert_eq!(rep.frames, whole);
    assert!(
        rep.changes.iter().any(|c| c.contains("became RF64")),
        "{:?}",
        rep.changes
    );
    let r = read(&p);
    assert_eq!(r.container, Container::Rf64);
    let ds = r.ds64.unwrap();
    assert_eq!(
        (ds.riff_size, ds.data_size, ds.sample_count),
        (r.file_len - 8, whole * 6, whole)
    );
    assert_eq!(r.file_len, d + whole * 6);
    assert_eq!(verify::structure(&r), Vec::<String>::new());
    assert!(recover(&p).unwrap().changes.is_empty());

    // Without the JUNK chunk reserved for ds64 it cannot become RF64: a clear error.
    let q = dir.path().join("nojunk.wav");
    let mut b = vec![0u8; d as usize];
    std::io::Read::read_exact(&mut std::fs::File::open(&p).unwrap(), &mut b).unwrap();
    b[0..4].copy_from_slice(b"RIFF");
    b[12..16].copy_from_slice(b"FLLR");
    let fd = d as usize;
    b[fd - 4..fd].copy_from_slice(&0u32.to_le_bytes());
    std::fs::write(&q, &b).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&q)
        .unwrap()
        .set_len(len)
        .unwrap();
    match recover(&q) {
        Err(RecoverError::Unrecoverable { why, .. }) => assert!(why.contains("JUNK"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn files_that_cannot_be_recovered_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Not WAV at all.
    for (name, bytes) in [
        ("text.wav", b"hello, this is not audio".to_vec()),
        ("empty.wav", Vec::new()),
        ("short.wav", b"RIFF\x04\0\0\0WAV".to_vec()),
        ("avi.wav", b"RIFF\x04\0\0\0AVI LIST".to_vec()),
    ] {
        let p = put(dir.path(), name, &bytes);
        match recover(&p) {
            Err(e @ RecoverError::Read(ReadError::NotWav { .. })) => {
                assert!(e.to_string().contains("is not a WAV file"), "{e}");
                assert!(e.to_string().contains(name), "{e}");
            }
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(std::fs::read(&p).unwrap(), bytes, "{name} untouched");
    }
    // Missing.
    match recover(&dir.path().join("missing.wav")) {
        Err(RecoverError::Read(ReadError::Io { .. })) => {}
        other => panic!("{other:?}"),
    }
    // A folder.
    assert!(matches!(
        recover(dir.path()),
        Err(RecoverError::Read(ReadError::Io { .. }))
    ));
    // No data chunk: cut inside the header.
    let m = make(spec(2, 48000, SampleFormat::I24), 10, 0);
    let p = put(dir.path(), "nodata.wav", &m.bytes[..m.data_offset - 100]);
    let e = recover(&p).unwrap_err();
    assert!(e.to_string().contains("no data chunk"), "{e}");
    // No fmt chunk.
    let mut b = b"RIFF\0\0\0\0WAVEdata\x04\0\0\0abcd".to_vec();
    let n = b.len() as u32 - 8;
    b[4..8].copy_from_slice(&n.to_le_bytes());
    let p = put(dir.path(), "nofmt.wav", &b);
    let e = recover(&p).unwrap_err();
    assert!(e.to_string().contains("no fmt chunk"), "{e}");
    assert_eq!(std::fs::read(&p).unwrap(), b);
    // A zero frame size.
    let mut b = m.bytes.clone();
    let fmt = b.windows(4).position(|w| w == b"fmt ").unwrap();
    b[fmt + 8 + 12..fmt + 8 + 14].copy_from_slice(&0u16.to_le_bytes());
    let p = put(dir.path(), "zero.wav", &b);
    let e = recover(&p).unwrap_err();
    assert!(e.to_string().contains("0 bytes"), "{e}");
    // A frame size the channels and sample size do not make (a damaged fmt chunk), or a format
    // that is not PCM: recovering by it would cut the audio in the wrong place. The file of a
    // take cut short is refused untouched, not shortened.
    let m = make(spec(2, 48000, SampleFormat::I24), 1000, 0);
    let cut = &m.bytes[..m.bytes.len() - 1000];
    for (name, at, value, says) in [
        (
            "align7.wav",
            12,
            7u16,
            "make frames of 6 bytes, but it says 7",
        ),
        ("align2.wav", 12, 2, "make frames of 6 bytes, but it says 2"),
        ("mp3.wav", 0, 0x55, "format tag 0x0055"),
    ] {
        let mut b = cut.to_vec();
        b[fmt + 8 + at..fmt + 8 + at + 2].copy_from_slice(&value.to_le_bytes());
        let p = put(dir.path(), name, &b);
        let e = recover(&p).unwrap_err();
        assert!(e.to_string().contains(says), "{name}: {e}");
        assert_eq!(std::fs::read(&p).unwrap(), b, "{name} untouched");
    }
}

#[test]
fn rf64_without_a_ds64_place_is_refused_not_clobbered() {
    // An RF64 file whose first chunk is fmt, not ds64: writing a ds64 at offset 12 would
    // overwrite the fmt and data headers.
    let dir = tempfile::tempdir().unwrap();
    let s = spec(2, 48000, SampleFormat::I16);
    let mut b = b"RF64\xFF\xFF\xFF\xFFWAVE".to_vec();
    let mut fmt = b"fmt \x10\0\0\0".to_vec();
    fmt.extend_from_slice(&s.fmt_chunk_body());
    b.extend_from_slice(&fmt);
    b.extend_from_slice(b"data");
    b.extend_from_slice(&400u32.to_le_bytes());
    b.extend_from_slice(&counter_bytes(s, 0, 100));
    let p = put(dir.path(), "nods64.wav", &b);
    let r = read(&p);
    assert_eq!(r.container, Container::Rf64);
    assert!(
        r.warnings.iter().any(|w| w.contains("ds64")),
        "{:?}",
        r.warnings
    );
    match recover(&p) {
        Err(RecoverError::Unrecoverable { why, .. }) => assert!(why.contains("ds64"), "{why}"),
        Ok(rep) => {
            // Acceptable only if the result is sound.
            let r = read(&p);
            assert_eq!(verify::structure(&r), Vec::<String>::new(), "{rep:?}");
        }
        Err(e) => panic!("{e}"),
    }
    let after = std::fs::read(&p).unwrap();
    assert_eq!(
        after[12..12 + fmt.len()],
        fmt[..],
        "the fmt chunk was overwritten"
    );
}

/// A finished file with a `LIST`/`adtl` label chunk after its data, as DAWs write.
fn with_trailer(m: &Made) -> Vec<u8> {
    let mut b = m.bytes.clone();
    let mut list = b"adtl".to_vec();
    list.extend_from_slice(b"labl\x08\0\0\0\x01\0\0\0hi\0\0");
    b.extend_from_slice(b"LIST");
    b.extend_from_slice(&(list.len() as u32).to_le_bytes());
    b.extend_from_slice(&list);
    let n = b.len() as u32 - 8;
    b[4..8].copy_from_slice(&n.to_le_bytes());
    b
}

#[test]
fn chunks_after_the_data_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let m = make(spec(2, 48000, SampleFormat::I24), 500, 0);
    let good = with_trailer(&m);
    let p = put(dir.path(), "t.wav", &good);
    assert!(recover(&p).unwrap().changes.is_empty());
    assert_eq!(std::fs::read(&p).unwrap(), good);
    // A stale RIFF size: only that is fixed, the trailer stays.
    let mut b = good.clone();
    b[4..8].copy_from_slice(&1234u32.to_le_bytes());
    let p = put(dir.path(), "t2.wav", &b);
    let rep = recover(&p).unwrap();
    assert_eq!(
        rep.changes,
        vec![format!("RIFF size 1234 -> {}", good.len() - 8)]
    );
    assert_eq!(rep.frames, 500);
    assert_eq!(std::fs::read(&p).unwrap(), good);
    let w = read(&p);
    assert_eq!(ids(&w).last(), Some(&"LIST"));
    assert_eq!(verify::structure(&w), Vec::<String>::new());
}

#[test]
fn data_followed_by_chunks_without_whole_frames_is_refused_untouched() {
    // The data size is not whole frames but chunks follow: shrinking it would hide those chunks
    // (the reader would look for them at the wrong place), so recovery refuses.
    let dir = tempfile::tempdir().unwrap();
    let m = make(spec(2, 48000, SampleFormat::I24), 500, 0);
    let mut b = with_trailer(&m);
    let d = m.data_offset;
    b[d - 4..d].copy_from_slice(&2998u32.to_le_bytes());
    // Move the trailer to where a 2998-byte data chunk ends.
    let trailer = b[d + 3000..].to_vec();
    b.truncate(d + 2998);
    b.extend_from_slice(&trailer);
    let n = b.len() as u32 - 8;
    b[4..8].copy_from_slice(&n.to_le_bytes());
    let p = put(dir.path(), "nw.wav", &b);
    let w = read(&p);
    assert_eq!(ids(&w).last(), Some(&"LIST"), "the premise");
    match recover(&p) {
        Err(RecoverError::Unrecoverable { why, .. }) => assert!(why.contains("whole"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&p).unwrap(), b);
}

#[test]
fn a_file_cut_inside_a_known_chunk_after_the_data_keeps_its_data_size() {
    // A DAW's file cut inside its trailing LIST: the LIST is real (not audio read as a chunk
    // header), so the data keeps its declared size and nothing is swallowed into it.
    let dir = tempfile::tempdir().unwrap();
    let m = make(spec(2, 48000, SampleFormat::I24), 500, 0);
    let good = with_trailer(&m);
    let cut = good.len() - 5;
    let p = put(dir.path(), "tl.wav", &good[..cut]);
    let rep = recover(&p).unwrap();
    assert_eq!(rep.frames, 500);
    assert_eq!(
        rep.changes,
        vec![format!("RIFF size {} -> {}", good.len() - 8, cut - 8)]
    );
    let w = read(&p);
    assert_eq!(w.data.unwrap().declared, 3000);
    assert_eq!(ids(&w).last(), Some(&"LIST"));
    assert_eq!(verify::structure(&w), Vec::<String>::new());
    assert_eq!(verify::counter(&w).unwrap().0, 500);
}

#[test]
fn stray_bytes_after_a_trailing_chunk_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let m = make(spec(2, 48000, SampleFormat::I24), 500, 0);
    let good = with_trailer(&m);
    let mut b = good.clone();
    b.extend_from_slice(&[0xFF, 0x00, 0x13, 0x37, 0x00, 0x00, 0x00, 0x00, 0x01]);
    let p = put(dir.path(), "st.wav", &b);
    assert_eq!(read(&p).trailing_bytes, 9);
    let rep = recover(&p).unwrap();
    // The RIFF size already described the file without them.
    assert_eq!(rep.changes, ["dropped 9 stray bytes after the last chunk"]);
    assert_eq!(rep.frames, 500);
    assert_eq!(std::fs::read(&p).unwrap(), good);
    assert_eq!(verify::structure(&read(&p)), Vec::<String>::new());
    assert!(recover(&p).unwrap().changes.is_empty());
}
