//! Sample formats and the `fmt ` chunk: plain PCM, IEEE float and WAVE_FORMAT_EXTENSIBLE.

use serde::Serialize;

/// `wFormatTag` for integer PCM.
pub const WAVE_FORMAT_PCM: u16 = 0x0001;
/// `wFormatTag` for IEEE floating point.
pub const WAVE_FORMAT_IEEE_FLOAT: u16 = 0x0003;
/// `wFormatTag` for WAVE_FORMAT_EXTENSIBLE.
pub const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// The tail shared by the KSDATAFORMAT_SUBTYPE GUIDs (after the first two bytes of the tag).
const GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

/// How one sample is stored in a file (and, for the sim board, on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SampleFormat {
    /// 16-bit signed integer, little endian.
    I16,
    /// 24-bit signed integer packed in 3 bytes, little endian.
    I24,
    /// 32-bit signed integer, little endian.
    I32,
    /// 32-bit IEEE float, little endian, full scale at +-1.0.
    F32,
}

impl SampleFormat {
    /// Bytes one sample of this format takes in a file.
    pub const fn bytes(self) -> usize {
        match self {
            SampleFormat::I16 => 2,
            SampleFormat::I24 => 3,
            SampleFormat::I32 | SampleFormat::F32 => 4,
        }
    }

    /// Bits per sample as written in `fmt ` (`wBitsPerSample`).
    pub const fn bits(self) -> u16 {
        (self.bytes() * 8) as u16
    }

    /// True for the floating point format.
    pub const fn is_float(self) -> bool {
        matches!(self, SampleFormat::F32)
    }

    /// Parses the command-line spelling: `16`, `24`, `32` or `32f`.
    pub fn from_cli(s: &str) -> Option<Self> {
        match s {
            "16" => Some(SampleFormat::I16),
            "24" => Some(SampleFormat::I24),
            "32" => Some(SampleFormat::I32),
            "32f" | "f32" | "float" => Some(SampleFormat::F32),
            _ => None,
        }
    }

    /// The command-line spelling of this format.
    pub const fn cli_name(self) -> &'static str {
        match self {
            SampleFormat::I16 => "16",
            SampleFormat::I24 => "24",
            SampleFormat::I32 => "32",
            SampleFormat::F32 => "32f",
        }
    }
}

/// What a stream of frames is: channel count, sample rate and sample format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WavSpec {
    /// Interleaved channels in each frame (1..=64 for takes Capstan writes).
    pub channels: u16,
    /// Frames per second.
    pub sample_rate: u32,
    /// How each sample is stored.
    pub format: SampleFormat,
}

impl WavSpec {
    /// Bytes of one frame (`nBlockAlign`).
    pub const fn block_align(&self) -> usize {
        self.channels as usize * self.format.bytes()
    }

    /// Bytes per second of audio.
    pub const fn byte_rate(&self) -> u64 {
        self.sample_rate as u64 * self.block_align() as u64
    }

    /// True when the file needs WAVE_FORMAT_EXTENSIBLE: more than two channels, or integer PCM
    /// of more than 16 bits (Microsoft's rule, which DAWs follow). Mono and stereo float stay
    /// plain IEEE float (tag 3), which every reader knows.
    pub const fn needs_extensible(&self) -> bool {
        self.channels > 2 || (!self.format.is_float() && self.format.bits() > 16)
    }

    /// True when the file gets a `fact` chunk: every format that is not plain integer PCM
    /// (float, and extensible, which sndfile-info and the spec treat as non-PCM).
    pub const fn needs_fact(&self) -> bool {
        self.format.is_float() || self.needs_extensible()
    }

    /// `dwChannelMask`: mono on front centre, otherwise the first N speaker positions (at most
    /// the 18 defined ones; further channels are unassigned, as the spec allows).
    pub const fn channel_mask(&self) -> u32 {
        match self.channels {
            1 => 0x4,
            n if n >= 18 => 0x3FFFF,
            n => (1u32 << n) - 1,
        }
    }

    /// The body of the `fmt ` chunk for this spec.
    pub fn fmt_chunk_body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(40);
        let tag = if self.needs_extensible() {
            WAVE_FORMAT_EXTENSIBLE
        } else if self.format.is_float() {
            WAVE_FORMAT_IEEE_FLOAT
        } else {
            WAVE_FORMAT_PCM
        };
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&self.channels.to_le_bytes());
        b.extend_from_slice(&self.sample_rate.to_le_bytes());
        b.extend_from_slice(&(self.byte_rate() as u32).to_le_bytes());
        b.extend_from_slice(&(self.block_align() as u16).to_le_bytes());
        b.extend_from_slice(&self.format.bits().to_le_bytes());
        match tag {
            WAVE_FORMAT_EXTENSIBLE => {
                b.extend_from_slice(&22u16.to_le_bytes());
                b.extend_from_slice(&self.format.bits().to_le_bytes());
                b.extend_from_slice(&self.channel_mask().to_le_bytes());
                let sub = if self.format.is_float() {
                    WAVE_FORMAT_IEEE_FLOAT
                } else {
                    WAVE_FORMAT_PCM
                };
                b.extend_from_slice(&sub.to_le_bytes());
                b.extend_from_slice(&GUID_TAIL);
            }
            WAVE_FORMAT_IEEE_FLOAT => b.extend_from_slice(&0u16.to_le_bytes()),
            _ => {}
        }
        b
    }
}

