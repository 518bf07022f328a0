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
    /// Frames the file holds (fewer than the take's when it was cut short).
    frames: u64,
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
    /// Frames of the take: of its longest track file. A file cut short (a power cut, a full
    /// card, a copy that broke off) reads as silence after its end; see
    /// [`Self::short_tracks`].
    pub frames: u64,
    /// Track files that end before the take, with the frames each holds.
    short: Vec<(String, u64)>,
    files: Vec<TrackFile>,
    bps: usize,
    /// Every input is in a track file: none was left unarmed when the take was recorded.
    every_input: bool,
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

/// The take stem a track file's name begins with: `S01-T001` of `S01-T001_02_Bass.wav` or
/// of `S01-T001.wav`; `None` for any other name (a print, a stem, another file).
fn stem_of(name: &str) -> Option<&str> {
    let base = name.strip_suffix(".wav")?;
    base.match_indices("-T").find_map(|(i, _)| {
        let digits = base[i + 2..].bytes().take_while(u8::is_ascii_digit).count();
        let stem = &base[..i + 2 + digits];
        (i > 0 && digits > 0 && is_track_file(name, stem)).then_some(stem)
    })
}

/// The stem of the take in folder `dir` named `folder`, whose files are named `names`: the
/// folder's own name, as the recorder names it; else, for a folder renamed since (or track
/// files copied into another), the one stem its track files share. Several takes' files in
/// one folder are refused by name.
fn take_stem<'a>(
    dir: &Path,
    folder: String,
    names: impl Iterator<Item = &'a str> + Clone,
) -> Result<String, String> {
    if names.clone().any(|n| is_track_file(n, &folder)) {
        return Ok(folder);
    }
    let stems: std::collections::BTreeSet<&str> = names.filter_map(stem_of).collect();
    match stems.len() {
        0 => Ok(folder),
        1 => Ok(stems.into_iter().next().unwrap_or_default().to_string()),
        _ => Err(format!(
            "{} holds the track files of {} takes ({}): give a folder holding one take's",
            dir.display(),
            stems.len(),
            stems.into_iter().collect::<Vec<_>>().join(", ")
        )),
    }
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
        let folder = dir
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        // The folder is read once: for the take's stem, then for its track files.
        let entries: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
            .map_err(|e| format!("{shown}: {e}"))?
            .filter_map(|e| e.ok())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect();
        let stem = take_stem(dir, folder, entries.iter().map(|(n, _)| n.as_str()))?;
        let (named, others): (Vec<_>, Vec<_>) = entries
            .into_iter()
            .partition(|(n, _)| is_track_file(n, &stem));
        let mut paths: Vec<PathBuf> = named.into_iter().map(|(_, p)| p).collect();
        paths.sort();
        // A track file renamed by hand ("Bass DI.wav") is still the take's: its iXML carries
        // the take's FAMILY_UID. (Prints are not tracks.)
        let family_of = |p: &Path| {
            capstan_bwf::read(p)
                .ok()
                .and_then(|w| w.ixml)
                .map(|x| x.family_uid)
                .filter(|u| !u.is_empty())
        };
        if let Some(family) = paths.iter().find_map(|p| family_of(p)) {
            let mut renamed: Vec<PathBuf> = (others.into_iter())
                .filter(|(n, _)| {
                    n.to_ascii_lowercase().ends_with(".wav")
                        && !n.ends_with("_MIX.wav")
                        && !n.contains("_STEM_")
                })
                .map(|(_, p)| p)
                .filter(|p| family_of(p).as_deref() == Some(family.as_str()))
                .collect();
            renamed.sort();
            paths.extend(renamed);
        }
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
        // The inputs each file holds (a take recorded with some inputs unarmed has none of
        // theirs).
        let held: Vec<Vec<usize>> = (read.iter().enumerate())
            .map(|(k, (w, spec, _))| inputs_of(w, k, usize::from(spec.channels)))
            .collect();
        let sidecar = dir.join(mix_file_name(&stem));
        let (mix, plain) = match std::fs::read_to_string(&sidecar) {
            Ok(text) => {
                let mix = parse_mix(&sidecar, &text)?;
                // A mix no mixer can be built from is refused here, before anything is printed.
                mix.spec()
                    .check_state(&mix.mixer)
                    .map_err(|e| format!("{}: {e}: mend the mix file", sidecar.display()))?;
                (mix, false)
            }
            Err(_) if without == WithoutMix::Plain => {
                let spec = read[0].1;
                let highest = held.iter().flatten().max().copied().unwrap_or(0);
                let channels = u16::try_from(highest + 1).unwrap_or(u16::MAX);
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
        let mut frames = 0;
        let mut bps = 0;
        // Which file holds each input.
        let mut covered: Vec<Option<usize>> = vec![None; usize::from(mix.input_channels)];
        let family = |w: &WavFile| {
            (w.ixml.as_ref())
                .map(|x| x.family_uid.clone())
                .filter(|u| !u.is_empty())
        };
        // Every file of a take carries the take's FAMILY_UID (where it has one at all).
        let first_family =
            (read.iter().zip(&paths)).find_map(|((w, _, _), p)| Some((family(w)?, p)));
        let set = (read.iter())
            .find_map(|(w, _, _)| w.ixml.as_ref().map(|x| x.total_files as usize))
            .unwrap_or(0);
        for (k, (((w, spec, data), p), inputs)) in
            (read.into_iter().zip(&paths).zip(held)).enumerate()
        {
            if let (Some(u), Some((v, q))) = (family(&w), &first_family) {
                if &u != v {
                    return Err(format!(
                        "{} and {} are files of two takes (their iXML FAMILY_UIDs differ): keep \
                         one take's files in {shown}",
                        q.display(),
                        p.display()
                    ));
                }
            }
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
            for &i in &inputs {
                match covered.get_mut(i) {
                    Some(Some(other)) => {
                        return Err(format!(
                            "{}: holds input {}, which {} holds too: is a file of another take \
                             in {shown}?",
                            p.display(),
                            i + 1,
                            paths[*other].display()
                        ))
                    }
                    Some(c) => *c = Some(k),
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
            frames = frames.max(w.frames());
            bps = spec.format.bytes();
            let file = File::open(p).map_err(|e| format!("{}: {e}", p.display()))?;
            files.push(TrackFile {
                file,
                data,
                inputs,
                frames: w.frames(),
            });
            first.get_or_insert(w);
        }
        // An input no file holds: left unarmed when the take was recorded (it plays as
        // silence) when every file of the take's set is here; else a file is missing.
        if let Some(i) = covered.iter().position(Option::is_none) {
            if files.len() < set {
                let missing = set - files.len();
                return Err(format!(
                    "{shown}: {missing} of the take's {set} track files {} missing (its iXML \
                     FILE_SET counts {set}): copy the whole take folder, and keep its files' \
                     names ({stem}_NN_<Track>.wav)",
                    if missing == 1 { "is" } else { "are" }
                ));
            }
            if set == 0 {
                return Err(format!(
                    "{shown}: no track file holds input {} of {}: is a file missing?",
                    i + 1,
                    mix.input_channels
                ));
            }
        }
        let every_input = covered.iter().all(Option::is_some);
        let short = (paths.iter().zip(&files))
            .filter(|(_, f)| f.frames < frames)
            .map(|(p, f)| {
                (
                    p.file_name().unwrap_or_default().to_string_lossy().into(),
                    f.frames,
                )
            })
            .collect();
        Ok(TakeTracks {
            dir: dir.to_path_buf(),
            stem,
            mix,
            plain,
            first: first.expect("there is at least one track file"),
            frames,
            short,
            files,
            bps,
            every_input,
        })
    }

    /// Says which track files end before the take (read as silence after their end), with
    /// where each ends and what to run; `None` when every file holds the whole take.
    pub fn short_tracks(&self) -> Option<String> {
        if self.short.is_empty() {
            return None;
        }
        let rate = f64::from(self.mix.rate.max(1));
        let ends: Vec<String> = (self.short.iter())
            .map(|(name, f)| format!("{name} at {:.3} s", *f as f64 / rate))
            .collect();
        Some(format!(
            "{} of {} track files end before the take's {:.3} s and are silent after: {} \
             (`take verify` shows why; `take recover` mends a file cut by a power cut)",
            self.short.len(),
            self.files.len(),
            self.frames as f64 / rate,
            ends.join(", ")
        ))
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
        if !self.every_input {
            // The inputs no file holds are silence.
            out[..frames * fb].fill(0);
        }
        for t in &self.files {
            let width = t.inputs.len() * bps;
            scratch.resize(frames * width, 0);
            // What the file holds of the block; the rest of it is silence.
            let held = t.frames.saturating_sub(start).min(frames as u64) as usize;
            let (have, past) = scratch.split_at_mut(held * width);
            read_exact_at(&t.file, t.data + start * width as u64, have)
                .map_err(|e| format!("reading the tracks of {}: {e}", self.dir.display()))?;
            past.fill(0);
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

    #[test]
    fn a_renamed_take_folder_is_read_by_its_files_stem() {
        assert_eq!(stem_of("S01-T002_03_Kick.wav"), Some("S01-T002"));
        assert_eq!(stem_of("Live-Take-T7.wav"), Some("Live-Take-T7"));
        assert_eq!(
            stem_of("My-Tune-T2-T010_01_Vox-T1.wav"),
            Some("My-Tune-T2-T010")
        );
        for other in [
            "S01-T002_MIX.wav",
            "S01-T002_STEM_Drums.wav",
            "-T01.wav",
            "notes.txt",
        ] {
            assert_eq!(stem_of(other), None, "{other}");
        }
        let d = tempfile::tempdir().unwrap();
        let renamed = d.path().join("Rehearsal");
        std::fs::create_dir(&renamed).unwrap();
        write_track(&renamed.join("S01-T004_01_A.wav"), 100, 1);
        write_track(&renamed.join("S01-T004_02_B.wav"), 100, -1);
        std::fs::write(renamed.join("notes.txt"), "good take").unwrap();
        let t = TakeTracks::open_with(&renamed, WithoutMix::Plain).unwrap();
        assert_eq!((t.frames, t.files.len()), (100, 2));
        // A second take's file in the same folder: which take is meant is not guessed.
        write_track(&renamed.join("S01-T005_01_A.wav"), 100, 1);
        let e = TakeTracks::open_with(&renamed, WithoutMix::Plain)
            .err()
            .unwrap();
        assert!(e.contains("2 takes (S01-T004, S01-T005)"), "{e}");
        // A take folder keeps its own name first, whatever else it holds.
        let named = d.path().join("S01-T006");
        std::fs::create_dir(&named).unwrap();
        write_track(&named.join("S01-T006_01_A.wav"), 50, 1);
        write_track(&named.join("S01-T001_01_A.wav"), 70, 1);
        let t = TakeTracks::open_with(&named, WithoutMix::Plain).unwrap();
        assert_eq!((t.frames, t.files.len()), (50, 1));
    }

    /// A mono 16-bit track of `frames` frames: `sign` times 1, 2, 3...
    fn write_track(path: &Path, frames: i16, sign: i16) {
        use capstan_bwf::writer::{WavWriter, WriterOptions};
        let spec = capstan_bwf::WavSpec {
            channels: 1,
            sample_rate: 48_000,
            format: SampleFormat::I16,
        };
        let meta = capstan_bwf::FileMeta::default();
        let mut w = WavWriter::create(path, spec, &meta, WriterOptions::default()).unwrap();
        let bytes: Vec<u8> = (1..=frames)
            .flat_map(|i: i16| (sign * i).to_le_bytes())
            .collect();
        w.write_frames(&bytes).unwrap();
        w.finish().unwrap();
    }

    #[test]
    fn a_track_file_cut_short_reads_as_silence_after_its_end_and_is_named() {
        let d = tempfile::tempdir().unwrap();
        let take = d.path().join("S01-T001");
        std::fs::create_dir(&take).unwrap();
        // Track A holds 1000 frames of 1, 2, 3...; track B only its first 400, of -1, -2...
        write_track(&take.join("S01-T001_01_A.wav"), 1000, 1);
        write_track(&take.join("S01-T001_02_B.wav"), 400, -1);
        let t = TakeTracks::open_with(&take, WithoutMix::Plain).unwrap();
        assert_eq!(t.frames, 1000, "the take is as long as its longest track");
        let said = t.short_tracks().expect("the short file is said");
        assert!(
            said.contains("1 of 2 track files") && said.contains("S01-T001_02_B.wav at 0.008 s"),
            "{said}"
        );
        let (mut out, mut scratch) = (vec![0xAAu8; 200 * 4], Vec::new());
        t.read(300, 200, &mut out, &mut scratch).unwrap();
        let got: Vec<(i16, i16)> = out
            .chunks_exact(4)
            .map(|f| {
                (
                    i16::from_le_bytes([f[0], f[1]]),
                    i16::from_le_bytes([f[2], f[3]]),
                )
            })
            .collect();
        for (k, &(a, b)) in got.iter().enumerate() {
            let at = 301 + k as i16;
            assert_eq!(a, at, "track A whole at frame {at}");
            assert_eq!(b, if at <= 400 { -at } else { 0 }, "track B at frame {at}");
        }
    }
}
