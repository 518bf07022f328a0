//! Capture from an ALSA device through alsa-lib's mmap.

use ::alsa::pcm::{State, PCM};
use ::alsa::poll::{pollfd, Descriptors, Flags};
use ::alsa::Direction;

use super::hw::{configure, DeviceFormat, HwRequest, HwSetup};
use super::{fatal_reason, open_pcm};
use crate::audio::{CaptureError, CaptureSource, OpenError, StreamSpec};

/// How long [`CaptureSource::wait`] waits for a period before it calls the device dead.
const STALL_TIMEOUT_MS: u32 = 2000;

/// A capture stream on a real device. Opened and configured off the audio thread; after
/// [`CaptureSource::start`] everything it does is realtime-safe.
#[derive(Debug)]
pub struct AlsaCapture {
    pcm: PCM,
    setup: HwSetup,
    /// The device's poll descriptors, made when it is opened.
    fds: Vec<pollfd>,
    /// An overrun met after some frames were already read: reported by the next
    /// [`CaptureSource::wait`], so it lands at its exact place in the take.
    pending_xrun: bool,
}

impl AlsaCapture {
    /// Opens `name` for capture and negotiates `req` with it.
    pub fn open(name: &str, req: &HwRequest) -> Result<Self, OpenError> {
        let pcm = open_pcm(name, Direction::Capture)?;
        let setup = configure(&pcm, name, req)?;
        let fds = Descriptors::get(&pcm).map_err(|e| {
            OpenError::Failed(format!(
                "{name}: cannot wait on the device (poll descriptors): {e}"
            ))
        })?;
        Ok(AlsaCapture {
            pcm,
            setup,
            fds,
            pending_xrun: false,
        })
    }

    /// Waits until the device has frames for the audio thread (`Ok(true)`) or the stall
    /// timeout passes (`Ok(false)`); a stream that failed comes back as its error. What
    /// `snd_pcm_wait` does, without the system call it makes first to ask the stream's
    /// state (on arm64, with no mapped status page, every such question is one).
    /// This is realtime-safe.
    fn poll(&mut self) -> Result<bool, ::alsa::Error> {
        loop {
            match ::alsa::poll::poll(&mut self.fds, STALL_TIMEOUT_MS as i32) {
                Ok(0) => return Ok(false),
                Ok(_) => {}
                Err(e) if e.errno() == libc::EINTR => continue,
                Err(e) => return Err(e),
            }
            let revents = self.pcm.revents(&self.fds)?;
            if revents.intersects(Flags::ERR | Flags::NVAL) {
                let errno = match self.pcm.state() {
                    State::XRun => libc::EPIPE,
                    State::Suspended => libc::ESTRPIPE,
                    State::Disconnected => libc::ENODEV,
                    _ => libc::EIO,
                };
                return Err(::alsa::Error::new("snd_pcm_wait", errno));
            }
            if revents.contains(Flags::IN) {
                return Ok(true);
            }
        }
    }

    /// What the device agreed to.
    pub fn setup(&self) -> HwSetup {
        self.setup
    }

    /// Recovers from an error of the stream: an overrun or a suspend comes back as
    /// [`CaptureError::Xrun`] after the stream has been restarted. This is realtime-safe.
    fn recover(&mut self, e: ::alsa::Error) -> CaptureError {
        let errno = e.errno();
        if errno != libc::EPIPE && errno != libc::ESTRPIPE && errno != libc::EINTR {
            return CaptureError::Fatal(fatal_reason(errno));
        }
        if errno == libc::EINTR {
            return CaptureError::Xrun;
        }
        if self.pcm.recover(-errno, true).is_err() || self.pcm.start().is_err() {
            return CaptureError::Fatal("the audio device did not come back after an overrun");
        }
        CaptureError::Xrun
    }
}

impl CaptureSource for AlsaCapture {
    fn spec(&self) -> StreamSpec {
        StreamSpec {
            channels: self.setup.channels,
            rate: self.setup.rate,
            format: self.setup.format.sample_format(),
        }
    }

