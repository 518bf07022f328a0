//! Proof that the audio thread never touches a file, logs or waits on a lock: a seccomp filter
//! that confines the thread to the system calls a capture cycle needs and kills the process on
//! any other. A test hook (`capstan record --audio-syscall-guard`, used by the tests on the sim
//! board and in the VMs on real ALSA drivers): on a box, a stray call would end the recording.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule,
};

/// `FUTEX_WAKE`, the one futex operation allowed: waking a waiter never blocks.
const FUTEX_WAKE: u64 = 1;
/// The futex operation without its flags (`FUTEX_CMD_MASK`).
const FUTEX_CMD: u64 = 0x7f;

/// The system calls a capture cycle may make, each allowed whatever its arguments (futex
/// aside, see [`confine_audio_thread`]).
fn allowed() -> Vec<libc::c_long> {
    let calls = vec![
        // The device: alsa-lib's mmap transfer, pointer syncs, recovery; and waiting for it.
        libc::SYS_ioctl,
        libc::SYS_ppoll,
        // Sleeping (the sim board's clock, the fast sim waiting for the writer, a test stall).
        libc::SYS_clock_nanosleep,
        libc::SYS_nanosleep,
        libc::SYS_sched_yield,
        libc::SYS_restart_syscall,
        libc::SYS_rt_sigreturn,
        // Clocks and the thread's own CPU time (the figures logged after the take).
        libc::SYS_clock_gettime,
        libc::SYS_getrusage,
        // The thread's end: its signal stack put away and unmapped, signals blocked, its stack
        // given back, exit.
        // (Mapping memory stays forbidden; the allocation test shows the cycle frees nothing.)
        libc::SYS_sigaltstack,
        libc::SYS_rt_sigprocmask,
        libc::SYS_munmap,
        libc::SYS_madvise,
        libc::SYS_exit,
    ];
    // `poll` itself exists on x86_64 only (arm64 has `ppoll` alone).
    #[cfg(target_arch = "x86_64")]
    let calls = [calls, vec![libc::SYS_poll]].concat();
    calls
}

/// Confines the calling thread, for the rest of its life, to the system calls of a capture
/// cycle: the device's (`ioctl`, `poll`), sleeping, clocks, its CPU time, waking a futex waiter
/// and its own end (unmapping its signal stack, giving back its stack). Anything else kills the
/// whole process with SIGSYS: opening, reading or writing a file or the log, mapping memory,
/// and waiting on a lock (`FUTEX_WAIT`, which a contended lock makes). Other threads are not
/// affected.
pub fn confine_audio_thread() -> Result<(), String> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        allowed().into_iter().map(|c| (c, Vec::new())).collect();
    let wake = SeccompCondition::new(
        1,
        SeccompCmpArgLen::Dword,
        SeccompCmpOp::MaskedEq(FUTEX_CMD),
        FUTEX_WAKE,
    )
    .and_then(|c| SeccompRule::new(vec![c]))
    .map_err(|e| e.to_string())?;
    rules.insert(libc::SYS_futex, vec![wake]);
    let arch = std::env::consts::ARCH
        .try_into()
        .map_err(|e: seccompiler::BackendError| e.to_string())?;
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::KillProcess,
        SeccompAction::Allow,
        arch,
    )
    .map_err(|e| e.to_string())?;
    let program: BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| e.to_string())?;
    seccompiler::apply_filter(&program).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Command;

    /// Set in the child process that runs [`guarded_child`].
    const CHILD: &str = "CAPSTAN_SYSCALL_GUARD_CHILD";

    /// In the child: a confined thread that sleeps, reads its CPU time, then does what the
    /// environment asks.
    #[test]
    #[ignore = "runs in a child process of syscall_guard_kills_on_a_file_and_allows_the_cycle"]
    fn guarded_child() {
        if std::env::var_os(CHILD).is_none() {
            return;
        }
        let what = std::env::var("CAPSTAN_SYSCALL_GUARD_DO").unwrap_or_default();
        let t = std::thread::spawn(move || {
            confine_audio_thread().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(5));
            let _ = crate::rusage::thread_cpu_time();
            if what == "open" {
                let _ = std::fs::File::open("/dev/null");
            }
        });
        t.join().unwrap();
    }

    #[test]
    fn syscall_guard_kills_on_a_file_and_allows_the_cycle() {
        let run = |what: &str| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "syscall_guard::tests::guarded_child",
                    "--ignored",
                ])
                .env(CHILD, "1")
                .env("CAPSTAN_SYSCALL_GUARD_DO", what)
                .output()
                .unwrap()
                .status
        };
        let calm = run("sleep");
        assert!(
            calm.success(),
            "a sleeping, clock-reading thread runs on: {calm:?}"
        );
        let opened = run("open");
        assert_eq!(
            opened.signal(),
            Some(libc::SIGSYS),
            "opening a file kills: {opened:?}"
        );
    }
}
