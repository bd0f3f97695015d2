//! The hash chain: every trace stores the hash of the trace before it on the same address and
//! its own hash over a canonical encoding of its content, so that changing, removing or
//! reordering a stored trace breaks the chain where it happened.
//!
//! The encoding is versioned and length-prefixed: the tag `crm-trace/1`, then each field as
//! its byte length (8 bytes, big-endian) followed by its UTF-8 text — integers in decimal,
//! times as RFC 3339 in UTC with microseconds, the payload as the JSON text stored. Nothing
//! in it depends on a database, a JSON library's key order or a float format.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::{AddressId, AddressNumber, TraceId};

/// The hash before the first trace of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const TAG: &[u8] = b"crm-trace/1";

/// The content of a trace as it is hashed: exactly what storage keeps, as raw values, so that
/// a row changed behind the library's back is still read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRecord {
    /// The address whose chain it belongs to.
    pub address_id: AddressId,
    /// Its position in the chain, from 1.
    pub seq: i64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// When the event happened (an external event may report an earlier time).
    pub occurred_at: DateTime<Utc>,
    /// The event kind.
    pub kind: String,
    /// Who caused or reported it.
    pub actor: i64,
    /// `crm`, or the external system that reported it.
    pub source: String,
    /// The external system's id of the event.
    pub external_id: Option<String>,
    /// The kind of the linked record.
    pub linked_kind: String,
    /// The id of the linked record.
    pub linked_id: i64,
    /// The one-line summary.
    pub summary: String,
    /// The structured payload, as JSON text.
    pub payload: String,
    /// The hash of the previous trace of the chain ([`GENESIS`] for the first).
    pub prev_hash: String,
}

impl TraceRecord {
    /// The canonical encoding that is hashed.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.summary.len() + self.payload.len());
        let mut field = |bytes: &[u8]| {
            out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
            out.extend_from_slice(bytes);
        };
        field(TAG);
        field(self.prev_hash.as_bytes());
        field(self.address_id.0.to_string().as_bytes());
        field(self.seq.to_string().as_bytes());
        field(instant(self.recorded_at).as_bytes());
        field(instant(self.occurred_at).as_bytes());
        field(self.kind.as_bytes());
        field(self.actor.to_string().as_bytes());
        field(self.source.as_bytes());
        match &self.external_id {
            None => field(b"-"),
            Some(id) => field(format!("+{id}").as_bytes()),
        }
        field(self.linked_kind.as_bytes());
        field(self.linked_id.to_string().as_bytes());
        field(self.summary.as_bytes());
        field(self.payload.as_bytes());
        out
    }

    /// The SHA-256 of the canonical encoding, as 64 lowercase hex digits.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.canonical_bytes());
        let mut hex = String::with_capacity(64);
        for byte in digest {
            use fmt::Write;
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }
}

fn instant(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The end of one address's chain, as storage keeps it beside the traces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// The address.
    pub address_id: AddressId,
    /// The position of the last trace (0 for an empty chain).
    pub seq: i64,
    /// The hash of the last trace ([`GENESIS`] for an empty chain).
    pub hash: String,
}

impl ChainHead {
    /// The head of an address without traces.
    pub fn empty(address_id: AddressId) -> Self {
        ChainHead {
            address_id,
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

/// A stored trace as the verification reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLink {
    /// The trace's id.
    pub id: TraceId,
    /// Its content.
    pub record: TraceRecord,
    /// The hash stored with it.
    pub hash: String,
}

/// What is wrong at the first bad link of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// The trace's content no longer matches its hash: it was changed.
    Altered,
    /// The trace does not point at the hash of the trace before it: a trace before it was
    /// replaced, or the chain was spliced.
    Unlinked,
    /// A position of the chain is empty: a trace was removed.
    Missing,
    /// The chain ends before or after where its head says: traces at its end were removed or
    /// added behind the library's back.
    HeadMismatch {
        /// The last position the head records.
        head_seq: i64,
        /// The last position found.
        found_seq: i64,
    },
    /// Traces exist for an address that has no chain head.
    NoHead,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Altered => f.write_str("its content does not match its hash (altered)"),
            Problem::Unlinked => f.write_str("it does not link to the hash of the trace before it"),
            Problem::Missing => f.write_str("the trace at this position is missing"),
            Problem::HeadMismatch {
                head_seq,
                found_seq,
            } => write!(
                f,
                "the chain head records {head_seq} traces but the chain ends at {found_seq}"
            ),
            Problem::NoHead => f.write_str("the address has traces but no chain head"),
        }
    }
}

/// The first bad link of one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenLink {
    /// The address whose chain is broken.
    pub address_id: AddressId,
    /// Its business number, when the address still exists.
    pub address_number: Option<AddressNumber>,
    /// The position in the chain.
    pub seq: i64,
    /// The trace at that position, when there is one.
    pub trace_id: Option<TraceId>,
    /// What is wrong.
    #[serde(flatten)]
    pub problem: Problem,
}

impl fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.address_number {
            Some(n) => write!(f, "address {n} (id {})", self.address_id)?,
            None => write!(f, "address id {}", self.address_id)?,
        }
        write!(f, ", trace #{}", self.seq)?;
        if let Some(id) = self.trace_id {
            write!(f, " (id {id})")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// What verifying the chains found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Chains checked.
    pub chains: u64,
    /// Traces checked.
    pub traces: u64,
    /// The first bad link of every broken chain, by address (at most
    /// [`VerifyReport::MAX_BROKEN`]).
    pub broken: Vec<BrokenLink>,
    /// Broken chains in all, also those beyond the listed ones.
    pub broken_chains: u64,
}

