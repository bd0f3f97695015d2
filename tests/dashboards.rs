//! The two dashboards on both backends: every panel filled from the same data the single
//! services read, within what the actor may see (under the `assigned` policy a field rep's
//! dashboards hold nothing of another rep's customers), the ERP's panels from the replica in
//! the same snapshot or from the host's ERP, and a JSON shape that front ends can rely on —
//! checked against the committed examples in `tests/data/dashboards/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::sync::Arc;

use common::erp_data::*;
use common::*;
use crm::archive::{ArchiveLink, Category, DocumentInput};
use crm::dashboard::{AddressDashboard, ErpData, UserDashboard};
use crm::erp::{RevenueFact, SyncBatch};
use crm::erp_adapter::InMemoryErp;
use crm::{
    Address, AddressNumber, ContactInput, Currency, DashboardOptions, Decimal, Error, Language,
    PageRequest, PoolInput, UserId,
};
use serde_json::Value;

const ASSIGNED: &str = "visibility = \"assigned\"";

on_both_backends!(
    an_address_dashboard_shows_every_panel,
    a_rep_s_dashboards_hold_nothing_of_another_rep_s_customers,
    a_user_dashboard_shows_his_day_pipeline_and_year,
    the_host_s_erp_fills_the_same_panels,
);

fn fact(document: &str, date: &str, customer: AddressNumber, rep: i64, net: &str) -> RevenueFact {
    RevenueFact {
        document: no(document),
        position: 1,
        date: day(date),
        customer,
        product: None,
        product_group: None,
        field_rep: Some(UserId(rep)),
        inside_rep: None,
        region: Some("Zürich".into()),
        quantity: dec("1"),
        net_amount: dec(net),
        cost: None,
        currency: Currency::CHF,
    }
}

/// The ERP's data of both customers: documents, order lines, open items, conditions, and
/// revenue in March and November of 2025 and 2026 (the clock stands on 27 November 2026).
fn erp_batches(mine: &Address, theirs: &Address) -> Vec<SyncBatch> {
    let mut all = batches(mine.number, theirs.number);
    all.push(SyncBatch::Revenue {
        upserts: vec![
            fact("RE-2503", "2025-03-10", mine.number, REP_A, "1000"),
            fact("RE-2511", "2025-11-20", mine.number, REP_A, "300"),
            fact("RE-2511B", "2025-11-29", mine.number, REP_A, "50"),
            fact("RE-2603", "2026-03-10", mine.number, REP_A, "1500"),
            fact("RE-2611", "2026-11-02", mine.number, REP_A, "200"),
            fact("RE-T2603", "2026-03-12", theirs.number, REP_B, "9999"),
        ],
        deletions: vec![],
    });
    all
}

/// Rep A's customer `mine` and rep B's `theirs`, each with a contact, a note, an opportunity,
/// a calendar entry, a pool and a document; rep A activated `mine`, rep B `theirs`.
fn scene(crm: &TestCrm) -> Result<(Address, Address), Error> {
    let manager = actor(MANAGER);
    let mut input = address("Elektro Meier AG", "8001", "Zürich");
    input.field_rep = Some(UserId(REP_A));
    let mine = crm.addresses().create_customer(&manager, &input)?;
    let mut input = address("Konkurrenz Zaugg GmbH", "3011", "Bern");
    input.field_rep = Some(UserId(REP_B));
    input.latitude = Some(46.948);
    input.longitude = Some(7.4474);
    let theirs = crm.addresses().create_customer(&manager, &input)?;
    for (rep, address, person) in [(REP_A, &mine, "Gasser"), (REP_B, &theirs, "Zbinden")] {
        let who = actor(rep);
        crm.contacts().add(
            &who,
            address.id,
            &ContactInput {
                first_name: Some("Daniela".into()),
                last_name: person.into(),
                ..Default::default()
            },
            true,
        )?;
        crm.notes()
            .add(&who, address.id, &format!("Besuch bei {person}"), None)?;
        crm.opportunities().create(
            &who,
            &deal(
                address.id,
                &format!("Schaltschränke {person}"),
                "offer",
                "20000",
                "2027-01-31",
            ),
        )?;
        crm.calendar().create(
            &who,
            &entry(
                address.id,
                "activity",
                &format!("Besuch {person}"),
                "2026-12-03T09:00:00+01:00",
            ),
        )?;
        let pool = crm.pools().create(
            &who,
            &PoolInput {
                name: format!("Besuchsliste {person}"),
                description: None,
                visibility: Some("private".into()),
            },
        )?;
        crm.pools().add(&who, pool.id, address.id)?;
        crm.documents().check_in(
            &who,
            &DocumentInput {
                title: format!("Offerte {person}"),
                category: Category::Offer,
                language: Some(Language::De),
                tags: vec![],
                links: vec![ArchiveLink::record(address.id)],
                file_name: "offerte.txt".into(),
                media_type: "text/plain".into(),
            },
            &mut &b"Offerte Schaltschrank"[..],
        )?;
        crm.addresses().activate(&who, address.id)?;
    }
    Ok((mine, theirs))
}

