//! The counter test signal (see DESIGN.md): every frame and channel carries its own position, so
//! any dropped, repeated or reordered frame, and any channel swap, shows when a file is read back.
//!
//! Channel `c` at frame `n` carries the 24-bit word `((n mod 65536) << 8) | (c mod 256)`, read as
//! a signed 24-bit value `v`. 24-bit samples hold `v`, 32-bit integer samples `v << 8`, 16-bit
//! samples `v >> 8` and float samples `v / 8388608.0`.

use crate::format::SampleFormat;

/// The signed 24-bit value `v` for channel `channel` at frame `frame`. This is realtime-safe.
#[inline]
pub const fn word(frame: u64, channel: u32) -> i32 {
    let w = (((frame & 0xFFFF) as u32) << 8) | (channel & 0xFF);
    ((w << 8) as i32) >> 8
}

/// Writes the sample for value `v` in `format` into `out` (little endian). This is realtime-safe.
#[inline]
pub fn encode(v: i32, format: SampleFormat, out: &mut [u8]) {
    match format {
        SampleFormat::I16 => out[..2].copy_from_slice(&((v >> 8) as i16).to_le_bytes()),
        SampleFormat::I24 => out[..3].copy_from_slice(&v.to_le_bytes()[..3]),
        SampleFormat::I32 => out[..4].copy_from_slice(&(v << 8).to_le_bytes()),
        SampleFormat::F32 => out[..4].copy_from_slice(&(v as f32 / 8_388_608.0).to_le_bytes()),
    }
}

/// Fills `out` (whole interleaved frames of `channels` channels) with the counter signal,
/// starting at frame `first_frame`. This is realtime-safe.
pub fn fill(out: &mut [u8], channels: usize, format: SampleFormat, first_frame: u64) {
    let bps = format.bytes();
    let frame_bytes = channels * bps;
    for (i, frame) in out.chunks_exact_mut(frame_bytes).enumerate() {
        let n = first_frame + i as u64;
        for (c, s) in frame.chunks_exact_mut(bps).enumerate() {
            encode(word(n, c as u32), format, s);
        }
    }
}

/// What a sample read back says, in the terms of the counter signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    /// Frame number modulo 65536.
    pub frame: u16,
    /// Channel modulo 256, when the format keeps it (not for 16-bit).
    pub channel: Option<u8>,
}

/// Decodes one little-endian sample of `format`; `None` when the bits cannot be a counter
/// sample in that format (low byte of a 32-bit sample not zero, float not exactly on the grid).
pub fn decode(sample: &[u8], format: SampleFormat) -> Option<Decoded> {
    let v: i32 = match format {
        SampleFormat::I16 => {
            let s = i16::from_le_bytes([sample[0], sample[1]]);
            return Some(Decoded {
                frame: s as u16,
                channel: None,
            });
        }
        SampleFormat::I24 => i32::from_le_bytes([0, sample[0], sample[1], sample[2]]) >> 8,
        SampleFormat::I32 => {
            let s = i32::from_le_bytes([sample[0], sample[1], sample[2], sample[3]]);
            if s & 0xFF != 0 {
                return None;
            }
            s >> 8
        }
        SampleFormat::F32 => {
            let f = f32::from_le_bytes([sample[0], sample[1], sample[2], sample[3]]);
            let scaled = f * 8_388_608.0;
            if !(-8_388_608.0..8_388_608.0).contains(&scaled) || scaled.fract() != 0.0 {
                return None;
            }
            scaled as i32
        }
    };
    let w = (v as u32) & 0x00FF_FFFF;
    Some(Decoded {
        frame: (w >> 8) as u16,
        channel: Some((w & 0xFF) as u8),
    })
}

/// The first place where a run of samples stops following the counter signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Frame index in the file (0 = first frame of the data).
    pub frame: u64,
    /// Channel (interleave position) in the file.
    pub channel: usize,
    /// What the sample should have said.
    pub expected: Decoded,
    /// What it said (`None`: not a counter sample at all).
    pub found: Option<Decoded>,
}

/// Checks a stream of whole interleaved frames against the counter signal, block by block.
///
/// The first frame fixes the start position (a file may begin anywhere in the signal: pre-roll,
/// or a capture that started after the player); every later frame must follow it without a gap.
#[derive(Debug, Clone)]
pub struct Checker {
    format: SampleFormat,
    expected_channels: Vec<u8>,
    next_frame: Option<u16>,
    frames: u64,
}

