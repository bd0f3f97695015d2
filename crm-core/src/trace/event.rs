//! Domain events: what the services report when something happened that a company may want
//! to trace. Each event knows its kind, a one-line summary and its payload (old and new
//! values); [`TraceRules`](super::TraceRules) decide which of them become traces.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::address::AddressKind;
use crate::calendar::AssignmentType;
use crate::entity::EntityRef;
use crate::ids::{
    AddressId, AddressNumber, CalendarEntryId, OpportunityId, OpportunityNumber, UserId,
};
use crate::opportunity::TeamMember;
use crate::values::Money;

/// An opportunity as events name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpportunityRef {
    /// Id.
    pub id: OpportunityId,
    /// Business number.
    pub number: OpportunityNumber,
    /// Title.
    pub title: String,
}

/// Which deadline of a service level agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaDeadline {
    /// The response deadline.
    Response,
    /// The resolution deadline.
    Resolution,
}

impl SlaDeadline {
    /// `response` or `resolution`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SlaDeadline::Response => "response",
            SlaDeadline::Resolution => "resolution",
        }
    }
}

/// What happened, with the values a trace keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventDetail {
    /// An address was captured or imported.
    AddressCreated {
        /// Its number.
        number: AddressNumber,
        /// Its name.
        name: String,
        /// Lead or customer.
        kind: AddressKind,
    },
    /// A lead became a customer.
    LeadConverted {
        /// The lead number it had.
        lead_number: AddressNumber,
        /// The customer number it got.
        customer_number: AddressNumber,
        /// Its name.
        name: String,
    },
    /// A contact person was added.
    ContactAdded {
        /// The contact's name.
        name: String,
    },
    /// A note was added.
    NoteAdded {
        /// The note's beginning.
        excerpt: String,
    },
    /// A new inquiry: an opportunity was created.
    OpportunityCreated {
        /// The opportunity.
        opportunity: OpportunityRef,
        /// Its stage.
        stage: String,
        /// Its expected volume.
        volume: Option<Money>,
    },
    /// An opportunity moved between open stages.
    StageChanged {
        /// The opportunity.
        opportunity: OpportunityRef,
        /// The stage before.
        from: String,
        /// The stage after.
        to: String,
    },
    /// An opportunity was won.
    DecisionWon {
        /// The opportunity.
        opportunity: OpportunityRef,
        /// The stage it was won from.
        from: String,
        /// Its volume.
        volume: Option<Money>,
    },
    /// An opportunity was lost.
    DecisionLost {
        /// The opportunity.
        opportunity: OpportunityRef,
        /// The stage it was lost from.
        from: String,
        /// Why.
        reason: String,
    },
    /// An opportunity was cancelled.
    OpportunityCancelled {
        /// The opportunity.
        opportunity: OpportunityRef,
        /// The stage it was cancelled from.
        from: String,
    },
    /// A decided opportunity was reopened.
    OpportunityReopened {
        /// The opportunity.
        opportunity: OpportunityRef,
        /// The decision it had.
        from: String,
        /// The open stage it is in now.
        to: String,
    },
    /// The expected volume changed.
    VolumeChanged {
        /// The opportunity.
        opportunity: OpportunityRef,
        /// Before.
        old: Option<Money>,
        /// After.
        new: Option<Money>,
    },
    /// The expected close date moved.
    CloseDateMoved {
        /// The opportunity.
        opportunity: OpportunityRef,
        /// Before.
        old: Option<NaiveDate>,
        /// After.
        new: Option<NaiveDate>,
    },
    /// A milestone moved.
    MilestoneMoved {
        /// The milestone.
        entry: CalendarEntryId,
        /// The milestone's title.
        title: String,
        /// The opportunity it is a key date of.
        opportunity: Option<OpportunityRef>,
        /// Before.
        old: DateTime<Utc>,
        /// After.
        new: DateTime<Utc>,
    },
    /// The selling team changed.
    TeamChanged {
        /// The opportunity.
        opportunity: OpportunityRef,
        /// New members.
        added: Vec<TeamMember>,
        /// Members who left.
        removed: Vec<UserId>,
        /// Members with a new role or access.
        changed: Vec<TeamMember>,
    },
    /// An assignment (maintenance, installation, incident) was opened.
    AssignmentOpened {
        /// Its title.
        title: String,
        /// Its type.
        assignment_type: AssignmentType,
        /// When it is planned.
        start: DateTime<Utc>,
        /// The SLA's resolution deadline, for an incident.
        resolution_due: Option<DateTime<Utc>>,
    },
    /// An SLA deadline was missed.
    SlaBreached {
        /// The incident's title.
        title: String,
        /// Which deadline.
        deadline: SlaDeadline,
        /// When it was due.
        due: DateTime<Utc>,
        /// When the response or resolution came, if it came (late).
        done_at: Option<DateTime<Utc>>,
    },
    /// The ERP reported a sales document in a new status.
    DocumentStatusChanged {
        /// The document's number.
        document: String,
        /// Its kind (`quote`, `order`, …).
        document_kind: String,
        /// The status before.
        from: String,
        /// The status now.
        to: String,
    },
    /// An overdue invoice was dunned: the ERP raised its dunning level.
    PaymentOverdue {
        /// The invoice's number.
        invoice: String,
        /// When it was due.
        due: NaiveDate,
        /// What is open.
        open: Money,
        /// The dunning level reached.
        dunning_level: u8,
    },
    /// A document was checked into the archive.
    DocumentCheckedIn {
        /// Its id.
        document: i64,
        /// Its title.
        title: String,
        /// Its category.
        category: String,
    },
    /// A new version of an archived document was checked in.
    DocumentVersioned {
        /// Its id.
        document: i64,
        /// Its title.
        title: String,
        /// The new version's number.
        version: u32,
        /// What changed.
        comment: Option<String>,
    },
    /// An archived document was deleted after its retention.
    DocumentDeleted {
        /// Its id.
        document: i64,
        /// Its title.
        title: String,
        /// How many versions it had.
        versions: u32,
    },
    /// The confirmed delivery date of an order line moved.
    DeliveryDateMoved {
        /// The order's number.
        order: String,
        /// The line's position.
        position: u32,
        /// Before.
        old: NaiveDate,
        /// After.
        new: NaiveDate,
    },
}

