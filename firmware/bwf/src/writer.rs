//! Writing a take file: Broadcast WAV that stays valid while it grows, and becomes RF64 in place
//! the moment it would pass 4 GiB.
//!
//! Layout: `RIFF`/`WAVE`, `JUNK` (28 bytes, reserved for `ds64`), `fmt `, `fact` (float only),
//! `bext`, `iXML` (padded with spaces for in-place rewrites), a `JUNK` filler, then `data`, whose
//! first sample sits on a 4096-byte boundary. `data` stays the last chunk, so a file cut at any
//! point holds its audio as one run that [`crate::recover`] can size from the file's length.
//!
//! Markers added during the take go into the iXML SYNC_POINT_LIST at the next commit (so they
//! survive a power cut) and, at [`WavWriter::finish`], into `cue ` and `LIST`/`adtl` chunks
//! appended after the data, with the RIFF (or ds64) size brought up to date after them.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::bext::Bext;
use crate::format::WavSpec;
use crate::ixml::{Ixml, SyncPoint};
use crate::markers::{self, Marker, MarkerList};
use crate::riff::{self, DS64_BODY_LEN};

/// Where the first audio byte of every file Capstan writes is aligned to.
pub const DATA_ALIGN: u64 = 4096;
/// Bytes kept free in the iXML chunk beyond what the first rendering needs, for notes and
/// markers added during the take (about 45 markers with a loss note).
pub const IXML_HEADROOM: usize = 16384;
/// NOTE bytes kept when the iXML must shrink, before markers are left out of it.
const NOTE_FLOOR: usize = 256;

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

/// Whether a [`WavWriter`], in this process or another, has the file at `path` open: a writer
/// holds an exclusive lock (`flock`) on its file from its creation until it is closed. Recovery
/// asks before it changes a file, so a take being recorded is never taken for one a power cut
/// left. `false` when the file cannot be opened or its file system has no locks.
pub fn being_written(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    matches!(
        nix::fcntl::flock(file.as_raw_fd(), nix::fcntl::FlockArg::LockSharedNonblock),
        Err(nix::errno::Errno::EWOULDBLOCK)
    )
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
    /// The iXML last written, without the markers.
    ixml: Ixml,
    markers: MarkerList,
    /// Markers the iXML on disk holds (or left out for lack of room) as of its last rewrite.
    markers_in_ixml: usize,
    /// Bytes of the `cue ` and `LIST` chunks after the data (only once finished).
    trailer_len: u64,
    rf64: bool,
    opts: WriterOptions,
}

