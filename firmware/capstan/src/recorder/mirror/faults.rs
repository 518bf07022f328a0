//! Test hook: failures injected into one medium of a take, so the dropping of a medium is
//! tested without a failing card. A fault is registered for the folder takes are recorded to
//! (the `out` or the mirror folder) and applies to every take started there afterwards, until
//! it is cleared. A real device failing under the file system (dm-flakey) is a case for the
//! tests against kernel drivers.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a medium is doing when an injected failure strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Writing audio or a header.
    Write,
    /// Syncing the files at a commit.
    Sync,
}

impl Op {
    /// The operation as a write error names it.
    pub fn describe(self) -> &'static str {
        match self {
            Op::Write => "writing audio to",
            Op::Sync => "syncing",
        }
    }
}

/// Failures of one medium.
#[derive(Debug, Clone, Default)]
pub struct MediumFault {
    /// Every `Op` fails with the system error number (such as `libc::EIO`) once the take has
    /// this many frames: (op, frame, errno).
    pub fail: Option<(Op, u64, i32)>,
    /// The medium reports this many free bytes once the take has this many frames: (frame,
    /// bytes).
    pub free_bytes: Option<(u64, u64)>,
}

impl MediumFault {
    /// The error `op` meets with the take at `frames`, if any.
    pub fn error(&self, op: Op, frames: u64) -> Option<io::Error> {
        match self.fail {
            Some((o, from, errno)) if o == op && frames >= from => {
                Some(io::Error::from_raw_os_error(errno))
            }
            _ => None,
        }
    }

    /// The free space the medium reports with the take at `frames`, if set.
    pub fn free_bytes(&self, frames: u64) -> Option<u64> {
        self.free_bytes
            .and_then(|(from, bytes)| (frames >= from).then_some(bytes))
    }
}

static FAULTS: Mutex<Vec<(PathBuf, MediumFault)>> = Mutex::new(Vec::new());

fn faults() -> std::sync::MutexGuard<'static, Vec<(PathBuf, MediumFault)>> {
    FAULTS.lock().unwrap_or_else(|p| p.into_inner())
}

/// Makes the medium of every take recorded into `folder` fail as `fault` says.
pub fn inject(folder: &Path, fault: MediumFault) {
    let mut f = faults();
    f.retain(|(p, _)| p != folder);
    f.push((folder.to_path_buf(), fault));
}

/// Takes the fault off `folder`.
pub fn clear(folder: &Path) {
    faults().retain(|(p, _)| p != folder);
}

/// The fault of the folder holding the take folder `take_dir`.
pub(crate) fn lookup(take_dir: &Path) -> Option<MediumFault> {
    of_folder(take_dir.parent()?)
}

/// The free bytes of the file system holding `dir`, or what `fault` says with the take at
/// `frames`.
pub(crate) fn free_bytes(fault: Option<&MediumFault>, dir: &Path, frames: u64) -> Option<u64> {
    match fault.and_then(|f| f.free_bytes(frames)) {
        Some(free) => Some(free),
        None => crate::recorder::space::free_bytes(dir),
    }
}

/// The fault of `folder`, a folder takes are recorded to.
pub(crate) fn of_folder(folder: &Path) -> Option<MediumFault> {
    faults()
        .iter()
        .find(|(p, _)| p == folder)
        .map(|(_, f)| f.clone())
}
