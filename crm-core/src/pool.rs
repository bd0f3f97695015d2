//! Address pools: named lists of addresses, public (for everyone who may see their
//! addresses) or private (for their owner alone).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::address::Stamp;
use crate::error::{Result, Validator, ValueError};
use crate::ids::{PoolId, UserId, Version};
use crate::user::{Actor, Role};
use crate::values::{optional_text, required_text};

/// Who sees a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PoolVisibility {
    /// Everyone who may see its addresses (and only those addresses of it).
    Public,
    /// Its owner alone.
    #[default]
    Private,
}

impl PoolVisibility {
    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PoolVisibility::Public => "public",
            PoolVisibility::Private => "private",
        }
    }
}

impl fmt::Display for PoolVisibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PoolVisibility {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" => Ok(PoolVisibility::Public),
            "private" => Ok(PoolVisibility::Private),
            other => Err(ValueError::new(format!(
                "`{other}` is not one of: public, private"
            ))),
        }
    }
}

/// The validated, editable content of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolData {
    /// Name, unique among its owner's pools (ignoring case and accents).
    pub name: String,
    /// What the pool is for.
    pub description: Option<String>,
    /// Public or private.
    pub visibility: PoolVisibility,
}

impl PoolData {
    /// The folded name that must be unique per owner.
    pub fn name_key(&self) -> String {
        crate::text::name_key(&self.name)
    }
}

/// Raw pool input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolInput {
    /// Name, required.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// `public` or `private` (default).
    pub visibility: Option<String>,
}

impl PoolInput {
    /// Validates the input.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming `name`, `description` or `visibility`.
    pub fn validate(&self) -> Result<PoolData> {
        let mut v = Validator::new();
        let name = v.check("name", required_text(&self.name, 100));
        if let Some(name) = &name
            && crate::text::name_key(name).is_empty()
        {
            v.reject("name", "needs at least one letter or digit");
        }
        let description = v.check(
            "description",
            optional_text(self.description.as_deref(), 500),
        );
        let visibility = match self
            .visibility
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => v.check("visibility", raw.parse()),
            None => Some(PoolVisibility::Private),
        };
        v.finish(|| {
            Some(PoolData {
                name: name?,
                description: description?,
                visibility: visibility?,
            })
        })
    }
}

/// A pool as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    /// Id.
    pub id: PoolId,
    /// Content.
    #[serde(flatten)]
    pub data: PoolData,
    /// Owner.
    pub owner: UserId,
    /// Members (all of them, whether the viewer may see them or not).
    pub members: u64,
    /// Creation.
    pub created: Stamp,
    /// Last change.
    pub updated: Stamp,
    /// Version.
    pub version: Version,
}

impl Pool {
    /// Whether `actor` may see and use the pool: a public one everyone, a private one its
    /// owner alone.
    pub fn visible_to(&self, actor: &Actor) -> bool {
        self.data.visibility == PoolVisibility::Public || self.owner == actor.user_id
    }

    /// Whether `actor` may add and remove members: the owner, and for a public pool every
    /// sales user.
    pub fn members_editable_by(&self, actor: &Actor) -> bool {
        self.owner == actor.user_id
            || (self.data.visibility == PoolVisibility::Public && actor.is_sales_staff())
    }

    /// Whether `actor` may rename or delete the pool: its owner or an administrator.
    pub fn manageable_by(&self, actor: &Actor) -> bool {
        self.owner == actor.user_id || actor.has(Role::Admin)
    }
}

/// A new pool to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPool {
    /// Content.
    pub data: PoolData,
    /// Owner.
    pub owner: UserId,
    /// Creation stamp.
    pub created: Stamp,
}

/// What adding a search result to a pool did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolAddition {
    /// Addresses that became members.
    pub added: u64,
    /// Addresses that were members already.
    pub already: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_input_is_checked() {
        let ok = PoolInput {
            name: " Messe Basel 2027 ".into(),
            visibility: Some("Public".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.name, "Messe Basel 2027");
        assert_eq!(ok.visibility, PoolVisibility::Public);
        assert_eq!(ok.name_key(), "messe basel 2027");
        let bad = PoolInput {
            name: "!!".into(),
            visibility: Some("team".into()),
            ..Default::default()
        }
        .validate();
        let Err(crate::Error::Invalid(e)) = bad else {
            panic!("must fail")
        };
        assert!(e.has("name") && e.has("visibility"));
    }
}
