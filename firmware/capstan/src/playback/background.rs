//! A playback running on its own threads while the box's loop goes on: started by PLAY,
//! stopped by STOP or at the end of the take.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use capstan_board::audio::PlaybackSink;
use capstan_mixer::tracks::WithoutMix;
use capstan_mixer::{TakeMix, TakeTracks};

use super::player::{play, PlayOptions, PlayReport};

/// A take playing in the background.
pub struct Playing {
    /// `<SCENE>-T<NNN>` of the take playing.
    pub stem: String,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<PlayReport, String>>,
}

impl Playing {
    /// Opens the take in `dir` (its saved mix, else a plain one), opens the sink for its mix
    /// with `open` and starts playing from frame `from`, the audio thread at SCHED_FIFO
    /// `priority` if given.
    pub fn start<S, F>(
        dir: &Path,
        from: u64,
        priority: Option<i32>,
        open: F,
    ) -> Result<Playing, String>
    where
        S: PlaybackSink + 'static,
        F: FnOnce(&TakeMix) -> Result<S, String>,
    {
        let take = Arc::new(TakeTracks::open_with(dir, WithoutMix::Plain)?);
        if let Some(short) = take.short_tracks() {
            tracing::warn!("{}: {short}", take.stem);
        }
        let sink = open(&take.mix)?;
        let stop = Arc::new(AtomicBool::new(false));
        let o = PlayOptions {
            from,
            read_ahead_seconds: super::readahead::MIN_SECONDS,
            wait_for_reader: false,
            stop: stop.clone(),
            priority,
        };
        let stem = take.stem.clone();
        let thread = thread::Builder::new()
            .name("capstan-player".into())
            .spawn(move || play(take, sink, &o).map(|(_, report)| report))
            .map_err(|e| format!("cannot start the player thread: {e}"))?;
        Ok(Playing { stem, stop, thread })
    }

    /// True once the take has played to its end (or failed).
    pub fn has_ended(&self) -> bool {
        self.thread.is_finished()
    }

    /// Stops playback (if still playing) and returns what it did.
    pub fn stop(self) -> Result<PlayReport, String> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread
            .join()
            .unwrap_or_else(|_| Err("the player thread panicked".into()))
    }
}