impl Checker {
    /// A checker for frames whose interleave position `i` carries source channel
    /// `source_channels[i]` (for a mono track file: one entry, the track's input channel).
    pub fn new(format: SampleFormat, source_channels: &[u32]) -> Self {
        Checker {
            format,
            expected_channels: source_channels.iter().map(|&c| (c & 0xFF) as u8).collect(),
            next_frame: None,
            frames: 0,
        }
    }

    /// The frame position (mod 65536) the first frame carried, once a frame has been seen.
    pub fn start_position(&self) -> Option<u16> {
        self.next_frame.map(|n| n.wrapping_sub(self.frames as u16))
    }

    /// Frames checked so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Checks the next block of whole frames.
    pub fn check(&mut self, data: &[u8]) -> Result<(), Mismatch> {
        let bps = self.format.bytes();
        let frame_bytes = bps * self.expected_channels.len();
        for frame in data.chunks_exact(frame_bytes) {
            for (i, s) in frame.chunks_exact(bps).enumerate() {
                let found = decode(s, self.format);
                let want_ch = self.expected_channels[i];
                let want_frame = match (self.next_frame, found) {
                    (Some(n), _) => n,
                    (None, Some(d)) => d.frame,
                    (None, None) => 0,
                };
                let expected = Decoded {
                    frame: want_frame,
                    channel: (self.format != SampleFormat::I16).then_some(want_ch),
                };
                if found != Some(expected) {
                    return Err(Mismatch {
                        frame: self.frames,
                        channel: i,
                        expected,
                        found,
                    });
                }
            }
            let n = self
                .next_frame
                .unwrap_or_else(|| decode(frame, self.format).map_or(0, |d| d.frame));
            self.next_frame = Some(n.wrapping_add(1));
            self.frames += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [SampleFormat; 4] = [
        SampleFormat::I16,
        SampleFormat::I24,
        SampleFormat::I32,
        SampleFormat::F32,
    ];

    #[test]
    fn word_matches_the_contract() {
        assert_eq!(word(0, 0), 0);
        assert_eq!(word(1, 2), 0x102);
        // frame 0x8000 sets the sign bit of the 24-bit word
        assert_eq!(word(0x8000, 5), (0x80_0005u32 as i32) - (1 << 24));
        assert_eq!(word(65536 + 3, 256 + 1), word(3, 1));
    }

    #[test]
    fn every_format_round_trips() {
        for f in ALL {
            for (n, c) in [
                (0u64, 0u32),
                (1, 1),
                (0x7FFF, 63),
                (0x8000, 17),
                (0xFFFF, 255),
                (70000, 300),
            ] {
                let mut b = [0u8; 4];
                encode(word(n, c), f, &mut b);
                let d = decode(&b[..f.bytes()], f).unwrap();
                assert_eq!(d.frame, (n & 0xFFFF) as u16, "{f:?}");
                if f != SampleFormat::I16 {
                    assert_eq!(d.channel, Some((c & 0xFF) as u8));
                }
            }
        }
    }

    #[test]
    fn checker_accepts_a_run_and_finds_a_dropped_frame() {
        for f in ALL {
            let mut data = vec![0u8; 3 * f.bytes() * 100];
            fill(&mut data, 3, f, 65500);
            let mut ch = Checker::new(f, &[0, 1, 2]);
            ch.check(&data).unwrap();
            assert_eq!(ch.frames(), 100);
            assert_eq!(ch.start_position(), Some(65500));
            // drop frame 50
            let fb = 3 * f.bytes();
            let mut gap = data.clone();
            gap.drain(50 * fb..51 * fb);
            let e = Checker::new(f, &[0, 1, 2]).check(&gap).unwrap_err();
            assert_eq!(e.frame, 50);
        }
    }

    #[test]
    fn checker_finds_a_channel_swap() {
        let f = SampleFormat::I24;
        let mut data = vec![0u8; 2 * 3 * 10];
        fill(&mut data, 2, f, 0);
        let e = Checker::new(f, &[1, 0]).check(&data).unwrap_err();
        assert_eq!((e.frame, e.channel), (0, 0));
    }
}
