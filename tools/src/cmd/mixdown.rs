//! `take mixdown`: the take's stereo mix printed offline from its tracks, through the same
//! mixer and with the settings saved with the take (`<SCENE>-T<NNN>.mix.toml`), cut into the
//! same periods as on the box: the print is bit-identical to the box's board mix
//! (`<SCENE>-T<NNN>_MIX.wav`) when no frames were lost while recording.
//!
//! The mix file is written by the box when a take starts with a `[mixer]` in its config. To
//! print a take recorded without one, write it by hand: `rate`, `input_channels`,
//! `input_format` (`S16_LE`, `S24_3LE`, `S32_LE` or `FLOAT_LE`, as the tracks are stored),
//! `output_channels`, `period_frames`, and a `[mixer]` table as in the recorder's config.

use std::io::Write;
use std::path::Path;

use capstan_bwf::ixml::IxmlTrack;
use capstan_bwf::writer::{WavWriter, WriterOptions};
use capstan_bwf::{FileMeta, SampleFormat, WavSpec};
use capstan_mixer::take::print_file_name;
use capstan_mixer::{Mixer, MixerState};

pub use capstan_mixer::TakeTracks;

use super::{OK, PROBLEMS, UNREADABLE};

/// Periods read from the tracks at a time.
const PERIODS_PER_READ: usize = 64;

/// Opens the take in folder `take` with its mix, saying which tracks end early; on failure,
/// says why and returns the exit code.
pub fn open(take: &Path) -> Result<TakeTracks, u8> {
    let t = TakeTracks::open(take).map_err(|e| {
        errln!("take: {e}");
        UNREADABLE
    })?;
    if let Some(short) = t.short_tracks() {
        errln!("take: {}: {short}", t.stem);
    }
    Ok(t)
}

/// Runs `take mixdown`; returns the exit code.
pub fn run(take: &Path, out: Option<&Path>) -> u8 {
    let t = match open(take) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| t.dir.join(print_file_name(&t.stem)));
    if out.exists() {
        errln!(
            "take: {} already exists (the board mix?): give --out FILE to print the mix elsewhere",
            out.display()
        );
        return UNREADABLE;
    }
    let label = format!("mix of {}", t.stem);
    match print(&t, &t.mix.mixer, &out, &label) {
        Ok(frames) => {
            outln!("{}: {}", out.display(), super::count(frames, "frame"));
            OK
        }
        Err(e) => {
            errln!("take: {e}");
            PROBLEMS
        }
    }
}

/// Mixes the whole take with `state` and writes the master's pair to `out` as a stereo 32-bit
/// float file, showing progress on standard error. Returns the frames written.
pub fn print(t: &TakeTracks, state: &MixerState, out: &Path, label: &str) -> Result<u64, String> {
    let spec = t.mix.spec();
    let (mut mixer, _control) = Mixer::new(state, spec).map_err(|e| {
        format!(
            "the mix of {} cannot be built: {e}",
            t.dir
                .join(capstan_mixer::take::mix_file_name(&t.stem))
                .display()
        )
    })?;
    let [l, r] = state
        .master
        .output
        .ok_or_else(|| {
            "the master has no output pair to print from: set [mixer.master] output = [0, 1]"
                .to_string()
        })?
        .map(usize::from);
    let wav = WavSpec {
        channels: 2,
        sample_rate: spec.rate,
        format: SampleFormat::F32,
    };
    let writer = WavWriter::create(out, wav, &meta(t, label), WriterOptions::default())
        .map_err(|e| e.to_string())?;
    // A print that fails half-way (a full card, a track that cannot be read) is removed: left,
    // it would read as a whole print, and stand in the way of the next try.
    mix_into(t, &mut mixer, [l, r], writer, label).inspect_err(|_| {
        let _ = std::fs::remove_file(out);
    })
}

/// Mixes the whole take through `mixer` and writes output channels `pair` with `writer`.
/// Returns the frames written.
fn mix_into(
    t: &TakeTracks,
    mixer: &mut Mixer,
    [l, r]: [usize; 2],
    mut writer: WavWriter,
    label: &str,
) -> Result<u64, String> {
    let spec = t.mix.spec();
    let p = spec.period_frames;
    let n = usize::from(spec.output_channels);
    let block = p * PERIODS_PER_READ;
    let mut raw = vec![0u8; block * t.frame_bytes()];
    let mut scratch = Vec::new();
    let mut mixed = vec![0f32; p * n];
    let mut bytes = Vec::with_capacity(block * 8);
    let mut progress = Progress::new(label, t.frames);
    let mut at = 0u64;
    while at < t.frames {
        let frames = (t.frames - at).min(block as u64) as usize;
        t.read(at, frames, &mut raw, &mut scratch)?;
        bytes.clear();
        for period in raw[..frames * t.frame_bytes()].chunks(p * t.frame_bytes()) {
            let k = period.len() / t.frame_bytes();
            mixer
                .process(period, k, &mut mixed)
                .map_err(|e| e.to_string())?;
            for f in mixed[..k * n].chunks_exact(n) {
                bytes.extend_from_slice(&f[l].to_le_bytes());
                bytes.extend_from_slice(&f[r].to_le_bytes());
            }
        }
        writer.write_frames(&bytes).map_err(|e| e.to_string())?;
        at += frames as u64;
        progress.show(at);
    }
    let done = writer.finish().map_err(|e| e.to_string())?;
    progress.end();
    Ok(done.frames)
}

/// The print's bext and iXML: the take's, from its first track file, with the print's own
/// two channels and a note of what it is.
fn meta(t: &TakeTracks, label: &str) -> FileMeta {
    let mut bext = t.first.bext.clone().unwrap_or_default();
    bext.coding_history = format!(
        "A=FLOAT,F={},W=32,M=stereo,T=take mixdown {}\r\n",
        t.mix.rate,
        env!("CARGO_PKG_VERSION")
    );
    let mut ixml = t.first.ixml.clone().unwrap_or_default();
    ixml.note = format!(
        "The {label}, printed from the tracks with the settings in {}.",
        capstan_mixer::take::mix_file_name(&t.stem)
    );
    ixml.audio_bit_depth = 32;
    ixml.tracks = ["L", "R"]
        .iter()
        .enumerate()
        .map(|(i, side)| IxmlTrack {
            channel_index: i as u32 + 1,
            interleave_index: i as u32 + 1,
            name: format!("{label} {side}"),
            function: String::new(),
        })
        .collect();
    ixml.sync_points.clear();
    FileMeta { bext, ixml }
}

/// Percent done, on standard error, one line rewritten in place.
struct Progress {
    label: String,
    total: u64,
    shown: Option<u64>,
}

impl Progress {
    fn new(label: &str, total: u64) -> Progress {
        Progress {
            label: label.to_string(),
            total,
            shown: None,
        }
    }

    fn show(&mut self, done: u64) {
        let pct = (done * 100).checked_div(self.total).unwrap_or(100);
        if self.shown != Some(pct) {
            err!("\r{}: {pct:3}%", self.label);
            let _ = std::io::stderr().flush();
            self.shown = Some(pct);
        }
    }

    fn end(&mut self) {
        self.show(self.total);
        errln!();
    }
}
