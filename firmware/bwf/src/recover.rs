//! Recovery of a take file cut short (power cut, crash, pulled card): the header sizes are rebuilt
//! from the file's length, a trailing partial frame is dropped, and the file becomes RF64 if it
//! grew past 4 GiB. Running it again on a recovered file changes nothing.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::reader::{self, Container, ReadError};
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
    let w = reader::read(path)?;
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
    let align = u64::from(fmt.block_align);
    if align == 0 {
        return Err(unrecoverable("its fmt chunk says frames are 0 bytes"));
    }
    let data_is_last = w.chunks.last().map(|c| c.id == "data").unwrap_or(false);
    // Audio runs to the end of the file when data is the last chunk (as while recording);
    // otherwise the chunks after it prove its declared size.
    let audio = if data_is_last {
        w.file_len - data.offset
    } else {
        data.declared
    };
    let whole = audio - audio % align;
    let pad = whole & 1;
    let new_len = if data_is_last {
        data.offset + whole + pad
    } else {
        w.file_len
    };
    let riff_size = new_len - 8;
    let frames = whole / align;
    let mut changes = Vec::new();

    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|source| RecoverError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    let werr = |source| RecoverError::Write {
        path: path.to_path_buf(),
        source,
    };

    if data_is_last && new_len != w.file_len {
        if new_len < w.file_len {
            changes.push(format!(
                "dropped {} bytes at the end (a partial frame)",
                w.file_len - new_len
            ));
        } else {
            changes.push("added the pad byte after the odd-sized data chunk".into());
        }
        file.set_len(new_len).map_err(werr)?;
    }

    let data_size_field = data.offset - 4;
    let needs_rf64 = riff_size > u64::from(u32::MAX) || whole > u64::from(u32::MAX);
    if w.container == Container::Riff && needs_rf64 {
        let junk_ok = w
            .chunks
            .first()
            .map(|c| c.id == "JUNK" && c.offset == 12 && c.size >= DS64_BODY_LEN as u64);
        if junk_ok != Some(true) {
            return Err(unrecoverable(
                "it is larger than 4 GiB but has no JUNK chunk reserved for ds64",
            ));
        }
        changes.push("became RF64 (it is larger than 4 GiB)".into());
    }
    let rf64 = w.container != Container::Riff || needs_rf64;
    if rf64 {
        let old = w.ds64.map(|d| (d.riff_size, d.data_size, d.sample_count));
        if old != Some((riff_size, whole, frames)) {
            let mut chunk = Vec::new();
            let junk_size = w.chunks.first().map(|c| c.size).unwrap_or(0) as usize;
            let mut body = riff::ds64_body(riff_size, whole, frames).to_vec();
            body.resize(junk_size.max(DS64_BODY_LEN), 0);
            riff::push_chunk(&mut chunk, b"ds64", &body);
            file.write_all_at(&chunk, 12).map_err(werr)?;
            changes.push(match old {
                Some((_, d, _)) => format!("ds64 data size {d} -> {whole} bytes ({frames} frames)"),
                None => format!("wrote ds64: data size {whole} bytes ({frames} frames)"),
            });
        }
        if w.container == Container::Riff {
            file.write_all_at(b"RF64", 0).map_err(werr)?;
        }
        write_u32_if(&file, 4, w.riff_size_field(), u32::MAX, &mut Vec::new()).map_err(werr)?;
        write_u32_if(
            &file,
            data_size_field,
            data.declared_field(),
            u32::MAX,
            &mut Vec::new(),
        )
        .map_err(werr)?;
    } else {
        write_u32_if(
            &file,
            4,
            w.riff_size_field(),
            riff_size as u32,
            &mut changes,
        )
        .map_err(werr)?;
        if data.declared != whole {
            changes.push(format!(
                "data size {} -> {whole} bytes ({frames} frames)",
                data.declared
            ));
            file.write_all_at(&(whole as u32).to_le_bytes(), data_size_field)
                .map_err(werr)?;
        }
    }
    if let (Some(fact), Some(c)) = (w.fact_samples, w.chunks.iter().find(|c| c.id == "fact")) {
        let want = if rf64 { u32::MAX } else { frames as u32 };
        if fact != want {
            changes.push(format!("fact sample count {fact} -> {want}"));
            file.write_all_at(&want.to_le_bytes(), c.offset + 8)
                .map_err(werr)?;
        }
    }
    if !changes.is_empty() {
        file.sync_all().map_err(werr)?;
    }
    Ok(RecoverReport {
        path: path.to_path_buf(),
        changes,
        frames,
    })
}

fn write_u32_if(
    file: &std::fs::File,
    at: u64,
    old: u32,
    new: u32,
    changes: &mut Vec<String>,
) -> std::io::Result<()> {
    if old != new {
        if at == 4 {
            changes.push(format!("RIFF size {old} -> {new}"));
        }
        file.write_all_at(&new.to_le_bytes(), at)?;
    }
    Ok(())
}

impl reader::WavFile {
    /// The raw 32-bit size field of the RIFF header (0xFFFFFFFF in RF64 files).
    fn riff_size_field(&self) -> u32 {
        if self.container == Container::Riff {
            self.riff_size as u32
        } else {
            u32::MAX
        }
    }
}

impl reader::DataChunk {
    /// The raw 32-bit size field of the data chunk header as the reader saw it.
    fn declared_field(&self) -> u32 {
        u32::try_from(self.declared).unwrap_or(u32::MAX)
    }
}
