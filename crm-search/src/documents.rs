//! The archive's full-text index: [`DocumentIndex`] over tantivy — titles, tags and the
//! text of each document's latest version, with the folding and typo tolerance of the
//! other indexes.

use crm_core::ports::{DocumentIndex, DocumentIndexWriter, IndexedDocument};
use crm_core::{DocumentId, Result};
use tantivy::collector::TopDocs;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, TantivyDocument, Term};

use crate::analysis;
use crate::engine::{Changes, hit_ids};
use crate::text_query::{MAX_START, TextFields, words_query};
use crate::{Engine, SearchError, TERMS, open_index};

const MAX_QUERY_WORDS: usize = 12;
/// Words of a document's text whose starts are indexed for as-you-type search (its title
/// and tags always are); the rest match whole or with typos.
const TEXT_STARTS: usize = 500;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    all: Field,
    starts: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let terms = |option| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TERMS)
                .set_index_option(option),
        )
    };
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST),
        title: b.add_text_field("title", terms(IndexRecordOption::WithFreqs)),
        all: b.add_text_field("all", terms(IndexRecordOption::WithFreqs)),
        starts: b.add_text_field("starts", terms(IndexRecordOption::Basic)),
    };
    (b.build(), fields)
}

fn id_value(id: DocumentId) -> u64 {
    u64::try_from(id.0).unwrap_or(0)
}

fn document(f: &Fields, d: &IndexedDocument) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_u64(f.id, id_value(d.id));
    let head = format!("{} {}", d.title, d.tags.join(" "));
    let head_words = analysis::words(&head);
    doc.add_text(f.title, analysis::name_words(&d.title).join(" "));
    let mut text_words = analysis::text_words(&d.text);
    let start_words: Vec<&str> = head_words
        .iter()
        .map(String::as_str)
        .chain(text_words.iter().take(TEXT_STARTS).map(AsRef::as_ref))
        .collect();
    doc.add_text(
        f.starts,
        analysis::starts(&start_words, MAX_START).join(" "),
    );
    text_words.extend(head_words.into_iter().map(std::borrow::Cow::Owned));
    doc.add_text(f.all, text_words.join(" "));
    doc
}

/// The document index over tantivy, on disk or in memory.
pub struct DocumentSearch {
    engine: Engine,
    fields: Fields,
}

impl DocumentSearch {
    /// An index in memory.
    ///
    /// # Errors
    /// [`crm_core::Error::Storage`] when tantivy cannot set it up.
    pub fn in_memory() -> Result<DocumentSearch> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    /// The index in directory `dir`, created when there is none; one that cannot be opened
    /// is an error (the caller removes the directory and rebuilds).
    ///
    /// # Errors
    /// [`crm_core::Error::Storage`] naming the directory and tantivy's reason.
    pub fn open(dir: &std::path::Path) -> Result<DocumentSearch> {
        let (schema, fields) = schema();
        Self::with_index(open_index(dir, schema)?, fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<DocumentSearch> {
        Ok(DocumentSearch {
            engine: Engine::new(&index)?,
            fields,
        })
    }
}

impl DocumentIndexWriter for Changes<'_, Fields> {
    fn upsert(&mut self, documents: &[IndexedDocument]) -> Result<()> {
        let f = self.fields;
        self.replace(
            documents,
            |d| Term::from_field_u64(f.id, id_value(d.id)),
            |d| Ok(document(&f, d)),
        )
    }

    fn delete(&mut self, ids: &[DocumentId]) -> Result<()> {
        let f = self.fields;
        self.delete_keys(
            ids.iter()
                .map(|id| Term::from_field_u64(f.id, id_value(*id))),
        );
        Ok(())
    }

    fn clear(&mut self) -> Result<()> {
        self.clear_all()
    }
}

/// A staged change, noted to be written later.
enum Change {
    Upsert(Vec<IndexedDocument>),
    Delete(Vec<DocumentId>),
}

/// The changes of one `stage`, in order.
#[derive(Default)]
struct Noted {
    changes: Vec<Change>,
    cleared: bool,
}

impl DocumentIndexWriter for Noted {
    fn upsert(&mut self, documents: &[IndexedDocument]) -> Result<()> {
        self.changes.push(Change::Upsert(documents.to_vec()));
        Ok(())
    }

    fn delete(&mut self, ids: &[DocumentId]) -> Result<()> {
        self.changes.push(Change::Delete(ids.to_vec()));
        Ok(())
    }

