//! The events of opportunities: a new inquiry, stage changes and decisions, volume and close
//! date changes, team changes — each news for the address's reps and the selling team.

use crate::address::Address;
use crate::opportunity::{Opportunity, Outcome};
use crate::services::reps;
use crate::trace::{DomainEvent, EventDetail, OpportunityRef};

fn reference(o: &Opportunity) -> OpportunityRef {
    OpportunityRef {
        id: o.id,
        number: o.number,
        title: o.data.title.clone(),
    }
}

/// An event of `opportunity`, news for the address's reps and its team.
fn event(address: &Address, opportunity: &Opportunity, detail: EventDetail) -> DomainEvent {
    let team = opportunity.team.iter().map(|m| Some(m.user));
    DomainEvent::new(
        address.id,
        opportunity.id.into(),
        reps(address).into_iter().chain(team),
        detail,
    )
}

pub(super) fn created_events(address: &Address, o: &Opportunity) -> Vec<DomainEvent> {
    let mut events = vec![event(
        address,
        o,
        EventDetail::OpportunityCreated {
            opportunity: reference(o),
            stage: o.data.stage.key().to_owned(),
            volume: o.data.volume,
        },
    )];
    events.extend(decision_event(address, o, "new"));
    events
}

fn decision_event(address: &Address, o: &Opportunity, from: &str) -> Option<DomainEvent> {
    let opportunity = reference(o);
    let from = from.to_owned();
    let detail = match o.data.outcome() {
        Outcome::Open => return None,
        Outcome::Won => EventDetail::DecisionWon {
            opportunity,
            from,
            volume: o.data.volume,
        },
        Outcome::Lost => EventDetail::DecisionLost {
            opportunity,
            from,
            reason: o.data.lost_reason.clone().unwrap_or_default(),
        },
        Outcome::Cancelled => EventDetail::OpportunityCancelled { opportunity, from },
    };
    Some(event(address, o, detail))
}

/// The events of a change from `old` to `new`.
pub(super) fn change_events(
    address: &Address,
    old: &Opportunity,
    new: &Opportunity,
) -> Vec<DomainEvent> {
    let mut events = Vec::new();
    let (was, is) = (old.data.outcome(), new.data.outcome());
    if old.data.stage != new.data.stage {
        let from = old.data.stage.key();
        match (was, is) {
            (Outcome::Open, Outcome::Open) => events.push(event(
                address,
                new,
                EventDetail::StageChanged {
                    opportunity: reference(new),
                    from: from.to_owned(),
                    to: new.data.stage.key().to_owned(),
                },
            )),
            (_, Outcome::Open) => events.push(event(
                address,
                new,
                EventDetail::OpportunityReopened {
                    opportunity: reference(new),
                    from: from.to_owned(),
                    to: new.data.stage.key().to_owned(),
                },
            )),
            _ => events.extend(decision_event(address, new, from)),
        }
    }
    if old.data.volume != new.data.volume {
        events.push(event(
            address,
            new,
            EventDetail::VolumeChanged {
                opportunity: reference(new),
                old: old.data.volume,
                new: new.data.volume,
            },
        ));
    }
    if old.data.close_date != new.data.close_date {
        events.push(event(
            address,
            new,
            EventDetail::CloseDateMoved {
                opportunity: reference(new),
                old: old.data.close_date,
                new: new.data.close_date,
            },
        ));
    }
    if old.team != new.team {
        let added = new
            .team
            .iter()
            .filter(|m| old.member(m.user).is_none())
            .copied()
            .collect();
        let removed = old
            .team
            .iter()
            .filter(|m| new.member(m.user).is_none())
            .map(|m| m.user)
            .collect();
        let changed = new
            .team
            .iter()
            .filter(|m| old.member(m.user).is_some_and(|o| o != *m))
            .copied()
            .collect();
        events.push(event(
            address,
            new,
            EventDetail::TeamChanged {
                opportunity: reference(new),
                added,
                removed,
                changed,
            },
        ));
    }
    events
}
