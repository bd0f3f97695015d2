use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Context, reps, require_sales_staff};
use crate::address::{
    Address, AddressData, AddressInput, AddressKind, AddressPatch, AddressSummary, NewAddress,
};
use crate::contact::Contact;
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ids::{AddressId, AddressNumber, Version};
use crate::note::Note;
use crate::ports::{Store, Tx};
use crate::search::{AddressCriteria, Page, PageRequest};
use crate::trace::{DomainEvent, EventDetail};
use crate::user::{Actor, Role};

/// How many activated addresses each user's list keeps.
pub const RECENT_ACTIVATIONS: u32 = 20;

/// Notes shown with an opened address; more through [`NoteService::list`](crate::NoteService::list).
const NOTES_IN_VIEW: u32 = 20;

/// An address opened for work: the address with its active contacts and latest notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressView {
    /// The address.
    pub address: Address,
    /// Active contacts, primary first.
    pub contacts: Vec<Contact>,
    /// The newest notes and the total count.
    pub notes: Page<Note>,
}

/// An entry of a user's recently activated addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivatedAddress {
    /// The address.
    pub address: AddressSummary,
    /// When the user activated it last.
    pub activated_at: DateTime<Utc>,
}

/// Addresses: capture, edit, search, open and activate. Lead conversion is in
/// [`AddressService::preview_conversion`] and [`AddressService::convert_to_customer`].
pub struct AddressService<'a, S> {
    pub(super) ctx: &'a Context<S>,
}