    fn period_frames(&self) -> usize {
        self.setup.period_frames
    }

    fn start(&mut self) -> Result<(), CaptureError> {
        self.pcm
            .start()
            .map_err(|e| CaptureError::Fatal(fatal_reason(e.errno())))
    }

    fn wait(&mut self) -> Result<usize, CaptureError> {
        if std::mem::take(&mut self.pending_xrun) {
            return Err(CaptureError::Xrun);
        }
        // The wait comes first: the last cycle took every frame the device had, so asking the
        // device before waiting finds less than a period nearly always, and on arm64 (no
        // mapped status page) each question is a system call.
        loop {
            match self.poll() {
                Ok(true) => {}
                Ok(false) => {
                    return Err(CaptureError::Fatal(
                        "no audio from the interface for 2 s: its clock stopped (unplugged, or its sync source is gone)",
                    ))
                }
                Err(e) => return Err(self.recover(e)),
            }
            match self.pcm.avail_update() {
                // More than a buffer ready means frames were overwritten: an overrun even if
                // the driver has not flagged it yet.
                Ok(n) if n as usize > self.setup.buffer_frames => {
                    let _ = self.pcm.drop();
                    return Err(
                        self.recover(::alsa::Error::new("snd_pcm_avail_update", libc::EPIPE))
                    );
                }
                Ok(n) if n as usize >= self.setup.period_frames => return Ok(n as usize),
                Ok(_) => {}
                Err(e) => return Err(self.recover(e)),
            }
        }
    }

    fn read(&mut self, dst: &mut [u8]) -> Result<usize, CaptureError> {
        let format = self.setup.format;
        let channels = usize::from(self.setup.channels);
        let out_frame = channels * format.sample_format().bytes();
        let want = dst.len() / out_frame;
        let mut done = 0;
        // The mapped area ends at the end of the device buffer: a wrap takes a second pass.
        while done < want {
            let io = self.pcm.io_bytes();
            let res = io.mmap(want - done, |buf| {
                let wire_frame = channels * format.bytes();
                let n = buf.len() / wire_frame;
                copy_in(
                    format,
                    &buf[..n * wire_frame],
                    &mut dst[done * out_frame..][..n * out_frame],
                );
                n
            });
            drop(io);
            match res {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) => {
                    let err = self.recover(e);
                    return if done > 0 && err == CaptureError::Xrun {
                        Ok(done)
                    } else {
                        Err(err)
                    };
                }
            }
        }
        Ok(done)
    }
}

/// Copies wire samples into file samples: a straight copy, except S24_LE whose padding byte is
/// dropped. This is realtime-safe.
pub(crate) fn copy_in(format: DeviceFormat, wire: &[u8], out: &mut [u8]) {
    if format == DeviceFormat::S24Le {
        for (o, w) in out.chunks_exact_mut(3).zip(wire.chunks_exact(4)) {
            o.copy_from_slice(&w[..3]);
        }
    } else {
        out.copy_from_slice(wire);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s24_le_drops_the_padding_byte() {
        let wire = [0x01, 0x02, 0x83, 0xFF, 0x04, 0x05, 0x06, 0x00];
        let mut out = [0u8; 6];
        copy_in(DeviceFormat::S24Le, &wire, &mut out);
        assert_eq!(out, [0x01, 0x02, 0x83, 0x04, 0x05, 0x06]);
    }

    #[test]
    fn other_formats_are_copied_bit_for_bit() {
        let wire: Vec<u8> = (0..24).collect();
        for f in [
            DeviceFormat::S32Le,
            DeviceFormat::S24_3Le,
            DeviceFormat::S16Le,
            DeviceFormat::FloatLe,
        ] {
            let mut out = vec![0u8; 24];
            copy_in(f, &wire, &mut out);
            assert_eq!(out, wire, "{}", f.name());
        }
    }
}
