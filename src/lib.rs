#![doc = include_str!("guide.md")]

pub mod demo;
pub mod ical;
mod indexes;
mod quote_pdf;
pub mod settings;

use std::sync::Arc;

use chrono::{DateTime, Utc};
pub use crm_core::*;
pub use crm_dmas as dmas;
pub use crm_erp_adapter as erp_adapter;
use crm_erp_adapter::Replica;
pub use crm_mis as mis;
pub use crm_search as search_index;
pub use crm_storage_diesel::{Backend, DieselStore, StorageError};

pub use settings::Settings;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

/// What can go wrong while opening the CRM; once open, services fail with [`Error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// A setting is missing or wrong; the message names it.
    #[error("settings: {0}")]
    Settings(String),
    /// The database cannot be opened or migrated.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The domain rules in the settings contradict themselves.
    #[error(transparent)]
    Rules(#[from] Error),
}

/// The host's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The CRM, opened: the services over the configured store.
///
/// ```no_run
/// use crm::{Crm, Settings, AddressCriteria, PageRequest};
///
/// let crm = Crm::open(Settings::load()?)?;
/// let admin = crm::demo::admin();
/// let hits = crm.addresses().search(
///     &admin,
///     &AddressCriteria { name: Some("muell".into()), ..Default::default() },
///     PageRequest::default(),
/// )?;
/// for row in hits.items {
///     println!("{} {} {}", row.number, row.name, row.city.unwrap_or_default());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Crm {
    services: Services<DieselStore>,
    replica: Arc<Replica<DieselStore>>,
    /// Traces the replica's events; the replica holds it weakly.
    _events: Arc<dyn ErpEventSink>,
    settings: Settings,
    warnings: Vec<String>,
}

impl Crm {
    /// Opens the store the settings name (creating and migrating it as needed) and wires the
    /// services. `Crm::open(Settings::default())` opens an embedded SQLite database under
    /// `./crm-data/`.
    ///
    /// # Errors
    /// [`OpenError`] naming the setting, the database failure or the contradictory rule.
    pub fn open(settings: Settings) -> Result<Self, OpenError> {
        Self::open_with_clock(settings, Arc::new(SystemClock))
    }

    /// Like [`Crm::open`], with the host's clock (tests pass a fixed one).
    ///
    /// # Errors
    /// As [`Crm::open`].
    pub fn open_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> Result<Self, OpenError> {
        let store = DieselStore::open(&settings.store_options()?)?;
        let replica = Arc::new(settings.erp.replica(store.clone(), clock.clone()));
        let services = Services::with_store_replica(
            store,
            clock,
            settings.rules(),
            replica.clone() as Arc<dyn Erp>,
        )?;
        Self::assemble(settings, services, replica)
    }

    /// Like [`Crm::open_with_clock`], reading the ERP's data (sales documents, disposition,
    /// open items, prices and special conditions) from the host's own implementation of the
    /// ERP ports — for instance [`erp_adapter::InMemoryErp`], or the host's ERP itself —
    /// instead of the replica.
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use crm::{Crm, Settings, SystemClock};
    /// use crm::erp_adapter::InMemoryErp;
    ///
    /// let erp = Arc::new(InMemoryErp::new());
    /// let crm = Crm::open_with_erp(Settings::load()?, Arc::new(SystemClock), erp.clone())?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Crm::open`].
    pub fn open_with_erp(
        settings: Settings,
        clock: Arc<dyn Clock>,
        erp: Arc<dyn Erp>,
    ) -> Result<Self, OpenError> {
        let store = DieselStore::open(&settings.store_options()?)?;
        let replica = Arc::new(settings.erp.replica(store.clone(), clock.clone()));
        let services = Services::with_erp(store, clock, settings.rules(), erp)?;
        Self::assemble(settings, services, replica)
    }

