use chrono::NaiveDateTime;
use crm_core::{AddressId, EntityRef, NewNote, Note, NoteId, UserId, Version};
use diesel::prelude::*;

use super::{parse, stamp, ts, utc};
use crate::schema::notes;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = notes)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct NoteRow {
    pub id: i64,
    pub address_id: i64,
    pub about_kind: String,
    pub about_id: i64,
    pub body: String,
    pub author_id: i64,
    pub created_at: NaiveDateTime,
    pub edited_by: Option<i64>,
    pub edited_at: Option<NaiveDateTime>,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = notes)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct NewNoteRow {
    pub address_id: i64,
    pub about_kind: &'static str,
    pub about_id: i64,
    pub body: String,
    pub author_id: i64,
    pub created_at: NaiveDateTime,
    pub version: i64,
}

impl NewNoteRow {
    pub(crate) fn new(new: &NewNote) -> Self {
        NewNoteRow {
            address_id: new.address_id.0,
            about_kind: new.about.kind.as_str(),
            about_id: new.about.id,
            body: new.text.clone(),
            author_id: new.created.by.0,
            created_at: ts(new.created.at),
            version: Version::FIRST.0,
        }
    }
}

impl NoteRow {
    pub(crate) fn into_domain(self) -> crm_core::Result<Note> {
        Ok(Note {
            id: NoteId(self.id),
            address_id: AddressId(self.address_id),
            about: EntityRef::new(
                parse("notes", self.id, "about_kind", self.about_kind.parse())?,
                self.about_id,
            ),
            text: self.body,
            author: UserId(self.author_id),
            created_at: utc(self.created_at),
            edited: self
                .edited_at
                .zip(self.edited_by)
                .map(|(at, by)| stamp(at, by)),
            version: Version(self.version),
        })
    }
}
