//! The adapter itself: migrations, connection settings, error mapping and what happens to
//! rows changed behind the library's back — on SQLite always, on PostgreSQL when
//! `CRM_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use crm_core::{
    Actor, AddressId, AddressInput, AddressScope, Clock, Error, PostalAddressInput, Role, Rules,
    Services, Store, User, UserId,
};
use crm_storage_diesel::testing::PgSchema;
use crm_storage_diesel::{
    AnyConnection, Backend, DatabaseUrl, DieselStore, StorageError, StoreOptions, migrations,
};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap_or_default()
    }
}

enum Guard {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Schema(#[allow(dead_code)] PgSchema),
}

fn stores() -> Result<Vec<(DieselStore, Guard)>, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let url = DatabaseUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("t.sqlite").display()
    ))?;
    let mut stores = vec![(DieselStore::open(&StoreOptions::new(url))?, Guard::Dir(dir))];
    match std::env::var("CRM_TEST_POSTGRES_URL") {
        Ok(base) => {
            let schema = PgSchema::create(&base)?;
            let url = DatabaseUrl::parse(schema.url())?;
            stores.push((
                DieselStore::open(&StoreOptions::new(url))?,
                Guard::Schema(schema),
            ));
        }
        Err(_) => eprintln!("CRM_TEST_POSTGRES_URL is not set: PostgreSQL was not tested"),
    }
    Ok(stores)
}

fn services(store: DieselStore) -> Result<Services<DieselStore>, Error> {
    let services = Services::new(store, Arc::new(FixedClock), Rules::default())?;
    services.users().put(&User {
        id: UserId(1),
        login: "admin".into(),
        display_name: "Admin".into(),
        email: None,
        roles: vec![Role::Admin],
        active: true,
    })?;
    Ok(services)
}

fn admin() -> Actor {
    Actor::new(UserId(1), "Admin", vec![Role::Admin])
}

