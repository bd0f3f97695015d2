//! Use-case services: each public method is one use case, runs in one transaction and takes
//! the acting user.

mod addresses;
mod calendar;
mod contacts;
mod conversion;
mod import;
mod notes;
mod pools;
mod users;

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};

pub use addresses::{ActivatedAddress, AddressService, AddressView, RECENT_ACTIVATIONS};
pub use calendar::{CalendarService, MAX_AGENDA, SlaEvent};
pub use contacts::ContactService;
pub use conversion::{Conversion, ConversionPreview, ConvertOptions, FieldChange};
pub use import::{ImportReport, ImportRow};
pub use notes::NoteService;
pub use pools::PoolService;
pub use users::{UserService, UserSyncReport};

use crate::address::{Address, AddressKind, Stamp};
use crate::duplicates::DuplicateRules;
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ids::{AddressId, AddressNumber, UserId};
use crate::numbering::NumberRanges;
use crate::ports::{Clock, Store, Tx};
use crate::user::Actor;
use crate::visibility::{AddressScope, VisibilityPolicy};

/// The company rules the services apply, from settings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rules {
    /// Who sees which address.
    pub visibility: VisibilityPolicy,
    /// Number ranges of customers and leads.
    pub numbers: NumberRanges,
    /// Thresholds of the duplicate check.
    pub duplicates: DuplicateRules,
}

struct Context<S> {
    store: S,
    clock: Arc<dyn Clock>,
    rules: Rules,
}

/// All services over one store; cheap to clone and share between threads.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use crm_core::*;
/// # fn demo<S: Store>(store: S, clock: Arc<dyn Clock>, actor: &Actor) -> Result<()> {
/// let services = Services::new(store, clock, Rules::default())?;
/// let hits = services.addresses().search(
///     actor,
///     &AddressCriteria { name: Some("muell".into()), ..Default::default() },
///     PageRequest::default(),
/// )?;
/// println!("{} addresses match", hits.total);
/// # Ok(()) }
/// ```
pub struct Services<S> {
    ctx: Arc<Context<S>>,
}

impl<S> Clone for Services<S> {
    fn clone(&self) -> Self {
        Services {
            ctx: Arc::clone(&self.ctx),
        }
    }
}

impl<S: Store> Services<S> {
    /// Services over `store`, reading time from `clock`, applying `rules`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the rules contradict themselves (overlapping number ranges).
    pub fn new(store: S, clock: Arc<dyn Clock>, rules: Rules) -> Result<Self> {
        rules.numbers.validate().map_err(|e| e.at("numbers"))?;
        Ok(Services {
            ctx: Arc::new(Context {
                store,
                clock,
                rules,
            }),
        })
    }

    /// Addresses: capture, edit, search, activate, convert.
    pub fn addresses(&self) -> AddressService<'_, S> {
        AddressService::new(&self.ctx)
    }

    /// Contact persons.
    pub fn contacts(&self) -> ContactService<'_, S> {
        ContactService::new(&self.ctx)
    }

    /// Notes.
    pub fn notes(&self) -> NoteService<'_, S> {
        NoteService::new(&self.ctx)
    }

    /// The copy of the host's users.
    pub fn users(&self) -> UserService<'_, S> {
        UserService::new(&self.ctx)
    }

    /// Calendar entries: activities, milestones, assignments.
    pub fn calendar(&self) -> CalendarService<'_, S> {
        CalendarService::new(&self.ctx)
    }

    /// Address pools.
    pub fn pools(&self) -> PoolService<'_, S> {
        PoolService::new(&self.ctx)
    }

    /// The store, for adapters that share it.
    pub fn store(&self) -> &S {
        &self.ctx.store
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.ctx.rules
    }
}

impl<S: Store> Context<S> {
    /// Now, truncated to microseconds so that it survives every backend unchanged.
    fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(6)
    }

    fn stamp(&self, actor: &Actor) -> Stamp {
        Stamp {
            at: self.now(),
            by: actor.user_id,
        }
    }

    fn scope(&self, actor: &Actor) -> AddressScope {
        self.rules.visibility.address_scope(actor)
    }

    /// Loads an address the actor wants to read: invisible ones do not exist for him.
    fn visible_address(&self, tx: &mut dyn Tx, actor: &Actor, id: AddressId) -> Result<Address> {
        tx.address(id, self.scope(actor))?
            .ok_or_else(|| Error::not_found(EntityKind::Address, id))
    }

    /// Loads an address the actor wants to change: a missing one is `NotFound`, one he may
    /// not see is `Forbidden`.
    fn address_for_write(&self, tx: &mut dyn Tx, actor: &Actor, id: AddressId) -> Result<Address> {
        let address = tx
            .address(id, AddressScope::All)?
            .ok_or_else(|| Error::not_found(EntityKind::Address, id))?;
        if !self.scope(actor).admits(&address) {
            return Err(Error::Forbidden(format!(
                "{} may not change address {}: it is not assigned to them",
                actor.display_name, address.number
            )));
        }
        Ok(address)
    }

    /// Allocates `count` free business numbers for addresses of `kind`, skipping numbers that
    /// imports took from the range.
    fn allocate_numbers(
        &self,
        tx: &mut dyn Tx,
        kind: AddressKind,
        count: usize,
    ) -> Result<Vec<AddressNumber>> {
        let range = self.rules.numbers.for_kind(kind);
        let counter = NumberRanges::counter(kind);
        let mut numbers = Vec::with_capacity(count);
        while numbers.len() < count {
            let wanted = (count - numbers.len()) as i64;
            let first = tx.reserve(counter, range.start(), wanted)?;
            let last = first + wanted - 1;
            if last > range.end() {
                return Err(Error::invalid(
                    "number",
                    format!(
                        "the {kind} number range {}..={} is exhausted; widen it in the settings",
                        range.start(),
                        range.end()
                    ),
                ));
            }
            let taken = tx.numbers_taken(first, last)?;
            numbers.extend(
                (first..=last)
                    .filter(|n| taken.binary_search(n).is_err())
                    .map(AddressNumber),
            );
        }
        Ok(numbers)
    }

    /// Checks that responsible reps name known, active users.
    fn check_reps(&self, tx: &mut dyn Tx, reps: &[(&str, Option<UserId>)]) -> Result<()> {
        let mut v = crate::error::Validator::new();
        for (field, rep) in reps {
            if let Some(id) = rep {
                match tx.user(*id)? {
                    None => v.reject(field, format!("user {id} is unknown")),
                    Some(user) if !user.active => {
                        v.reject(field, format!("user {} is inactive", user.login));
                    }
                    Some(_) => {}
                }
            }
        }
        v.finish(|| Some(()))
    }
}

fn require_sales_staff(actor: &Actor, what: &str) -> Result<()> {
    if actor.is_sales_staff() {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "{} has no sales role and may not {what}",
            actor.display_name
        )))
    }
}