    fn clear(&mut self) -> Result<()> {
        self.cleared = true;
        Ok(())
    }
}

impl DocumentIndex for DocumentSearch {
    fn update(
        &self,
        changes: &mut dyn FnMut(&mut dyn DocumentIndexWriter) -> Result<()>,
    ) -> Result<()> {
        self.engine.update(self.fields, |c| changes(c))
    }

    /// The changes are noted here and written by the staging thread (a long text's words
    /// take a few milliseconds to build), so that a check-in returns at once; searches,
    /// counts and commits wait for them. A clearing change is written at once.
    fn stage(
        &self,
        changes: &mut dyn FnMut(&mut dyn DocumentIndexWriter) -> Result<()>,
    ) -> Result<()> {
        let mut noted = Noted::default();
        changes(&mut noted)?;
        if noted.cleared {
            return self.engine.stage_changes(self.fields, |c| changes(c));
        }
        self.engine.stage_later(self.fields, move |c| {
            for change in noted.changes {
                match change {
                    Change::Upsert(items) => c.upsert(&items)?,
                    Change::Delete(ids) => c.delete(&ids)?,
                }
            }
            Ok(())
        })
    }

    fn search(&self, text: &str, limit: usize) -> Result<Vec<DocumentId>> {
        self.engine.flush_staged()?;
        let terms = analysis::query_terms(text, MAX_QUERY_WORDS);
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.engine.reader.searcher();
        let f = &self.fields;
        let query = words_query(
            &searcher,
            &TextFields {
                name: f.title,
                all: f.all,
                starts: f.starts,
                typos_below: Some(u64::try_from(limit).unwrap_or(u64::MAX)),
            },
            &terms,
        )?;
        let hits = searcher
            .search(
                &query,
                &TopDocs::with_limit(limit.min(1_000)).order_by_score(),
            )
            .map_err(SearchError::from)?;
        Ok(hit_ids(&searcher, "id", &hits)?
            .into_iter()
            .map(|id| DocumentId(i64::try_from(id).unwrap_or(0)))
            .collect())
    }

    fn count(&self) -> Result<u64> {
        self.engine.flush_staged()?;
        Ok(self.engine.reader.searcher().num_docs())
    }

    fn settle(&self) -> Result<()> {
        self.engine.settle()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, title: &str, text: &str) -> IndexedDocument {
        IndexedDocument {
            id: DocumentId(id),
            title: title.into(),
            tags: vec!["vertrag".into()],
            text: text.into(),
        }
    }

    #[test]
    fn a_common_word_typed_right_is_not_fuzzed() {
        let index = DocumentSearch::in_memory().unwrap();
        let mut all: Vec<IndexedDocument> = (1..=12)
            .map(|i| doc(i, &format!("Brief {i}"), "Die Lieferung folgt"))
            .collect();
        all.push(doc(100, "Brief 100", "Alle Lieferungen folgen"));
        index.update(&mut |w| w.upsert(&all)).unwrap();
        // Enough documents hold the word as typed: its neighbour is left alone.
        let hits = index.search("lieferung", 10).unwrap();
        assert_eq!(hits.len(), 10);
        assert!(!hits.contains(&DocumentId(100)));
        // Asked for more than hold it, the neighbour comes in too.
        let hits = index.search("lieferung", 40).unwrap();
        assert_eq!(hits.len(), 13);
        assert!(hits.contains(&DocumentId(100)));
        // Misspelt, the word is found through its typing error.
        assert_eq!(index.search("liferung", 40).unwrap().len(), 12);
    }

    #[test]
    fn titles_tags_and_text_are_found_with_typos_and_folding() {
        let index = DocumentSearch::in_memory().unwrap();
        index
            .update(&mut |w| {
                w.upsert(&[
                    doc(
                        1,
                        "Offerte Backofen",
                        "Sehr geehrter Herr Müller, wir offerieren",
                    ),
                    doc(2, "Rahmenvertrag", "Lieferung von Reihenklemmen"),
                ])
            })
            .unwrap();
        let ids = |q: &str| index.search(q, 10).unwrap();
        assert_eq!(ids("mueller"), [DocumentId(1)]);
        assert_eq!(ids("backofn"), [DocumentId(1)], "a typo");
        assert_eq!(ids("rahmenv"), [DocumentId(2)], "as typed");
        assert_eq!(ids("reihenklemmen").first(), Some(&DocumentId(2)));
        assert_eq!(ids("vertrag").len(), 2, "tags");
        for odd in ["", "!!!", "\"((", "🙂", &"x".repeat(10_000)] {
            assert!(index.search(odd, 10).is_ok());
        }
        index.update(&mut |w| w.delete(&[DocumentId(1)])).unwrap();
        assert!(ids("mueller").is_empty());
        assert_eq!(index.count().unwrap(), 1);
    }

