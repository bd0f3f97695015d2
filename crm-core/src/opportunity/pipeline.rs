//! The pipeline: the company's open stages with their default probabilities, followed by the
//! three fixed decisions won, lost and cancelled; and the weighted pipeline summary.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Outcome;
use crate::error::ValueError;
use crate::values::{Currency, Money};

/// A stage by its key: one of the pipeline's open stages, or `won`, `lost`, `cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Stage(String);

impl Stage {
    /// The decision "won".
    pub const WON: &'static str = "won";
    /// The decision "lost".
    pub const LOST: &'static str = "lost";
    /// The decision "cancelled".
    pub const CANCELLED: &'static str = "cancelled";

    /// A stage with `key` as stored; [`Pipeline::stage`] checks keys that come from input.
    pub fn new(key: impl Into<String>) -> Self {
        Stage(key.into())
    }

    /// The decision stage of `outcome`, or `None` for [`Outcome::Open`].
    pub fn decision(outcome: Outcome) -> Option<Self> {
        match outcome {
            Outcome::Open => None,
            Outcome::Won => Some(Stage::new(Stage::WON)),
            Outcome::Lost => Some(Stage::new(Stage::LOST)),
            Outcome::Cancelled => Some(Stage::new(Stage::CANCELLED)),
        }
    }

    /// The key.
    pub fn key(&self) -> &str {
        &self.0
    }

    /// Open unless the stage is a decision.
    pub fn outcome(&self) -> Outcome {
        match self.0.as_str() {
            Stage::WON => Outcome::Won,
            Stage::LOST => Outcome::Lost,
            Stage::CANCELLED => Outcome::Cancelled,
            _ => Outcome::Open,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One open stage of the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageDef {
    /// Key, stored with each opportunity: lowercase letters, digits and `_`.
    pub key: String,
    /// Name to show.
    pub label: String,
    /// Default probability in percent.
    pub probability: u8,
}

/// The open stages in order; won (100 %), lost and cancelled (0 %) follow them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    stages: Vec<StageDef>,
}

impl Default for Pipeline {
    /// Inquiry 10 % → Qualification 20 % → Offer 40 % → Negotiation 60 % → Decision 80 %.
    fn default() -> Self {
        let stage = |key: &str, label: &str, probability| StageDef {
            key: key.into(),
            label: label.into(),
            probability,
        };
        Pipeline {
            stages: vec![
                stage("inquiry", "Inquiry", 10),
                stage("qualification", "Qualification", 20),
                stage("offer", "Offer", 40),
                stage("negotiation", "Negotiation", 60),
                stage("decision", "Decision", 80),
            ],
        }
    }
}

impl Pipeline {
    /// A pipeline of `stages`.
    ///
    /// # Errors
    /// A [`ValueError`] when there is no stage, a key is empty, malformed, repeated or one of
    /// the decisions, or a probability exceeds 100.
    pub fn new(stages: Vec<StageDef>) -> Result<Self, ValueError> {
        if stages.is_empty() {
            return Err(ValueError::new(
                "the pipeline needs at least one open stage",
            ));
        }
        for (i, stage) in stages.iter().enumerate() {
            let key = stage.key.as_str();
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(ValueError::new(format!(
                    "stages[{i}].key `{key}` must consist of lowercase letters, digits and _"
                )));
            }
            if [Stage::WON, Stage::LOST, Stage::CANCELLED].contains(&key) {
                return Err(ValueError::new(format!(
                    "stages[{i}].key `{key}` is a decision, not an open stage"
                )));
            }
            if stages[..i].iter().any(|s| s.key == key) {
                return Err(ValueError::new(format!(
                    "stages[{i}].key `{key}` appears twice"
                )));
            }
            if stage.probability > 100 {
                return Err(ValueError::new(format!(
                    "stages[{i}].probability {} exceeds 100",
                    stage.probability
                )));
            }
        }
        Ok(Pipeline { stages })
    }

    /// The open stages in order.
    pub fn stages(&self) -> &[StageDef] {
        &self.stages
    }

    /// The first open stage, where new opportunities start.
    pub fn first(&self) -> Stage {
        Stage::new(self.stages.first().map_or("inquiry", |s| s.key.as_str()))
    }

    /// The stage `raw` names, by key or label in any case.
    ///
    /// # Errors
    /// A [`ValueError`] listing the stages when `raw` names none.
    pub fn stage(&self, raw: &str) -> Result<Stage, ValueError> {
        let wanted = raw.trim().to_lowercase().replace([' ', '-'], "_");
        if let Some(def) = self
            .stages
            .iter()
            .find(|s| s.key == wanted || s.label.to_lowercase().replace([' ', '-'], "_") == wanted)
        {
            return Ok(Stage::new(def.key.clone()));
        }
        if [Stage::WON, Stage::LOST, Stage::CANCELLED].contains(&wanted.as_str()) {
            return Ok(Stage::new(wanted));
        }
        let mut keys: Vec<&str> = self.stages.iter().map(|s| s.key.as_str()).collect();
        keys.extend([Stage::WON, Stage::LOST, Stage::CANCELLED]);
        Err(ValueError::new(format!(
            "`{}` is no stage; the stages are: {}",
            raw.trim(),
            keys.join(", ")
        )))
    }

    /// The default probability of `stage`: its configured one when open (50 for a stage no
    /// longer configured), 100 when won, 0 when lost or cancelled.
    pub fn probability(&self, stage: &Stage) -> u8 {
        match stage.outcome() {
            Outcome::Won => 100,
            Outcome::Lost | Outcome::Cancelled => 0,
            Outcome::Open => self
                .stages
                .iter()
                .find(|s| s.key == stage.key())
                .map_or(50, |s| s.probability),
        }
    }

    /// The stage's name to show.
    pub fn label<'a>(&'a self, stage: &'a Stage) -> &'a str {
        self.stages
            .iter()
            .find(|s| s.key == stage.key())
            .map_or(stage.key(), |s| s.label.as_str())
    }

    /// The position of `stage` for sorting: open stages in order, decisions after them,
    /// unknown stages last.
    pub fn rank(&self, stage: &Stage) -> usize {
        let open = self.stages.len();
        match stage.outcome() {
            Outcome::Won => open,
            Outcome::Lost => open + 1,
            Outcome::Cancelled => open + 2,
            Outcome::Open => self
                .stages
                .iter()
                .position(|s| s.key == stage.key())
                .unwrap_or(open + 3),
        }
    }
}

/// The volume of one stage (or month) in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageTotal {
    /// The stage.
    pub stage: Stage,
    /// Its name.
    pub label: String,
    /// Open opportunities in it.
    pub count: u64,
    /// Their expected volume.
    pub volume: Money,
    /// Their volume × probability.
    pub weighted: Money,
}

