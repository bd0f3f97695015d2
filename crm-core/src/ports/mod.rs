//! Ports: what the domain needs from the outside, as small traits.
//!
//! A [`Store`] runs a closure inside one transaction and hands it a [`Tx`], which is every
//! repository at once. A use case therefore reads, checks and writes through one `Tx` and
//! either all of it commits or none of it does:
//!
//! ```
//! # use crm_core::{Store, Result, AddressId, AddressScope};
//! fn rename_twice<S: Store>(store: &S) -> Result<()> {
//!     store.write(|tx| {
//!         let _seen = tx.address(AddressId(1), AddressScope::All)?;
//!         // … more reads and writes through the same `tx` …
//!         Ok(())
//!     })
//! }
//! ```
//!
//! Repositories never decide visibility or permissions; they apply the [`AddressScope`] they
//! are given and report what they find. Every method documents its errors once here: any
//! method may fail with [`Error::Storage`](crate::Error::Storage) or
//! [`Error::Busy`](crate::Error::Busy) when the database does, and inserts fail with
//! [`Error::Duplicate`](crate::Error::Duplicate) on a unique key.

mod address_index;
mod archive;
mod dashboard;
mod erp;
mod pool;
mod product;
mod sales;

pub use address_index::{
    AddressIndex, AddressIndexWriter, AddressTextQuery, IndexScope, IndexedAddress,
};
pub use archive::{
    BlobStore, DocumentIndex, DocumentIndexWriter, DocumentRepository, Extracted, IndexedDocument,
    StoredBlob, TextExtractor,
};
pub use dashboard::{AddressCounts, DashboardRepository, Geocoder, SparklineRenderer};
pub use erp::{
    DraftRepository, Erp, ErpEventSink, OrderLines, Prices, Receivables, ReplicaRepository,
    RevenueFacts, SalesDocuments,
};
pub use pool::PoolRepository;
pub use product::{
    IndexQuery, IndexedProduct, ProductIndex, ProductIndexWriter, ProductRepository,
    ProductSelection, ProductWrite,
};
pub use sales::{OpportunityRepository, TraceRepository};

use chrono::{DateTime, Utc};

use crate::address::{Address, AddressChange, AddressSummary, NewAddress, Stamp};
use crate::calendar::{
    CalendarEntry, EntryData, EntryKind, ListedEntry, MilestoneMove, NewEntry, TimeRange,
};
use crate::contact::{Contact, ContactData, NewContact};
use crate::duplicates::DuplicateProbe;
use crate::entity::EntityRef;
use crate::error::Result;
use crate::ids::{AddressId, AddressNumber, CalendarEntryId, ContactId, NoteId, UserId, Version};
use crate::note::{NewNote, Note};
use crate::search::{AddressQuery, Page, PageRequest};
use crate::trace::SlaDeadline;
use crate::user::User;
use crate::visibility::AddressScope;

/// The unit of work: runs closures in transactions.
pub trait Store: Send + Sync {
    /// Runs `f` in a read-only transaction: every read sees one consistent snapshot.
    ///
    /// # Errors
    /// What `f` returns, or a storage failure.
    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T>;

    /// Runs `f`'s reads where they need no common snapshot: each statement sees what was
    /// committed when it started, as a statement of its own. For a use case that reads with
    /// one statement — or whose later statements only complete the first's answer, so
    /// that reading them a moment later changes nothing a caller relies on. Where a
    /// transaction costs round trips to a server (PostgreSQL) none is opened — `BEGIN` and
    /// `COMMIT` are two of them; elsewhere this is [`read`](Store::read). `f` may run more
    /// than once: when it fails on a connection the server has closed, it is run again on
    /// another.
    ///
    /// # Errors
    /// What `f` returns, or a storage failure.
    fn read_each<T>(&self, f: impl FnMut(&mut dyn Tx) -> Result<T>) -> Result<T> {
        self.read(f)
    }

    /// Runs `f` in a read-write transaction that commits when `f` returns `Ok` and rolls
    /// back otherwise. Writers are serialised as the backend requires; a waiting writer gives
    /// up with [`Error::Busy`](crate::Error::Busy) after the configured timeout.
    ///
    /// # Errors
    /// What `f` returns, or a storage failure (including a failed commit).
    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T>;

    /// Whether writers run side by side, each locking only the rows it writes
    /// (PostgreSQL), rather than one at a time with the whole database locked (SQLite). A
    /// use case with slow work besides its writes (a check-in's bytes reaching the disk, its
    /// text) keeps its transaction open during that work only when this holds; otherwise it
    /// does the work first and keeps the transaction short.
    fn concurrent_writers(&self) -> bool {
        false
    }
}

