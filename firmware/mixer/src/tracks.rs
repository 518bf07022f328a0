//! A take's tracks and its mix file, opened for printing or playback: which file holds which
//! input, and blocks of frames read back interleaved, as the box's ring carried them. The
//! `take` tools print from it and the box plays takes back from it.

use std::fs::File;
use std::path::{Path, PathBuf};

use capstan_bwf::reader::read_exact_at;
use capstan_bwf::{SampleFormat, WavFile};

use crate::take::{mix_file_name, TakeMix};
use crate::{MixerState, RawFormat};

/// Frames per call of the plain mix given to a take without a mix file.
pub const PLAIN_PERIOD_FRAMES: usize = 256;

/// What [`TakeTracks::open_with`] does when the take has no mix file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithoutMix {
    /// Refuse the take (printing needs the mix the box heard).
    Refuse,
    /// Mix every input as a mono track, centred at unity, to the master's outputs 0 and 1
    /// ([`MixerState::with_mono_tracks`]), [`PLAIN_PERIOD_FRAMES`] frames at a time.
    Plain,
}

/// One track file: where its audio starts and the input each of its channels came from.
struct TrackFile {
    file: File,
    data: u64,
    inputs: Vec<usize>,
}

/// A take opened for printing.
pub struct TakeTracks {
    /// The take's folder.
    pub dir: PathBuf,
    /// `<SCENE>-T<NNN>`.
    pub stem: String,
    /// The mix saved with it (or the plain mix, see [`WithoutMix::Plain`]).
    pub mix: TakeMix,
    /// True when the take had no mix file and [`Self::mix`] is the plain mix.
    pub plain: bool,
    /// The first track file as read (its bext and iXML seed the prints').
    pub first: WavFile,
    /// Frames in every track.
    pub frames: u64,
    files: Vec<TrackFile>,
    bps: usize,
}

/// The mixer's name for a track file's sample format (as the box names the ring's bytes).
fn raw_format(f: SampleFormat) -> RawFormat {
    match f {
        SampleFormat::I16 => RawFormat::S16Le,
        SampleFormat::I24 => RawFormat::S24_3Le,
        SampleFormat::I32 => RawFormat::S32Le,
        SampleFormat::F32 => RawFormat::FloatLe,
    }
}

/// True for a take's track file: `<stem>_NN_<Track>.wav` or `<stem>.wav`.
fn is_track_file(name: &str, stem: &str) -> bool {
    let Some(rest) = name.strip_suffix(".wav").and_then(|n| n.strip_prefix(stem)) else {
        return false;
    };
    let b = rest.as_bytes();
    rest.is_empty() || (b.len() > 3 && b[0] == b'_' && b[1..3].iter().all(u8::is_ascii_digit))
}

/// The line a byte offset of `text` is on, counted from 1.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

impl TakeTracks {
    /// Opens the take in folder `dir`: its track files and its mix file, refusing a take
    /// without one. The message says what is missing and what to do.
    pub fn open(dir: &Path) -> Result<TakeTracks, String> {
        Self::open_with(dir, WithoutMix::Refuse)
    }

