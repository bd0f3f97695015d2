//! Revenue figures (MIS) on both backends: the monthly summary follows every sync (new,
//! changed, moved and deleted facts, credit notes), the figures of an address and of a user
//! come out right to the day, within what the actor may see, and the consistency check finds
//! the summary equal to the facts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::erp_data::*;
use common::*;
use crm::erp::{GroupCode, RevenueFact, SyncBatch};
use crm::revenue::{MonthRange, RevenueScope, YearMonth, cube, rep_summary, summarize};
use crm::{AddressNumber, Currency, Error, RevenueFacts, RevenueOptions, UserId};
use crm_storage_diesel::testing::execute;

#[allow(clippy::too_many_arguments)]
fn fact(
    document: &str,
    position: u32,
    date: &str,
    customer: AddressNumber,
    group: Option<&str>,
    rep: Option<i64>,
    net: &str,
    cost: Option<&str>,
) -> RevenueFact {
    RevenueFact {
        document: no(document),
        position,
        date: day(date),
        customer,
        product: None,
        product_group: group.map(|g| GroupCode::new(g).unwrap()),
        field_rep: rep.map(UserId),
        inside_rep: Some(UserId(INSIDE_A)),
        region: Some("Zürich".into()),
        quantity: dec("2"),
        net_amount: dec(net),
        cost: cost.map(dec),
        currency: Currency::CHF,
    }
}

fn revenue(upserts: Vec<RevenueFact>, deletions: &[(&str, u32)]) -> SyncBatch {
    SyncBatch::Revenue {
        upserts,
        deletions: deletions.iter().map(|(d, p)| (no(d), *p)).collect(),
    }
}

fn all_months() -> MonthRange {
    MonthRange::new(
        YearMonth::new(2020, 1).unwrap(),
        YearMonth::new(2030, 12).unwrap(),
    )
    .unwrap()
}

/// The summary the replica keeps equals the one computed from its facts, for `scope`.
fn assert_summary_true(crm: &TestCrm, scope: RevenueScope) {
    let replica = crm.replica();
    let mut kept = replica.revenue_months(scope, all_months()).unwrap();
    kept.sort_by(|a, b| a.key.cmp(&b.key));
    let facts = replica
        .revenue_facts(scope.customer(), day("2020-01-01"), day("2030-12-31"))
        .unwrap();
    let computed = summarize(facts.iter().filter(|f| scope.admits(f)));
    assert_eq!(kept, computed, "{scope:?}");
    let check = replica.check_revenue_summary(false).unwrap();
    assert_eq!(
        (check.rows_differing, check.cube_rows_differing),
        (0, 0),
        "{check:?}"
    );
    if let RevenueScope::Rep(user) = scope {
        // The store's ranking and sums equal those computed from the facts, for whole
        // years (yearly rows) and for any months (monthly rows).
        let cube = cube(&computed);
        let ranges = [
            (
                MonthRange::year(2026).unwrap(),
                MonthRange::year(2025).unwrap(),
            ),
            (
                MonthRange::new(
                    YearMonth::new(2025, 11).unwrap(),
                    YearMonth::new(2026, 2).unwrap(),
                )
                .unwrap(),
                MonthRange::new(
                    YearMonth::new(2025, 7).unwrap(),
                    YearMonth::new(2025, 10).unwrap(),
                )
                .unwrap(),
            ),
        ];
        for (period, previous) in ranges {
            for top in [1, 3] {
                let mut stored = replica
                    .rep_summary(user, period, previous, Currency::CHF, top)
                    .unwrap();
                stored.rows.sort_by(|a, b| a.key.cmp(&b.key));
                let expected = rep_summary(&cube, user, period, previous, Currency::CHF, top);
                assert_eq!(stored, expected, "{user} {period:?} top {top}");
            }
        }
    }
}

