use crm_core::{User, UserId, UserRepository};
use diesel::prelude::*;

use super::DieselTx;
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::rows::user::UserRow;
use crate::schema::users;

impl UserRepository for DieselTx<'_> {
    fn upsert_user(&mut self, user: &User) -> crm_core::Result<()> {
        let row = UserRow::new(user);
        with_inner!(&mut *self.conn, |c| {
            diesel::insert_into(users::table)
                .values(&row)
                .on_conflict(users::id)
                .do_update()
                .set(&row)
                .execute(c)
        })
        .dom()?;
        Ok(())
    }

    fn user(&mut self, id: UserId) -> crm_core::Result<Option<User>> {
        users::table
            .filter(users::id.eq(id.0))
            .select(UserRow::as_select())
            .first::<UserRow>(self.conn)
            .optional()
            .dom()?
            .map(UserRow::into_domain)
            .transpose()
    }

    fn users(&mut self, include_inactive: bool) -> crm_core::Result<Vec<User>> {
        let mut query = users::table
            .select(UserRow::as_select())
            .order((users::display_name.asc(), users::id.asc()))
            .into_boxed();
        if !include_inactive {
            query = query.filter(users::active.eq(true));
        }
        query
            .load::<UserRow>(self.conn)
            .dom()?
            .into_iter()
            .map(UserRow::into_domain)
            .collect()
    }

    fn deactivate_users_except(&mut self, keep: &[UserId]) -> crm_core::Result<u64> {
        let keep: Vec<i64> = keep.iter().map(|u| u.0).collect();
        let n = diesel::update(
            users::table
                .filter(users::active.eq(true))
                .filter(users::id.ne_all(&keep)),
        )
        .set(users::active.eq(false))
        .execute(self.conn)
        .dom()?;
        Ok(n as u64)
    }
}