impl<'a, S: Store> AddressService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        AddressService { ctx }
    }

    /// Captures a new lead with a number from the lead range. A field rep capturing a lead
    /// becomes its field rep, an inside rep its inside rep, unless the input names others.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each bad field (unknown reps included);
    /// [`Error::Forbidden`] for an actor without a sales role.
    pub fn capture_lead(&self, actor: &Actor, input: &AddressInput) -> Result<Address> {
        self.create(actor, input, AddressKind::Lead)
    }

    /// Creates a customer directly (for hosts that open accounts in the CRM); it needs a
    /// complete postal address.
    ///
    /// # Errors
    /// As [`AddressService::capture_lead`], plus `street`/`postal_code`/`city` when missing.
    pub fn create_customer(&self, actor: &Actor, input: &AddressInput) -> Result<Address> {
        self.create(actor, input, AddressKind::Customer)
    }

    fn create(&self, actor: &Actor, input: &AddressInput, kind: AddressKind) -> Result<Address> {
        require_sales_staff(actor, "create addresses")?;
        let mut data = input.validate()?;
        if kind == AddressKind::Customer {
            require_complete(&data)?;
        }
        if data.field_rep.is_none() && actor.has(Role::FieldSales) {
            data.field_rep = Some(actor.user_id);
        }
        if data.inside_rep.is_none() && actor.has(Role::InsideSales) {
            data.inside_rep = Some(actor.user_id);
        }
        let done = self.ctx.store.write(|tx| {
            self.ctx.check_reps(
                tx,
                &[
                    ("field_rep", data.field_rep),
                    ("inside_rep", data.inside_rep),
                ],
            )?;
            let number = self
                .ctx
                .allocate_numbers(tx, kind, 1)?
                .pop()
                .ok_or_else(|| Error::Storage("no number allocated".into()))?;
            let created = self.ctx.stamp(actor);
            let new = NewAddress {
                number,
                kind,
                data,
                created,
            };
            let id = tx.insert_address(&new)?;
            let address = Address {
                id,
                number,
                kind,
                data: new.data,
                lead_number: None,
                converted: None,
                created,
                updated: created,
                version: Version::FIRST,
            };
            self.ctx.record(tx, actor, [created_event(&address)])?;
            Ok(address)
        })?;
        self.ctx.addresses_changed(&[done.id])?;
        Ok(done)
    }

    /// The address with `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or the actor may not see it.
    pub fn get(&self, actor: &Actor, id: AddressId) -> Result<Address> {
        self.ctx
            .store
            .read(|tx| self.ctx.visible_address(tx, actor, id))
    }

    /// The address with business number `number` (a converted customer is also found by its
    /// former lead number).
    ///
    /// # Errors
    /// [`Error::NotFound`] when none is visible to the actor.
    pub fn by_number(&self, actor: &Actor, number: AddressNumber) -> Result<Address> {
        self.ctx.store.read(|tx| {
            tx.address_by_number(number, self.ctx.scope(actor))?
                .ok_or_else(|| Error::not_found(EntityKind::Address, number))
        })
    }

    /// Edits an address: the patch names the fields to change. Fails with
    /// [`Error::Conflict`] when someone else changed the address since `expected` was read.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # fn demo<S: Store>(crm: &Services<S>, actor: &Actor, id: AddressId, v: Version) -> Result<()> {
    /// let patch = AddressPatch { phone: Some(Some("044 123 45 67".into())), ..Default::default() };
    /// let updated = crm.addresses().update(actor, id, v, &patch)?;
    /// assert_eq!(updated.version, v.next());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming bad fields; [`Error::Conflict`] for a stale version;
    /// [`Error::NotFound`]; [`Error::Forbidden`] when the address is not the actor's.
    pub fn update(
        &self,
        actor: &Actor,
        id: AddressId,
        expected: Version,
        patch: &AddressPatch,
    ) -> Result<Address> {
        let done = self.ctx.store.write(|tx| {
            let current = self.ctx.address_for_write(tx, actor, id)?;
            if current.version != expected {
                return Err(Error::conflict(
                    EntityKind::Address,
                    current.number,
                    expected.0,
                ));
            }
            let data = patch.apply_to(&current.data).validate()?;
            if current.kind == AddressKind::Customer {
                require_complete(&data)?;
            }
            self.save(tx, actor, current, data, expected)
        })?;
        self.ctx.addresses_changed(&[done.id])?;
        Ok(done)
    }

    pub(super) fn save(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        current: Address,
        data: AddressData,
        expected: Version,
    ) -> Result<Address> {
        let mut reps = Vec::new();
        if data.field_rep != current.data.field_rep {
            reps.push(("field_rep", data.field_rep));
        }
        if data.inside_rep != current.data.inside_rep {
            reps.push(("inside_rep", data.inside_rep));
        }
        self.ctx.check_reps(tx, &reps)?;
        let change = current.change(data, self.ctx.stamp(actor));
        if !tx.update_address(current.id, expected, &change)? {
            return Err(Error::conflict(
                EntityKind::Address,
                current.number,
                expected.0,
            ));
        }
        Ok(Address {
            number: change.number,
            kind: change.kind,
            data: change.data,
            lead_number: change.lead_number,
            converted: change.converted,
            updated: change.updated,
            version: expected.next(),
            ..current
        })
    }

    /// Searches by criteria; one page with the total count, only addresses the actor may see.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad page size or an inverted postal code range;
    /// [`Error::NotFound`] for a pool criterion the actor may not see.
    pub fn search(
        &self,
        actor: &Actor,
        criteria: &AddressCriteria,
        page: PageRequest,
    ) -> Result<Page<AddressSummary>> {
        let page = page.validate()?;
        let query = criteria.to_query()?;
        self.ctx.store.read(|tx| {
            if let Some(pool) = query.pool {
                super::pools::visible(tx, actor, pool)?;
            }
            tx.search_addresses(&query, self.ctx.scope(actor), page)
        })
    }

    /// Opens an address: the address, its active contacts and its latest notes, from one
    /// snapshot. Does not count as an activation.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or the actor may not see it.
    pub fn open(&self, actor: &Actor, id: AddressId) -> Result<AddressView> {
        self.ctx.store.read(|tx| self.view(tx, actor, id))
    }

    fn view(&self, tx: &mut dyn Tx, actor: &Actor, id: AddressId) -> Result<AddressView> {
        let address = self.ctx.visible_address(tx, actor, id)?;
        let contacts = tx.contacts_of(id, false)?;
        let notes = tx.notes_of(id, PageRequest::first(NOTES_IN_VIEW))?;
        Ok(AddressView {
            address,
            contacts,
            notes,
        })
    }

    /// Activates an address for the actor: opens it and puts it on top of his recently
    /// activated addresses (which keep the last [`RECENT_ACTIVATIONS`]).
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or the actor may not see it.
    pub fn activate(&self, actor: &Actor, id: AddressId) -> Result<AddressView> {
        self.ctx.store.write(|tx| {
            let view = self.view(tx, actor, id)?;
            tx.record_activation(actor.user_id, id, self.ctx.now(), RECENT_ACTIVATIONS)?;
            Ok(view)
        })
    }

    /// The actor's recently activated addresses, newest first (only those he may still see).
    ///
    /// # Errors
    /// Storage failures only.
    pub fn recently_activated(&self, actor: &Actor) -> Result<Vec<ActivatedAddress>> {
        self.ctx.store.read(|tx| {
            Ok(tx
                .recent_activations(actor.user_id, self.ctx.scope(actor), RECENT_ACTIVATIONS)?
                .into_iter()
                .map(|(address, activated_at)| ActivatedAddress {
                    address,
                    activated_at,
                })
                .collect())
        })
    }
}

/// Customers need an address a letter can reach.
pub(super) fn require_complete(data: &AddressData) -> Result<()> {
    let missing = data.postal.missing_for_letter();
    if missing.is_empty() {
        return Ok(());
    }
    let mut v = crate::error::Validator::new();
    for field in missing {
        v.reject(field, "is required for a customer");
    }
    v.finish(|| Some(()))
}

/// The event of a new address.
pub(super) fn created_event(address: &Address) -> DomainEvent {
    DomainEvent::new(
        address.id,
        address.id.into(),
        reps(address),
        EventDetail::AddressCreated {
            number: address.number,
            name: address.data.display_name(),
            kind: address.kind,
        },
    )
}
