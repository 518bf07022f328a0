//! One medium of a mirrored take: its take folder and files, the failures injected into it,
//! and what is left of it once dropped.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use capstan_bwf::ixml::Ixml;
use capstan_bwf::writer::WriteError;

use super::faults;
use crate::recorder::files::TakeFiles;

/// One medium a take is written to, with the take's files on it.
#[derive(Debug)]
pub(super) struct Medium {
    /// "card" or "mirror", as messages name it.
    pub(super) role: &'static str,
    /// The take's folder on this medium.
    pub(super) dir: PathBuf,
    pub(super) files: TakeFiles,
    pub(super) fault: Option<faults::MediumFault>,
}

impl Medium {
    /// An injected failure due at this point of the take, as the write error it stands for.
    pub(super) fn injected(&self, op: faults::Op, frames: u64) -> Result<(), WriteError> {
        match self.fault.as_ref().and_then(|f| f.error(op, frames)) {
            Some(source) => Err(WriteError {
                path: self.files.paths().next().unwrap_or(&self.dir).to_path_buf(),
                op: op.describe(),
                source,
            }),
            None => Ok(()),
        }
    }

    /// The medium's free bytes (or what an injected fault says).
    pub(super) fn free_bytes(&self, frames: u64) -> Option<u64> {
        faults::free_bytes(self.fault.as_ref(), &self.dir, frames)
    }
}

impl Medium {
    /// Closes the files of this medium, dropped from the take, on a thread of their own (a
    /// failing card may be slow to answer), each with its final iXML from `ixmls`.
    pub(super) fn close(self, ixmls: Vec<Ixml>) -> Option<Dropped> {
        let files = self.files;
        let closing = std::thread::Builder::new()
            .name("capstan-drop".into())
            .spawn(move || {
                // Best effort: the medium has failed once already.
                if let Err(e) = files.finish(|i| ixmls.get(i).cloned()) {
                    tracing::warn!("closing the files of a dropped medium: {e}");
                }
            });
        match closing {
            Ok(closing) => Some(Dropped {
                dir: self.dir,
                closing,
            }),
            Err(e) => {
                tracing::warn!("cannot start closing the dropped medium's files: {e}");
                None
            }
        }
    }
}

/// A medium taken out of the take, its files being closed on a thread of their own.
#[derive(Debug)]
pub(super) struct Dropped {
    pub(super) dir: PathBuf,
    pub(super) closing: JoinHandle<()>,
}

/// `x` with `note` put before its own NOTE: a NOTE too long for its room is cut at its end,
/// and which media hold the take matters more than the last of a long list of losses.
pub(super) fn with_note(x: &Ixml, note: &str) -> Ixml {
    let mut x = x.clone();
    if !note.is_empty() {
        x.note = if x.note.is_empty() {
            note.to_string()
        } else {
            format!("{note} {}", x.note)
        };
    }
    x
}

/// Syncs a folder's entries (best effort).
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_media_note_comes_first_so_a_cut_keeps_it() {
        let mut x = Ixml {
            note: "LOSSES: 1 xruns".into(),
            ..Default::default()
        };
        assert_eq!(with_note(&x, "").note, "LOSSES: 1 xruns");
        assert_eq!(
            with_note(&x, "MIRROR DROPPED.").note,
            "MIRROR DROPPED. LOSSES: 1 xruns"
        );
        x.note.clear();
        assert_eq!(with_note(&x, "MIRROR DROPPED.").note, "MIRROR DROPPED.");
    }
}
