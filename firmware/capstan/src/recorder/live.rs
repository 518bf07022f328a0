//! What the rest of the box sees of a take while it records: the engine's counters, the take's
//! name once its folder exists, and a way to ask for user markers. The writer thread polls the
//! marker requests between its writes; the audio thread never sees them.

use std::sync::{Arc, Mutex, OnceLock};

use crate::engine::EngineStats;

use super::naming::TakeName;

/// A marker asked for during a take (MARK pressed): it goes on every file of the take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkRequest {
    /// Take position in frames from the take's first frame.
    pub position: u64,
    /// The marker's label, such as `M1`.
    pub label: String,
}

/// The live side of one take, shared between the thread that records it and the UI. Make a
/// new one for each take: the counters start at zero.
#[derive(Debug, Clone, Default)]
pub struct LiveTake {
    /// The engine's counters (frames captured, dropped, xruns).
    pub stats: Arc<EngineStats>,
    /// The take's name and folder, set once the folder is made.
    pub take: Arc<OnceLock<TakeName>>,
    /// Markers waiting for the writer thread.
    marks: Arc<Mutex<Vec<MarkRequest>>>,
    /// Why each medium dropped from the take was dropped (mirror recording), oldest first.
    dropped_media: Arc<Mutex<Vec<String>>>,
}

impl LiveTake {
    /// A new take's live side.
    pub fn new() -> LiveTake {
        LiveTake::default()
    }

    /// Asks the writer to put a marker labelled `label` at `position` (frames from the take's
    /// first frame) on every file of the take. Not for the audio thread: it takes a lock.
    pub fn mark(&self, position: u64, label: impl Into<String>) {
        let request = MarkRequest {
            position,
            label: label.into(),
        };
        self.marks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(request);
    }

    /// The markers asked for since the last call, oldest first (called by the writer thread).
    pub fn take_marks(&self) -> Vec<MarkRequest> {
        let mut marks = self
            .marks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::take(&mut *marks)
    }

    /// Tells the box a medium was dropped from the take (called by the writer thread).
    pub fn medium_dropped(&self, message: String) {
        self.dropped_media
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(message);
    }

    /// Every medium dropped from the take so far, with why, oldest first: for an alert.
    pub fn dropped_media(&self) -> Vec<String> {
        self.dropped_media
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_handed_over_once_in_order() {
        let live = LiveTake::new();
        let ui = live.clone();
        ui.mark(48_000, "M1");
        ui.mark(96_000, "M2");
        let marks = live.take_marks();
        assert_eq!(
            marks,
            vec![
                MarkRequest {
                    position: 48_000,
                    label: "M1".into()
                },
                MarkRequest {
                    position: 96_000,
                    label: "M2".into()
                }
            ]
        );
        assert!(live.take_marks().is_empty());
    }
}