/// A `fmt ` chunk as found in a file, parsed without judging it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FmtChunk {
    /// `wFormatTag`.
    pub format_tag: u16,
    /// `nChannels`.
    pub channels: u16,
    /// `nSamplesPerSec`.
    pub sample_rate: u32,
    /// `nAvgBytesPerSec`.
    pub byte_rate: u32,
    /// `nBlockAlign`.
    pub block_align: u16,
    /// `wBitsPerSample`.
    pub bits_per_sample: u16,
    /// `wValidBitsPerSample` (extensible only).
    pub valid_bits: Option<u16>,
    /// `dwChannelMask` (extensible only).
    pub channel_mask: Option<u32>,
    /// The format tag inside the SubFormat GUID (extensible only).
    pub sub_format: Option<u16>,
}

impl FmtChunk {
    /// Parses a `fmt ` body; `None` when it is shorter than the 16 mandatory bytes.
    pub fn parse(b: &[u8]) -> Option<FmtChunk> {
        if b.len() < 16 {
            return None;
        }
        let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
        let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let format_tag = u16_at(0);
        let ext = format_tag == WAVE_FORMAT_EXTENSIBLE && b.len() >= 40;
        Some(FmtChunk {
            format_tag,
            channels: u16_at(2),
            sample_rate: u32_at(4),
            byte_rate: u32_at(8),
            block_align: u16_at(12),
            bits_per_sample: u16_at(14),
            valid_bits: ext.then(|| u16_at(18)),
            channel_mask: ext.then(|| u32_at(20)),
            sub_format: ext.then(|| u16_at(24)),
        })
    }

    /// The effective format tag: the SubFormat for extensible files, else `wFormatTag`.
    pub fn effective_tag(&self) -> u16 {
        self.sub_format.unwrap_or(self.format_tag)
    }

    /// The Capstan sample format this chunk describes, if it is one Capstan reads
    /// (16/24/32-bit integer PCM or 32-bit float, in containers of that width).
    pub fn sample_format(&self) -> Option<SampleFormat> {
        let container = self.block_align.checked_div(self.channels).unwrap_or(0);
        match (self.effective_tag(), self.bits_per_sample, container) {
            (WAVE_FORMAT_PCM, 16, 2) => Some(SampleFormat::I16),
            (WAVE_FORMAT_PCM, 24, 3) => Some(SampleFormat::I24),
            (WAVE_FORMAT_PCM, 32, 4) => Some(SampleFormat::I32),
            (WAVE_FORMAT_IEEE_FLOAT, 32, 4) => Some(SampleFormat::F32),
            _ => None,
        }
    }

    /// The spec, when the format is one Capstan reads.
    pub fn spec(&self) -> Option<WavSpec> {
        Some(WavSpec {
            channels: self.channels,
            sample_rate: self.sample_rate,
            format: self.sample_format()?,
        })
    }

    /// A short human name such as "PCM 24-bit (extensible)".
    pub fn describe(&self) -> String {
        let kind = match self.effective_tag() {
            WAVE_FORMAT_PCM => "PCM",
            WAVE_FORMAT_IEEE_FLOAT => "IEEE float",
            _ => "unknown format",
        };
        let ext = if self.format_tag == WAVE_FORMAT_EXTENSIBLE {
            " (extensible)"
        } else {
            ""
        };
        format!("{kind} {}-bit{ext}", self.bits_per_sample)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_pcm_for_stereo_16_bit() {
        let s = WavSpec {
            channels: 2,
            sample_rate: 48000,
            format: SampleFormat::I16,
        };
        let f = FmtChunk::parse(&s.fmt_chunk_body()).unwrap();
        assert_eq!(f.format_tag, WAVE_FORMAT_PCM);
        assert_eq!(s.fmt_chunk_body().len(), 16);
        assert_eq!(f.block_align, 4);
        assert_eq!(f.spec(), Some(s));
    }

    #[test]
    fn extensible_for_24_bit_and_many_channels() {
        for (ch, fmt) in [
            (1, SampleFormat::I24),
            (8, SampleFormat::I16),
            (64, SampleFormat::F32),
        ] {
            let s = WavSpec {
                channels: ch,
                sample_rate: 96000,
                format: fmt,
            };
            let body = s.fmt_chunk_body();
            assert_eq!(body.len(), 40);
            let f = FmtChunk::parse(&body).unwrap();
            assert_eq!(f.format_tag, WAVE_FORMAT_EXTENSIBLE);
            assert_ne!(f.channel_mask, Some(0));
            assert_eq!(f.spec(), Some(s));
        }
    }

    #[test]
    fn float_stereo_is_tag_3_with_cbsize() {
        let s = WavSpec {
            channels: 2,
            sample_rate: 44100,
            format: SampleFormat::F32,
        };
        let body = s.fmt_chunk_body();
        assert_eq!(body.len(), 18);
        assert_eq!(
            FmtChunk::parse(&body).unwrap().format_tag,
            WAVE_FORMAT_IEEE_FLOAT
        );
        assert!(s.needs_fact());
    }
}
