//! Trace rules: which events become traces, per company.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::event::EventDetail;
use super::valid_kind;
use crate::error::ValueError;

/// The company's trace rules, from settings.
///
/// ```toml
/// [traces]
/// min_shift_days = 3                 # milestones and close dates moved by at least …
/// min_volume_change_percent = 10     # expected volume changed by at least …
/// [traces.kinds]
/// note_added = false                 # every kind is traced unless switched off
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TraceRules {
    /// Whether anything is traced at all.
    pub enabled: bool,
    /// Kinds switched on (`true`) or off (`false`); kinds not listed are traced.
    pub kinds: BTreeMap<String, bool>,
    /// A milestone or expected close date is traced when it moves by at least this many
    /// days (either way).
    pub min_shift_days: u32,
    /// A change of the expected volume is traced when it is at least this many percent of
    /// the old volume.
    pub min_volume_change_percent: u32,
}

impl Default for TraceRules {
    fn default() -> Self {
        TraceRules {
            enabled: true,
            kinds: BTreeMap::new(),
            min_shift_days: 3,
            min_volume_change_percent: 10,
        }
    }
}

impl TraceRules {
    /// Rules that trace nothing.
    pub fn off() -> Self {
        TraceRules {
            enabled: false,
            ..TraceRules::default()
        }
    }

    /// Checks the kind names.
    ///
    /// # Errors
    /// A [`ValueError`] naming the malformed kind.
    pub fn validate(&self) -> Result<(), ValueError> {
        for kind in self.kinds.keys() {
            valid_kind(kind).map_err(|e| ValueError::new(format!("kinds.{kind}: {}", e.0)))?;
        }
        Ok(())
    }

    /// Whether events of `kind` are traced at all.
    pub fn traces_kind(&self, kind: &str) -> bool {
        self.enabled && self.kinds.get(kind).copied().unwrap_or(true)
    }

    /// Whether `event` becomes a trace: its kind is on and it passes its threshold.
    pub fn admits(&self, event: &EventDetail) -> bool {
        if !self.traces_kind(event.kind()) {
            return false;
        }
        if let Some(days) = event.shift_days() {
            return days.unsigned_abs() >= u64::from(self.min_shift_days);
        }
        if let Some(percent) = event.volume_change_percent() {
            return percent >= Decimal::from(self.min_volume_change_percent);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OpportunityId, OpportunityNumber};
    use crate::trace::event::OpportunityRef;
    use crate::values::{Currency, Money};
    use chrono::{DateTime, Duration};

    fn moved(days: i64) -> EventDetail {
        let old = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        EventDetail::MilestoneMoved {
            entry: crate::ids::CalendarEntryId(1),
            title: "Offer due".into(),
            opportunity: None,
            old,
            new: old + Duration::days(days),
        }
    }

    fn volume(old: &str, new: &str) -> EventDetail {
        EventDetail::VolumeChanged {
            opportunity: OpportunityRef {
                id: OpportunityId(1),
                number: OpportunityNumber(1),
                title: "x".into(),
            },
            old: Some(Money::parse(old, Currency::CHF).unwrap()),
            new: Some(Money::parse(new, Currency::CHF).unwrap()),
        }
    }

    #[test]
    fn thresholds_decide_moves_and_volume_changes() {
        let rules = TraceRules::default();
        assert!(!rules.admits(&moved(2)));
        assert!(rules.admits(&moved(3)));
        assert!(rules.admits(&moved(-5)));
        assert!(!rules.admits(&volume("100000", "91000")));
        assert!(rules.admits(&volume("100000", "90000")));
        assert!(rules.admits(&volume("100000", "150000")));
    }

    #[test]
    fn kinds_switch_on_and_off() {
        let mut rules = TraceRules::default();
        rules.kinds.insert("milestone_moved".into(), false);
        assert!(!rules.admits(&moved(30)));
        assert!(rules.traces_kind("sla_breached"));
        assert!(!TraceRules::off().traces_kind("sla_breached"));
        rules.kinds.insert("Bad Kind".into(), true);
        assert!(rules.validate().unwrap_err().0.contains("Bad Kind"));
    }
}
