//! Check-ins of many documents at once (all or none, each error naming its item), and a
//! check-in interrupted after its metadata committed, when the full-text index fails: the
//! document is archived and listed at once, the caller is told so (no error that would make
//! him check it in twice), and the index catches up with the next call that reaches it.
//! And a check-in whose bytes fail to reach the disk after its metadata was written (on
//! PostgreSQL the two go side by side): nothing of it is archived. For these the services
//! are assembled by hand, as an integrator embedding the core does, with an index and a
//! blob store that fail on demand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;
use crm::archive::{ArchiveLink, Category, DocumentInput};
use crm::archive::{BlobCheck, BlobHash, VersionInput};
use crm::dmas::{FileText, FsBlobStore};
use crm::ports::{BlobStore, DocumentIndex, DocumentIndexWriter, StoredBlob};
use crm::search_index::DocumentSearch;
use crm::{DocumentId, EntityKind, Error, Incoming, Language, Rules, Services};

/// A document index that fails every write while `failing` is set.
struct Flaky {
    inner: DocumentSearch,
    failing: AtomicBool,
}

impl Flaky {
    fn check(&self) -> crm::Result<()> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(Error::Storage("the index disk is full".into()));
        }
        Ok(())
    }
}

impl DocumentIndex for Flaky {
    fn update(
        &self,
        changes: &mut dyn FnMut(&mut dyn DocumentIndexWriter) -> crm::Result<()>,
    ) -> crm::Result<()> {
        self.check()?;
        self.inner.update(changes)
    }

    fn stage(
        &self,
        changes: &mut dyn FnMut(&mut dyn DocumentIndexWriter) -> crm::Result<()>,
    ) -> crm::Result<()> {
        self.check()?;
        self.inner.stage(changes)
    }

    fn search(&self, text: &str, limit: usize) -> crm::Result<Vec<DocumentId>> {
        self.inner.search(text, limit)
    }

    fn count(&self) -> crm::Result<u64> {
        self.inner.count()
    }
}

/// A blob store whose writes fail while `failing` is set, after reading every byte (as a
/// full disk fails at the end).
struct FullDisk {
    inner: FsBlobStore,
    failing: AtomicBool,
}

impl BlobStore for FullDisk {
    fn put(&self, content: &mut dyn std::io::Read) -> crm::Result<StoredBlob> {
        if self.failing.load(Ordering::SeqCst) {
            std::io::copy(content, &mut std::io::sink())
                .map_err(|e| Error::Storage(e.to_string()))?;
            return Err(Error::Storage("the archive disk is full".into()));
        }
        self.inner.put(content)
    }

    fn open(&self, hash: &BlobHash) -> crm::Result<Box<dyn std::io::Read + Send>> {
        self.inner.open(hash)
    }

    fn check(&self, hash: &BlobHash) -> crm::Result<(BlobCheck, u64)> {
        self.inner.check(hash)
    }

    fn remove(&self, hash: &BlobHash) -> crm::Result<()> {
        self.inner.remove(hash)
    }

    fn older_than(&self, age: Duration) -> crm::Result<Vec<BlobHash>> {
        self.inner.older_than(age)
    }
}

/// The services over `crm`'s store assembled by hand, with `blobs`, the PDF text
/// extractor and `index`.
fn assembled(
    crm: &TestCrm,
    blobs: Arc<dyn BlobStore>,
    index: Arc<dyn DocumentIndex>,
) -> crm::Result<Services<crm::DieselStore>> {
    let services = Services::new(crm.store().clone(), crm.clock.clone(), Rules::default())?;
    services.set_blob_store(blobs);
    services.set_text_extractor(Arc::new(FileText::default()));
    services.set_document_index(index);
    Ok(services)
}

fn letter(title: &str, shop: crm::AddressId) -> DocumentInput {
    DocumentInput {
        title: title.into(),
        category: Category::Correspondence,
        language: Some(Language::De),
        tags: vec![],
        links: vec![ArchiveLink::record(shop)],
        file_name: "brief.txt".into(),
        media_type: "text/plain".into(),
    }
}

