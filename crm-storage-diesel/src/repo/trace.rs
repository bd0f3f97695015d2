use std::collections::{BTreeMap, HashMap};

use crm_core::trace::{
    ChainHead, SealedTrace, StoredLink, Trace, TracePage, TraceQuery, TraceRecord,
};
use crm_core::{AddressId, EntityKind, TraceId, TraceRepository};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
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
        let ids: Vec<i64> = addresses.iter().map(|a| a.0).collect();
        let mut heads = select_heads(self.conn, &ids)?;
        // SQLite writers hold the database's write lock already; an address without a head
        // gets it with its first trace. PostgreSQL locks the rows, creating missing ones first.
        if matches!(self.conn, AnyConnection::Postgresql(_)) && heads.len() < ids.len() {
            let missing: Vec<_> = ids
                .iter()
                .filter(|id| heads.iter().all(|h| h.address_id.0 != **id))
                .map(|id| {
                    (
                        trace_heads::address_id.eq(*id),
                        trace_heads::seq.eq(0_i64),
                        trace_heads::hash.eq(crm_core::trace::GENESIS),
                    )
                })
                .collect();
            let conn = &mut *self.conn;
            insert_in_blocks!(conn, &missing, 200, |c, block| {
                diesel::insert_into(trace_heads::table)
                    .values(block)
                    .on_conflict_do_nothing()
                    .execute(c)
            });
            heads = select_heads(self.conn, &ids)?;
        }
        Ok(heads)
    }

    fn append_traces(&mut self, sealed: &[SealedTrace]) -> crm_core::Result<Vec<TraceId>> {
        if let AnyConnection::Postgresql(c) = &mut *self.conn
            && sealed.len() <= FEW
        {
            return sealed.iter().map(|t| append_one_pg(c, t)).collect();
        }
        // Ids are taken here: SQLite keeps traces clustered by chain (a table without rowid),
        // PostgreSQL draws them from the identity's sequence.
        let ids = next_trace_ids(self.conn, sealed.len())?;
        let rows: Vec<_> = sealed
            .iter()
            .zip(ids)
            .map(|(t, id)| (traces::id.eq(id), NewTraceRow::new(t)))
            .collect();
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

    fn external_traces(
        &mut self,
        source: &str,
        external_ids: &[&str],
    ) -> crm_core::Result<Vec<(String, TraceId)>> {
        let mut found = Vec::new();
        for chunk in external_ids.chunks(500) {
            let rows: Vec<(Option<String>, i64)> = traces::table
                .filter(traces::source.eq(source))
                .filter(traces::external_id.eq_any(chunk))
                .select((traces::external_id, traces::id))
                .load(self.conn)
                .dom()?;
            found.extend(
                rows.into_iter()
                    .filter_map(|(external, id)| Some((external?, TraceId(id)))),
            );
        }
        Ok(found)
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
        let rows: Vec<(TraceRow, i64, String)> = match (query.audience, query.address) {
            // One address's chain, perhaps as far as it is in a user's list.
            (audience, Some(address)) => {
                let mut q = traces::table
                    .inner_join(addresses::table)
                    .filter(traces::address_id.eq(address.0))
                    .into_boxed();
                if let Some(user) = audience {
                    q = q.filter(diesel::dsl::exists(
                        trace_audience::table
                            .filter(trace_audience::user_id.eq(user.0))
                            .filter(trace_audience::recorded_at.eq(traces::recorded_at))
                            .filter(trace_audience::trace_id.eq(traces::id)),
                    ));
                }
                let mut q = filtered!(q, traces, query);
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
            (None, None) => {
                return Err(crm_core::Error::invalid("address", "is required"));
            }
            (Some(user), None) => {
                let base = trace_audience::table
                    .inner_join(traces::table.inner_join(addresses::table))
                    .filter(trace_audience::user_id.eq(user.0))
                    .into_boxed();
                let mut q = filtered!(base, trace_audience, query);
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

/// Up to this many traces are appended on PostgreSQL one statement each; more in blocks.
const FEW: usize = 4;

/// The statement that appends one trace on PostgreSQL: the trace, its audience and the new
/// chain head in one round trip. A type of its own, so that diesel keeps it prepared (a
/// `sql_query` is parsed and planned by the server on every call: ~0.2 ms of a check-in).
struct AppendOnePg<'a> {
    row: &'a NewTraceRow,
    audience: &'a [i64],
}

impl QueryId for AppendOnePg<'_> {
    type QueryId = AppendOnePg<'static>;

    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for AppendOnePg<'_> {
    type SqlType = diesel::sql_types::BigInt;
}

impl RunQueryDsl<diesel::PgConnection> for AppendOnePg<'_> {}

impl QueryFragment<Pg> for AppendOnePg<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};
        let r = self.row;
        out.push_sql(
            "WITH t AS (INSERT INTO traces (address_id, seq, recorded_at, occurred_at, kind, \
             actor_id, source, external_id, linked_kind, linked_id, summary, summary_key, \
             payload, prev_hash, hash) VALUES (",
        );
        out.push_bind_param::<BigInt, _>(&r.address_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&r.seq)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&r.recorded_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&r.occurred_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.kind)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&r.actor_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.source)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&r.external_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.linked_kind)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&r.linked_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.summary)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.summary_key)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.payload)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.prev_hash)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&r.hash)?;
        out.push_sql(
            ") RETURNING id, address_id, seq, recorded_at, kind, actor_id, linked_kind, \
             linked_id, hash), \
             audience AS (INSERT INTO trace_audience (user_id, recorded_at, trace_id, \
             address_id, kind, actor_id, linked_kind, linked_id) \
             SELECT u, t.recorded_at, t.id, t.address_id, t.kind, t.actor_id, t.linked_kind, \
             t.linked_id FROM t, unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.audience)?;
        out.push_sql(
            ") AS u), \
             head AS (INSERT INTO trace_heads (address_id, seq, hash) \
             SELECT address_id, seq, hash FROM t \
             ON CONFLICT (address_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash) \
             SELECT id FROM t",
        );
        Ok(())
    }
}

