//! The archive's upkeep: the records of deleted documents, `verify` and `gc`.

use std::collections::HashMap;
use std::time::Duration;

use super::documents::DocumentService;
use super::require_admin;
use crate::archive::{BlobCheck, BlobHash, DamagedVersion, Deletion, GcReport, VerifyReport};
use crate::error::Result;
use crate::ports::Store;
use crate::user::Actor;

/// Versions read per transaction by `verify`, blobs asked about per transaction by `gc`.
const SLICE: u32 = 1_000;

impl<S: Store> DocumentService<'_, S> {
    /// The records of deleted documents, newest first.
    ///
    /// # Errors
    /// [`Error::Forbidden`](crate::Error::Forbidden) unless the actor is an administrator.
    pub fn deletions(&self, actor: &Actor, limit: u32) -> Result<Vec<Deletion>> {
        require_admin(actor, "read the deletion records")?;
        self.ctx.store.read(|tx| tx.deletions(limit))
    }

    /// Re-hashes the blob of every version and reports the missing and altered ones.
    ///
    /// # Errors
    /// [`Error::Forbidden`](crate::Error::Forbidden) unless the actor is an administrator; storage failures.
    pub fn verify(&self, actor: &Actor) -> Result<VerifyReport> {
        require_admin(actor, "verify the archive")?;
        let store = self.blobs()?;
        let mut report = VerifyReport::default();
        let mut checked: HashMap<BlobHash, BlobCheck> = HashMap::new();
        let mut after = None;
        loop {
            let slice = self.ctx.store.read(|tx| tx.versions_after(after, SLICE))?;
            let Some(last) = slice.last() else { break };
            after = Some((last.0, last.2));
            for (document, title, version, blob) in slice {
                report.versions += 1;
                let state = match checked.get(&blob) {
                    Some(state) => *state,
                    None => {
                        let (state, bytes) = store.check(&blob)?;
                        report.blobs += 1;
                        report.bytes += bytes;
                        checked.insert(blob.clone(), state);
                        state
                    }
                };
                if state != BlobCheck::Intact {
                    report.damaged.push(DamagedVersion {
                        document,
                        title,
                        version,
                        blob,
                        state,
                    });
                }
            }
        }
        Ok(report)
    }

    /// Removes blobs that no version refers to and that are at least `min_age` old (a
    /// younger one may belong to a check-in under way).
    ///
    /// # Errors
    /// [`Error::Forbidden`](crate::Error::Forbidden) unless the actor is an administrator; storage failures.
    pub fn gc(&self, actor: &Actor, min_age: Duration) -> Result<GcReport> {
        require_admin(actor, "collect unused blobs")?;
        let store = self.blobs()?;
        let candidates = store.older_than(min_age)?;
        let mut report = GcReport {
            blobs: candidates.len() as u64,
            removed: Vec::new(),
        };
        for chunk in candidates.chunks(SLICE as usize) {
            let in_use = self.ctx.store.read(|tx| tx.blobs_in_use(chunk))?;
            for hash in chunk.iter().filter(|h| !in_use.contains(h)) {
                store.remove(hash)?;
                report.removed.push(hash.clone());
            }
        }
        Ok(report)
    }
}