impl EventDetail {
    /// The event kind, as rules and filters name it.
    pub fn kind(&self) -> &'static str {
        match self {
            EventDetail::AddressCreated { .. } => "address_created",
            EventDetail::LeadConverted { .. } => "lead_converted",
            EventDetail::ContactAdded { .. } => "contact_added",
            EventDetail::NoteAdded { .. } => "note_added",
            EventDetail::OpportunityCreated { .. } => "opportunity_created",
            EventDetail::StageChanged { .. } => "stage_changed",
            EventDetail::DecisionWon { .. } => "decision_won",
            EventDetail::DecisionLost { .. } => "decision_lost",
            EventDetail::OpportunityCancelled { .. } => "opportunity_cancelled",
            EventDetail::OpportunityReopened { .. } => "opportunity_reopened",
            EventDetail::VolumeChanged { .. } => "volume_changed",
            EventDetail::CloseDateMoved { .. } => "close_date_moved",
            EventDetail::MilestoneMoved { .. } => "milestone_moved",
            EventDetail::TeamChanged { .. } => "team_changed",
            EventDetail::AssignmentOpened { .. } => "assignment_opened",
            EventDetail::SlaBreached { .. } => "sla_breached",
            EventDetail::DocumentStatusChanged { .. } => "document_status_changed",
            EventDetail::PaymentOverdue { .. } => "payment_overdue",
            EventDetail::DeliveryDateMoved { .. } => "delivery_date_moved",
            EventDetail::DocumentCheckedIn { .. } => "document_checked_in",
            EventDetail::DocumentVersioned { .. } => "document_versioned",
            EventDetail::DocumentDeleted { .. } => "document_deleted",
        }
    }

    /// The one-line summary a trace list shows.
    pub fn summary(&self) -> String {
        let money = |m: &Option<Money>| m.map_or_else(|| "no volume".to_owned(), |m| m.to_string());
        let date = |d: &Option<NaiveDate>| d.map_or_else(|| "none".to_owned(), |d| d.to_string());
        match self {
            EventDetail::AddressCreated { number, name, kind } => {
                let what = match kind {
                    AddressKind::Lead => "Lead",
                    AddressKind::Customer => "Customer",
                };
                format!("{what} {number} {name} created")
            }
            EventDetail::LeadConverted {
                lead_number,
                customer_number,
                name,
            } => format!("Lead {lead_number} {name} became customer {customer_number}"),
            EventDetail::ContactAdded { name } => format!("Contact {name} added"),
            EventDetail::NoteAdded { excerpt } => format!("Note: {excerpt}"),
            EventDetail::OpportunityCreated {
                opportunity,
                stage,
                volume,
            } => format!(
                "New inquiry {}: {} ({stage}, {})",
                opportunity.number,
                opportunity.title,
                money(volume)
            ),
            EventDetail::StageChanged {
                opportunity,
                from,
                to,
            } => format!("{}: stage {from} → {to}", opp(opportunity)),
            EventDetail::DecisionWon {
                opportunity,
                volume,
                ..
            } => format!("{} won ({})", opp(opportunity), money(volume)),
            EventDetail::DecisionLost {
                opportunity,
                reason,
                ..
            } => format!("{} lost: {reason}", opp(opportunity)),
            EventDetail::OpportunityCancelled { opportunity, .. } => {
                format!("{} cancelled", opp(opportunity))
            }
            EventDetail::OpportunityReopened {
                opportunity, to, ..
            } => format!("{} reopened in stage {to}", opp(opportunity)),
            EventDetail::VolumeChanged {
                opportunity,
                old,
                new,
            } => format!(
                "{}: volume {} → {}",
                opp(opportunity),
                money(old),
                money(new)
            ),
            EventDetail::CloseDateMoved {
                opportunity,
                old,
                new,
            } => format!(
                "{}: close date {} → {}{}",
                opp(opportunity),
                date(old),
                date(new),
                shift(old.zip(*new).map(|(o, n)| (n - o).num_days()))
            ),
            EventDetail::MilestoneMoved {
                title, old, new, ..
            } => format!(
                "Milestone {title} moved {} → {}{}",
                old.date_naive(),
                new.date_naive(),
                shift(Some((*new - *old).num_days()))
            ),
            EventDetail::TeamChanged {
                opportunity,
                added,
                removed,
                changed,
            } => format!(
                "{}: selling team changed ({} added, {} removed, {} changed)",
                opp(opportunity),
                added.len(),
                removed.len(),
                changed.len()
            ),
            EventDetail::AssignmentOpened {
                title,
                assignment_type,
                start,
                ..
            } => format!(
                "{} opened: {title} on {}",
                capitalised(assignment_type.as_str()),
                start.date_naive()
            ),
            EventDetail::SlaBreached {
                title,
                deadline,
                due,
                ..
            } => format!(
                "SLA {} deadline missed: {title} (due {})",
                deadline.as_str(),
                due.format("%Y-%m-%d %H:%M UTC")
            ),
            EventDetail::DocumentStatusChanged {
                document,
                document_kind,
                from,
                to,
            } => format!(
                "{} {document}: {from} → {to}",
                capitalised(&document_kind.replace('_', " "))
            ),
            EventDetail::PaymentOverdue {
                invoice,
                due,
                open,
                dunning_level,
            } => format!(
                "Invoice {invoice} overdue since {due}: {open} open, reminder {dunning_level}"
            ),
            EventDetail::DeliveryDateMoved {
                order,
                position,
                old,
                new,
            } => format!(
                "Order {order} line {position}: delivery {old} → {new}{}",
                shift(Some((*new - *old).num_days()))
            ),
            EventDetail::DocumentCheckedIn {
                title, category, ..
            } => format!("Document checked in: {title} ({category})"),
            EventDetail::DocumentVersioned {
                title,
                version,
                comment,
                ..
            } => match comment {
                Some(c) => format!("{title}: version {version} checked in ({c})"),
                None => format!("{title}: version {version} checked in"),
            },
            EventDetail::DocumentDeleted {
                title, versions, ..
            } => format!("{title} deleted after its retention ({versions} versions)"),
        }
    }

    /// The days a date moved by, for thresholds: close dates, milestones, delivery dates.
    pub fn shift_days(&self) -> Option<i64> {
        match self {
            EventDetail::CloseDateMoved { old, new, .. } => {
                Some(old.zip(*new).map_or(i64::MAX, |(o, n)| (n - o).num_days()))
            }
            EventDetail::MilestoneMoved { old, new, .. } => Some((*new - *old).num_days()),
            EventDetail::DeliveryDateMoved { old, new, .. } => Some((*new - *old).num_days()),
            _ => None,
        }
    }

    /// The change of volume in percent of the old volume, for thresholds (`None` when the
    /// event is no volume change; unbounded when there was no volume or the currency changed).
    pub fn volume_change_percent(&self) -> Option<rust_decimal::Decimal> {
        let EventDetail::VolumeChanged { old, new, .. } = self else {
            return None;
        };
        let unbounded = rust_decimal::Decimal::MAX;
        Some(match (old, new) {
            (Some(o), Some(n)) if o.currency == n.currency && !o.amount.is_zero() => {
                ((n.amount - o.amount) / o.amount * rust_decimal::Decimal::ONE_HUNDRED).abs()
            }
            (Some(o), Some(n)) if o == n => rust_decimal::Decimal::ZERO,
            _ => unbounded,
        })
    }

    /// The payload: the event's values as JSON text, in field order.
    pub fn payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

