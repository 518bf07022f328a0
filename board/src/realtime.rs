//! Realtime setup of the audio thread: SCHED_FIFO priority and locked memory. The system may
//! refuse both (no CAP_SYS_NICE, a low RLIMIT_RTPRIO or RLIMIT_MEMLOCK); callers warn and go on.

use std::io;

/// Gives the calling thread SCHED_FIFO at `priority` (1..=99).
pub fn set_fifo_priority(priority: i32) -> io::Result<()> {
    let param = libc::sched_param {
        sched_priority: priority,
    };
    // SAFETY: pthread_self() is always a valid handle for the calling thread, and `param` is a
    // valid sched_param that lives across the call.
    let rc = unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(rc))
    }
}

/// Locks every page the process has mapped now (the ring, the audio thread's buffers and
/// stacks) into memory, so the audio path never waits for a page fault, and keeps freed heap
/// memory in the process (see [`keep_freed_memory`]). Future allocations are left unlocked on
/// purpose: with MCL_FUTURE a later allocation past RLIMIT_MEMLOCK would fail.
pub fn lock_memory() -> io::Result<()> {
    // SAFETY: mlockall takes only flags and touches no memory of ours.
    let rc = unsafe { libc::mlockall(libc::MCL_CURRENT) };
    if rc == 0 {
        keep_freed_memory();
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Stops malloc from giving freed heap memory back to the system (its trim threshold off), as
/// realtime Linux programs do beside `mlockall`: what is locked stays the process's, a later
/// allocation reuses it without a page fault, and a free on the audio thread (its own memory,
/// when the thread ends) never shrinks the heap with a `brk` call there.
pub fn keep_freed_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets one of malloc's parameters; -1 is the largest threshold.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, -1);
    }
}

/// Explains a refusal in words a user can act on.
pub fn advice(e: &io::Error) -> &'static str {
    match e.raw_os_error() {
        Some(libc::EPERM) => {
            "not permitted: run as root, or give the user rtprio 95 and memlock unlimited in \
             /etc/security/limits.d (the box's systemd unit sets LimitRTPRIO and LimitMEMLOCK)"
        }
        Some(libc::ENOMEM) | Some(libc::EAGAIN) => {
            "not enough lockable memory: raise RLIMIT_MEMLOCK (ulimit -l) or shorten the ring"
        }
        Some(libc::EINVAL) => "the priority is out of range: use 1 to 99",
        _ => "the system refused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_priority_is_refused_with_advice() {
        let h = std::thread::spawn(|| set_fifo_priority(1000));
        let e = h.join().unwrap().unwrap_err();
        assert!(!advice(&e).is_empty());
    }
}
