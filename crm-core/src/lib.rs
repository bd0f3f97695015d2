//! The pure domain of the sales CRM: what inside sales and field sales work on, and the rules
//! they work by — without any I/O.
//!
//! # Design
//!
//! Everything here is plain data and functions over it, plus **ports**: traits that say what
//! the domain needs from the outside (a [`Store`] with its repositories, a [`Clock`], the
//! host's [`UserDirectory`]). Adapter crates implement the ports — `crm-storage-diesel` for
//! SQLite and PostgreSQL — and the facade crate `crm` wires them from settings. This crate
//! depends on no database, search, PDF, chart or configuration crate, and a test in the
//! workspace checks that it stays so.
//!
//! The **use cases** live in [`Services`]: each public method is one use case, takes the
//! acting user ([`Actor`]), validates its input at the edge (naming every bad field in
//! [`Error::Invalid`]), decides visibility here ([`VisibilityPolicy`], [`AddressScope`]) and
//! runs in exactly one transaction through [`Store::write`] or [`Store::read`]. Editable
//! records carry a [`Version`]; a change based on a stale version fails with
//! [`Error::Conflict`] instead of overwriting someone else's work.
//!
//! Values that can be wrong are types that cannot hold a wrong value: [`Email`], [`Phone`],
//! [`CountryCode`], [`PostalAddress`], [`Language`], [`Money`] (exact [`rust_decimal`]
//! amounts with an ISO 4217 [`Currency`]). Ids are newtypes ([`AddressId`], …), and any
//! record can be pointed at with an [`EntityRef`].
//!
//! # Example
//!
//! ```no_run
//! use crm_core::*;
//! # fn demo<S: Store>(crm: &Services<S>, rep: &Actor) -> Result<()> {
//! let lead = crm.addresses().capture_lead(rep, &AddressInput {
//!     name1: "Bäckerei Müller".into(),
//!     legal_form: Some("AG".into()),
//!     postal: PostalAddressInput {
//!         street: Some("Bahnhofstrasse 12".into()),
//!         postal_code: Some("8001".into()),
//!         city: Some("Zürich".into()),
//!         ..Default::default()
//!     },
//!     ..Default::default()
//! })?;
//! let preview = crm.addresses().preview_conversion(rep, lead.id)?;
//! if !preview.blocked {
//!     crm.addresses()
//!         .convert_to_customer(rep, lead.id, lead.version, ConvertOptions::default())?;
//! }
//! # Ok(()) }
//! ```

pub mod address;
pub mod archive;
pub mod calendar;
pub mod contact;
pub mod dashboard;
pub mod duplicates;
pub mod entity;
pub mod erp;
pub mod error;
pub mod ids;
mod names;
pub mod note;
pub mod numbering;
pub mod opportunity;
pub mod pool;
pub mod ports;
pub mod product;
pub mod revenue;
pub mod search;
pub mod services;
pub mod text;
pub mod trace;
pub mod user;
pub mod values;
pub mod visibility;

pub use address::{
    Address, AddressChange, AddressData, AddressInput, AddressKind, AddressPatch, AddressStatus,
    AddressSummary, Classification, MoneyInput, NewAddress, SearchKeys, Stamp,
};
pub use contact::{Contact, ContactData, ContactInput, NewContact, Salutation};
pub use duplicates::{DuplicateCandidate, DuplicateProbe, DuplicateRules, MatchReason};
pub use entity::{EntityKind, EntityRef};
pub use error::{Error, FieldError, Invalid, Result, ValueError};
pub use ids::{
    AddressId, AddressNumber, CalendarEntryId, ContactId, DocumentId, DraftId, NoteId,
    OpportunityId, OpportunityNumber, PoolId, TraceId, UserId, Version,
};
pub use note::{NewNote, Note};
pub use numbering::{NumberRange, NumberRanges};
pub use pool::{NewPool, Pool, PoolAddition, PoolData, PoolInput, PoolVisibility};
pub use ports::{
    ActivationRepository, AddressRepository, CalendarRepository, Clock, ContactRepository,
    CounterRepository, DocumentRepository, DraftRepository, Erp, ErpEventSink, Geocoder,
    NoteRepository, OpportunityRepository, OrderLines, PoolRepository, Prices, Receivables,
    ReplicaRepository, RevenueFacts, SalesDocuments, SparklineRenderer, Store, TraceRepository, Tx,
    UserRepository,
};
pub use search::{
    AddressCriteria, AddressQuery, AddressSort, AddressSortField, Page, PageRequest,
    PostalCodeFilter, StatusFilter,
};
pub use services::{
    ActivatedAddress, AddressService, AddressView, CalendarService, ContactService, Conversion,
    ConversionPreview, ConvertOptions, DashboardOptions, DashboardService, DispositionLine,
    DocumentService, ErpService, FieldChange, ImportReport, ImportRow, Incoming, IndexDrift,
    LinkedRecord, MAX_DOCUMENT_BATCH, MAX_DOCUMENT_HITS, MAX_OUTBOX, MAX_PIPELINE_USERS,
    NoteService, OpportunityService, PoolService, ProductService, QuoteService, ReceivablesView,
    RevenueOptions, RevenueService, Rules, STANDARD_VAT_RATE, Services, SlaEvent, TraceService,
    UserService, UserSyncReport,
};
pub use user::{Actor, Role, User, UserDirectory};
pub use values::{
    CountryCode, Currency, Email, GeoPoint, Language, Money, Phone, PostalAddress,
    PostalAddressInput, Website,
};
pub use visibility::{AddressScope, VisibilityPolicy};

pub use rust_decimal::Decimal;
