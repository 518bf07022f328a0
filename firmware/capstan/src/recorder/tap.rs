//! The ring's reading end, which knows where in the input's stream each frame it hands out
//! sits: a take's writer holds it while the take records, the standby thread in between.
//!
//! Stream positions count every frame since the input started, the ones a full ring threw
//! away included (as the audio thread's loss events do), so a frame's position says when it
//! was captured even after a drop.

use std::collections::VecDeque;

use crate::engine::{EngineEvent, LossKind};

/// The reading end of the frame ring and of the loss events, with the stream position of the
/// next frame. Not for the audio thread.
pub struct RingTap {
    frames: rtrb::Consumer<u8>,
    events: rtrb::Consumer<EngineEvent>,
    frame_bytes: usize,
    /// Stream position of the next frame in the ring.
    position: u64,
    /// Frames counted by the last [`RingTap::ready`] and not read since: every loss before
    /// them has been read from the event ring.
    counted: usize,
    /// Drops (stream position, frames) the reading has not passed yet.
    gaps: VecDeque<(u64, u64)>,
    /// Loss events read and not yet handed on, oldest first.
    losses: VecDeque<EngineEvent>,
}

impl RingTap {
    /// The reading ends of the rings an engine writes `frame_bytes`-byte frames into, from the
    /// start of its stream.
    pub fn new(
        frames: rtrb::Consumer<u8>,
        events: rtrb::Consumer<EngineEvent>,
        frame_bytes: usize,
    ) -> RingTap {
        RingTap {
            frames,
            events,
            frame_bytes,
            position: 0,
            counted: 0,
            gaps: VecDeque::new(),
            losses: VecDeque::new(),
        }
    }

    /// Stream position of the next frame to read.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Frames in the ring ready to read. Reads the loss events up to them first, so the
    /// position of each of those frames is known.
    pub fn ready(&mut self) -> usize {
        // Frames first, events second: every event pushed before those frames were committed
        // is visible now.
        let n = self.frames.slots() / self.frame_bytes;
        while let Ok(e) = self.events.pop() {
            if e.kind == LossKind::RingOverflow {
                self.gaps.push_back((e.position, e.frames));
            }
            self.losses.push_back(e);
        }
        self.skip_gaps();
        self.counted = n;
        n
    }

    fn skip_gaps(&mut self) {
        while let Some(&(at, n)) = self.gaps.front() {
            if at > self.position {
                break;
            }
            self.position = self.position.max(at + n);
            self.gaps.pop_front();
        }
    }

    /// Reads up to `max` of the frames [`RingTap::ready`] counted, in one run of stream
    /// positions, handing them to `f` as one or two slices (the ring wraps). Returns the
    /// frames read (0 when none) and what `f` returned.
    pub fn read<R>(&mut self, max: usize, f: impl FnOnce(&[u8], &[u8]) -> R) -> (usize, Option<R>) {
        self.skip_gaps();
        let mut n = max.min(self.counted);
        if let Some(&(at, _)) = self.gaps.front() {
            n = n.min((at - self.position) as usize);
        }
        if n == 0 {
            return (0, None);
        }
        let Ok(chunk) = self.frames.read_chunk(n * self.frame_bytes) else {
            return (0, None);
        };
        let (a, b) = chunk.as_slices();
        let r = f(a, b);
        chunk.commit_all();
        self.counted -= n;
        self.position += n as u64;
        self.skip_gaps();
        (n, Some(r))
    }

    /// Throws away the oldest frames until at most `keep` of the counted ones are left, and
    /// the losses before them; returns the losses thrown away.
    pub fn discard_to(&mut self, keep: usize) -> Vec<EngineEvent> {
        while self.counted > keep {
            let (n, _) = self.read(self.counted - keep, |_, _| ());
            if n == 0 {
                break;
            }
        }
        self.losses_before(self.position)
    }

    /// Throws away the frames before stream position `from` (as far as they are counted) and
    /// the losses before them; returns the losses thrown away.
    pub fn discard_before(&mut self, from: u64) -> Vec<EngineEvent> {
        while self.position < from && self.counted > 0 {
            let gap = (from - self.position).min(self.counted as u64) as usize;
            if self.read(gap, |_, _| ()).0 == 0 {
                break;
            }
        }
        self.losses_before(self.position)
    }

    /// The losses read so far whose position is before `end`, handed on (oldest first).
    pub fn losses_before(&mut self, end: u64) -> Vec<EngineEvent> {
        let n = self.losses.iter().take_while(|e| e.position < end).count();
        self.losses.drain(..n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tap() -> (rtrb::Producer<u8>, rtrb::Producer<EngineEvent>, RingTap) {
        let (p, c) = rtrb::RingBuffer::new(64);
        let (ep, ec) = rtrb::RingBuffer::new(16);
        (p, ep, RingTap::new(c, ec, 2))
    }

    fn push(p: &mut rtrb::Producer<u8>, first: u8, frames: u8) {
        for f in first..first + frames {
            p.push(f).unwrap();
            p.push(f).unwrap();
        }
    }

    fn read_all(t: &mut RingTap) -> Vec<(u64, Vec<u8>)> {
        t.ready();
        let mut out = Vec::new();
        loop {
            let at = t.position();
            let (n, got) = t.read(usize::MAX, |a, b| {
                a.iter().chain(b).step_by(2).copied().collect::<Vec<u8>>()
            });
            if n == 0 {
                break out;
            }
            out.push((at, got.unwrap()));
        }
    }

    #[test]
    fn positions_skip_the_frames_a_full_ring_dropped() {
        let (mut p, mut ep, mut t) = tap();
        push(&mut p, 0, 4); // stream 0..4
        ep.push(EngineEvent {
            kind: LossKind::RingOverflow,
            position: 4,
            frames: 3,
        })
        .unwrap();
        push(&mut p, 7, 2); // stream 7..9, after the drop
        let runs = read_all(&mut t);
        assert_eq!(runs, [(0, vec![0, 1, 2, 3]), (7, vec![7, 8])]);
        assert_eq!(t.position(), 9);
        assert_eq!(t.losses_before(9).len(), 1);
    }

    #[test]
    fn discarding_keeps_the_newest_frames_and_their_losses() {
        let (mut p, mut ep, mut t) = tap();
        push(&mut p, 0, 10);
        for position in [2, 8] {
            ep.push(EngineEvent {
                kind: LossKind::Xrun,
                position,
                frames: 0,
            })
            .unwrap();
        }
        assert_eq!(t.ready(), 10);
        let gone = t.discard_to(3);
        assert_eq!(t.position(), 7);
        assert_eq!(gone.len(), 1, "the xrun at 2 went with its frames");
        assert_eq!(read_all(&mut t), [(7, vec![7, 8, 9])]);
        assert_eq!(t.losses_before(u64::MAX)[0].position, 8);
        push(&mut p, 10, 6);
        t.ready();
        t.discard_before(13);
        assert_eq!(read_all(&mut t), [(13, vec![13, 14, 15])]);
    }
}