fn an_index_failure_after_commit_is_caught_up(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let manager = actor(MANAGER);
    let admin = actor(ADMIN);
    let shop = crm
        .addresses()
        .create_customer(&manager, &address("Sägerei Zürcher AG", "8001", "Zürich"))?;

    let archive = tempfile::tempdir()?;
    let index = Arc::new(Flaky {
        inner: DocumentSearch::in_memory()?,
        failing: AtomicBool::new(true),
    });
    let services = assembled(
        &crm,
        Arc::new(FsBlobStore::open(archive.path())?),
        index.clone(),
    )?;
    let documents = services.documents();

    // The index fails: the check-in still answers the archived document.
    let letter_id = documents
        .check_in(
            &manager,
            &letter("Brief Holzlieferung", shop.id),
            &mut &b"Wir liefern die Fichtenbretter am Montag."[..],
        )?
        .id;
    let listed = documents.of_address(&manager, shop.id)?;
    assert_eq!(listed.len(), 1, "listed at once");
    assert_eq!(listed[0].document.id, letter_id);
    assert!(documents.search(&manager, "fichtenbretter", 10)?.is_empty());
    assert_eq!(
        documents.index_counts()?,
        (1, 0),
        "the open check would see it"
    );

    // The index works again: the next search writes what it missed first.
    index.failing.store(false, Ordering::SeqCst);
    let found = documents.search(&manager, "fichtenbreter", 10)?;
    assert_eq!(
        found.iter().map(|d| d.id).collect::<Vec<_>>(),
        [letter_id],
        "caught up, typo and all"
    );
    assert_eq!(documents.index_counts()?, (1, 1));

    // A check-in while the index fails, caught up by the next check-in.
    index.failing.store(true, Ordering::SeqCst);
    let second = documents
        .check_in(
            &manager,
            &letter("Brief Rechnung", shop.id),
            &mut &b"Die Rechnung folgt mit der Lieferung der Eichenbalken."[..],
        )?
        .id;
    index.failing.store(false, Ordering::SeqCst);
    let third = documents
        .check_in(
            &manager,
            &letter("Brief Termin", shop.id),
            &mut &b"Besuch in der Werkstatt am Dienstag."[..],
        )?
        .id;
    assert_eq!(documents.index_counts()?, (3, 3));
    for (word, id) in [("eichenbalken", second), ("werkstatt", third)] {
        let hits: Vec<_> = documents
            .search(&manager, word, 10)?
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(hits, [id], "{word}");
    }

    // The archive is whole: every blob referenced and unaltered, nothing to collect.
    let report = documents.verify(&admin)?;
    assert!(report.damaged.is_empty(), "{report:?}");
    assert!(documents.gc(&admin, Duration::ZERO)?.removed.is_empty());
    Ok(())
}

fn bytes_that_fail_to_reach_the_disk_leave_nothing(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let manager = actor(MANAGER);
    let admin = actor(ADMIN);
    let shop = crm
        .addresses()
        .create_customer(&manager, &address("Zimmerei Moser", "3800", "Interlaken"))?;
    let archive = tempfile::tempdir()?;
    let disk = Arc::new(FullDisk {
        inner: FsBlobStore::open(archive.path())?,
        failing: AtomicBool::new(true),
    });
    let services = assembled(&crm, disk.clone(), Arc::new(DocumentSearch::in_memory()?))?;
    let documents = services.documents();
    let pdf = crm::dmas::pdf::text_pdf("Offerte Dachstuhl", &["Lärchenholz".to_owned()])?;
    let offer = DocumentInput {
        media_type: "application/pdf".into(),
        ..letter("Offerte Dachstuhl", shop.id)
    };

    let failed = documents.check_in(&manager, &offer, &mut &pdf[..]);
    assert!(
        matches!(&failed, Err(Error::Storage(m)) if m.contains("disk is full")),
        "{failed:?}"
    );
    assert!(documents.of_address(&manager, shop.id)?.is_empty());
    assert!(documents.search(&manager, "laerchenholz", 10)?.is_empty());

    // A new version whose bytes fail: the document stays as it was, still checked out.
    disk.failing.store(false, Ordering::SeqCst);
    let kept = documents.check_in(&manager, &offer, &mut &pdf[..])?;
    let out = documents.check_out(&manager, kept.id, kept.version)?;
    disk.failing.store(true, Ordering::SeqCst);
    let second = VersionInput {
        file_name: "offerte-2.pdf".into(),
        media_type: "application/pdf".into(),
        comment: Some("Preis angepasst".into()),
    };
    let refused = documents.check_in_version(
        &manager,
        kept.id,
        out.version,
        &second,
        &mut &b"Neuer Preis"[..],
    );
    assert!(matches!(refused, Err(Error::Storage(_))), "{refused:?}");
    assert_eq!(documents.document(&manager, kept.id)?, out);

    // Nothing half written: every version's blob is there, nothing left over.
    assert!(documents.verify(&admin)?.damaged.is_empty());
    assert!(documents.gc(&admin, Duration::ZERO)?.removed.is_empty());
    Ok(())
}

