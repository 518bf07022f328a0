//! The read-ahead thread: reads a take's tracks from a frame on into a ring of interleaved
//! frames, sized in seconds, allocated and touched before playback starts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use capstan_mixer::TakeTracks;

/// The least read-ahead, in seconds, whatever is asked.
pub const MIN_SECONDS: f64 = 2.0;
/// Seconds of read-ahead at most: a minute is far more than any card stalls, and a ring that
/// size still fits the box's memory at 64 channels (about 740 MB at 32-bit).
pub const MAX_SECONDS: f64 = 60.0;

/// Frames read from the track files at a time.
const READ_FRAMES: usize = 4096;

/// The read-ahead thread.
pub struct ReadAhead {
    /// Set once the last frame of the take is in the ring.
    pub done: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<u64, String>>>,
}

/// Bytes of a read-ahead ring of `seconds` (at least [`MIN_SECONDS`]) of `frame_bytes` frames.
pub fn ring_bytes(seconds: f64, rate: u32, frame_bytes: usize) -> usize {
    let frames = (seconds.max(MIN_SECONDS) * f64::from(rate)).ceil() as usize;
    frames * frame_bytes
}

/// A ring of `bytes`, every page written once so the audio thread never faults one in.
pub fn touched_ring(bytes: usize) -> (rtrb::Producer<u8>, rtrb::Consumer<u8>) {
    let (mut prod, mut cons) = rtrb::RingBuffer::new(bytes);
    if let Ok(chunk) = prod.write_chunk_uninit(bytes) {
        chunk.fill_from_iter(std::iter::repeat(0u8));
    }
    if let Ok(chunk) = cons.read_chunk(bytes) {
        chunk.commit_all();
    }
    (prod, cons)
}

impl ReadAhead {
    /// Starts reading `take` from frame `from` into a ring of `seconds` of frames, and waits
    /// until the ring is full (or holds the whole rest of the take) before returning the
    /// thread and the audio thread's end of the ring: interleaved frames in the take's input
    /// order and format.
    pub fn start(
        take: Arc<TakeTracks>,
        from: u64,
        seconds: f64,
    ) -> (ReadAhead, rtrb::Consumer<u8>) {
        let fb = take.frame_bytes();
        let bytes = ring_bytes(seconds, take.mix.rate, fb);
        let (prod, ring) = touched_ring(bytes);
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (done, stop) = (done.clone(), stop.clone());
            thread::Builder::new()
                .name("capstan-readahead".into())
                .spawn(move || read(&take, from, prod, &done, &stop))
                .expect("cannot start the read-ahead thread")
        };
        let r = ReadAhead {
            done,
            stop,
            thread: Some(thread),
        };
        while ring.slots() + fb <= bytes
            && !r.done.load(Ordering::Acquire)
            && !r.thread.as_ref().is_some_and(JoinHandle::is_finished)
        {
            thread::sleep(Duration::from_millis(2));
        }
        (r, ring)
    }

    /// Stops the thread and returns the frames it put in the ring, or why it could not read.
    pub fn finish(mut self) -> Result<u64, String> {
        self.stop.store(true, Ordering::Release);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            _ => Err("the read-ahead thread panicked".into()),
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

/// The thread: reads blocks and pushes them as room comes free.
fn read(
    take: &TakeTracks,
    from: u64,
    mut prod: rtrb::Producer<u8>,
    done: &AtomicBool,
    stop: &AtomicBool,
) -> Result<u64, String> {
    let fb = take.frame_bytes();
    let mut block = vec![0u8; READ_FRAMES * fb];
    let mut scratch = Vec::new();
    let mut at = from.min(take.frames);
    while at < take.frames {
        let frames = (take.frames - at).min(READ_FRAMES as u64) as usize;
        let bytes = &mut block[..frames * fb];
        take.read(at, frames, bytes, &mut scratch)?;
        let mut put = 0;
        while put < bytes.len() {
            if stop.load(Ordering::Acquire) {
                return Ok(at - from);
            }
            // Whole frames only, so the audio thread always takes whole frames.
            let room = (prod.slots() / fb * fb).min(bytes.len() - put);
            if room == 0 {
                thread::sleep(Duration::from_millis(5));
                continue;
            }
            if let Ok(chunk) = prod.write_chunk_uninit(room) {
                put += chunk.fill_from_iter(bytes[put..].iter().copied());
            }
        }
        at += frames as u64;
    }
    done.store(true, Ordering::Release);
    Ok(at - from)
}