    #[test]
    fn staged_changes_are_searchable_at_once_and_committed_soon() {
        let index = DocumentSearch::in_memory().unwrap();
        for i in 1..=30 {
            index
                .stage(&mut |w| w.upsert(&[doc(i, "Lieferschein", "Paletten")]))
                .unwrap();
        }
        let seen = || index.engine.reader.searcher().num_docs();
        // The background commit comes within its interval, without any search.
        let deadline = std::time::Instant::now() + crate::engine::STAGED_COMMIT * 8;
        while seen() < 30 && std::time::Instant::now() < deadline {
            std::thread::sleep(crate::engine::STAGED_COMMIT / 4);
        }
        assert_eq!(seen(), 30, "committed in the background");
        index
            .stage(&mut |w| w.upsert(&[doc(31, "Paletten", "")]))
            .unwrap();
        assert_eq!(
            index.search("paletten", 100).unwrap().len(),
            31,
            "a search flushes"
        );
    }

    #[test]
    fn staged_changes_keep_their_order_with_other_changes() {
        let index = DocumentSearch::in_memory().unwrap();
        let stage = |change: &mut dyn FnMut(&mut dyn DocumentIndexWriter) -> Result<()>| {
            index.stage(change).unwrap();
        };
        stage(&mut |w| w.upsert(&[doc(1, "Offerte", "Paletten"), doc(2, "Offerte", "")]));
        stage(&mut |w| w.delete(&[DocumentId(1)]));
        stage(&mut |w| w.upsert(&[doc(3, "Offerte", "Paletten")]));
        // A change written at once comes after the staged ones, whatever their thread.
        index.update(&mut |w| w.delete(&[DocumentId(3)])).unwrap();
        stage(&mut |w| w.upsert(&[doc(2, "Lieferschein", "Paletten")]));
        assert_eq!(index.search("paletten", 10).unwrap(), [DocumentId(2)]);
        assert!(index.search("offerte", 10).unwrap().is_empty());
        assert_eq!(index.count().unwrap(), 1);
    }

    #[test]
    fn staged_changes_survive_the_end_of_the_program() {
        let dir = tempfile::tempdir().unwrap();
        {
            let index = DocumentSearch::open(dir.path()).unwrap();
            index
                .stage(&mut |w| w.upsert(&[doc(1, "Lieferschein", "Paletten")]))
                .unwrap();
        }
        let again = DocumentSearch::open(dir.path()).unwrap();
        assert_eq!(again.count().unwrap(), 1);
    }

    #[test]
    fn a_rebuild_ends_in_one_segment() {
        let index = DocumentSearch::in_memory().unwrap();
        let all: Vec<IndexedDocument> = (1..=12)
            .map(|i| doc(i, &format!("Brief {i}"), "Sehr geehrte Damen und Herren"))
            .collect();
        for d in &all {
            index
                .update(&mut |w| w.upsert(std::slice::from_ref(d)))
                .unwrap();
        }
        let segments = || index.engine.reader.searcher().segment_readers().len();
        assert!(segments() > 1);
        let rebuild = || {
            index
                .update(&mut |w| {
                    w.clear()?;
                    w.upsert(&all)
                })
                .unwrap();
        };
        rebuild();
        // Searchable at once, merged in the background.
        assert_eq!(index.search("brief", 100).unwrap().len(), 12);
        index.settle().unwrap();
        assert_eq!(segments(), 1);
        // A rebuild right after another one waits for its merge, not races it, and loses
        // nothing (a race shows only now and then: a few rounds).
        for _ in 0..8 {
            rebuild();
            rebuild();
            index.settle().unwrap();
            assert_eq!(segments(), 1);
            assert_eq!(index.count().unwrap(), 12);
            assert_eq!(index.search("brief", 100).unwrap().len(), 12);
        }
        // Later changes still commit (the merge policy is back).
        index.update(&mut |w| w.delete(&[DocumentId(3)])).unwrap();
        assert_eq!(index.count().unwrap(), 11);
    }
}
