use crm_core::{
    AddressId, NewNote, Note, NoteId, NoteRepository, Page, PageRequest, Stamp, Version,
};
use diesel::prelude::*;

use super::{DieselTx, insert_in_blocks};
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::rows::note::{NewNoteRow, NoteRow};
use crate::rows::ts;
use crate::schema::notes;

impl NoteRepository for DieselTx<'_> {
    fn insert_note(&mut self, new: &NewNote) -> crm_core::Result<NoteId> {
        let row = NewNoteRow::new(new);
        let id: i64 = with_inner!(&mut *self.conn, |c| {
            diesel::insert_into(notes::table)
                .values(&row)
                .returning(notes::id)
                .get_result(c)
        })
        .dom()?;
        Ok(NoteId(id))
    }

    fn insert_notes(&mut self, batch: &[NewNote]) -> crm_core::Result<()> {
        let rows: Vec<NewNoteRow> = batch.iter().map(NewNoteRow::new).collect();
        insert_in_blocks!(self.conn, &rows, 256, |c, block| {
            diesel::insert_into(notes::table).values(block).execute(c)
        });
        Ok(())
    }

    fn note(&mut self, id: NoteId) -> crm_core::Result<Option<Note>> {
        notes::table
            .filter(notes::id.eq(id.0))
            .select(NoteRow::as_select())
            .first::<NoteRow>(self.conn)
            .optional()
            .dom()?
            .map(NoteRow::into_domain)
            .transpose()
    }

    fn notes_of(&mut self, address: AddressId, page: PageRequest) -> crm_core::Result<Page<Note>> {
        let items: Vec<Note> = notes::table
            .filter(notes::address_id.eq(address.0))
            .select(NoteRow::as_select())
            .order((notes::created_at.desc(), notes::id.desc()))
            .limit(i64::from(page.limit))
            .offset(page.offset as i64)
            .load::<NoteRow>(self.conn)
            .dom()?
            .into_iter()
            .map(NoteRow::into_domain)
            .collect::<crm_core::Result<_>>()?;
        super::search::paged(page, items, || {
            notes::table
                .filter(notes::address_id.eq(address.0))
                .count()
                .get_result(self.conn)
                .dom()
        })
    }

    fn update_note(
        &mut self,
        id: NoteId,
        expected: Version,
        text: &str,
        edited: Stamp,
    ) -> crm_core::Result<bool> {
        let n = diesel::update(
            notes::table
                .filter(notes::id.eq(id.0))
                .filter(notes::version.eq(expected.0)),
        )
        .set((
            notes::body.eq(text),
            notes::edited_at.eq(ts(edited.at)),
            notes::edited_by.eq(edited.by.0),
            notes::version.eq(expected.next().0),
        ))
        .execute(self.conn)
        .dom()?;
        Ok(n == 1)
    }

    fn delete_note(&mut self, id: NoteId, expected: Version) -> crm_core::Result<bool> {
        let n = diesel::delete(
            notes::table
                .filter(notes::id.eq(id.0))
                .filter(notes::version.eq(expected.0)),
        )
        .execute(self.conn)
        .dom()?;
        Ok(n == 1)
    }
}
