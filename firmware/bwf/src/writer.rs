//! Writing a take file: Broadcast WAV that stays valid while it grows, and becomes RF64 in place
//! the moment it would pass 4 GiB.
//!
//! Layout: `RIFF`/`WAVE`, `JUNK` (28 bytes, reserved for `ds64`), `fmt `, `fact` (float only),
//! `bext`, `iXML` (padded with spaces for in-place rewrites), a `JUNK` filler, then `data`, whose
//! first sample sits on a 4096-byte boundary. `data` stays the last chunk, so a file cut at any
//! point holds its audio as one run that [`crate::recover`] can size from the file's length.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::bext::Bext;
use crate::format::WavSpec;
use crate::ixml::Ixml;
use crate::riff::{self, DS64_BODY_LEN};

/// Where the first audio byte of every file Capstan writes is aligned to.
pub const DATA_ALIGN: u64 = 4096;
/// Bytes kept free in the iXML chunk beyond what the first rendering needs, for notes added
/// during the take.
pub const IXML_HEADROOM: usize = 4096;

/// A failed file operation, with the file and what was being done.
#[derive(Debug, thiserror::Error)]
#[error("{op} {}: {source}", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// What was being done ("creating", "writing audio to", "updating the header of"...).
    pub op: &'static str,
    /// The system's answer.
    #[source]
    pub source: std::io::Error,
}

impl WriteError {
    /// True when the medium is full.
    pub fn is_disk_full(&self) -> bool {
        self.source.kind() == std::io::ErrorKind::StorageFull
    }
}

/// The descriptive metadata of one file: its `bext` and `iXML` contents.
#[derive(Debug, Clone, Default)]
pub struct FileMeta {
    /// The bext chunk to write.
    pub bext: Bext,
    /// The iXML chunk to write.
    pub ixml: Ixml,
}

/// Knobs that only tests and tools need.
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    /// The RIFF size past which the file becomes RF64. The format's limit is `u32::MAX`; tests
    /// lower it to exercise the upgrade without writing 4 GiB.
    pub rf64_threshold: u64,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            rf64_threshold: u64::from(u32::MAX),
        }
    }
}

/// A take file being written.
#[derive(Debug)]
pub struct WavWriter {
    file: File,
    path: PathBuf,
    spec: WavSpec,
    data_start: u64,
    data_bytes: u64,
    fact_offset: Option<u64>,
    ixml_offset: u64,
    ixml_len: usize,
    rf64: bool,
    opts: WriterOptions,
}

/// What a finished file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedFile {
    /// The file.
    pub path: PathBuf,
    /// Frames of audio in it.
    pub frames: u64,
    /// True when it became RF64.
    pub rf64: bool,
}