/// The CRM with rep A's customer `mine` and rep B's `theirs`.
type Scene = (TestCrm, Address, Address);

/// The scene on `db` with the ERP's data in the replica; `None` when `db` is not configured.
fn synced(db: Db) -> Result<Option<Scene>, Box<dyn std::error::Error>> {
    let Some(crm) = crm(db, ASSIGNED)? else {
        return Ok(None);
    };
    let (mine, theirs) = scene(&crm)?;
    for batch in erp_batches(&mine, &theirs) {
        crm.replica().sync(batch, None)?;
    }
    Ok(Some((crm, mine, theirs)))
}

fn options() -> DashboardOptions {
    DashboardOptions::default()
}

fn an_address_dashboard_shows_every_panel(db: Db) -> TestResult {
    let Some((crm, mine, theirs)) = synced(db)? else {
        return Ok(());
    };
    let a = actor(REP_A);
    let board = crm.dashboards().address(&a, mine.id, &options())?;
    assert_eq!(board.erp_data, ErpData::Snapshot);
    assert_eq!(board.address.id, mine.id);
    assert_eq!(board.location.coordinates, None);
    assert_eq!(
        board.location.map_url,
        "https://www.openstreetmap.org/search?query=Bahnhofstrasse+1%2C+8001%2C+Z%C3%BCrich%2C+CH"
    );
    assert_eq!(board.contacts.len(), 1);
    assert_eq!(board.contacts[0].data.last_name, "Gasser");
    assert_eq!(board.notes.total, 1);
    assert_eq!(board.opportunities.open.len(), 1);
    assert_eq!(board.next_calendar_entries.len(), 1);
    assert_eq!(board.next_calendar_entries[0].title, "Besuch Gasser");
    assert_eq!(board.pools.len(), 1);
    assert_eq!(board.documents, 1);
    assert!(board.traces.iter().any(|t| t.kind == "document_checked_in"));
    assert!(board.traces.iter().all(|t| t.address.id == mine.id));

    // The ERP's panels say what the ERP service says about the same address.
    let erp = crm.erp();
    let receivables = erp.receivables(&a, mine.id)?;
    let r = board.receivables.as_ref().unwrap();
    assert_eq!(r.open_items, receivables.open_items.len() as u64);
    assert_eq!(r.habits, receivables.habits);
    assert_eq!(
        (r.open_items, r.overdue_items),
        (1, 1),
        "RE-2 was due on 14 November"
    );
    let open_lines = erp.disposition(&a, mine.id, false, PageRequest::default())?;
    assert_eq!(board.open_order_lines, Some(open_lines.total));
    assert_eq!(board.open_order_lines, Some(2));
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let conditions = erp.special_conditions(&a, mine.id, Some(today), PageRequest::default())?;
    assert_eq!(board.special_conditions, Some(conditions.total));
    assert_eq!(conditions.total, 2, "his own and his group's");
    let documents = board.sales_documents.as_ref().unwrap();
    let numbers: Vec<&str> = documents.items.iter().map(|d| d.number.as_str()).collect();
    assert_eq!(numbers, ["Q-1", "AB-1"], "current ones, newest first");

    // Revenue to the day: 1 January to 27 November against the same days of 2025.
    let revenue = board.revenue.as_ref().unwrap();
    let ytd = &revenue.figures.year_to_date.figures;
    assert_eq!(ytd.current.net, dec("1700"));
    assert_eq!(
        ytd.previous.net,
        dec("1300"),
        "29 November 2025 is not counted"
    );
    let svg = revenue.sparkline_svg.as_deref().unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<title>"), "{svg}");
    assert_eq!(
        revenue.figures,
        crm.revenue().of_address(
            &a,
            mine.id,
            crm::RevenueOptions {
                top: 5,
                ..Default::default()
            }
        )?
    );

    // Coordinates stored with the address come first.
    let manager = actor(MANAGER);
    let there = crm.dashboards().address(&manager, theirs.id, &options())?;
    assert_eq!(
        there.location.source,
        Some(crm::dashboard::CoordinatesSource::Address)
    );
    assert!(
        there
            .location
            .map_url
            .contains("mlat=46.948000&mlon=7.447400")
    );
    Ok(())
}

