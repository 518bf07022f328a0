//! The files of one take on the writer side: frames from the ring are split into tracks,
//! buffered into large blocks, written, and committed at intervals.

use std::ops::Range;
use std::path::Path;

use capstan_bwf::writer::{FinishedFile, WavWriter, WriteError, WriterOptions};
use capstan_bwf::{FileMeta, WavSpec};

/// Bytes buffered per mono track file before a write (a poly file buffers this times four).
pub const TRACK_BLOCK_BYTES: usize = 256 * 1024;

/// The open files of a take and their write buffers.
#[derive(Debug)]
pub struct TakeFiles {
    writers: Vec<WavWriter>,
    /// The input channels each file holds (one for mono files, all for a poly file).
    groups: Vec<Range<usize>>,
    bufs: Vec<Vec<u8>>,
    channels: usize,
    bps: usize,
    block_frames: usize,
    buffered: usize,
}

impl TakeFiles {
    /// Creates every file of the take. `files` gives, per file, its path, its channels and its
    /// metadata; `stream` is the interleaved stream arriving from the ring.
    pub fn create(
        stream: WavSpec,
        files: Vec<(std::path::PathBuf, Range<usize>, FileMeta)>,
        opts: WriterOptions,
    ) -> Result<TakeFiles, WriteError> {
        let bps = stream.format.bytes();
        let widest = files.iter().map(|f| f.1.len()).max().unwrap_or(1);
        let block_frames = if widest == 1 {
            TRACK_BLOCK_BYTES / bps
        } else {
            (4 * TRACK_BLOCK_BYTES / (bps * widest)).max(256)
        };
        let mut writers = Vec::with_capacity(files.len());
        let mut groups = Vec::with_capacity(files.len());
        let mut bufs = Vec::with_capacity(files.len());
        for (path, chans, meta) in files {
            let spec = WavSpec {
                channels: chans.len() as u16,
                ..stream
            };
            writers.push(WavWriter::create(&path, spec, &meta, opts)?);
            bufs.push(vec![0u8; block_frames * chans.len() * bps]);
            groups.push(chans);
        }
        Ok(TakeFiles {
            writers,
            groups,
            bufs,
            channels: usize::from(stream.channels),
            bps,
            block_frames,
            buffered: 0,
        })
    }

    /// The files' paths.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.writers.iter().map(|w| w.path())
    }

    /// Frames on disk (written, not necessarily committed) plus buffered.
    pub fn frames(&self) -> u64 {
        self.writers.first().map_or(0, |w| w.frames()) + self.buffered as u64
    }

    /// Frames that fit in the buffers before the next write.
    pub fn room(&self) -> usize {
        self.block_frames - self.buffered
    }

    /// Takes interleaved frames (at most [`Self::room`]), splitting them into the files'
    /// buffers; writes the buffers out when they are full.
    pub fn push(&mut self, interleaved: &[u8]) -> Result<(), WriteError> {
        let fb = self.channels * self.bps;
        let n = interleaved.len() / fb;
        debug_assert!(n <= self.room());
        match self.bps {
            2 => self.split::<2>(interleaved),
            3 => self.split::<3>(interleaved),
            _ => self.split::<4>(interleaved),
        }
        self.buffered += n;
        if self.buffered == self.block_frames {
            self.flush()?;
        }
        Ok(())
    }

    /// Splits interleaved frames into the files' buffers, a cache-sized tile at a time, with
    /// fixed-size copies for mono files.
    fn split<const N: usize>(&mut self, src: &[u8]) {
        const TILE: usize = 256; // 256 frames x 64 ch x 3 B = 48 KiB stays in cache for all files
        let fb = self.channels * N;
        for (t, tile) in src.chunks(fb * TILE).enumerate() {
            let at = self.buffered + t * TILE;
            for (g, buf) in self.groups.iter().zip(self.bufs.iter_mut()) {
                let width = g.len() * N;
                let dst = &mut buf[at * width..];
                if width == fb {
                    dst[..tile.len()].copy_from_slice(tile);
                    continue;
                }
                let first = g.start * N;
                if width == N {
                    for (frame, out) in tile.chunks_exact(fb).zip(dst.chunks_exact_mut(N)) {
                        let s: [u8; N] = frame[first..first + N].try_into().expect("N bytes");
                        out.copy_from_slice(&s);
                    }
                } else {
                    for (frame, out) in tile.chunks_exact(fb).zip(dst.chunks_exact_mut(width)) {
                        out.copy_from_slice(&frame[first..first + width]);
                    }
                }
            }
        }
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) -> Result<(), WriteError> {
        if self.buffered == 0 {
            return Ok(());
        }
        for (w, (g, buf)) in self
            .writers
            .iter_mut()
            .zip(self.groups.iter().zip(&self.bufs))
        {
            w.write_frames(&buf[..self.buffered * g.len() * self.bps])?;
        }
        self.buffered = 0;
        Ok(())
    }

    /// Marks every file at `position` (frames from the files' first frame) with `label`: in the
    /// iXML at the next commit, as a cue point at finish.
    pub fn mark(&mut self, position: u64, label: &str) {
        for w in &mut self.writers {
            w.add_marker(position, label);
        }
    }

    /// Rewrites every file's iXML in place (with its markers); `ixml_for` gives file `i`'s.
    pub fn update_ixml(
        &mut self,
        ixml_for: impl Fn(usize) -> capstan_bwf::ixml::Ixml,
    ) -> Result<(), WriteError> {
        for (i, w) in self.writers.iter_mut().enumerate() {
            w.update_ixml(&ixml_for(i))?;
        }
        Ok(())
    }

    /// Writes what is buffered, updates every header and syncs every file.
    pub fn commit(&mut self) -> Result<(), WriteError> {
        self.flush()?;
        for w in &mut self.writers {
            w.commit()?;
        }
        Ok(())
    }

    /// Finishes every file; `note` (if not empty) goes into each file's iXML NOTE. Finishes all
    /// files even if one fails, and returns the first error.
    pub fn finish(
        mut self,
        ixml_for: impl Fn(usize) -> Option<capstan_bwf::ixml::Ixml>,
    ) -> Result<Vec<FinishedFile>, WriteError> {
        let mut first_err = self.flush().err();
        let mut done = Vec::new();
        for (i, mut w) in self.writers.into_iter().enumerate() {
            if let Some(x) = ixml_for(i) {
                if let Err(e) = w.update_ixml(&x) {
                    first_err.get_or_insert(e);
                }
            }
            match w.finish() {
                Ok(f) => done.push(f),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(done),
        }
    }
}
