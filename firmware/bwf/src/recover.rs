//! Recovery of a take file cut short (power cut, crash, pulled card): the header sizes are rebuilt
//! from the file's length, a trailing partial frame is dropped, and the file becomes RF64 if it
//! grew past 4 GiB. Running it again on a recovered file changes nothing.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::format::{WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM};
use crate::reader::{self, Container, ReadError, WavFile};
use crate::riff::{self, DS64_BODY_LEN};

/// Why a file could not be recovered.
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    /// The file could not be read or is not WAV.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The file could not be changed.
    #[error("cannot repair {}: {source} (is the card write-protected or read-only?)", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The system's answer.
        #[source]
        source: std::io::Error,
    },
    /// The file is being recorded: a writer has it open (see [`crate::writer::being_written`]).
    #[error("{} is being recorded (a recorder has it open): recover it, if it needs it, once that take has ended", path.display())]
    InUse {
        /// The file.
        path: PathBuf,
    },
    /// The file lacks what recovery needs.
    #[error("cannot recover {}: {why}", path.display())]
    Unrecoverable {
        /// The file.
        path: PathBuf,
        /// What is missing.
        why: String,
    },
}

/// What recovery did to one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecoverReport {
    /// The file.
    pub path: PathBuf,
    /// Each change made, in words; empty when the file was already whole.
    pub changes: Vec<String>,
    /// Frames of audio the file holds afterwards.
    pub frames: u64,
}

/// Recovers `path` in place.
pub fn recover(path: &Path) -> Result<RecoverReport, RecoverError> {
    recover_read(path, reader::read(path)?)
}

