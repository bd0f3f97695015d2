//! The naive queries a CRM without a search index runs, kept here so that benchmarks can
//! compare against them on the same data in the same run. Not for production use: each call
//! scans the whole address table.

use diesel::prelude::*;

use crate::error::StorageError;
use crate::schema::addresses;
use crate::store::DieselStore;

diesel::define_sql_function! {
    /// SQL `lower(text)`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// SQL `lower(text)` for a nullable column.
    #[sql_name = "lower"]
    fn lower_nullable(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// The "name contains" search of ORMs without a text index:
/// `lower(name1) LIKE '%needle%'` (and `lower(city) LIKE '%city%'`), counted, then one page
/// ordered by name. Returns the total and the ids of the page.
///
/// # Errors
/// [`StorageError::Query`].
pub fn name_contains_scan(
    store: &DieselStore,
    needle: &str,
    city: Option<&str>,
    limit: i64,
) -> Result<(i64, Vec<i64>), StorageError> {
    let name_pattern = format!("%{}%", needle.to_lowercase());
    let city_pattern = city.map(|c| format!("%{}%", c.to_lowercase()));
    store.with_connection(|conn| {
        let query = || {
            let mut q = addresses::table
                .filter(lower(addresses::name1).like(name_pattern.clone()))
                .into_boxed();
            if let Some(city) = &city_pattern {
                q = q.filter(lower_nullable(addresses::city).like(city.clone()));
            }
            q
        };
        let total: i64 = query().count().get_result(conn)?;
        let ids: Vec<i64> = query()
            .select(addresses::id)
            .order((addresses::name1.asc(), addresses::id.asc()))
            .limit(limit)
            .load(conn)?;
        Ok((total, ids))
    })
}

/// The product search of ORMs without a text index, the Odoo way: the typed text as one
/// case-insensitive `LIKE '%text%'` over the product's record (names, descriptions, numbers),
/// in number order, first `limit`. Returns the numbers found.
///
/// # Errors
/// [`StorageError::Query`].
pub fn product_contains_scan(
    store: &DieselStore,
    text: &str,
    limit: i64,
) -> Result<Vec<String>, StorageError> {
    use crate::schema::products;
    let pattern = format!("%{}%", text.trim().to_lowercase());
    store.with_connection(|conn| {
        Ok(products::table
            .filter(lower(products::data).like(pattern))
            .select(products::number)
            .order(products::number)
            .limit(limit)
            .load(conn)?)
    })
}

/// The usual audit approach, as the peer of traces: a trigger that copies the whole row of
/// every updated opportunity into `opportunities_audit`. Installs it.
///
/// # Errors
/// [`StorageError::Query`].
pub fn install_audit_trigger(store: &DieselStore) -> Result<(), StorageError> {
    use diesel::connection::SimpleConnection;
    let sql = match store.backend() {
        crate::Backend::Sqlite => {
            "CREATE TABLE opportunities_audit AS \
                 SELECT *, CURRENT_TIMESTAMP AS audit_at, 'update' AS audit_op \
                 FROM opportunities WHERE 0; \
             CREATE TRIGGER opportunities_audit_update AFTER UPDATE ON opportunities BEGIN \
                 INSERT INTO opportunities_audit \
                     SELECT *, CURRENT_TIMESTAMP, 'update' FROM opportunities WHERE id = NEW.id; \
             END;"
        }
        crate::Backend::Postgres => {
            "CREATE TABLE opportunities_audit AS \
                 SELECT *, now() AS audit_at, 'update'::text AS audit_op \
                 FROM opportunities WHERE false; \
             CREATE FUNCTION opportunities_audit_copy() RETURNS trigger AS $$ \
             BEGIN \
                 INSERT INTO opportunities_audit SELECT NEW.*, now(), TG_OP; \
                 RETURN NEW; \
             END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER opportunities_audit_update AFTER UPDATE ON opportunities \
                 FOR EACH ROW EXECUTE FUNCTION opportunities_audit_copy();"
        }
    };
    store.with_connection(|c| Ok(c.batch_execute(sql)?))
}

/// Removes what [`install_audit_trigger`] installed.
///
/// # Errors
/// [`StorageError::Query`].
pub fn remove_audit_trigger(store: &DieselStore) -> Result<(), StorageError> {
    use diesel::connection::SimpleConnection;
    let sql = match store.backend() {
        crate::Backend::Sqlite => {
            "DROP TRIGGER IF EXISTS opportunities_audit_update; \
             DROP TABLE IF EXISTS opportunities_audit;"
        }
        crate::Backend::Postgres => {
            "DROP TRIGGER IF EXISTS opportunities_audit_update ON opportunities; \
             DROP FUNCTION IF EXISTS opportunities_audit_copy(); \
             DROP TABLE IF EXISTS opportunities_audit;"
        }
    };
    store.with_connection(|c| Ok(c.batch_execute(sql)?))
}
