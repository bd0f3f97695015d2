//! The pool repository.

use crate::address::Stamp;
use crate::error::Result;
use crate::ids::{AddressId, PoolId, UserId, Version};
use crate::pool::{NewPool, Pool, PoolAddition, PoolData};
use crate::search::AddressQuery;
use crate::visibility::AddressScope;

/// Address pools and their members.
pub trait PoolRepository {
    /// Stores a new pool.
    ///
    /// # Errors
    /// [`Error::Duplicate`](crate::Error::Duplicate) when the owner has a pool of that name.
    fn insert_pool(&mut self, new: &NewPool) -> Result<PoolId>;

    /// The pool with `id`.
    ///
    /// # Errors
    /// Storage failures only.
    fn pool(&mut self, id: PoolId) -> Result<Option<Pool>>;

    /// The owner's pool whose folded name is `name_key`.
    ///
    /// # Errors
    /// Storage failures only.
    fn pool_named(&mut self, owner: UserId, name_key: &str) -> Result<Option<PoolId>>;

    /// Replaces a pool's content when its version is `expected`; `Ok(false)` otherwise.
    ///
    /// # Errors
    /// [`Error::Duplicate`](crate::Error::Duplicate) when the new name is taken.
    fn update_pool(
        &mut self,
        id: PoolId,
        expected: Version,
        data: &PoolData,
        updated: Stamp,
    ) -> Result<bool>;

    /// Deletes a pool and its memberships when its version is `expected`.
    ///
    /// # Errors
    /// Storage failures only.
    fn delete_pool(&mut self, id: PoolId, expected: Version) -> Result<bool>;

    /// Adds an address; `Ok(false)` when it was a member already.
    ///
    /// # Errors
    /// Storage failures only.
    fn add_member(&mut self, pool: PoolId, address: AddressId, added: Stamp) -> Result<bool>;

    /// When and by whom `address` was added to `pool`; `None` when it is no member.
    ///
    /// # Errors
    /// Storage failures only.
    fn membership(&mut self, pool: PoolId, address: AddressId) -> Result<Option<Stamp>>;

    /// Removes an address; `Ok(false)` when it was no member.
    ///
    /// # Errors
    /// Storage failures only.
    fn remove_member(&mut self, pool: PoolId, address: AddressId) -> Result<bool>;

    /// Adds every address in `scope` matching `query`, in one statement (the result set is
    /// never loaded).
    ///
    /// # Errors
    /// Storage failures only.
    fn add_members_matching(
        &mut self,
        pool: PoolId,
        query: &AddressQuery,
        scope: AddressScope,
        added: Stamp,
    ) -> Result<PoolAddition>;

    /// The public pools and `viewer`'s private pools that hold `address`, by name.
    ///
    /// # Errors
    /// Storage failures only.
    fn pools_of_address(&mut self, address: AddressId, viewer: UserId) -> Result<Vec<Pool>>;

    /// The public pools and `viewer`'s private pools, by name, at most 1,000.
    ///
    /// # Errors
    /// Storage failures only.
    fn visible_pools(&mut self, viewer: UserId) -> Result<Vec<Pool>>;
}
