//! Reading and indexing side by side: a rebuild reads the next slice from the database
//! while the index takes in the one before.

use std::sync::{Mutex, mpsc};

use crate::error::{Error, Result};

/// Slices read ahead of the consumer.
const AHEAD: usize = 2;

/// Runs `next` on its own thread until it answers `None`, handing each slice to `take` on
/// the calling thread. The first error of either side ends both and is returned.
pub(crate) fn read_ahead<T: Send>(
    mut next: impl FnMut() -> Result<Option<T>> + Send,
    mut take: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<Result<T>>(AHEAD);
        let reader = scope.spawn(move || {
            loop {
                let item = match next() {
                    Ok(Some(item)) => Ok(item),
                    Ok(None) => return,
                    Err(e) => Err(e),
                };
                let failed = item.is_err();
                // A closed channel means the consumer gave up: stop reading.
                if sender.send(item).is_err() || failed {
                    return;
                }
            }
        });
        let mut outcome = Ok(());
        for item in &receiver {
            if let Err(e) = item.and_then(&mut take) {
                outcome = Err(e);
                break;
            }
        }
        drop(receiver);
        if reader.join().is_err() {
            return Err(Error::Storage(
                "the reading thread of a rebuild failed".into(),
            ));
        }
        outcome
    })
}

/// `f` of every item, run on as many threads as there are cores, each thread taking the
/// next item when it is done with one (items of very different cost keep every core busy);
/// answered in the order of `items`. A panic in `f` is raised again here, as a serial map
/// would raise it.
pub(crate) fn map_each_in_parallel<T: Send, U: Send>(
    items: Vec<T>,
    f: impl Fn(T) -> U + Sync,
) -> Vec<U> {
    let count = items.len();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(count));
    if threads < 2 {
        return items.into_iter().map(f).collect();
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let (queue, f) = (&queue, &f);
    let mut out: Vec<Option<U>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    // The lock is held only to take the next item, never while `f` runs.
                    while let Some((i, item)) = queue.lock().ok().and_then(|mut q| q.next()) {
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        for worker in workers {
            let done = worker
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (i, u) in done {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(u);
                }
            }
        }
    });
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slice_arrives_in_order() {
        let mut n = 0;
        let mut seen = Vec::new();
        read_ahead(
            || {
                n += 1;
                Ok((n <= 5).then_some(n))
            },
            |i| {
                seen.push(i);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn an_error_on_either_side_ends_the_run() {
        let mut n = 0;
        let read = read_ahead(
            || {
                n += 1;
                if n == 3 {
                    Err(Error::Storage("disk".into()))
                } else {
                    Ok(Some(n))
                }
            },
            |_| Ok(()),
        );
        assert!(matches!(read, Err(Error::Storage(m)) if m == "disk"));
        let mut taken = 0;
        let took = read_ahead(
            || Ok(Some(1)),
            |_| {
                taken += 1;
                if taken == 4 {
                    Err(Error::invalid("x", "no"))
                } else {
                    Ok(())
                }
            },
        );
        assert!(took.is_err());
        assert_eq!(taken, 4);
    }

    #[test]
    fn every_item_is_mapped_once_in_order() {
        let items: Vec<u64> = (0..1000).collect();
        // Uneven costs: some items take far longer than others.
        let mapped = map_each_in_parallel(items, |i| {
            if i % 97 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            i * 2
        });
        assert_eq!(mapped, (0..1000).map(|i| i * 2).collect::<Vec<u64>>());
        assert!(map_each_in_parallel(Vec::<u8>::new(), |b| b).is_empty());
    }
}
