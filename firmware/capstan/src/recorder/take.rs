//! One take's files and its writer loop: the folder and files made and their headers synced
//! before the first frame, then the ring emptied into them, committed at every interval, with
//! every loss marked at its take position, until the take's end.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use capstan_board::audio::StreamSpec;
use capstan_bwf::ixml::Ixml;
use capstan_bwf::WavSpec;
use capstan_mixer::TakeMix;

use super::live::LiveTake;
use super::losses::TakeLosses;
use super::meta::{self, TakeMeta};
use super::mirror::{self, TakeMedia};
use super::naming;
use super::stream::StreamShared;
use super::{loss_note, mix, space, MirrorMissing, RecordError, RingTap, TakeReport, TakeRequest};
use crate::config::Layout;
use crate::engine::{EngineExit, EngineStats, Monitor};

/// When a take begins: REC's wall time and the frames of pre-roll before it.
pub(super) struct TakeStart {
    /// When REC was pressed.
    pub(super) rec: chrono::DateTime<chrono::Local>,
    /// Frames of the take before REC.
    pub(super) pre_roll: u64,
}

/// Where a take's frames come from.
pub(super) struct Feed<'a> {
    /// The ring's reading end.
    pub(super) tap: &'a mut RingTap,
    /// The input the ring is filled from: its counters, its exit, and whether it runs in real
    /// time.
    pub(super) input: &'a StreamShared,
    /// Stream position of the take's first frame.
    pub(super) first: u64,
    /// Set to end the take while the input goes on.
    pub(super) stop: &'a AtomicBool,
}

