//! The calendar and pool operations.

use std::time::Instant;

use chrono::NaiveTime;
use crm::demo::{self, Rng};
use crm::{AddressId, AddressKind, Crm, PageRequest, PostalCodeFilter, calendar};

use super::measure::{Measured, time, time_raw};
use super::{Options, Result, anchor};

/// The calendar and pool operations: a field rep's month, an address's year, and adding a
/// search result of about ten thousand addresses to a pool.
pub fn calendar_and_pools(
    crm: &Crm,
    rng: &mut Rng,
    o: &Options,
    ids: &[AddressId],
) -> Result<Vec<Measured>> {
    let admin = demo::admin();
    let zone = calendar::Zone::ZURICH;
    let start = zone.instant(anchor().and_time(NaiveTime::MIN));
    let month = calendar::TimeRange::new(start, start + chrono::Duration::days(31))?;
    let year = calendar::TimeRange::new(
        start - chrono::Duration::days(183),
        start + chrono::Duration::days(183),
    )?;
    let reps = (o.addresses / 2_000).max(4);
    let users: Vec<crm::UserId> = (0..o.calls.max(100))
        .map(|_| crm::UserId(101 + rng.below(reps) as i64))
        .collect();
    let mut results = vec![
        time(
            "calendar: field rep's month (user calendar)",
            &users,
            |user| {
                crm.calendar()
                    .user_calendar(&admin, *user, month, PageRequest::first(500))
                    .map(drop)
            },
        )?,
        time("calendar: address's year (address calendar)", ids, |id| {
            crm.calendar()
                .address_calendar(&admin, *id, year, &[], PageRequest::default())
                .map(drop)
        })?,
    ];
    let manager = demo::manager();
    let criteria = crm::AddressCriteria {
        city: Some("Winterthur".into()),
        ..Default::default()
    };
    let matched = crm
        .addresses()
        .search(&manager, &criteria, PageRequest::first(1))?
        .total;
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let pools: Vec<crm::Pool> = (0..5)
        .map(|i| {
            crm.pools().create(
                &manager,
                &crm::PoolInput {
                    // Unique across runs on a reused database.
                    name: format!("Bench Winterthur {i} {run}"),
                    ..Default::default()
                },
            )
        })
        .collect::<crm::Result<_>>()?;
    let pool_ids: Vec<crm::PoolId> = pools.iter().map(|p| p.id).collect();
    let durations = time_raw(&pool_ids.iter().collect::<Vec<_>>(), |id| {
        crm.pools().add_search(&manager, *id, &criteria).map(drop)
    })?;
    results.push(Measured::of(
        &format!("pool: add a search result of {matched} addresses"),
        &durations,
    ));
    // One large addition, in one transaction: every lead west of Lucerne.
    let leads = crm::AddressCriteria {
        kind: Some(AddressKind::Lead),
        postal_code: Some(PostalCodeFilter::Range {
            from: "1000".into(),
            to: "5999".into(),
        }),
        ..Default::default()
    };
    let large = crm.pools().create(
        &manager,
        &crm::PoolInput {
            name: format!("Bench leads {run}"),
            ..Default::default()
        },
    )?;
    let started = Instant::now();
    let addition = crm.pools().add_search(&manager, large.id, &leads)?;
    results.push(Measured::of(
        &format!("pool: add a search result of {} addresses", addition.added),
        &[started.elapsed()],
    ));
    Ok(results)
}