fn opp(o: &OpportunityRef) -> String {
    format!("Opportunity {} {}", o.number, o.title)
}

fn shift(days: Option<i64>) -> String {
    match days {
        Some(d) if d > 0 => format!(" (+{d} days)"),
        Some(d) => format!(" ({d} days)"),
        None => String::new(),
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// An event of one address, with the record it is about and the users for whom it is news
/// (the address's responsible reps, and the selling team of an opportunity's events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainEvent {
    /// The address.
    pub address: AddressId,
    /// The record the event is about.
    pub linked: EntityRef,
    /// The users in whose trace lists it appears.
    pub audience: Vec<UserId>,
    /// What happened.
    pub detail: EventDetail,
}

impl DomainEvent {
    /// An event of `address` about `linked`, news for `audience` (duplicates and absent users
    /// are dropped).
    pub fn new(
        address: AddressId,
        linked: EntityRef,
        audience: impl IntoIterator<Item = Option<UserId>>,
        detail: EventDetail,
    ) -> Self {
        let mut audience: Vec<UserId> = audience.into_iter().flatten().collect();
        audience.sort_unstable();
        audience.dedup();
        DomainEvent {
            address,
            linked,
            audience,
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Currency;

    fn opportunity() -> OpportunityRef {
        OpportunityRef {
            id: OpportunityId(3),
            number: OpportunityNumber(17),
            title: "Kassen".into(),
        }
    }

    #[test]
    fn summaries_and_payloads_carry_old_and_new() {
        let moved = EventDetail::CloseDateMoved {
            opportunity: opportunity(),
            old: NaiveDate::from_ymd_opt(2027, 3, 1),
            new: NaiveDate::from_ymd_opt(2027, 3, 11),
        };
        assert_eq!(moved.kind(), "close_date_moved");
        assert_eq!(
            moved.summary(),
            "Opportunity 17 Kassen: close date 2027-03-01 → 2027-03-11 (+10 days)"
        );
        assert_eq!(moved.shift_days(), Some(10));
        let payload: serde_json::Value = serde_json::from_str(&moved.payload()).unwrap();
        assert_eq!(payload["old"], "2027-03-01");
        assert_eq!(payload["event"], "close_date_moved");
        assert_eq!(payload["opportunity"]["number"], 17);
    }

    #[test]
    fn volume_changes_are_measured_in_percent() {
        let chf = |a: &str| Some(Money::parse(a, Currency::CHF).unwrap());
        let change = |old, new| EventDetail::VolumeChanged {
            opportunity: opportunity(),
            old,
            new,
        };
        assert_eq!(
            change(chf("100000"), chf("95000")).volume_change_percent(),
            Some(rust_decimal::Decimal::from(5))
        );
        assert_eq!(
            change(None, chf("1")).volume_change_percent(),
            Some(rust_decimal::Decimal::MAX)
        );
    }
}