/// Every string anywhere in `value`.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

fn a_rep_s_dashboards_hold_nothing_of_another_rep_s_customers(db: Db) -> TestResult {
    let Some((crm, mine, theirs)) = synced(db)? else {
        return Ok(());
    };
    let a = actor(REP_A);
    assert!(matches!(
        crm.dashboards().address(&a, theirs.id, &options()),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        crm.dashboards().user(&a, UserId(REP_B), &options()),
        Err(Error::Forbidden(_))
    ));
    for board in [
        serde_json::to_value(crm.dashboards().user(&a, UserId(REP_A), &options())?)?,
        serde_json::to_value(crm.dashboards().address(&a, mine.id, &options())?)?,
    ] {
        let mut texts = Vec::new();
        strings(&board, &mut texts);
        for text in &texts {
            for foreign in ["Zaugg", "Zbinden", theirs.number.to_string().as_str()] {
                assert!(!text.contains(foreign), "{foreign} in {text}");
            }
        }
    }
    // A manager sees rep B's day, which is all about rep B's customer.
    let b_day = crm
        .dashboards()
        .user(&actor(MANAGER), UserId(REP_B), &options())?;
    assert_eq!(b_day.user.id, UserId(REP_B));
    assert!(b_day.traces.iter().all(|t| t.address.id == theirs.id));
    assert_eq!(b_day.recently_activated[0].address.id, theirs.id);
    assert_eq!(b_day.calendar.next[0].title, "Besuch Zbinden");
    Ok(())
}

fn a_user_dashboard_shows_his_day_pipeline_and_year(db: Db) -> TestResult {
    let Some((crm, mine, _theirs)) = synced(db)? else {
        return Ok(());
    };
    let a = actor(REP_A);
    let board = crm.dashboards().user(&a, UserId(REP_A), &options())?;
    assert_eq!(board.user.login, "ameier");
    assert!(board.calendar.current.is_empty());
    assert_eq!(board.calendar.next.len(), 1);
    assert_eq!(board.calendar.next[0].address.id, mine.id);
    assert_eq!(board.recently_activated.len(), 1);
    assert_eq!(board.recently_activated[0].address.id, mine.id);
    assert!(!board.traces.is_empty());
    let pipeline = &board.pipeline;
    assert_eq!(pipeline.opportunities.total, 1);
    assert_eq!(pipeline.volume[0].amount, dec("20000"));
    let stage = &pipeline.summary.by_stage[0];
    assert_eq!(pipeline.weighted[0].amount, stage.weighted.amount);
    assert!(pipeline.weighted[0].amount < dec("20000"));

    // January to October against the same months of 2025; November so far beside all of
    // November 2025.
    let revenue = board.revenue.as_ref().unwrap();
    assert_eq!(revenue.year_to_date.net, dec("1700"));
    assert_eq!(revenue.completed.current.net, dec("1500"));
    assert_eq!(revenue.completed.previous.net, dec("1000"));
    assert_eq!(revenue.completed.change_percent, Some(dec("50.0")));
    assert_eq!(revenue.this_month.net, dec("200"));
    assert_eq!(revenue.same_month_last_year.net, dec("350"));

    // Options are checked and named.
    let wrong = DashboardOptions {
        traces: 0,
        ..options()
    };
    assert_eq!(
        invalid_fields(crm.dashboards().user(&a, UserId(REP_A), &wrong)),
        ["traces"]
    );
    assert!(matches!(
        crm.dashboards()
            .user(&actor(MANAGER), UserId(4242), &options()),
        Err(Error::NotFound { .. })
    ));
    Ok(())
}

fn the_host_s_erp_fills_the_same_panels(db: Db) -> TestResult {
    let host = Arc::new(InMemoryErp::new());
    let Some(crm) = open_with(db, ASSIGNED, Some(host.clone()))? else {
        return Ok(());
    };
    crm.users().sync(&users())?;
    let (mine, theirs) = scene(&crm)?;
    for batch in erp_batches(&mine, &theirs) {
        host.apply(&batch)?;
    }
    let a = actor(REP_A);
    let board = crm.dashboards().address(&a, mine.id, &options())?;
    assert_eq!(board.erp_data, ErpData::Live);
    assert_eq!(board.open_order_lines, Some(2));
    assert_eq!(board.receivables.as_ref().unwrap().overdue_items, 1);
    let ytd = &board.revenue.as_ref().unwrap().figures.year_to_date.figures;
    assert_eq!(ytd.current.net, dec("1700"));
    let day = crm.dashboards().user(&a, UserId(REP_A), &options())?;
    assert_eq!(day.erp_data, ErpData::Live);
    let revenue = day.revenue.unwrap();
    assert_eq!(
        (
            revenue.completed.current.net,
            revenue.completed.previous.net
        ),
        (dec("1500"), dec("1000"))
    );
    assert_eq!(revenue.year_to_date.net, Decimal::from(1700));
    Ok(())
}

