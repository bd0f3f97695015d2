use std::collections::{BTreeMap, HashMap};

use crm_core::trace::{
    ChainHead, SealedTrace, StoredLink, Trace, TracePage, TraceQuery, TraceRecord,
};
use crm_core::{AddressId, EntityKind, TraceId, TraceRepository};
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::{DieselTx, insert_in_blocks};
use crate::connection::{AnyConnection, with_inner};
use crate::error::QueryResultExt;
use crate::rows::trace::{AudienceRow, NewTraceRow, TraceRow};
use crate::rows::ts;
use crate::schema::{
    addresses, opportunities, opportunity_team, trace_audience, trace_heads, traces,
};

const OPPORTUNITY: &str = EntityKind::Opportunity.as_str();

/// The filters both trace lists share, on the columns `$cols` names (`traces` for an
/// address's chain, `trace_audience` for a user's list).
macro_rules! filtered {
    ($q:expr, $cols:ident, $query:expr) => {{
        let query: &TraceQuery = $query;
        let mut q = $q;
        if let Some(from) = query.from {
            q = q.filter($cols::recorded_at.ge(ts(from)));
        }
        if let Some(to) = query.to {
            q = q.filter($cols::recorded_at.lt(ts(to)));
        }
        if !query.kinds.is_empty() {
            q = q.filter($cols::kind.eq_any(query.kinds.clone()));
        }
        if let Some(link) = query.linked {
            q = q
                .filter($cols::linked_kind.eq(link.kind.as_str()))
                .filter($cols::linked_id.eq(link.id));
        }
        if let Some(actor) = query.actor {
            q = q.filter($cols::actor_id.eq(actor.0));
        }
        if let Some(text) = &query.text {
            q = q.filter(
                traces::summary_key
                    .like(format!("%{}%", escape_like(text)))
                    .escape('\\'),
            );
        }
        if let Some(user) = query.hide_foreign_opportunities {
            q = q.filter(
                $cols::linked_kind
                    .ne(OPPORTUNITY)
                    .or($cols::linked_id.eq_any(
                        opportunity_team::table
                            .filter(opportunity_team::user_id.eq(user.0))
                            .select(opportunity_team::opportunity_id),
                    )),
            );
        }
        q
    }};
}

