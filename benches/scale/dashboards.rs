//! The two dashboards, as the field rep asks for them: his customers' address dashboards
//! and his own, against the same panels assembled the N+1 way — one service call per panel
//! and one more per row shown, each in a transaction of its own, as an ORM-style front end
//! loads them.

use chrono::{Datelike, Duration};
use crm::calendar::TimeRange;
use crm::erp::DocumentQuery;
use crm::revenue::{MonthRange, YearMonth};
use crm::trace::TraceFilter;
use crm::{Actor, AddressId, Crm, DashboardOptions, PageRequest, RevenueOptions, Role, UserId};

use super::Result;
use super::measure::{Measured, time, time_raw};
use super::revenue::customers_of;
use crm::demo::Rng;

/// The address dashboard's panels one by one, and each row's record loaded on its own.
fn address_n_plus_one(crm: &Crm, actor: &Actor, id: AddressId) -> crm::Result<()> {
    let o = DashboardOptions::default();
    let address = crm.addresses().get(actor, id)?;
    for c in crm.contacts().list(actor, id, false)? {
        crm.contacts().get(actor, c.id)?;
    }
    for n in crm
        .notes()
        .list(actor, id, PageRequest::first(o.notes))?
        .items
    {
        crm.notes().get(actor, n.id)?;
    }
    crm.revenue()
        .of_address(actor, id, RevenueOptions::default())?;
    let opportunities = crm.opportunities().of_address(actor, id)?;
    for opportunity in opportunities
        .open
        .iter()
        .chain(&opportunities.recently_decided)
    {
        crm.opportunities().get(actor, opportunity.id)?;
    }
    let filter = TraceFilter {
        limit: o.traces,
        ..TraceFilter::default()
    };
    for t in crm.traces().of_address(actor, id, &filter)?.items {
        crm.traces().get(actor, t.id)?;
    }
    let current = DocumentQuery {
        current_only: true,
        ..DocumentQuery::default()
    };
    let documents =
        crm.erp()
            .documents(actor, id, &current, PageRequest::first(o.sales_documents))?;
    for d in documents.items {
        crm.erp().document(actor, d.number.as_str())?;
    }
    crm.erp().receivables(actor, id)?;
    crm.erp()
        .disposition(actor, id, false, PageRequest::first(1))?;
    let today = chrono::Utc::now().date_naive();
    crm.erp()
        .special_conditions(actor, id, Some(today), PageRequest::first(1))?;
    for pool in crm.pools().pools_of(actor, id)? {
        crm.pools().get(actor, pool.id)?;
    }
    let now = chrono::Utc::now();
    let year = TimeRange::new(now, now + Duration::days(366))?;
    let next = crm.calendar().address_calendar(
        actor,
        address.id,
        year,
        &[],
        PageRequest::first(o.calendar_entries),
    )?;
    for e in next.items {
        crm.calendar().get(actor, e.entry_id)?;
    }
    crm.documents().of_address(actor, id)?;
    Ok(())
}

/// The user dashboard's panels one by one, and each row's record loaded on its own.
fn user_n_plus_one(crm: &Crm, rep: &Actor) -> crm::Result<()> {
    let o = DashboardOptions::default();
    crm.users().get(rep.user_id)?;
    for e in crm
        .calendar()
        .agenda(rep, 2 * o.calendar_entries as usize)?
    {
        crm.calendar().get(rep, e.entry_id)?;
    }
    let filter = TraceFilter {
        limit: o.traces,
        ..TraceFilter::default()
    };
    for t in crm.traces().of_user(rep, rep.user_id, &filter)?.items {
        crm.traces().get(rep, t.id)?;
    }
    let open = crm.opportunities().of_user(
        rep,
        rep.user_id,
        &Default::default(),
        PageRequest::first(o.opportunities),
    )?;
    for opportunity in open.items {
        crm.opportunities().get(rep, opportunity.id)?;
    }
    crm.opportunities().pipeline(rep, &[rep.user_id])?;
    let today = chrono::Utc::now().date_naive();
    let this_month = YearMonth::of(today);
    let year = MonthRange::new(this_month.plus(1 - today.month() as i32), this_month)
        .map_err(|e| e.at("year"))?;
    crm.revenue()
        .of_user(rep, rep.user_id, year, RevenueOptions::default())?;
    for a in crm.addresses().recently_activated(rep)? {
        crm.addresses().get(rep, a.address.id)?;
    }
    Ok(())
}

/// Times both dashboards for the customers of `reps` field reps (users 101 …), each asked
/// by its field rep, next to the N+1 peer.
pub fn dashboards(
    crm: &Crm,
    rng: &mut Rng,
    reps: usize,
    calls: usize,
    peer_calls: usize,
) -> Result<Vec<Measured>> {
    let reps: Vec<Actor> = (0..reps.max(1) as i64)
        .map(|i| Actor::new(UserId(101 + i), "Field rep", vec![Role::FieldSales]))
        .collect();
    let mut customers: Vec<(usize, AddressId)> = Vec::new();
    for (i, rep) in reps.iter().enumerate() {
        customers.extend(customers_of(crm, rep.user_id)?.iter().map(|c| (i, c.id)));
    }
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    // Each rep activates some of his customers, as a day's work does.
    for _ in 0..reps.len() * 10 {
        let (rep, id) = customers[rng.below(customers.len())];
        crm.addresses().activate(&reps[rep], id)?;
    }
    let options = DashboardOptions::default();
    let picked: Vec<(usize, AddressId)> = (0..calls.max(10))
        .map(|_| customers[rng.below(customers.len())])
        .collect();
    let mut address = time(
        "dashboard: an address's, asked by its field rep (every panel, one snapshot)",
        &picked,
        |(rep, id)| {
            crm.dashboards()
                .address(&reps[*rep], *id, &options)
                .map(drop)
        },
    )?;
    let peer_inputs: Vec<&(usize, AddressId)> = picked.iter().take(peer_calls.max(10)).collect();
    let peer = time_raw(&peer_inputs, |(rep, id)| {
        address_n_plus_one(crm, &reps[*rep], *id)
    })?;
    address.set_peer("N+1: a call per panel and per row", &peer);

    let users: Vec<usize> = (0..calls.max(10)).map(|_| rng.below(reps.len())).collect();
    let mut user = time(
        "dashboard: a field rep's own (calendar, traces, pipeline, revenue, activated)",
        &users,
        |rep| {
            let rep = &reps[*rep];
            crm.dashboards().user(rep, rep.user_id, &options).map(drop)
        },
    )?;
    let peer_inputs: Vec<&usize> = users.iter().take(peer_calls.max(10)).collect();
    let peer = time_raw(&peer_inputs, |rep| user_n_plus_one(crm, &reps[*rep]))?;
    user.set_peer("N+1: a call per panel and per row", &peer);
    Ok(vec![address, user])
}
