//! An index's writer and reader: changes committed at once (`commit_with`) or staged and
//! committed by a background thread within [`STAGED_COMMIT`] (`stage`), so that a stream
//! of single-document changes does not pay a commit (a new segment, its files synced) for
//! each. Staged changes whose documents take long to build (a long text's words) can be
//! handed to a staging thread (`stage_later`), so that the caller goes on at once; every
//! later change, commit and search waits for them first, so that they keep their order
//! and a search sees them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use tantivy::merge_policy::{LogMergePolicy, NoMergePolicy};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher, TantivyDocument,
    Term,
};

use crate::{SearchError, TERMS, map_in_parallel};

/// Memory each indexing thread may use before it flushes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// The longest a staged change waits for its commit, the commit itself included: the
/// committer looks every half of it. Each commit writes a segment, which merges read and
/// write again, so a stream of check-ins costs less the fewer commits there are.
pub(crate) const STAGED_COMMIT: Duration = Duration::from_secs(1);

type Writer = Mutex<IndexWriter<TantivyDocument>>;

/// Changes run on the writer by the staging thread.
type Job = Box<dyn FnOnce(&mut IndexWriter<TantivyDocument>) -> crm_core::Result<()> + Send>;

/// Jobs waiting for the staging thread before `stage_later` waits in turn: the text they
/// hold is bounded.
const QUEUED_JOBS: usize = 32;

/// How many jobs were handed to the staging thread and are not done yet.
#[derive(Default)]
struct Pending {
    count: Mutex<usize>,
    done: Condvar,
}

impl Pending {
    fn add(&self) -> Result<(), SearchError> {
        *self.count.lock().map_err(|_| poisoned())? += 1;
        Ok(())
    }

    fn finish(&self) {
        if let Ok(mut count) = self.count.lock() {
            *count = count.saturating_sub(1);
        }
        self.done.notify_all();
    }

    /// Waits until every job handed over is done.
    fn wait(&self) -> Result<(), SearchError> {
        let mut count = self.count.lock().map_err(|_| poisoned())?;
        while *count > 0 {
            count = self.done.wait(count).map_err(|_| poisoned())?;
        }
        Ok(())
    }
}

fn poisoned() -> SearchError {
    SearchError::from("the index writer is poisoned".to_owned())
}

/// The uncommitted changes of one update of an index whose fields are `F`; each index
/// implements its port's writer on it.
pub(crate) struct Changes<'w, F> {
    writer: &'w mut IndexWriter<TantivyDocument>,
    pub(crate) fields: F,
    /// Whether the changes began by clearing the index: a rebuild, merged when committed.
    cleared: bool,
    /// The merge of the last rebuild, ended before the index is cleared again.
    merging: &'w Mutex<Option<JoinHandle<()>>>,
}

impl<F> Changes<'_, F> {
    /// Replaces the documents whose `key` term matches with those `build` makes of
    /// `items`, built on every core; deleted and added in order, so that the last of
    /// repeated keys wins.
    pub(crate) fn replace<T: Sync>(
        &mut self,
        items: &[T],
        key: impl Fn(&T) -> Term,
        build: impl Fn(&T) -> crm_core::Result<TantivyDocument> + Sync,
    ) -> crm_core::Result<()> {
        let documents = map_in_parallel(items, build);
        for (item, doc) in items.iter().zip(documents) {
            self.writer.delete_term(key(item));
            self.writer.add_document(doc?).map_err(SearchError::from)?;
        }
        Ok(())
    }

    /// Removes the documents of these key terms.
    pub(crate) fn delete_keys(&mut self, keys: impl IntoIterator<Item = Term>) {
        for key in keys {
            self.writer.delete_term(key);
        }
    }

    /// Removes everything (before a rebuild); a merge of the previous rebuild still under
    /// way ends first. Until the rebuild is committed the merge policy rests: merging the
    /// segments it flushes on the way would be work done twice, as the commit merges them
    /// all into one.
    ///
    /// Everything is deleted by a query that matches all documents added before it, not by
    /// tantivy's `delete_all_documents`: that one drops the segment list outside the
    /// writer's order of operations and winds its operation stamps back, and a rebuild
    /// right after another one then lost now and then a segment of its new documents.
    pub(crate) fn clear_all(&mut self) -> crm_core::Result<()> {
        wait_for(self.merging)?;
        self.writer.set_merge_policy(Box::new(NoMergePolicy));
        self.writer
            .delete_query(Box::new(tantivy::query::AllQuery))
            .map_err(SearchError::from)?;
        self.cleared = true;
        Ok(())
    }
}

