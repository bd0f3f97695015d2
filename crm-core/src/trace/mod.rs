//! Traces: recorded business events, each linked to its address and to the record it is
//! about, append-only and hash-chained per address.
//!
//! Services emit [`DomainEvent`]s; the company's [`TraceRules`] decide which become traces;
//! a trace is written in the same transaction as the change that caused it. External systems
//! (a service desk, the ERP) report [`ExternalEvent`]s through the same rules; an event id
//! they send twice is recorded once. Every address has its own chain ([`chain`]), so writers
//! on different addresses never wait for each other.

pub mod chain;
mod event;
mod rules;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

pub use chain::{BrokenLink, ChainHead, GENESIS, Problem, StoredLink, TraceRecord, VerifyReport};
pub use event::{DomainEvent, EventDetail, OpportunityRef, SlaDeadline};
pub use rules::TraceRules;

use crate::calendar::AddressRef;
use crate::entity::EntityRef;
use crate::error::{Result, Validator, ValueError};
use crate::ids::{AddressId, TraceId, UserId};
use crate::values::{optional_text, required_text};

/// The source of traces the CRM records itself.
pub const CRM_SOURCE: &str = "crm";

/// The most traces one page returns.
pub const MAX_PAGE: u32 = 200;

/// Checks an event kind or source name: 1 to 50 lowercase letters, digits and `_`.
pub(crate) fn valid_kind(raw: &str) -> Result<(), ValueError> {
    if raw.is_empty()
        || raw.len() > 50
        || !raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(ValueError::new(format!(
            "`{raw}` must be 1 to 50 lowercase letters, digits and _"
        )));
    }
    Ok(())
}

/// A trace as queries return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Id.
    pub id: TraceId,
    /// The address whose chain it belongs to.
    pub address: AddressRef,
    /// Its position in the address's chain, from 1.
    pub seq: i64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// When the event happened.
    pub occurred_at: DateTime<Utc>,
    /// The event kind, e.g. `decision_won`.
    pub kind: String,
    /// Who caused or reported it.
    pub actor: UserId,
    /// `crm`, or the external system that reported it.
    pub source: String,
    /// The external system's id of the event.
    pub external_id: Option<String>,
    /// The record it is about.
    pub linked: EntityRef,
    /// One line to show.
    pub summary: String,
    /// Old and new values.
    pub payload: serde_json::Value,
    /// Its hash in the chain.
    pub hash: String,
}

/// A trace to append, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTrace {
    /// The address.
    pub address_id: AddressId,
    /// Recording time.
    pub recorded_at: DateTime<Utc>,
    /// Event time.
    pub occurred_at: DateTime<Utc>,
    /// Event kind.
    pub kind: String,
    /// Actor.
    pub actor: UserId,
    /// Source.
    pub source: String,
    /// External id.
    pub external_id: Option<String>,
    /// Linked record.
    pub linked: EntityRef,
    /// Summary.
    pub summary: String,
    /// Payload as JSON text.
    pub payload: String,
    /// The users in whose trace lists it appears.
    pub audience: Vec<UserId>,
}

/// A trace chained to its address's head, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedTrace {
    /// The content as hashed (with position and previous hash).
    pub record: TraceRecord,
    /// Its hash.
    pub hash: String,
    /// The users in whose trace lists it appears.
    pub audience: Vec<UserId>,
}

impl SealedTrace {
    /// Chains `new` after `head` and moves the head on.
    pub fn seal(head: &mut ChainHead, new: NewTrace) -> SealedTrace {
        let record = TraceRecord {
            address_id: new.address_id,
            seq: head.seq + 1,
            recorded_at: new.recorded_at,
            occurred_at: new.occurred_at,
            kind: new.kind,
            actor: new.actor.0,
            source: new.source,
            external_id: new.external_id,
            linked_kind: new.linked.kind.as_str().to_owned(),
            linked_id: new.linked.id,
            summary: new.summary,
            payload: new.payload,
            prev_hash: head.hash.clone(),
        };
        let hash = record.hash();
        head.seq = record.seq;
        head.hash.clone_from(&hash);
        SealedTrace {
            record,
            hash,
            audience: new.audience,
        }
    }
}

/// An event reported by another system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalEvent {
    /// The reporting system, e.g. `servicedesk` or `erp`.
    pub source: String,
    /// The system's id of the event; the same id is recorded once.
    pub external_id: String,
    /// The event kind, e.g. `sla_breached` or `order_placed`.
    pub kind: String,
    /// The address it concerns.
    pub address_id: AddressId,
    /// The CRM record it is about; the address when absent.
    #[serde(default)]
    pub linked: Option<EntityRef>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// One line to show.
    pub summary: String,
    /// Any further values.
    #[serde(default)]
    pub payload: serde_json::Value,
}

impl ExternalEvent {
    /// Checks the event.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming `source`, `external_id`, `kind`,
    /// `summary`, `payload` or `linked`.
    pub fn validate(&self) -> Result<ExternalEvent> {
        let mut v = Validator::new();
        v.check("source", valid_kind(&self.source));
        if self.source == CRM_SOURCE {
            v.reject("source", "`crm` is the CRM's own source");
        }
        let external_id = v.check("external_id", required_text(&self.external_id, 200));
        v.check("kind", valid_kind(&self.kind));
        let summary = v.check("summary", required_text(&self.summary, 300));
        if !matches!(
            self.payload,
            serde_json::Value::Object(_) | serde_json::Value::Null
        ) {
            v.reject("payload", "must be a JSON object");
        }
        if serde_json::to_string(&self.payload).map_or(0, |s| s.len()) > 16_384 {
            v.reject("payload", "is longer than 16 KiB");
        }
        v.finish(|| {
            Some(ExternalEvent {
                external_id: external_id?,
                summary: summary?,
                occurred_at: self.occurred_at.trunc_subsecs(6),
                payload: match &self.payload {
                    serde_json::Value::Null => serde_json::Value::Object(Default::default()),
                    other => other.clone(),
                },
                ..self.clone()
            })
        })
    }
}