impl VerifyReport {
    /// The most broken chains a report lists.
    pub const MAX_BROKEN: usize = 1_000;

    /// Whether every chain is intact.
    pub fn is_intact(&self) -> bool {
        self.broken_chains == 0
    }

    /// Adds one chain's result.
    pub fn add(&mut self, traces: usize, broken: Option<BrokenLink>) {
        self.chains += 1;
        self.traces += traces as u64;
        if let Some(link) = broken {
            self.broken_chains += 1;
            if self.broken.len() < Self::MAX_BROKEN {
                self.broken.push(link);
            }
        }
    }
}

/// Checks one chain: `links` are the address's stored traces ordered by position, `head` is
/// its head (`None` when storage has none). Returns the first bad link.
pub fn verify_chain(
    address_id: AddressId,
    head: Option<&ChainHead>,
    links: &[StoredLink],
) -> Option<BrokenLink> {
    let broken = |seq, trace_id, problem| BrokenLink {
        address_id,
        address_number: None,
        seq,
        trace_id,
        problem,
    };
    let Some(head) = head else {
        return links
            .first()
            .map(|l| broken(l.record.seq, Some(l.id), Problem::NoHead));
    };
    let mut prev = GENESIS;
    for (i, link) in links.iter().enumerate() {
        let expected = i as i64 + 1;
        if link.record.seq != expected {
            return Some(broken(expected, None, Problem::Missing));
        }
        if link.record.prev_hash != prev {
            return Some(broken(expected, Some(link.id), Problem::Unlinked));
        }
        if link.record.hash() != link.hash {
            return Some(broken(expected, Some(link.id), Problem::Altered));
        }
        prev = &link.hash;
    }
    let found = links.len() as i64;
    if head.seq != found || head.hash != prev {
        let problem = Problem::HeadMismatch {
            head_seq: head.seq,
            found_seq: found,
        };
        return Some(broken(found.min(head.seq) + 1, None, problem));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: i64, prev: &str) -> TraceRecord {
        TraceRecord {
            address_id: AddressId(7),
            seq,
            recorded_at: DateTime::from_timestamp(1_800_000_000 + seq, 123_456_000).unwrap(),
            occurred_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            kind: "stage_changed".into(),
            actor: 101,
            source: "crm".into(),
            external_id: None,
            linked_kind: "opportunity".into(),
            linked_id: 3,
            summary: format!("step {seq}"),
            payload: "{\"to\":\"offer\"}".into(),
            prev_hash: prev.into(),
        }
    }

    fn chain(n: i64) -> Vec<StoredLink> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let record = record(seq, &prev);
                let hash = record.hash();
                prev = hash.clone();
                StoredLink {
                    id: TraceId(100 + seq),
                    record,
                    hash,
                }
            })
            .collect()
    }

    fn head(links: &[StoredLink]) -> ChainHead {
        ChainHead {
            address_id: AddressId(7),
            seq: links.len() as i64,
            hash: links.last().map_or(GENESIS.into(), |l| l.hash.clone()),
        }
    }

    #[test]
    fn hashes_are_stable_and_cover_every_field() {
        let a = record(1, GENESIS);
        assert_eq!(a.hash().len(), 64);
        assert_eq!(a.hash(), record(1, GENESIS).hash());
        let mut b = a.clone();
        b.external_id = Some(String::new());
        assert_ne!(a.hash(), b.hash(), "absent and empty differ");
        let mut c = a.clone();
        c.summary = "step 1 ".into();
        assert_ne!(a.hash(), c.hash());
        // Field boundaries are unambiguous.
        let mut d = a.clone();
        d.kind = "stage_changedcrm".into();
        d.source = String::new();
        assert_ne!(a.hash(), d.hash());
    }

    #[test]
    fn an_intact_chain_verifies() {
        let links = chain(4);
        assert_eq!(
            verify_chain(AddressId(7), Some(&head(&links)), &links),
            None
        );
        assert_eq!(
            verify_chain(AddressId(7), Some(&ChainHead::empty(AddressId(7))), &[]),
            None
        );
    }

    #[test]
    fn tampering_is_found_at_its_first_link() {
        let links = chain(5);
        let h = head(&links);
        let mut altered = links.clone();
        altered[2].record.summary = "nothing happened".into();
        let found = verify_chain(AddressId(7), Some(&h), &altered).unwrap();
        assert_eq!((found.seq, found.problem.clone()), (3, Problem::Altered));
        assert_eq!(found.trace_id, Some(TraceId(103)));

        let mut removed = links.clone();
        removed.remove(1);
        let found = verify_chain(AddressId(7), Some(&h), &removed).unwrap();
        assert_eq!((found.seq, found.problem), (2, Problem::Missing));

        let truncated = &links[..4];
        let found = verify_chain(AddressId(7), Some(&h), truncated).unwrap();
        assert_eq!(found.seq, 5);
        assert!(matches!(
            found.problem,
            Problem::HeadMismatch {
                head_seq: 5,
                found_seq: 4
            }
        ));

        // A rehashed trace no longer matches its successor's link.
        let mut rehashed = links.clone();
        rehashed[1].record.summary = "rewritten".into();
        rehashed[1].hash = rehashed[1].record.hash();
        let found = verify_chain(AddressId(7), Some(&h), &rehashed).unwrap();
        assert_eq!((found.seq, found.problem), (3, Problem::Unlinked));

        let found = verify_chain(AddressId(7), None, &links).unwrap();
        assert_eq!(found.problem, Problem::NoHead);
        assert!(found.to_string().contains("no chain head"), "{found}");
    }
}