impl TraceRepository for DieselTx<'_> {
    fn lock_chain_heads(&mut self, addresses: &[AddressId]) -> crm_core::Result<Vec<ChainHead>> {
        let values: Vec<_> = addresses
            .iter()
            .map(|a| {
                (
                    trace_heads::address_id.eq(a.0),
                    trace_heads::seq.eq(0_i64),
                    trace_heads::hash.eq(crm_core::trace::GENESIS),
                )
            })
            .collect();
        let conn = &mut *self.conn;
        let found: Vec<Vec<(i64, i64, String)>> =
            insert_in_blocks!(conn, &values, 200, |c, block| {
                diesel::insert_into(trace_heads::table)
                    .values(block)
                    .on_conflict(trace_heads::address_id)
                    .do_update()
                    .set(trace_heads::seq.eq(trace_heads::seq))
                    .returning((trace_heads::address_id, trace_heads::seq, trace_heads::hash))
                    .get_results(c)
            });
        let mut heads: Vec<ChainHead> = found
            .into_iter()
            .flatten()
            .map(|(address, seq, hash)| ChainHead {
                address_id: AddressId(address),
                seq,
                hash,
            })
            .collect();
        heads.sort_by_key(|h| h.address_id);
        Ok(heads)
    }

    fn append_traces(&mut self, sealed: &[SealedTrace]) -> crm_core::Result<Vec<TraceId>> {
        let rows: Vec<NewTraceRow> = sealed.iter().map(NewTraceRow::new).collect();
        let conn = &mut *self.conn;
        let inserted: Vec<Vec<(i64, i64, i64)>> =
            insert_in_blocks!(conn, &rows, 200, |c, block| {
                diesel::insert_into(traces::table)
                    .values(block)
                    .returning((traces::address_id, traces::seq, traces::id))
                    .get_results(c)
            });
        let ids: HashMap<(i64, i64), i64> = inserted
            .into_iter()
            .flatten()
            .map(|(address, seq, id)| ((address, seq), id))
            .collect();
        let mut out = Vec::with_capacity(sealed.len());
        let mut audience = Vec::new();
        let mut last: BTreeMap<i64, (i64, &str)> = BTreeMap::new();
        for trace in sealed {
            let r = &trace.record;
            let id = *ids
                .get(&(r.address_id.0, r.seq))
                .ok_or_else(|| crm_core::Error::Storage("a trace was not stored".into()))?;
            out.push(TraceId(id));
            audience.extend(
                trace
                    .audience
                    .iter()
                    .map(|user| audience_row(user.0, id, r)),
            );
            last.insert(r.address_id.0, (r.seq, trace.hash.as_str()));
        }
        insert_audience(self.conn, &audience)?;
        let heads: Vec<_> = last
            .iter()
            .map(|(address, (seq, hash))| {
                (
                    trace_heads::address_id.eq(*address),
                    trace_heads::seq.eq(*seq),
                    trace_heads::hash.eq(*hash),
                )
            })
            .collect();
        let conn = &mut *self.conn;
        insert_in_blocks!(conn, &heads, 200, |c, block| {
            diesel::insert_into(trace_heads::table)
                .values(block)
                .on_conflict(trace_heads::address_id)
                .do_update()
                .set((
                    trace_heads::seq.eq(excluded(trace_heads::seq)),
                    trace_heads::hash.eq(excluded(trace_heads::hash)),
                ))
                .execute(c)
        });
        Ok(out)
    }

    fn external_trace(
        &mut self,
        source: &str,
        external_id: &str,
    ) -> crm_core::Result<Option<TraceId>> {
        let id: Option<i64> = traces::table
            .filter(traces::source.eq(source))
            .filter(traces::external_id.eq(external_id))
            .select(traces::id)
            .first(self.conn)
            .optional()
            .dom()?;
        Ok(id.map(TraceId))
    }

    fn trace(&mut self, id: TraceId) -> crm_core::Result<Option<Trace>> {
        let row: Option<(TraceRow, i64, String)> = traces::table
            .inner_join(addresses::table)
            .filter(traces::id.eq(id.0))
            .select((TraceRow::as_select(), addresses::number, addresses::name1))
            .first(self.conn)
            .optional()
            .dom()?;
        row.map(|(t, number, name)| t.into_domain(number, name))
            .transpose()
    }

    fn traces(&mut self, query: &TraceQuery) -> crm_core::Result<TracePage> {
        let limit = i64::from(query.limit.max(1));
        let rows: Vec<(TraceRow, i64, String)> = match query.audience {
            None => {
                let address = query
                    .address
                    .ok_or_else(|| crm_core::Error::invalid("address", "is required"))?;
                let base = traces::table
                    .inner_join(addresses::table)
                    .filter(traces::address_id.eq(address.0))
                    .into_boxed();
                let mut q = filtered!(base, traces, query);
                if let Some(before) = query.before {
                    let seq: Option<i64> = traces::table
                        .filter(traces::id.eq(before.0))
                        .filter(traces::address_id.eq(address.0))
                        .select(traces::seq)
                        .first(self.conn)
                        .optional()
                        .dom()?;
                    let seq = seq.ok_or_else(|| not_in_list(before))?;
                    q = q.filter(traces::seq.lt(seq));
                }
                q.select((TraceRow::as_select(), addresses::number, addresses::name1))
                    .order(traces::seq.desc())
                    .limit(limit + 1)
                    .load(self.conn)
                    .dom()?
            }
            Some(user) => {
                let base = trace_audience::table
                    .inner_join(traces::table.inner_join(addresses::table))
                    .filter(trace_audience::user_id.eq(user.0))
                    .into_boxed();
                let mut q = filtered!(base, trace_audience, query);
                if let Some(address) = query.address {
                    q = q.filter(trace_audience::address_id.eq(address.0));
                }
                if let Some(before) = query.before {
                    let at = trace_audience::table
                        .filter(trace_audience::user_id.eq(user.0))
                        .filter(trace_audience::trace_id.eq(before.0))
                        .select(trace_audience::recorded_at)
                        .first::<chrono::NaiveDateTime>(self.conn)
                        .optional()
                        .dom()?
                        .ok_or_else(|| not_in_list(before))?;
                    q = q.filter(trace_audience::recorded_at.le(at)).filter(
                        trace_audience::recorded_at
                            .lt(at)
                            .or(trace_audience::trace_id.lt(before.0)),
                    );
                }
                q.select((TraceRow::as_select(), addresses::number, addresses::name1))
                    .order((
                        trace_audience::recorded_at.desc(),
                        trace_audience::trace_id.desc(),
                    ))
                    .limit(limit + 1)
                    .load(self.conn)
                    .dom()?
            }
        };
        let more = rows.len() as i64 > limit;
        let items = rows
            .into_iter()
            .take(limit as usize)
            .map(|(t, number, name)| t.into_domain(number, name))
            .collect::<crm_core::Result<Vec<_>>>()?;
        let next = if more {
            items.last().map(|t| t.id)
        } else {
            None
        };
        Ok(TracePage { items, next })
    }

    fn chain_heads(
        &mut self,
        after: Option<AddressId>,
        limit: u32,
    ) -> crm_core::Result<Vec<ChainHead>> {
        let rows: Vec<(i64, i64, String)> = trace_heads::table
            .filter(trace_heads::address_id.gt(after.map_or(i64::MIN, |a| a.0)))
            .order(trace_heads::address_id)
            .limit(i64::from(limit))
            .load(self.conn)
            .dom()?;
        Ok(rows
            .into_iter()
            .map(|(address, seq, hash)| ChainHead {
                address_id: AddressId(address),
                seq,
                hash,
            })
            .collect())
    }

    fn chain_links(&mut self, from: AddressId, to: AddressId) -> crm_core::Result<Vec<StoredLink>> {
        let rows: Vec<TraceRow> = traces::table
            .filter(traces::address_id.ge(from.0))
            .filter(traces::address_id.le(to.0))
            .order((traces::address_id, traces::seq))
            .select(TraceRow::as_select())
            .load(self.conn)
            .dom()?;
        Ok(rows.into_iter().map(TraceRow::into_link).collect())
    }
}