/// Every repository, as one transaction offers them.
pub trait Tx:
    AddressRepository
    + ContactRepository
    + NoteRepository
    + UserRepository
    + CounterRepository
    + ActivationRepository
    + CalendarRepository
    + PoolRepository
    + OpportunityRepository
    + TraceRepository
    + ReplicaRepository
    + DraftRepository
    + ProductRepository
    + DocumentRepository
    + DashboardRepository
{
}

impl<T> Tx for T where
    T: AddressRepository
        + ContactRepository
        + NoteRepository
        + UserRepository
        + CounterRepository
        + ActivationRepository
        + CalendarRepository
        + PoolRepository
        + OpportunityRepository
        + TraceRepository
        + ReplicaRepository
        + DraftRepository
        + ProductRepository
        + DocumentRepository
        + DashboardRepository
{
}

/// Addresses.
pub trait AddressRepository {
    /// Stores a new address and its search keys.
    ///
    /// # Errors
    /// [`Error::Duplicate`](crate::Error::Duplicate) when the number is taken.
    fn insert_address(&mut self, new: &NewAddress) -> Result<AddressId>;

    /// Stores many new addresses at once; ids in the order given.
    ///
    /// # Errors
    /// As [`AddressRepository::insert_address`].
    fn insert_addresses(&mut self, batch: &[NewAddress]) -> Result<Vec<AddressId>> {
        batch.iter().map(|new| self.insert_address(new)).collect()
    }

    /// The address with `id` if it lies in `scope`.
    ///
    /// # Errors
    /// Storage failures only; absence is `Ok(None)`.
    fn address(&mut self, id: AddressId, scope: AddressScope) -> Result<Option<Address>>;

    /// The business number of the address with `id` if it lies in `scope` — what lookups
    /// in the ERP need, without reading and checking the whole address.
    ///
    /// # Errors
    /// Storage failures only.
    fn address_number(
        &mut self,
        id: AddressId,
        scope: AddressScope,
    ) -> Result<Option<AddressNumber>> {
        Ok(self.address(id, scope)?.map(|a| a.number))
    }

    /// The address with business number `number` if it lies in `scope`.
    ///
    /// # Errors
    /// Storage failures only.
    fn address_by_number(
        &mut self,
        number: AddressNumber,
        scope: AddressScope,
    ) -> Result<Option<Address>>;

    /// Applies `change` when the stored version is `expected`, increments the version and
    /// refreshes the search keys. `Ok(false)` when the version did not match (or the address
    /// is gone).
    ///
    /// # Errors
    /// [`Error::Duplicate`](crate::Error::Duplicate) when a new number is taken.
    fn update_address(
        &mut self,
        id: AddressId,
        expected: Version,
        change: &AddressChange,
    ) -> Result<bool>;

    /// One page of the addresses in `scope` that match `query`, with the total count.
    ///
    /// # Errors
    /// Storage failures only.
    fn search_addresses(
        &mut self,
        query: &AddressQuery,
        scope: AddressScope,
        page: PageRequest,
    ) -> Result<Page<AddressSummary>>;

    /// Up to `limit` addresses that share something with the probe (a significant name word,
    /// the e-mail domain, the phone, postal code and street), regardless of visibility.
    ///
    /// # Errors
    /// Storage failures only.
    fn duplicate_candidates(&mut self, probe: &DuplicateProbe, limit: u32) -> Result<Vec<Address>>;

    /// The index records of the addresses with these ids that exist.
    ///
    /// # Errors
    /// Storage failures only.
    fn index_records(&mut self, ids: &[AddressId]) -> Result<Vec<IndexedAddress>>;

    /// Up to `limit` index records with ids above `after`, by id: every address in slices,
    /// for rebuilding an index.
    ///
    /// # Errors
    /// Storage failures only.
    fn index_records_after(
        &mut self,
        after: Option<AddressId>,
        limit: u32,
    ) -> Result<Vec<IndexedAddress>>;

    /// How many addresses there are.
    ///
    /// # Errors
    /// Storage failures only.
    fn address_count(&mut self) -> Result<u64>;

    /// The addresses of the opportunities whose selling team `user` is in.
    ///
    /// # Errors
    /// Storage failures only.
    fn team_addresses(&mut self, user: UserId) -> Result<Vec<AddressId>>;

    /// The summaries of the addresses with these ids within `scope`, in no particular
    /// order.
    ///
    /// # Errors
    /// Storage failures only.
    fn address_summaries(
        &mut self,
        ids: &[AddressId],
        scope: AddressScope,
    ) -> Result<Vec<AddressSummary>>;

