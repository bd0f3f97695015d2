//! Revenue figures (MIS) at scale: three years of revenue lines for every customer of the
//! first `reps` field reps (about ten lines a month when a customer buys; a few customers buy
//! every month, most now and then), synced through the replica with its monthly summary;
//! then an address's 24-month figures, a field rep's year with his top 20 customers, and
//! the charts, each next to the same figures by `GROUP BY` over the raw facts.

use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate};
use crm::demo::{self, Rng};
use crm::erp::{DocumentNumber, GroupCode, ProductNumber, RevenueFact, SyncBatch};
use crm::mis::{ChartOptions, Format};
use crm::revenue::{MonthRange, YearMonth};
use crm::{
    AddressCriteria, AddressId, AddressKind, AddressSummary, Crm, Currency, Decimal, Language,
    PageRequest, RevenueOptions, UserId,
};
use crm_storage_diesel::baseline;
use serde::Serialize;

use super::Result;
use super::measure::{Measured, time, time_raw};

/// Lines per sync call (one transaction each).
const SYNC_BATCH: usize = 10_000;
/// Product groups and regions the lines spread over.
const GROUPS: usize = 12;
const REGIONS: [&str; 8] = [
    "Zürich",
    "Bern",
    "Basel",
    "Ostschweiz",
    "Zentralschweiz",
    "Romandie",
    "Wallis",
    "Tessin",
];
/// How often a customer buys in a month, in percent, and how many customers buy so often.
const HABITS: [(u32, u32); 4] = [(90, 10), (50, 20), (20, 30), (5, 40)];

/// What was loaded and how fast.
#[derive(Serialize)]
pub struct RevenueLoad {
    pub reps: usize,
    pub customers: usize,
    pub lines: usize,
    pub lines_per_s: f64,
    pub summary_rows_checked_customers: usize,
    pub summary_check_s: f64,
    pub summary_rows_differing: usize,
}

fn key<T>(r: std::result::Result<T, crm::ValueError>) -> Result<T> {
    r.map_err(|e| e.to_string().into())
}

/// The customers the rep is responsible for.
pub fn customers_of(crm: &Crm, rep: UserId) -> Result<Vec<AddressSummary>> {
    let admin = demo::admin();
    let criteria = AddressCriteria {
        responsible: Some(rep),
        kind: Some(AddressKind::Customer),
        ..Default::default()
    };
    let mut out = Vec::new();
    loop {
        let page = crm.addresses().search(
            &admin,
            &criteria,
            PageRequest {
                offset: out.len() as u64,
                limit: 500,
            },
        )?;
        let done = page.items.len() < 500;
        out.extend(page.items.into_iter().filter(|a| a.field_rep == Some(rep)));
        if done {
            return Ok(out);
        }
    }
}

/// Three years of lines of one customer up to the month before `today`'s.
fn lines_of(
    rng: &mut Rng,
    customer: &AddressSummary,
    today: NaiveDate,
) -> Result<Vec<RevenueFact>> {
    let mut roll = rng.below(100) as u32;
    let mut often = 5;
    for (percent, share) in HABITS {
        if roll < share {
            often = percent;
            break;
        }
        roll -= share;
    }
    let region = REGIONS[rng.below(REGIONS.len())];
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let mut facts = Vec::new();
    for back in 1..=36 {
        if !rng.chance(often) {
            continue;
        }
        let Some(month) = first.checked_sub_months(chrono::Months::new(back)) else {
            continue;
        };
        let lines = 8 + rng.below(5);
        let invoices = 1 + rng.below(3);
        for line in 0..lines {
            let invoice = line % invoices;
            let date = month + Duration::days(((invoice * 9 + 3) % 28) as i64);
            let net = Decimal::new(1_000 + rng.below(400_000) as i64, 2);
            let credit = rng.chance(2);
            facts.push(RevenueFact {
                document: key(DocumentNumber::new(&format!(
                    "RV-{}-{}-{invoice}",
                    customer.number,
                    month.format("%Y%m")
                )))?,
                position: line as u32 + 1,
                date,
                customer: customer.number,
                product: Some(key(ProductNumber::new(&format!("P{:05}", rng.below(500))))?),
                product_group: Some(key(GroupCode::new(&format!(
                    "WG-{:02}",
                    rng.below(GROUPS)
                )))?),
                field_rep: customer.field_rep,
                inside_rep: customer.inside_rep,
                region: Some(region.to_owned()),
                quantity: Decimal::from(if credit { -1 } else { 1 } * (1 + rng.below(20) as i64)),
                net_amount: if credit { -net } else { net },
                cost: rng
                    .chance(80)
                    .then(|| (net * Decimal::new(62, 2)).round_dp(2)),
                currency: Currency::CHF,
            });
        }
    }
    Ok(facts)
}

