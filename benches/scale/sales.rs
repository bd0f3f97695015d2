//! The opportunity and trace operations: a rep's open opportunities, his latest traces, an
//! address's latest traces, the cost of tracing a stage change (against no tracing and
//! against an audit trigger, in the same run), and verifying every chain.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crm::demo::{self, Rng};
use crm::opportunity::{Opportunity, OpportunityFilter};
use crm::trace::TraceFilter;
use crm::{Actor, AddressId, Crm, OpportunityId, PageRequest, Role, UserId, Version};
use crm_storage_diesel::baseline;
use serde::Serialize;

use super::measure::{Measured, percentile, time};
use super::{Options, Result};

/// What verifying every chain took.
#[derive(Serialize)]
pub struct Verified {
    pub chains: u64,
    pub traces: u64,
    pub seconds: f64,
    pub traces_per_s: f64,
}

/// A rep as he signs in.
fn rep(user: UserId) -> Actor {
    let role = if user.0 >= 5001 {
        Role::InsideSales
    } else {
        Role::FieldSales
    };
    Actor::new(user, "Rep", vec![role])
}

pub fn opportunities_and_traces(
    crm: &Crm,
    quiet: &Crm,
    rng: &mut Rng,
    o: &Options,
    ids: &[AddressId],
) -> Result<Vec<Measured>> {
    let reps = (o.addresses / 2_000).max(4);
    let calls = o.calls.max(100);
    let users: Vec<UserId> = (0..calls)
        .map(|_| {
            let base = if rng.chance(50) { 101 } else { 5001 };
            UserId(base + rng.below(reps) as i64)
        })
        .collect();
    let mut results = vec![
        time(
            "opportunities: a rep's open ones (first page of 50)",
            &users,
            |user| {
                crm.opportunities()
                    .of_user(
                        &rep(*user),
                        *user,
                        &OpportunityFilter::default(),
                        PageRequest::default(),
                    )
                    .map(drop)
            },
        )?,
        time("traces: latest 50 over a rep's customers", &users, |user| {
            let latest = TraceFilter {
                limit: 50,
                ..Default::default()
            };
            crm.traces().of_user(&rep(*user), *user, &latest).map(drop)
        })?,
        time("traces: latest 50 of an address", ids, |id| {
            let latest = TraceFilter {
                limit: 50,
                ..Default::default()
            };
            crm.traces()
                .of_address(&demo::manager(), *id, &latest)
                .map(drop)
        })?,
    ];
    results.extend(stage_changes(crm, quiet, &users, calls)?);
    Ok(results)
}

/// Rounds of stage changes of open opportunities.
const ROUNDS: usize = 4;

/// Stage changes of open opportunities: with traces off, on, and off with the audit trigger
/// installed, in rounds so that all three see the database alike.
fn stage_changes(crm: &Crm, quiet: &Crm, users: &[UserId], calls: usize) -> Result<Vec<Measured>> {
    let manager = demo::manager();
    let mut open: Vec<Opportunity> = Vec::new();
    for user in users {
        if open.len() >= calls {
            break;
        }
        let page = crm.opportunities().of_user(
            &manager,
            *user,
            &OpportunityFilter::default(),
            PageRequest::first(20),
        )?;
        for summary in page.items {
            if open.iter().all(|o| o.id != summary.id) {
                open.push(crm.opportunities().get(&manager, summary.id)?);
            }
        }
    }
    let mut versions: HashMap<OpportunityId, (Version, bool)> = open
        .iter()
        .map(|o| (o.id, (o.version, o.data.stage.key() == "offer")))
        .collect();
    let ids: Vec<OpportunityId> = open.iter().map(|o| o.id).collect();
    let mut change = |on: &Crm, id: OpportunityId| -> Result<Duration> {
        let (version, at_offer) = versions.get(&id).copied().ok_or("unknown opportunity")?;
        let stage = if at_offer { "negotiation" } else { "offer" };
        let started = Instant::now();
        let next = on
            .opportunities()
            .set_stage(&manager, id, version, stage, None)?;
        let took = started.elapsed();
        versions.insert(id, (next.version, !at_offer));
        Ok(took)
    };
    // Warm up both, then measure in rounds: untraced, traced, untraced with the trigger.
    for id in ids.iter().take(ids.len() / 10) {
        change(crm, *id)?;
        change(quiet, *id)?;
    }
    let (mut traced, mut untraced, mut audited) = (Vec::new(), Vec::new(), Vec::new());
    let mut next = ids.iter().cycle();
    let per_round = calls.div_ceil(ROUNDS);
    for _ in 0..ROUNDS {
        for id in next.by_ref().take(per_round) {
            untraced.push(change(quiet, *id)?);
        }
        for id in next.by_ref().take(per_round) {
            traced.push(change(crm, *id)?);
        }
        baseline::install_audit_trigger(quiet.store())?;
        let round: Result<Vec<Duration>> = next
            .by_ref()
            .take(per_round)
            .map(|id| change(quiet, *id))
            .collect();
        baseline::remove_audit_trigger(quiet.store())?;
        audited.extend(round?);
    }
    for durations in [&mut traced, &mut untraced, &mut audited] {
        durations.sort();
    }
    let off = percentile(&untraced, 50);
    let on = Measured::of("opportunity: stage change, traced", &traced);
    let overhead = |p50: f64| format!("{:+.0} % over untraced", (p50 / off - 1.0) * 100.0);
    let note = overhead(on.p50());
    let peer = Measured::of(
        "opportunity: stage change, untraced + audit trigger copying the row",
        &audited,
    );
    let ratio = on.p50() / peer.p50();
    let peer_note = format!("{}; traced / trigger {ratio:.2}", overhead(peer.p50()));
    let peer = peer.note(peer_note);
    Ok(vec![
        Measured::of("opportunity: stage change, untraced", &untraced),
        on.note(note),
        peer,
    ])
}

/// Verifies every chain once.
pub fn verify(crm: &Crm) -> Result<Verified> {
    let started = Instant::now();
    let report = crm.traces().verify(&demo::admin())?;
    let seconds = started.elapsed().as_secs_f64();
    if !report.is_intact() {
        return Err(format!("broken chains: {:?}", report.broken).into());
    }
    Ok(Verified {
        chains: report.chains,
        traces: report.traces,
        seconds,
        traces_per_s: report.traces as f64 / seconds,
    })
}
