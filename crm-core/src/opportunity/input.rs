//! Raw input for opportunities, their selling teams, milestones and list filters, with its
//! validation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Access, OpportunityData, Outcome, Pipeline, Stage, TeamMember, TeamRole};
use crate::address::MoneyInput;
use crate::error::{Result, Validator, ValueError};
use crate::ids::{AddressId, ContactId, UserId};
use crate::values::{Money, optional_text, required_text};

/// The largest expected volume accepted: a trillion in any currency.
const MAX_VOLUME: i64 = 1_000_000_000_000;

/// Everything a form delivers for an opportunity, as raw values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpportunityInput {
    /// The address; required on creation, must stay the same on update.
    pub address_id: Option<AddressId>,
    /// Title, required.
    pub title: String,
    /// Main contact, a contact of the address.
    pub main_contact_id: Option<ContactId>,
    /// Stage key or label; the pipeline's first stage when empty.
    pub stage: Option<String>,
    /// Probability in percent, overriding the stage's; empty for the stage's.
    pub probability: Option<u32>,
    /// Expected volume, not negative.
    pub volume: Option<MoneyInput>,
    /// Expected close date, `2027-03-31`; not before the opportunity was created.
    pub close_date: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Competitors.
    pub competitors: Vec<String>,
    /// Why it was lost; required for the stage `lost`.
    pub lost_reason: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The selling team; on creation the creator alone as lead when empty, on update the
    /// team stays when empty.
    pub team: Option<Vec<TeamMemberInput>>,
}

/// One member of a selling team, as raw values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMemberInput {
    /// The user.
    pub user_id: UserId,
    /// `lead`, `inside_sales`, `field_sales`, `technical_specialist` or `management`.
    pub role: String,
    /// `read` or `edit`; `edit` when empty (the lead always edits).
    #[serde(default)]
    pub access: Option<String>,
}

/// A validated opportunity input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOpportunity {
    /// The address, if given.
    pub address_id: Option<AddressId>,
    /// Content.
    pub data: OpportunityData,
    /// The team, if given.
    pub team: Option<Vec<TeamMember>>,
}

impl OpportunityInput {
    /// Validates every field against `pipeline` and returns the content, or all field errors
    /// at once.
    ///
    /// ```
    /// # use crm_core::opportunity::{OpportunityInput, Pipeline};
    /// # use crm_core::Error;
    /// let input = OpportunityInput {
    ///     title: "Kassensysteme".into(),
    ///     stage: Some("lost".into()),
    ///     ..Default::default()
    /// };
    /// let Err(Error::Invalid(invalid)) = input.validate(&Pipeline::default()) else { panic!() };
    /// assert_eq!(invalid.field(), "lost_reason");
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming each bad field.
    pub fn validate(&self, pipeline: &Pipeline) -> Result<ValidOpportunity> {
        let mut v = Validator::new();
        let title = v.check("title", required_text(&self.title, 200));
        let stage = match non_empty(self.stage.as_deref()) {
            Some(raw) => v.check("stage", pipeline.stage(raw)),
            None => Some(pipeline.first()),
        };
        let probability = self.probability.and_then(|p| match u8::try_from(p) {
            Ok(p) if p <= 100 => Some(p),
            _ => {
                v.reject("probability", format!("{p} is not between 0 and 100"));
                None
            }
        });
        let volume = self
            .volume
            .as_ref()
            .filter(|m| !m.amount.trim().is_empty())
            .and_then(|m| volume(m, &mut v));
        let close_date = v.check_opt("close_date", non_empty(self.close_date.as_deref()), |raw| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| ValueError::new(format!("`{raw}` is no date like 2027-03-31")))
        });
        let source = v.check("source", optional_text(self.source.as_deref(), 100));
        let mut competitors = Vec::new();
        if self.competitors.len() > 20 {
            v.reject("competitors", "at most 20 competitors");
        }
        for (i, raw) in self.competitors.iter().enumerate() {
            if let Some(Some(name)) =
                v.check(&format!("competitors[{i}]"), optional_text(Some(raw), 100))
                && !competitors.contains(&name)
            {
                competitors.push(name);
            }
        }
        let lost_reason = v.check(
            "lost_reason",
            optional_text(self.lost_reason.as_deref(), 500),
        );
        let description = v.check(
            "description",
            optional_text(self.description.as_deref(), 4_000),
        );
        if let (Some(stage), Some(reason)) = (&stage, &lost_reason)
            && stage.outcome() == Outcome::Lost
            && reason.is_none()
        {
            v.reject(
                "lost_reason",
                "a lost opportunity needs the reason it was lost",
            );
        }
        let team = self
            .team
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|team| validate_team(team, &mut v));
        v.finish(|| {
            let stage = stage?;
            let outcome = stage.outcome();
            let (probability, probability_overridden) = match (outcome, probability) {
                (Outcome::Open, Some(p)) => (p, true),
                _ => (pipeline.probability(&stage), false),
            };
            Some(ValidOpportunity {
                address_id: self.address_id,
                data: OpportunityData {
                    title: title?,
                    main_contact: self.main_contact_id,
                    stage,
                    probability,
                    probability_overridden,
                    volume,
                    close_date,
                    source: source?,
                    competitors,
                    lost_reason: lost_reason?.filter(|_| outcome == Outcome::Lost),
                    description: description?,
                },
                team: match team {
                    Some(team) => Some(team?),
                    None => None,
                },
            })
        })
    }
}

