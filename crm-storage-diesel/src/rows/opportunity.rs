use chrono::{NaiveDate, NaiveDateTime};
use crm_core::calendar::AddressRef;
use crm_core::opportunity::{Opportunity, OpportunityData, OpportunitySummary, Stage, TeamMember};
use crm_core::{
    AddressId, AddressNumber, ContactId, Currency, Money, OpportunityId, OpportunityNumber, Stamp,
    UserId, Version,
};
use diesel::prelude::*;

use super::{parse, stamp, ts, utc};
use crate::fixed;
use crate::schema::{opportunities, opportunity_team};

const T: &str = "opportunities";

/// The date a team row sorts an opportunity without close date by: after every real one.
pub(crate) fn sort_date(close: Option<NaiveDate>) -> NaiveDate {
    close.unwrap_or_else(|| NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MIN))
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = opportunities)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct OpportunityRow {
    pub id: i64,
    pub number: i64,
    pub address_id: i64,
    pub title: String,
    pub main_contact_id: Option<i64>,
    pub stage: String,
    pub probability: i64,
    pub probability_overridden: bool,
    pub volume: Option<i64>,
    pub currency: Option<String>,
    pub close_date: Option<NaiveDate>,
    pub source: Option<String>,
    pub competitors: String,
    pub lost_reason: Option<String>,
    pub description: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
    pub version: i64,
}

/// The editable columns.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = opportunities)]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
pub(crate) struct OpportunityContentRow {
    pub title: String,
    pub main_contact_id: Option<i64>,
    pub stage: String,
    pub is_open: bool,
    pub probability: i64,
    pub probability_overridden: bool,
    pub volume: Option<i64>,
    pub currency: Option<String>,
    pub close_date: Option<NaiveDate>,
    pub source: Option<String>,
    pub competitors: String,
    pub lost_reason: Option<String>,
    pub description: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<i64>,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = opportunities)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct NewOpportunityRow {
    pub number: i64,
    pub address_id: i64,
    #[diesel(embed)]
    pub content: OpportunityContentRow,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub version: i64,
}

/// What a team row copies of its opportunity: whether it is open and the figures of the
/// pipeline, rewritten with the opportunity.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = opportunity_team)]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
pub(crate) struct TeamCopy {
    pub is_open: bool,
    pub sort_date: NaiveDate,
    pub stage: String,
    pub close_date: Option<NaiveDate>,
    pub currency: Option<String>,
    pub probability: i64,
    pub volume: Option<i64>,
}

impl TeamCopy {
    /// The copy of the opportunity whose stored content is `content`.
    pub(crate) fn of(content: &OpportunityContentRow) -> Self {
        TeamCopy {
            is_open: content.is_open,
            sort_date: sort_date(content.close_date),
            stage: content.stage.clone(),
            close_date: content.close_date,
            currency: content.currency.clone(),
            probability: content.probability,
            volume: content.volume,
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = opportunity_team)]
pub(crate) struct TeamRow {
    pub opportunity_id: i64,
    pub user_id: i64,
    pub role: &'static str,
    pub access: &'static str,
    pub address_id: i64,
    #[diesel(embed)]
    pub copy: TeamCopy,
}

impl TeamRow {
    pub(crate) fn new(
        opportunity_id: i64,
        address_id: AddressId,
        copy: &TeamCopy,
        member: &TeamMember,
    ) -> Self {
        TeamRow {
            opportunity_id,
            user_id: member.user.0,
            role: member.role.as_str(),
            access: member.access.as_str(),
            address_id: address_id.0,
            copy: copy.clone(),
        }
    }
}

impl OpportunityContentRow {
    pub(crate) fn new(
        data: &OpportunityData,
        decided: Option<Stamp>,
        updated: Stamp,
    ) -> crm_core::Result<Self> {
        let (volume, currency) = match data.volume {
            Some(m) => (
                Some(fixed::to_fixed(m.amount, "volume.amount")?),
                Some(m.currency.code().to_owned()),
            ),
            None => (None, None),
        };
        Ok(OpportunityContentRow {
            title: data.title.clone(),
            main_contact_id: data.main_contact.map(|c| c.0),
            stage: data.stage.key().to_owned(),
            is_open: !data.outcome().is_decided(),
            probability: i64::from(data.probability),
            probability_overridden: data.probability_overridden,
            volume,
            currency,
            close_date: data.close_date,
            source: data.source.clone(),
            competitors: serde_json::to_string(&data.competitors)
                .map_err(|e| crm_core::Error::Storage(e.to_string()))?,
            lost_reason: data.lost_reason.clone(),
            description: data.description.clone(),
            decided_at: decided.map(|d| ts(d.at)),
            decided_by: decided.map(|d| d.by.0),
            updated_at: ts(updated.at),
            updated_by: updated.by.0,
        })
    }
}

/// A stored volume.
pub(crate) fn volume(
    id: i64,
    amount: Option<i64>,
    currency: Option<&str>,
) -> crm_core::Result<Option<Money>> {
    match (amount, currency) {
        (Some(amount), Some(code)) => Ok(Some(Money::new(
            fixed::from_fixed(amount),
            parse(T, id, "currency", Currency::new(code))?,
        ))),
        (None, None) => Ok(None),
        _ => Err(super::corrupt(
            T,
            id,
            "volume",
            "amount and currency go together",
        )),
    }
}

fn probability(id: i64, stored: i64) -> crm_core::Result<u8> {
    u8::try_from(stored)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| super::corrupt(T, id, "probability", format!("{stored} is no percentage")))
}

