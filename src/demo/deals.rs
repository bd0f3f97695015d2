//! Demo opportunities with their selling teams, and events the ERP reports (orders,
//! invoices, payments) as the source of most traces of a real installation.

use chrono::{Duration, NaiveDate, NaiveTime};
use crm_core::opportunity::{OpportunityInput, TeamMemberInput};
use crm_core::trace::ExternalEvent;
use crm_core::{AddressId, AddressKind, ImportRow, MoneyInput};

use super::Generator;

const TITLES: &[&str] = &[
    "Neue Kassensysteme",
    "Ladeneinrichtung Umbau",
    "Servicevertrag 2027",
    "Ersatz Kühlanlage",
    "Rahmenvertrag Verbrauchsmaterial",
    "LED-Beleuchtung Verkaufsfläche",
    "Software-Upgrade Warenwirtschaft",
    "Zweite Filiale Erstausstattung",
    "Wartungsvertrag Maschinenpark",
    "Saisonsortiment Frühling",
];

const SOURCES: &[&str] = &[
    "Messe",
    "Website",
    "Empfehlung",
    "Kaltakquise",
    "Bestandskunde",
];

const COMPETITORS: &[&str] = &["Mettler AG", "Baumann & Co.", "Lüthi Handel", "Fiorini SA"];

const LOST_REASONS: &[&str] = &[
    "Preis zu hoch",
    "Konkurrenz mit kürzerer Lieferfrist",
    "Projekt verschoben",
    "Budget gestrichen",
];

const OPEN_STAGES: &[&str] = &[
    "inquiry",
    "qualification",
    "offer",
    "negotiation",
    "decision",
];

impl Generator {
    /// About 0.3 opportunities per address (customers more, leads fewer): mostly open ones
    /// closing within half a year after `today`, some won, lost or cancelled. The field rep
    /// leads, the inside rep works in the team, sometimes a colleague helps as specialist.
    pub fn opportunities(
        &mut self,
        id: AddressId,
        row: &ImportRow,
        today: NaiveDate,
    ) -> Vec<OpportunityInput> {
        let customer = row.kind == AddressKind::Customer;
        let count = match self.rng.below(100) {
            n if n < if customer { 24 } else { 12 } => 1,
            n if n < if customer { 29 } else { 14 } => 2,
            _ => 0,
        };
        (0..count)
            .map(|_| self.opportunity(id, row, today))
            .collect()
    }

    fn opportunity(
        &mut self,
        id: AddressId,
        row: &ImportRow,
        today: NaiveDate,
    ) -> OpportunityInput {
        let (stage, lost_reason) = match self.rng.below(10) {
            0 => ("won", None),
            1 => ("lost", Some((*self.rng.pick(LOST_REASONS)).to_owned())),
            2 if self.rng.chance(30) => ("cancelled", None),
            _ => (*self.rng.pick(OPEN_STAGES), None),
        };
        let decided = lost_reason.is_some() || stage == "won" || stage == "cancelled";
        let close = if decided {
            today - Duration::days(self.rng.below(60) as i64)
        } else {
            today + Duration::days(7 + self.rng.below(180) as i64)
        };
        let mut team = Vec::new();
        let lead = row.address.field_rep.or(row.address.inside_rep);
        if let Some(lead) = lead {
            team.push(TeamMemberInput {
                user_id: lead,
                role: "lead".into(),
                access: None,
            });
        }
        if let Some(inside) = row.address.inside_rep.filter(|i| Some(*i) != lead) {
            team.push(TeamMemberInput {
                user_id: inside,
                role: "inside_sales".into(),
                access: None,
            });
        }
        if self.rng.chance(20) && !self.field.is_empty() {
            let specialist = self.rng.pick(&self.field).0;
            if team.iter().all(|m| m.user_id != specialist) {
                team.push(TeamMemberInput {
                    user_id: specialist,
                    role: "technical_specialist".into(),
                    access: Some("read".into()),
                });
            }
        }
        let competitors = (0..self.rng.below(3))
            .map(|_| (*self.rng.pick(COMPETITORS)).to_owned())
            .collect();
        OpportunityInput {
            address_id: Some(id),
            title: (*self.rng.pick(TITLES)).to_owned(),
            stage: Some(stage.into()),
            volume: Some(MoneyInput {
                amount: ((2 + self.rng.below(250)) * 1000).to_string(),
                currency: Some("CHF".into()),
            }),
            close_date: Some(close.format("%Y-%m-%d").to_string()),
            source: Some((*self.rng.pick(SOURCES)).to_owned()),
            competitors,
            lost_reason,
            team: (!team.is_empty()).then_some(team),
            ..Default::default()
        }
    }

    /// `count` events the ERP reported for an address over the last year before `today`:
    /// orders, invoices, payments, reminders. Event ids are unique per address and index.
    pub fn erp_events(
        &mut self,
        id: AddressId,
        count: usize,
        today: NaiveDate,
    ) -> Vec<ExternalEvent> {
        (0..count)
            .map(|i| {
                let day = today - Duration::days(1 + self.rng.below(365) as i64);
                let at = day.and_time(NaiveTime::MIN).and_utc()
                    + Duration::minutes(7 * 60 + self.rng.below(11 * 60) as i64);
                let amount = (1 + self.rng.below(400)) * 125;
                let document = 400_000 + self.rng.below(600_000);
                let (kind, summary) = match self.rng.below(10) {
                    0..=3 => (
                        "order_placed",
                        format!("Auftrag {document} über CHF {amount}.00"),
                    ),
                    4..=6 => (
                        "invoice_sent",
                        format!("Rechnung {document} über CHF {amount}.00"),
                    ),
                    7..=8 => (
                        "payment_received",
                        format!("Zahlung CHF {amount}.00 zu Rechnung {document}"),
                    ),
                    _ => (
                        "payment_overdue",
                        format!("Rechnung {document} überfällig (CHF {amount}.00)"),
                    ),
                };
                ExternalEvent {
                    source: "erp".into(),
                    external_id: format!("erp-{}-{i}", id.0),
                    kind: kind.into(),
                    address_id: id,
                    linked: None,
                    occurred_at: at,
                    summary,
                    payload: serde_json::json!({
                        "document": document.to_string(),
                        "amount": format!("{amount}.00"),
                        "currency": "CHF",
                    }),
                }
            })
            .collect()
    }
}
