//! Users and the acting user.
//!
//! Users belong to the host: its directory (LDAP, the ERP's user table, …) is the source of
//! truth and implements [`UserDirectory`]. The CRM keeps a copy, refreshed by
//! [`UserService::sync`](crate::UserService::sync), so that addresses can name their
//! responsible reps and lists can show names without calling the host.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Result, ValueError};
use crate::ids::UserId;
use crate::values::Email;

/// What a user does in sales; decides what he may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Inside sales ("Innendienst"): quotes, orders, phone contact.
    InsideSales,
    /// Field sales ("Aussendienst"): visits customers on the road.
    FieldSales,
    /// Leads a sales team; sees every address.
    SalesManager,
    /// Administers the CRM; sees and may do everything.
    Admin,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 4] = [
        Role::InsideSales,
        Role::FieldSales,
        Role::SalesManager,
        Role::Admin,
    ];

    /// The stable name used in storage and settings.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::InsideSales => "inside_sales",
            Role::FieldSales => "field_sales",
            Role::SalesManager => "sales_manager",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| ValueError::new(format!("`{s}` is not a role")))
    }
}

/// A user as the CRM keeps him.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The host's id of the user.
    pub id: UserId,
    /// Login name, unique.
    pub login: String,
    /// Name to show, e.g. `Anna Meier`.
    pub display_name: String,
    /// E-mail, if known.
    pub email: Option<Email>,
    /// Sales roles.
    pub roles: Vec<Role>,
    /// Inactive users keep their history but no longer act.
    pub active: bool,
}

impl User {
    /// The acting user for this user.
    pub fn actor(&self) -> Actor {
        Actor::new(self.id, &self.display_name, self.roles.clone())
    }

    /// Checks the fields a host delivers: a login of 1–64 visible characters and a display
    /// name of 1–120.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming `login` or `display_name`.
    pub fn validate(&self) -> Result<()> {
        let mut v = crate::error::Validator::new();
        let login = self.login.trim();
        if login.is_empty() || login.len() > 64 || login.chars().any(char::is_whitespace) {
            v.reject("login", "must have 1 to 64 characters without spaces");
        }
        v.check(
            "display_name",
            crate::values::required_text(&self.display_name, 120),
        );
        v.finish(|| Some(()))
    }
}

/// The user on whose behalf a service call runs. The host authenticates him; every service
/// call takes one, and visibility and permissions are decided from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user's id.
    pub user_id: UserId,
    /// Name to record and show.
    pub display_name: String,
    /// Roles the host granted.
    pub roles: Vec<Role>,
}

impl Actor {
    /// An actor with `roles`.
    pub fn new(user_id: UserId, display_name: &str, roles: Vec<Role>) -> Self {
        Actor {
            user_id,
            display_name: display_name.to_owned(),
            roles,
        }
    }

    /// Whether the actor has `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Managers and administrators see every address whatever the policy.
    pub fn sees_everything(&self) -> bool {
        self.has(Role::SalesManager) || self.has(Role::Admin)
    }

    /// Whether the actor works in sales at all (any role).
    pub fn is_sales_staff(&self) -> bool {
        !self.roles.is_empty()
    }
}

/// The host's user directory: the source of the users the CRM copies.
pub trait UserDirectory {
    /// Every user the CRM should know, active or not.
    ///
    /// # Errors
    /// Whatever the host's directory fails with, mapped to [`Error::Storage`](crate::Error::Storage).
    fn users(&self) -> Result<Vec<User>>;
}

/// A fixed list of users is a directory; handy for hosts that push users themselves.
impl UserDirectory for [User] {
    fn users(&self) -> Result<Vec<User>> {
        Ok(self.to_vec())
    }
}

impl UserDirectory for Vec<User> {
    fn users(&self) -> Result<Vec<User>> {
        Ok(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers_and_admins_see_everything() {
        let rep = Actor::new(UserId(1), "Rep", vec![Role::FieldSales]);
        let boss = Actor::new(UserId(2), "Boss", vec![Role::SalesManager]);
        assert!(!rep.sees_everything());
        assert!(boss.sees_everything());
        assert_eq!("field_sales".parse::<Role>().unwrap(), Role::FieldSales);
        assert!("cook".parse::<Role>().is_err());
    }
}
