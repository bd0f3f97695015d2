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

/// One group of [`revenue_group_by`]: a month (`YYYY-MM`) and product group with its sums.
#[derive(Debug, Clone, QueryableByName)]
pub struct RevenueGroup {
    /// The month.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub month: String,
    /// The product group, empty for none.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub product_group: String,
    /// Net revenue, summed as floating point by the database.
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub net: f64,
    /// Lines.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub lines: i64,
}

/// One customer of [`revenue_top_customers`].
#[derive(Debug, Clone, QueryableByName)]
pub struct RevenueCustomer {
    /// The customer's number.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub customer: i64,
    /// His net revenue, summed as floating point by the database.
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub net: f64,
}

/// Revenue figures the usual way, as the peer of the monthly summary: one `GROUP BY` over a
/// customer's raw facts by month and product group (amounts read out of each fact's JSON).
///
/// # Errors
/// [`StorageError::Query`].
pub fn revenue_group_by(
    store: &DieselStore,
    customer: i64,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<RevenueGroup>, StorageError> {
    use diesel::sql_types::{BigInt, Date};
    const SQLITE: &str = "SELECT strftime('%Y-%m', fact_date) AS month, \
             COALESCE(json_extract(data, '$.product_group'), '') AS product_group, \
             SUM(CAST(json_extract(data, '$.net_amount') AS REAL)) AS net, COUNT(*) AS lines \
         FROM erp_revenue WHERE customer = ? AND fact_date BETWEEN ? AND ? GROUP BY 1, 2";
    const POSTGRES: &str = "SELECT to_char(fact_date, 'YYYY-MM') AS month, \
             COALESCE(data::json->>'product_group', '') AS product_group, \
             SUM((data::json->>'net_amount')::numeric)::float8 AS net, COUNT(*) AS lines \
         FROM erp_revenue WHERE customer = $1 AND fact_date BETWEEN $2 AND $3 GROUP BY 1, 2";
    store.with_connection(|conn| {
        Ok(match conn {
            crate::connection::AnyConnection::Sqlite(c) => diesel::sql_query(SQLITE)
                .bind::<BigInt, _>(customer)
                .bind::<Date, _>(from)
                .bind::<Date, _>(to)
                .load(c)?,
            crate::connection::AnyConnection::Postgresql(c) => diesel::sql_query(POSTGRES)
                .bind::<BigInt, _>(customer)
                .bind::<Date, _>(from)
                .bind::<Date, _>(to)
                .load(c)?,
        })
    })
}

/// A field rep's largest customers the usual way, as the peer of the monthly summary: his
/// addresses joined with their raw facts, `GROUP BY` customer, largest first.
///
/// # Errors
/// [`StorageError::Query`].
pub fn revenue_top_customers(
    store: &DieselStore,
    field_rep: i64,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    limit: i64,
) -> Result<Vec<RevenueCustomer>, StorageError> {
    use diesel::sql_types::{BigInt, Date};
    const SQLITE: &str = "SELECT f.customer AS customer, \
             SUM(CAST(json_extract(f.data, '$.net_amount') AS REAL)) AS net \
         FROM addresses a JOIN erp_revenue f ON f.customer = a.number \
         WHERE a.field_rep_id = ? AND f.fact_date BETWEEN ? AND ? \
         GROUP BY f.customer ORDER BY net DESC LIMIT ?";
    const POSTGRES: &str = "SELECT f.customer AS customer, \
             SUM((f.data::json->>'net_amount')::numeric)::float8 AS net \
         FROM addresses a JOIN erp_revenue f ON f.customer = a.number \
         WHERE a.field_rep_id = $1 AND f.fact_date BETWEEN $2 AND $3 \
         GROUP BY f.customer ORDER BY net DESC LIMIT $4";
    store.with_connection(|conn| {
        Ok(match conn {
            crate::connection::AnyConnection::Sqlite(c) => diesel::sql_query(SQLITE)
                .bind::<BigInt, _>(field_rep)
                .bind::<Date, _>(from)
                .bind::<Date, _>(to)
                .bind::<BigInt, _>(limit)
                .load(c)?,
            crate::connection::AnyConnection::Postgresql(c) => diesel::sql_query(POSTGRES)
                .bind::<BigInt, _>(field_rep)
                .bind::<Date, _>(from)
                .bind::<Date, _>(to)
                .bind::<BigInt, _>(limit)
                .load(c)?,
        })
    })
}
