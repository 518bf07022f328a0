//! The real audio interface, through alsa-lib: capture ([`AlsaCapture`]), monitor and test
//! playback ([`AlsaPlayback`]) and the device survey behind `capstan devices` ([`devices`]).
//!
//! Transfers use alsa-lib's mmap (`snd_pcm_mmap_begin`/`commit`), which works on arm64 where the
//! direct mapping of the PCM status page does not (the Pi's kernel refuses it with ENXIO).

mod capture;
pub mod devices;
mod hw;
mod playback;

pub use capture::AlsaCapture;
pub use hw::{DeviceFormat, HwRequest, HwSetup, DEFAULT_FORMATS};
pub use playback::{AlsaPlayback, PlaybackError};

use super::OpenError;
use ::alsa::pcm::PCM;
use ::alsa::Direction;

/// Opens `name` (`hw:X,Y[,Z]`, or any ALSA PCM name) for capture or playback, turning alsa-lib's
/// errno into a message that says what to do.
pub(crate) fn open_pcm(name: &str, dir: Direction) -> Result<PCM, OpenError> {
    let what = match dir {
        Direction::Capture => "capture",
        Direction::Playback => "playback",
    };
    if name.contains('\0') {
        return Err(OpenError::NoDevice(format!(
            "'{name}' is not a device name"
        )));
    }
    PCM::new(name, dir, false).map_err(|e| open_error(name, what, e))
}

fn open_error(name: &str, what: &str, e: ::alsa::Error) -> OpenError {
    match e.errno() {
        libc::EBUSY => OpenError::Busy(format!(
            "{name} is busy: another program has it open for {what} (stop it, or check `fuser -v /dev/snd/*`)"
        )),
        libc::ENOENT | libc::ENODEV | libc::ENXIO => OpenError::NoDevice(format!(
            "no {what} device {name}: is the interface plugged in and powered? `capstan devices` lists what there is"
        )),
        libc::EACCES | libc::EPERM => OpenError::NoDevice(format!(
            "no permission to open {name} for {what}: run as a member of the 'audio' group"
        )),
        libc::EINVAL => OpenError::NoDevice(format!(
            "'{name}' is not a {what} device name ALSA knows: use hw:CARD,DEVICE such as hw:1,0 (see `capstan devices`)"
        )),
        _ => OpenError::Failed(format!("cannot open {name} for {what}: {e}")),
    }
}

/// Maps an ALSA error met on the audio thread to a fixed message (no allocation).
pub(crate) fn fatal_reason(errno: i32) -> &'static str {
    match errno {
        libc::ENODEV => "the audio interface disappeared (unplugged or powered off)",
        libc::EBADFD => "the audio device is in a bad state (EBADFD)",
        libc::EIO => "the audio device reported an I/O error",
        _ => "the audio device failed (ALSA error)",
    }
}
