//! Sizing the ring between the audio thread and the writer, from seconds in the config.

use capstan_board::audio::StreamSpec;

/// Loss events the event ring holds before further ones are only counted.
pub const EVENT_CAPACITY: usize = 4096;

/// How big the frame ring is, decided once at start and printed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RingPlan {
    /// Whole frames the ring holds.
    pub frames: usize,
    /// Bytes the ring takes (frames x frame size).
    pub bytes: usize,
    /// Seconds of audio it holds.
    pub seconds: f64,
}

impl RingPlan {
    /// The ring for `seconds` of `spec`, at least two periods.
    pub fn new(spec: StreamSpec, seconds: f64, period_frames: usize) -> RingPlan {
        let frames = ((seconds * f64::from(spec.rate)).ceil() as usize).max(2 * period_frames);
        RingPlan {
            frames,
            bytes: frames * spec.frame_bytes(),
            seconds: frames as f64 / f64::from(spec.rate),
        }
    }

    /// Creates the ring and touches every page of it, so the audio thread never takes a page
    /// fault on its first pass through the ring.
    pub fn build(&self) -> (rtrb::Producer<u8>, rtrb::Consumer<u8>) {
        let (mut p, c) = rtrb::RingBuffer::new(self.bytes);
        if let Ok(mut chunk) = p.write_chunk_uninit(self.bytes) {
            let (a, b) = chunk.as_mut_slices();
            // One write per page is enough to fault it in.
            for x in a.iter_mut().chain(b.iter_mut()).step_by(4096) {
                x.write(0);
            }
            // Dropped without commit: the ring stays empty.
        }
        (p, c)
    }
}

impl std::fmt::Display for RingPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.1} s of audio, {:.1} MB",
            self.seconds,
            self.bytes as f64 / 1e6
        )
    }
}