impl WavWriter {
    /// Creates `path` (which must not exist yet) and writes a complete header with empty data.
    pub fn create(
        path: &Path,
        spec: WavSpec,
        meta: &FileMeta,
        opts: WriterOptions,
    ) -> Result<Self, WriteError> {
        let err = |op, source| WriteError {
            path: path.to_path_buf(),
            op,
            source,
        };
        let file = OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(path)
            .map_err(|e| err("creating", e))?;
        let mut h: Vec<u8> = Vec::with_capacity(16384);
        h.extend_from_slice(b"RIFF\0\0\0\0WAVE");
        riff::push_chunk(&mut h, b"JUNK", &[0u8; DS64_BODY_LEN]);
        riff::push_chunk(&mut h, b"fmt ", &spec.fmt_chunk_body());
        let fact_offset = spec.needs_fact().then(|| {
            riff::push_chunk(&mut h, b"fact", &0u32.to_le_bytes());
            h.len() as u64 - 4
        });
        // An even-sized bext (a NUL after the coding history): hound and other readers that do
        // not skip the pad byte of an odd-sized chunk would lose the data chunk.
        let mut bext = meta.bext.to_bytes();
        if bext.len() % 2 == 1 {
            bext.push(0);
        }
        riff::push_chunk(&mut h, b"bext", &bext);
        let rendered = meta.ixml.render();
        let ixml_len = (rendered.len() + IXML_HEADROOM + 1) & !1;
        let ixml_body = meta
            .ixml
            .render_padded(ixml_len)
            .expect("headroom was added to the rendered length");
        let ixml_offset = h.len() as u64 + 8;
        riff::push_chunk(&mut h, b"iXML", &ixml_body);
        // JUNK filler so that the data chunk's body starts on DATA_ALIGN.
        let after_filler_header = h.len() as u64 + 8 + 8;
        let fill = (DATA_ALIGN - after_filler_header % DATA_ALIGN) % DATA_ALIGN;
        riff::push_chunk(&mut h, b"JUNK", &vec![0u8; fill as usize]);
        h.extend_from_slice(b"data\0\0\0\0");
        let data_start = h.len() as u64;
        debug_assert_eq!(data_start % DATA_ALIGN, 0);
        let riff_size = (data_start - 8) as u32;
        h[4..8].copy_from_slice(&riff_size.to_le_bytes());
        (&file)
            .write_all(&h)
            .map_err(|e| err("writing the header of", e))?;
        Ok(WavWriter {
            file,
            path: path.to_path_buf(),
            spec,
            data_start,
            data_bytes: 0,
            fact_offset,
            ixml_offset,
            ixml_len,
            rf64: false,
            opts,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stream this file holds.
    pub fn spec(&self) -> WavSpec {
        self.spec
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.data_bytes / self.spec.block_align() as u64
    }

    /// True once the file has become RF64.
    pub fn is_rf64(&self) -> bool {
        self.rf64
    }

    fn err(&self, op: &'static str, source: std::io::Error) -> WriteError {
        WriteError {
            path: self.path.clone(),
            op,
            source,
        }
    }

    /// Appends whole frames (already in the file's sample format, interleaved for a poly file).
    /// Upgrades the file to RF64 first if these bytes would take it past the RIFF limit.
    pub fn write_frames(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        debug_assert_eq!(
            bytes.len() % self.spec.block_align(),
            0,
            "whole frames only"
        );
        let end = self.data_start + self.data_bytes + bytes.len() as u64;
        if !self.rf64 && end - 8 + 1 > self.opts.rf64_threshold {
            self.upgrade_to_rf64()?;
        }
        (&self.file)
            .write_all(bytes)
            .map_err(|e| self.err("writing audio to", e))?;
        self.data_bytes += bytes.len() as u64;
        Ok(())
    }

    /// Turns `JUNK` into `ds64` and `RIFF` into `RF64`, in that order, and syncs, so the file is
    /// a valid RF64 file before any byte past the limit is written.
    fn upgrade_to_rf64(&mut self) -> Result<(), WriteError> {
        self.write_ds64(false)?;
        self.file
            .write_all_at(b"RF64\xFF\xFF\xFF\xFF", 0)
            .map_err(|e| self.err("upgrading to RF64", e))?;
        self.file
            .write_all_at(&u32::MAX.to_le_bytes(), self.data_start - 4)
            .map_err(|e| self.err("upgrading to RF64", e))?;
        if let Some(o) = self.fact_offset {
            self.file
                .write_all_at(&u32::MAX.to_le_bytes(), o)
                .map_err(|e| self.err("upgrading to RF64", e))?;
        }
        self.rf64 = true;
        self.file.sync_data().map_err(|e| self.err("syncing", e))
    }

    /// `pad`: count the pad byte of an odd data size (only once [`WavWriter::finish`] wrote it).
    fn write_ds64(&self, pad: bool) -> Result<(), WriteError> {
        let riff_size =
            self.data_start + self.data_bytes + u64::from(pad && self.data_bytes & 1 == 1) - 8;
        let body = riff::ds64_body(riff_size, self.data_bytes, self.frames());
        let mut chunk = Vec::with_capacity(8 + DS64_BODY_LEN);
        riff::push_chunk(&mut chunk, b"ds64", &body);
        self.file
            .write_all_at(&chunk, 12)
            .map_err(|e| self.err("updating the ds64 of", e))
    }

    /// Brings every size in the header up to date with the audio written so far.
    fn write_sizes(&self, pad: bool) -> Result<(), WriteError> {
        if self.rf64 {
            return self.write_ds64(pad);
        }
        let pad = u64::from(pad && self.data_bytes & 1 == 1);
        let riff_size = (self.data_start + self.data_bytes + pad - 8) as u32;
        self.file
            .write_all_at(&riff_size.to_le_bytes(), 4)
            .map_err(|e| self.err("updating the header of", e))?;
        self.file
            .write_all_at(&(self.data_bytes as u32).to_le_bytes(), self.data_start - 4)
            .map_err(|e| self.err("updating the header of", e))?;
        if let Some(o) = self.fact_offset {
            self.file
                .write_all_at(&(self.frames() as u32).to_le_bytes(), o)
                .map_err(|e| self.err("updating the header of", e))?;
        }
        Ok(())
    }

    /// Makes what was written so far survive a power cut: header sizes updated, then
    /// `fdatasync` (which also carries the file's new length to the medium).
    pub fn commit(&mut self) -> Result<(), WriteError> {
        self.write_sizes(false)?;
        self.file.sync_data().map_err(|e| self.err("syncing", e))
    }

    /// Rewrites the iXML chunk in place (for notes that arrive during or after the take). Text
    /// that does not fit the reserved room is cut from the NOTE's end, marked with "...".
    pub fn update_ixml(&mut self, ixml: &Ixml) -> Result<(), WriteError> {
        let mut x = ixml.clone();
        let body = loop {
            if let Some(b) = x.render_padded(self.ixml_len) {
                break b;
            }
            if x.note.is_empty() {
                let e = std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the iXML does not fit the room reserved for it",
                );
                return Err(self.err("rewriting the iXML of", e));
            }
            // Cut at least what overflows (plus the "..." mark) in one go: a huge note must not
            // take thousands of rounds.
            let over = x.render().len().saturating_sub(self.ixml_len) + 3;
            let keep = x.note.len().saturating_sub(over.max(256));
            let mut cut = keep;
            while !x.note.is_char_boundary(cut) {
                cut -= 1;
            }
            x.note.truncate(cut);
            x.note.push_str("...");
            if keep == 0 {
                x.note.clear();
            }
        };
        self.file
            .write_all_at(&body, self.ixml_offset)
            .map_err(|e| self.err("rewriting the iXML of", e))
    }

    /// Finishes the file: pad byte for an odd data size, final sizes, sync.
    pub fn finish(mut self) -> Result<FinishedFile, WriteError> {
        if self.data_bytes & 1 == 1 {
            (&self.file)
                .write_all(&[0])
                .map_err(|e| self.err("writing audio to", e))?;
        }
        self.write_sizes(true)?;
        self.file.sync_data().map_err(|e| self.err("syncing", e))?;
        let frames = self.frames();
        Ok(FinishedFile {
            path: std::mem::take(&mut self.path),
            frames,
            rf64: self.rf64,
        })
    }
}
