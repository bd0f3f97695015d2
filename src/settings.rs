//! Settings: built-in defaults, then an optional `crm.toml`, then `CRM__SECTION__KEY`
//! environment variables.
//!
//! With no file and no variables the defaults give a working embedded setup: SQLite in
//! `./crm-data/crm.sqlite`, the `open` visibility policy, customer numbers 100000–799999 and
//! lead numbers 800000–999999.
//!
//! ```toml
//! # crm.toml
//! data_dir = "/var/lib/crm"
//! visibility = "assigned"           # or "open"
//!
//! [database]
//! url = "postgres://crm@db.example.ch/crm"
//! pool_size = 16
//!
//! [numbers.customer]
//! start = 10000
//! end = 49999
//!
//! [opportunities]
//! recent_days = 60                  # decided opportunities shown with an address
//! [[opportunities.stages]]          # replaces the default pipeline
//! key = "lead"
//! label = "Lead"
//! probability = 5
//! [[opportunities.stages]]
//! key = "proposal"
//! label = "Proposal"
//! probability = 50
//!
//! [traces]
//! min_shift_days = 3                # milestones and close dates moved by at least …
//! min_volume_change_percent = 10    # expected volume changed by at least …
//! [traces.kinds]
//! note_added = false                # every event kind is traced unless switched off
//!
//! [search]
//! dir = "/var/lib/crm/index"        # default: DATA_DIR/index
//! in_memory = false                 # true: rebuilt from the database at every start
//!
//! [erp]
//! unknown_customers = "skip"        # or "reject" (default): records of unknown customers
//! unknown_products = "reject"       # or "skip", or "accept" (default: stored and listed)
//! ```
//!
//! The same as environment variables: `CRM__DATA_DIR`, `CRM__VISIBILITY`,
//! `CRM__DATABASE__URL`, `CRM__NUMBERS__CUSTOMER__START`, …

use std::path::{Path, PathBuf};
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};
use crm_core::opportunity::OpportunityRules;
use crm_core::trace::TraceRules;
use crm_core::{DuplicateRules, NumberRanges, Rules, VisibilityPolicy};
use std::sync::Arc;

use crm_core::Clock;
use crm_erp_adapter::{Replica, UnknownCustomers, UnknownProducts};
use crm_storage_diesel::{DatabaseUrl, DieselStore, StoreOptions};
use serde::{Deserialize, Serialize};

use crate::OpenError;
use crm_core::archive::Retention;

/// The name of the settings file looked for in the current directory.
pub const SETTINGS_FILE: &str = "crm.toml";

/// Everything the CRM reads from configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Directory for the embedded database and other files the CRM keeps.
    pub data_dir: PathBuf,
    /// Database connection.
    pub database: DatabaseSettings,
    /// Who sees which address.
    pub visibility: VisibilityPolicy,
    /// Number ranges of customers and leads.
    pub numbers: NumberRanges,
    /// Thresholds of the duplicate check on lead conversion.
    pub duplicates: DuplicateRules,
    /// The pipeline of opportunity stages and the window of recently decided ones.
    pub opportunities: OpportunityRules,
    /// Which events become traces.
    pub traces: TraceRules,
    /// The ERP replica.
    pub erp: ErpSettings,
    /// The search indexes.
    pub search: SearchSettings,
    /// The archive.
    pub archive: ArchiveSettings,
}

/// Settings of the archive (DMAS).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArchiveSettings {
    /// Where the blobs live; empty for `DATA_DIR/archive`.
    pub dir: String,
    /// Retention in years per category, overriding the defaults (ten years for offers,
    /// order confirmations, contracts and correspondence; none for the others):
    /// `[archive.retention_years] drawing = 5`.
    pub retention_years: std::collections::BTreeMap<crm_core::archive::Category, u16>,
}

/// Settings of the search indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchSettings {
    /// Where the indexes live; empty for `DATA_DIR/index`.
    pub dir: String,
    /// Keep the indexes in memory only (rebuilt from the database at every start): for
    /// tests and short-lived programs.
    pub in_memory: bool,
}

impl Settings {
    /// The directory of the archive's blobs.
    pub fn archive_dir(&self) -> PathBuf {
        if self.archive.dir.trim().is_empty() {
            self.data_dir.join("archive")
        } else {
            PathBuf::from(self.archive.dir.trim())
        }
    }

    /// The directory of the search indexes.
    pub fn search_dir(&self) -> PathBuf {
        if self.search.dir.trim().is_empty() {
            self.data_dir.join("index")
        } else {
            PathBuf::from(self.search.dir.trim())
        }
    }
}

