//! Opportunities ("Verkaufs-Chancen"): potential deals of an address, worked by a selling team
//! and moved through the company's pipeline of stages until they are won, lost or cancelled.
//!
//! The pipeline is configuration ([`Pipeline`]); an opportunity stores its stage by key, so a
//! stage renamed in the settings keeps its opportunities. Who may see and change an
//! opportunity is decided here ([`Opportunity::access_of`]): its selling team, the address's
//! responsible reps, and managers.

mod input;
mod pipeline;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use input::ValidOpportunity;
pub(crate) use input::validate_team;
pub use input::{MilestoneInput, OpportunityFilter, OpportunityInput, TeamMemberInput};
pub use pipeline::{
    MonthTotal, Pipeline, PipelineGroup, PipelineSummary, Stage, StageDef, StageTotal,
};

use crate::address::{Address, Stamp};
use crate::calendar::AddressRef;
use crate::error::ValueError;
use crate::ids::{AddressId, ContactId, OpportunityId, OpportunityNumber, UserId, Version};
use crate::names::names;
use crate::user::Actor;
use crate::values::Money;

/// Where an opportunity stands overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// In one of the pipeline's open stages.
    Open,
    /// Won: the customer ordered.
    Won,
    /// Lost to a competitor or to no decision; has a reason.
    Lost,
    /// Withdrawn by either side.
    Cancelled,
}
names!(Outcome { Open => "open", Won => "won", Lost => "lost", Cancelled => "cancelled" });

impl Outcome {
    /// Whether the opportunity is decided (won, lost or cancelled).
    pub fn is_decided(self) -> bool {
        self != Outcome::Open
    }
}

/// The part a user plays in a selling team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// Leads the opportunity; every team has exactly one.
    Lead,
    /// Inside sales.
    InsideSales,
    /// Field sales.
    FieldSales,
    /// A technical specialist (pre-sales engineer …).
    TechnicalSpecialist,
    /// Management, following the deal.
    Management,
}
names!(TeamRole {
    Lead => "lead",
    InsideSales => "inside_sales",
    FieldSales => "field_sales",
    TechnicalSpecialist => "technical_specialist",
    Management => "management",
});

/// What a team member may do with the opportunity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// See it, its milestones and traces.
    Read,
    /// Also change it, its team and its milestones.
    Edit,
}
names!(Access { Read => "read", Edit => "edit" });

/// One member of a selling team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TeamMember {
    /// The user.
    pub user: UserId,
    /// His part.
    pub role: TeamRole,
    /// Read or edit.
    pub access: Access,
}

/// The validated, editable content of an opportunity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpportunityData {
    /// Title, e.g. `Neue Kassensysteme Filialen Zürich`.
    pub title: String,
    /// The contact person the deal runs through (a contact of the address).
    pub main_contact: Option<ContactId>,
    /// Pipeline stage.
    pub stage: Stage,
    /// Probability in percent: the stage's unless overridden; 100 when won, 0 when lost or
    /// cancelled.
    pub probability: u8,
    /// Whether `probability` was set by hand rather than taken from the stage.
    pub probability_overridden: bool,
    /// Expected volume.
    pub volume: Option<Money>,
    /// Expected close date.
    pub close_date: Option<NaiveDate>,
    /// Where the opportunity came from (trade fair, web inquiry, recommendation …).
    pub source: Option<String>,
    /// Competitors in the race.
    pub competitors: Vec<String>,
    /// Why it was lost; present exactly when it is lost.
    pub lost_reason: Option<String>,
    /// Longer text.
    pub description: Option<String>,
}

impl OpportunityData {
    /// Won, lost, cancelled or open.
    pub fn outcome(&self) -> Outcome {
        self.stage.outcome()
    }

    /// The expected volume weighted by the probability, rounded to the currency's minor
    /// units.
    pub fn weighted_volume(&self) -> Option<Money> {
        self.volume.map(|v| {
            Money::new(
                v.amount * Decimal::from(self.probability) / Decimal::ONE_HUNDRED,
                v.currency,
            )
            .rounded()
        })
    }
}

/// An opportunity as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opportunity {
    /// Id.
    pub id: OpportunityId,
    /// Business number.
    pub number: OpportunityNumber,
    /// The address it is a deal with.
    pub address_id: AddressId,
    /// Content.
    #[serde(flatten)]
    pub data: OpportunityData,
    /// The selling team, lead first.
    pub team: Vec<TeamMember>,
    /// When and by whom it was won, lost or cancelled; `None` while open.
    pub decided: Option<Stamp>,
    /// Creation.
    pub created: Stamp,
    /// Last change.
    pub updated: Stamp,
    /// Version.
    pub version: Version,
}

