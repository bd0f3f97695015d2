use chrono::NaiveDateTime;
use crm_core::{Pool, PoolData, PoolId, Stamp, UserId, Version};
use diesel::prelude::*;

use super::{parse, stamp, ts};
use crate::schema::pools;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = pools)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct PoolRow {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub visibility: String,
    pub owner_id: i64,
    pub members: i64,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
    pub version: i64,
}

/// The editable columns.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = pools)]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
pub(crate) struct PoolContentRow {
    pub name: String,
    pub name_key: String,
    pub description: Option<String>,
    pub visibility: &'static str,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = pools)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct NewPoolRow {
    #[diesel(embed)]
    pub content: PoolContentRow,
    pub owner_id: i64,
    pub members: i64,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub version: i64,
}

impl PoolContentRow {
    pub(crate) fn new(data: &PoolData, updated: Stamp) -> Self {
        PoolContentRow {
            name: data.name.clone(),
            name_key: data.name_key(),
            description: data.description.clone(),
            visibility: data.visibility.as_str(),
            updated_at: ts(updated.at),
            updated_by: updated.by.0,
        }
    }
}

impl PoolRow {
    pub(crate) fn into_domain(self) -> crm_core::Result<Pool> {
        Ok(Pool {
            id: PoolId(self.id),
            data: PoolData {
                name: self.name,
                description: self.description,
                visibility: parse("pools", self.id, "visibility", self.visibility.parse())?,
            },
            owner: UserId(self.owner_id),
            members: self.members.max(0) as u64,
            created: stamp(self.created_at, self.created_by),
            updated: stamp(self.updated_at, self.updated_by),
            version: Version(self.version),
        })
    }
}