/// Settings of the ERP replica.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErpSettings {
    /// Records of customers without an address: `reject` the batch or file (default), or
    /// `skip` them and report.
    pub unknown_customers: UnknownCustomers,
    /// Records naming products the replica has no list price or product group for:
    /// `accept` them and list the numbers (default), `reject` the batch or file, or `skip`
    /// them and report.
    pub unknown_products: UnknownProducts,
}

impl ErpSettings {
    /// The replica over `store` with these settings.
    pub(crate) fn replica(self, store: DieselStore, clock: Arc<dyn Clock>) -> Replica<DieselStore> {
        Replica::new(store, clock, self.unknown_customers)
            .with_unknown_products(self.unknown_products)
    }
}

/// Database connection settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `postgres://…`, `sqlite://PATH` or a file path; empty for `DATA_DIR/crm.sqlite`.
    pub url: String,
    /// Pooled connections.
    pub pool_size: u32,
    /// How long a writer waits for a lock or a caller for a connection, in milliseconds.
    pub busy_timeout_ms: u64,
    /// SQLite page cache per connection, in MiB.
    pub sqlite_cache_mib: u32,
    /// How much of the SQLite file is read through memory mapping, in MiB (0 turns it off).
    pub sqlite_mmap_mib: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("./crm-data"),
            database: DatabaseSettings::default(),
            visibility: VisibilityPolicy::Open,
            numbers: NumberRanges::default(),
            duplicates: DuplicateRules::default(),
            opportunities: OpportunityRules::default(),
            traces: TraceRules::default(),
            erp: ErpSettings::default(),
            search: SearchSettings::default(),
            archive: ArchiveSettings::default(),
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: String::new(),
            pool_size: 8,
            busy_timeout_ms: 5_000,
            sqlite_cache_mib: 64,
            sqlite_mmap_mib: 1024,
        }
    }
}

impl Settings {
    /// Defaults, then `crm.toml` from the current directory if present, then the environment.
    ///
    /// # Errors
    /// [`OpenError::Settings`] naming the bad key or file.
    pub fn load() -> Result<Self, OpenError> {
        Self::load_from(Path::new(SETTINGS_FILE), false)
    }

    /// Defaults, then the TOML file at `path` (which must exist when `required`), then the
    /// environment.
    ///
    /// # Errors
    /// [`OpenError::Settings`] naming the bad key or file.
    pub fn load_from(path: &Path, required: bool) -> Result<Self, OpenError> {
        Self::build(
            Some((path, required)),
            Environment::with_prefix("CRM")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        )
    }

    /// Defaults overlaid by `toml` text only (no file, no environment): for hosts that keep
    /// their settings elsewhere, and for tests.
    ///
    /// # Errors
    /// [`OpenError::Settings`] naming the bad key.
    pub fn from_toml(toml: &str) -> Result<Self, OpenError> {
        let defaults = Config::try_from(&Settings::default()).map_err(settings_error)?;
        Config::builder()
            .add_source(defaults)
            .add_source(File::from_str(toml, FileFormat::Toml))
            .build()
            .and_then(Config::try_deserialize)
            .map_err(settings_error)
            .and_then(Settings::validated)
    }

    fn build(file: Option<(&Path, bool)>, env: Environment) -> Result<Self, OpenError> {
        let defaults = Config::try_from(&Settings::default()).map_err(settings_error)?;
        let mut builder = Config::builder().add_source(defaults);
        if let Some((path, required)) = file {
            builder =
                builder.add_source(File::from(path).format(FileFormat::Toml).required(required));
        }
        builder
            .add_source(env)
            .build()
            .and_then(Config::try_deserialize)
            .map_err(settings_error)
            .and_then(Settings::validated)
    }

    fn validated(self) -> Result<Self, OpenError> {
        self.numbers
            .validate()
            .map_err(|e| OpenError::Settings(format!("numbers: {e}")))?;
        if self.database.pool_size == 0 {
            return Err(OpenError::Settings(
                "database.pool_size: must be at least 1".into(),
            ));
        }
        for (name, value) in [
            (
                "duplicates.name_similarity",
                self.duplicates.name_similarity,
            ),
            (
                "duplicates.strong_name_similarity",
                self.duplicates.strong_name_similarity,
            ),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(OpenError::Settings(format!(
                    "{name}: must lie between 0 and 1, is {value}"
                )));
            }
        }
        self.opportunities
            .pipeline()
            .map_err(|e| OpenError::Settings(format!("opportunities.{e}")))?;
        self.traces
            .validate()
            .map_err(|e| OpenError::Settings(format!("traces.{e}")))?;
        Ok(self)
    }

    /// The database URL in force: the configured one, or `DATA_DIR/crm.sqlite`.
    pub fn database_url(&self) -> String {
        if self.database.url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("crm.sqlite").display())
        } else {
            self.database.url.clone()
        }
    }

    /// Options for opening the store.
    ///
    /// # Errors
    /// [`OpenError::Storage`] for an unusable URL.
    pub fn store_options(&self) -> Result<StoreOptions, OpenError> {
        let url = DatabaseUrl::parse(&self.database_url())?;
        let mut options = StoreOptions::new(url);
        options.pool_size = self.database.pool_size;
        options.busy_timeout = Duration::from_millis(self.database.busy_timeout_ms);
        options.sqlite_cache_kib = self.database.sqlite_cache_mib.saturating_mul(1024);
        options.sqlite_mmap_mib = self.database.sqlite_mmap_mib;
        Ok(options)
    }

    /// The domain rules these settings imply.
    pub fn rules(&self) -> Rules {
        Rules {
            visibility: self.visibility,
            numbers: self.numbers,
            duplicates: self.duplicates,
            opportunities: self.opportunities.clone(),
            traces: self.traces.clone(),
            retention: self
                .archive
                .retention_years
                .iter()
                .fold(Retention::default(), |r, (c, y)| r.with(*c, *y)),
        }
    }
}

