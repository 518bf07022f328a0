//! One thread's share of a take's files and how the interleaved stream is split into them.

use std::ops::Range;
use std::os::fd::{AsFd, AsRawFd};

use capstan_bwf::writer::{WavWriter, WriteError};

/// Some of the files of a take (a contiguous run of them) with their write buffers: the share
/// of one thread.
#[derive(Debug)]
pub(super) struct Part {
    /// The files.
    pub(super) writers: Vec<WavWriter>,
    /// The input channels each file holds (one for mono files, all for a poly file).
    pub(super) groups: Vec<Range<usize>>,
    /// Each file's write buffer, a block of frames.
    pub(super) bufs: Vec<Vec<u8>>,
}

/// How the interleaved stream is cut up, shared by every part.
#[derive(Debug, Clone, Copy)]
pub(super) struct Split {
    /// Channels of the interleaved stream.
    pub(super) channels: usize,
    /// Bytes per sample.
    pub(super) bps: usize,
    /// Frames split at a time (a tile that stays in the L1 cache).
    pub(super) tile_frames: usize,
}

impl Part {
    /// Splits interleaved frames into the buffers from frame `at` on.
    pub(super) fn split(&mut self, src: &[u8], at: usize, sp: Split) {
        match sp.bps {
            2 => self.split_n::<2>(src, at, sp),
            3 => self.split_n::<3>(src, at, sp),
            _ => self.split_n::<4>(src, at, sp),
        }
    }

    /// Splits a cache-sized tile at a time, with fixed-size copies for mono files.
    fn split_n<const N: usize>(&mut self, src: &[u8], at: usize, sp: Split) {
        let fb = sp.channels * N;
        for (t, tile) in src.chunks(fb * sp.tile_frames).enumerate() {
            let at = at + t * sp.tile_frames;
            let frames = tile.len() / fb;
            for (g, buf) in self.groups.iter().zip(self.bufs.iter_mut()) {
                let width = g.len() * N;
                let dst = &mut buf[at * width..(at + frames) * width];
                let first = g.start * N;
                if width == fb {
                    dst.copy_from_slice(tile);
                } else if N == 3 && width == 3 {
                    mono24(tile, fb, first, dst);
                } else if width == N {
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

    /// Writes the first `frames` frames of every buffer, and starts each block on its way to
    /// the medium.
    pub(super) fn write(&mut self, frames: usize, bps: usize) -> Result<(), WriteError> {
        for (w, (g, buf)) in self
            .writers
            .iter_mut()
            .zip(self.groups.iter().zip(&self.bufs))
        {
            append(w, &buf[..frames * g.len() * bps])?;
        }
        Ok(())
    }

    /// Writes interleaved frames as they are to the part's first file, which holds every
    /// channel of the stream (the caller checks), and starts them on their way to the medium.
    pub(super) fn write_whole(&mut self, interleaved: &[u8]) -> Result<(), WriteError> {
        append(&mut self.writers[0], interleaved)
    }
}

/// Appends `bytes` (whole frames of the file) to `w` and starts them on their way to the
/// medium.
fn append(w: &mut WavWriter, bytes: &[u8]) -> Result<(), WriteError> {
    w.write_frames(bytes)?;
    start_writeback(w, bytes.len() as u64);
    Ok(())
}

/// Starts writing the block of `len` bytes just appended to `w` to the medium without waiting,
/// and lets the page cache drop the block before it once that is on the medium: data streams
/// out while the take runs instead of piling up for the next commit's `fdatasync`, which then
/// finds little left to do, and a long take does not fill the page cache. A hint only: the
/// commits still sync, and an error here shows again there.
fn start_writeback(w: &WavWriter, len: u64) {
    let end = w.data_start() + w.frames() * w.spec().block_align() as u64;
    let from = end.saturating_sub(2 * len).max(w.data_start());
    let _ = nix::fcntl::posix_fadvise(
        w.as_fd().as_raw_fd(),
        from as i64,
        (end - from) as i64,
        nix::fcntl::PosixFadviseAdvice::POSIX_FADV_DONTNEED,
    );
}

/// One 24-bit track out of interleaved frames `fb` bytes wide, at byte `first` of each frame:
/// a 4-byte load and store per sample, each store's fourth byte overwritten by the next one.
fn mono24(tile: &[u8], fb: usize, first: usize, dst: &mut [u8]) {
    let frames = dst.len() / 3;
    if frames == 0 {
        return;
    }
    let src = &tile[first..];
    for k in 0..frames - 1 {
        let s: [u8; 4] = src[k * fb..k * fb + 4].try_into().expect("4 bytes");
        dst[k * 3..k * 3 + 4].copy_from_slice(&s);
    }
    let k = frames - 1;
    dst[k * 3..k * 3 + 3].copy_from_slice(&src[k * fb..k * fb + 3]);
}

/// Runs `f` on every part, on as many threads as there are parts when `parallel`; returns the
/// first error.
pub(super) fn each_part(
    parts: &mut [Part],
    parallel: bool,
    f: impl Fn(&mut Part) -> Result<(), WriteError> + Sync,
) -> Result<(), WriteError> {
    if !parallel || parts.len() < 2 {
        return parts.iter_mut().try_for_each(f);
    }
    let (first, rest) = parts.split_first_mut().expect("two parts or more");
    std::thread::scope(|s| {
        let f = &f;
        let others: Vec<_> = rest.iter_mut().map(|p| s.spawn(move || f(p))).collect();
        let mut res = f(first);
        for h in others {
            let r = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            res = res.and(r);
        }
        res
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono24_copies_one_track_of_any_frame_count() {
        for channels in [1usize, 2, 5, 64] {
            let fb = channels * 3;
            for frames in [1usize, 2, 3, 17] {
                let tile: Vec<u8> = (0..frames * fb).map(|i| (i * 7 + 3) as u8).collect();
                for c in 0..channels {
                    let mut got = vec![0u8; frames * 3];
                    mono24(&tile, fb, c * 3, &mut got);
                    let want: Vec<u8> = tile
                        .chunks_exact(fb)
                        .flat_map(|f| f[c * 3..c * 3 + 3].to_vec())
                        .collect();
                    assert_eq!(
                        got, want,
                        "{channels} channels, {frames} frames, channel {c}"
                    );
                }
            }
        }
    }
}
