//! The reader and recovery never panic, whatever the bytes: random data, and valid files with
//! bytes flipped, sizes changed and cut anywhere. The reader refuses only what does not start like
//! a WAV file; a recovery that says it succeeded leaves a file that verifies.

mod common;

use std::io::Cursor;
use std::path::Path;
use std::sync::OnceLock;

use capstan_bwf::reader::{parse, ReadError};
use capstan_bwf::recover::recover;
use capstan_bwf::{verify, SampleFormat, WriterOptions};
use common::*;
use proptest::prelude::*;

/// Valid files to mutate: plain RIFF 24-bit stereo, float mono with fact, an RF64 file, and a
/// file with markers.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Vec::new();
        for (i, (s, frames, opts)) in [
            (
                spec(2, 48000, SampleFormat::I24),
                40,
                WriterOptions::default(),
            ),
            (
                spec(1, 44100, SampleFormat::F32),
                33,
                WriterOptions::default(),
            ),
            (
                spec(3, 96000, SampleFormat::I16),
                50,
                WriterOptions { rf64_threshold: 1 },
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let p = dir.path().join(format!("s{i}.wav"));
            let fin = write_counter_file(&p, s, frames, 0, 7, opts);
            assert_eq!(fin.rf64, i == 2);
            out.push(std::fs::read(&p).unwrap());
        }
        // Markers: iXML sync points, and cue and LIST chunks after the data.
        let s = spec(1, 48000, SampleFormat::I24);
        let p = dir.path().join("marked.wav");
        let mut w =
            capstan_bwf::WavWriter::create(&p, s, &meta(s), WriterOptions::default()).unwrap();
        w.write_frames(&counter_bytes(s, 0, 41)).unwrap();
        w.add_marker(3, "XRUN");
        w.add_marker(40, "DROP 480 frames");
        w.finish().unwrap();
        out.push(std::fs::read(&p).unwrap());
        out
    })
}

/// True when the bytes start like a WAV file (what the reader must accept).
fn wav_start(b: &[u8]) -> bool {
    b.len() >= 12 && matches!(&b[0..4], b"RIFF" | b"RF64" | b"BW64") && &b[8..12] == b"WAVE"
}

/// Parses from memory and recovers a copy on disk; checks the properties. Never panics itself
/// unless a property fails.
fn exercise(bytes: &[u8], dir: &Path) -> Result<(), TestCaseError> {
    let res = parse(
        &mut Cursor::new(bytes),
        bytes.len() as u64,
        Path::new("mem.wav"),
    );
    match &res {
        Ok(w) => {
            prop_assert!(
                wav_start(bytes),
                "accepted a file that does not start like WAV"
            );
            prop_assert!(w.file_len == bytes.len() as u64);
            if let Some(d) = w.data {
                prop_assert!(d.available <= d.declared);
                prop_assert!(d.offset + d.available <= bytes.len() as u64);
            }
            let _ = verify::structure(w);
            let _ = verify::source_channels(w);
            let _ = w.duration_secs();
        }
        Err(ReadError::NotWav { .. }) => {
            prop_assert!(!wav_start(bytes), "refused a WAV start: {:?}", res)
        }
        Err(e) => prop_assert!(false, "only NotWav can fail in memory: {e}"),
    }

    let path = dir.join("case.wav");
    let _ = std::fs::remove_file(&path);
    std::fs::write(&path, bytes).unwrap();
    if let Ok(w) = capstan_bwf::read(&path) {
        // The counter check streams the data from disk: it must not panic either.
        let _ = verify::counter(&w);
    }
    if let Ok(rep) = recover(&path) {
        let w = capstan_bwf::read(&path)
            .map_err(|e| TestCaseError::fail(format!("recovered file unreadable: {e}")))?;
        let left: Vec<String> = verify::structure(&w)
            .into_iter()
            .filter(|p| !verify::is_fmt_problem(p))
            .collect();
        prop_assert!(
            left.is_empty(),
            "recover said {:?} but left {:?}",
            rep,
            left
        );
        prop_assert_eq!(w.frames(), rep.frames);
        let again = recover(&path)
            .map_err(|e| TestCaseError::fail(format!("second recovery failed: {e}")))?;
        prop_assert!(
            again.changes.is_empty(),
            "second recovery changed {:?}",
            again.changes
        );
    }
    Ok(())
}

/// A change to a valid file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Set the byte at (position mod length).
    Byte(usize, u8),
    /// Set the 32-bit size field of chunk number n (mod chunk count) to a value.
    ChunkSize(usize, u32),
    /// Set one of the three 64-bit ds64 fields.
    Ds64(usize, u64),
    /// Cut the file at (position mod length + 1).
    Cut(usize),
    /// Append bytes.
    Append(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let size = prop_oneof![
        Just(0u32),
        Just(1),
        Just(u32::MAX),
        Just(u32::MAX - 1),
        Just(0x7FFF_FFFF),
        0u32..100_000,
        any::<u32>()
    ];
    let big = prop_oneof![
        Just(0u64),
        Just(u64::MAX),
        Just(u64::MAX - 1),
        Just(1u64 << 32),
        0u64..100_000,
        any::<u64>()
    ];
    prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Byte(p, b)),
        3 => (any::<usize>(), size).prop_map(|(n, v)| Mutation::ChunkSize(n, v)),
        1 => (0usize..3, big).prop_map(|(n, v)| Mutation::Ds64(n, v)),
        2 => any::<usize>().prop_map(Mutation::Cut),
        1 => prop::collection::vec(any::<u8>(), 1..40).prop_map(Mutation::Append),
    ]
}

