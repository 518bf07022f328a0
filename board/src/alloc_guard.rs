//! A global allocator that counts allocations made on the audio thread while it is inside its
//! cycle. The `capstan` binary installs it, so every take can say how many allocations its audio
//! thread made (it must be 0) on the real device, not only in a test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    static IN_AUDIO_CYCLE: Cell<bool> = const { Cell::new(false) };
}

static AUDIO_ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// The system allocator, counting what the audio thread allocates inside its cycle.
pub struct CountingAlloc;

impl CountingAlloc {
    fn note(&self) {
        // `try_with`: the thread-local may be gone while a thread exits.
        if IN_AUDIO_CYCLE.try_with(Cell::get).unwrap_or(false) {
            AUDIO_ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is passed unchanged to the system allocator, which upholds GlobalAlloc's
// contract; the counting touches only a const-initialised thread-local and an atomic.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.note();
        // SAFETY: same layout the caller gave us, under the same contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.note();
        // SAFETY: as in alloc.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.note();
        // SAFETY: `ptr` came from this allocator (hence from System) with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.note();
        // SAFETY: `ptr` came from System with `layout`; the caller upholds realloc's contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Marks the calling thread as inside (or outside) its audio cycle. This is realtime-safe.
pub fn set_in_audio_cycle(inside: bool) {
    let _ = IN_AUDIO_CYCLE.try_with(|c| c.set(inside));
}

/// Allocations and frees counted inside audio cycles so far (0 unless [`CountingAlloc`] is the
/// global allocator and the audio thread broke its rule).
pub fn audio_allocations() -> u64 {
    AUDIO_ALLOCATIONS.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_inside_the_cycle() {
        let a = CountingAlloc;
        let layout = Layout::from_size_align(64, 8).unwrap();
        let before = audio_allocations();
        // SAFETY: a valid non-zero layout; the block is freed with the same layout.
        unsafe {
            let p = a.alloc(layout);
            a.dealloc(p, layout);
        }
        assert_eq!(audio_allocations(), before);
        set_in_audio_cycle(true);
        // SAFETY: as above.
        unsafe {
            let p = a.alloc(layout);
            a.dealloc(p, layout);
        }
        set_in_audio_cycle(false);
        assert_eq!(audio_allocations(), before + 2);
    }
}