    /// Connects the replica's events and the product index to `services`.
    fn assemble(
        settings: Settings,
        services: Services<DieselStore>,
        replica: Arc<Replica<DieselStore>>,
    ) -> Result<Self, OpenError> {
        let events: Arc<dyn ErpEventSink> = Arc::new(services.clone());
        replica.record_events_with(&events);
        let blobs = crm_dmas::FsBlobStore::open(&settings.archive_dir())
            .map_err(|e| OpenError::Settings(format!("archive: {e}")))?;
        services.set_blob_store(Arc::new(blobs));
        services.set_text_extractor(Arc::new(crm_dmas::FileText::default()));
        services.set_sparkline_renderer(Arc::new(MisSparklines));
        let mut warnings = indexes::attach(&services, &settings)?;
        if replica.ensure_revenue_summary()? {
            warnings.push(
                "the monthly revenue summary was missing and has been computed from the revenue facts"
                    .to_owned(),
            );
        }
        Ok(Crm {
            services,
            replica,
            _events: events,
            settings,
            warnings,
        })
    }

    /// What opening noticed and repaired, e.g. a product index that was missing or corrupt
    /// and has been rebuilt from the database. Empty when all was well.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Waits until the search indexes' background work has ended: a rebuild (at open or
    /// asked for) answers as soon as everything is searchable and merges the index into one
    /// segment afterwards, and check-ins commit their text within a second.
    /// Searches need not wait; call this before a backup of the data directory or a
    /// measurement.
    ///
    /// # Errors
    /// Index failures.
    pub fn settle_indexes(&self) -> crm_core::Result<()> {
        self.services.settle_indexes()
    }