#[derive(QueryableByName)]
struct AppendedId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

fn append_one_pg(
    conn: &mut diesel::PgConnection,
    trace: &SealedTrace,
) -> crm_core::Result<TraceId> {
    let row = NewTraceRow::new(trace);
    let audience: Vec<i64> = trace.audience.iter().map(|u| u.0).collect();
    let id: i64 = AppendOnePg {
        row: &row,
        audience: &audience,
    }
    .get_result(conn)
    .dom()?;
    Ok(TraceId(id))
}

/// `n` new trace ids. SQLite writers hold the database's write lock, so the ids after the
/// largest are free; PostgreSQL draws them from the sequence of the identity column.
fn next_trace_ids(conn: &mut AnyConnection, n: usize) -> crm_core::Result<Vec<i64>> {
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    match conn {
        AnyConnection::Sqlite(c) => {
            let max: Option<i64> = traces::table
                .select(diesel::dsl::max(traces::id))
                .first(c)
                .dom()?;
            let first = max.unwrap_or(0) + 1;
            Ok((first..first + count).collect())
        }
        AnyConnection::Postgresql(c) => {
            let ids: Vec<AppendedId> = diesel::sql_query(
                "SELECT nextval(pg_get_serial_sequence('traces', 'id')) AS id \
                 FROM generate_series(1, $1)",
            )
            .bind::<diesel::sql_types::BigInt, _>(count)
            .load(c)
            .dom()?;
            Ok(ids.into_iter().map(|r| r.id).collect())
        }
    }
}

/// The chain heads of `ids` by address, locked on PostgreSQL (in address order, so that two
/// writers never wait for each other crosswise).
fn select_heads(conn: &mut AnyConnection, ids: &[i64]) -> crm_core::Result<Vec<ChainHead>> {
    let mut heads = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, i64, String)> = if let [one] = chunk {
            // The common case, one address, as a statement that stays prepared.
            let query = trace_heads::table.filter(trace_heads::address_id.eq(*one));
            match conn {
                AnyConnection::Postgresql(c) => query.for_update().load(c),
                AnyConnection::Sqlite(c) => query.load(c),
            }
        } else {
            let query = trace_heads::table
                .filter(trace_heads::address_id.eq_any(chunk))
                .order(trace_heads::address_id);
            match conn {
                AnyConnection::Postgresql(c) => query.for_update().load(c),
                AnyConnection::Sqlite(c) => query.load(c),
            }
        }
        .dom()?;
        heads.extend(rows.into_iter().map(|(address, seq, hash)| ChainHead {
            address_id: AddressId(address),
            seq,
            hash,
        }));
    }
    Ok(heads)
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
/// trace of the address, each selling team the traces of its opportunity. `previous` names
/// the users who may have had a share before (the former reps, a former team).
pub(crate) fn refresh_audience(
    conn: &mut AnyConnection,
    address: i64,
    previous: &[i64],
) -> crm_core::Result<()> {
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
    let mut everyone: Vec<i64> = previous
        .iter()
        .chain(&reps)
        .copied()
        .chain(teams.iter().map(|(_, u)| *u))
        .collect();
    everyone.sort_unstable();
    everyone.dedup();
    // Deleted by their whole key: the users, the traces' times and ids.
    for chunk in rows.chunks(300) {
        let times: Vec<_> = chunk.iter().map(|r| r.recorded_at).collect();
        let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
        diesel::delete(
            trace_audience::table
                .filter(trace_audience::user_id.eq_any(&everyone))
                .filter(trace_audience::recorded_at.eq_any(times))
                .filter(trace_audience::trace_id.eq_any(ids)),
        )
        .execute(conn)
        .dom()?;
    }
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
