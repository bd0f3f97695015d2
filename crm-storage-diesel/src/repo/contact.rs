use crm_core::{
    AddressId, Contact, ContactData, ContactId, ContactRepository, NewContact, Stamp, Version,
};
use diesel::prelude::*;

use super::{DieselTx, insert_in_blocks};
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::rows::contact::{ContactContentRow, ContactRow, NewContactRow};
use crate::rows::ts;
use crate::schema::contacts;

/// Most contacts listed for one address.
const MAX_CONTACTS: i64 = 1_000;

impl ContactRepository for DieselTx<'_> {
    fn insert_contact(&mut self, new: &NewContact) -> crm_core::Result<ContactId> {
        let row = NewContactRow::new(new);
        let id: i64 = with_inner!(&mut *self.conn, |c| {
            diesel::insert_into(contacts::table)
                .values(&row)
                .returning(contacts::id)
                .get_result(c)
        })
        .dom()?;
        Ok(ContactId(id))
    }

    fn insert_contacts(&mut self, batch: &[NewContact]) -> crm_core::Result<()> {
        let rows: Vec<NewContactRow> = batch.iter().map(NewContactRow::new).collect();
        insert_in_blocks!(self.conn, &rows, 128, |c, block| {
            diesel::insert_into(contacts::table)
                .values(block)
                .execute(c)
        });
        Ok(())
    }

    fn contact(&mut self, id: ContactId) -> crm_core::Result<Option<Contact>> {
        contacts::table
            .filter(contacts::id.eq(id.0))
            .select(ContactRow::as_select())
            .first::<ContactRow>(self.conn)
            .optional()
            .dom()?
            .map(ContactRow::into_domain)
            .transpose()
    }

    fn contacts_of(
        &mut self,
        address: AddressId,
        include_inactive: bool,
    ) -> crm_core::Result<Vec<Contact>> {
        let mut query = contacts::table
            .filter(contacts::address_id.eq(address.0))
            .select(ContactRow::as_select())
            .order((
                contacts::is_primary.desc(),
                contacts::last_name.asc(),
                contacts::first_name.asc(),
                contacts::id.asc(),
            ))
            .limit(MAX_CONTACTS)
            .into_boxed();
        if !include_inactive {
            query = query.filter(contacts::active.eq(true));
        }
        query
            .load::<ContactRow>(self.conn)
            .dom()?
            .into_iter()
            .map(ContactRow::into_domain)
            .collect()
    }

    fn update_contact(
        &mut self,
        id: ContactId,
        expected: Version,
        data: &ContactData,
        updated: Stamp,
    ) -> crm_core::Result<bool> {
        let row = ContactContentRow::new(data, updated);
        let n = diesel::update(
            contacts::table
                .filter(contacts::id.eq(id.0))
                .filter(contacts::version.eq(expected.0)),
        )
        .set((&row, contacts::version.eq(expected.next().0)))
        .execute(self.conn)
        .dom()?;
        Ok(n == 1)
    }

    fn set_contact_active(
        &mut self,
        id: ContactId,
        expected: Version,
        active: bool,
        updated: Stamp,
    ) -> crm_core::Result<bool> {
        let n = diesel::update(
            contacts::table
                .filter(contacts::id.eq(id.0))
                .filter(contacts::version.eq(expected.0)),
        )
        .set((
            contacts::active.eq(active),
            contacts::updated_at.eq(ts(updated.at)),
            contacts::updated_by.eq(updated.by.0),
            contacts::version.eq(expected.next().0),
        ))
        .execute(self.conn)
        .dom()?;
        Ok(n == 1)
    }

    fn set_primary_contact(
        &mut self,
        address: AddressId,
        primary: Option<ContactId>,
    ) -> crm_core::Result<()> {
        // Clear first: the partial unique index allows one primary per address at any moment.
        diesel::update(
            contacts::table
                .filter(contacts::address_id.eq(address.0))
                .filter(contacts::is_primary.eq(true)),
        )
        .set(contacts::is_primary.eq(false))
        .execute(self.conn)
        .dom()?;
        if let Some(id) = primary {
            diesel::update(
                contacts::table
                    .filter(contacts::id.eq(id.0))
                    .filter(contacts::address_id.eq(address.0)),
            )
            .set(contacts::is_primary.eq(true))
            .execute(self.conn)
            .dom()?;
        }
        Ok(())
    }
}