/// The shape of a JSON value: objects by their keys, arrays by the merged shape of their
/// elements, scalars by their kind; `null` fits any shape.
fn shape(value: &Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) => {
            let mut merged = Value::Null;
            for item in items {
                merged = merge(merged, shape(item));
            }
            Value::Array(vec![merged])
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
    }
}

fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Null, b) => b,
        (a, Value::Null) => a,
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                let merged = merge(a.remove(&k).unwrap_or(Value::Null), v);
                a.insert(k, merged);
            }
            Value::Object(a)
        }
        (Value::Array(mut a), Value::Array(mut b)) => Value::Array(vec![merge(
            a.pop().unwrap_or(Value::Null),
            b.pop().unwrap_or(Value::Null),
        )]),
        (a, _) => a,
    }
}

/// Where `made` differs in shape from `example`: keys missing or added, kinds changed.
fn differences(path: &str, example: &Value, made: &Value, out: &mut Vec<String>) {
    match (example, made) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(e), Value::Object(m)) => {
            for k in e.keys().filter(|k| !m.contains_key(*k)) {
                out.push(format!("{path}.{k} is missing"));
            }
            for k in m.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{path}.{k} is new"));
            }
            for (k, v) in e {
                if let Some(w) = m.get(k) {
                    differences(&format!("{path}.{k}"), v, w, out);
                }
            }
        }
        (Value::Array(e), Value::Array(m)) => {
            differences(&format!("{path}[]"), &e[0], &m[0], out);
        }
        (e, m) if e == m => {}
        (e, m) => out.push(format!("{path} was {e}, is {m}")),
    }
}

fn compare_with_example(name: &str, made: &Value) {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/dashboards")
        .join(format!("{name}.json"));
    if std::env::var_os("CRM_WRITE_DASHBOARD_EXAMPLES").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, serde_json::to_string_pretty(made).unwrap() + "\n").unwrap();
    }
    let example: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let mut found = Vec::new();
    differences(name, &shape(&example), &shape(made), &mut found);
    assert!(
        found.is_empty(),
        "the JSON of the {name} dashboard no longer has the shape of {}: {found:#?}",
        file.display()
    );
}

#[test]
fn the_json_of_both_dashboards_keeps_the_shape_of_the_committed_examples() -> TestResult {
    let Some((crm, mine, _theirs)) = synced(Db::Sqlite)? else {
        return Ok(());
    };
    let a = actor(REP_A);
    // So that the examples show more of the shape: a visit under way, lines with a cost.
    crm.calendar().create(
        &a,
        &entry(
            mine.id,
            "activity",
            "Besuch läuft",
            "2026-11-27T09:15:00+01:00",
        ),
    )?;
    let mut costed = fact("RE-2610", "2026-10-05", mine.number, REP_A, "400");
    costed.cost = Some(dec("250"));
    crm.replica().sync(
        SyncBatch::Revenue {
            upserts: vec![costed],
            deletions: vec![],
        },
        None,
    )?;
    let address: AddressDashboard = crm.dashboards().address(&a, mine.id, &options())?;
    let user: UserDashboard = crm.dashboards().user(&a, UserId(REP_A), &options())?;
    let address = serde_json::to_value(&address)?;
    let user = serde_json::to_value(&user)?;
    compare_with_example("address", &address);
    compare_with_example("user", &user);
    assert_eq!(user["calendar"]["current"][0]["title"], "Besuch läuft");
    // A renamed field is caught: the check can fail.
    let mut renamed = user.clone();
    let fields = renamed.as_object_mut().unwrap();
    let calendar = fields.remove("calendar").unwrap();
    fields.insert("agenda".into(), calendar);
    let mut found = Vec::new();
    differences("user", &shape(&user), &shape(&renamed), &mut found);
    assert_eq!(
        found,
        ["user.calendar is missing", "user.agenda is new"].map(String::from)
    );
    // And it comes back from JSON as it went.
    let back: UserDashboard = serde_json::from_value(user)?;
    assert_eq!(back.user.login, "ameier");
    Ok(())
}
