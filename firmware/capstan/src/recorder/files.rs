//! The files of one take on the writer side: frames from the ring are split into tracks,
//! buffered into large blocks, written, and committed at intervals.

use std::ops::Range;
use std::path::Path;

use capstan_bwf::writer::{FinishedFile, WavWriter, WriteError, WriterOptions};
use capstan_bwf::{FileMeta, WavSpec};

mod part;
mod sync;

use part::{each_part, Part, Split};
use sync::SyncPool;

/// Bytes buffered per mono track file before a write (a poly file buffers this times four).
/// Large writes cost the kernel less per byte (it gives them large page-cache folios) than the
/// cache misses of buffers this size cost the split.
pub const TRACK_BLOCK_BYTES: usize = 256 * 1024;
/// Interleaved bytes split at a time: the tile stays in the L1 cache while every file takes
/// its samples from it.
const TILE_BYTES: usize = 16 * 1024;

/// Interleaved bytes pushed at once from which the files are split and written by two threads
/// (each taking half the files): a writer catching up after a stall, or a fast-mode take.
/// Smaller pushes, as when recording in real time (a period or a few, well under a megabyte at
/// 64 channels), stay on the calling thread: the helper thread is spawned for each push, which
/// costs more than it saves on a push that small, most of all on a small or emulated core.
const PARALLEL_MIN_BYTES: usize = 4 << 20;
/// Interleaved bytes pushed at once that a take of one file holding every channel (a poly take
/// of all inputs) writes straight from the ring, with nothing buffered before them: the copy
/// into its buffer would only move the same bytes once more. Smaller pushes (a short period at
/// few channels) are gathered in the buffer first, so that writes stay large.
const DIRECT_MIN_BYTES: usize = 64 << 10;
/// Threads that split and write a large push at most.
const MAX_THREADS: usize = 2;
/// Threads that sync the files at a commit or finish them at the end of a take at most: each
/// mostly waits for the medium, and a medium serves several waiting syncs together.
const SYNC_THREADS: usize = 8;