/// The volume expected to close in one month, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTotal {
    /// The first day of the month; `None` for opportunities without a close date.
    pub month: Option<NaiveDate>,
    /// Open opportunities closing then.
    pub count: u64,
    /// Their expected volume.
    pub volume: Money,
    /// Their volume × probability.
    pub weighted: Money,
}

/// The weighted pipeline: open opportunities' volume × probability per stage and per close
/// month, each currency on its own rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineSummary {
    /// Per stage in pipeline order, then currency.
    pub by_stage: Vec<StageTotal>,
    /// Per close month, then currency; months without a date last.
    pub by_month: Vec<MonthTotal>,
    /// Open opportunities without a volume (counted nowhere else).
    pub without_volume: u64,
}

/// One group of open opportunities as storage sums them: same stage, close date, currency
/// and probability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineGroup {
    /// The stage.
    pub stage: Stage,
    /// The close date.
    pub close_date: Option<NaiveDate>,
    /// The currency; `None` for opportunities without a volume.
    pub currency: Option<Currency>,
    /// The probability.
    pub probability: u8,
    /// How many.
    pub count: u64,
    /// Their summed volume (zero without a currency).
    pub volume: Decimal,
}

impl PipelineSummary {
    /// Folds storage's groups into the summary.
    pub fn from_groups(pipeline: &Pipeline, groups: &[PipelineGroup]) -> Self {
        let mut stages: BTreeMap<(usize, Stage, Currency), (u64, Decimal, Decimal)> =
            BTreeMap::new();
        let mut months: BTreeMap<(Option<NaiveDate>, Currency), (u64, Decimal, Decimal)> =
            BTreeMap::new();
        let mut without_volume = 0;
        for g in groups {
            let Some(currency) = g.currency else {
                without_volume += g.count;
                continue;
            };
            let weighted = g.volume * Decimal::from(g.probability) / Decimal::ONE_HUNDRED;
            let add = |slot: &mut (u64, Decimal, Decimal)| {
                slot.0 += g.count;
                slot.1 += g.volume;
                slot.2 += weighted;
            };
            add(stages
                .entry((pipeline.rank(&g.stage), g.stage.clone(), currency))
                .or_default());
            let month = g.close_date.and_then(|d| d.with_day(1));
            // `None` sorts first in a BTreeMap; months without a date go last below.
            add(months.entry((month, currency)).or_default());
        }
        let money = |amount: Decimal, currency| Money::new(amount, currency).rounded();
        let by_stage = stages
            .into_iter()
            .map(
                |((_, stage, currency), (count, volume, weighted))| StageTotal {
                    label: pipeline.label(&stage).to_owned(),
                    stage,
                    count,
                    volume: money(volume, currency),
                    weighted: money(weighted, currency),
                },
            )
            .collect();
        let (undated, dated): (Vec<_>, Vec<_>) = months
            .into_iter()
            .partition(|((month, _), _)| month.is_none());
        let by_month = dated
            .into_iter()
            .chain(undated)
            .map(
                |((month, currency), (count, volume, weighted))| MonthTotal {
                    month,
                    count,
                    volume: money(volume, currency),
                    weighted: money(weighted, currency),
                },
            )
            .collect();
        PipelineSummary {
            by_stage,
            by_month,
            without_volume,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_resolve_by_key_or_label() {
        let p = Pipeline::default();
        assert_eq!(p.stage("Negotiation").unwrap().key(), "negotiation");
        assert_eq!(p.stage(" won ").unwrap().outcome(), Outcome::Won);
        let err = p.stage("signed").unwrap_err().0;
        assert!(
            err.contains("inquiry") && err.contains("cancelled"),
            "{err}"
        );
        assert_eq!(p.probability(&Stage::new("offer")), 40);
        assert_eq!(p.probability(&Stage::new(Stage::LOST)), 0);
        assert_eq!(p.first().key(), "inquiry");
    }

    #[test]
    fn bad_pipelines_are_refused() {
        let def = |key: &str, probability| StageDef {
            key: key.into(),
            label: key.into(),
            probability,
        };
        assert!(Pipeline::new(vec![]).is_err());
        assert!(Pipeline::new(vec![def("won", 10)]).is_err());
        assert!(Pipeline::new(vec![def("a", 10), def("a", 20)]).is_err());
        assert!(Pipeline::new(vec![def("Big Deal", 10)]).is_err());
        assert!(Pipeline::new(vec![def("a", 101)]).is_err());
    }

    #[test]
    fn the_summary_weights_per_stage_and_month() {
        let p = Pipeline::default();
        let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d);
        let group = |stage: &str, close_date, probability, volume: i64| PipelineGroup {
            stage: Stage::new(stage),
            close_date,
            currency: Some(Currency::CHF),
            probability,
            count: 1,
            volume: Decimal::from(volume),
        };
        let summary = PipelineSummary::from_groups(
            &p,
            &[
                group("offer", day(3, 10), 40, 10_000),
                group("inquiry", day(3, 31), 10, 5_000),
                group("offer", None, 50, 2_000),
                PipelineGroup {
                    currency: None,
                    ..group("offer", None, 40, 0)
                },
            ],
        );
        let stages: Vec<_> = summary
            .by_stage
            .iter()
            .map(|s| (s.stage.key(), s.count, s.weighted.to_string()))
            .collect();
        assert_eq!(
            stages,
            [
                ("inquiry", 1, "500.00 CHF".into()),
                ("offer", 2, "5000.00 CHF".to_string())
            ]
        );
        assert_eq!(summary.by_month.len(), 2);
        assert_eq!(summary.by_month[0].month, day(3, 1));
        assert_eq!(summary.by_month[0].weighted.to_string(), "4500.00 CHF");
        assert_eq!(summary.by_month[1].month, None);
        assert_eq!(summary.without_volume, 1);
    }
}
