//! The mix saved with a take, on the writer side.
//!
//! When the monitor runs through the mixer, the take starts with its mix file,
//! `<SCENE>-T<NNN>/<SCENE>-T<NNN>.mix.toml` (a [`TakeMix`]: the mixer's settings, the stream
//! and the period it mixed with), so `take mixdown` and `take stems` can print what was heard.
//! With `[mixer] board_mix = true` the take also gets its stereo print,
//! `<SCENE>-T<NNN>_MIX.wav`: 32-bit float, from the master's output pair, mixed on the audio
//! thread and carried here through a ring as deep as the track ring. The tracks' iXML NOTE is
//! left to the losses; the print's own NOTE names the mix file it was made with.
//!
//! A failure of the print never stops the tracks: it is logged, and the print ends there.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use capstan_bwf::writer::{FinishedFile, WavWriter, WriteError, WriterOptions};
use capstan_bwf::{SampleFormat, WavSpec};
use capstan_mixer::take::{mix_file_name, print_file_name, HEADER};
use capstan_mixer::TakeMix;

use super::meta::TakeMeta;
use crate::config::Config;
use crate::engine::Monitor;

/// Samples moved from the print ring to the file per write.
const BLOCK_SAMPLES: usize = 32 * 1024;

/// The take's stereo print being written.
pub struct TakePrint {
    ring: rtrb::Consumer<f32>,
    writer: WavWriter,
    buf: Vec<u8>,
    lost: Arc<AtomicU64>,
}

/// Writes `mix` as the take's mix file in `dir` (`stem` is `<SCENE>-T<NNN>`) and syncs it.
pub fn write_mix_file(dir: &Path, stem: &str, mix: &TakeMix) -> Result<PathBuf, WriteError> {
    let path = dir.join(mix_file_name(stem));
    let err = |op, source| WriteError {
        path: path.clone(),
        op,
        source,
    };
    let text = toml::to_string(mix).map_err(|e| err("writing", std::io::Error::other(e)))?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| err("creating", e))?;
    use std::io::Write;
    f.write_all(HEADER.as_bytes())
        .and_then(|()| f.write_all(text.as_bytes()))
        .and_then(|()| f.sync_all())
        .map_err(|e| err("writing", e))?;
    Ok(path)
}

/// At take start, for a take from a running input (the box): saves `heard`, the mix its
/// monitor plays, beside the take's files. The board mix is not printed there (the monitor
/// already runs on the audio thread, and its mix is not cut at the take's first frame); when
/// the config asks for one, a warning says how to get it: `take mixdown` prints the mix from
/// the tracks with the saved settings.
pub fn save_running_mix(tm: &TakeMeta, heard: &TakeMix, cfg: &Config) -> Result<(), WriteError> {
    let stem = tm.take.stem();
    let sidecar = write_mix_file(&tm.take.dir, &stem, heard)?;
    tracing::info!("mix settings saved in {}", sidecar.display());
    if cfg.mixer.as_ref().is_some_and(|m| m.board_mix) {
        tracing::warn!(
            "board_mix: the box does not print {} while it records; `take mixdown {}` prints it \
             from the tracks with the saved mix",
            print_file_name(&stem),
            tm.take.dir.display()
        );
    }
    Ok(())
}

