//! Shared test setup: a CRM on a private database of either backend.
//!
//! SQLite tests always run. PostgreSQL tests run when `CRM_TEST_POSTGRES_URL` is set (CI sets
//! it and fails when the server is unreachable); without it they report that they did not run
//! and pass, so that a developer without PostgreSQL can still run the suite.

#![allow(dead_code)]

pub mod erp_data;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use crm::calendar::{EntryInput, TimeRange};
use crm::{
    Actor, AddressInput, Clock, Crm, Error, PostalAddressInput, Role, Settings, User, UserId,
};
use crm_storage_diesel::testing::PgSchema;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A clock that starts at a fixed time with microseconds and moves one second per reading.
pub struct TickingClock {
    micros: AtomicI64,
}

impl TickingClock {
    pub fn new() -> Self {
        let start = Utc
            .with_ymd_and_hms(2026, 11, 27, 8, 30, 0)
            .single()
            .map(|t| t.timestamp_micros() + 123_456)
            .unwrap_or(0);
        TickingClock {
            micros: AtomicI64::new(start),
        }
    }
}

impl TickingClock {
    /// Moves the clock on by `by` (time passing between use cases).
    pub fn advance(&self, by: chrono::Duration) {
        self.micros
            .fetch_add(by.num_microseconds().unwrap_or(0), Ordering::SeqCst);
    }
}

impl Clock for TickingClock {
    fn now(&self) -> DateTime<Utc> {
        let micros = self.micros.fetch_add(1_000_000, Ordering::SeqCst);
        DateTime::from_timestamp_micros(micros).unwrap_or_default()
    }
}

/// A CRM on a private database; the database goes away with it.
pub struct TestCrm {
    pub crm: Crm,
    pub clock: Arc<TickingClock>,
    _data_dir: Option<tempfile::TempDir>,
    _pg_schema: Option<PgSchema>,
}

impl std::ops::Deref for TestCrm {
    type Target = Crm;
    fn deref(&self) -> &Crm {
        &self.crm
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Opens a CRM on `db` with extra settings in TOML; `None` when PostgreSQL is not configured.
pub fn open(db: Db, toml: &str) -> Result<Option<TestCrm>, Box<dyn std::error::Error>> {
    open_with(db, toml, None)
}

/// Like [`open`], reading the ERP's data from `erp`.
pub fn open_with(
    db: Db,
    toml: &str,
    erp: Option<Arc<dyn crm::Erp>>,
) -> Result<Option<TestCrm>, Box<dyn std::error::Error>> {
    let connect = |settings: Settings, clock: Arc<TickingClock>| match &erp {
        Some(erp) => Crm::open_with_erp(settings, clock, erp.clone()),
        None => Crm::open_with_clock(settings, clock),
    };
    let mut settings = Settings::from_toml(toml)?;
    match db {
        Db::Sqlite => {
            let dir = tempfile::tempdir()?;
            settings.data_dir = dir.path().to_owned();
            settings.database.url = String::new();
            let clock = Arc::new(TickingClock::new());
            let crm = connect(settings, clock.clone())?;
            Ok(Some(TestCrm {
                crm,
                clock,
                _data_dir: Some(dir),
                _pg_schema: None,
            }))
        }
        Db::Postgres => {
            let Ok(base) = std::env::var("CRM_TEST_POSTGRES_URL") else {
                eprintln!("CRM_TEST_POSTGRES_URL is not set: this PostgreSQL test did not run");
                return Ok(None);
            };
            let schema = PgSchema::create(&base)?;
            settings.database.url = schema.url().to_owned();
            // Files the CRM keeps beside the database (the search indexes) go to a
            // directory of this test's own.
            let dir = tempfile::tempdir()?;
            settings.data_dir = dir.path().to_owned();
            let clock = Arc::new(TickingClock::new());
            let crm = connect(settings, clock.clone())?;
            Ok(Some(TestCrm {
                crm,
                clock,
                _data_dir: Some(dir),
                _pg_schema: Some(schema),
            }))
        }
    }
}

/// Runs `test` as two tests, one per backend: `NAME_sqlite` and `NAME_postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() -> $crate::common::TestResult {
                    super::$name($crate::common::Db::Sqlite)
                }
            )+
        }
        mod postgres {
            $(
                #[test]
                fn $name() -> $crate::common::TestResult {
                    super::$name($crate::common::Db::Postgres)
                }
            )+
        }
    };
}

