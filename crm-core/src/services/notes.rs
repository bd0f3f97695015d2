use super::{Context, record_of_address, reps};
use crate::entity::{EntityKind, EntityRef};
use crate::error::{Error, Result};
use crate::ids::{AddressId, NoteId, Version};
use crate::note::{NewNote, Note, note_text};
use crate::ports::{Store, Tx};
use crate::search::{Page, PageRequest};
use crate::trace::{DomainEvent, EventDetail};
use crate::user::{Actor, Role};

/// Notes on addresses and their records. Whoever may change an address may add and edit its
/// notes (the last editor is recorded); deleting is for the author, managers and admins.
pub struct NoteService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> NoteService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        NoteService { ctx }
    }

    /// Adds a note to an address, about the address itself (`about: None`) or one of its
    /// records (a contact, an opportunity, a calendar entry of that address).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `text` or `about`; [`Error::NotFound`] / [`Error::Forbidden`]
    /// for the address.
    pub fn add(
        &self,
        actor: &Actor,
        address_id: AddressId,
        text: &str,
        about: Option<EntityRef>,
    ) -> Result<Note> {
        let text = note_text(text).map_err(|e| e.at("text"))?;
        self.ctx.store.write(|tx| {
            let address = self.ctx.address_for_write(tx, actor, address_id)?;
            let about = about.unwrap_or_else(|| address_id.into());
            if !record_of_address(tx, address_id, about)? {
                return Err(Error::invalid(
                    "about",
                    format!("{about} is not a record of address {}", address.number),
                ));
            }
            let created = self.ctx.stamp(actor);
            let new = NewNote {
                address_id,
                about,
                text,
                created,
            };
            let id = tx.insert_note(&new)?;
            self.ctx.record(
                tx,
                actor,
                [DomainEvent::new(
                    address_id,
                    id.into(),
                    reps(&address),
                    EventDetail::NoteAdded {
                        excerpt: excerpt(&new.text),
                    },
                )],
            )?;
            Ok(Note {
                id,
                address_id,
                about,
                text: new.text,
                author: actor.user_id,
                created_at: created.at,
                edited: None,
                version: Version::FIRST,
            })
        })
    }

    /// Replaces a note's text, recording the actor as last editor.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `text`; [`Error::Conflict`] for a stale version;
    /// [`Error::NotFound`]; [`Error::Forbidden`].
    pub fn edit(&self, actor: &Actor, id: NoteId, expected: Version, text: &str) -> Result<Note> {
        let text = note_text(text).map_err(|e| e.at("text"))?;
        self.ctx.store.write(|tx| {
            let note = self.for_write(tx, actor, id, expected)?;
            let edited = self.ctx.stamp(actor);
            if !tx.update_note(id, expected, &text, edited)? {
                return Err(Error::conflict(EntityKind::Note, id, expected.0));
            }
            Ok(Note {
                text,
                edited: Some(edited),
                version: expected.next(),
                ..note
            })
        })
    }

    /// Deletes a note; only its author, managers and administrators may.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for anyone else; [`Error::Conflict`] for a stale version;
    /// [`Error::NotFound`].
    pub fn delete(&self, actor: &Actor, id: NoteId, expected: Version) -> Result<()> {
        self.ctx.store.write(|tx| {
            let note = self.for_write(tx, actor, id, expected)?;
            let may = note.author == actor.user_id
                || actor.has(Role::SalesManager)
                || actor.has(Role::Admin);
            if !may {
                return Err(Error::Forbidden(format!(
                    "{} may not delete note {id}: only its author, managers and admins may",
                    actor.display_name
                )));
            }
            if !tx.delete_note(id, expected)? {
                return Err(Error::conflict(EntityKind::Note, id, expected.0));
            }
            Ok(())
        })
    }

    /// The note with `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or its address is not visible.
    pub fn get(&self, actor: &Actor, id: NoteId) -> Result<Note> {
        self.ctx.store.read(|tx| {
            let note = load(tx, id)?;
            if tx
                .address(note.address_id, self.ctx.scope(actor))?
                .is_none()
            {
                return Err(Error::not_found(EntityKind::Note, id));
            }
            Ok(note)
        })
    }

    /// A page of an address's notes, newest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the address is not visible; [`Error::Invalid`] for a bad page.
    pub fn list(
        &self,
        actor: &Actor,
        address_id: AddressId,
        page: PageRequest,
    ) -> Result<Page<Note>> {
        let page = page.validate()?;
        self.ctx.store.read(|tx| {
            self.ctx.visible_address(tx, actor, address_id)?;
            tx.notes_of(address_id, page)
        })
    }

    fn for_write(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: NoteId,
        expected: Version,
    ) -> Result<Note> {
        let note = load(tx, id)?;
        self.ctx.address_for_write(tx, actor, note.address_id)?;
        if note.version != expected {
            return Err(Error::conflict(EntityKind::Note, id, expected.0));
        }
        Ok(note)
    }
}

fn load(tx: &mut dyn Tx, id: NoteId) -> Result<Note> {
    tx.note(id)?
        .ok_or_else(|| Error::not_found(EntityKind::Note, id))
}

/// The beginning of a note, for its trace: the first line, at most 80 characters.
fn excerpt(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let mut short: String = line.chars().take(80).collect();
    if short.len() < line.len() || text.lines().nth(1).is_some() {
        short.push('…');
    }
    short
}