    /// The product catalog: import (BMEcat, CSV), detail, new items, promotions, groups,
    /// free-text search, and handing a product to the active sales document.
    ///
    /// ```no_run
    /// use crm::product::ProductQuery;
    /// # let crm = crm::Crm::open(crm::Settings::load()?)?;
    /// let rep = crm::demo::admin();
    /// let hits = crm.products().search(&rep, &ProductQuery {
    ///     text: "reihenklemme 2.5".into(),
    ///     language: crm::Language::De,
    ///     filter: Default::default(),
    ///     day: chrono::Utc::now().date_naive(),
    ///     limit: 10,
    /// })?;
    /// for hit in hits.hits {
    ///     println!("{} {}", hit.number, hit.name);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn products(&self) -> ProductService<'_, DieselStore> {
        self.services.products()
    }

    /// The archive: check documents in at the records they belong to, versions, retention,
    /// verify and gc.
    pub fn documents(&self) -> DocumentService<'_, DieselStore> {
        self.services.documents()
    }

    /// Addresses: capture leads, edit, search, open, activate, convert, import.
    pub fn addresses(&self) -> AddressService<'_, DieselStore> {
        self.services.addresses()
    }

    /// Contact persons.
    pub fn contacts(&self) -> ContactService<'_, DieselStore> {
        self.services.contacts()
    }

    /// Notes.
    pub fn notes(&self) -> NoteService<'_, DieselStore> {
        self.services.notes()
    }

    /// The copy of the host's users.
    pub fn users(&self) -> UserService<'_, DieselStore> {
        self.services.users()
    }

    /// Calendar entries: activities, milestones, assignments; address and user calendars.
    pub fn calendar(&self) -> CalendarService<'_, DieselStore> {
        self.services.calendar()
    }

    /// Address pools.
    pub fn pools(&self) -> PoolService<'_, DieselStore> {
        self.services.pools()
    }

    /// Opportunities with their selling teams and milestones; the weighted pipeline.
    pub fn opportunities(&self) -> OpportunityService<'_, DieselStore> {
        self.services.opportunities()
    }

    /// Traces: an address's and a user's, opening their records, external events, and the
    /// verification of the hash chains.
    pub fn traces(&self) -> TraceService<'_, DieselStore> {
        self.services.traces()
    }

    /// The ERP's data of an address: sales documents, disposition, open items with payment
    /// habits, special conditions, explained prices — from the replica, or from the host's
    /// ERP when opened with [`Crm::open_with_erp`].
    pub fn erp(&self) -> ErpService<'_, DieselStore> {
        self.services.erp()
    }

    /// Revenue figures (MIS) of an address and of a user, from the monthly summary the
    /// replica keeps with the revenue facts (or from the host's ERP). Charts of them:
    /// [`mis`].
    ///
    /// ```no_run
    /// # use crm::*;
    /// # fn demo(crm: &Crm, rep: &Actor, address: AddressId) -> Result<(), Box<dyn std::error::Error>> {
    /// let revenue = crm.revenue().of_address(rep, address, RevenueOptions::default())?;
    /// let charts = crm::mis::address_charts(&revenue, &crm::mis::ChartOptions::default())?;
    /// for (name, chart) in charts {
    ///     std::fs::write(format!("{name}.{}", chart.format.extension()), &chart.bytes)?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn revenue(&self) -> RevenueService<'_, DieselStore> {
        self.services.revenue()
    }

    /// The dashboards of an address and of a user, each read from one snapshot; the
    /// address's revenue comes with the 12-month sparkline of [`mis::sparkline`].
    pub fn dashboards(&self) -> DashboardService<'_, DieselStore> {
        self.services.dashboards()
    }

    /// Connects the host's geocoder, asked by the address dashboard for addresses stored
    /// without coordinates. Set once; a second call is ignored and answers `false`.
    pub fn set_geocoder(&self, geocoder: Arc<dyn Geocoder>) -> bool {
        self.services.set_geocoder(geocoder)
    }

    /// Quotes written in the CRM (priced line by line, explained), their outbox to the ERP
    /// host, and each user's active sales document.
    pub fn quotes(&self) -> QuoteService<'_, DieselStore> {
        self.services.quotes()
    }

    /// The ERP replica: the host pushes its ERP data here ([`Replica::sync`]).
    pub fn replica(&self) -> &Replica<DieselStore> {
        &self.replica
    }

    /// The pipeline of opportunity stages in force.
    pub fn pipeline(&self) -> &crm_core::opportunity::Pipeline {
        self.services.pipeline()
    }

    /// `user`'s calendar in `range` as iCalendar text (see [`ical`]).
    ///
    /// # Errors
    /// As [`CalendarService::user_entries`].
    pub fn export_user_calendar(
        &self,
        actor: &Actor,
        user: UserId,
        range: calendar::TimeRange,
    ) -> Result<String> {
        let entries = self.calendar().user_entries(actor, user, range)?;
        let name = self.users().get(user)?.display_name;
        Ok(ical::export(&format!("{name} (CRM)"), &entries))
    }

    /// An address's calendar in `range` as iCalendar text (see [`ical`]).
    ///
    /// # Errors
    /// As [`CalendarService::address_entries`].
    pub fn export_address_calendar(
        &self,
        actor: &Actor,
        address: AddressId,
        range: calendar::TimeRange,
    ) -> Result<String> {
        let entries = self
            .calendar()
            .address_entries(actor, address, range, &[])?;
        let name = self.addresses().get(actor, address)?.data.display_name();
        Ok(ical::export(&format!("{name} (CRM)"), &entries))
    }

    /// The settings the CRM was opened with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The store, for maintenance (`analyze`) and adapters that share it.
    pub fn store(&self) -> &DieselStore {
        self.services.store()
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.store().backend()
    }
}

/// The address dashboard's 12-month line, drawn by the MIS crate (160 × 40 px SVG).
struct MisSparklines;

impl SparklineRenderer for MisSparklines {
    fn sparkline_svg(
        &self,
        months: &[revenue::MonthComparison],
        currency: Currency,
        language: Language,
    ) -> Result<String> {
        let options = mis::ChartOptions {
            width: 160,
            height: 40,
            language,
            format: mis::Format::Svg,
        };
        let chart = mis::sparkline(months, currency, &options)
            .map_err(|e| Error::Storage(format!("the sparkline cannot be drawn: {e}")))?;
        String::from_utf8(chart.bytes)
            .map_err(|e| Error::Storage(format!("the sparkline is not UTF-8: {e}")))
    }
}
