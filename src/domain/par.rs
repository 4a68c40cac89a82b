//! Spreading pure per-item work over the machine's cores.
//!
//! Every rep's metrics over a period are independent of one another, so the
//! team's are computed on as many threads as the machine has (at most one
//! per item); the result is in the items' order, so nothing downstream can
//! tell how it was computed.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this many items the threads cost more than they save.
const MIN_ITEMS: usize = 8;

/// `items.iter().map(f).collect()`, on up to `available_parallelism` threads.
/// Items are handed out one at a time (the costly ones do not pile up on one
/// thread); a panic in `f` is re-raised on the caller's thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 || items.len() < MIN_ITEMS {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let mut all: Vec<(usize, R)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for h in helpers {
            all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        all
    });
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// `(a(), b())`, with `b` on a second thread when the machine has more
/// than one core; a panic in either is re-raised on the caller's thread.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) <= 1 {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let b = s.spawn(b);
        let a = a();
        (a, b.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    })
}

#[cfg(test)]
mod tests {
    use super::{join, map};

    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u64> = (0..1000).collect();
        let out = map(&items, |n| n * 3 + 1);
        assert_eq!(out.len(), 1000);
        assert_eq!(out[0], 1);
        assert_eq!(out[999], 2998);
        assert!(out.windows(2).all(|w| w[1] == w[0] + 3));
    }

    #[test]
    fn few_or_no_items() {
        assert_eq!(map(&[] as &[u8], |n| *n), Vec::<u8>::new());
        assert_eq!(map(&[2, 5], |n| n * 10), vec![20, 50]);
    }

    #[test]
    #[should_panic(expected = "item 500")]
    fn a_panic_reaches_the_caller() {
        let items: Vec<u32> = (0..1000).collect();
        map(&items, |n| {
            assert!(*n != 500, "item 500");
            *n
        });
    }

    #[test]
    fn join_gives_both_results_in_their_places() {
        let (a, b) = join(|| "left".len(), || vec![1, 2, 3]);
        assert_eq!(a, 4);
        assert_eq!(b, vec![1, 2, 3]);
    }
}