/// The values of the u64 fast field `field` of `hits`, each segment's column opened once:
/// no block of the document store to decompress per hit.
pub(crate) fn hit_ids(
    searcher: &Searcher,
    field: &str,
    hits: &[(Score, DocAddress)],
) -> Result<Vec<u64>, SearchError> {
    let mut columns = Vec::new();
    for segment in searcher.segment_readers() {
        columns.push(segment.fast_fields().u64(field)?);
    }
    Ok(hits
        .iter()
        .filter_map(|(_, at)| columns.get(at.segment_ord as usize)?.first(at.doc_id))
        .collect())
}

impl Drop for Engine {
    /// Commits what is staged, and lets a merge under way end: a program that ends right
    /// after a check-in keeps it in the index, one that ends right after a rebuild finds
    /// the index merged when it starts again.
    fn drop(&mut self) {
        let _ = self.pending.wait();
        let _ = wait_for(&self.merging);
        if self.staged.swap(false, Ordering::AcqRel)
            && let Ok(mut writer) = self.writer.lock()
        {
            let _ = writer.commit();
        }
    }
}

/// Waits for the merge thread in `merging`, if there is one.
fn wait_for(merging: &Mutex<Option<JoinHandle<()>>>) -> Result<(), SearchError> {
    let pending = merging.lock().map_err(|_| poisoned())?.take();
    if let Some(thread) = pending {
        thread
            .join()
            .map_err(|_| SearchError::from("the index merge thread panicked".to_owned()))?;
    }
    Ok(())
}

/// Starts merging every searchable segment of `writer`'s index into one, on a thread that
/// reloads `reader` when the merge is done; answers that thread, or `None` when there is
/// nothing to merge. The merge is registered before this returns, so that the merge policy
/// leaves its segments alone.
fn start_merge_all(
    writer: &mut IndexWriter<TantivyDocument>,
    reader: &IndexReader,
) -> Result<Option<JoinHandle<()>>, SearchError> {
    let segments = writer.index().searchable_segment_ids()?;
    if segments.len() < 2 {
        return Ok(None);
    }
    let merge = writer.merge(&segments);
    let reader = reader.clone();
    let thread = std::thread::Builder::new()
        .name("crm-index-merge".into())
        .spawn(move || {
            // Best effort: the rebuilt index is complete without the merge, only slower to
            // search; a merge cut short by closing the index leaves it as it was.
            if merge.wait().is_ok() {
                let _ = reader.reload();
            }
        })
        .map_err(|e| SearchError::from(format!("no thread for the index merge: {e}")))?;
    Ok(Some(thread))
}

/// An index's writer, behind a lock, and the reader its commits reload.
pub(crate) struct Engine {
    pub(crate) reader: IndexReader,
    writer: Arc<Writer>,
    /// Whether staged changes wait for the background commit.
    staged: Arc<AtomicBool>,
    /// What the background commit last failed with, reported by the next call.
    failed: Arc<Mutex<Option<String>>>,
    committer: std::sync::Once,
    /// The thread merging the segments of the last rebuild; shared with the staging
    /// thread's change sets.
    merging: Arc<Mutex<Option<JoinHandle<()>>>>,
    /// Where `stage_later` hands its jobs to the staging thread, once it runs.
    stager: Mutex<Option<SyncSender<Job>>>,
    pending: Arc<Pending>,
}

