//! Reading and indexing side by side: a rebuild reads the next slice from the database
//! while the index takes in the one before.

use std::sync::mpsc;

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
}
