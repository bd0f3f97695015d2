//! Many documents checked in at once — a scanner station's output, a folder moved from an
//! old archive: bytes stored and text taken out on every core, the metadata of all in one
//! transaction, the index written once.

use std::io::Read;

use super::documents::DocumentService;
use super::pipeline::map_each_in_parallel;
use super::require_sales_staff;
use crate::archive::{Document, DocumentInput};
use crate::error::{Error, Result};
use crate::ports::{Extracted, Store, StoredBlob};
use crate::user::Actor;

/// The most documents one batch takes.
pub const MAX_DOCUMENT_BATCH: usize = 1_000;

/// One document of [`DocumentService::check_in_all`]: its metadata and its bytes.
pub struct Incoming<'r> {
    /// Title, category, language, tags, links and file.
    pub input: DocumentInput,
    /// Where the bytes are read from, in pieces.
    pub content: Box<dyn Read + Send + 'r>,
}

impl std::fmt::Debug for Incoming<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incoming")
            .field("input", &self.input)
            .finish_non_exhaustive()
    }
}

/// An error of the batch's item `i`, named by its place (`items[3].title`).
fn at_item(i: usize, e: Error) -> Error {
    e.located(&format!("items[{i}]"))
}

impl<S: Store> DocumentService<'_, S> {
    /// Checks in `items` together, all or none: each is checked as
    /// [`DocumentService::check_in`] checks one, their bytes are stored and their text
    /// taken out on every core, and their metadata, links and traces are written in one
    /// transaction. When any item fails nothing of the batch is archived (bytes already
    /// stored stay for [`DocumentService::gc`]), and the error names the item. Answers the
    /// documents in the order of `items`.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # use crm_core::archive::*;
    /// # fn demo<S: Store>(crm: &Services<S>, rep: &Actor, address: AddressId) -> Result<()> {
    /// let scans = ["lieferschein-1.pdf", "lieferschein-2.pdf"];
    /// let mut items = Vec::new();
    /// for name in scans {
    ///     let file = std::fs::File::open(name).map_err(|e| Error::Storage(e.to_string()))?;
    ///     items.push(Incoming {
    ///         input: DocumentInput {
    ///             title: name.into(),
    ///             category: Category::Correspondence,
    ///             language: Some(Language::De),
    ///             tags: vec!["lieferschein".into()],
    ///             links: vec![ArchiveLink::record(address)],
    ///             file_name: name.into(),
    ///             media_type: "application/pdf".into(),
    ///         },
    ///         content: Box::new(std::io::BufReader::new(file)),
    ///     });
    /// }
    /// let documents = crm.documents().check_in_all(rep, items)?;
    /// println!("{} documents archived", documents.len());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `items[i]` and the field, or `items` when there are more
    /// than [`MAX_DOCUMENT_BATCH`]; otherwise as [`DocumentService::check_in`].
    pub fn check_in_all(&self, actor: &Actor, items: Vec<Incoming<'_>>) -> Result<Vec<Document>> {
        require_sales_staff(actor, "check documents in")?;
        if items.len() > MAX_DOCUMENT_BATCH {
            return Err(Error::invalid(
                "items",
                format!(
                    "at most {MAX_DOCUMENT_BATCH} documents at once, not {}",
                    items.len()
                ),
            ));
        }
        let inputs = items
            .iter()
            .enumerate()
            .map(|(i, item)| item.input.validate().map_err(|e| at_item(i, e)))
            .collect::<Result<Vec<DocumentInput>>>()?;
        let stored = self.store_all(items, &inputs)?;
        let now = self.ctx.now();
        let documents = self.ctx.store.write(|tx| {
            inputs
                .iter()
                .zip(&stored)
                .enumerate()
                .map(|(i, (input, (blob, text)))| {
                    self.insert_checked_in(tx, actor, input, blob, text.warning.clone(), now)
                        .map_err(|e| at_item(i, e))
                })
                .collect::<Result<Vec<Document>>>()
        })?;
        let texts = stored.into_iter().map(|(_, text)| text.text).collect();
        self.index_texts(&documents, texts)?;
        Ok(documents)
    }

    /// Stores the bytes of every item and takes out their text, on every core.
    fn store_all(
        &self,
        items: Vec<Incoming<'_>>,
        inputs: &[DocumentInput],
    ) -> Result<Vec<(StoredBlob, Extracted)>> {
        let numbered: Vec<_> = items.into_iter().zip(inputs).enumerate().collect();
        map_each_in_parallel(numbered, |(i, (mut item, input))| {
            self.store_with_text(&mut item.content, &input.media_type)
                .map_err(|e| at_item(i, e))
        })
        .into_iter()
        .collect()
    }
}
