//! The port of the address index: free-text search over names, numbers, contact persons,
//! places and e-mail addresses, beside the criteria search of the database.

use crate::error::Result;
use crate::ids::{AddressId, AddressNumber, UserId};

/// An address as the index takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedAddress {
    /// The id.
    pub id: AddressId,
    /// The customer or lead number.
    pub number: AddressNumber,
    /// The former lead number of a customer.
    pub lead_number: Option<AddressNumber>,
    /// The name lines.
    pub name: String,
    /// Street, postal code and city.
    pub place: String,
    /// E-mail addresses of the address and of its active contacts.
    pub emails: Vec<String>,
    /// Names of its active contact persons.
    pub contacts: Vec<String>,
    /// The field rep.
    pub field_rep: Option<UserId>,
    /// The inside rep.
    pub inside_rep: Option<UserId>,
}

/// Whose addresses a search may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexScope {
    /// Every address.
    All,
    /// Those `user` is field or inside rep of, and `team_addresses` (where he is in the
    /// selling team of an opportunity).
    Responsible {
        /// The user.
        user: UserId,
        /// The addresses of his opportunity teams.
        team_addresses: Vec<AddressId>,
    },
}

/// A free-text address search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressTextQuery<'q> {
    /// What the user typed.
    pub text: &'q str,
    /// Visibility.
    pub scope: IndexScope,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
}

/// Changes to an address index, committed together.
pub trait AddressIndexWriter {
    /// Adds addresses, replacing those with the same id.
    ///
    /// # Errors
    /// Index failures.
    fn upsert(&mut self, addresses: &[IndexedAddress]) -> Result<()>;

    /// Removes everything (before a rebuild).
    ///
    /// # Errors
    /// Index failures.
    fn clear(&mut self) -> Result<()>;
}

/// A full-text index of the addresses; the database stays the source of truth.
pub trait AddressIndex: Send + Sync {
    /// Runs `changes` and commits them, so that searches see them when this returns; if
    /// `changes` fails, nothing of it is kept.
    ///
    /// # Errors
    /// Index failures, or what `changes` returns.
    fn update(
        &self,
        changes: &mut dyn FnMut(&mut dyn AddressIndexWriter) -> Result<()>,
    ) -> Result<()>;

    /// The ids of the best hits, best first, and how many match in all.
    ///
    /// # Errors
    /// Index failures; never the query text, whatever it holds.
    fn search(&self, query: &AddressTextQuery<'_>) -> Result<(Vec<AddressId>, usize)>;

    /// How many addresses the index holds.
    ///
    /// # Errors
    /// Index failures.
    fn count(&self) -> Result<u64>;

    /// Waits until the index's background work (a merge after a rebuild, changes staged
    /// for a later commit) has ended. Searches need not wait; this is for a caller that
    /// wants the index at rest, before a backup or a measurement. The default has nothing
    /// to wait for.
    ///
    /// # Errors
    /// Index failures.
    fn settle(&self) -> Result<()> {
        Ok(())
    }
}
