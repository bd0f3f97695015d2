use crm_core::{
    AddressId, AddressQuery, AddressScope, NewPool, Pool, PoolAddition, PoolData, PoolId,
    PoolRepository, PoolVisibility, Stamp, UserId, Version,
};
use diesel::prelude::*;

use super::DieselTx;
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::rows::pool::{NewPoolRow, PoolContentRow, PoolRow};
use crate::rows::{ts, utc};
use crate::schema::{pool_members, pools};

const PUBLIC: &str = PoolVisibility::Public.as_str();

impl PoolRepository for DieselTx<'_> {
    fn insert_pool(&mut self, new: &NewPool) -> crm_core::Result<PoolId> {
        let row = NewPoolRow {
            content: PoolContentRow::new(&new.data, new.created),
            owner_id: new.owner.0,
            members: 0,
            created_at: ts(new.created.at),
            created_by: new.created.by.0,
            version: Version::FIRST.0,
        };
        let id: i64 = with_inner!(&mut *self.conn, |c| {
            diesel::insert_into(pools::table)
                .values(&row)
                .returning(pools::id)
                .get_result(c)
        })
        .dom()?;
        Ok(PoolId(id))
    }

    fn pool(&mut self, id: PoolId) -> crm_core::Result<Option<Pool>> {
        pools::table
            .filter(pools::id.eq(id.0))
            .select(PoolRow::as_select())
            .first::<PoolRow>(self.conn)
            .optional()
            .dom()?
            .map(PoolRow::into_domain)
            .transpose()
    }

    fn pool_named(&mut self, owner: UserId, name_key: &str) -> crm_core::Result<Option<PoolId>> {
        let id: Option<i64> = pools::table
            .filter(pools::owner_id.eq(owner.0))
            .filter(pools::name_key.eq(name_key))
            .select(pools::id)
            .first(self.conn)
            .optional()
            .dom()?;
        Ok(id.map(PoolId))
    }

    fn update_pool(
        &mut self,
        id: PoolId,
        expected: Version,
        data: &PoolData,
        updated: Stamp,
    ) -> crm_core::Result<bool> {
        let row = PoolContentRow::new(data, updated);
        let n = diesel::update(
            pools::table
                .filter(pools::id.eq(id.0))
                .filter(pools::version.eq(expected.0)),
        )
        .set((&row, pools::version.eq(expected.next().0)))
        .execute(self.conn)
        .dom()?;
        Ok(n == 1)
    }

    fn delete_pool(&mut self, id: PoolId, expected: Version) -> crm_core::Result<bool> {
        let current: Option<i64> = pools::table
            .filter(pools::id.eq(id.0))
            .filter(pools::version.eq(expected.0))
            .select(pools::id)
            .first(self.conn)
            .optional()
            .dom()?;
        if current.is_none() {
            return Ok(false);
        }
        diesel::delete(pool_members::table.filter(pool_members::pool_id.eq(id.0)))
            .execute(self.conn)
            .dom()?;
        let n = diesel::delete(pools::table.filter(pools::id.eq(id.0)))
            .execute(self.conn)
            .dom()?;
        Ok(n == 1)
    }

    fn add_member(
        &mut self,
        pool: PoolId,
        address: AddressId,
        added: Stamp,
    ) -> crm_core::Result<bool> {
        let exists: Option<i64> = pool_members::table
            .filter(pool_members::pool_id.eq(pool.0))
            .filter(pool_members::address_id.eq(address.0))
            .select(pool_members::address_id)
            .first(self.conn)
            .optional()
            .dom()?;
        if exists.is_some() {
            return Ok(false);
        }
        diesel::insert_into(pool_members::table)
            .values((
                pool_members::pool_id.eq(pool.0),
                pool_members::address_id.eq(address.0),
                pool_members::added_by.eq(added.by.0),
                pool_members::added_at.eq(ts(added.at)),
            ))
            .execute(self.conn)
            .dom()?;
        count_members(self, pool, 1)?;
        Ok(true)
    }

    fn membership(&mut self, pool: PoolId, address: AddressId) -> crm_core::Result<Option<Stamp>> {
        let added: Option<(i64, chrono::NaiveDateTime)> = pool_members::table
            .filter(pool_members::pool_id.eq(pool.0))
            .filter(pool_members::address_id.eq(address.0))
            .select((pool_members::added_by, pool_members::added_at))
            .first(self.conn)
            .optional()
            .dom()?;
        Ok(added.map(|(by, at)| Stamp {
            at: utc(at),
            by: UserId(by),
        }))
    }

    fn remove_member(&mut self, pool: PoolId, address: AddressId) -> crm_core::Result<bool> {
        let n = diesel::delete(
            pool_members::table
                .filter(pool_members::pool_id.eq(pool.0))
                .filter(pool_members::address_id.eq(address.0)),
        )
        .execute(self.conn)
        .dom()?;
        if n > 0 {
            count_members(self, pool, -1)?;
        }
        Ok(n > 0)
    }

    fn add_members_matching(
        &mut self,
        pool: PoolId,
        query: &AddressQuery,
        scope: AddressScope,
        added: Stamp,
    ) -> crm_core::Result<PoolAddition> {
        let (matched, inserted) =
            super::search::insert_matching(self.conn, pool, query, scope, added)?;
        count_members(self, pool, inserted as i64)?;
        Ok(PoolAddition {
            added: inserted,
            already: matched.saturating_sub(inserted),
        })
    }

    fn pools_of_address(
        &mut self,
        address: AddressId,
        viewer: UserId,
    ) -> crm_core::Result<Vec<Pool>> {
        pool_members::table
            .inner_join(pools::table)
            .filter(pool_members::address_id.eq(address.0))
            .filter(
                pools::visibility
                    .eq(PUBLIC)
                    .or(pools::owner_id.eq(viewer.0)),
            )
            .order((pools::name_key, pools::id))
            .select(PoolRow::as_select())
            .load::<PoolRow>(self.conn)
            .dom()?
            .into_iter()
            .map(PoolRow::into_domain)
            .collect()
    }

    fn visible_pools(&mut self, viewer: UserId) -> crm_core::Result<Vec<Pool>> {
        pools::table
            .filter(
                pools::visibility
                    .eq(PUBLIC)
                    .or(pools::owner_id.eq(viewer.0)),
            )
            .order((pools::name_key, pools::id))
            .limit(1_000)
            .select(PoolRow::as_select())
            .load::<PoolRow>(self.conn)
            .dom()?
            .into_iter()
            .map(PoolRow::into_domain)
            .collect()
    }
}

/// Keeps the pool's member count in step, in the same transaction as the change.
fn count_members(tx: &mut DieselTx<'_>, pool: PoolId, delta: i64) -> crm_core::Result<()> {
    if delta != 0 {
        diesel::update(pools::table.filter(pools::id.eq(pool.0)))
            .set(pools::members.eq(pools::members + delta))
            .execute(tx.conn)
            .dom()?;
    }
    Ok(())
}