impl OpportunityRow {
    pub(crate) fn into_domain(self, team: Vec<TeamMember>) -> crm_core::Result<Opportunity> {
        let id = self.id;
        let competitors: Vec<String> = parse(
            T,
            id,
            "competitors",
            serde_json::from_str(&self.competitors),
        )?;
        let decided = match (self.decided_at, self.decided_by) {
            (Some(at), Some(by)) => Some(stamp(at, by)),
            _ => None,
        };
        Ok(Opportunity {
            id: OpportunityId(id),
            number: OpportunityNumber(self.number),
            address_id: AddressId(self.address_id),
            data: OpportunityData {
                title: self.title,
                main_contact: self.main_contact_id.map(ContactId),
                stage: Stage::new(self.stage),
                probability: probability(id, self.probability)?,
                probability_overridden: self.probability_overridden,
                volume: volume(id, self.volume, self.currency.as_deref())?,
                close_date: self.close_date,
                source: self.source,
                competitors,
                lost_reason: self.lost_reason,
                description: self.description,
            },
            team,
            decided,
            created: stamp(self.created_at, self.created_by),
            updated: stamp(self.updated_at, self.updated_by),
            version: Version(self.version),
        })
    }
}

/// What a list shows, with the address's number and first name line.
#[derive(Debug, Queryable)]
pub(crate) struct SummaryRow {
    pub id: i64,
    pub number: i64,
    pub title: String,
    pub stage: String,
    pub probability: i64,
    pub volume: Option<i64>,
    pub currency: Option<String>,
    pub close_date: Option<NaiveDate>,
    pub decided_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub address_id: i64,
    pub address_number: i64,
    pub address_name: String,
}

impl SummaryRow {
    pub(crate) fn into_domain(self) -> crm_core::Result<OpportunitySummary> {
        Ok(OpportunitySummary {
            id: OpportunityId(self.id),
            number: OpportunityNumber(self.number),
            title: self.title,
            address: AddressRef {
                id: AddressId(self.address_id),
                number: AddressNumber(self.address_number),
                name: self.address_name,
            },
            stage: Stage::new(self.stage),
            probability: probability(self.id, self.probability)?,
            volume: volume(self.id, self.volume, self.currency.as_deref())?,
            close_date: self.close_date,
            decided_at: self.decided_at.map(utc),
            updated_at: utc(self.updated_at),
        })
    }
}

/// A stored team member.
pub(crate) fn member(
    opportunity: i64,
    user: i64,
    role: &str,
    access: &str,
) -> crm_core::Result<TeamMember> {
    Ok(TeamMember {
        user: UserId(user),
        role: parse("opportunity_team", opportunity, "role", role.parse())?,
        access: parse("opportunity_team", opportunity, "access", access.parse())?,
    })
}
