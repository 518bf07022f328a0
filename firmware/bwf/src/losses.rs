//! The words a take uses for what it lost, in its markers and its iXML NOTE: written by the
//! recorder, read back by `take verify` and `take report`. One home, so both sides agree.
//!
//! - A marker labelled `XRUN` where the device overran (frames never reached the recorder), or
//!   `DROP n frames` where a full ring threw `n` frames away; both at the place in the file
//!   where the audio jumps.
//! - The NOTE opens its losses with `LOSSES: x xruns, n frames dropped (ring full).` and ends
//!   a take that stopped early with `TAKE STOPPED EARLY: why`; a file not closed by the
//!   recorder (a power cut) ends its NOTE with `TAKE NOT CLOSED: ...`.

use serde::Serialize;

use crate::Marker;

/// The label of a marker where the device overran.
pub const XRUN: &str = "XRUN";

/// What opens the NOTE's words on why a take stopped early.
pub const STOPPED_EARLY: &str = "TAKE STOPPED EARLY: ";

/// What a take's NOTE says from its first header to its close: a file that still says it was
/// cut short (a power cut, a crash, its card pulled or failing), its audio ending at the last
/// commit before that. Removed when the recorder closes the file.
pub const NOT_CLOSED: &str = "TAKE NOT CLOSED: the recorder did not close this file (a power \
     cut, a crash, or its card pulled or failing); its audio ends at the last commit before that.";

/// `note` as a file being recorded says it: ending with [`NOT_CLOSED`].
pub fn open_note(note: &str) -> String {
    if note.is_empty() {
        NOT_CLOSED.to_string()
    } else {
        format!("{note} {NOT_CLOSED}")
    }
}

/// Whether a NOTE says its file was never closed (see [`NOT_CLOSED`]).
pub fn note_not_closed(note: &str) -> bool {
    note.contains(NOT_CLOSED)
}

/// What a loss marker says was lost at its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Loss {
    /// The device overran: frames never reached the recorder (how many is not known).
    Xrun,
    /// A full ring threw this many frames away.
    Drop(u64),
}

/// The label of a marker where a full ring threw `frames` frames away.
pub fn drop_label(frames: u64) -> String {
    format!("DROP {frames} frames")
}

impl Marker {
    /// The loss this marker stands for, if it is a loss marker (and not a user's marker).
    pub fn loss(&self) -> Option<Loss> {
        if self.label == XRUN {
            return Some(Loss::Xrun);
        }
        let n = self.label.strip_prefix("DROP ")?.strip_suffix(" frames")?;
        n.parse().ok().map(Loss::Drop)
    }
}

/// The NOTE's opening words on a take's losses.
pub fn losses_note(xruns: u64, frames_dropped: u64) -> String {
    format!("LOSSES: {xruns} xruns, {frames_dropped} frames dropped (ring full).")
}

/// The xruns and frames dropped that a NOTE's [`losses_note`] counts, if it has one.
pub fn note_losses(note: &str) -> Option<(u64, u64)> {
    let (_, rest) = note.split_once("LOSSES: ")?;
    let (xruns, rest) = rest.split_once(" xruns, ")?;
    let (dropped, _) = rest.split_once(" frames dropped")?;
    Some((xruns.parse().ok()?, dropped.parse().ok()?))
}

/// Why the take stopped early, as its NOTE says, if it did.
pub fn note_stopped_early(note: &str) -> Option<&str> {
    note.split_once(STOPPED_EARLY).map(|(_, why)| why.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_markers_and_notes_read_back_what_was_written() {
        assert_eq!(Marker::new(5, XRUN).loss(), Some(Loss::Xrun));
        assert_eq!(
            Marker::new(5, &drop_label(480)).loss(),
            Some(Loss::Drop(480))
        );
        for user in ["M1", "DROP", "DROP many frames", "XRUNS", "Chorus"] {
            assert_eq!(Marker::new(5, user).loss(), None, "{user}");
        }
        let note = format!(
            "pre-roll 2.00 s (96000 frames before REC). {} XRUN at 1.000 s (frame 48000); \
             {STOPPED_EARLY}DISK FULL: 0.3 MB left",
            losses_note(1, 480)
        );
        assert_eq!(note_losses(&note), Some((1, 480)));
        assert_eq!(note_stopped_early(&note), Some("DISK FULL: 0.3 MB left"));
        assert_eq!(note_losses("pre-roll 2.00 s."), None);
        assert_eq!(note_stopped_early("LOSSES: 0 xruns"), None);
        // A file being recorded says it is not closed yet, after whatever it says already.
        assert!(note_not_closed(&open_note("")));
        let open = open_note(&note);
        assert!(open.starts_with(&note) && note_not_closed(&open), "{open}");
        assert_eq!(note_losses(&open), Some((1, 480)));
        assert!(!note_not_closed(&note));
    }
}
