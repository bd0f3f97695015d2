use crm_core::{Email, Role, User, UserId};
use diesel::prelude::*;

use super::parse;
use crate::schema::users;

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
pub(crate) struct UserRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub roles: String,
    pub active: bool,
}

impl UserRow {
    pub(crate) fn new(user: &User) -> Self {
        UserRow {
            id: user.id.0,
            login: user.login.trim().to_owned(),
            display_name: crm_core::text::normalize_spaces(&user.display_name),
            email: user.email.as_ref().map(|e| e.as_str().to_owned()),
            roles: user
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(","),
            active: user.active,
        }
    }

    pub(crate) fn into_domain(self) -> crm_core::Result<User> {
        let id = self.id;
        Ok(User {
            id: UserId(id),
            login: self.login,
            display_name: self.display_name,
            email: self
                .email
                .map(|e| parse("users", id, "email", Email::parse(&e)))
                .transpose()?,
            roles: self
                .roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(|r| parse("users", id, "roles", r.parse::<Role>()))
                .collect::<crm_core::Result<_>>()?,
            active: self.active,
        })
    }
}
