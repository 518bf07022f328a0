//! The losses of a take as its writer learns of them: each logged, kept for the take's notes,
//! and marked in the files: "XRUN" where the device overran, "DROP n frames" where a full ring
//! threw frames away, each at its place in the files.

use std::sync::atomic::Ordering;

use crate::engine::{EngineEvent, EngineStats, LossKind};

/// A marker for the take's files: position in frames from the files' first frame, and label.
pub type LossMarker = (u64, String);

/// Turns loss events (in take positions, which count the frames a full ring threw away) into
/// markers at their place in the files (which do not hold those frames). A run of drops with no
/// frame reaching the files between them (one drop event per period while the ring stays full)
/// becomes one marker.
#[derive(Debug, Default)]
pub struct LossMarkers {
    /// Frames dropped so far.
    dropped: u64,
    /// The drop run still going on: its place in the files and its frames so far.
    pending: Option<(u64, u64)>,
}

impl LossMarkers {
    /// Takes the next loss event (in order) and returns the markers it completes.
    pub fn push(&mut self, e: &EngineEvent) -> Vec<LossMarker> {
        let at = e.position.saturating_sub(self.dropped);
        let mut out = Vec::new();
        match e.kind {
            LossKind::Xrun => {
                out.extend(self.flush());
                out.push((at, capstan_bwf::losses::XRUN.into()));
            }
            LossKind::RingOverflow => {
                self.dropped += e.frames;
                match &mut self.pending {
                    Some((p, n)) if *p == at => *n += e.frames,
                    _ => {
                        out.extend(self.flush());
                        self.pending = Some((at, e.frames));
                    }
                }
            }
        }
        out
    }

    /// The drop run's marker, if one is going on, once the files hold frames past it
    /// (`frames`: frames taken from the ring so far), which proves the run has ended.
    pub fn flush_if_past(&mut self, frames: u64) -> Option<LossMarker> {
        match self.pending {
            Some((p, _)) if frames > p => self.flush(),
            _ => None,
        }
    }

    /// The drop run's marker, if one is going on (at the end of the take).
    pub fn flush(&mut self) -> Option<LossMarker> {
        self.pending
            .take()
            .map(|(p, n)| (p, capstan_bwf::losses::drop_label(n)))
    }
}

/// The losses of one take: each logged as it is learned, kept (at its take position) for the
/// take's counters and notes, and marked in the files by `mark(position, label)`.
#[derive(Debug, Default)]
pub struct TakeLosses {
    events: Vec<EngineEvent>,
    markers: LossMarkers,
    /// Losses the files' iXML NOTE already tells of: listed ones, and unlisted ones.
    in_note: (usize, Unlisted),
    /// The input's counts of unlisted losses when the take began.
    unlisted_base: Unlisted,
    /// Losses since the take began that came too fast for the event ring to list: counted,
    /// not placed.
    unlisted: Unlisted,
}

/// Losses counted without their place (their events found the event ring full).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Unlisted {
    /// How many.
    pub events: u64,
    /// Frames dropped among them.
    pub frames: u64,
    /// Xruns among them.
    pub xruns: u64,
}

impl Unlisted {
    fn of(stats: &EngineStats) -> Unlisted {
        Unlisted {
            events: stats.events_lost.load(Ordering::Relaxed),
            frames: stats.frames_unlisted.load(Ordering::Relaxed),
            xruns: stats.xruns_unlisted.load(Ordering::Relaxed),
        }
    }
}

impl TakeLosses {
    /// The losses of a take from the input counting into `stats`, from now on.
    pub fn since(stats: &EngineStats) -> TakeLosses {
        TakeLosses {
            unlisted_base: Unlisted::of(stats),
            ..TakeLosses::default()
        }
    }

    /// Brings the count of unlisted losses up to date from the input's `stats`, and logs any
    /// new ones.
    pub fn count_unlisted(&mut self, stats: &EngineStats, take: &str) {
        let now = Unlisted::of(stats);
        let b = self.unlisted_base;
        let u = Unlisted {
            events: now.events.saturating_sub(b.events),
            frames: now.frames.saturating_sub(b.frames),
            xruns: now.xruns.saturating_sub(b.xruns),
        };
        if u != self.unlisted {
            tracing::warn!(
                "{} more losses in take {take} came too fast to list one by one: {} frames \
                 dropped, {} xruns (counted in the take's totals)",
                u.events - self.unlisted.events,
                u.frames - self.unlisted.frames,
                u.xruns - self.unlisted.xruns
            );
            self.unlisted = u;
        }
    }

    /// The losses counted but not listed so far.
    pub fn unlisted(&self) -> Unlisted {
        self.unlisted
    }

    /// Takes `events` (in order, at stream positions; `first` is the stream position of the
    /// take's first frame), logs each, and marks those complete.
    pub fn add(
        &mut self,
        events: Vec<EngineEvent>,
        first: u64,
        take: &str,
        mut mark: impl FnMut(u64, &str),
    ) {
        for e in events {
            let e = EngineEvent {
                position: e.position - first,
                ..e
            };
            match e.kind {
                LossKind::Xrun => tracing::warn!("XRUN at frame {} of take {take}", e.position),
                LossKind::RingOverflow => tracing::warn!(
                    "DROPPED {} frames at frame {} of take {take}: the card is too slow",
                    e.frames,
                    e.position,
                ),
            }
            for (at, label) in self.markers.push(&e) {
                mark(at, &label);
            }
            self.events.push(e);
        }
    }

    /// Marks the drop run going on once the files hold frames past it (`frames`: frames
    /// taken from the ring so far); at the take's end (`frames` = `None`), marks it anyway.
    pub fn mark_ended_run(&mut self, frames: Option<u64>, mut mark: impl FnMut(u64, &str)) {
        let run = match frames {
            Some(f) => self.markers.flush_if_past(f),
            None => self.markers.flush(),
        };
        if let Some((at, label)) = run {
            mark(at, &label);
        }
    }

