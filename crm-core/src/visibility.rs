//! Who may see which address.
//!
//! The decision is made here, purely, and handed to storage as an [`AddressScope`] that the
//! adapter turns into a condition of its queries — so a list is never filtered after loading
//! and a page never comes back short. [`AddressScope::admits`] states the same rule for one
//! loaded address; a test keeps the two in step.

use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::ids::UserId;
use crate::user::Actor;

/// The company's policy, from settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisibilityPolicy {
    /// All sales staff see all addresses.
    #[default]
    Open,
    /// A rep sees the addresses he is responsible for (as field or inside rep); managers and
    /// administrators see all.
    Assigned,
}

/// The addresses an actor may see, as storage applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressScope {
    /// No restriction.
    All,
    /// Only addresses where this user is the field rep or the inside rep.
    Responsible(UserId),
}

impl VisibilityPolicy {
    /// The scope of `actor` under this policy.
    ///
    /// Someone without any sales role sees only what he is responsible for, under either
    /// policy: "open" opens the addresses to sales staff, not to everyone with a login.
    pub fn address_scope(self, actor: &Actor) -> AddressScope {
        if actor.sees_everything() {
            return AddressScope::All;
        }
        match self {
            VisibilityPolicy::Open if actor.is_sales_staff() => AddressScope::All,
            _ => AddressScope::Responsible(actor.user_id),
        }
    }
}

impl AddressScope {
    /// Whether `address` lies within the scope — the same rule storage applies in its queries.
    pub fn admits(&self, address: &Address) -> bool {
        match self {
            AddressScope::All => true,
            AddressScope::Responsible(user) => {
                address.data.field_rep == Some(*user) || address.data.inside_rep == Some(*user)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::Role;

    #[test]
    fn scopes_follow_policy_and_role() {
        let rep = Actor::new(UserId(1), "Rep", vec![Role::FieldSales]);
        let manager = Actor::new(UserId(2), "Manager", vec![Role::SalesManager]);
        let guest = Actor::new(UserId(3), "Guest", vec![]);
        assert_eq!(
            VisibilityPolicy::Open.address_scope(&rep),
            AddressScope::All
        );
        assert_eq!(
            VisibilityPolicy::Assigned.address_scope(&rep),
            AddressScope::Responsible(UserId(1))
        );
        assert_eq!(
            VisibilityPolicy::Assigned.address_scope(&manager),
            AddressScope::All
        );
        assert_eq!(
            VisibilityPolicy::Open.address_scope(&guest),
            AddressScope::Responsible(UserId(3))
        );
    }
}
