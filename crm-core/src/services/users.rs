use serde::{Deserialize, Serialize};

use super::Context;
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::ports::Store;
use crate::user::{Actor, User, UserDirectory};

/// What a directory sync changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSyncReport {
    /// Users written (new or refreshed).
    pub upserted: u64,
    /// Users no longer in the directory, now inactive.
    pub deactivated: u64,
}

/// The CRM's copy of the host's users.
pub struct UserService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> UserService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        UserService { ctx }
    }

    /// Copies every user of the host's directory; users that left it become inactive (never
    /// deleted: addresses and notes still name them). One transaction.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `users[i].login` and the like for bad entries (nothing is
    /// written then); [`Error::Duplicate`] when two users share a login; directory failures.
    pub fn sync(&self, directory: &dyn UserDirectory) -> Result<UserSyncReport> {
        let users = directory.users()?;
        for (i, user) in users.iter().enumerate() {
            user.validate().map_err(|e| match e {
                Error::Invalid(inv) => Error::Invalid(inv.prefixed(&format!("users[{i}]"))),
                other => other,
            })?;
        }
        self.ctx.store.write(|tx| {
            for user in &users {
                tx.upsert_user(user)?;
            }
            let keep: Vec<UserId> = users.iter().map(|u| u.id).collect();
            let deactivated = tx.deactivate_users_except(&keep)?;
            Ok(UserSyncReport {
                upserted: users.len() as u64,
                deactivated,
            })
        })
    }

    /// Inserts or refreshes one user.
    ///
    /// # Errors
    /// [`Error::Invalid`]; [`Error::Duplicate`] when another user has the login.
    pub fn put(&self, user: &User) -> Result<()> {
        user.validate()?;
        self.ctx.store.write(|tx| tx.upsert_user(user))
    }

    /// The user with `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub fn get(&self, id: UserId) -> Result<User> {
        self.ctx
            .store
            .read(|tx| tx.user(id))?
            .ok_or_else(|| Error::not_found(EntityKind::User, id))
    }

    /// All users by display name; inactive ones when asked.
    ///
    /// # Errors
    /// Storage failures only.
    pub fn list(&self, include_inactive: bool) -> Result<Vec<User>> {
        self.ctx.store.read(|tx| tx.users(include_inactive))
    }

    /// The acting user for a stored user, for hosts that keep only ids in their sessions.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user; [`Error::Forbidden`] for an inactive one.
    pub fn actor(&self, id: UserId) -> Result<Actor> {
        let user = self.get(id)?;
        if !user.active {
            return Err(Error::Forbidden(format!("user {} is inactive", user.login)));
        }
        Ok(user.actor())
    }
}