fn lead(name: &str) -> AddressInput {
    AddressInput {
        name1: name.into(),
        email: Some("info@example.ch".into()),
        postal: PostalAddressInput {
            postal_code: Some("8001".into()),
            city: Some("Zürich".into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn both_backends_embed_the_same_migration_versions() -> TestResult {
    let sqlite = migrations::versions(Backend::Sqlite)?;
    let postgres = migrations::versions(Backend::Postgres)?;
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    Ok(())
}

#[test]
fn sqlite_connections_enforce_foreign_keys_and_use_wal() -> TestResult {
    let (store, _guard) = stores()?.remove(0);
    store.with_connection(|conn| {
        #[derive(QueryableByName)]
        struct Pragma {
            #[diesel(sql_type = BigInt)]
            foreign_keys: i64,
        }
        #[derive(QueryableByName)]
        struct Journal {
            #[diesel(sql_type = Text)]
            journal_mode: String,
        }
        let fk: Pragma = diesel::sql_query("PRAGMA foreign_keys").get_result(conn)?;
        let journal: Journal = diesel::sql_query("PRAGMA journal_mode").get_result(conn)?;
        assert_eq!(fk.foreign_keys, 1);
        assert_eq!(journal.journal_mode, "wal");
        Ok(())
    })?;
    Ok(())
}

#[test]
fn the_size_on_disk_grows_with_the_data() -> TestResult {
    for (store, _guard) in stores()? {
        let empty = store.size_on_disk()?;
        assert!(
            empty > 0,
            "{:?}: the schema alone takes room",
            store.backend()
        );
        let crm = services(store.clone())?;
        for i in 0..300 {
            crm.addresses()
                .capture_lead(&admin(), &lead(&format!("Zuwachs {i} AG")))?;
        }
        let grown = store.size_on_disk()?;
        assert!(grown > empty, "{:?}: {empty} → {grown}", store.backend());
    }
    Ok(())
}

#[test]
fn reopening_runs_no_migration_twice_and_keeps_data() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = DatabaseUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("nested/dir/crm.sqlite").display()
    ))?;
    let first = services(DieselStore::open(&StoreOptions::new(url.clone()))?)?;
    let created = first
        .addresses()
        .capture_lead(&admin(), &lead("Bleibt AG"))?;
    drop(first);
    let second = services(DieselStore::open(&StoreOptions::new(url))?)?;
    assert_eq!(second.addresses().get(&admin(), created.id)?, created);
    Ok(())
}

#[test]
fn a_row_changed_behind_the_librarys_back_is_reported_not_trusted() -> TestResult {
    for (store, _guard) in stores()? {
        let backend = store.backend();
        let crm = services(store.clone())?;
        let created = crm
            .addresses()
            .capture_lead(&admin(), &lead("Manipuliert AG"))?;
        store.with_connection(|conn: &mut AnyConnection| {
            conn.batch_execute(&format!(
                "UPDATE addresses SET email = 'kaputt' WHERE id = {}",
                created.id
            ))?;
            Ok(())
        })?;
        let err = crm.addresses().get(&admin(), created.id).unwrap_err();
        let Error::Storage(message) = err else {
            panic!("{backend}: expected Storage, got {err:?}")
        };
        assert!(
            message.contains("email") && message.contains(&created.id.to_string()),
            "{backend}: {message}"
        );
    }
    Ok(())
}

#[test]
fn unique_violations_become_duplicates_and_roll_back() -> TestResult {
    for (store, _guard) in stores()? {
        let backend = store.backend();
        let crm = services(store.clone())?;
        let first = crm.addresses().capture_lead(&admin(), &lead("Erster"))?;
        // Another user with the same login is a duplicate, named as such.
        let clash = crm.users().put(&User {
            id: UserId(2),
            login: "admin".into(),
            display_name: "Zweiter Admin".into(),
            email: None,
            roles: vec![],
            active: true,
        });
        assert!(
            matches!(clash, Err(Error::Duplicate { ref what, .. }) if what == "user login"),
            "{backend}: {clash:?}"
        );
        // A transaction that fails half-way leaves nothing behind.
        let result: Result<(), Error> = store.write(|tx| {
            tx.set_primary_contact(first.id, None)?;
            Err(Error::invalid("test", "abort"))
        });
        assert!(result.is_err());
        assert_eq!(crm.addresses().get(&admin(), first.id)?, first);
        assert!(
            crm.addresses()
                .get(&admin(), AddressId(first.id.0 + 1000))
                .is_err()
        );
    }
    Ok(())
}

#[test]
fn unreachable_or_unknown_databases_fail_with_the_reason() {
    let err = DatabaseUrl::parse("mysql://localhost/crm").unwrap_err();
    assert!(matches!(err, StorageError::Url(ref m) if m.contains("mysql")));
    let url = DatabaseUrl::parse("postgres://postgres@127.0.0.1:1/nothing").unwrap();
    let err = DieselStore::open(&StoreOptions::new(url)).unwrap_err();
    assert!(matches!(err, StorageError::Connect(_)), "{err}");
}

/// Ends every server process serving `application`, and waits until they are gone. Returns
/// how many it ended.
fn terminate_connections(
    base: &str,
    application: &str,
) -> Result<usize, Box<dyn std::error::Error>> {
    #[derive(QueryableByName)]
    struct Backend {
        #[diesel(sql_type = Integer)]
        pid: i32,
    }
    let mut admin = PgConnection::establish(base)?;
    let serving = |admin: &mut PgConnection| {
        diesel::sql_query("SELECT pid FROM pg_stat_activity WHERE application_name = $1")
            .bind::<Text, _>(application)
            .load::<Backend>(admin)
    };
    // Selected first and ended one by one: a condition beside `pg_terminate_backend` in
    // one WHERE clause may be evaluated after it, ending other tests' connections.
    let ended = serving(&mut admin)?;
    for backend in &ended {
        diesel::sql_query("SELECT pg_terminate_backend($1)")
            .bind::<Integer, _>(backend.pid)
            .execute(&mut admin)?;
    }
    for _ in 0..500 {
        if serving(&mut admin)?.is_empty() {
            return Ok(ended.len());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err(format!("the connections of {application} did not end").into())
}

#[test]
fn connections_the_server_ended_are_replaced_without_an_error() -> TestResult {
    let Ok(base) = std::env::var("CRM_TEST_POSTGRES_URL") else {
        eprintln!("CRM_TEST_POSTGRES_URL is not set: PostgreSQL was not tested");
        return Ok(());
    };
    let schema = PgSchema::create(&base)?;
    let application = format!("crm_reconnect_{}", schema.name());
    let url = DatabaseUrl::parse(&format!("{}&application_name={application}", schema.url()))?;
    let mut options = StoreOptions::new(url);
    options.pool_size = 3;
    let store = DieselStore::open(&options)?;
    let crm = services(store.clone())?;
    let created = crm
        .addresses()
        .capture_lead(&admin(), &lead("Neustart AG"))?;
    // As after a server restart: every pooled connection is gone while idle.
    assert!(terminate_connections(&base, &application)? >= 1);
    assert_eq!(crm.addresses().get(&admin(), created.id)?, created);
    let second = crm.addresses().capture_lead(&admin(), &lead("Weiter AG"))?;
    assert_eq!(crm.addresses().get(&admin(), second.id)?, second);
    // The maintenance path checks its connection too.
    assert!(terminate_connections(&base, &application)? >= 1);
    assert!(store.size_on_disk()? > 0);
    // A read without a transaction runs again on the next connection: the first it gets is
    // one the server ended.
    assert!(terminate_connections(&base, &application)? >= 1);
    let mut runs = 0;
    let seen = store.read_each(|tx| {
        runs += 1;
        tx.address(second.id, AddressScope::All)
    })?;
    assert_eq!(seen, Some(second));
    assert!(runs >= 2, "{runs} runs");
    // Its own failure on a live connection is not run again.
    let mut runs = 0;
    let failed: Result<(), Error> = store.read_each(|_| {
        runs += 1;
        Err(Error::invalid("test", "abort"))
    });
    assert!(matches!(failed, Err(Error::Invalid(_))), "{failed:?}");
    assert_eq!(runs, 1);
    Ok(())
}