fn volume(raw: &MoneyInput, v: &mut Validator) -> Option<Money> {
    let money = raw.validate_at("volume", v)?;
    if money.amount > rust_decimal::Decimal::from(MAX_VOLUME) {
        v.reject("volume.amount", "exceeds a trillion");
        return None;
    }
    Some(money)
}

/// Checks a team: known roles and accesses, no user twice, exactly one lead, who edits.
pub(crate) fn validate_team(
    team: &[TeamMemberInput],
    v: &mut Validator,
) -> Option<Vec<TeamMember>> {
    let mut members: Vec<TeamMember> = Vec::new();
    let mut ok = true;
    for (i, raw) in team.iter().enumerate() {
        let role = v.check(&format!("team[{i}].role"), raw.role.parse::<TeamRole>());
        let access = match non_empty(raw.access.as_deref()) {
            Some(a) => v.check(&format!("team[{i}].access"), a.parse::<Access>()),
            None => Some(Access::Edit),
        };
        if members.iter().any(|m| m.user == raw.user_id) {
            v.reject(
                &format!("team[{i}].user_id"),
                format!("user {} is in the team twice", raw.user_id),
            );
            ok = false;
        }
        match (role, access) {
            (Some(TeamRole::Lead), Some(Access::Read)) => {
                v.reject(
                    &format!("team[{i}].access"),
                    "the lead edits the opportunity",
                );
                ok = false;
            }
            (Some(role), Some(access)) => members.push(TeamMember {
                user: raw.user_id,
                role,
                access,
            }),
            _ => ok = false,
        }
    }
    if ok {
        match members.iter().filter(|m| m.role == TeamRole::Lead).count() {
            0 => {
                v.reject("team", "the selling team needs a lead");
                ok = false;
            }
            1 => {}
            n => {
                v.reject(
                    "team",
                    format!("the selling team has {n} leads, one is allowed"),
                );
                ok = false;
            }
        }
    }
    members.sort_by_key(|m| (m.role != TeamRole::Lead, m.user));
    ok.then_some(members)
}

/// A milestone of an opportunity, as raw values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MilestoneInput {
    /// `offer_deadline`, `customer_decision`, `kickoff`, `go_live`, `acceptance`, `other`.
    pub milestone_type: String,
    /// Title, required.
    pub title: String,
    /// Due date `2027-03-01` or local time `2027-03-01T12:00`.
    pub due: String,
    /// IANA zone of `due`; the default zone when empty.
    pub time_zone: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// Which opportunities of a user a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpportunityFilter {
    /// Decided ones too (default: open only).
    pub include_decided: bool,
    /// Only these stages (keys); all when empty.
    pub stages: Vec<String>,
    /// Expected close on or after.
    pub close_from: Option<NaiveDate>,
    /// Expected close on or before.
    pub close_to: Option<NaiveDate>,
    /// Volume at least (in any currency).
    pub min_volume: Option<rust_decimal::Decimal>,
    /// Volume at most.
    pub max_volume: Option<rust_decimal::Decimal>,
    /// Only of this address.
    pub address: Option<AddressId>,
}