    /// The summaries of the addresses with these business numbers within `scope`, in no
    /// particular order.
    ///
    /// # Errors
    /// Storage failures only.
    fn address_summaries_by_number(
        &mut self,
        numbers: &[AddressNumber],
        scope: AddressScope,
    ) -> Result<Vec<AddressSummary>> {
        let mut ids = Vec::with_capacity(numbers.len());
        for number in numbers {
            if let Some(address) = self.address_by_number(*number, scope)? {
                ids.push(address.id);
            }
        }
        self.address_summaries(&ids, scope)
    }

    /// Business numbers in use between `from` and `to` inclusive (as number or former lead
    /// number), ascending.
    ///
    /// # Errors
    /// Storage failures only.
    fn numbers_taken(&mut self, from: i64, to: i64) -> Result<Vec<i64>>;
}

/// Contact persons.
pub trait ContactRepository {
    /// Stores a new contact.
    ///
    /// # Errors
    /// [`Error::Duplicate`](crate::Error::Duplicate) when it is primary and the address
    /// already has a primary contact.
    fn insert_contact(&mut self, new: &NewContact) -> Result<ContactId>;

    /// Stores many contacts at once.
    ///
    /// # Errors
    /// As [`ContactRepository::insert_contact`].
    fn insert_contacts(&mut self, batch: &[NewContact]) -> Result<()> {
        batch
            .iter()
            .try_for_each(|c| self.insert_contact(c).map(drop))
    }

    /// The contact with `id`.
    ///
    /// # Errors
    /// Storage failures only.
    fn contact(&mut self, id: ContactId) -> Result<Option<Contact>>;

    /// The contacts of an address, primary first, then by last and first name; inactive ones
    /// only when asked. At most 1,000.
    ///
    /// # Errors
    /// Storage failures only.
    fn contacts_of(&mut self, address: AddressId, include_inactive: bool) -> Result<Vec<Contact>>;

    /// Replaces a contact's content when its version is `expected`; `Ok(false)` otherwise.
    ///
    /// # Errors
    /// Storage failures only.
    fn update_contact(
        &mut self,
        id: ContactId,
        expected: Version,
        data: &ContactData,
        updated: Stamp,
    ) -> Result<bool>;

    /// Sets a contact active or inactive when its version is `expected`; `Ok(false)` otherwise.
    ///
    /// # Errors
    /// Storage failures only.
    fn set_contact_active(
        &mut self,
        id: ContactId,
        expected: Version,
        active: bool,
        updated: Stamp,
    ) -> Result<bool>;

    /// Makes `primary` the address's only primary contact, or leaves it without one (`None`).
    ///
    /// # Errors
    /// Storage failures only.
    fn set_primary_contact(&mut self, address: AddressId, primary: Option<ContactId>)
    -> Result<()>;
}

/// Notes.
pub trait NoteRepository {
    /// Stores a new note.
    ///
    /// # Errors
    /// Storage failures only.
    fn insert_note(&mut self, new: &NewNote) -> Result<NoteId>;

    /// Stores many notes at once.
    ///
    /// # Errors
    /// Storage failures only.
    fn insert_notes(&mut self, batch: &[NewNote]) -> Result<()> {
        batch.iter().try_for_each(|n| self.insert_note(n).map(drop))
    }

    /// The note with `id`.
    ///
    /// # Errors
    /// Storage failures only.
    fn note(&mut self, id: NoteId) -> Result<Option<Note>>;

    /// A page of an address's notes, newest first.
    ///
    /// # Errors
    /// Storage failures only.
    fn notes_of(&mut self, address: AddressId, page: PageRequest) -> Result<Page<Note>>;

    /// Replaces the text when the version is `expected`; `Ok(false)` otherwise.
    ///
    /// # Errors
    /// Storage failures only.
    fn update_note(
        &mut self,
        id: NoteId,
        expected: Version,
        text: &str,
        edited: Stamp,
    ) -> Result<bool>;

    /// Deletes the note when the version is `expected`; `Ok(false)` otherwise.
    ///
    /// # Errors
    /// Storage failures only.
    fn delete_note(&mut self, id: NoteId, expected: Version) -> Result<bool>;
}

/// The CRM's copy of the host's users.
pub trait UserRepository {
    /// Inserts or replaces a user by id.
    ///
    /// # Errors
    /// [`Error::Duplicate`](crate::Error::Duplicate) when another user has the login.
    fn upsert_user(&mut self, user: &User) -> Result<()>;

    /// The user with `id`.
    ///
    /// # Errors
    /// Storage failures only.
    fn user(&mut self, id: UserId) -> Result<Option<User>>;

    /// All users by display name, inactive ones only when asked.
    ///
    /// # Errors
    /// Storage failures only.
    fn users(&mut self, include_inactive: bool) -> Result<Vec<User>>;