fn not_in_list(before: TraceId) -> crm_core::Error {
    crm_core::Error::invalid("before", format!("trace {before} is not in this list"))
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn audience_row(user: i64, id: i64, r: &TraceRecord) -> AudienceRow {
    AudienceRow {
        user_id: user,
        recorded_at: ts(r.recorded_at),
        trace_id: id,
        address_id: r.address_id.0,
        kind: r.kind.clone(),
        actor_id: r.actor,
        linked_kind: r.linked_kind.clone(),
        linked_id: r.linked_id,
    }
}

fn insert_audience(conn: &mut AnyConnection, rows: &[AudienceRow]) -> crm_core::Result<()> {
    insert_in_blocks!(conn, rows, 400, |c, block| {
        diesel::insert_into(trace_audience::table)
            .values(block)
            .execute(c)
    });
    Ok(())
}

/// Rewrites an address's share of the users' trace lists: its responsible reps get every
/// trace of the address, each selling team the traces of its opportunity.
pub(crate) fn refresh_audience(conn: &mut AnyConnection, address: i64) -> crm_core::Result<()> {
    let reps: Option<(Option<i64>, Option<i64>)> = addresses::table
        .filter(addresses::id.eq(address))
        .select((addresses::field_rep_id, addresses::inside_rep_id))
        .first(conn)
        .optional()
        .dom()?;
    let Some((field, inside)) = reps else {
        return Ok(());
    };
    let mut reps: Vec<i64> = [field, inside].into_iter().flatten().collect();
    reps.dedup();
    let teams: Vec<(i64, i64)> = opportunity_team::table
        .inner_join(opportunities::table)
        .filter(opportunities::address_id.eq(address))
        .select((opportunity_team::opportunity_id, opportunity_team::user_id))
        .load(conn)
        .dom()?;
    let rows: Vec<TraceRow> = traces::table
        .filter(traces::address_id.eq(address))
        .select(TraceRow::as_select())
        .load(conn)
        .dom()?;
    diesel::delete(trace_audience::table.filter(trace_audience::address_id.eq(address)))
        .execute(conn)
        .dom()?;
    let mut audience = Vec::new();
    for row in rows {
        let link = row.into_link();
        let mut users = reps.clone();
        if link.record.linked_kind == OPPORTUNITY {
            users.extend(
                teams
                    .iter()
                    .filter(|(o, _)| *o == link.record.linked_id)
                    .map(|(_, u)| *u),
            );
        }
        users.sort_unstable();
        users.dedup();
        audience.extend(
            users
                .into_iter()
                .map(|u| audience_row(u, link.id.0, &link.record)),
        );
    }
    insert_audience(conn, &audience)
}
