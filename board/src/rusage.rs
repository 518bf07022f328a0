//! CPU time used by this process, for the figures a recorder reports (getrusage).

use std::time::Duration;

/// User and system CPU time this process has used so far, all threads together.
pub fn process_cpu_time() -> Duration {
    cpu_time(libc::RUSAGE_SELF)
}

/// User and system CPU time the calling thread has used so far.
pub fn thread_cpu_time() -> Duration {
    cpu_time(libc::RUSAGE_THREAD)
}

fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a valid, writable rusage for getrusage to fill.
    let rc = unsafe { libc::getrusage(who, &mut u) };
    if rc != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_with_work() {
        let before = process_cpu_time();
        let mut x = 0u64;
        while process_cpu_time() <= before {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        assert!(process_cpu_time() > before, "{x}");
    }
}