/// The open file, for I/O hints that do not change its contents (starting writeback early).
impl std::os::fd::AsFd for WavWriter {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.file.as_fd()
    }
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
        // Held until the file is closed: recovery leaves a file being recorded alone (see
        // [`being_written`]). A file system without locks records all the same.
        let _ = nix::fcntl::flock(
            file.as_raw_fd(),
            nix::fcntl::FlockArg::LockExclusiveNonblock,
        );
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
            ixml: meta.ixml.clone(),
            markers: MarkerList::default(),
            markers_in_ixml: 0,
            trailer_len: 0,
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

    /// Where the audio begins in the file (a multiple of [`DATA_ALIGN`]).
    pub fn data_start(&self) -> u64 {
        self.data_start
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
        if let Err(e) = (&self.file).write_all(bytes) {
            // Part of the block may be on the card (a card that filled up mid-write): cut it
            // off, so the file holds exactly what its header will count, as the take's other
            // files do, and not a stray part frame after it. (On a failing card this may fail
            // too; recovery then cuts the part frame.)
            let held = self.data_start + self.data_bytes;
            if self.file.set_len(held).is_ok() {
                let _ = (&self.file).seek(SeekFrom::Start(held));
            }
            return Err(self.err("writing audio to", e));
        }
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

    /// The RIFF size; `pad`: count the pad byte of an odd data size (only once
    /// [`WavWriter::finish`] wrote it).
    fn riff_size(&self, pad: bool) -> u64 {
        let pad = u64::from(pad && self.data_bytes & 1 == 1);
        self.data_start + self.data_bytes + pad + self.trailer_len - 8
    }

    /// `pad`: as for [`Self::riff_size`].
    fn write_ds64(&self, pad: bool) -> Result<(), WriteError> {
        let riff_size = self.riff_size(pad);
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
        let riff_size = self.riff_size(pad) as u32;
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

    /// Makes what was written so far survive a power cut: header sizes updated, the iXML
    /// rewritten if markers arrived since its last rewrite, then `fdatasync` (which also carries
    /// the file's new length to the medium).
    pub fn commit(&mut self) -> Result<(), WriteError> {
        self.update_header()?;
        self.file.sync_data().map_err(|e| self.err("syncing", e))
    }

    /// [`Self::commit`] without the `fdatasync`: header sizes updated and the iXML rewritten if
    /// markers arrived, for a caller that syncs the file itself (several files on several
    /// threads, through handles of its own). Nothing is durable until that sync.
    pub fn update_header(&mut self) -> Result<(), WriteError> {
        self.write_sizes(false)?;
        if self.markers.as_slice().len() != self.markers_in_ixml {
            self.write_ixml(&self.ixml.clone())?;
        }
        Ok(())
    }

    /// Marks `position` (frames from the file's first frame) with `label` (cut to
    /// [`markers::MAX_LABEL_BYTES`]). Kept in memory: it reaches the iXML at the next
    /// [`Self::commit`] and the cue chunk at [`Self::finish`]. Past [`markers::MAX_MARKERS`]
    /// markers are only counted, and false is returned.
    pub fn add_marker(&mut self, position: u64, label: &str) -> bool {
        self.markers.push(Marker::new(position, label))
    }

    /// The markers added so far.
    pub fn markers(&self) -> &[Marker] {
        self.markers.as_slice()
    }

    /// Markers refused because the file already held [`markers::MAX_MARKERS`].
    pub fn markers_over_limit(&self) -> u64 {
        self.markers.over_limit()
    }

    /// Rewrites the iXML chunk in place (for notes that arrive during or after the take), with
    /// the markers added so far in its SYNC_POINT_LIST. What does not fit the reserved room is
    /// cut: first the NOTE's end (marked with "..."; its first 256 bytes stay), then the latest
    /// markers (the cue chunk still gets them at [`Self::finish`]), then the rest of the NOTE.
    pub fn update_ixml(&mut self, ixml: &Ixml) -> Result<(), WriteError> {
        self.write_ixml(ixml)?;
        self.ixml = ixml.clone();
        Ok(())
    }

    fn write_ixml(&mut self, ixml: &Ixml) -> Result<(), WriteError> {
        let mut x = ixml.clone();
        let own_points = x.sync_points.len();
        x.sync_points
            .extend(self.markers.as_slice().iter().map(SyncPoint::from_marker));
        let body = loop {
            if let Some(b) = x.render_padded(self.ixml_len) {
                break b;
            }
            let over = x.render().len().saturating_sub(self.ixml_len) + 3;
            if x.note.len() > NOTE_FLOOR + 3 {
                cut_note(&mut x.note, over, NOTE_FLOOR);
                continue;
            }
            if x.sync_points.len() > own_points {
                // A sync point takes about 300 bytes: drop what surely overflows in one go.
                let n = (over / 400).clamp(1, x.sync_points.len() - own_points);
                x.sync_points.truncate(x.sync_points.len() - n);
                continue;
            }
            if x.note.is_empty() {
                let e = std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the iXML does not fit the room reserved for it",
                );
                return Err(self.err("rewriting the iXML of", e));
            }
            cut_note(&mut x.note, over, 0);
        };
        self.file
            .write_all_at(&body, self.ixml_offset)
            .map_err(|e| self.err("rewriting the iXML of", e))?;
        self.markers_in_ixml = self.markers.as_slice().len();
        Ok(())
    }

    /// Finishes the file: pad byte for an odd data size, the iXML's markers, final sizes, sync;
    /// then, if there are markers, the `cue ` and `LIST` chunks after the data, the sizes again
    /// and a second sync (a cut between the two leaves a sound file whose chunks after the data
    /// [`crate::recover`] accounts for).
    pub fn finish(mut self) -> Result<FinishedFile, WriteError> {
        // What is appended (the pad byte of an odd data size, the markers' chunks) may not fit
        // on a card that filled up: the sizes are still brought up to date for the audio the
        // file holds, so it stays whole, and the error is then given back.
        let mut pad_error = None;
        if self.data_bytes & 1 == 1 {
            if let Err(e) = (&self.file).write_all(&[0]) {
                // The data chunk then ends the file without its pad byte, which readers accept.
                let _ = self.file.set_len(self.data_start + self.data_bytes);
                pad_error = Some(e);
            }
        }
        let pad = pad_error.is_none();
        if self.markers.as_slice().len() != self.markers_in_ixml {
            self.write_ixml(&self.ixml.clone())?;
        }
        self.write_sizes(pad)?;
        self.file.sync_data().map_err(|e| self.err("syncing", e))?;
        let trailer = markers::cue_chunks(self.markers.as_slice());
        if !trailer.is_empty() && pad {
            let end = self.riff_size(true) + 8;
            if !self.rf64 && end + trailer.len() as u64 - 8 >= self.opts.rf64_threshold {
                self.upgrade_to_rf64()?;
            }
            if let Err(e) = self.file.write_all_at(&trailer, end) {
                // No room for the markers' chunks: none of them, rather than a part (the
                // markers are in the iXML too).
                let _ = self.file.set_len(end);
                return Err(self.err("writing the markers of", e));
            }
            self.trailer_len = trailer.len() as u64;
            self.write_sizes(true)?;
            self.file.sync_data().map_err(|e| self.err("syncing", e))?;
        }
        if let Some(e) = pad_error {
            return Err(self.err("writing the pad byte of", e));
        }
        let frames = self.frames();
        Ok(FinishedFile {
            path: std::mem::take(&mut self.path),
            frames,
            rf64: self.rf64,
        })
    }
}

/// Cuts at least `over` bytes (and at least 256, so a huge note takes few rounds) from the end
/// of `note`, on a character boundary, keeping `floor` bytes, and marks the cut with "...".
/// A note cut to nothing is left empty.
fn cut_note(note: &mut String, over: usize, floor: usize) {
    let keep = note.len().saturating_sub(over.max(256)).max(floor);
    let mut cut = keep;
    while !note.is_char_boundary(cut) {
        cut -= 1;
    }
    note.truncate(cut);
    note.push_str("...");
    if keep == 0 {
        note.clear();
    }
}