    /// True when losses have come since the last call that returned true (or since the
    /// start): the iXML NOTE is behind and is to be rewritten.
    pub fn note_is_behind(&mut self) -> bool {
        let now = (self.events.len(), self.unlisted);
        let behind = now != self.in_note;
        self.in_note = now;
        behind
    }

    /// Every loss so far, at take positions.
    pub fn events(&self) -> &[EngineEvent] {
        &self.events
    }

    /// Frames dropped and xruns so far, listed or not.
    pub fn counts(&self) -> (u64, u64) {
        let u = self.unlisted;
        self.events
            .iter()
            .fold((u.frames, u.xruns), |(d, x), e| match e.kind {
                LossKind::Xrun => (d, x + 1),
                LossKind::RingOverflow => (d + e.frames, x),
            })
    }

    /// Every loss of the take, at take positions.
    pub fn into_events(self) -> Vec<EngineEvent> {
        self.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_the_event_ring_had_no_room_for_count_in_the_totals() {
        let stats = EngineStats::default();
        // Before the take: not its losses.
        stats.events_lost.store(2, Ordering::Relaxed);
        stats.frames_unlisted.store(512, Ordering::Relaxed);
        let mut t = TakeLosses::since(&stats);
        t.add(
            vec![EngineEvent {
                kind: LossKind::RingOverflow,
                position: 1000,
                frames: 256,
            }],
            0,
            "S01-T001",
            |_, _| {},
        );
        assert!(t.note_is_behind());
        t.count_unlisted(&stats, "S01-T001");
        assert_eq!(t.counts(), (256, 0));
        assert!(!t.note_is_behind());
        stats.events_lost.store(2 + 4001, Ordering::Relaxed);
        stats
            .frames_unlisted
            .store(512 + 4000 * 256, Ordering::Relaxed);
        stats.xruns_unlisted.store(1, Ordering::Relaxed);
        t.count_unlisted(&stats, "S01-T001");
        assert_eq!(t.counts(), (256 + 4000 * 256, 1));
        assert_eq!(t.unlisted().events, 4001);
        assert!(t.note_is_behind(), "the NOTE must tell of the new losses");
    }

    fn ev(kind: LossKind, position: u64, frames: u64) -> EngineEvent {
        EngineEvent {
            kind,
            position,
            frames,
        }
    }

    fn m(at: u64, label: &str) -> LossMarker {
        (at, label.to_string())
    }

    #[test]
    fn markers_sit_where_the_files_have_the_gap() {
        let mut l = LossMarkers::default();
        assert_eq!(l.push(&ev(LossKind::Xrun, 4800, 0)), [m(4800, "XRUN")]);
        // Three periods dropped in a row: one marker, once the run is over.
        assert!(l.push(&ev(LossKind::RingOverflow, 9600, 480)).is_empty());
        assert!(l.push(&ev(LossKind::RingOverflow, 10_080, 480)).is_empty());
        assert!(l.push(&ev(LossKind::RingOverflow, 10_560, 256)).is_empty());
        assert_eq!(l.flush_if_past(9600), None, "no frame after the gap yet");
        assert_eq!(l.flush_if_past(9601), Some(m(9600, "DROP 1216 frames")));
        assert_eq!(l.flush(), None);
        // The 1216 dropped frames are not in the files: later losses move up by as much.
        assert!(l.push(&ev(LossKind::RingOverflow, 12_000, 100)).is_empty());
        // A drop after frames reached the files again is a new run.
        assert_eq!(
            l.push(&ev(LossKind::RingOverflow, 12_200, 50)),
            [m(10_784, "DROP 100 frames")]
        );
        assert_eq!(
            l.push(&ev(LossKind::Xrun, 20_000, 0)),
            [m(10_884, "DROP 50 frames"), m(18_634, "XRUN")]
        );
        assert_eq!(l.flush(), None);
    }

    #[test]
    fn a_take_keeps_its_losses_at_take_positions_and_marks_them_once() {
        let mut t = TakeLosses::default();
        let mut marked = Vec::new();
        assert!(!t.note_is_behind());
        // The take's first frame is stream frame 1000.
        let first = vec![
            ev(LossKind::Xrun, 1100, 0),
            ev(LossKind::RingOverflow, 1500, 300),
        ];
        t.add(first, 1000, "S01-T001", |at, l| marked.push(m(at, l)));
        // The drop run may go on: only the xrun is marked yet.
        assert_eq!(marked, [m(100, "XRUN")]);
        assert_eq!(t.counts(), (300, 1));
        assert!(t.note_is_behind());
        assert!(!t.note_is_behind(), "told once per batch");
        t.mark_ended_run(Some(500), |at, l| marked.push(m(at, l)));
        assert_eq!(
            marked.len(),
            1,
            "the files do not hold frames past the run yet"
        );
        t.add(
            vec![ev(LossKind::RingOverflow, 1900, 200)],
            1000,
            "S01-T001",
            |at, l| marked.push(m(at, l)),
        );
        // A new run 100 frames of files later (take frame 900, after the 300 dropped) ends the
        // first.
        assert_eq!(marked, [m(100, "XRUN"), m(500, "DROP 300 frames")]);
        assert!(t.note_is_behind());
        t.mark_ended_run(None, |at, l| marked.push(m(at, l)));
        assert_eq!(marked[2], m(600, "DROP 200 frames"));
        assert_eq!(t.counts(), (500, 1));
        let positions: Vec<u64> = t.into_events().iter().map(|e| e.position).collect();
        assert_eq!(positions, [100, 500, 900]);
    }
}