impl TakePrint {
    /// At take start: saves the mix `monitor` runs with beside the take's files, and, when the
    /// config asks for a board mix, creates the print file and has the monitor print into a
    /// ring of `ring_seconds`. `None` when there is nothing to print (no mixer, or no board mix).
    pub fn start(
        tm: &TakeMeta,
        monitor: Option<&mut Monitor>,
        cfg: &Config,
        opts: WriterOptions,
    ) -> Result<Option<TakePrint>, WriteError> {
        let board_mix = cfg.mixer.as_ref().is_some_and(|m| m.board_mix);
        let Some((monitor, mix)) = monitor.and_then(|m| m.take_mix(board_mix).map(|x| (m, x)))
        else {
            return Ok(None);
        };
        let stem = tm.take.stem();
        let sidecar = write_mix_file(&tm.take.dir, &stem, &mix)?;
        tracing::info!("mix settings saved in {}", sidecar.display());
        if !board_mix {
            return Ok(None);
        }
        let spec = WavSpec {
            channels: 2,
            sample_rate: mix.rate,
            format: SampleFormat::F32,
        };
        let tracks = [(0, "Mix L".to_string()), (1, "Mix R".to_string())];
        let mut meta = tm.file_meta(spec, tm.total_files as usize, &tracks);
        meta.ixml.note = format!(
            "Board mix of take {stem}, mixed with the settings in {}.",
            mix_file_name(&stem)
        );
        let path = tm.take.dir.join(print_file_name(&stem));
        let writer = WavWriter::create(&path, spec, &meta, opts)?;
        // Twice the track ring's frames: the print is drained right after the tracks, so it
        // never holds more than their ring plus one block of the writer.
        let seconds = cfg.recorder.ring_seconds;
        let frames = (seconds * f64::from(mix.rate)).ceil() as usize;
        let (mut tx, ring) = rtrb::RingBuffer::new(2 * frames.max(mix.period_frames) * 2);
        // Touch every page now, so the audio thread never takes a page fault on them.
        if let Ok(mut chunk) = tx.write_chunk_uninit(tx.slots()) {
            let (a, b) = chunk.as_mut_slices();
            for x in a.iter_mut().chain(b.iter_mut()) {
                x.write(0.0);
            }
        }
        let lost = monitor
            .print_to(tx)
            .expect("the monitor has a mixer: it gave its mix");
        tracing::info!("printing the board mix into {}", path.display());
        Ok(Some(TakePrint {
            ring,
            writer,
            buf: Vec::with_capacity(BLOCK_SAMPLES * 4),
            lost,
        }))
    }

    /// Moves what the audio thread printed into the file.
    fn drain(&mut self) -> Result<(), WriteError> {
        loop {
            let n = self.ring.slots().min(BLOCK_SAMPLES) & !1;
            if n == 0 {
                return Ok(());
            }
            let chunk = self.ring.read_chunk(n).expect("slots were counted");
            self.buf.clear();
            let (a, b) = chunk.as_slices();
            for x in a.iter().chain(b) {
                self.buf.extend_from_slice(&x.to_le_bytes());
            }
            chunk.commit_all();
            self.writer.write_frames(&self.buf)?;
        }
    }

    /// Writes what has arrived; on a failure, logs it and ends the print (`None`).
    pub fn write(print: &mut Option<TakePrint>) {
        if let Some(Err(e)) = print.as_mut().map(TakePrint::drain) {
            tracing::warn!("the board mix stops here, the tracks go on: {e}");
            *print = None;
        }
    }

    /// As [`TakePrint::write`], then updates the header and syncs the file.
    pub fn commit(print: &mut Option<TakePrint>) {
        Self::write(print);
        if let Some(Err(e)) = print.as_mut().map(|p| p.writer.commit()) {
            tracing::warn!("the board mix stops here, the tracks go on: {e}");
            *print = None;
        }
    }

    /// After the audio thread has stopped: writes the rest and closes the file.
    pub fn finish(mut print: Option<TakePrint>) -> Option<FinishedFile> {
        Self::write(&mut print);
        let p = print?;
        let lost = p.lost.load(Ordering::Relaxed);
        if lost > 0 {
            tracing::warn!(
                "the board mix lost {lost} frames (the card was too slow); \
                 `take mixdown` prints it whole from the tracks"
            );
        }
        match p.writer.finish() {
            Ok(f) => Some(f),
            Err(e) => {
                tracing::warn!("cannot close the board mix: {e}");
                None
            }
        }
    }
}