/// The mix a take keeps beside its tracks, when its monitor runs through the mixer.
pub(super) enum HeardMix<'a> {
    /// The take's own monitor, not yet running (`capstan record`): its mix is saved, and the
    /// board mix printed too if the config asks for one.
    Monitor(Option<&'a mut Monitor>),
    /// The mix a running input's monitor plays (the box): saved, not printed.
    Running(Option<&'a TakeMix>),
}

/// A take whose folder and files exist, headers on the card, no frame written yet.
pub(super) struct OpenTake {
    take: naming::TakeName,
    spec: StreamSpec,
    files: TakeMedia,
    print: Option<mix::TakePrint>,
    ixmls: Vec<Ixml>,
    /// The iXML NOTE's first part: the pre-roll, a mirror left out.
    start_note: String,
    /// Frames of the take before REC.
    pre_roll: u64,
    /// When REC was pressed.
    rec_time: chrono::DateTime<chrono::Local>,
}

impl OpenTake {
    /// Makes the take's folder and files and syncs their headers. The mix `heard` is saved
    /// with the take (see [`HeardMix`]).
    pub(super) fn create(
        req: &TakeRequest,
        spec: StreamSpec,
        start: &TakeStart,
        heard: HeardMix<'_>,
        live: &LiveTake,
    ) -> Result<OpenTake, RecordError> {
        let cfg = &req.config;
        let inputs = written_inputs(req.tracks.as_deref(), usize::from(spec.channels));
        let files = cfg.recorder.layout.files(inputs.len());
        // A card already below the reserve: no take folder of empty files, but DISK FULL.
        let reserve = take_reserve(spec, cfg, files);
        let fault = mirror::faults::of_folder(&req.out);
        let free = mirror::faults::free_bytes(fault.as_ref(), &req.out, 0);
        if let Some(free) = free.filter(|&free| free < reserve) {
            return Err(RecordError::DiskFull(space::no_room(
                &req.out, free, reserve,
            )));
        }
        let (take, mirror_dir, start_note) =
            match mirror::create_take(&req.out, cfg.recorder.mirror.as_deref(), &cfg.scene) {
                Ok((take, mirror_dir)) => (take, mirror_dir, String::new()),
                // The box records on the card alone when its mirror cannot be used at REC (see
                // MirrorMissing). The alert, the log and the NOTE say so.
                Err(RecordError::Mirror { mirror, source })
                    if req.mirror_missing == MirrorMissing::CardAlone =>
                {
                    let take = naming::create_next_take(&req.out, &cfg.scene)?;
                    let message = format!(
                    "MIRROR {} LEFT OUT at REC: {source}; the take records on the card ({}) alone",
                    mirror.display(),
                    req.out.display()
                );
                    tracing::error!("{message}");
                    live.medium_dropped(message.clone());
                    (take, None, format!("{message}."))
                }
                Err(e) => return Err(e),
            };
        let wav = WavSpec {
            channels: spec.channels,
            sample_rate: spec.rate,
            format: spec.format,
        };
        let groups: Vec<(PathBuf, std::ops::Range<usize>)> = match cfg.recorder.layout {
            Layout::Mono => inputs
                .iter()
                .map(|&c| (take.track_file(c, &cfg.track_name(c)), c..c + 1))
                .collect(),
            Layout::Poly => {
                let block = inputs[0]..inputs[inputs.len() - 1] + 1;
                if block.len() > inputs.len() {
                    tracing::warn!(
                        "a poly file holds one block of inputs: writing inputs {} to {}, the unarmed ones among them too",
                        block.start + 1,
                        block.end
                    );
                }
                vec![(take.poly_file(), block)]
            }
        };
        let tm = TakeMeta {
            project: cfg.project.clone(),
            take: take.clone(),
            rec: start.rec,
            pre_roll: start.pre_roll,
            timecode_rate: cfg.recorder.timecode_rate.clone(),
            family_uid: meta::new_family_uid(),
            total_files: groups.len() as u32,
            start_note,
        };
        let mut ixmls = Vec::with_capacity(groups.len());
        let specs: Vec<_> = groups
            .into_iter()
            .enumerate()
            .map(|(i, (path, chans))| {
                let tracks: Vec<(u32, String)> = chans
                    .clone()
                    .map(|c| (c as u32, cfg.track_name(c)))
                    .collect();
                let mut m = tm.file_meta(
                    WavSpec {
                        channels: chans.len() as u16,
                        ..wav
                    },
                    i,
                    &tracks,
                );
                ixmls.push(m.ixml.clone());
                // Until the take is closed, its files say they were not: a power cut leaves
                // them saying so (see `capstan_bwf::losses::NOT_CLOSED`).
                m.ixml.note = capstan_bwf::losses::open_note(&m.ixml.note);
                (path, chans, m)
            })
            .collect();
        let mut files = TakeMedia::create(wav, specs, mirror_dir.as_deref(), req.writer, live)?;
        let print = match heard {
            HeardMix::Running(Some(mix)) => {
                mix::save_running_mix(&tm, mix, cfg)?;
                None
            }
            HeardMix::Running(None) => None,
            HeardMix::Monitor(monitor) => mix::TakePrint::start(&tm, monitor, cfg, req.writer)?,
        };
        // Every header reaches the card before the first frame: a cut at any moment leaves files
        // that say what they hold.
        files.commit()?;
        sync_dir(&take.dir);
        sync_dir(&req.out);
        tracing::info!("recording take {} into {}", take.stem(), take.dir.display());
        let _ = live.take.set(take.clone());
        Ok(OpenTake {
            start_note: tm.start_note(spec.rate),
            pre_roll: start.pre_roll,
            rec_time: start.rec,
            take,
            spec,
            files,
            print,
            ixmls,
        })
    }

    /// Writes the take from `feed` until its stop flag is set or the input stops, then closes
    /// the files. Every loss between the take's first and last frame is counted at its take
    /// position, the pre-roll's included.
    pub(super) fn record(self, feed: Feed<'_>, req: &TakeRequest, live: &LiveTake) -> TakeReport {
        let OpenTake {
            take,
            spec,
            mut files,
            mut print,
            ixmls,
            start_note,
            pre_roll,
            rec_time,
        } = self;
        let Feed {
            tap,
            input,
            first,
            stop,
        } = feed;
        let (stats, exit) = (&*input.stats, &*input.exit);
        let cfg = &req.config;
        let writer_cpu0 = capstan_board::rusage::thread_cpu_time();
        let fb = spec.frame_bytes();
        let interval = cfg.commit_interval();
        // The wait when the ring is empty: a tenth of a second, or a period when that is
        // longer (the audio thread hands frames over a period at a time: waking sooner finds
        // nothing), and at most 200 ms (a STOP is seen within that). Each wake costs a small
        // core a trip through the scheduler (in the emulated Pi, waking every 43 ms period
        // cost the writer of a 32-track poly take a sixth more than ten times a second); the
        // ring is seconds deep, so ten wakes a second lose nothing.
        // A source that runs only as fast as the ring is read (the sim in fast mode) refills it
        // far faster than real time, so its wait is a millisecond: a tenth of a second there
        // only loses time (the first wait of a fast 64-track take, the ring still empty at its
        // start, cost a sixth of the take's time).
        let idle = if input.paced {
            Duration::from_millis(1)
        } else {
            Duration::from_secs_f64(cfg.recorder.period_frames as f64 / f64::from(spec.rate))
                .clamp(Duration::from_millis(100), Duration::from_millis(200))
        };
        let mut last_commit = Instant::now();
        let reserve = take_reserve(spec, cfg, ixmls.len());
        let mut losses = TakeLosses::since(stats);
        let take_stats = &live.stats;
        let stem = take.stem();
        let note_now = |losses: &TakeLosses| {
            let (dropped, xruns) = losses.counts();
            let lost = loss_note(
                spec.rate,
                dropped,
                xruns,
                losses.events(),
                losses.unlisted().events,
            );
            [start_note.as_str(), lost.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        };
        // A card already below the reserve at REC: the take is closed at once, as it would
        // be a second later, before a write can meet a full card.
        let mut failure = files.check_space(reserve).err();
        // Where the take ends (stream position), once its stop flag is seen.
        let mut end: Option<u64> = None;
        let mut ended_by_input = false;
        while failure.is_none() {
            if end.is_none() && stop.load(Ordering::Acquire) {
                end = Some(stats_position(stats));
            }
            let input_done = exit.get().is_some();
            let avail = tap.ready();
            // Losses up to the frames counted, and never past the take's end.
            let known = (tap.position() + avail as u64).min(end.unwrap_or(u64::MAX));
            losses.add(tap.losses_before(known), first, &stem, |at, l| {
                files.mark(at, l)
            });
            losses.count_unlisted(stats, &stem);
            for m in live.take_marks() {
                files.mark(m.position, &m.label);
            }
            let left = end.map_or(usize::MAX, |e| e.saturating_sub(tap.position()) as usize);
            let n = avail.min(files.room()).min(left);
            if n == 0 {
                if left == 0 {
                    break;
                }
                if input_done && avail == 0 {
                    ended_by_input = true;
                    break;
                }
                std::thread::sleep(idle);
            } else {
                let (_, res) = tap.read(n, |a, b| files.push(a).and_then(|()| files.push(b)));
                if let Some(Err(e)) = res {
                    failure = Some(space::write_failure(&e));
                    break;
                }
            }
            let caught_up = tap.position() >= first + pre_roll;
            update_take_counters(
                take_stats,
                stats,
                &losses,
                stats_position(stats) - first,
                caught_up,
            );
            mix::TakePrint::write(&mut print);
            if last_commit.elapsed() >= interval {
                mix::TakePrint::commit(&mut print);
                let frames = files.frames();
                losses.mark_ended_run(Some(frames), |at, l| files.mark(at, l));
                // New losses: the NOTE and the markers reach the iXML with this commit.
                let res = if losses.note_is_behind() {
                    let note = capstan_bwf::losses::open_note(&note_now(&losses));
                    files.update_ixml(|i| Ixml {
                        note: note.clone(),
                        ..ixmls[i].clone()
                    })
                } else {
                    Ok(())
                };
                if let Err(e) = res.and_then(|()| files.commit()) {
                    failure = Some(space::write_failure(&e));
                    break;
                }
                if let Err(full) = files.check_space(reserve) {
                    failure = Some(full);
                    break;
                }
                last_commit = Instant::now();
                tracing::debug!(frames = files.frames(), "commit");
            }
        }
        // The losses up to the take's last frame are the take's; later ones the next take's.
        tap.ready();
        let last = tap.losses_before(tap.position());
        losses.add(last, first, &stem, |at, l| files.mark(at, l));
        losses.count_unlisted(stats, &stem);
        losses.mark_ended_run(None, |at, l| files.mark(at, l));
        for m in live.take_marks() {
            files.mark(m.position.min(files.frames()), &m.label);
        }
        let print = mix::TakePrint::finish(print);
        let frames = files.frames();
        let (dropped, xruns) = losses.counts();
        update_take_counters(take_stats, stats, &losses, tap.position() - first, true);
        if first == 0 && pre_roll == 0 {
            // The stream began with the take: the audio thread's own mark is exact.
            take_stats.ring_high_water.fetch_max(
                stats.ring_high_water.load(Ordering::Relaxed),
                Ordering::Relaxed,
            );
        }
        // A take that stopped early says why in its notes, as it says its losses.
        let stopped =
            (failure.as_ref()).map(|f| format!("{}{f}", capstan_bwf::losses::STOPPED_EARLY));
        let note = [note_now(&losses), stopped.unwrap_or_default()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        // Closed: the NOTE no longer says the file was not.
        let finished = files.finish(|i| {
            Some(Ixml {
                note: note.clone(),
                ..ixmls[i].clone()
            })
        });
        sync_dir(&take.dir);
        let files = match finished {
            Ok(f) => f.into_iter().chain(print).collect(),
            Err(e) => {
                failure.get_or_insert(e.to_string());
                Vec::new()
            }
        };
        if !note.is_empty() {
            tracing::warn!("take {}: {note}", take.stem());
        }
        let per_second = fb as f64 * f64::from(spec.rate);
        let high = take_stats.ring_high_water.load(Ordering::Relaxed) as f64 / per_second;
        tracing::info!(
            "take {} done: {frames} frames, ring high-water {high:.2} s of {:.1} s",
            take.stem(),
            stats.ring_capacity.load(Ordering::Relaxed) as f64 / per_second
        );
        let allocations = capstan_board::alloc_guard::audio_allocations();
        if allocations > 0 {
            tracing::error!(
                "the audio thread allocated {allocations} times inside its cycle: a realtime bug, please report it"
            );
        } else {
            tracing::info!("audio thread: 0 allocations inside its cycle");
        }
        let writer_cpu = capstan_board::rusage::thread_cpu_time();
        // The audio thread's time is known once it has stopped (with the take, or later).
        let audio = if stats.stopped.load(Ordering::Acquire) {
            format!(
                "audio thread {:.3} s, ",
                stats.audio_cpu_ns.load(Ordering::Relaxed) as f64 / 1e9
            )
        } else {
            String::new()
        };
        tracing::info!(
            "cpu while recording: {audio}writer thread {:.3} s (setup before: {:.3} s)",
            writer_cpu.saturating_sub(writer_cpu0).as_secs_f64(),
            writer_cpu0.as_secs_f64()
        );
        TakeReport {
            dir: take.dir,
            files,
            frames,
            frames_dropped: dropped,
            xruns,
            losses: losses.into_events(),
            ring_high_water_secs: high,
            exit: match (ended_by_input, exit.get()) {
                (true, Some(e)) => *e,
                _ => EngineExit::Stopped,
            },
            failure,
            first_frame: first,
            pre_roll,
            rec_time,
        }
    }
}

/// Stream position of the audio thread's next frame.
fn stats_position(stats: &EngineStats) -> u64 {
    stats.frames_captured.load(Ordering::Acquire) + stats.frames_dropped.load(Ordering::Acquire)
}

/// Sets the take's counters the box shows from the input's: `span` stream frames since the
/// take's first, less the take's drops; the ring's fill, and its high-water mark once the
/// writer has `caught_up` with the pre-roll it found in the ring.
fn update_take_counters(
    take: &EngineStats,
    input: &EngineStats,
    losses: &TakeLosses,
    span: u64,
    caught_up: bool,
) {
    let (dropped, xruns) = losses.counts();
    take.frames_captured
        .store(span.saturating_sub(dropped), Ordering::Relaxed);
    take.frames_dropped.store(dropped, Ordering::Relaxed);
    take.xruns.store(xruns, Ordering::Relaxed);
    let fill = input.ring_fill.load(Ordering::Relaxed);
    take.ring_fill.store(fill, Ordering::Relaxed);
    take.ring_capacity.store(
        input.ring_capacity.load(Ordering::Relaxed),
        Ordering::Relaxed,
    );
    if caught_up {
        take.ring_high_water.fetch_max(fill, Ordering::Relaxed);
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The inputs a take writes: those asked for that the device has, in order; every input when
/// none is asked for or none of those asked for exists (a take always has a track).
fn written_inputs(asked: Option<&[usize]>, channels: usize) -> Vec<usize> {
    let mut inputs: Vec<usize> = asked
        .unwrap_or(&[])
        .iter()
        .copied()
        .filter(|&c| c < channels)
        .collect();
    inputs.sort_unstable();
    inputs.dedup();
    if inputs.is_empty() {
        inputs = (0..channels).collect();
    }
    inputs
}

/// The room a take of `files` files of `spec` keeps free on its card (see
/// [`space::take_reserve`]).
fn take_reserve(spec: StreamSpec, cfg: &crate::config::Config, files: usize) -> u64 {
    space::take_reserve(
        spec.frame_bytes() as u64 * u64::from(spec.rate),
        cfg.recorder.commit_interval,
        files,
    )
}

#[cfg(test)]
mod written_inputs_tests {
    use super::written_inputs;

    #[test]
    fn a_take_writes_the_inputs_asked_for_that_exist() {
        assert_eq!(written_inputs(None, 4), vec![0, 1, 2, 3]);
        assert_eq!(written_inputs(Some(&[3, 1, 1, 9]), 4), vec![1, 3]);
        assert_eq!(written_inputs(Some(&[9]), 2), vec![0, 1]);
        assert_eq!(written_inputs(Some(&[]), 2), vec![0, 1]);
    }
}