/// Recovers `path` in place, given what [`reader::read`] read of it just before (for a caller
/// that looks at the file before it decides to recover it).
pub fn recover_read(path: &Path, w: WavFile) -> Result<RecoverReport, RecoverError> {
    // A take being recorded has sizes as of its last commit and audio after them: "mending"
    // them would cut the audio the writer goes on to commit.
    if crate::writer::being_written(path) {
        return Err(RecoverError::InUse {
            path: path.to_path_buf(),
        });
    }
    let unrecoverable = |why: &str| RecoverError::Unrecoverable {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    let fmt = w.fmt.clone().ok_or_else(|| {
        unrecoverable("it has no fmt chunk, so the audio's frame size is unknown")
    })?;
    let data = w.data.ok_or_else(|| {
        unrecoverable("it has no data chunk (it was cut before any audio was written)")
    })?;
    if w.chunks.iter().filter(|c| c.id == "data").count() > 1 {
        // Which one holds the audio, and whose size a ds64 gives, is anyone's guess.
        return Err(unrecoverable("it has more than one data chunk"));
    }
    let align = u64::from(fmt.block_align);
    if align == 0 {
        return Err(unrecoverable("its fmt chunk says frames are 0 bytes"));
    }
    if fmt.sample_rate == 0 {
        // Nothing recovery can put back: calling the file whole would hide it.
        return Err(unrecoverable(
            "its fmt chunk says a sample rate of 0: the rate the audio was recorded at is lost \
             (another file of the take has it; `take info` shows the chunks)",
        ));
    }
    // The frame size cuts the audio: it must be the one the channels and sample size make, or
    // recovery would drop audio as a "partial frame" and count frames wrongly.
    let tag = fmt.effective_tag();
    if tag != WAVE_FORMAT_PCM && tag != WAVE_FORMAT_IEEE_FLOAT {
        return Err(unrecoverable(&format!(
            "it holds {} audio (format tag {tag:#06x}), which recovery cannot cut into frames",
            fmt.describe()
        )));
    }
    let frame = u64::from(fmt.channels) * u64::from(fmt.bits_per_sample).div_ceil(8);
    if frame != align {
        return Err(unrecoverable(&format!(
            "its fmt chunk does not add up: {} channels of {} bits make frames of {frame} \
             bytes, but it says {align}; the file is left as it is (`take info` shows its chunks)",
            fmt.channels, fmt.bits_per_sample
        )));
    }
    // The audio runs on past the data chunk's declared size when a header was not brought up to
    // date: the reader then meets audio where the next chunk header would be, and takes it for
    // stray bytes or for a chunk that runs past the end of the file. A chunk the reader knows
    // and used (fmt, bext...) after the data is real, though, and proves the data's size.
    const KNOWN: [&str; 9] = [
        "fmt ", "data", "ds64", "fact", "bext", "iXML", "cue ", "LIST", "list",
    ];
    let after_data = w
        .chunks
        .iter()
        .skip_while(|c| c.offset + 8 != data.offset)
        .skip(1);
    let data_is_last = after_data.clone().next().is_none()
        || ((w.trailing_bytes > 0
            || after_data
                .clone()
                .any(|c| (c.offset + 8).saturating_add(c.size) > w.file_len))
            && !after_data.clone().any(|c| KNOWN.contains(&c.id.as_str())));
    // Audio runs to the end of the file when data is the last chunk (as while recording);
    // otherwise the chunks after it prove its declared size.
    let audio = if data_is_last {
        let rest = w.file_len - data.offset;
        // An odd size that is current (whole frames) is followed by its pad byte, which is not
        // audio (it would pass for a frame of 8-bit mono). A size of no whole frames is stale,
        // and the byte after it may end a frame.
        if data.declared % 2 == 1
            && data.declared % align == 0
            && rest == data.declared.saturating_add(1)
        {
            data.declared
        } else {
            rest
        }
    } else {
        data.declared
    };
    let whole = audio - audio % align;
    if !data_is_last && whole != audio {
        // Shrinking the data chunk would move where the chunks after it are looked for.
        return Err(unrecoverable(
            "its data chunk does not hold whole frames and other chunks follow it",
        ));
    }
    let pad = whole & 1;
    // (Bytes after the last whole chunk are no chunk at all: nothing can read them.)
    let new_len = if data_is_last {
        data.offset + whole + pad
    } else {
        w.file_len - w.trailing_bytes
    };
    let riff_size = new_len - 8;
    let frames = whole / align;
    let mut changes = Vec::new();
    let mut plan = Plan::default();
    let needs_rf64 = riff_size > u64::from(u32::MAX) || whole > u64::from(u32::MAX);
    let rf64 = w.container != Container::Riff || needs_rf64;
    // The ds64 goes where the RF64 file has it, or where a RIFF file reserved room for it, and
    // nowhere else: writing it over another chunk would destroy that chunk.
    let ds64_place = w.chunks.first().filter(|c| {
        c.offset == 12 && (c.id == "ds64" || c.id == "JUNK") && c.size >= DS64_BODY_LEN as u64
    });
    if rf64 && ds64_place.is_none() {
        return Err(unrecoverable(if w.container == Container::Riff {
            "it is larger than 4 GiB but has no JUNK chunk reserved for ds64"
        } else {
            "it is RF64 but has no ds64 chunk of 28 bytes or more at its start"
        }));
    }

    // Read-only until something needs changing: a whole file on a write-protected card is
    // reported whole, not refused.
    let file = std::fs::File::open(path).map_err(|source| RecoverError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    let werr = |source| RecoverError::Write {
        path: path.to_path_buf(),
        source,
    };

    if new_len != w.file_len {
        if !data_is_last {
            changes.push(format!(
                "dropped {} stray bytes after the last chunk",
                w.trailing_bytes
            ));
        } else if new_len < w.file_len {
            changes.push(format!(
                "dropped {} bytes at the end (a partial frame)",
                w.file_len - new_len
            ));
        } else {
            changes.push("added the pad byte after the odd-sized data chunk".into());
        }
        plan.len = Some(new_len);
    }

    let data_size_field = data.offset - 4;
    if w.container == Container::Riff && needs_rf64 {
        changes.push("became RF64 (it is larger than 4 GiB)".into());
    }
    if let (true, Some(place)) = (rf64, ds64_place) {
        let old = w.ds64.map(|d| (d.riff_size, d.data_size, d.sample_count));
        if old != Some((riff_size, whole, frames)) || w.ds64.is_some_and(|d| d.table_length != 0) {
            // Header and the 28 bytes of sizes; the rest of a larger chunk stays as it is.
            let mut chunk = Vec::with_capacity(8 + DS64_BODY_LEN);
            chunk.extend_from_slice(b"ds64");
            chunk.extend_from_slice(&(place.size as u32).to_le_bytes());
            chunk.extend_from_slice(&riff::ds64_body(riff_size, whole, frames));
            plan.write(12, &chunk);
            changes.push(match old {
                Some((_, d, _)) => format!("ds64 data size {d} -> {whole} bytes ({frames} frames)"),
                None => format!("wrote ds64: data size {whole} bytes ({frames} frames)"),
            });
        }
        if w.container == Container::Riff {
            plan.write(0, b"RF64");
        }
        write_u32_if(&file, &mut plan, 4, u32::MAX, "RIFF size", &mut changes).map_err(werr)?;
        write_u32_if(
            &file,
            &mut plan,
            data_size_field,
            u32::MAX,
            "data size field",
            &mut changes,
        )
        .map_err(werr)?;
    } else {
        write_u32_if(
            &file,
            &mut plan,
            4,
            riff_size as u32,
            "RIFF size",
            &mut changes,
        )
        .map_err(werr)?;
        if data.declared != whole {
            changes.push(format!(
                "data size {} -> {whole} bytes ({frames} frames)",
                data.declared
            ));
            plan.write(data_size_field, &(whole as u32).to_le_bytes());
        }
    }
    // The fact chunk the reader took its count from: the first with 4 bytes in the file.
    let fact_chunk = w
        .chunks
        .iter()
        .find(|c| c.id == "fact" && c.size >= 4 && c.offset + 12 <= w.file_len);
    if let (Some(fact), Some(c)) = (w.fact_samples, fact_chunk) {
        let want = if rf64 { u32::MAX } else { frames as u32 };
        if fact != want {
            changes.push(format!("fact sample count {fact} -> {want}"));
            plan.write(c.offset + 8, &want.to_le_bytes());
        }
    }
    drop(file);
    if !plan.is_empty() {
        plan.apply(path).map_err(werr)?;
    }
    Ok(RecoverReport {
        path: path.to_path_buf(),
        changes,
        frames,
    })
}

/// Notes setting the 32-bit field at `at` to `new` unless it already holds it (read from the
/// file itself, so a field the reader read through ds64 is judged by its raw value).
fn write_u32_if(
    file: &std::fs::File,
    plan: &mut Plan,
    at: u64,
    new: u32,
    what: &str,
    changes: &mut Vec<String>,
) -> std::io::Result<()> {
    let mut raw = [0u8; 4];
    file.read_exact_at(&mut raw, at)?;
    let old = u32::from_le_bytes(raw);
    if old != new {
        changes.push(format!("{what} {old} -> {new}"));
        plan.write(at, &new.to_le_bytes());
    }
    Ok(())
}

/// The changes recovery makes to a file, gathered before any is made: the file is opened for
/// writing only when there is something to write.
#[derive(Default)]
struct Plan {
    /// The file's new length.
    len: Option<u64>,
    /// Bytes to write, at their offsets (none overlapping).
    writes: Vec<(u64, Vec<u8>)>,
}

impl Plan {
    fn write(&mut self, at: u64, bytes: &[u8]) {
        self.writes.push((at, bytes.to_vec()));
    }

    fn is_empty(&self) -> bool {
        self.len.is_none() && self.writes.is_empty()
    }

    /// Makes the changes to the file at `path` and syncs it.
    fn apply(&self, path: &Path) -> std::io::Result<()> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        if let Some(len) = self.len {
            file.set_len(len)?;
        }
        for (at, bytes) in &self.writes {
            file.write_all_at(bytes, *at)?;
        }
        file.sync_all()
    }
}