    /// Marks every active user whose id is not in `keep` inactive; returns how many.
    ///
    /// # Errors
    /// Storage failures only.
    fn deactivate_users_except(&mut self, keep: &[UserId]) -> Result<u64>;
}

/// Named counters, for business numbers.
pub trait CounterRepository {
    /// Reserves `count` consecutive values of counter `name` and returns the first. A counter
    /// that does not exist yet, or stands below `floor`, starts at `floor`.
    ///
    /// # Errors
    /// Storage failures only.
    fn reserve(&mut self, name: &str, floor: i64, count: i64) -> Result<i64>;

    /// The value the next [`CounterRepository::reserve`] would return, without reserving it.
    ///
    /// # Errors
    /// Storage failures only.
    fn peek(&mut self, name: &str, floor: i64) -> Result<i64>;
}

/// The addresses each user activated lately.
pub trait ActivationRepository {
    /// Records that `user` activated `address` at `at`, keeping only his newest `keep`.
    ///
    /// # Errors
    /// Storage failures only.
    fn record_activation(
        &mut self,
        user: UserId,
        address: AddressId,
        at: DateTime<Utc>,
        keep: u32,
    ) -> Result<()>;

    /// The user's activated addresses within `scope`, newest first, at most `limit`.
    ///
    /// # Errors
    /// Storage failures only.
    fn recent_activations(
        &mut self,
        user: UserId,
        scope: AddressScope,
        limit: u32,
    ) -> Result<Vec<(AddressSummary, DateTime<Utc>)>>;
}

/// Calendar entries. Storage also keeps, per user, the entries that belong in his calendar
/// (those of addresses he is responsible for, and those he takes part in or works on) and
/// refreshes them when an entry or an address's reps change.
pub trait CalendarRepository {
    /// Stores a new entry with its people and contacts.
    ///
    /// # Errors
    /// Storage failures only.
    fn insert_entry(&mut self, new: &NewEntry) -> Result<CalendarEntryId>;

    /// Stores many entries at once; ids in the order given.
    ///
    /// # Errors
    /// Storage failures only.
    fn insert_entries(&mut self, batch: &[NewEntry]) -> Result<Vec<CalendarEntryId>> {
        batch.iter().map(|e| self.insert_entry(e)).collect()
    }

    /// The entry with `id`, with its people, contacts and milestone moves.
    ///
    /// # Errors
    /// Storage failures only.
    fn entry(&mut self, id: CalendarEntryId) -> Result<Option<CalendarEntry>>;

    /// Replaces an entry's content when its version is `expected`; `Ok(false)` otherwise.
    ///
    /// # Errors
    /// Storage failures only.
    fn update_entry(
        &mut self,
        id: CalendarEntryId,
        expected: Version,
        data: &EntryData,
        updated: Stamp,
    ) -> Result<bool>;

    /// Records a move of a milestone.
    ///
    /// # Errors
    /// Storage failures only.
    fn add_milestone_move(&mut self, id: CalendarEntryId, moved: &MilestoneMove) -> Result<()>;

    /// The entries of an address that may have occurrences in `range`, of the given kinds
    /// (all when empty), at most 10,000.
    ///
    /// # Errors
    /// Storage failures only.
    fn address_entries(
        &mut self,
        address: AddressId,
        range: TimeRange,
        kinds: &[EntryKind],
    ) -> Result<Vec<ListedEntry>>;

    /// The ids of the entries linked to `link` (an opportunity's milestones), by start.
    ///
    /// # Errors
    /// Storage failures only.
    fn entries_linked_to(&mut self, link: EntityRef) -> Result<Vec<CalendarEntryId>>;

    /// Incidents with a deadline of their SLA missed by `now` (not met, or met late) whose
    /// breach was not noted yet, at most `limit`.
    ///
    /// # Errors
    /// Storage failures only.
    fn unnoted_sla_breaches(
        &mut self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(CalendarEntryId, SlaDeadline)>>;

    /// Notes that the `deadline` of the incident `entry` was missed; `Ok(false)` when it was
    /// noted before.
    ///
    /// # Errors
    /// Storage failures only.
    fn note_sla_breach(&mut self, entry: CalendarEntryId, deadline: SlaDeadline) -> Result<bool>;

    /// The entries in `user`'s calendar that may have occurrences in `range`, restricted to
    /// addresses within `scope`, at most 10,000.
    ///
    /// # Errors
    /// Storage failures only.
    fn user_entries(
        &mut self,
        user: UserId,
        range: TimeRange,
        scope: AddressScope,
    ) -> Result<Vec<ListedEntry>>;
}

/// The time source; the host's clock in production, a fixed one in tests.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}