/// Offsets of the chunk headers of a file, walking sizes as written (stops at nonsense).
fn chunk_offsets(b: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut pos = 12usize;
    while pos + 8 <= b.len() {
        out.push(pos);
        let size = u32_at(b, pos + 4) as usize;
        pos = pos
            .saturating_add(8)
            .saturating_add(size)
            .saturating_add(size & 1);
    }
    out
}

fn apply(mut b: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        match m {
            Mutation::Byte(p, v) if !b.is_empty() => {
                let n = b.len();
                b[p % n] = *v;
            }
            Mutation::ChunkSize(n, v) => {
                let offs = chunk_offsets(&b);
                if !offs.is_empty() {
                    let o = offs[n % offs.len()] + 4;
                    b[o..o + 4].copy_from_slice(&v.to_le_bytes());
                }
            }
            Mutation::Ds64(n, v) if b.len() >= 20 + 24 => {
                let o = 20 + 8 * n;
                b[o..o + 8].copy_from_slice(&v.to_le_bytes());
            }
            Mutation::Cut(p) => {
                let n = b.len();
                b.truncate(p % (n + 1));
            }
            Mutation::Append(x) => b.extend_from_slice(x),
            _ => {}
        }
    }
    b
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

proptest! {
    // PROPTEST_CASES raises the count for a longer hunt; the default keeps the run to seconds.
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let dir = tempfile::tempdir().unwrap();
        exercise(&bytes, dir.path())?;
    }

    #[test]
    fn random_chunks_after_a_wav_header(
        magic in prop_oneof![Just(*b"RIFF"), Just(*b"RF64"), Just(*b"BW64")],
        riff_size in any::<u32>(),
        chunks in prop::collection::vec(
            (prop_oneof![
                Just(*b"fmt "), Just(*b"data"), Just(*b"ds64"), Just(*b"fact"), Just(*b"bext"),
                Just(*b"iXML"), Just(*b"cue "), Just(*b"LIST"), Just(*b"list"), Just(*b"JUNK"), any::<[u8; 4]>()
            ], any::<u32>(), prop::collection::vec(any::<u8>(), 0..80)),
            0..6),
    ) {
        let mut b = magic.to_vec();
        b.extend_from_slice(&riff_size.to_le_bytes());
        b.extend_from_slice(b"WAVE");
        for (id, size, body) in chunks {
            b.extend_from_slice(&id);
            // Mostly the true size, sometimes a lie.
            let s = if size % 3 == 0 { size } else { body.len() as u32 };
            b.extend_from_slice(&s.to_le_bytes());
            b.extend_from_slice(&body);
        }
        let dir = tempfile::tempdir().unwrap();
        exercise(&b, dir.path())?;
    }

    #[test]
    fn mutated_valid_files(seed in 0usize..4, muts in prop::collection::vec(mutation(), 1..5)) {
        let b = apply(seeds()[seed].clone(), &muts);
        let dir = tempfile::tempdir().unwrap();
        exercise(&b, dir.path())?;
    }

    #[test]
    fn valid_files_cut_anywhere(seed in 0usize..4, cut in any::<usize>(), flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..3)) {
        let mut b = seeds()[seed].clone();
        let n = b.len();
        b.truncate(cut % (n + 1));
        for (p, v) in flips {
            if !b.is_empty() {
                let n = b.len();
                b[p % n] ^= v;
            }
        }
        let dir = tempfile::tempdir().unwrap();
        exercise(&b, dir.path())?;
    }
}

#[test]
fn huge_odd_ds64_data_size_does_not_overflow() {
    // An RF64 file whose ds64 says the data is u64::MAX bytes (odd): the walk past it must not
    // overflow.
    let mut b = seeds()[2].clone();
    b[28..36].copy_from_slice(&u64::MAX.to_le_bytes());
    let w = parse(&mut Cursor::new(&b), b.len() as u64, Path::new("x.wav")).unwrap();
    assert_eq!(w.data.unwrap().declared, u64::MAX);
    let dir = tempfile::tempdir().unwrap();
    exercise(&b, dir.path()).unwrap();
}

#[test]
fn every_truncation_of_a_valid_file() {
    // Exhaustive: every length of each seed.
    let dir = tempfile::tempdir().unwrap();
    for s in seeds() {
        for cut in (0..=s.len()).step_by(1 + s.len() / 1500) {
            exercise(&s[..cut], dir.path()).unwrap_or_else(|e| panic!("cut {cut}: {e}"));
        }
    }
}

#[test]
fn inputs_the_fuzzer_found() {
    // Each once broke a property (see fuzz/README.md); they stay fixed.
    let dir = tempfile::tempdir().unwrap();
    let regressions = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for e in std::fs::read_dir(&regressions).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        exercise(&bytes, dir.path()).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        n += 1;
    }
    assert!(n >= 6);
}
