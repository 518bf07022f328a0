//! Memory the audio thread works in, made ready before it starts.

use std::mem::MaybeUninit;

const PAGE: usize = 4096;
const HUGE_PAGE: usize = 2 << 20;

/// Faults every page of `buf` in before use, so the audio thread never takes a page fault in
/// it. The kernel is asked for huge pages first (fewer faults, fewer TLB misses while the
/// ring turns) and to populate the whole range in one call; where it refuses either (kernels
/// before 5.14, no transparent huge pages), one byte of every page is written instead.
/// Returns whether the kernel populated the range itself.
pub fn prefault(buf: &mut [MaybeUninit<u8>]) -> bool {
    let base = buf.as_mut_ptr() as usize;
    let end = base + buf.len();
    let huge = (
        base.next_multiple_of(HUGE_PAGE),
        end / HUGE_PAGE * HUGE_PAGE,
    );
    if huge.0 < huge.1 {
        // SAFETY: the range lies inside `buf`, which this call borrows mutably; the advice
        // changes how its pages are backed, never what they hold.
        let _ = unsafe {
            libc::madvise(
                huge.0 as *mut libc::c_void,
                huge.1 - huge.0,
                libc::MADV_HUGEPAGE,
            )
        };
    }
    let pages = (base.next_multiple_of(PAGE), end / PAGE * PAGE);
    // SAFETY: as above; populating for writing faults the pages in (anonymous memory reads as
    // zeros) and leaves any content already there as it is.
    let populated = pages.0 < pages.1
        && unsafe {
            libc::madvise(
                pages.0 as *mut libc::c_void,
                pages.1 - pages.0,
                libc::MADV_POPULATE_WRITE,
            )
        } == 0;
    // The pages the call did not cover: all of them when it failed, else the partial pages at
    // either end.
    let (skip_from, skip_to) = if populated {
        (pages.0 - base, pages.1 - base)
    } else {
        (0, 0)
    };
    let mut at = 0;
    while at < buf.len() {
        if !(skip_from..skip_to).contains(&at) {
            buf[at].write(0);
        }
        at += PAGE;
    }
    if let Some(last) = buf.last_mut() {
        last.write(0);
    }
    populated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_resident_after_prefault() {
        let len = 9 * HUGE_PAGE + 12345;
        let mut v: Vec<MaybeUninit<u8>> = Vec::with_capacity(len);
        // SAFETY: MaybeUninit needs no initialisation.
        unsafe { v.set_len(len) };
        prefault(&mut v);
        let base = v.as_ptr() as usize / PAGE * PAGE;
        let end = (v.as_ptr() as usize + len).next_multiple_of(PAGE);
        let pages = (end - base) / PAGE;
        let mut resident = vec![0u8; pages];
        // SAFETY: mincore reads the page table of a mapped range into a buffer of one byte per
        // page, which `resident` is.
        let r =
            unsafe { libc::mincore(base as *mut libc::c_void, end - base, resident.as_mut_ptr()) };
        assert_eq!(r, 0, "mincore: {}", std::io::Error::last_os_error());
        let missing = resident.iter().filter(|&&r| r & 1 == 0).count();
        assert_eq!(missing, 0, "{missing} of {pages} pages not resident");
    }
}