fn settings_error(e: config::ConfigError) -> OpenError {
    OpenError::Settings(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        let map = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Environment::with_prefix("CRM")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            .source(Some(map))
    }

    #[test]
    fn defaults_give_an_embedded_setup() {
        let s = Settings::build(None, env(&[])).unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.database_url(), "sqlite://./crm-data/crm.sqlite");
        assert_eq!(s.visibility, VisibilityPolicy::Open);
    }

    #[test]
    fn file_overrides_defaults_and_environment_overrides_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.toml");
        std::fs::write(
            &path,
            "visibility = \"assigned\"\ndata_dir = \"/srv/crm\"\n[database]\nurl = \"postgres://file/db\"\n",
        )
        .unwrap();
        let s = Settings::build(Some((&path, true)), env(&[])).unwrap();
        assert_eq!(s.visibility, VisibilityPolicy::Assigned);
        assert_eq!(s.database_url(), "postgres://file/db");

        let s = Settings::build(
            Some((&path, true)),
            env(&[
                ("CRM__DATABASE__URL", "postgres://env/db"),
                ("CRM__NUMBERS__CUSTOMER__START", "200000"),
                ("CRM__DATA_DIR", "/env/dir"),
            ]),
        )
        .unwrap();
        assert_eq!(s.database_url(), "postgres://env/db");
        assert_eq!(s.numbers.customer.start(), 200_000);
        assert_eq!(s.data_dir, PathBuf::from("/env/dir"));
        assert_eq!(s.visibility, VisibilityPolicy::Assigned);
    }

    #[test]
    fn bad_settings_name_the_key() {
        let err = Settings::from_toml("visibility = \"secret\"").unwrap_err();
        assert!(err.to_string().contains("visibility"), "{err}");
        let err = Settings::from_toml("[numbers.lead]\nstart = 150000\nend = 160000").unwrap_err();
        assert!(err.to_string().contains("overlaps"), "{err}");
        let err = Settings::from_toml("[duplicates]\nname_similarity = 2.0").unwrap_err();
        assert!(
            err.to_string().contains("duplicates.name_similarity"),
            "{err}"
        );
        let missing = Settings::load_from(Path::new("/nonexistent/crm.toml"), true);
        assert!(missing.is_err());
        let err = Settings::from_toml(
            "[[opportunities.stages]]\nkey = \"won\"\nlabel = \"Won\"\nprobability = 100",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("opportunities.stages[0].key"),
            "{err}"
        );
        let err = Settings::from_toml("[traces.kinds]\n\"Note Added\" = false").unwrap_err();
        assert!(err.to_string().contains("traces.kinds"), "{err}");
    }

    #[test]
    fn pipelines_and_trace_rules_come_from_settings() {
        let s = Settings::from_toml(
            "[opportunities]\nrecent_days = 30\n\
             [[opportunities.stages]]\nkey = \"lead\"\nlabel = \"Lead\"\nprobability = 5\n\
             [[opportunities.stages]]\nkey = \"proposal\"\nlabel = \"Proposal\"\nprobability = 50\n\
             [traces]\nmin_shift_days = 7\n[traces.kinds]\nnote_added = false\n",
        )
        .unwrap();
        let pipeline = s.opportunities.pipeline().unwrap();
        let keys: Vec<&str> = pipeline.stages().iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["lead", "proposal"]);
        assert_eq!(s.opportunities.recent_days, 30);
        assert_eq!(s.traces.min_shift_days, 7);
        assert!(!s.traces.traces_kind("note_added"));
        assert!(s.traces.traces_kind("decision_won"));
        let env = Settings::build(None, env(&[("CRM__TRACES__ENABLED", "false")])).unwrap();
        assert!(!env.traces.traces_kind("decision_won"));
    }
}
