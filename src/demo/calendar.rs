//! Demo calendar entries: visits, calls and meetings, weekly series, milestones of projects
//! and service assignments, around an anchor date.

use chrono::{Duration, NaiveDate};
use crm_core::calendar::EntryInput;
use crm_core::{AddressId, AddressKind, ImportRow};

use super::{Generator, Rng};

const ACTIVITIES: &[(&str, &str)] = &[
    ("visit", "Besuch: Sortiment und Konditionen"),
    ("visit", "Jahresgespräch"),
    ("call", "Telefon: Offerte nachfassen"),
    ("call", "Rückruf wegen Liefertermin"),
    ("meeting", "Präsentation Neuheiten"),
    ("meeting", "Projektbesprechung"),
];

const MILESTONES: &[(&str, &str)] = &[
    ("offer_deadline", "Offerte fällig"),
    ("customer_decision", "Entscheid Kunde"),
    ("kickoff", "Projektstart"),
    ("go_live", "Inbetriebnahme"),
    ("acceptance", "Abnahme"),
];

const ASSIGNMENTS: &[(&str, &str)] = &[
    ("maintenance", "Wartung Anlage"),
    ("installation", "Montage neue Geräte"),
    ("incident", "Störung beheben"),
];

impl Generator {
    /// About two entries for an address (leads have fewer), within half a year either side
    /// of `anchor`, in Europe/Zurich.
    pub fn calendar(
        &mut self,
        id: AddressId,
        row: &ImportRow,
        anchor: NaiveDate,
    ) -> Vec<EntryInput> {
        let customer = row.kind == AddressKind::Customer;
        let count = if customer {
            self.rng.below(5)
        } else {
            self.rng.below(2)
        };
        (0..count)
            .map(|_| entry(&mut self.rng, id, row, anchor, customer))
            .collect()
    }
}

fn entry(
    rng: &mut Rng,
    id: AddressId,
    row: &ImportRow,
    anchor: NaiveDate,
    customer: bool,
) -> EntryInput {
    let day = anchor + Duration::days(rng.below(366) as i64 - 183);
    let hour = 8 + rng.below(9);
    let minute = [0, 15, 30, 45][rng.below(4)];
    let start = format!("{}T{hour:02}:{minute:02}", day.format("%Y-%m-%d"));
    let mut input = EntryInput {
        address_id: Some(id),
        start: Some(start.clone()),
        ..Default::default()
    };
    match rng.below(20) {
        0..=12 => {
            let (kind, title) = *rng.pick(ACTIVITIES);
            input.kind = Some("activity".into());
            input.entry_type = Some(kind.into());
            input.title = title.into();
            input.end = Some(format!(
                "{}T{:02}:{minute:02}",
                day.format("%Y-%m-%d"),
                hour + 1
            ));
            if kind == "visit" {
                input.location = row.address.postal.city.clone();
            }
            if rng.chance(30)
                && let Some(inside) = row.address.inside_rep
            {
                input.participants = vec![inside];
            }
        }
        13 => {
            input.kind = Some("activity".into());
            input.entry_type = Some("call".into());
            input.title = "Wochenrapport".into();
            input.recurrence = Some(format!("FREQ=WEEKLY;COUNT={}", 4 + rng.below(9)));
        }
        14..=16 if customer => {
            let (kind, title) = *rng.pick(MILESTONES);
            input.kind = Some("milestone".into());
            input.entry_type = Some(kind.into());
            input.title = title.into();
            input.start = None;
            input.due = Some(day.format("%Y-%m-%d").to_string());
            input.linked = Some(id.into());
        }
        _ => {
            let (kind, title) = *rng.pick(ASSIGNMENTS);
            input.kind = Some("assignment".into());
            input.entry_type = Some(kind.into());
            input.title = title.into();
            input.end = Some(format!(
                "{}T{:02}:{minute:02}",
                day.format("%Y-%m-%d"),
                hour + 2
            ));
            input.service_ref = Some(format!("SR-{}-{:05}", day.format("%Y"), rng.below(100_000)));
            if let Some(field) = row.address.field_rep {
                input.technicians = vec![field];
            }
            if kind == "incident" {
                input.sla_response_due = Some(format!(
                    "{}T{:02}:{minute:02}",
                    day.format("%Y-%m-%d"),
                    hour + 1
                ));
                input.sla_resolution_due = Some(format!(
                    "{}T{hour:02}:{minute:02}",
                    (day + Duration::days(1)).format("%Y-%m-%d")
                ));
            }
        }
    }
    if !customer && input.kind.as_deref() == Some("assignment") {
        // Leads get no service work: a first call instead.
        input.kind = Some("activity".into());
        input.entry_type = Some("call".into());
        input.title = "Erstkontakt".into();
        input.technicians.clear();
        input.service_ref = None;
        input.sla_response_due = None;
        input.sla_resolution_due = None;
        input.start = Some(start);
    }
    input
}
