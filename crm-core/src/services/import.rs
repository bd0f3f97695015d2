//! Bulk import of addresses with their contacts and notes, for a host's initial load.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use super::addresses::require_complete;
use crate::address::{AddressData, AddressInput, AddressKind, NewAddress};
use crate::contact::{ContactData, ContactInput, NewContact};
use crate::error::{Error, FieldError, Invalid, Result};
use crate::ids::{AddressId, AddressNumber, UserId};
use crate::note::{NewNote, note_text};
use crate::ports::Store;
use crate::trace::{DomainEvent, EventDetail};
use crate::user::{Actor, Role};
use crate::values::{CountryCode, Language};

/// Field errors reported at most per rejected import; the rest are counted.
const MAX_REPORTED_ERRORS: usize = 100;

/// One address to import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRow {
    /// The number the host uses; allocated from the kind's range when absent.
    #[serde(default)]
    pub number: Option<AddressNumber>,
    /// Lead or customer.
    pub kind: AddressKind,
    /// The address.
    pub address: AddressInput,
    /// Its contacts; the first becomes primary.
    #[serde(default)]
    pub contacts: Vec<ContactInput>,
    /// Note texts.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Ids of the new addresses, in the order of the rows.
    pub ids: Vec<AddressId>,
    /// Contacts written.
    pub contacts: u64,
    /// Notes written.
    pub notes: u64,
}

struct ValidRow {
    number: Option<AddressNumber>,
    kind: AddressKind,
    data: AddressData,
    contacts: Vec<ContactData>,
    notes: Vec<String>,
}

impl<S: Store> super::AddressService<'_, S> {
    /// Imports addresses with contacts and notes in one transaction: all rows or none.
    /// Administrators only. Given numbers are kept (they must be unique); missing ones are
    /// allocated from the kind's range.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `rows[i].field` for every bad value (the first
    /// 100); [`Error::Duplicate`] when a number is taken; [`Error::Forbidden`] for
    /// non-administrators.
    pub fn import(&self, actor: &Actor, rows: &[ImportRow]) -> Result<ImportReport> {
        if !actor.has(Role::Admin) {
            return Err(Error::Forbidden(format!(
                "{} is no administrator and may not import addresses",
                actor.display_name
            )));
        }
        let valid = validate_rows(rows)?;
        let done = self.ctx.store.write(|tx| {
            check_reps(tx, &valid)?;
            let mut leads = self
                .allocate_missing(tx, &valid, AddressKind::Lead)?
                .into_iter();
            let mut customers = self
                .allocate_missing(tx, &valid, AddressKind::Customer)?
                .into_iter();
            let created = self.ctx.stamp(actor);
            let mut new_addresses = Vec::with_capacity(valid.len());
            for row in &valid {
                let number = match (row.number, row.kind) {
                    (Some(n), _) => Some(n),
                    (None, AddressKind::Lead) => leads.next(),
                    (None, AddressKind::Customer) => customers.next(),
                }
                .ok_or_else(|| Error::Storage("number allocation fell short".into()))?;
                new_addresses.push(NewAddress {
                    number,
                    kind: row.kind,
                    data: row.data.clone(),
                    created,
                });
            }
            let ids = tx.insert_addresses(&new_addresses)?;
            let events = ids.iter().zip(&new_addresses).map(|(id, new)| {
                DomainEvent::new(
                    *id,
                    (*id).into(),
                    [new.data.field_rep, new.data.inside_rep],
                    EventDetail::AddressCreated {
                        number: new.number,
                        name: new.data.display_name(),
                        kind: new.kind,
                    },
                )
            });
            self.ctx.record(tx, actor, events)?;
            let mut contacts = Vec::new();
            let mut notes = Vec::new();
            for (row, id) in valid.into_iter().zip(&ids) {
                for (i, data) in row.contacts.into_iter().enumerate() {
                    contacts.push(NewContact {
                        address_id: *id,
                        data,
                        primary: i == 0,
                        created,
                    });
                }
                for text in row.notes {
                    notes.push(NewNote {
                        address_id: *id,
                        about: (*id).into(),
                        text,
                        created,
                    });
                }
            }
            tx.insert_contacts(&contacts)?;
            tx.insert_notes(&notes)?;
            Ok(ImportReport {
                ids,
                contacts: contacts.len() as u64,
                notes: notes.len() as u64,
            })
        })?;
        self.ctx.addresses_changed(&done.ids)?;
        Ok(done)
    }

    fn allocate_missing(
        &self,
        tx: &mut dyn crate::ports::Tx,
        rows: &[ValidRow],
        kind: AddressKind,
    ) -> Result<Vec<AddressNumber>> {
        let count = rows
            .iter()
            .filter(|r| r.kind == kind && r.number.is_none())
            .count();
        if count == 0 {
            return Ok(Vec::new());
        }
        self.ctx.allocate_numbers(tx, kind, count)
    }
}