pub const ADMIN: i64 = 1;
pub const MANAGER: i64 = 2;
pub const REP_A: i64 = 101;
pub const REP_B: i64 = 102;
pub const INSIDE_A: i64 = 5001;
pub const NOBODY: i64 = 9;

fn user(id: i64, login: &str, name: &str, roles: Vec<Role>) -> User {
    User {
        id: UserId(id),
        login: login.into(),
        display_name: name.into(),
        email: None,
        roles,
        active: true,
    }
}

/// The users every test knows.
pub fn users() -> Vec<User> {
    vec![
        user(ADMIN, "admin", "Admin", vec![Role::Admin]),
        user(MANAGER, "mgraf", "Monika Graf", vec![Role::SalesManager]),
        user(REP_A, "ameier", "Anna Meier", vec![Role::FieldSales]),
        user(REP_B, "rbrunner", "Reto Brunner", vec![Role::FieldSales]),
        user(
            INSIDE_A,
            "dkeller",
            "Daniela Keller",
            vec![Role::InsideSales],
        ),
        user(NOBODY, "guest", "Guest", vec![]),
    ]
}

/// Opens a CRM with the test users synced; `None` when PostgreSQL is not configured.
pub fn crm(db: Db, toml: &str) -> Result<Option<TestCrm>, Box<dyn std::error::Error>> {
    let Some(crm) = open(db, toml)? else {
        return Ok(None);
    };
    crm.users().sync(&users())?;
    Ok(Some(crm))
}

pub fn actor(id: i64) -> Actor {
    users()
        .into_iter()
        .find(|u| u.id.0 == id)
        .map(|u| u.actor())
        .unwrap_or_else(|| Actor::new(UserId(id), "Unknown", vec![]))
}

/// A complete Swiss address input.
pub fn address(name: &str, postal_code: &str, city: &str) -> AddressInput {
    AddressInput {
        name1: name.into(),
        postal: PostalAddressInput {
            street: Some("Bahnhofstrasse 1".into()),
            postal_code: Some(postal_code.into()),
            city: Some(city.into()),
            country: Some("CH".into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

// Calendar helpers.

/// An instant written in RFC 3339.
pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// December 2026 in Zurich.
pub fn december() -> TimeRange {
    TimeRange::new(
        at("2026-12-01T00:00:00+01:00"),
        at("2027-01-01T00:00:00+01:00"),
    )
    .unwrap()
}

/// A calendar entry of `kind` for `address`.
pub fn entry(address: crm::AddressId, kind: &str, title: &str, start: &str) -> EntryInput {
    EntryInput {
        address_id: Some(address),
        kind: Some(kind.into()),
        title: title.into(),
        start: Some(start.into()),
        ..Default::default()
    }
}

/// A customer with `rep` as field rep.
pub fn assigned_address(crm: &TestCrm, rep: i64, name: &str) -> Result<crm::Address, Error> {
    let mut input = address(name, "8001", "Zürich");
    input.field_rep = Some(UserId(rep));
    crm.addresses().create_customer(&actor(MANAGER), &input)
}

// Opportunity and trace helpers.

/// An opportunity of `address` in `stage` with a volume in CHF closing on `close`.
pub fn deal(
    address: crm::AddressId,
    title: &str,
    stage: &str,
    volume: &str,
    close: &str,
) -> crm::opportunity::OpportunityInput {
    crm::opportunity::OpportunityInput {
        address_id: Some(address),
        title: title.into(),
        stage: Some(stage.into()),
        volume: Some(crm::MoneyInput {
            amount: volume.into(),
            currency: None,
        }),
        close_date: Some(close.into()),
        ..Default::default()
    }
}

/// A team member as input.
pub fn member(user: i64, role: &str, access: &str) -> crm::opportunity::TeamMemberInput {
    crm::opportunity::TeamMemberInput {
        user_id: UserId(user),
        role: role.into(),
        access: Some(access.into()),
    }
}

/// The kinds of a page of traces, newest first.
pub fn kinds(page: &crm::trace::TracePage) -> Vec<&str> {
    page.items.iter().map(|t| t.kind.as_str()).collect()
}

/// The field names of an `Invalid` error, or a panic naming what came instead.
pub fn invalid_fields<T: std::fmt::Debug>(result: Result<T, Error>) -> Vec<String> {
    match result {
        Err(Error::Invalid(invalid)) => invalid.errors().iter().map(|e| e.field.clone()).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}
