//! Free-text address search through the address index, and keeping that index in step with
//! the database: every use case that changes an address or its contact persons hands the
//! address to the index after its transaction commits.

use crate::address::AddressSummary;
use crate::error::{Error, Result};
use crate::ids::AddressId;
use crate::ports::{AddressTextQuery, IndexScope, Store};
use crate::search::{Page, PageRequest};
use crate::user::{Actor, Role};
use crate::visibility::AddressScope;

use super::pipeline::read_ahead;
use super::{AddressService, Context};

/// Addresses read per slice when the index is written from the database.
const SLICE: u32 = 2_000;

impl<S: Store> Context<S> {
    /// Writes the stored state of the addresses `ids` into the address index, if one is
    /// connected. Called after the transaction that changed them has committed.
    ///
    /// # Errors
    /// Storage and index failures; the database already holds the change, and
    /// `rebuild_index` repairs the index.
    pub(super) fn addresses_changed(&self, ids: &[AddressId]) -> Result<()> {
        let Some(index) = self.address_index.get() else {
            return Ok(());
        };
        if ids.is_empty() {
            return Ok(());
        }
        index.update(&mut |w| {
            for slice in ids.chunks(SLICE as usize) {
                let records = self.store.read(|tx| tx.index_records(slice))?;
                w.upsert(&records)?;
            }
            Ok(())
        })
    }
}

impl<S: Store> AddressService<'_, S> {
    /// Free-text search, as in a search engine: words of names, numbers, contact persons,
    /// street and city, e-mail addresses — with typos, umlauts written either way and the
    /// word being typed as a prefix — within what the actor may see, best first.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # fn demo<S: Store>(crm: &Services<S>, rep: &Actor) -> Result<()> {
    /// let hits = crm.addresses().search_text(rep, "mueller bäckerei zürich", PageRequest::default())?;
    /// for a in hits.items {
    ///     println!("{} {}", a.number, a.name);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `limit`; index and storage failures. The text never fails.
    pub fn search_text(
        &self,
        actor: &Actor,
        text: &str,
        page: PageRequest,
    ) -> Result<Page<AddressSummary>> {
        let page = page.validate()?;
        let index = self.index()?;
        let scope = self.ctx.scope(actor);
        // One snapshot: the team whose addresses the index may answer with, and the
        // summaries of the addresses it answers.
        let (ids, total, mut found) = self.ctx.store.read(|tx| {
            let index_scope = match scope {
                AddressScope::All => IndexScope::All,
                AddressScope::Responsible(user) => IndexScope::Responsible {
                    user,
                    team_addresses: tx.team_addresses(user)?,
                },
            };
            let (ids, total) = index.search(&AddressTextQuery {
                text,
                scope: index_scope,
                offset: usize::try_from(page.offset).unwrap_or(usize::MAX),
                limit: page.limit as usize,
            })?;
            let found = tx.address_summaries(&ids, scope)?;
            Ok((ids, total, found))
        })?;
        // In the index's order; an address the database no longer shows is left out.
        found.sort_by_key(|s| ids.iter().position(|id| *id == s.id));
        Ok(Page {
            items: found,
            total: total as u64,
            offset: page.offset,
            limit: page.limit,
        })
    }

    /// Rebuilds the address index from the database; answers how many addresses it holds.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for users other than administrators and sales managers; storage
    /// and index failures.
    pub fn rebuild_index(&self, actor: &Actor) -> Result<u64> {
        if !(actor.has(Role::Admin) || actor.has(Role::SalesManager)) {
            return Err(Error::Forbidden(format!(
                "{} may not rebuild the address index",
                actor.display_name
            )));
        }
        let index = self.index()?;
        let mut count = 0u64;
        index.update(&mut |w| {
            w.clear()?;
            let mut after = None;
            read_ahead(
                || {
                    let slice = self
                        .ctx
                        .store
                        .read(|tx| tx.index_records_after(after, SLICE))?;
                    let Some(last) = slice.last() else {
                        return Ok(None);
                    };
                    after = Some(last.id);
                    Ok(Some(slice))
                },
                |slice| {
                    count += slice.len() as u64;
                    w.upsert(&slice)
                },
            )
        })?;
        Ok(count)
    }

    /// How many addresses the database and the index hold: equal when the index is in
    /// step.
    ///
    /// # Errors
    /// Storage and index failures.
    pub fn index_counts(&self) -> Result<(u64, u64)> {
        let index = self.index()?;
        let database = self.ctx.store.read(|tx| tx.address_count())?;
        Ok((database, index.count()?))
    }

    fn index(&self) -> Result<&std::sync::Arc<dyn crate::ports::AddressIndex>> {
        self.ctx.address_index.get().ok_or_else(|| {
            Error::Storage(
                "no address index is connected: call `Services::set_address_index`".into(),
            )
        })
    }
}
