//! The counting global allocator of the `*_no_alloc` tests (each its own test binary).
//!
//! It counts only the allocations of the thread inside [`allocations_during`]: the test
//! harness's own thread allocates while it waits for the test (its channel's waiter, its
//! output), and under load that can fall inside the measured loop, which made a process-wide
//! count fail now and then (2 runs in 200 of `edge_no_alloc` on a loaded machine).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Forwards to the system allocator; counts the calls of a thread that is measuring.
pub struct Counting;

thread_local! {
    /// `Some(n)`: this thread is inside [`allocations_during`] and has allocated `n` times.
    /// Const-initialised and without a destructor, so reading it allocates nothing.
    static COUNT: Cell<Option<usize>> = const { Cell::new(None) };
}

fn count_one() {
    // `try_with`: a thread being torn down may still free and allocate.
    let _ = COUNT.try_with(|count| {
        if let Some(n) = count.get() {
            count.set(Some(n + 1));
        }
    });
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many times `work` allocated (or reallocated) on this thread.
pub fn allocations_during(work: impl FnOnce()) -> usize {
    COUNT.with(|count| count.set(Some(0)));
    work();
    COUNT.with(|count| count.replace(None)).unwrap_or(0)
}

/// The counter counts: an allocation inside [`allocations_during`] is seen, so a test that
/// finds none is not measuring nothing.
#[test]
fn an_allocation_is_counted() {
    let n = allocations_during(|| {
        let boxed = std::hint::black_box(Box::new([0u8; 64]));
        drop(boxed);
    });
    assert_eq!(n, 1);
}