pub fn revenue(
    crm: &Crm,
    rng: &mut Rng,
    reps: usize,
    calls: usize,
    peer_calls: usize,
) -> Result<(Vec<Measured>, RevenueLoad)> {
    let today = chrono::Utc::now().date_naive();
    let field_reps: Vec<UserId> = (0..reps as i64).map(|i| UserId(101 + i)).collect();
    let mut customers = Vec::new();
    for rep in &field_reps {
        customers.extend(customers_of(crm, *rep)?);
    }
    let mut facts = Vec::new();
    for customer in &customers {
        facts.extend(lines_of(rng, customer, today)?);
    }
    let lines = facts.len();
    let started = Instant::now();
    for chunk in facts.chunks(SYNC_BATCH) {
        crm.replica().sync(
            SyncBatch::Revenue {
                upserts: chunk.to_vec(),
                deletions: vec![],
            },
            None,
        )?;
    }
    let lines_per_s = lines as f64 / started.elapsed().as_secs_f64();
    drop(facts);
    crm.store().analyze()?;
    let started = Instant::now();
    let check = crm.replica().check_revenue_summary(false)?;
    let summary_check_s = started.elapsed().as_secs_f64();
    println!(
        "revenue: {} lines of {} customers of {reps} field reps at {lines_per_s:.0} lines/s; \
         summary checked in {summary_check_s:.1} s: {} rows differ",
        lines,
        customers.len(),
        check.rows_differing
    );

    let manager = demo::manager();
    let picked: Vec<AddressId> = (0..calls.max(10))
        .map(|_| customers[rng.below(customers.len())].id)
        .collect();
    let numbers: std::collections::HashMap<AddressId, i64> =
        customers.iter().map(|c| (c.id, c.number.0)).collect();
    let mut results = Vec::new();
    let mut address = time(
        "revenue: an address's figures (24 months, YTD, groups)",
        &picked,
        |id| {
            crm.revenue()
                .of_address(&manager, *id, RevenueOptions::default())
                .map(drop)
        },
    )?;
    let this_month = YearMonth::of(today);
    let (from, to) = (this_month.plus(-23).first_day(), today);
    let peer_inputs: Vec<&AddressId> = picked.iter().take(peer_calls.max(10)).collect();
    let peer = time_raw(&peer_inputs, |id| {
        baseline::revenue_group_by(crm.store(), numbers[id], from, to).map(drop)
    })?;
    address.set_peer("GROUP BY month, group over the customer's raw facts", &peer);
    results.push(address);

    // The same figures both ways, for one customer: the peer is a fair one.
    let sample = picked[0];
    let ours = crm
        .revenue()
        .of_address(&manager, sample, RevenueOptions::default())?;
    let theirs = baseline::revenue_group_by(crm.store(), numbers[&sample], from, to)?;
    let ours_total: Decimal = ours.last_12_months.iter().map(|m| m.current.net).sum();
    let window = this_month.plus(-11).to_string();
    let theirs_total: f64 = theirs
        .iter()
        .filter(|g| g.month >= window)
        .map(|g| g.net)
        .sum();
    let ours_total: f64 = ours_total.to_string().parse()?;
    if (ours_total - theirs_total).abs() > 0.01 {
        return Err(format!("the peer differs: {ours_total} against {theirs_total}").into());
    }

    let year = MonthRange::year(today.year())?;
    let top20 = RevenueOptions {
        top: 20,
        ..RevenueOptions::default()
    };
    let rep_calls: Vec<UserId> = (0..calls.max(10))
        .map(|_| field_reps[rng.below(field_reps.len())])
        .collect();
    let mut user = time(
        "revenue: a field rep's year, top 20 customers (against last year)",
        &rep_calls,
        |rep| crm.revenue().of_user(&manager, *rep, year, top20).map(drop),
    )?;
    let (year_from, year_to) = (year.from.first_day(), year.to.last_day());
    let peer_reps: Vec<&UserId> = rep_calls.iter().take(peer_calls.max(10)).collect();
    let peer = time_raw(&peer_reps, |rep| {
        baseline::revenue_top_customers(crm.store(), rep.0, year_from, year_to, 20).map(drop)
    })?;
    user.set_peer(
        "his addresses JOIN raw facts, GROUP BY customer, top 20",
        &peer,
    );
    results.push(user);

    // Charts of the figures of the picked customers.
    let figures: Vec<_> = picked
        .iter()
        .take(200)
        .map(|id| {
            crm.revenue()
                .of_address(&manager, *id, RevenueOptions::default())
        })
        .collect::<crm::Result<_>>()?;
    for format in [Format::Svg, Format::Png] {
        let options = ChartOptions {
            width: 800,
            height: 400,
            language: Language::De,
            format,
        };
        results.push(time(
            &format!("chart: months against last year, 800×400 {format:?}"),
            &figures,
            |f| {
                crm::mis::monthly_revenue(&f.months, f.currency, &options)
                    .map(drop)
                    .map_err(|e| crm::Error::Storage(e.to_string()))
            },
        )?);
        let sparkline = ChartOptions {
            width: 160,
            height: 40,
            ..options
        };
        results.push(time(
            &format!("chart: 12-month sparkline, 160×40 {format:?}"),
            &figures,
            |f| {
                crm::mis::sparkline(&f.last_12_months, f.currency, &sparkline)
                    .map(drop)
                    .map_err(|e| crm::Error::Storage(e.to_string()))
            },
        )?);
    }
    Ok((
        results,
        RevenueLoad {
            reps,
            customers: customers.len(),
            lines,
            lines_per_s,
            summary_rows_checked_customers: check.customers_checked,
            summary_check_s,
            summary_rows_differing: check.rows_differing,
        },
    ))
}
