//! Opportunities: creating and changing them, their stages, decisions and selling teams.
//! Milestones are in `milestones`, lists and the pipeline summary in `views`.

mod events;
mod milestones;
mod views;

pub use views::MAX_PIPELINE_USERS;
pub(super) use views::{current_of_address, may_look_at};

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;

use super::{Context, require_sales_staff};
use crate::address::{Address, Stamp};
use crate::entity::EntityKind;
use crate::error::{Error, Result, Validator};
use crate::ids::{AddressId, OpportunityId, OpportunityNumber, Version};
use crate::opportunity::validate_team;
use crate::opportunity::{
    Access, NewOpportunity, Opportunity, OpportunityChange, OpportunityData, OpportunityInput,
    Outcome, Stage, TeamMember, TeamMemberInput, TeamRole, ValidOpportunity,
};
use crate::ports::{Store, Tx};
use crate::user::{Actor, Role};
use crate::visibility::AddressScope;
use events::{change_events, created_events};

/// The counter of opportunity numbers.
const COUNTER: &str = "opportunity";

/// Opportunities of addresses, worked by selling teams.
///
/// An opportunity is visible to its selling team, the address's responsible reps, and
/// managers; team members with edit access, the reps and managers change it. Every change
/// reports its events (new inquiry, stage changed, won, lost, volume and close date moved,
/// team changed) to the trace rules in the same transaction.
pub struct OpportunityService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> OpportunityService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        OpportunityService { ctx }
    }

    /// Creates an opportunity of an address; the creator leads its team unless the input
    /// names a team.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # use crm_core::opportunity::OpportunityInput;
    /// # fn demo<S: Store>(crm: &Services<S>, rep: &Actor, id: AddressId) -> Result<()> {
    /// let deal = crm.opportunities().create(rep, &OpportunityInput {
    ///     address_id: Some(id),
    ///     title: "Kassensysteme für 12 Filialen".into(),
    ///     stage: Some("offer".into()),
    ///     volume: Some(MoneyInput { amount: "180000".into(), currency: None }),
    ///     close_date: Some("2027-03-31".into()),
    ///     ..Default::default()
    /// })?;
    /// assert_eq!(deal.data.probability, 40);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each bad field (a lost stage without reason, a team without
    /// lead, a negative volume, a close date before today, a contact of another address,
    /// unknown users); [`Error::NotFound`] / [`Error::Forbidden`] for the address.
    pub fn create(&self, actor: &Actor, input: &OpportunityInput) -> Result<Opportunity> {
        require_sales_staff(actor, "create opportunities")?;
        let valid = input.validate(&self.ctx.pipeline)?;
        let address_id = valid
            .address_id
            .ok_or_else(|| Error::invalid("address_id", "is required"))?;
        self.ctx.store.write(|tx| {
            let address = self.ctx.address_for_write(tx, actor, address_id)?;
            let created = self.ctx.stamp(actor);
            let number = OpportunityNumber(tx.reserve(COUNTER, 1, 1)?);
            let new = self.prepare(tx, actor, &address, valid, number, created, true)?;
            let id = tx.insert_opportunity(&new)?;
            let opportunity = stored(id, new);
            self.ctx
                .record(tx, actor, created_events(&address, &opportunity))?;
            Ok(opportunity)
        })
    }

    /// Imports opportunities in one transaction, all or none — for a host's initial load and
    /// demo data. Administrators only. Decided opportunities may close in the past; without
    /// a team, an address's field rep (else its inside rep, else the importer) leads.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `opportunities[i].field` (the first 100 errors);
    /// [`Error::Forbidden`] for non-administrators.
    pub fn import(&self, actor: &Actor, inputs: &[OpportunityInput]) -> Result<Vec<OpportunityId>> {
        if !actor.has(Role::Admin) {
            return Err(Error::Forbidden(format!(
                "{} is no administrator and may not import opportunities",
                actor.display_name
            )));
        }
        let mut v = Validator::new();
        let mut valid = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            match input.validate(&self.ctx.pipeline) {
                Ok(opportunity) if opportunity.address_id.is_some() => valid.push(opportunity),
                Ok(_) => v.reject(&format!("opportunities[{i}].address_id"), "is required"),
                Err(Error::Invalid(e)) => {
                    for error in e.prefixed(&format!("opportunities[{i}]")).errors() {
                        v.reject(&error.field, error.reason.clone());
                    }
                }
                Err(other) => return Err(other),
            }
        }
        v.finish(|| Some(()))?;
        self.ctx.store.write(|tx| {
            let created = self.ctx.stamp(actor);
            let first = tx.reserve(COUNTER, 1, valid.len() as i64)?;
            let mut addresses: HashMap<AddressId, Address> = HashMap::new();
            let mut batch = Vec::with_capacity(valid.len());
            let mut v = Validator::new();
            for (i, opportunity) in valid.into_iter().enumerate() {
                let address_id = opportunity.address_id.unwrap_or(AddressId(0));
                let address = match addresses.entry(address_id) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(slot) => match tx.address(address_id, AddressScope::All)? {
                        Some(a) => slot.insert(a),
                        None => {
                            v.reject(
                                &format!("opportunities[{i}].address_id"),
                                format!("address {address_id} does not exist"),
                            );
                            continue;
                        }
                    },
                };
                let number = OpportunityNumber(first + i as i64);
                let open = !opportunity.data.outcome().is_decided();
                match self.prepare(tx, actor, address, opportunity, number, created, open) {
                    Ok(new) => batch.push(new),
                    Err(Error::Invalid(e)) => {
                        for error in e.prefixed(&format!("opportunities[{i}]")).errors() {
                            v.reject(&error.field, error.reason.clone());
                        }
                    }
                    Err(other) => return Err(other),
                }
            }
            v.finish(|| Some(()))?;
            let ids = tx.insert_opportunities(&batch)?;
            let mut events = Vec::new();
            for (id, new) in ids.iter().zip(batch) {
                let opportunity = stored(*id, new);
                if let Some(address) = addresses.get(&opportunity.address_id) {
                    events.extend(created_events(address, &opportunity));
                }
            }
            self.ctx.record(tx, actor, events)?;
            Ok(ids)
        })
    }

    /// The opportunity with `id`, with its team.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or the actor may not see it.
    pub fn get(&self, actor: &Actor, id: OpportunityId) -> Result<Opportunity> {
        self.ctx
            .store
            .read(|tx| self.visible(tx, actor, id).map(|(o, _)| o))
    }

    /// Replaces the content (and the team, when the input names one). The stage may move
    /// between open stages or to a decision; a decided opportunity keeps its stage until it
    /// is reopened.
    ///
    /// # Errors
    /// As [`OpportunityService::create`], plus `address_id` when it differs, `stage` out of a
    /// decision, [`Error::Conflict`] for a stale version.
    pub fn update(
        &self,
        actor: &Actor,
        id: OpportunityId,
        expected: Version,
        input: &OpportunityInput,
    ) -> Result<Opportunity> {
        let valid = input.validate(&self.ctx.pipeline)?;
        self.ctx.store.write(|tx| {
            let (current, address) = self.for_write(tx, actor, id, expected)?;
            if valid.address_id.is_some_and(|a| a != current.address_id) {
                return Err(Error::invalid(
                    "address_id",
                    "an opportunity stays with its address",
                ));
            }
            refuse_leaving_decision(&current, &valid.data.stage)?;
            let team = valid.team.clone();
            let created_on = (valid.data.close_date != current.data.close_date)
                .then(|| current.created.at.date_naive());
            self.check(tx, &address, &valid.data, team.as_deref(), created_on)?;
            self.change(tx, actor, &address, current, valid.data, team)
        })
    }

    /// Moves an open opportunity to another stage, or decides it (`won`, `lost` with a
    /// reason, `cancelled`); the probability becomes the stage's.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `stage` (unknown, or the opportunity is decided: reopen it)
    /// or `lost_reason`; as [`OpportunityService::update`].
    pub fn set_stage(
        &self,
        actor: &Actor,
        id: OpportunityId,
        expected: Version,
        stage: &str,
        lost_reason: Option<&str>,
    ) -> Result<Opportunity> {
        let stage = self.ctx.pipeline.stage(stage).map_err(|e| e.at("stage"))?;
        let reason =
            crate::values::optional_text(lost_reason, 500).map_err(|e| e.at("lost_reason"))?;
        self.ctx.store.write(|tx| {
            let (current, address) = self.for_write(tx, actor, id, expected)?;
            refuse_leaving_decision(&current, &stage)?;
            let outcome = stage.outcome();
            if outcome == Outcome::Lost && reason.is_none() {
                return Err(Error::invalid(
                    "lost_reason",
                    "a lost opportunity needs the reason it was lost",
                ));
            }
            let mut data = current.data.clone();
            data.probability = self.ctx.pipeline.probability(&stage);
            data.probability_overridden = false;
            data.lost_reason = reason.clone().filter(|_| outcome == Outcome::Lost);
            data.stage = stage.clone();
            self.change(tx, actor, &address, current, data, None)
        })
    }

    /// Reopens a won, lost or cancelled opportunity in the open stage `stage`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `stage` when it is no open stage or the opportunity is
    /// open; as [`OpportunityService::update`].
    pub fn reopen(
        &self,
        actor: &Actor,
        id: OpportunityId,
        expected: Version,
        stage: &str,
    ) -> Result<Opportunity> {
        let stage = self.ctx.pipeline.stage(stage).map_err(|e| e.at("stage"))?;
        if stage.outcome().is_decided() {
            return Err(Error::invalid(
                "stage",
                "an opportunity is reopened in an open stage",
            ));
        }
        self.ctx.store.write(|tx| {
            let (current, address) = self.for_write(tx, actor, id, expected)?;
            if !current.data.outcome().is_decided() {
                return Err(Error::invalid(
                    "stage",
                    format!("opportunity {} is open; nothing to reopen", current.number),
                ));
            }
            let mut data = current.data.clone();
            data.probability = self.ctx.pipeline.probability(&stage);
            data.probability_overridden = false;
            data.lost_reason = None;
            data.stage = stage;
            self.change(tx, actor, &address, current, data, None)
        })
    }

    /// Replaces the selling team.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `team` (no lead, two leads, a lead who only reads, a user
    /// twice, unknown or inactive users); as [`OpportunityService::update`].
    pub fn set_team(
        &self,
        actor: &Actor,
        id: OpportunityId,
        expected: Version,
        team: &[TeamMemberInput],
    ) -> Result<Opportunity> {
        let mut v = Validator::new();
        let team = validate_team(team, &mut v);
        let team = v.finish(|| team)?;
        self.ctx.store.write(|tx| {
            let (current, address) = self.for_write(tx, actor, id, expected)?;
            let data = current.data.clone();
            self.check(tx, &address, &data, Some(&team), None)?;
            self.change(tx, actor, &address, current, data, Some(team.clone()))
        })
    }

    /// Loads an opportunity the actor may see, with its address.
    fn visible(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: OpportunityId,
    ) -> Result<(Opportunity, Address)> {
        let opportunity = tx
            .opportunity(id)?
            .ok_or_else(|| Error::not_found(EntityKind::Opportunity, id))?;
        let address = tx
            .address(opportunity.address_id, AddressScope::All)?
            .ok_or_else(|| Error::not_found(EntityKind::Opportunity, id))?;
        if opportunity.access_of(actor, &address).is_none() {
            return Err(Error::not_found(EntityKind::Opportunity, id));
        }
        Ok((opportunity, address))
    }

    /// Loads an opportunity the actor may edit: `NotFound` when it is missing, `Forbidden`
    /// when he may not change it.
    fn editable(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: OpportunityId,
    ) -> Result<(Opportunity, Address)> {
        let opportunity = tx
            .opportunity(id)?
            .ok_or_else(|| Error::not_found(EntityKind::Opportunity, id))?;
        let address = tx
            .address(opportunity.address_id, AddressScope::All)?
            .ok_or_else(|| Error::not_found(EntityKind::Opportunity, id))?;
        match opportunity.access_of(actor, &address) {
            Some(Access::Edit) => Ok((opportunity, address)),
            Some(Access::Read) => Err(Error::Forbidden(format!(
                "{} may only read opportunity {}",
                actor.display_name, opportunity.number
            ))),
            None => Err(Error::Forbidden(format!(
                "{} is not in the selling team of opportunity {}",
                actor.display_name, opportunity.number
            ))),
        }
    }

    fn for_write(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: OpportunityId,
        expected: Version,
    ) -> Result<(Opportunity, Address)> {
        let (opportunity, address) = self.editable(tx, actor, id)?;
        if opportunity.version != expected {
            return Err(Error::conflict(EntityKind::Opportunity, id, expected.0));
        }
        Ok((opportunity, address))
    }

    /// A new opportunity checked against the database: its team defaulted and its
    /// references checked.
    #[allow(clippy::too_many_arguments)]
    fn prepare(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        address: &Address,
        valid: ValidOpportunity,
        number: OpportunityNumber,
        created: Stamp,
        check_close_date: bool,
    ) -> Result<NewOpportunity> {
        let team = valid.team.unwrap_or_else(|| {
            let lead = if actor.has(Role::Admin) {
                address.data.field_rep.or(address.data.inside_rep)
            } else {
                None
            };
            vec![TeamMember {
                user: lead.unwrap_or(actor.user_id),
                role: TeamRole::Lead,
                access: Access::Edit,
            }]
        });
        let created_on = check_close_date.then(|| created.at.date_naive());
        self.check(tx, address, &valid.data, Some(&team), created_on)?;
        let decided = valid.data.outcome().is_decided().then_some(created);
        Ok(NewOpportunity {
            number,
            address_id: address.id,
            data: valid.data,
            team,
            decided,
            created,
        })
    }

    /// Checks what only the database knows: the main contact belongs to the address, team
    /// members are active users; and, given the day it was created, that the opportunity
    /// does not close before it.
    fn check(
        &self,
        tx: &mut dyn Tx,
        address: &Address,
        data: &OpportunityData,
        team: Option<&[TeamMember]>,
        created_on: Option<NaiveDate>,
    ) -> Result<()> {
        let mut v = Validator::new();
        if let Some(contact) = data.main_contact {
            let belongs = tx
                .contact(contact)?
                .is_some_and(|c| c.address_id == address.id);
            if !belongs {
                v.reject(
                    "main_contact_id",
                    format!(
                        "contact {contact} is no contact of address {}",
                        address.number
                    ),
                );
            }
        }
        for (i, member) in team.unwrap_or_default().iter().enumerate() {
            match tx.user(member.user)? {
                None => v.reject(
                    &format!("team[{i}].user_id"),
                    format!("user {} is unknown", member.user),
                ),
                Some(u) if !u.active => v.reject(
                    &format!("team[{i}].user_id"),
                    format!("user {} is inactive", u.login),
                ),
                Some(_) => {}
            }
        }
        if let (Some(created_on), Some(close)) = (created_on, data.close_date)
            && close < created_on
        {
            v.reject(
                "close_date",
                format!("{close} lies before the opportunity was created ({created_on})"),
            );
        }
        v.finish(|| Some(()))
    }

    /// Stores a change and records its events.
    fn change(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        address: &Address,
        current: Opportunity,
        data: OpportunityData,
        team: Option<Vec<TeamMember>>,
    ) -> Result<Opportunity> {
        let updated = self.ctx.stamp(actor);
        let team = team.filter(|t| *t != current.team);
        let decided = match (current.data.outcome(), data.outcome()) {
            (_, Outcome::Open) => None,
            (Outcome::Open, _) => Some(updated),
            _ => current.decided,
        };
        let change = OpportunityChange {
            data: &data,
            team: team.as_deref(),
            decided,
            updated,
        };
        if !tx.update_opportunity(current.id, current.version, &change)? {
            return Err(Error::conflict(
                EntityKind::Opportunity,
                current.id,
                current.version.0,
            ));
        }
        let next = Opportunity {
            data,
            team: team.unwrap_or_else(|| current.team.clone()),
            decided,
            updated,
            version: current.version.next(),
            ..current.clone()
        };
        self.ctx
            .record(tx, actor, change_events(address, &current, &next))?;
        Ok(next)
    }
}

/// A decided opportunity keeps its decision until it is reopened.
fn refuse_leaving_decision(current: &Opportunity, stage: &Stage) -> Result<()> {
    if current.data.outcome().is_decided() && *stage != current.data.stage {
        return Err(Error::invalid(
            "stage",
            format!(
                "opportunity {} is {}; reopen it before changing its stage",
                current.number, current.data.stage
            ),
        ));
    }
    Ok(())
}

fn stored(id: OpportunityId, new: NewOpportunity) -> Opportunity {
    Opportunity {
        id,
        number: new.number,
        address_id: new.address_id,
        data: new.data,
        team: new.team,
        decided: new.decided,
        created: new.created,
        updated: new.created,
        version: Version::FIRST,
    }
}
