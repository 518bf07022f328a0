//! Threads that sync a take's files at each commit. They are started with the take and each
//! holds a second handle to its share of the files, so a commit costs no thread start (which
//! is dear on a small core) while the syncs still wait for the medium together: a medium serves
//! several waiting syncs at once.

use std::fs::File;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

use capstan_bwf::writer::{WavWriter, WriteError};

/// Stack of a sync thread: it only calls `fdatasync`. Small, because the threads start with
/// the take, before memory is locked, and a locked stack is resident in full (the default
/// 2 MiB each would be 16 MiB for 8 threads).
const SYNC_STACK: usize = 64 * 1024;

/// One thread and its files.
#[derive(Debug)]
struct Worker {
    /// The first of its files, to name in an error of the thread itself.
    first: PathBuf,
    go: Option<mpsc::Sender<()>>,
    done: mpsc::Receiver<Result<(), WriteError>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// A thread that syncs `share` each time it is told to, until its channel closes.
    fn spawn(share: Vec<(PathBuf, File)>) -> Result<Worker, WriteError> {
        let first = share.first().map(|(p, _)| p.clone()).unwrap_or_default();
        let (go, go_rx) = mpsc::channel::<()>();
        let (done_tx, done) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("capstan-sync".into())
            .stack_size(SYNC_STACK)
            .spawn(move || {
                while go_rx.recv().is_ok() {
                    let res = share.iter().try_for_each(|(path, f)| {
                        f.sync_data().map_err(|source| WriteError {
                            path: path.clone(),
                            op: "syncing",
                            source,
                        })
                    });
                    if done_tx.send(res).is_err() {
                        break;
                    }
                }
            })
            .map_err(|source| WriteError {
                path: first.clone(),
                op: "starting a sync thread for",
                source,
            })?;
        Ok(Worker {
            first,
            go: Some(go),
            done,
            thread: Some(thread),
        })
    }
}

/// The sync threads of one take's files.
#[derive(Debug)]
pub struct SyncPool {
    workers: Vec<Worker>,
}

impl SyncPool {
    /// Starts up to `threads` threads sharing the files of `writers` (in runs of neighbours).
    pub fn start<'a>(
        writers: impl Iterator<Item = &'a WavWriter>,
        threads: usize,
    ) -> Result<SyncPool, WriteError> {
        let mut files = Vec::new();
        for w in writers {
            let handle = w
                .as_fd()
                .try_clone_to_owned()
                .map_err(|source| WriteError {
                    path: w.path().to_path_buf(),
                    op: "opening a second handle to",
                    source,
                })?;
            files.push((w.path().to_path_buf(), File::from(handle)));
        }
        let workers = super::share_out(files, threads)
            .into_iter()
            .map(Worker::spawn)
            .collect::<Result<_, _>>()?;
        Ok(SyncPool { workers })
    }

    /// Syncs every file (`fdatasync`), all threads at once; returns when all are done, with
    /// the first error.
    pub fn sync(&self) -> Result<(), WriteError> {
        for w in &self.workers {
            if let Some(go) = &w.go {
                // A worker that has gone shows below as a missing answer.
                let _ = go.send(());
            }
        }
        let mut res = Ok(());
        for w in &self.workers {
            let r = w.done.recv().unwrap_or_else(|_| {
                Err(WriteError {
                    path: w.first.clone(),
                    op: "syncing (its sync thread stopped)",
                    source: std::io::Error::other("sync thread gone"),
                })
            });
            res = res.and(r);
        }
        res
    }
}

impl Drop for SyncPool {
    fn drop(&mut self) {
        for w in &mut self.workers {
            // Closing the channel ends the thread's loop.
            drop(w.go.take());
            if let Some(t) = w.thread.take() {
                let _ = t.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capstan_bwf::writer::WriterOptions;
    use capstan_bwf::{FileMeta, SampleFormat, WavSpec};

    fn writers(n: usize, dir: &std::path::Path) -> Vec<WavWriter> {
        let spec = WavSpec {
            channels: 1,
            sample_rate: 48_000,
            format: SampleFormat::I16,
        };
        (0..n)
            .map(|i| {
                WavWriter::create(
                    &dir.join(format!("{i}.wav")),
                    spec,
                    &FileMeta::default(),
                    WriterOptions::default(),
                )
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn syncs_every_file_at_every_call_and_stops_its_threads() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = writers(7, dir.path());
        let pool = SyncPool::start(ws.iter(), 3).unwrap();
        assert_eq!(pool.workers.len(), 3, "7 files in runs of 3, 3 and 1");
        for round in 0..3u8 {
            for w in &mut ws {
                w.write_frames(&[round, 0]).unwrap();
                w.update_header().unwrap();
            }
            pool.sync().unwrap();
        }
        drop(pool);
        for w in ws {
            let f = w.finish().unwrap();
            assert_eq!(f.frames, 3);
        }
    }

    #[test]
    fn a_failing_sync_names_its_file_and_the_others_still_answer() {
        let dir = tempfile::tempdir().unwrap();
        let ws = writers(2, dir.path());
        let mut pool = SyncPool::start(ws.iter(), 2).unwrap();
        // A pipe cannot be synced (EINVAL): a stand-in for a failing medium.
        let (r, _w) = std::io::pipe().unwrap();
        let pipe = File::from(std::os::fd::OwnedFd::from(r));
        pool.workers
            .push(Worker::spawn(vec![(PathBuf::from("/a/pipe"), pipe)]).unwrap());
        for _ in 0..2 {
            let e = pool.sync().unwrap_err();
            assert_eq!(
                (e.path.as_path(), e.op),
                (std::path::Path::new("/a/pipe"), "syncing")
            );
        }
    }
}
