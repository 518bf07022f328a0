//! Memory the audio thread works in, made ready before it starts.

use std::mem::MaybeUninit;

const PAGE: usize = 4096;

/// Asks the kernel to fault every whole page of `buf` in with one call
/// (`MADV_POPULATE_WRITE`), which costs less than taking the faults one page at a time as the
/// pages are first written (a 92 MB ring: about 32 ms with it, 50 ms without). A hint: where
/// the kernel cannot (before 5.14), the caller's own writes fault the pages in. Huge pages are
/// not asked for: finding them can make the kernel compact memory first, which made a start
/// take 150 ms.
fn populate(buf: &mut [MaybeUninit<u8>]) {
    let base = buf.as_mut_ptr() as usize;
    let end = base + buf.len();
    let pages = (base.next_multiple_of(PAGE), end / PAGE * PAGE);
    if pages.0 < pages.1 {
        // SAFETY: the range lies inside `buf`, which this call borrows mutably; populating
        // for writing faults the pages in (anonymous memory reads as zeros) and leaves any
        // content already there as it is.
        let _ = unsafe {
            libc::madvise(
                pages.0 as *mut libc::c_void,
                pages.1 - pages.0,
                libc::MADV_POPULATE_WRITE,
            )
        };
    }
}

/// The writing end of a byte ring made by [`filled_ring`], for the audio thread: its chunks are
/// handed out as plain bytes, ready to be read into, without the zeroing that
/// `rtrb::Producer::write_chunk` does to every chunk first (a pass over every captured byte,
/// which an emulated or small core feels).
#[derive(Debug)]
pub struct FilledProducer {
    inner: rtrb::Producer<u8>,
}

/// A chunk of free slots of a [`FilledProducer`]'s ring, as plain bytes.
#[derive(Debug)]
pub struct FilledChunk<'a> {
    inner: rtrb::chunks::WriteChunkUninit<'a, u8>,
}

/// A byte ring of `bytes`, faulted in (`populate`) and with every slot written once, so
/// that each slot holds a byte from then on (rtrb never writes anything but the bytes given to
/// it into its buffer). Returns its ends, empty.
pub fn filled_ring(bytes: usize) -> (FilledProducer, rtrb::Consumer<u8>) {
    let (mut p, mut c) = rtrb::RingBuffer::new(bytes);
    let mut chunk = p
        .write_chunk_uninit(bytes)
        .expect("an empty ring has room for its whole length");
    let (a, b) = chunk.as_mut_slices();
    for part in [a, b] {
        populate(part);
        part.fill(MaybeUninit::new(0));
    }
    // SAFETY: every slot of the chunk, which is the whole ring, was written just above.
    unsafe { chunk.commit_all() };
    c.read_chunk(bytes)
        .expect("the ring was just filled")
        .commit_all();
    (FilledProducer { inner: p }, c)
}

impl FilledProducer {
    /// Free slots (bytes).
    pub fn slots(&self) -> usize {
        self.inner.slots()
    }

    /// Bytes the ring holds when full.
    pub fn capacity(&self) -> usize {
        self.inner.buffer().capacity()
    }

    /// The next `n` free slots, or `None` when fewer are free.
    pub fn write_chunk(&mut self, n: usize) -> Option<FilledChunk<'_>> {
        self.inner
            .write_chunk_uninit(n)
            .ok()
            .map(|inner| FilledChunk { inner })
    }
}

impl FilledChunk<'_> {
    /// The chunk's slots: two slices when it wraps around the ring's end.
    pub fn as_mut_slices(&mut self) -> (&mut [u8], &mut [u8]) {
        let (a, b) = self.inner.as_mut_slices();
        // SAFETY: every slot of the ring was written in `filled_ring`, and since then only
        // bytes have been written into it (by rtrb, from this type's slices, and by readers'
        // own `&mut [u8]` views), so every slot holds an initialised byte; MaybeUninit<u8>
        // and u8 have the same layout.
        unsafe {
            (
                &mut *(a as *mut [MaybeUninit<u8>] as *mut [u8]),
                &mut *(b as *mut [MaybeUninit<u8>] as *mut [u8]),
            )
        }
    }

    /// Makes the first `n` bytes of the chunk readable by the other end.
    pub fn commit(self, n: usize) {
        let n = n.min(self.inner.len());
        // SAFETY: as in `as_mut_slices`, every slot already holds an initialised byte.
        unsafe { self.inner.commit(n) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_ring_hands_out_what_was_written_in_order_across_its_end() {
        let (mut p, mut c) = filled_ring(10);
        assert_eq!((p.slots(), p.capacity(), c.slots()), (10, 10, 0));
        let mut next = 0u8;
        let mut got = Vec::new();
        for n in [7usize, 6, 3, 9, 1] {
            let mut chunk = p.write_chunk(n).expect("room");
            let (a, b) = chunk.as_mut_slices();
            assert_eq!(a.len() + b.len(), n);
            for x in a.iter_mut().chain(b.iter_mut()) {
                *x = next;
                next += 1;
            }
            // Commit all but the last byte of each chunk.
            chunk.commit(n - 1);
            next -= 1;
            let r = c.read_chunk(c.slots()).unwrap();
            let (a, b) = r.as_slices();
            got.extend_from_slice(a);
            got.extend_from_slice(b);
            r.commit_all();
        }
        assert_eq!(got, (0..next).collect::<Vec<u8>>());
        assert!(p.write_chunk(11).is_none(), "more than the ring holds");
    }

    #[test]
    fn every_whole_page_is_resident_after_populate() {
        let len = 9 * (2 << 20) + 12345;
        let mut v: Vec<MaybeUninit<u8>> = Vec::with_capacity(len);
        // SAFETY: MaybeUninit needs no initialisation.
        unsafe { v.set_len(len) };
        populate(&mut v);
        let base = (v.as_ptr() as usize).next_multiple_of(PAGE);
        let end = (v.as_ptr() as usize + len) / PAGE * PAGE;
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
