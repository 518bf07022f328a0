//! Playback's audio-thread cycle never allocates: every `PlayCycle::cycle` runs under
//! `assert_no_alloc` (abort on any allocation), while the read-ahead thread reads a take from
//! its files, through to the end of the take; and a ring that runs dry plays a counted period of
//! silence, never stale or partial frames.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use capstan::playback::{Cycle, PlayCycle, ReadAhead};
use capstan_board::audio::{DeviceFormat, PlaybackError, PlaybackSink};
use capstan_bwf::writer::{WavWriter, WriterOptions};
use capstan_bwf::{FileMeta, SampleFormat, WavSpec};
use capstan_mixer::tracks::WithoutMix;
use capstan_mixer::{MixerState, RawFormat, TakeMix, TakeTracks};

#[global_allocator]
static A: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

/// A sink keeping what it is given in a buffer allocated up front; `room` frames per call at
/// most, to exercise a full device.
struct Keep {
    got: Vec<u8>,
    room: usize,
}

impl PlaybackSink for Keep {
    fn channels(&self) -> u16 {
        2
    }
    fn format(&self) -> DeviceFormat {
        DeviceFormat::S16Le
    }
    fn write(&mut self, f: &[u8]) -> Result<usize, PlaybackError> {
        let n = (f.len() / 4)
            .min(self.room)
            .min((self.got.capacity() - self.got.len()) / 4);
        self.got.extend_from_slice(&f[..n * 4]);
        Ok(n)
    }
    fn underruns(&self) -> u64 {
        0
    }
}

/// Writes a take of two mono 24-bit tracks of `frames` frames (a ramp on each) into `dir`.
fn write_take(dir: &std::path::Path, frames: usize) -> std::path::PathBuf {
    let take = dir.join("Rt-T001");
    std::fs::create_dir(&take).unwrap();
    let spec = WavSpec {
        channels: 1,
        sample_rate: 48_000,
        format: SampleFormat::I24,
    };
    for (k, name) in ["Rt-T001_01_A.wav", "Rt-T001_02_B.wav"].iter().enumerate() {
        let mut w = WavWriter::create(
            &take.join(name),
            spec,
            &FileMeta::default(),
            WriterOptions::default(),
        )
        .unwrap();
        let bytes: Vec<u8> = (0..frames)
            .flat_map(|i| {
                let v = ((i % 1000) as i32 * 4000 + k as i32 * 100_000).to_le_bytes();
                [v[0], v[1], v[2]]
            })
            .collect();
        w.write_frames(&bytes).unwrap();
        w.finish().unwrap();
    }
    take
}

#[test]
fn a_whole_take_plays_through_without_allocating() {
    let d = tempfile::tempdir().unwrap();
    let frames = 3 * 48_000 + 17;
    let dir = write_take(d.path(), frames);
    let take = Arc::new(TakeTracks::open_with(&dir, WithoutMix::Plain).unwrap());
    assert!(take.plain);
    let (reader, ring) = ReadAhead::start(take.clone(), 0, 2.0);
    let sink = Keep {
        got: Vec::with_capacity(frames * 4),
        room: 100,
    };
    let mut cycle = PlayCycle::new(&take.mix, ring, reader.done.clone(), sink, true).unwrap();
    let stats = cycle.stats();
    let mut calls = 0u64;
    assert_no_alloc::assert_no_alloc(|| loop {
        calls += 1;
        match cycle.cycle() {
            Cycle::End => break,
            Cycle::WaitingForReader => thread::yield_now(),
            Cycle::Played | Cycle::SinkFull => {}
            other => panic!("unexpected {other:?}"),
        }
    });
    assert_eq!(reader.finish().unwrap(), frames as u64);
    assert_eq!(stats.frames.load(Ordering::Relaxed), frames as u64);
    assert_eq!(stats.underruns.load(Ordering::Relaxed), 0);
    let got = cycle.into_sink().got;
    assert_eq!(got.len(), frames * 4, "every frame reached the sink");
    assert!(calls > (frames / 256) as u64);
    // Both tracks are centred: both sides carry the same, and it is not silence.
    assert!(got.chunks_exact(4).all(|f| f[..2] == f[2..]));
    assert!(got.chunks_exact(4).any(|f| f != [0; 4]));
}

#[test]
fn a_dry_ring_plays_one_counted_period_of_silence_then_the_frames_it_waited_for() {
    let p = 64;
    let mix = TakeMix {
        board_mix: false,
        rate: 48_000,
        input_channels: 2,
        input_format: RawFormat::S24_3Le,
        output_channels: 2,
        period_frames: p,
        mixer: MixerState::with_mono_tracks(2),
    };
    let fb = 6;
    let (mut prod, cons) = rtrb::RingBuffer::<u8>::new(8 * p * fb);
    let done = Arc::new(AtomicBool::new(false));
    let sink = Keep {
        got: Vec::with_capacity(8 * p * 4),
        room: usize::MAX,
    };
    let mut cycle = PlayCycle::new(&mix, cons, done.clone(), sink, false).unwrap();
    let stats = cycle.stats();
    // A loud constant on both inputs: 1.5 periods of it.
    let frame = [0x00, 0x00, 0x40, 0x00, 0x00, 0x40];
    let mut push = |frames: usize| {
        for _ in 0..frames {
            for b in frame {
                prod.push(b).unwrap();
            }
        }
    };
    push(p + p / 2);
    let mut seen = Vec::with_capacity(8);
    assert_no_alloc::assert_no_alloc(|| {
        seen.push(cycle.cycle());
        seen.push(cycle.cycle());
    });
    push(p / 2 + 10);
    done.store(true, Ordering::Release);
    assert_no_alloc::assert_no_alloc(|| {
        seen.push(cycle.cycle());
        seen.push(cycle.cycle());
        seen.push(cycle.cycle());
    });
    assert_eq!(
        seen,
        [
            Cycle::Played,
            Cycle::Underrun,
            Cycle::Played,
            Cycle::Played,
            Cycle::End
        ]
    );
    assert_eq!(stats.underruns.load(Ordering::Relaxed), 1);
    assert_eq!(stats.frames.load(Ordering::Relaxed), (2 * p + 10) as u64);
    let got = cycle.into_sink().got;
    let periods: Vec<&[u8]> = got.chunks(p * 4).collect();
    assert_eq!(got.len(), (3 * p + 10) * 4);
    assert!(
        periods[0][(p - 1) * 4..] != [0; 4],
        "the first period is the signal"
    );
    assert!(
        periods[1].iter().all(|&b| b == 0),
        "the dry period is silence"
    );
    assert!(
        periods[2].chunks_exact(4).all(|f| f != [0; 4]),
        "then the waited-for frames"
    );
    assert!(
        periods[3].chunks_exact(4).all(|f| f != [0; 4]),
        "and the last, short period"
    );
}
