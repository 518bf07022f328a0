//! Audio-thread budget of the monitor: the plain sum and the input meters over captured
//! frames of the counter signal (with a full-scale sample now and then, so clips are counted
//! too), with no playback device, reported as real-time factor (how many times faster than the
//! audio arrives) and nanoseconds per sample.
//!
//! `cargo bench -p capstan --bench monitor` runs `CAPSTAN_BENCH_SECONDS` seconds of audio
//! (default 60) per case; run without `--bench` (as `cargo test --benches` does) it runs 1 s.

use std::time::Instant;

use capstan::engine::monitor::{decode_i32, Monitor};
use capstan_board::audio::StreamSpec;
use capstan_bwf::{counter, SampleFormat};

mod common;
use common::env_count;

const RATE: u32 = 48_000;
const PERIOD: usize = 2048;

/// A positive full-scale sample of `format`, little-endian (the first `bytes()` count).
fn full_scale(format: SampleFormat) -> [u8; 4] {
    match format {
        SampleFormat::I16 => [0xFF, 0x7F, 0, 0],
        SampleFormat::I24 => [0xFF, 0xFF, 0x7F, 0],
        SampleFormat::I32 => i32::MAX.to_le_bytes(),
        SampleFormat::F32 => 1.0f32.to_le_bytes(),
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let secs = if full {
        env_count("CAPSTAN_BENCH_SECONDS", 60)
    } else {
        1
    };
    println!("monitor bench: plain sum and meters, {secs} s of audio per case, period {PERIOD}");
    for (channels, format) in [
        (32u16, SampleFormat::I32),
        (64, SampleFormat::I24),
        (8, SampleFormat::I16),
        (16, SampleFormat::F32),
    ] {
        let spec = StreamSpec {
            channels,
            rate: RATE,
            format,
        };
        let fb = spec.frame_bytes();
        // Sixteen periods of captured audio, played over and over.
        let mut block = vec![0u8; 16 * PERIOD * fb];
        counter::fill(&mut block, usize::from(channels), format, 0);
        let bps = format.bytes();
        // One full-scale sample per period on channel 0, so the clip count has work to do.
        for p in 0..16 {
            let at = p * PERIOD * fb + 100 * fb;
            block[at..at + bps].copy_from_slice(&full_scale(format)[..bps]);
        }
        let mut monitor = Monitor::new(spec, None, PERIOD);
        let periods = secs as usize * RATE as usize / PERIOD;
        let t = Instant::now();
        for p in 0..periods {
            let k = p % 16;
            monitor.process(&block[k * PERIOD * fb..(k + 1) * PERIOD * fb]);
        }
        let wall = t.elapsed().as_secs_f64();
        let audio = (periods * PERIOD) as f64 / f64::from(RATE);
        let samples = (periods * PERIOD * usize::from(channels)) as f64;
        // The clips the meters must have counted on the first two channels, counted plainly.
        let clip = decode_i32(format, &full_scale(format)).unsigned_abs();
        let want: Vec<u64> = (0..2)
            .map(|c| {
                (0..periods)
                    .map(|p| {
                        let k = p % 16;
                        block[k * PERIOD * fb..(k + 1) * PERIOD * fb]
                            .chunks_exact(fb)
                            .filter(|f| decode_i32(format, &f[c * bps..]).unsigned_abs() >= clip)
                            .count() as u64
                    })
                    .sum()
            })
            .collect();
        let meters = monitor.meters();
        let got = [meters.clips(0), meters.clips(1)];
        assert_eq!(got[..], want[..], "clips counted on channels 0 and 1");
        assert!(
            want[0] >= periods as u64,
            "every period has a clip on channel 0"
        );
        println!(
            "  {channels:2} ch {:>3}: {:8.1}x real time, {:.2} ns per sample",
            format.cli_name(),
            audio / wall,
            wall * 1e9 / samples
        );
    }
}
