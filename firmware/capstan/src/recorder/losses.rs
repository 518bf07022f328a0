//! Losses as markers in the take's files: "XRUN" where the device overran, "DROP n frames"
//! where a full ring threw frames away, each at its place in the files.

use crate::engine::{EngineEvent, LossKind};

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
                out.push((at, "XRUN".into()));
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
            .map(|(p, n)| (p, format!("DROP {n} frames")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