impl Engine {
    /// The writer and reader of `index`, with the term tokenizer registered.
    pub(crate) fn new(index: &Index) -> Result<Engine, SearchError> {
        index
            .tokenizers()
            .register(TERMS, TextAnalyzer::from(WhitespaceTokenizer::default()));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let writer = index.writer_with_num_threads(threads, WRITER_MEMORY * threads)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Engine {
            reader,
            writer: Arc::new(Mutex::new(writer)),
            staged: Arc::new(AtomicBool::new(false)),
            failed: Arc::new(Mutex::new(None)),
            committer: std::sync::Once::new(),
            merging: Arc::new(Mutex::new(None)),
            stager: Mutex::new(None),
            pending: Arc::new(Pending::default()),
        })
    }

    /// A failure of the background commit since the last call, as an error.
    fn take_failure(&self) -> crm_core::Result<()> {
        let failure = self.failed.lock().map_err(|_| poisoned())?.take();
        match failure {
            Some(e) => Err(SearchError::from(format!("a staged commit failed: {e}")).into()),
            None => Ok(()),
        }
    }

    /// Runs `changes` on the writer without committing; a background thread commits them
    /// within [`STAGED_COMMIT`]. If `changes` fails, every change not yet committed is
    /// rolled back (the caller's drift check repairs what that drops).
    pub(crate) fn stage(
        &self,
        changes: impl FnOnce(&mut IndexWriter<TantivyDocument>) -> crm_core::Result<()>,
    ) -> crm_core::Result<()> {
        self.pending.wait()?;
        self.take_failure()?;
        self.committer.call_once(|| self.start_committer());
        let mut writer = self.writer.lock().map_err(|_| poisoned())?;
        match changes(&mut writer) {
            Ok(()) => {
                self.staged.store(true, Ordering::Release);
                Ok(())
            }
            Err(e) => {
                writer.rollback().map_err(SearchError::from)?;
                Err(e)
            }
        }
    }

    /// A change set on `writer` with fields `fields`.
    fn changes<'w, F>(
        &'w self,
        writer: &'w mut IndexWriter<TantivyDocument>,
        fields: F,
    ) -> Changes<'w, F> {
        Changes {
            writer,
            fields,
            cleared: false,
            merging: &self.merging,
        }
    }

    /// Runs `changes` with fields `fields` and commits them (see [`Engine::commit_with`]).
    pub(crate) fn update<F>(
        &self,
        fields: F,
        changes: impl FnOnce(&mut Changes<'_, F>) -> crm_core::Result<()>,
    ) -> crm_core::Result<()> {
        self.commit_with(|writer| {
            let mut c = self.changes(writer, fields);
            changes(&mut c).map(|()| c.cleared)
        })
    }

    /// Runs `changes` with fields `fields` and stages them (see [`Engine::stage`]).
    pub(crate) fn stage_changes<F>(
        &self,
        fields: F,
        changes: impl FnOnce(&mut Changes<'_, F>) -> crm_core::Result<()>,
    ) -> crm_core::Result<()> {
        self.stage(|writer| {
            let mut c = self.changes(writer, fields);
            let outcome = changes(&mut c);
            if c.cleared {
                // Staged, a clear is not merged after its commit: the policy goes on.
                c.writer
                    .set_merge_policy(Box::new(LogMergePolicy::default()));
            }
            outcome
        })
    }

    /// Hands `changes` with fields `fields` to the staging thread and returns: the thread
    /// runs them as [`Engine::stage_changes`] would, in the order they are handed over, and
    /// they are committed with the staged ones. Changes that fail roll back every change not
    /// yet committed (as `stage` does), and the next call reports it. Without a thread they
    /// run here.
    pub(crate) fn stage_later<F: Send + 'static>(
        &self,
        fields: F,
        changes: impl FnOnce(&mut Changes<'_, F>) -> crm_core::Result<()> + Send + 'static,
    ) -> crm_core::Result<()> {
        let merging = Arc::clone(&self.merging);
        let job: Job = Box::new(move |writer| {
            changes(&mut Changes {
                writer,
                fields,
                cleared: false,
                merging: &merging,
            })
        });
        self.take_failure()?;
        self.committer.call_once(|| self.start_committer());
        let mut stager = self.stager.lock().map_err(|_| poisoned())?;
        if stager.is_none() {
            *stager = self.start_stager();
        }
        let Some(sender) = stager.as_ref() else {
            drop(stager);
            return self.stage(job);
        };
        self.pending.add()?;
        if let Err(returned) = sender.send(job) {
            // The thread is gone: run the job here.
            self.pending.finish();
            *stager = None;
            drop(stager);
            return self.stage(returned.0);
        }
        Ok(())
    }

    /// The staging thread, or `None` when none can be started. It ends when the engine
    /// (and with it the sender) is dropped.
    fn start_stager(&self) -> Option<SyncSender<Job>> {
        let (sender, jobs) = sync_channel::<Job>(QUEUED_JOBS);
        let writer: Weak<Writer> = Arc::downgrade(&self.writer);
        let staged = Arc::clone(&self.staged);
        let failed = Arc::clone(&self.failed);
        let pending = Arc::clone(&self.pending);
        std::thread::Builder::new()
            .name("crm-index-stage".into())
            .spawn(move || {
                for job in jobs {
                    let outcome = match writer.upgrade() {
                        Some(writer) => match writer.lock() {
                            Ok(mut w) => {
                                let run =
                                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                        job(&mut w)
                                    }));
                                match run {
                                    Ok(Ok(())) => {
                                        staged.store(true, Ordering::Release);
                                        Ok(())
                                    }
                                    Ok(Err(e)) => {
                                        let _ = w.rollback();
                                        Err(e.to_string())
                                    }
                                    Err(_) => {
                                        let _ = w.rollback();
                                        Err("a staged change panicked".to_owned())
                                    }
                                }
                            }
                            Err(_) => Err("the index writer is poisoned".to_owned()),
                        },
                        None => Ok(()),
                    };
                    if let (Err(e), Ok(mut slot)) = (outcome, failed.lock()) {
                        *slot = Some(e);
                    }
                    pending.finish();
                }
            })
            .ok()
            .map(|_| sender)
    }

    /// Commits staged changes now, if there are any: a search after a staged change sees
    /// it.
    pub(crate) fn flush_staged(&self) -> crm_core::Result<()> {
        self.pending.wait()?;
        self.take_failure()?;
        // The flag changes under the lock only: holding it, a commit under way has ended.
        let mut writer = self.writer.lock().map_err(|_| poisoned())?;
        if self.staged.swap(false, Ordering::AcqRel) {
            writer.commit().map_err(SearchError::from)?;
            self.reader.reload().map_err(SearchError::from)?;
        }
        Ok(())
    }

    /// The thread that commits staged changes; it ends when the engine is dropped.
    fn start_committer(&self) {
        let writer: Weak<Writer> = Arc::downgrade(&self.writer);
        let staged = Arc::clone(&self.staged);
        let failed = Arc::clone(&self.failed);
        let reader = self.reader.clone();
        let spawned = std::thread::Builder::new()
            .name("crm-index-commit".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(STAGED_COMMIT / 2);
                    if writer.strong_count() == 0 {
                        return;
                    }
                    // The writer is held only to commit, so that dropping the engine
                    // releases the index (and its lock) at once.
                    if !staged.load(Ordering::Acquire) {
                        continue;
                    }
                    let Some(writer) = writer.upgrade() else {
                        return;
                    };
                    let outcome = match writer.lock() {
                        Ok(mut w) if staged.swap(false, Ordering::AcqRel) => w
                            .commit()
                            .and_then(|_| reader.reload())
                            .map_err(|e| e.to_string()),
                        Ok(_) => Ok(()),
                        Err(_) => Err("the index writer is poisoned".to_owned()),
                    };
                    if let (Err(e), Ok(mut slot)) = (outcome, failed.lock()) {
                        *slot = Some(e);
                    }
                }
            });
        if let (Err(e), Ok(mut slot)) = (spawned, self.failed.lock()) {
            *slot = Some(format!("no thread for staged commits: {e}"));
        }
    }

    /// Runs `changes` on the writer and commits them, so that searches see them when this
    /// returns; if `changes` fails, nothing of it is kept. When `changes` answers that it
    /// rebuilt the index (cleared it first), a background thread merges every segment into
    /// one (see [`Engine::settle`]): a search then walks one term dictionary instead of
    /// dozens.
    pub(crate) fn commit_with(
        &self,
        changes: impl FnOnce(&mut IndexWriter<TantivyDocument>) -> crm_core::Result<bool>,
    ) -> crm_core::Result<()> {
        self.pending.wait()?;
        self.take_failure()?;
        let mut writer = self.writer.lock().map_err(|_| poisoned())?;
        match changes(&mut writer) {
            Ok(rebuilt) => {
                // A rebuild paused the merge policy (`Changes::clear_all`): no merges of its
                // own take segments before the merge of them all is registered.
                let committed = writer.commit().map_err(SearchError::from);
                if rebuilt {
                    let merge = match &committed {
                        Ok(_) => start_merge_all(&mut writer, &self.reader),
                        Err(_) => Ok(None),
                    };
                    writer.set_merge_policy(Box::new(LogMergePolicy::default()));
                    // Best effort, as the merge itself.
                    *self.merging.lock().map_err(|_| poisoned())? = merge.ok().flatten();
                }
                committed?;
                // Staged changes went with this commit.
                self.staged.store(false, Ordering::Release);
                self.reader.reload().map_err(SearchError::from)?;
                Ok(())
            }
            Err(e) => {
                writer.rollback().map_err(SearchError::from)?;
                writer.set_merge_policy(Box::new(LogMergePolicy::default()));
                Err(e)
            }
        }
    }

    /// Waits until the index's background work has ended: staged changes are committed and
    /// the merge after a rebuild is done. Searches work meanwhile; this is for a caller that
    /// wants the index at rest (before a backup, or before measuring it).
    pub(crate) fn settle(&self) -> crm_core::Result<()> {
        // The merge thread reloads the reader when it is done; flushing reloads it for
        // what was staged.
        self.pending.wait()?;
        wait_for(&self.merging)?;
        self.flush_staged()
    }
}
