//! A take being recorded on a thread of its own from the running input:
//! [`crate::recorder::record_take_running`] runs there until its stop flag is set; the UI reads
//! its counters and asks for markers meanwhile. The ring's reading end comes back with the
//! take's report.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use capstan_ui::BufferFill;

use crate::engine::Meters;
use crate::recorder::stream::StreamShared;
use crate::recorder::{
    record_take_running, LiveTake, RecordError, RingTap, TakeReport, TakeRequest,
};

use super::AppError;

/// What the writer thread hands back: the take's report and the ring's reading end.
type Finished = (Result<TakeReport, RecordError>, RingTap);

/// A running take.
pub struct Recording {
    live: LiveTake,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Finished>,
    meters: Arc<Meters>,
    rate: u32,
    /// The transport's number of the take.
    number: u32,
    /// User markers added so far.
    marks: u32,
}

impl Recording {
    /// Starts recording on a new thread, as the transport's take `number`, from the running
    /// input `input` whose ring's reading end is `tap`: REC was pressed at stream position
    /// `rec` (wall time `rec_time`), and the take begins the input's pre-roll before it.
    /// On error the reading end is handed back.
    pub fn start(
        tap: RingTap,
        input: StreamShared,
        meters: Arc<Meters>,
        (rec, rec_time): (u64, chrono::DateTime<chrono::Local>),
        req: TakeRequest,
        number: u32,
    ) -> Result<Recording, AppError> {
        let live = LiveTake::new();
        let stop = Arc::new(AtomicBool::new(false));
        let rate = input.spec.rate;
        let (l, s) = (live.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("capstan-writer".into())
            .spawn(move || {
                let mut tap = tap;
                let report = record_take_running(&mut tap, &input, rec, rec_time, &req, &s, &l);
                (report, tap)
            })
            .map_err(AppError::Thread)?;
        Ok(Recording {
            live,
            stop,
            thread,
            meters,
            rate,
            number,
            marks: 0,
        })
    }

    /// The transport's number of the take.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The take's name (`S01-T001`) once its folder exists.
    pub fn name(&self) -> Option<String> {
        self.live.take.get().map(|t| t.stem())
    }

    /// The take's sample rate.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Frames captured so far.
    pub fn frames(&self) -> u64 {
        self.live.stats.frames_captured.load(Ordering::Relaxed)
    }

    /// Frames lost to a full ring so far.
    pub fn frames_dropped(&self) -> u64 {
        self.live.stats.frames_dropped.load(Ordering::Relaxed)
    }

    /// Device overruns so far.
    pub fn xruns(&self) -> u64 {
        self.live.stats.xruns.load(Ordering::Relaxed)
    }

    /// The media dropped from the take so far (mirror recording), each with why.
    pub fn dropped_media(&self) -> Vec<String> {
        self.live.dropped_media()
    }

    /// How full the ring between the audio thread and the card is, now and at most.
    pub fn buffer(&self) -> BufferFill {
        let stats = &self.live.stats;
        BufferFill::from_bytes(
            stats.ring_fill.load(Ordering::Relaxed),
            stats.ring_high_water.load(Ordering::Relaxed),
            stats.ring_capacity.load(Ordering::Relaxed),
        )
    }

    /// Time recorded so far.
    pub fn elapsed(&self) -> Duration {
        Duration::from_secs_f64(self.frames() as f64 / f64::from(self.rate))
    }

    /// The meters of the take's inputs.
    pub fn meters(&self) -> &Meters {
        &self.meters
    }

    /// Adds the next user marker (`M1`, `M2`, ...) to every file of the take, at the take
    /// position of a press `ago` before now; returns its label and position.
    pub fn mark(&mut self, ago: Duration) -> (String, u64) {
        self.marks += 1;
        let label = format!("M{}", self.marks);
        let back = (ago.as_secs_f64() * f64::from(self.rate)) as u64;
        let position = self.frames().saturating_sub(back);
        self.live.mark(position, label.clone());
        (label, position)
    }

    /// True once the take ended by itself (a fault or the source's end).
    pub fn has_ended(&self) -> bool {
        self.thread.is_finished()
    }

    /// Stops the take and waits for its files to be closed; the ring's reading end comes back
    /// with the report (none if the writer thread panicked).
    pub fn stop(self) -> (Result<TakeReport, AppError>, Option<RingTap>) {
        self.stop.store(true, Ordering::Release);
        match self.thread.join() {
            Ok((result, tap)) => (result.map_err(AppError::Record), Some(tap)),
            Err(_) => (Err(AppError::WriterPanicked), None),
        }
    }
}