/// The open files of a take and their write buffers.
#[derive(Debug)]
pub struct TakeFiles {
    parts: Vec<Part>,
    /// The threads that sync the files at each commit (none for a single file, which the
    /// writer thread syncs itself).
    syncer: Option<SyncPool>,
    split: Split,
    block_frames: usize,
    buffered: usize,
    /// True when the take is one file holding every channel of the stream, in its order.
    whole_stream: bool,
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
        let channels = usize::from(stream.channels);
        let widest = files.iter().map(|f| f.1.len()).max().unwrap_or(1);
        let block_frames = if widest == 1 {
            TRACK_BLOCK_BYTES / bps
        } else {
            (4 * TRACK_BLOCK_BYTES / (bps * widest)).max(256)
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS);
        let mut parts: Vec<Part> = Vec::with_capacity(threads);
        for share in share_out(files, threads) {
            let mut part = Part {
                writers: Vec::with_capacity(share.len()),
                groups: Vec::with_capacity(share.len()),
                bufs: Vec::with_capacity(share.len()),
            };
            for (path, chans, meta) in share {
                let spec = WavSpec {
                    channels: chans.len() as u16,
                    ..stream
                };
                part.writers
                    .push(WavWriter::create(&path, spec, &meta, opts)?);
                part.bufs.push(vec![0u8; block_frames * chans.len() * bps]);
                part.groups.push(chans);
            }
            parts.push(part);
        }
        let count: usize = parts.iter().map(|p| p.writers.len()).sum();
        let syncer = if count > 1 {
            let writers = parts.iter().flat_map(|p| p.writers.iter());
            Some(SyncPool::start(writers, SYNC_THREADS)?)
        } else {
            None
        };
        let whole_stream = count == 1 && parts[0].groups[0] == (0..channels);
        Ok(TakeFiles {
            parts,
            syncer,
            split: Split {
                channels,
                bps,
                tile_frames: (TILE_BYTES / (channels * bps)).max(8),
            },
            block_frames,
            buffered: 0,
            whole_stream,
        })
    }

    fn writers(&self) -> impl Iterator<Item = &WavWriter> {
        self.parts.iter().flat_map(|p| p.writers.iter())
    }

    fn writers_mut(&mut self) -> impl Iterator<Item = &mut WavWriter> {
        self.parts.iter_mut().flat_map(|p| p.writers.iter_mut())
    }

    /// The files' paths.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.writers().map(|w| w.path())
    }

    /// Frames on disk (written, not necessarily committed) plus buffered.
    pub fn frames(&self) -> u64 {
        self.writers().next().map_or(0, |w| w.frames()) + self.buffered as u64
    }

    /// Frames that fit in the buffers before the next write.
    pub fn room(&self) -> usize {
        self.block_frames - self.buffered
    }

    /// Takes interleaved frames (at most [`Self::room`]), splitting them into the files'
    /// buffers; writes the buffers out when they are full. A large push is split and written
    /// by two threads, each taking half the files. A take of one file holding every channel
    /// writes a push of 64 KiB or more as it is, when nothing is buffered.
    pub fn push(&mut self, interleaved: &[u8]) -> Result<(), WriteError> {
        if self.whole_stream && self.buffered == 0 && interleaved.len() >= DIRECT_MIN_BYTES {
            return self.parts[0].write_whole(interleaved);
        }
        let sp = self.split;
        let n = interleaved.len() / (sp.channels * sp.bps);
        debug_assert!(n <= self.room());
        let at = self.buffered;
        let full = (at + n == self.block_frames).then_some(self.block_frames);
        let parallel = interleaved.len() >= PARALLEL_MIN_BYTES;
        self.buffered += n;
        if full.is_some() {
            self.buffered = 0;
        }
        each_part(&mut self.parts, parallel, |p| {
            p.split(interleaved, at, sp);
            full.map_or(Ok(()), |frames| p.write(frames, sp.bps))
        })
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) -> Result<(), WriteError> {
        let frames = std::mem::take(&mut self.buffered);
        if frames == 0 {
            return Ok(());
        }
        let bps = self.split.bps;
        each_part(&mut self.parts, false, |p| p.write(frames, bps))
    }

    /// Marks every file at `position` (frames from the files' first frame) with `label`: in the
    /// iXML at the next commit, as a cue point at finish.
    pub fn mark(&mut self, position: u64, label: &str) {
        for w in self.writers_mut() {
            w.add_marker(position, label);
        }
    }

    /// Rewrites every file's iXML in place (with its markers); `ixml_for` gives file `i`'s.
    pub fn update_ixml(
        &mut self,
        ixml_for: impl Fn(usize) -> capstan_bwf::ixml::Ixml,
    ) -> Result<(), WriteError> {
        for (i, w) in self.writers_mut().enumerate() {
            w.update_ixml(&ixml_for(i))?;
        }
        Ok(())
    }

    /// Writes what is buffered, updates every header and syncs every file, on several threads
    /// at once.
    pub fn commit(&mut self) -> Result<(), WriteError> {
        self.flush()?;
        let Some(syncer) = &self.syncer else {
            return self
                .parts
                .iter_mut()
                .flat_map(|p| &mut p.writers)
                .try_for_each(WavWriter::commit);
        };
        for w in self.parts.iter_mut().flat_map(|p| &mut p.writers) {
            w.update_header()?;
        }
        syncer.sync()
    }

    /// Finishes every file; `ixml_for(i)`, when it gives one, is file `i`'s final iXML.
    /// Finishes all files even if one fails, and returns the first error. The files' last syncs
    /// run on several threads at once: each mostly waits for the medium, and a medium serves
    /// several waiting syncs together.
    pub fn finish(
        mut self,
        ixml_for: impl Fn(usize) -> Option<capstan_bwf::ixml::Ixml> + Sync,
    ) -> Result<Vec<FinishedFile>, WriteError> {
        let first_err = self.flush().err();
        // The pool's handles close first: the files are finished below.
        drop(self.syncer.take());
        let writers = self.parts.into_iter().flat_map(|p| p.writers).enumerate();
        let batches = share_out(writers.collect(), SYNC_THREADS);
        let finish_batch = |batch: Vec<(usize, WavWriter)>| {
            let mut out = Vec::with_capacity(batch.len());
            for (i, mut w) in batch {
                let ixml = ixml_for(i).map_or(Ok(()), |x| w.update_ixml(&x));
                let done = w.finish();
                out.push(ixml.and(done));
            }
            out
        };
        let results: Vec<Result<FinishedFile, WriteError>> = std::thread::scope(|s| {
            let f = &finish_batch;
            let handles: Vec<_> = batches.into_iter().map(|b| s.spawn(move || f(b))).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut first_err = first_err;
        let mut done = Vec::with_capacity(results.len());
        for r in results {
            match r {
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

/// Shares `items` out into at most `threads` runs of neighbours, as even as can be (the last
/// may be shorter): the files each thread of a take looks after.
fn share_out<T>(items: Vec<T>, threads: usize) -> Vec<Vec<T>> {
    let per_thread = items.len().div_ceil(threads.max(1)).max(1);
    let mut items = items.into_iter().peekable();
    let mut shares = Vec::new();
    while items.peek().is_some() {
        shares.push(items.by_ref().take(per_thread).collect());
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use capstan_bwf::counter;
    use capstan_bwf::SampleFormat;

    /// Pushes `frames` of the counter signal in pushes of the given sizes (in frames, cut to
    /// the room left), committing now and then, and finishes. Returns the stream's bytes and
    /// the finished files.
    fn push_all(
        mut take: TakeFiles,
        stream: WavSpec,
        sizes: &[usize],
        frames: usize,
    ) -> (Vec<u8>, Vec<FinishedFile>) {
        let fb = usize::from(stream.channels) * stream.format.bytes();
        let mut all = vec![0u8; frames * fb];
        counter::fill(&mut all, usize::from(stream.channels), stream.format, 0);
        let (mut at, mut k) = (0, 0);
        while at < frames {
            let n = sizes[k % sizes.len()].min(take.room()).min(frames - at);
            take.push(&all[at * fb..(at + n) * fb]).unwrap();
            at += n;
            k += 1;
            if k % 7 == 0 {
                take.commit().unwrap();
            }
        }
        assert_eq!(take.frames(), frames as u64);
        (all, take.finish(|_| None).unwrap())
    }

    /// Pushes `frames` of the counter signal into one mono file per channel (see
    /// [`push_all`]) and checks every file sample by sample.
    fn round_trip(channels: u16, format: SampleFormat, sizes: &[usize], frames: usize) {
        let dir = tempfile::tempdir().unwrap();
        let stream = WavSpec {
            channels,
            sample_rate: 48000,
            format,
        };
        let files = (0..usize::from(channels))
            .map(|c| {
                (
                    dir.path().join(format!("{c}.wav")),
                    c..c + 1,
                    FileMeta::default(),
                )
            })
            .collect();
        let take = TakeFiles::create(stream, files, WriterOptions::default()).unwrap();
        let done = push_all(take, stream, sizes, frames).1;
        assert_eq!(done.len(), usize::from(channels));
        for (c, f) in done.iter().enumerate() {
            assert_eq!(f.frames, frames as u64, "{}", f.path.display());
            let bytes = std::fs::read(&f.path).unwrap();
            let w = capstan_bwf::reader::read(&f.path).unwrap();
            let data = w.data.as_ref().expect("a data chunk");
            let audio = &bytes[data.offset as usize..][..frames * format.bytes()];
            let mut want = vec![0u8; format.bytes()];
            for (n, s) in audio.chunks_exact(format.bytes()).enumerate() {
                counter::encode(counter::word(n as u64, c as u32), format, &mut want);
                assert_eq!(s, &want[..], "file {c}, frame {n}");
            }
        }
    }

    #[test]
    fn files_are_shared_out_in_runs_of_neighbours_over_at_most_the_threads_asked() {
        let lens = |n: usize, threads: usize| -> Vec<usize> {
            let shares = share_out((0..n).collect::<Vec<_>>(), threads);
            let flat: Vec<usize> = shares.iter().flatten().copied().collect();
            assert_eq!(flat, (0..n).collect::<Vec<_>>(), "{n} over {threads}");
            shares.iter().map(Vec::len).collect()
        };
        assert_eq!(lens(64, 8), vec![8; 8]);
        assert_eq!(lens(33, 2), vec![17, 16]);
        assert_eq!(lens(3, 8), vec![1, 1, 1]);
        assert_eq!(lens(10, 4), vec![3, 3, 3, 1]);
        assert_eq!(lens(5, 0), vec![5]);
        assert!(lens(0, 8).is_empty());
    }

    #[test]
    fn large_and_small_pushes_land_in_every_file_in_order() {
        // 64 x 24-bit: pushes past the two-thread threshold and across whole blocks.
        round_trip(64, SampleFormat::I24, &[100_000, 7, 1, 4096], 300_000);
        // An odd file count splits unevenly between the threads.
        round_trip(33, SampleFormat::I24, &[60_000, 3, 20_001], 200_000);
        round_trip(3, SampleFormat::I16, &[50_000, 1, 999], 150_000);
        round_trip(7, SampleFormat::I32, &[40_000, 5], 100_000);
    }

    #[test]
    fn a_poly_file_of_every_channel_holds_the_stream_written_direct_or_buffered() {
        let dir = tempfile::tempdir().unwrap();
        // 32 x 32-bit: 600 frames (76.8 KB) go straight to the file when nothing is buffered;
        // 7 and 100 frames are buffered, and so is what follows them until the block is full.
        let stream = WavSpec {
            channels: 32,
            sample_rate: 48000,
            format: SampleFormat::I32,
        };
        let path = dir.path().join("poly.wav");
        let files = vec![(path.clone(), 0..32, FileMeta::default())];
        let take = TakeFiles::create(stream, files, WriterOptions::default()).unwrap();
        assert!(take.whole_stream);
        let frames = 30_000;
        let (all, done) = push_all(take, stream, &[600, 7, 100, 2000, 1, 513], frames);
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].frames, frames as u64);
        let w = capstan_bwf::reader::read(&path).unwrap();
        let data = w.data.as_ref().expect("a data chunk");
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes[data.offset as usize..][..all.len()] == all[..]);
        // A poly file of some of the channels is split as before.
        let sub = vec![(dir.path().join("sub.wav"), 2..5, FileMeta::default())];
        let take = TakeFiles::create(stream, sub, WriterOptions::default()).unwrap();
        assert!(!take.whole_stream);
    }
}