/// What ingesting an external event did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Ingested {
    /// Recorded as a new trace.
    Recorded {
        /// The trace.
        trace: TraceId,
    },
    /// The event id was recorded before; nothing was written.
    AlreadyRecorded {
        /// The earlier trace.
        trace: TraceId,
    },
    /// The rules do not trace this kind; nothing was written.
    NotTraced,
}

/// Comfort filters of trace lists, and the page wanted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TraceFilter {
    /// Recorded at or after.
    pub from: Option<DateTime<Utc>>,
    /// Recorded before.
    pub to: Option<DateTime<Utc>>,
    /// Only these kinds; all when empty.
    pub kinds: Vec<String>,
    /// Only of this address.
    pub address: Option<AddressId>,
    /// Only about this record.
    pub linked: Option<EntityRef>,
    /// Only caused by this user.
    pub actor: Option<UserId>,
    /// Only caused by the acting user.
    pub only_mine: bool,
    /// Only with this text in the summary (ignoring case and accents).
    pub text: Option<String>,
    /// The page after this trace (the `next` of the previous page).
    pub before: Option<TraceId>,
    /// Traces per page, 1 to [`MAX_PAGE`]; 50 when 0.
    pub limit: u32,
}

/// A query as storage runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceQuery {
    /// The user whose trace list is read; `None` for one address's chain.
    pub audience: Option<UserId>,
    /// Only of this address (required when `audience` is `None`).
    pub address: Option<AddressId>,
    /// Recorded at or after.
    pub from: Option<DateTime<Utc>>,
    /// Recorded before.
    pub to: Option<DateTime<Utc>>,
    /// Only these kinds; all when empty.
    pub kinds: Vec<String>,
    /// Only about this record.
    pub linked: Option<EntityRef>,
    /// Only by this actor.
    pub actor: Option<UserId>,
    /// Folded text the folded summary must contain.
    pub text: Option<String>,
    /// Hide traces of opportunities whose selling team lacks this user.
    pub hide_foreign_opportunities: Option<UserId>,
    /// Continue after this trace.
    pub before: Option<TraceId>,
    /// Page size.
    pub limit: u32,
}

impl TraceFilter {
    /// Checks the filter and turns it into a storage query for `actor`.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming `kinds[i]`, `to`, `text` or `limit`.
    pub fn to_query(&self, actor: UserId) -> Result<TraceQuery> {
        let mut v = Validator::new();
        for (i, kind) in self.kinds.iter().enumerate() {
            v.check(&format!("kinds[{i}]"), valid_kind(kind));
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from >= to
        {
            v.reject("to", "must lie after from");
        }
        let text = v
            .check("text", optional_text(self.text.as_deref(), 100))
            .flatten()
            .map(|t| crate::text::fold_strip(&t))
            .filter(|t| !t.is_empty());
        if self.limit > MAX_PAGE {
            v.reject("limit", format!("at most {MAX_PAGE} traces per page"));
        }
        let actor_filter = match (self.only_mine, self.actor) {
            (true, Some(other)) if other != actor => {
                v.reject("actor", "contradicts only_mine");
                None
            }
            (true, _) => Some(actor),
            (false, a) => a,
        };
        v.finish(|| {
            Some(TraceQuery {
                audience: None,
                address: self.address,
                from: self.from,
                to: self.to,
                kinds: self.kinds.clone(),
                linked: self.linked,
                actor: actor_filter,
                text,
                hide_foreign_opportunities: None,
                before: self.before,
                limit: if self.limit == 0 { 50 } else { self.limit },
            })
        })
    }
}

/// One page of traces, newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TracePage {
    /// The traces.
    pub items: Vec<Trace>,
    /// Pass as [`TraceFilter::before`] for the next page; `None` on the last page.
    pub next: Option<TraceId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn filters_are_checked_and_folded() {
        let q = TraceFilter {
            text: Some(" Zürich ".into()),
            only_mine: true,
            ..Default::default()
        }
        .to_query(UserId(5))
        .unwrap();
        assert_eq!(q.text.as_deref(), Some("zurich"));
        assert_eq!((q.actor, q.limit), (Some(UserId(5)), 50));
        let Err(Error::Invalid(e)) = TraceFilter {
            kinds: vec!["Won!".into()],
            limit: 500,
            only_mine: true,
            actor: Some(UserId(6)),
            ..Default::default()
        }
        .to_query(UserId(5)) else {
            panic!("expected invalid")
        };
        assert!(e.has("kinds[0]") && e.has("limit") && e.has("actor"), "{e}");
    }

    #[test]
    fn external_events_are_checked() {
        let event = ExternalEvent {
            source: "servicedesk".into(),
            external_id: "INC-4711".into(),
            kind: "sla_breached".into(),
            address_id: AddressId(1),
            linked: None,
            occurred_at: DateTime::from_timestamp(1_800_000_000, 123_456_789).unwrap(),
            summary: "Response SLA missed".into(),
            payload: serde_json::json!({"priority": 1}),
        };
        let valid = event.validate().unwrap();
        assert_eq!(valid.occurred_at.timestamp_subsec_nanos(), 123_456_000);
        let Err(Error::Invalid(e)) = ExternalEvent {
            source: "crm".into(),
            external_id: " ".into(),
            payload: serde_json::json!([1]),
            ..event
        }
        .validate() else {
            panic!("expected invalid")
        };
        assert!(
            e.has("source") && e.has("external_id") && e.has("payload"),
            "{e}"
        );
    }
}