    /// Opens the take in folder `dir`, doing `without` when it has no mix file.
    pub fn open_with(dir: &Path, without: WithoutMix) -> Result<TakeTracks, String> {
        let shown = dir.display();
        if !dir.is_dir() {
            return Err(format!(
                "{shown} is not a take folder: give the folder a take was recorded into \
                 (<SCENE>-T<NNN>)"
            ));
        }
        let stem = dir
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("{shown}: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| is_track_file(&n.to_string_lossy(), &stem))
            })
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(format!(
                "{shown} is not a take folder: it holds no {stem}_NN_<Track>.wav or {stem}.wav \
                 track files"
            ));
        }
        let mut read = Vec::new();
        for p in &paths {
            let w = capstan_bwf::read(p).map_err(|e| e.to_string())?;
            let (Some(spec), Some(data)) = (w.fmt.as_ref().and_then(|f| f.spec()), w.data) else {
                return Err(format!("{}: no audio format or data chunk", p.display()));
            };
            read.push((w, spec, data.offset));
        }
        let sidecar = dir.join(mix_file_name(&stem));
        let (mix, plain) = match std::fs::read_to_string(&sidecar) {
            Ok(text) => (parse_mix(&sidecar, &text)?, false),
            Err(_) if without == WithoutMix::Plain => {
                let spec = read[0].1;
                let channels: u16 = read.iter().map(|r| r.1.channels).sum();
                let mix = TakeMix {
                    board_mix: false,
                    rate: spec.sample_rate,
                    input_channels: channels,
                    input_format: raw_format(spec.format),
                    output_channels: 2,
                    period_frames: PLAIN_PERIOD_FRAMES,
                    mixer: MixerState::with_mono_tracks(channels),
                };
                (mix, true)
            }
            Err(e) => {
                return Err(format!(
                    "{shown} has no mix file {} ({e}): the take was recorded without a [mixer] \
                     in the config, so there is no mix to print; record with one, or write the \
                     file by hand (rate, input_channels, input_format, output_channels, \
                     period_frames and a [mixer] table)",
                    mix_file_name(&stem)
                ))
            }
        };
        let mut files = Vec::new();
        let mut first = None;
        let mut frames = u64::MAX;
        let mut bps = 0;
        let mut covered = vec![false; usize::from(mix.input_channels)];
        for (k, ((w, spec, data), p)) in read.into_iter().zip(&paths).enumerate() {
            if raw_format(spec.format) != mix.input_format || spec.sample_rate != mix.rate {
                return Err(format!(
                    "{}: {} at {} Hz, but the mix file says the take is {} at {} Hz: \
                     is the mix file from another take?",
                    p.display(),
                    raw_format(spec.format).alsa_name(),
                    spec.sample_rate,
                    mix.input_format.alsa_name(),
                    mix.rate
                ));
            }
            let inputs = inputs_of(&w, k, usize::from(spec.channels));
            for &i in &inputs {
                match covered.get_mut(i) {
                    Some(c) => *c = true,
                    None => {
                        return Err(format!(
                            "{}: holds input {}, but the mix file says the take has {} inputs",
                            p.display(),
                            i + 1,
                            mix.input_channels
                        ))
                    }
                }
            }
            frames = frames.min(w.frames());
            bps = spec.format.bytes();
            let file = File::open(p).map_err(|e| format!("{}: {e}", p.display()))?;
            files.push(TrackFile { file, data, inputs });
            first.get_or_insert(w);
        }
        if let Some(i) = covered.iter().position(|c| !c) {
            return Err(format!(
                "{shown}: no track file holds input {} of {}: is a file missing?",
                i + 1,
                mix.input_channels
            ));
        }
        Ok(TakeTracks {
            dir: dir.to_path_buf(),
            stem,
            mix,
            plain,
            first: first.expect("there is at least one track file"),
            frames,
            files,
            bps,
        })
    }

    /// Bytes of one interleaved frame of every input.
    pub fn frame_bytes(&self) -> usize {
        usize::from(self.mix.input_channels) * self.bps
    }

    /// Reads `frames` frames from `start` into `out`, interleaved in input order, as the box's
    /// ring carried them. `scratch` is reused between calls.
    pub fn read(
        &self,
        start: u64,
        frames: usize,
        out: &mut [u8],
        scratch: &mut Vec<u8>,
    ) -> Result<(), String> {
        let (bps, fb) = (self.bps, self.frame_bytes());
        for t in &self.files {
            let width = t.inputs.len() * bps;
            scratch.resize(frames * width, 0);
            read_exact_at(&t.file, t.data + start * width as u64, scratch)
                .map_err(|e| format!("reading the tracks of {}: {e}", self.dir.display()))?;
            for (src, dst) in scratch.chunks_exact(width).zip(out.chunks_exact_mut(fb)) {
                for (s, &i) in src.chunks_exact(bps).zip(&t.inputs) {
                    dst[i * bps..][..bps].copy_from_slice(s);
                }
            }
        }
        Ok(())
    }
}

/// The mix file's settings, or a message naming the file and line at fault.
fn parse_mix(sidecar: &Path, text: &str) -> Result<TakeMix, String> {
    toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!("line {}: ", line_of(text, s.start)))
            .unwrap_or_default();
        format!("{}: {at}{}", sidecar.display(), e.message().trim())
    })
}

/// The input each channel of track file `k` came from: its iXML CHANNEL_INDEX, else its
/// `_NN_` number (mono files), else the file's place in the take.
fn inputs_of(w: &WavFile, k: usize, channels: usize) -> Vec<usize> {
    if let Some(x) = &w.ixml {
        if x.tracks.len() == channels && x.tracks.iter().all(|t| t.channel_index > 0) {
            let mut t = x.tracks.clone();
            t.sort_by_key(|t| t.interleave_index);
            return t.iter().map(|t| t.channel_index as usize - 1).collect();
        }
    }
    if channels == 1 {
        vec![k]
    } else {
        (0..channels).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_files_are_told_from_prints() {
        assert!(is_track_file("S01-T002_03_Kick.wav", "S01-T002"));
        assert!(is_track_file("S01-T002.wav", "S01-T002"));
        assert!(!is_track_file("S01-T002_MIX.wav", "S01-T002"));
        assert!(!is_track_file("S01-T002_STEM_Drums.wav", "S01-T002"));
        assert!(!is_track_file("S01-T003_01_Kick.wav", "S01-T002"));
    }
}
