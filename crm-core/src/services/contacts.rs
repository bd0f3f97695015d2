use super::{Context, reps};
use crate::address::Address;
use crate::contact::{Contact, ContactInput, NewContact};
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ids::{AddressId, ContactId, Version};
use crate::ports::{Store, Tx};
use crate::trace::{DomainEvent, EventDetail};
use crate::user::Actor;

/// Contact persons of an address. Every address with active contacts has exactly one
/// primary contact: the first one added becomes primary, making another primary moves the
/// flag, and deactivating the primary hands it to the longest-serving active contact.
pub struct ContactService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> ContactService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        ContactService { ctx }
    }

    /// Adds a contact to an address; `primary` makes it the main contact (the first active
    /// contact always is).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming bad fields; [`Error::NotFound`] / [`Error::Forbidden`] for the
    /// address.
    pub fn add(
        &self,
        actor: &Actor,
        address_id: AddressId,
        input: &ContactInput,
        primary: bool,
    ) -> Result<Contact> {
        let done = self.ctx.store.write(|tx| {
            let address = self.ctx.address_for_write(tx, actor, address_id)?;
            let data = input.validate(address.data.postal.country, address.data.language)?;
            let has_primary = tx.contacts_of(address_id, false)?.iter().any(|c| c.primary);
            let primary = primary || !has_primary;
            if primary && has_primary {
                tx.set_primary_contact(address_id, None)?;
            }
            let created = self.ctx.stamp(actor);
            let new = NewContact {
                address_id,
                data,
                primary,
                created,
            };
            let id = tx.insert_contact(&new)?;
            self.ctx.record(
                tx,
                actor,
                [DomainEvent::new(
                    address_id,
                    id.into(),
                    reps(&address),
                    EventDetail::ContactAdded {
                        name: new.data.full_name(),
                    },
                )],
            )?;
            Ok(Contact {
                id,
                address_id,
                data: new.data,
                primary,
                active: true,
                created,
                updated: created,
                version: Version::FIRST,
            })
        })?;
        self.ctx.addresses_changed(&[done.address_id])?;
        Ok(done)
    }

    /// Replaces a contact's content with `input`.
    ///
    /// # Errors
    /// [`Error::Invalid`]; [`Error::Conflict`] for a stale version; [`Error::NotFound`];
    /// [`Error::Forbidden`].
    pub fn update(
        &self,
        actor: &Actor,
        id: ContactId,
        expected: Version,
        input: &ContactInput,
    ) -> Result<Contact> {
        let done = self.ctx.store.write(|tx| {
            let (contact, address) = self.for_write(tx, actor, id, expected)?;
            let data = input.validate(address.data.postal.country, address.data.language)?;
            let updated = self.ctx.stamp(actor);
            if !tx.update_contact(id, expected, &data, updated)? {
                return Err(Error::conflict(EntityKind::Contact, id, expected.0));
            }
            Ok(Contact {
                data,
                updated,
                version: expected.next(),
                ..contact
            })
        })?;
        self.ctx.addresses_changed(&[done.address_id])?;
        Ok(done)
    }

    /// Makes an active contact the address's primary contact.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `active` for an inactive contact; [`Error::NotFound`];
    /// [`Error::Forbidden`].
    pub fn set_primary(&self, actor: &Actor, id: ContactId) -> Result<Contact> {
        self.ctx.store.write(|tx| {
            let contact = self.load(tx, id)?;
            self.ctx.address_for_write(tx, actor, contact.address_id)?;
            if !contact.active {
                return Err(Error::invalid(
                    "active",
                    "an inactive contact cannot be the primary contact",
                ));
            }
            tx.set_primary_contact(contact.address_id, Some(id))?;
            Ok(Contact {
                primary: true,
                ..contact
            })
        })
    }

    /// Deactivates a contact (left the company). If it was primary, the longest-serving
    /// active contact becomes primary.
    ///
    /// # Errors
    /// [`Error::Conflict`] for a stale version; [`Error::NotFound`]; [`Error::Forbidden`].
    pub fn deactivate(&self, actor: &Actor, id: ContactId, expected: Version) -> Result<Contact> {
        self.set_active(actor, id, expected, false)
    }

    /// Reactivates a contact; it becomes primary when the address has no primary contact.
    ///
    /// # Errors
    /// As [`ContactService::deactivate`].
    pub fn reactivate(&self, actor: &Actor, id: ContactId, expected: Version) -> Result<Contact> {
        self.set_active(actor, id, expected, true)
    }

    fn set_active(
        &self,
        actor: &Actor,
        id: ContactId,
        expected: Version,
        active: bool,
    ) -> Result<Contact> {
        let done = self.ctx.store.write(|tx| {
            let (contact, _) = self.for_write(tx, actor, id, expected)?;
            let updated = self.ctx.stamp(actor);
            if contact.active != active {
                if !active && contact.primary {
                    tx.set_primary_contact(contact.address_id, None)?;
                }
                if !tx.set_contact_active(id, expected, active, updated)? {
                    return Err(Error::conflict(EntityKind::Contact, id, expected.0));
                }
            }
            // Restore the invariant: among active contacts exactly one is primary.
            let others = tx.contacts_of(contact.address_id, false)?;
            let mut primary = active && contact.primary;
            if !others.iter().any(|c| c.primary) {
                let heir = if active {
                    Some(id)
                } else {
                    others
                        .iter()
                        .min_by_key(|c| (c.created.at, c.id))
                        .map(|c| c.id)
                };
                tx.set_primary_contact(contact.address_id, heir)?;
                primary = heir == Some(id);
            }
            let changed = contact.active != active;
            Ok(Contact {
                active,
                primary,
                updated: if changed { updated } else { contact.updated },
                version: if changed {
                    expected.next()
                } else {
                    contact.version
                },
                ..contact
            })
        })?;
        self.ctx.addresses_changed(&[done.address_id])?;
        Ok(done)
    }

    /// The contact with `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or its address is not visible.
    pub fn get(&self, actor: &Actor, id: ContactId) -> Result<Contact> {
        self.ctx.store.read(|tx| {
            let contact = self.load(tx, id)?;
            if tx
                .address(contact.address_id, self.ctx.scope(actor))?
                .is_none()
            {
                return Err(Error::not_found(EntityKind::Contact, id));
            }
            Ok(contact)
        })
    }

    /// The contacts of an address, primary first; inactive ones when asked.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the address is not visible.
    pub fn list(
        &self,
        actor: &Actor,
        address_id: AddressId,
        include_inactive: bool,
    ) -> Result<Vec<Contact>> {
        self.ctx.store.read(|tx| {
            self.ctx.visible_address(tx, actor, address_id)?;
            tx.contacts_of(address_id, include_inactive)
        })
    }

    fn load(&self, tx: &mut dyn Tx, id: ContactId) -> Result<Contact> {
        tx.contact(id)?
            .ok_or_else(|| Error::not_found(EntityKind::Contact, id))
    }

    fn for_write(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: ContactId,
        expected: Version,
    ) -> Result<(Contact, Address)> {
        let contact = self.load(tx, id)?;
        let address = self.ctx.address_for_write(tx, actor, contact.address_id)?;
        if contact.version != expected {
            return Err(Error::conflict(EntityKind::Contact, id, expected.0));
        }
        Ok((contact, address))
    }
}
