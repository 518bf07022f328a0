//! Playback to an ALSA device through alsa-lib's mmap: the monitor output, and the test-signal
//! player of the VM tests.

use ::alsa::pcm::PCM;
use ::alsa::Direction;

use super::hw::{configure, HwRequest, HwSetup};
use super::{fatal_reason, open_pcm};
use crate::audio::OpenError;

/// A playback failure. Small and `Copy` for the audio thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlaybackError {
    /// The device failed for good.
    #[error("playback device failed: {0}")]
    Fatal(&'static str),
}

/// A playback stream on a real device, in its wire format.
#[derive(Debug)]
pub struct AlsaPlayback {
    pcm: PCM,
    setup: HwSetup,
    started: bool,
    underruns: u64,
    prefill_periods: usize,
    silence: Vec<u8>,
}

impl AlsaPlayback {
    /// Opens `name` for playback and negotiates `req` with it. The stream starts once
    /// `prefill_periods` periods are queued (silence is queued first by [`Self::prefill`]).
    pub fn open(name: &str, req: &HwRequest, prefill_periods: usize) -> Result<Self, OpenError> {
        let pcm = open_pcm(name, Direction::Playback)?;
        let setup = configure(&pcm, name, req)?;
        let prefill_periods =
            prefill_periods.clamp(1, (setup.buffer_frames / setup.period_frames).max(1));
        let silence = vec![0u8; setup.period_frames * setup.frame_bytes()];
        Ok(AlsaPlayback {
            pcm,
            setup,
            started: false,
            underruns: 0,
            prefill_periods,
            silence,
        })
    }

    /// What the device agreed to.
    pub fn setup(&self) -> HwSetup {
        self.setup
    }

    /// Underruns so far (each was recovered by queueing silence again).
    pub fn underruns(&self) -> u64 {
        self.underruns
    }

    /// Queues the prefill silence and starts the stream. This is realtime-safe.
    pub fn prefill(&mut self) -> Result<(), PlaybackError> {
        for _ in 0..self.prefill_periods {
            let mut off = 0;
            while off < self.silence.len() {
                let n = self.put(off, None)?;
                if n == 0 {
                    break;
                }
                off += n * self.setup.frame_bytes();
            }
        }
        self.pcm
            .start()
            .map_err(|e| PlaybackError::Fatal(fatal_reason(e.errno())))?;
        self.started = true;
        Ok(())
    }

    /// Copies frames from `src` (or silence) into the device buffer at `off`; returns frames put.
    fn put(&mut self, off: usize, src: Option<&[u8]>) -> Result<usize, PlaybackError> {
        let fb = self.setup.frame_bytes();
        let data = match src {
            Some(s) => &s[off..],
            None => &self.silence[off..],
        };
        let want = data.len() / fb;
        let io = self.pcm.io_bytes();
        let res = io.mmap(want, |buf| {
            let n = buf.len().min(data.len()) / fb;
            buf[..n * fb].copy_from_slice(&data[..n * fb]);
            n
        });
        drop(io);
        match res {
            Ok(n) => Ok(n),
            Err(e) => self.recover(e).map(|()| 0),
        }
    }

    fn recover(&mut self, e: ::alsa::Error) -> Result<(), PlaybackError> {
        let errno = e.errno();
        if errno != libc::EPIPE && errno != libc::ESTRPIPE {
            return Err(PlaybackError::Fatal(fatal_reason(errno)));
        }
        self.underruns += 1;
        self.started = false;
        self.pcm.recover(-errno, true).map_err(|_| {
            PlaybackError::Fatal("the playback device did not come back after an underrun")
        })
    }

    /// Queues what fits of `src` (whole frames in the wire format) without waiting and returns
    /// the frames queued; the rest is for the caller to drop or retry. An underrun is recovered
    /// and counted. This is realtime-safe.
    ///
    /// The device is asked for its room once (which also finds an underrun); the frames then
    /// go in as many pieces as the end of its buffer cuts them into, each piece's room known
    /// from that answer and the commits since. On arm64 (no mapped status page) each question
    /// is a system call, and this runs once a period.
    pub fn write_nonblocking(&mut self, src: &[u8]) -> Result<usize, PlaybackError> {
        if !self.started {
            self.prefill()?;
        }
        let fb = self.setup.frame_bytes();
        let room = loop {
            match self.pcm.avail_update() {
                Ok(n) => break n as usize,
                Err(e) => {
                    self.recover(e)?;
                    self.prefill()?;
                }
            }
        };
        let want = (src.len() / fb).min(room);
        let mut done = 0;
        while done < want {
            let n = self.put(done * fb, Some(&src[..want * fb]))?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }

    /// Queues all of `src`, waiting for room as the device plays. For the test-signal player,
    /// not the audio thread.
    pub fn write_all(&mut self, src: &[u8]) -> Result<(), PlaybackError> {
        let fb = self.setup.frame_bytes();
        let mut done = 0;
        while done < src.len() {
            let n = self.write_nonblocking(&src[done..])?;
            done += n * fb;
            if done < src.len() {
                match self.pcm.wait(Some(2000)) {
                    Ok(true) => {}
                    Ok(false) => {
                        return Err(PlaybackError::Fatal(
                            "the playback device stopped taking audio",
                        ))
                    }
                    Err(e) => self.recover(e)?,
                }
            }
        }
        Ok(())
    }

    /// Lets what is queued play out, then stops.
    pub fn drain(&mut self) {
        let _ = self.pcm.drain();
    }
}
