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
    let (opened, said) = caught(|| PCM::new(name, dir, false));
    match opened {
        Ok(pcm) => {
            if !said.is_empty() {
                // Nothing to replace it with: passed on as alsa-lib would have printed it.
                eprintln!("alsa-lib: {said}");
            }
            Ok(pcm)
        }
        Err(e) => Err(open_error(name, what, e, &said)),
    }
}

/// Runs `f` with the lines alsa-lib would print to stderr on this thread (such as
/// "(snd_config_get_card) Cannot get card index for 9" before a refused open) caught instead;
/// returns them, trimmed, beside `f`'s result, for the caller to say in its own words.
fn caught<T>(f: impl FnOnce() -> T) -> (T, String) {
    let Ok(lines) = ::alsa::Output::local_error_handler() else {
        return (f(), String::new());
    };
    let out = f();
    // SAFETY: clears this thread's local handler, which the call above set, so that alsa-lib
    // prints to stderr again as it did before; a null handler is alsa-lib's documented default.
    unsafe { alsa_sys::snd_lib_error_set_local(None) };
    let said = lines.borrow().to_string();
    (out, said.trim().to_string())
}

/// The message for a refused open; `said` is what alsa-lib itself said, kept where the errno
/// alone does not tell what went wrong.
fn open_error(name: &str, what: &str, e: ::alsa::Error, said: &str) -> OpenError {
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
        _ if said.is_empty() => OpenError::Failed(format!("cannot open {name} for {what}: {e}")),
        _ => OpenError::Failed(format!(
            "cannot open {name} for {what}: {e} (alsa-lib: {})",
            said.replace('\n', "; ")
        )),
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