/// Checks that every responsible rep names a known, active user, looking each one up once;
/// errors name the row and field.
fn check_reps(tx: &mut dyn crate::ports::Tx, rows: &[ValidRow]) -> Result<()> {
    let reps: BTreeSet<UserId> = rows
        .iter()
        .flat_map(|r| [r.data.field_rep, r.data.inside_rep])
        .flatten()
        .collect();
    let mut unusable: BTreeMap<UserId, String> = BTreeMap::new();
    for rep in reps {
        match tx.user(rep)? {
            None => {
                unusable.insert(rep, format!("user {rep} is unknown"));
            }
            Some(user) if !user.active => {
                unusable.insert(rep, format!("user {} is inactive", user.login));
            }
            Some(_) => {}
        }
    }
    if unusable.is_empty() {
        return Ok(());
    }
    let mut errors = Vec::new();
    let mut more = 0usize;
    for (i, row) in rows.iter().enumerate() {
        for (field, rep) in [
            ("field_rep", row.data.field_rep),
            ("inside_rep", row.data.inside_rep),
        ] {
            if let Some(reason) = rep.and_then(|r| unusable.get(&r)) {
                if errors.len() < MAX_REPORTED_ERRORS {
                    errors.push(FieldError {
                        field: format!("rows[{i}].{field}"),
                        reason: reason.clone(),
                    });
                } else {
                    more += 1;
                }
            }
        }
    }
    Err(Error::Invalid(with_more(
        Invalid::from_errors(errors),
        more,
    )))
}

/// Adds a last entry counting the errors that were not listed.
fn with_more(invalid: Invalid, more: usize) -> Invalid {
    if more == 0 {
        invalid
    } else {
        invalid.with(FieldError {
            field: "rows".into(),
            reason: format!("{more} more errors not shown"),
        })
    }
}

fn validate_rows(rows: &[ImportRow]) -> Result<Vec<ValidRow>> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut more = 0usize;
    let mut push = |invalid: Invalid, errors: &mut Vec<FieldError>| {
        for e in invalid.errors() {
            if errors.len() < MAX_REPORTED_ERRORS {
                errors.push(e.clone());
            } else {
                more += 1;
            }
        }
    };
    let mut seen = HashSet::new();
    let mut valid = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let prefix = format!("rows[{i}]");
        if let Some(n) = row.number {
            if n.0 <= 0 {
                push(
                    Invalid::one("number", "must be positive").prefixed(&prefix),
                    &mut errors,
                );
            } else if !seen.insert(n) {
                push(
                    Invalid::one("number", format!("{n} appears twice in this import"))
                        .prefixed(&prefix),
                    &mut errors,
                );
            }
        }
        let data = match row.address.validate().and_then(|data| {
            if row.kind == AddressKind::Customer {
                require_complete(&data)?;
            }
            Ok(data)
        }) {
            Ok(data) => Some(data),
            Err(Error::Invalid(inv)) => {
                push(inv.prefixed(&prefix), &mut errors);
                None
            }
            Err(other) => return Err(other),
        };
        // Contacts are checked even when the address failed, so that one pass reports all.
        let (country, language) = data.as_ref().map_or((CountryCode::CH, Language::De), |d| {
            (d.postal.country, d.language)
        });
        let mut contacts = Vec::with_capacity(row.contacts.len());
        for (j, contact) in row.contacts.iter().enumerate() {
            match contact.validate(country, language) {
                Ok(c) => contacts.push(c),
                Err(Error::Invalid(inv)) => {
                    push(
                        inv.prefixed(&format!("{prefix}.contacts[{j}]")),
                        &mut errors,
                    );
                }
                Err(other) => return Err(other),
            }
        }
        let mut notes = Vec::with_capacity(row.notes.len());
        for (j, text) in row.notes.iter().enumerate() {
            match note_text(text) {
                Ok(t) => notes.push(t),
                Err(e) => push(
                    Invalid::one(format!("{prefix}.notes[{j}]"), e.0),
                    &mut errors,
                ),
            }
        }
        let Some(data) = data else { continue };
        valid.push(ValidRow {
            number: row.number,
            kind: row.kind,
            data,
            contacts,
            notes,
        });
    }
    if errors.is_empty() {
        return Ok(valid);
    }
    Err(Error::Invalid(with_more(
        Invalid::from_errors(errors),
        more,
    )))
}
