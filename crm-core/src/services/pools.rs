use super::Context;
use crate::address::{AddressSummary, Stamp};
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ids::{AddressId, PoolId, Version};
use crate::pool::{NewPool, Pool, PoolAddition, PoolData, PoolInput};
use crate::ports::{Store, Tx};
use crate::search::{AddressCriteria, Page, PageRequest};
use crate::user::Actor;

/// Address pools. A private pool exists for its owner alone — for everyone else every path
/// (lists, members, the search criterion, an address's pools) behaves as if it did not
/// exist. A public pool is seen by everyone, but shows each viewer only the addresses he may
/// see.
pub struct PoolService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> PoolService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        PoolService { ctx }
    }

    /// Creates a pool owned by the actor.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `name` when the actor already has a pool of that name (case
    /// and accents ignored), or other bad fields; [`Error::Forbidden`] without a sales role.
    pub fn create(&self, actor: &Actor, input: &PoolInput) -> Result<Pool> {
        super::require_sales_staff(actor, "create pools")?;
        let data = input.validate()?;
        self.ctx.store.write(|tx| {
            name_is_free(tx, actor, &data)?;
            let created = self.ctx.stamp(actor);
            let new = NewPool {
                data,
                owner: actor.user_id,
                created,
            };
            let id = tx.insert_pool(&new)?;
            Ok(Pool {
                id,
                data: new.data,
                owner: actor.user_id,
                members: 0,
                created,
                updated: created,
                version: Version::FIRST,
            })
        })
    }

    /// Renames a pool, or changes its description or visibility; its owner or an
    /// administrator.
    ///
    /// # Errors
    /// [`Error::Invalid`] as for [`PoolService::create`]; [`Error::Conflict`];
    /// [`Error::NotFound`]; [`Error::Forbidden`].
    pub fn update(
        &self,
        actor: &Actor,
        id: PoolId,
        expected: Version,
        input: &PoolInput,
    ) -> Result<Pool> {
        let data = input.validate()?;
        self.ctx.store.write(|tx| {
            let pool = self.manageable(tx, actor, id, expected)?;
            if let Some(other) = tx.pool_named(pool.owner, &data.name_key())?
                && other != id
            {
                let whose = if pool.owner == actor.user_id {
                    "you already have"
                } else {
                    "its owner already has"
                };
                return Err(Error::invalid(
                    "name",
                    format!("{whose} a pool named `{}`", data.name),
                ));
            }
            let updated = self.ctx.stamp(actor);
            if !tx.update_pool(id, expected, &data, updated)? {
                return Err(Error::conflict(EntityKind::Pool, id, expected.0));
            }
            Ok(Pool {
                data,
                updated,
                version: expected.next(),
                ..pool
            })
        })
    }

    /// Deletes a pool with its memberships (the addresses stay); its owner or an
    /// administrator.
    ///
    /// # Errors
    /// [`Error::Conflict`]; [`Error::NotFound`]; [`Error::Forbidden`].
    pub fn delete(&self, actor: &Actor, id: PoolId, expected: Version) -> Result<()> {
        self.ctx.store.write(|tx| {
            self.manageable(tx, actor, id, expected)?;
            if !tx.delete_pool(id, expected)? {
                return Err(Error::conflict(EntityKind::Pool, id, expected.0));
            }
            Ok(())
        })
    }

    /// Adds one address; `Ok(false)` when it was a member already.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a pool or address the actor may not see; [`Error::Forbidden`]
    /// when he may not change the pool's members.
    pub fn add(&self, actor: &Actor, id: PoolId, address: AddressId) -> Result<bool> {
        self.ctx.store.write(|tx| {
            self.editable(tx, actor, id)?;
            self.ctx.visible_address(tx, actor, address)?;
            tx.add_member(id, address, self.ctx.stamp(actor))
        })
    }

    /// When and by whom an address was added to the pool; `None` when it is no member.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a pool or address the actor may not see.
    pub fn membership(
        &self,
        actor: &Actor,
        id: PoolId,
        address: AddressId,
    ) -> Result<Option<Stamp>> {
        self.ctx.store.read(|tx| {
            visible(tx, actor, id)?;
            self.ctx.visible_address(tx, actor, address)?;
            tx.membership(id, address)
        })
    }

    /// Removes one address; `Ok(false)` when it was no member.
    ///
    /// # Errors
    /// As [`PoolService::add`].
    pub fn remove(&self, actor: &Actor, id: PoolId, address: AddressId) -> Result<bool> {
        self.ctx.store.write(|tx| {
            self.editable(tx, actor, id)?;
            self.ctx.visible_address(tx, actor, address)?;
            tx.remove_member(id, address)
        })
    }

    /// Adds every address of a search (the criteria of
    /// [`AddressService::search`](crate::AddressService::search), within what the actor may
    /// see) in one step and one transaction, without loading the result.
    ///
    /// # Errors
    /// As [`PoolService::add`], and [`Error::Invalid`] for bad criteria.
    pub fn add_search(
        &self,
        actor: &Actor,
        id: PoolId,
        criteria: &AddressCriteria,
    ) -> Result<PoolAddition> {
        let query = criteria.to_query()?;
        self.ctx.store.write(|tx| {
            self.editable(tx, actor, id)?;
            if let Some(source) = query.pool {
                visible(tx, actor, source)?;
            }
            tx.add_members_matching(id, &query, self.ctx.scope(actor), self.ctx.stamp(actor))
        })
    }

    /// The pools of an address the actor may see (public ones and his own private ones).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the address is not visible.
    pub fn pools_of(&self, actor: &Actor, address: AddressId) -> Result<Vec<Pool>> {
        self.ctx.store.read(|tx| {
            self.ctx.visible_address(tx, actor, address)?;
            tx.pools_of_address(address, actor.user_id)
        })
    }

    /// The pools the actor may see, by name.
    ///
    /// # Errors
    /// Storage failures.
    pub fn list(&self, actor: &Actor) -> Result<Vec<Pool>> {
        self.ctx.store.read(|tx| tx.visible_pools(actor.user_id))
    }

    /// The pool with `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or is another user's private pool.
    pub fn get(&self, actor: &Actor, id: PoolId) -> Result<Pool> {
        self.ctx.store.read(|tx| visible(tx, actor, id))
    }

    /// A page of the pool's members the actor may see, with further criteria applied within
    /// the pool.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a pool the actor may not see; as
    /// [`AddressService::search`](crate::AddressService::search).
    pub fn members(
        &self,
        actor: &Actor,
        id: PoolId,
        criteria: &AddressCriteria,
        page: PageRequest,
    ) -> Result<Page<AddressSummary>> {
        let within = AddressCriteria {
            pool: Some(id),
            ..criteria.clone()
        };
        super::AddressService::new(self.ctx).search(actor, &within, page)
    }

    fn manageable(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: PoolId,
        expected: Version,
    ) -> Result<Pool> {
        let pool = tx
            .pool(id)?
            .ok_or_else(|| Error::not_found(EntityKind::Pool, id))?;
        if !pool.manageable_by(actor) {
            return Err(if pool.visible_to(actor) {
                Error::Forbidden(format!(
                    "{} may not rename or delete pool `{}`: only its owner and administrators may",
                    actor.display_name, pool.data.name
                ))
            } else {
                Error::not_found(EntityKind::Pool, id)
            });
        }
        if pool.version != expected {
            return Err(Error::conflict(EntityKind::Pool, id, expected.0));
        }
        Ok(pool)
    }

    fn editable(&self, tx: &mut dyn Tx, actor: &Actor, id: PoolId) -> Result<Pool> {
        let pool = visible(tx, actor, id)?;
        if !pool.members_editable_by(actor) {
            return Err(Error::Forbidden(format!(
                "{} may not change the members of pool `{}`",
                actor.display_name, pool.data.name
            )));
        }
        Ok(pool)
    }
}

/// The pool, if the actor may see it; another user's private pool does not exist for him.
pub(super) fn visible(tx: &mut dyn Tx, actor: &Actor, id: PoolId) -> Result<Pool> {
    tx.pool(id)?
        .filter(|p| p.visible_to(actor))
        .ok_or_else(|| Error::not_found(EntityKind::Pool, id))
}

fn name_is_free(tx: &mut dyn Tx, actor: &Actor, data: &PoolData) -> Result<()> {
    match tx.pool_named(actor.user_id, &data.name_key())? {
        Some(_) => Err(Error::invalid(
            "name",
            format!("you already have a pool named `{}`", data.name),
        )),
        _ => Ok(()),
    }
}