impl OpportunityFilter {
    /// Checks the filter against `pipeline`: known stages (as keys), ranges the right way
    /// round.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming the bad field.
    pub fn validate(&self, pipeline: &Pipeline) -> Result<OpportunityFilter> {
        let mut v = Validator::new();
        let stages = self
            .stages
            .iter()
            .enumerate()
            .filter_map(|(i, s)| v.check(&format!("stages[{i}]"), pipeline.stage(s)))
            .map(|s: Stage| s.key().to_owned())
            .collect();
        if let (Some(from), Some(to)) = (self.close_from, self.close_to)
            && from > to
        {
            v.reject("close_to", "lies before close_from");
        }
        if let (Some(min), Some(max)) = (self.min_volume, self.max_volume)
            && min > max
        {
            v.reject("max_volume", "is below min_volume");
        }
        v.finish(|| {
            Some(OpportunityFilter {
                stages,
                ..self.clone()
            })
        })
    }
}

fn non_empty(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn invalid(input: &OpportunityInput) -> crate::Invalid {
        match input.validate(&Pipeline::default()) {
            Err(Error::Invalid(e)) => e,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = invalid(&OpportunityInput {
            title: " ".into(),
            stage: Some("signed".into()),
            probability: Some(120),
            volume: Some(MoneyInput {
                amount: "-5".into(),
                currency: None,
            }),
            close_date: Some("31.03.2027".into()),
            ..Default::default()
        });
        for field in [
            "title",
            "stage",
            "probability",
            "volume.amount",
            "close_date",
        ] {
            assert!(e.has(field), "{field} missing in {e}");
        }
    }

    #[test]
    fn stages_set_the_probability_unless_overridden() {
        let p = Pipeline::default();
        let base = OpportunityInput {
            title: "Kassen".into(),
            stage: Some("Offer".into()),
            ..Default::default()
        };
        let valid = base.validate(&p).unwrap();
        assert_eq!(
            (valid.data.probability, valid.data.probability_overridden),
            (40, false)
        );
        let valid = OpportunityInput {
            probability: Some(55),
            ..base.clone()
        }
        .validate(&p)
        .unwrap();
        assert_eq!(
            (valid.data.probability, valid.data.probability_overridden),
            (55, true)
        );
        let won = OpportunityInput {
            stage: Some("won".into()),
            probability: Some(55),
            lost_reason: Some("price".into()),
            ..base
        }
        .validate(&p)
        .unwrap();
        assert_eq!(won.data.probability, 100);
        assert_eq!(won.data.lost_reason, None, "only lost ones keep a reason");
    }

    #[test]
    fn teams_need_exactly_one_lead_who_edits() {
        let member = |user, role: &str, access: Option<&str>| TeamMemberInput {
            user_id: UserId(user),
            role: role.into(),
            access: access.map(Into::into),
        };
        let team = |members| OpportunityInput {
            title: "Kassen".into(),
            team: Some(members),
            ..Default::default()
        };
        assert!(invalid(&team(vec![member(1, "field_sales", None)])).has("team"));
        assert!(
            invalid(&team(vec![
                member(1, "lead", None),
                member(2, "lead", None)
            ]))
            .has("team")
        );
        assert!(invalid(&team(vec![member(1, "lead", Some("read"))])).has("team[0].access"));
        assert!(
            invalid(&team(vec![
                member(1, "lead", None),
                member(1, "management", None)
            ]))
            .has("team[1].user_id")
        );
        assert!(invalid(&team(vec![member(1, "boss", None)])).has("team[0].role"));
        let ok = team(vec![
            member(2, "technical specialist", Some("read")),
            member(1, "lead", None),
        ])
        .validate(&Pipeline::default())
        .unwrap();
        let members = ok.team.unwrap();
        assert_eq!(members[0].role, TeamRole::Lead, "the lead comes first");
        assert_eq!(members[1].access, Access::Read);
    }
}