/// Plain files or PDFs as a batch of letters at `shop`.
fn batch(scans: &[Vec<u8>], shop: crm::AddressId) -> Vec<Incoming<'_>> {
    scans
        .iter()
        .enumerate()
        .map(|(i, pdf)| Incoming {
            input: DocumentInput {
                media_type: "application/pdf".into(),
                file_name: format!("lieferschein-{}.pdf", i + 1),
                ..letter(&format!("Lieferschein {}", i + 1), shop)
            },
            content: Box::new(&pdf[..]),
        })
        .collect()
}

fn a_batch_is_archived_whole_or_not_at_all(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let manager = actor(MANAGER);
    let admin = actor(ADMIN);
    let shop = crm
        .addresses()
        .create_customer(&manager, &address("Holzbau Gerber AG", "3600", "Thun"))?;
    let scans: Vec<Vec<u8>> = (1..=6)
        .map(|i| {
            crm::dmas::pdf::text_pdf(
                &format!("Lieferschein {i}"),
                &[format!("Lieferschein {i}: {} Dachlatten", i * 40)],
            )
        })
        .collect::<crm::Result<_>>()?;
    let batch = |scans| batch(scans, shop.id);

    let archived = crm.documents().check_in_all(&manager, batch(&scans))?;
    let titles: Vec<&str> = archived.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(
        titles,
        (1..=6)
            .map(|i| format!("Lieferschein {i}"))
            .collect::<Vec<_>>(),
        "in the order given"
    );
    assert_eq!(crm.documents().of_address(&manager, shop.id)?.len(), 6);
    let found = crm.documents().search(&manager, "dachlaten", 10)?;
    assert_eq!(found.len(), 6, "every text indexed, typo and all");

    // One item linked to a record that does not exist: nothing of the batch is archived,
    // the error names the item, and gc removes the bytes it stored.
    let others: Vec<Vec<u8>> = (0..3)
        .map(|i| format!("Brief {i} über Fensterrahmen").into_bytes())
        .collect();
    let mut failing = batch(&others);
    failing[1].input.links = vec![ArchiveLink {
        kind: EntityKind::Contact,
        key: "999999".into(),
    }];
    let Err(Error::Invalid(e)) = crm.documents().check_in_all(&manager, failing) else {
        panic!("a batch with a missing record was archived");
    };
    assert_eq!(e.field(), "items[1]", "{e}");
    assert_eq!(crm.documents().of_address(&manager, shop.id)?.len(), 6);
    assert!(
        crm.documents()
            .search(&manager, "fensterrahmen", 10)?
            .is_empty()
    );
    assert_eq!(
        crm.documents().gc(&admin, Duration::ZERO)?.removed.len(),
        3,
        "the batch's bytes are unreferenced"
    );

    // Bad metadata is refused before any byte is stored, naming item and field.
    let mut bad = batch(&others);
    bad[2].input.title = " ".into();
    let Err(Error::Invalid(e)) = crm.documents().check_in_all(&manager, bad) else {
        panic!("a batch with an empty title was archived");
    };
    assert!(e.has("items[2].title"), "{e}");
    assert!(
        crm.documents()
            .gc(&admin, Duration::ZERO)?
            .removed
            .is_empty()
    );
    assert!(crm.documents().verify(&admin)?.damaged.is_empty());
    Ok(())
}

on_both_backends!(
    an_index_failure_after_commit_is_caught_up,
    bytes_that_fail_to_reach_the_disk_leave_nothing,
    a_batch_is_archived_whole_or_not_at_all
);