fn the_summary_follows_every_sync(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let a = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let b = assigned_address(&crm, REP_B, "Elektro Brunner GmbH")?;
    let replica = crm.replica();
    replica.sync(
        revenue(
            vec![
                fact(
                    "RE-1",
                    1,
                    "2025-03-10",
                    a.number,
                    Some("KLEMMEN"),
                    Some(REP_A),
                    "100.50",
                    Some("60"),
                ),
                fact(
                    "RE-1",
                    2,
                    "2025-03-10",
                    a.number,
                    Some("LICHT"),
                    Some(REP_A),
                    "200",
                    None,
                ),
                fact(
                    "RE-2",
                    1,
                    "2025-11-27",
                    a.number,
                    Some("KLEMMEN"),
                    Some(REP_A),
                    "40",
                    None,
                ),
                fact(
                    "RE-3",
                    1,
                    "2025-11-28",
                    a.number,
                    Some("KLEMMEN"),
                    Some(REP_A),
                    "1000",
                    None,
                ),
                fact(
                    "RE-4",
                    1,
                    "2026-02-01",
                    a.number,
                    Some("KLEMMEN"),
                    Some(REP_A),
                    "300",
                    Some("100"),
                ),
                fact(
                    "GS-5",
                    1,
                    "2026-02-15",
                    a.number,
                    Some("KLEMMEN"),
                    Some(REP_A),
                    "-50",
                    Some("-30"),
                ),
                fact(
                    "RE-6",
                    1,
                    "2026-11-20",
                    a.number,
                    None,
                    Some(REP_A),
                    "70",
                    None,
                ),
                fact(
                    "RE-7",
                    1,
                    "2026-11-28",
                    a.number,
                    None,
                    Some(REP_A),
                    "5",
                    None,
                ),
                fact(
                    "RE-8",
                    1,
                    "2026-05-05",
                    b.number,
                    Some("LICHT"),
                    Some(REP_B),
                    "999",
                    None,
                ),
            ],
            &[],
        ),
        None,
    )?;
    for scope in [
        RevenueScope::Customer(a.number),
        RevenueScope::Customer(b.number),
        RevenueScope::Rep(UserId(REP_A)),
        RevenueScope::Rep(UserId(INSIDE_A)),
    ] {
        assert_summary_true(&crm, scope);
    }

    // The clock stands at 2026-11-27.
    let figures = crm
        .revenue()
        .of_address(&actor(REP_A), a.id, RevenueOptions::default())?;
    assert_eq!(figures.as_of, day("2026-11-27"));
    let ytd = &figures.year_to_date;
    assert_eq!(
        (ytd.previous_from, ytd.previous_to),
        (day("2025-01-01"), day("2025-11-27"))
    );
    // This year to the 27th: 300 - 50 + 70 (not the 5 of the 28th); last year 100.50 + 200 + 40.
    assert_eq!(ytd.figures.current.net, dec("320"));
    assert_eq!(ytd.figures.previous.net, dec("340.50"));
    assert_eq!(ytd.figures.change_percent, Some(dec("-6.0")));
    assert_eq!(ytd.figures.current.margin, Some(dec("180")));
    assert_eq!(ytd.figures.current.lines, 3);
    let november = &figures.months[10];
    assert_eq!(november.month, YearMonth::new(2026, 11)?);
    assert_eq!(
        (november.current.net, november.previous.net),
        (dec("75"), dec("1040"))
    );
    assert_eq!(figures.months[1].current.net, dec("250"));
    assert_eq!(figures.months[11].cumulative, dec("325"));
    assert!(figures.months[11].pending && !november.pending);
    assert_eq!(figures.last_12_months.len(), 12);
    assert_eq!(figures.last_12_months[0].month, YearMonth::new(2025, 12)?);
    let groups = &figures.by_product_group.top;
    assert_eq!(groups[0].key, "KLEMMEN");
    assert_eq!(
        (groups[0].current.net, groups[0].previous.net),
        (dec("250"), dec("140.50"))
    );
    assert_eq!(groups[0].share_percent, Some(dec("78.1")));

    // Changes follow: an amount corrected, a line moved to another month and group, a
    // credit note deleted, a line written and deleted in one batch.
    replica.sync(
        revenue(
            vec![
                fact(
                    "RE-4",
                    1,
                    "2026-02-01",
                    a.number,
                    Some("KLEMMEN"),
                    Some(REP_A),
                    "310",
                    Some("100"),
                ),
                fact(
                    "RE-1",
                    2,
                    "2026-01-03",
                    a.number,
                    Some("KLEMMEN"),
                    Some(REP_A),
                    "200",
                    None,
                ),
                fact(
                    "RE-9",
                    1,
                    "2026-03-03",
                    a.number,
                    None,
                    Some(REP_A),
                    "1",
                    None,
                ),
            ],
            &[("GS-5", 1), ("RE-9", 1), ("RE-404", 1)],
        ),
        None,
    )?;
    for scope in [
        RevenueScope::Customer(a.number),
        RevenueScope::Rep(UserId(REP_A)),
    ] {
        assert_summary_true(&crm, scope);
    }
    let figures = crm
        .revenue()
        .of_address(&actor(REP_A), a.id, RevenueOptions::default())?;
    assert_eq!(figures.year_to_date.figures.current.net, dec("580"));
    assert_eq!(figures.year_to_date.figures.previous.net, dec("140.50"));
    assert_eq!(figures.months[0].current.net, dec("200"));
    assert_eq!(figures.months[1].current.net, dec("310"));

    // A user's figures: this year against last, by customer with names.
    let year = MonthRange::year(2026)?;
    let mine = crm.revenue().of_user(
        &actor(REP_A),
        UserId(REP_A),
        year,
        RevenueOptions::default(),
    )?;
    assert_eq!(mine.previous_period, MonthRange::year(2025)?);
    assert_eq!(mine.total.current.net, dec("585"));
    assert_eq!(mine.as_field_rep.current.net, dec("585"));
    assert_eq!(mine.as_inside_rep.current.lines, 0);
    assert_eq!(mine.by_customer.top.len(), 1);
    assert_eq!(
        mine.by_customer.top[0].label.as_deref(),
        Some("Elektro Huber AG")
    );
    assert_eq!(mine.by_region.top[0].key, "Zürich");
    let inside = crm.revenue().of_user(
        &actor(INSIDE_A),
        UserId(INSIDE_A),
        year,
        RevenueOptions {
            top: 1,
            ..RevenueOptions::default()
        },
    )?;
    assert_eq!(inside.as_inside_rep.current.net, dec("1584"));
    assert_eq!(inside.by_customer.top.len(), 1);
    assert_eq!(inside.by_customer.rest_count, 1);
    // The inside rep does not see Brunner's address under `assigned`: a number, no name.
    assert_eq!(inside.by_customer.top[0].key, b.number.to_string());
    assert_eq!(inside.by_customer.top[0].label, None);

    // Visibility: another rep's customer is not found, another user's figures forbidden
    // except for managers.
    let err = crm
        .revenue()
        .of_address(&actor(REP_B), a.id, RevenueOptions::default())
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = crm
        .revenue()
        .of_user(
            &actor(REP_B),
            UserId(REP_A),
            year,
            RevenueOptions::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let managed = crm.revenue().of_user(
        &actor(MANAGER),
        UserId(REP_A),
        year,
        RevenueOptions::default(),
    )?;
    assert_eq!(managed.total, mine.total);
    Ok(())
}

fn bad_facts_are_refused_whole(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let a = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let mut blank_region = fact("RE-2", 1, "2026-01-01", a.number, None, None, "1", None);
    blank_region.region = Some(" ".into());
    let result = crm.replica().sync(
        revenue(
            vec![
                fact(
                    "RE-1",
                    1,
                    "2026-01-01",
                    a.number,
                    None,
                    None,
                    "1.00001",
                    None,
                ),
                blank_region,
            ],
            &[],
        ),
        None,
    );
    assert_eq!(
        invalid_fields(result),
        ["upserts[0].net_amount", "upserts[1].region"]
    );
    assert!(
        crm.replica()
            .revenue_months(RevenueScope::Customer(a.number), all_months())?
            .is_empty()
    );
    let top = crm.revenue().of_address(
        &actor(REP_A),
        a.id,
        RevenueOptions {
            top: 0,
            ..RevenueOptions::default()
        },
    );
    assert_eq!(invalid_fields(top), ["top"]);
    // No revenue at all: figures of zeros, not an error.
    let none = crm
        .revenue()
        .of_address(&actor(REP_A), a.id, RevenueOptions::default())?;
    assert!(none.months.iter().all(|m| m.current.is_empty()));
    assert_eq!(none.year_to_date.figures.change_percent, None);
    Ok(())
}

/// Random batches of new, changed and deleted facts; the summary stays equal to the facts.
fn random_syncs_keep_the_summary_true(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let customers = [
        assigned_address(&crm, REP_A, "Elektro Huber AG")?.number,
        assigned_address(&crm, REP_B, "Elektro Brunner GmbH")?.number,
    ];
    let mut rng = crm::demo::Rng::new(7);
    for round in 0..25 {
        let mut upserts = Vec::new();
        for _ in 0..rng.below(12) {
            let mut f = fact(
                &format!("RE-{}", rng.below(15)),
                1 + rng.below(3) as u32,
                &format!(
                    "202{}-{:02}-{:02}",
                    4 + rng.below(3),
                    1 + rng.below(12),
                    1 + rng.below(28)
                ),
                customers[rng.below(2)],
                [None, Some("KLEMMEN"), Some("LICHT")][rng.below(3)],
                [None, Some(REP_A), Some(REP_B)][rng.below(3)],
                &format!("{}.{:02}", rng.below(2000) as i64 - 300, rng.below(100)),
                [None, Some("12.5")][rng.below(2)],
            );
            if rng.chance(20) {
                f.region = None;
                f.inside_rep = Some(UserId(REP_A));
            }
            upserts.push(f);
        }
        let deletions: Vec<(String, u32)> = (0..rng.below(4))
            .map(|_| (format!("RE-{}", rng.below(15)), 1 + rng.below(3) as u32))
            .collect();
        let deletions: Vec<(&str, u32)> = deletions.iter().map(|(d, p)| (d.as_str(), *p)).collect();
        crm.replica()
            .sync(revenue(upserts, &deletions), Some(&round.to_string()))?;
    }
    for scope in [
        RevenueScope::Customer(customers[0]),
        RevenueScope::Customer(customers[1]),
        RevenueScope::Rep(UserId(REP_A)),
        RevenueScope::Rep(UserId(REP_B)),
    ] {
        assert_summary_true(&crm, scope);
    }
    Ok(())
}

/// Rows changed behind the library's back are found, and repaired from the facts; a database
/// without the summary gets it when it opens.
fn the_check_finds_and_repairs_tampered_sums(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let a = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    crm.replica().sync(
        revenue(
            vec![
                fact(
                    "RE-1",
                    1,
                    "2026-03-10",
                    a.number,
                    Some("KLEMMEN"),
                    Some(REP_A),
                    "100",
                    None,
                ),
                fact(
                    "RE-2",
                    1,
                    "2025-04-10",
                    a.number,
                    Some("LICHT"),
                    Some(REP_A),
                    "50",
                    None,
                ),
            ],
            &[],
        ),
        None,
    )?;
    let before = crm.revenue().of_user(
        &actor(REP_A),
        UserId(REP_A),
        MonthRange::year(2026)?,
        RevenueOptions::default(),
    )?;
    execute(crm.store(), "UPDATE revenue_months SET net = net + 10000")?;
    execute(crm.store(), "DELETE FROM revenue_rep_cube WHERE dim = 'y'")?;
    let found = crm.replica().check_revenue_summary(false)?;
    assert_eq!(found.rows_differing, 2, "{found:?}");
    assert_eq!(found.customers_differing, [a.number]);
    // The cube is checked against the (tampered) summary: every row differs.
    assert!(found.cube_rows_differing >= 2, "{found:?}");
    let repaired = crm.replica().check_revenue_summary(true)?;
    assert!(repaired.repaired && repaired.rows_differing == 2);
    let clean = crm.replica().check_revenue_summary(false)?;
    assert_eq!(
        (clean.rows_differing, clean.cube_rows_differing),
        (0, 0),
        "{clean:?}"
    );
    let after = crm.revenue().of_user(
        &actor(REP_A),
        UserId(REP_A),
        MonthRange::year(2026)?,
        RevenueOptions::default(),
    )?;
    assert_eq!(after, before);
    assert_eq!(after.total.current.net, dec("100"));

    // Both tables emptied (a database from before they existed): filled at open.
    execute(
        crm.store(),
        "DELETE FROM revenue_months; DELETE FROM revenue_rep_cube",
    )?;
    assert!(crm.replica().ensure_revenue_summary()?);
    assert!(!crm.replica().ensure_revenue_summary()?);
    let again = crm.revenue().of_user(
        &actor(REP_A),
        UserId(REP_A),
        MonthRange::year(2026)?,
        RevenueOptions::default(),
    )?;
    assert_eq!(again, before);
    Ok(())
}

on_both_backends!(
    the_check_finds_and_repairs_tampered_sums,
    the_summary_follows_every_sync,
    bad_facts_are_refused_whole,
    random_syncs_keep_the_summary_true
);
