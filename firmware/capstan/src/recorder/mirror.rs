//! Mirror recording, as a field recorder does with two cards: the same take written to two
//! media at once, in folders of the same name, with the same headers, commits and markers.
//! When writing to or syncing one medium fails (an I/O error, a full card, or its DISK FULL
//! reserve reached), that medium is dropped: the error is logged, shown as an alert, written
//! into the iXML NOTE of the files left, and the take goes on on the other medium. When the
//! last medium fails, the take stops as it does without a mirror.

use std::ops::Range;
use std::path::{Path, PathBuf};

use capstan_bwf::ixml::Ixml;
use capstan_bwf::writer::{FinishedFile, WriteError, WriterOptions};
use capstan_bwf::{FileMeta, WavSpec};

use super::files::TakeFiles;
use super::live::LiveTake;
use super::space;

pub mod faults;
mod folders;
mod medium;

pub use folders::{check_mirror_folder, create_take, create_take_folders};
use medium::{sync_dir, with_note, Dropped, Medium};

/// The files of a take on every medium it is written to: the card, and the mirror when there
/// is one. Takes the same calls as [`TakeFiles`] and passes each to every medium left.
#[derive(Debug)]
pub struct TakeMedia {
    media: Vec<Medium>,
    dropped: Vec<Dropped>,
    /// Each file's iXML as last given, before the media note is added.
    ixmls: Vec<Ixml>,
    /// What happened to the media, for the NOTE of the files left.
    note: String,
    /// The note has changed since the iXML was last written.
    note_pending: bool,
    /// The take folders have been synced (at the first commit).
    dirs_synced: bool,
    live: LiveTake,
}

