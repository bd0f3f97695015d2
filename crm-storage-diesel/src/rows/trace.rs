use chrono::NaiveDateTime;
use crm_core::calendar::AddressRef;
use crm_core::trace::{SealedTrace, StoredLink, Trace, TraceRecord};
use crm_core::{AddressId, AddressNumber, EntityRef, TraceId, UserId};
use diesel::prelude::*;

use super::{parse, ts, utc};
use crate::schema::{trace_audience, traces};

const T: &str = "traces";

#[derive(Debug, Insertable)]
#[diesel(table_name = traces)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct NewTraceRow {
    pub address_id: i64,
    pub seq: i64,
    pub recorded_at: NaiveDateTime,
    pub occurred_at: NaiveDateTime,
    pub kind: String,
    pub actor_id: i64,
    pub source: String,
    pub external_id: Option<String>,
    pub linked_kind: String,
    pub linked_id: i64,
    pub summary: String,
    pub summary_key: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl NewTraceRow {
    pub(crate) fn new(sealed: &SealedTrace) -> Self {
        let r = &sealed.record;
        NewTraceRow {
            address_id: r.address_id.0,
            seq: r.seq,
            recorded_at: ts(r.recorded_at),
            occurred_at: ts(r.occurred_at),
            kind: r.kind.clone(),
            actor_id: r.actor,
            source: r.source.clone(),
            external_id: r.external_id.clone(),
            linked_kind: r.linked_kind.clone(),
            linked_id: r.linked_id,
            summary: r.summary.clone(),
            summary_key: crm_core::text::fold_strip(&r.summary),
            payload: r.payload.clone(),
            prev_hash: r.prev_hash.clone(),
            hash: sealed.hash.clone(),
        }
    }
}

#[derive(Debug, Clone, Insertable, Queryable)]
#[diesel(table_name = trace_audience)]
pub(crate) struct AudienceRow {
    pub user_id: i64,
    pub recorded_at: NaiveDateTime,
    pub trace_id: i64,
    pub address_id: i64,
    pub kind: String,
    pub actor_id: i64,
    pub linked_kind: String,
    pub linked_id: i64,
}

/// Every column of a trace, as the chain is verified.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = traces)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct TraceRow {
    pub id: i64,
    pub address_id: i64,
    pub seq: i64,
    pub recorded_at: NaiveDateTime,
    pub occurred_at: NaiveDateTime,
    pub kind: String,
    pub actor_id: i64,
    pub source: String,
    pub external_id: Option<String>,
    pub linked_kind: String,
    pub linked_id: i64,
    pub summary: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl TraceRow {
    /// The row as the verification reads it: raw, whatever it holds.
    pub(crate) fn into_link(self) -> StoredLink {
        StoredLink {
            id: TraceId(self.id),
            record: TraceRecord {
                address_id: AddressId(self.address_id),
                seq: self.seq,
                recorded_at: utc(self.recorded_at),
                occurred_at: utc(self.occurred_at),
                kind: self.kind,
                actor: self.actor_id,
                source: self.source,
                external_id: self.external_id,
                linked_kind: self.linked_kind,
                linked_id: self.linked_id,
                summary: self.summary,
                payload: self.payload,
                prev_hash: self.prev_hash,
            },
            hash: self.hash,
        }
    }

    /// The row as queries return it, with its address's number and first name line.
    pub(crate) fn into_domain(self, number: i64, name: String) -> crm_core::Result<Trace> {
        let id = self.id;
        Ok(Trace {
            id: TraceId(id),
            address: AddressRef {
                id: AddressId(self.address_id),
                number: AddressNumber(number),
                name,
            },
            seq: self.seq,
            recorded_at: utc(self.recorded_at),
            occurred_at: utc(self.occurred_at),
            kind: self.kind,
            actor: UserId(self.actor_id),
            source: self.source,
            external_id: self.external_id,
            linked: EntityRef::new(
                parse(T, id, "linked_kind", self.linked_kind.parse())?,
                self.linked_id,
            ),
            summary: self.summary,
            payload: parse(T, id, "payload", serde_json::from_str(&self.payload))?,
            hash: self.hash,
        })
    }
}