impl Opportunity {
    /// What `actor` may do with the opportunity of `address`: managers and administrators
    /// and the address's responsible reps edit; team members as their access says; anyone
    /// else nothing (`None`).
    pub fn access_of(&self, actor: &Actor, address: &Address) -> Option<Access> {
        if actor.sees_everything()
            || address.data.field_rep == Some(actor.user_id)
            || address.data.inside_rep == Some(actor.user_id)
        {
            return Some(Access::Edit);
        }
        self.member(actor.user_id).map(|m| m.access)
    }

    /// The team member `user`, if he is one.
    pub fn member(&self, user: UserId) -> Option<&TeamMember> {
        self.team.iter().find(|m| m.user == user)
    }

    /// The lead of the selling team.
    pub fn lead(&self) -> Option<UserId> {
        self.team
            .iter()
            .find(|m| m.role == TeamRole::Lead)
            .map(|m| m.user)
    }
}

/// A new opportunity to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOpportunity {
    /// Business number, allocated.
    pub number: OpportunityNumber,
    /// The address.
    pub address_id: AddressId,
    /// Content.
    pub data: OpportunityData,
    /// The selling team.
    pub team: Vec<TeamMember>,
    /// Decided at creation (an opportunity imported as won).
    pub decided: Option<Stamp>,
    /// Creation stamp.
    pub created: Stamp,
}

/// A change of an opportunity to store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpportunityChange<'a> {
    /// The new content.
    pub data: &'a OpportunityData,
    /// The new team; `None` keeps the team.
    pub team: Option<&'a [TeamMember]>,
    /// When it was decided; `None` while open.
    pub decided: Option<Stamp>,
    /// The change's stamp.
    pub updated: Stamp,
}

/// An opportunity as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpportunitySummary {
    /// Id.
    pub id: OpportunityId,
    /// Business number.
    pub number: OpportunityNumber,
    /// Title.
    pub title: String,
    /// The address.
    pub address: AddressRef,
    /// Stage.
    pub stage: Stage,
    /// Probability in percent.
    pub probability: u8,
    /// Expected volume.
    pub volume: Option<Money>,
    /// Expected close date.
    pub close_date: Option<NaiveDate>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl OpportunitySummary {
    /// Won, lost, cancelled or open.
    pub fn outcome(&self) -> Outcome {
        self.stage.outcome()
    }
}

/// The opportunities of one address: the open ones and those decided lately.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressOpportunities {
    /// Open, by expected close date.
    pub open: Vec<OpportunitySummary>,
    /// Won, lost or cancelled within the configured recent days, newest decision first.
    pub recently_decided: Vec<OpportunitySummary>,
}

/// The company's rules for opportunities, from settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpportunityRules {
    /// The open stages in order, with their default probabilities.
    pub stages: Vec<StageDef>,
    /// How many days a decided opportunity still shows among an address's current ones.
    pub recent_days: u32,
}

impl Default for OpportunityRules {
    fn default() -> Self {
        OpportunityRules {
            stages: Pipeline::default().stages().to_vec(),
            recent_days: 90,
        }
    }
}

impl OpportunityRules {
    /// The pipeline these rules define.
    ///
    /// # Errors
    /// A [`ValueError`] naming the bad stage.
    pub fn pipeline(&self) -> Result<Pipeline, ValueError> {
        Pipeline::new(self.stages.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Currency;

    #[test]
    fn weighted_volume_follows_the_probability() {
        let data = OpportunityData {
            title: "Kassen".into(),
            main_contact: None,
            stage: Stage::new("offer"),
            probability: 40,
            probability_overridden: false,
            volume: Some(Money::parse("12'345.55", Currency::CHF).unwrap()),
            close_date: None,
            source: None,
            competitors: vec![],
            lost_reason: None,
            description: None,
        };
        assert_eq!(data.weighted_volume().unwrap().to_string(), "4938.22 CHF");
        assert_eq!(data.outcome(), Outcome::Open);
        assert_eq!(
            "Technical Specialist".parse(),
            Ok(TeamRole::TechnicalSpecialist)
        );
    }
}