impl TakeMedia {
    /// Creates every file of the take in its folder on the card and, with `mirror_dir` (the
    /// take's folder on the mirror), the same files there. `files` and `stream` are as for
    /// [`TakeFiles::create`]; the files' paths are on the card. Dropped media are reported
    /// through `live`.
    pub fn create(
        stream: WavSpec,
        files: Vec<(PathBuf, Range<usize>, FileMeta)>,
        mirror_dir: Option<&Path>,
        opts: WriterOptions,
        live: &LiveTake,
    ) -> Result<TakeMedia, WriteError> {
        let ixmls = files.iter().map(|f| f.2.ixml.clone()).collect();
        let card_dir = files
            .first()
            .and_then(|f| f.0.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mirrored = mirror_dir.map(|dir| {
            let files: Vec<_> = files
                .iter()
                .map(|(path, chans, meta)| {
                    let name = path.file_name().unwrap_or(path.as_os_str());
                    (dir.join(name), chans.clone(), meta.clone())
                })
                .collect();
            (dir.to_path_buf(), files)
        });
        let mut media = vec![Medium {
            role: "card",
            fault: faults::lookup(&card_dir),
            files: TakeFiles::create(stream, files, opts)?,
            dir: card_dir,
        }];
        if let Some((dir, files)) = mirrored {
            media.push(Medium {
                role: "mirror",
                fault: faults::lookup(&dir),
                files: TakeFiles::create(stream, files, opts)?,
                dir,
            });
        }
        Ok(TakeMedia {
            media,
            dropped: Vec::new(),
            ixmls,
            note: String::new(),
            note_pending: false,
            dirs_synced: false,
            live: live.clone(),
        })
    }

    /// The take's folder on each medium still written to, the card first.
    pub fn dirs(&self) -> impl Iterator<Item = &Path> {
        self.media.iter().map(|m| m.dir.as_path())
    }

    /// Frames on disk (written, not necessarily committed) plus buffered.
    pub fn frames(&self) -> u64 {
        self.media[0].files.frames()
    }

    /// Frames that fit in the buffers before the next write.
    pub fn room(&self) -> usize {
        self.media[0].files.room()
    }

    /// Runs `f` on every medium; a medium it fails on is dropped, unless it is the last one:
    /// then the error is returned and the medium kept, for the take to close its files as it
    /// would without a mirror.
    fn each(
        &mut self,
        op: faults::Op,
        mut f: impl FnMut(&mut Medium) -> Result<(), WriteError>,
    ) -> Result<(), WriteError> {
        let frames = self.frames();
        let mut i = 0;
        while i < self.media.len() {
            let m = &mut self.media[i];
            match m.injected(op, frames).and_then(|()| f(m)) {
                Ok(()) => i += 1,
                Err(e) if self.media.len() == 1 => return Err(e),
                Err(e) => self.drop_medium(i, space::write_failure(&e)),
            }
        }
        Ok(())
    }

    /// Takes medium `i` out of the take because of `why`: logs it, alerts, notes it in the
    /// other files, and closes its files on a thread of their own (a failing card may be slow
    /// to answer).
    fn drop_medium(&mut self, i: usize, why: String) {
        let m = self.media.remove(i);
        let frames = self.frames().max(m.files.frames());
        let rate = self.ixmls.first().map_or(1, |x| x.file_sample_rate.max(1));
        let at = frames as f64 / f64::from(rate);
        let left: Vec<String> = self
            .media
            .iter()
            .map(|m| format!("the {} ({})", m.role, m.dir.display()))
            .collect();
        let message = format!(
            "{} {} DROPPED at {at:.3} s (frame {frames}): {why}; recording goes on on {}",
            m.role.to_uppercase(),
            m.dir.display(),
            left.join(" and ")
        );
        tracing::error!("{message}");
        self.live.medium_dropped(message.clone());
        if !self.note.is_empty() {
            self.note.push(' ');
        }
        self.note.push_str(&message);
        self.note.push('.');
        self.note_pending = true;
        let ends = format!(
            "{} COPY ENDS at or before {at:.3} s (frame {frames}; the frames not yet on the card \
             when it failed are not in it): {why}; the take goes on on {}.",
            m.role.to_uppercase(),
            left.join(" and ")
        );
        let ixmls: Vec<Ixml> = self.ixmls.iter().map(|x| with_note(x, &ends)).collect();
        self.dropped.extend(m.close(ixmls));
    }

    /// Takes interleaved frames (at most [`Self::room`]) into every medium's files.
    pub fn push(&mut self, interleaved: &[u8]) -> Result<(), WriteError> {
        self.each(faults::Op::Write, |m| m.files.push(interleaved))
    }

    /// Marks every file on every medium at `position` with `label`.
    pub fn mark(&mut self, position: u64, label: &str) {
        for m in &mut self.media {
            m.files.mark(position, label);
        }
    }

    /// Rewrites every file's iXML in place; `ixml_for` gives file `i`'s, to which the note of
    /// dropped media is added.
    pub fn update_ixml(&mut self, ixml_for: impl Fn(usize) -> Ixml) -> Result<(), WriteError> {
        self.ixmls = (0..self.ixmls.len()).map(ixml_for).collect();
        self.write_ixml()
    }

    fn write_ixml(&mut self) -> Result<(), WriteError> {
        let ixmls: Vec<Ixml> = self
            .ixmls
            .iter()
            .map(|x| with_note(x, &self.note))
            .collect();
        self.note_pending = false;
        self.each(faults::Op::Write, |m| {
            m.files.update_ixml(|i| ixmls[i].clone())
        })
    }

    /// Writes what is buffered, updates every header (with the note of a medium dropped since
    /// the last commit) and syncs every file on every medium.
    pub fn commit(&mut self) -> Result<(), WriteError> {
        self.each(faults::Op::Sync, |m| m.files.commit())?;
        if self.note_pending {
            self.write_ixml()?;
            self.each(faults::Op::Sync, |m| m.files.commit())?;
        }
        if !self.dirs_synced {
            self.dirs_synced = true;
            for m in &self.media {
                sync_dir(&m.dir);
                if let Some(parent) = m.dir.parent() {
                    sync_dir(parent);
                }
            }
        }
        Ok(())
    }

    /// Checks each medium's free space against `reserve` bytes; a medium below it is dropped
    /// with a DISK FULL message. When the last one is, its message is returned, for the take to
    /// stop there.
    pub fn check_space(&mut self, reserve: u64) -> Result<(), String> {
        let frames = self.frames();
        let mut i = 0;
        while i < self.media.len() {
            let m = &self.media[i];
            match m.free_bytes(frames) {
                Some(free) if free < reserve => {
                    if self.media.len() == 1 {
                        return Err(space::disk_full(&m.dir, free, reserve));
                    }
                    let full = format!(
                        "DISK FULL: {:.1} MB left, less than the {:.1} MB a take keeps to close \
                         its files safely; this copy was closed here",
                        free as f64 / 1e6,
                        reserve as f64 / 1e6
                    );
                    self.drop_medium(i, full);
                }
                _ => i += 1,
            }
        }
        Ok(())
    }

    /// Finishes every file on every medium left; `ixml_for(i)`, when it gives one, is file
    /// `i`'s final iXML (the note of dropped media added to it). Returns the files of the first
    /// medium that finished well (the card's, unless it was dropped or failed here), or the
    /// first error when none did. Waits for a dropped medium's files to close only if they
    /// already have: a failing card must not hold the take's end.
    pub fn finish(
        self,
        ixml_for: impl Fn(usize) -> Option<Ixml> + Sync,
    ) -> Result<Vec<FinishedFile>, WriteError> {
        let note = self.note;
        let ixmls = self.ixmls;
        let final_ixml = |i: usize| match ixml_for(i) {
            Some(x) => Some(with_note(&x, &note)),
            None if note.is_empty() => None,
            None => ixmls.get(i).map(|x| with_note(x, &note)),
        };
        let mut kept: Option<Vec<FinishedFile>> = None;
        let mut first_err = None;
        for m in self.media {
            let (role, dir) = (m.role, m.dir.clone());
            let done = m.files.finish(final_ixml);
            sync_dir(&dir);
            match done {
                Ok(files) if kept.is_none() => kept = Some(files),
                Ok(files) => {
                    tracing::info!("{role}: {} files closed in {}", files.len(), dir.display())
                }
                Err(e) => {
                    tracing::error!("{role} {}: closing the take's files: {e}", dir.display());
                    first_err.get_or_insert(e);
                }
            }
        }
        for d in self.dropped {
            if d.closing.is_finished() {
                let _ = d.closing.join();
                sync_dir(&d.dir);
            } else {
                tracing::warn!(
                    "the dropped medium's files in {} are still closing",
                    d.dir.display()
                );
            }
        }
        match (kept, first_err) {
            (Some(files), _) => Ok(files),
            (None, Some(e)) => Err(e),
            (None, None) => Ok(Vec::new()),
        }
    }
}
