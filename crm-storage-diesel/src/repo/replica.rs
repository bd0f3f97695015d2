//! The ERP replica, write side: batches of the sync API. Each record is kept as exact JSON
//! (`data`) beside the columns its queries use; a record is written only when it is new or
//! its JSON differs from the stored one.

use std::collections::{BTreeMap, HashMap};

use crm_core::erp::{
    Applied, ConditionScope, ConditionTarget, ListPrice, Replaced, SpecialCondition, SyncBatch,
    SyncReport,
};
use diesel::prelude::*;
use diesel::upsert::excluded;
use serde::Serialize;

use super::{DieselTx, insert_in_blocks, stored_by_pair};
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::schema::{
    erp_conditions, erp_customer_groups, erp_documents, erp_list_prices, erp_open_items,
    erp_order_lines, erp_payments, erp_product_groups,
};

/// Keys looked up per statement.
pub(super) const CHUNK: usize = 500;

pub(super) fn json(value: &impl Serialize, at: usize) -> crm_core::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| crm_core::Error::invalid(format!("upserts[{at}]"), e.to_string()))
}

/// The last record of each key, with its index and JSON, in key order.
pub(super) fn last_per_key<T, K: Ord>(
    records: &[T],
    key: impl Fn(&T) -> K,
) -> crm_core::Result<BTreeMap<K, (usize, String)>>
where
    T: Serialize,
{
    let mut out = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        out.insert(key(r), (i, json(r, i)?));
    }
    Ok(out)
}

/// The records whose JSON differs from `stored` (keyed the same way).
pub(super) fn changed<'a, T, K: Ord + std::hash::Hash>(
    records: &'a [T],
    latest: &'a BTreeMap<K, (usize, String)>,
    stored: &HashMap<K, String>,
) -> Vec<(&'a T, &'a str)> {
    latest
        .iter()
        .filter(|(k, (_, data))| stored.get(*k).is_none_or(|s| s != data))
        .map(|(_, (i, data))| (&records[*i], data.as_str()))
        .collect()
}

/// The changed records of the streams whose changes become events, with what was stored.
fn replaced<K: Ord + std::hash::Hash>(
    latest: &BTreeMap<K, (usize, String)>,
    stored: &HashMap<K, String>,
) -> Vec<Replaced> {
    latest
        .iter()
        .filter(|(k, (_, data))| stored.get(*k).is_none_or(|s| s != data))
        .map(|(k, (i, _))| Replaced {
            index: *i,
            previous: stored.get(k).cloned(),
        })
        .collect()
}

fn text_key(key: &str) -> String {
    key.to_owned()
}

pub(super) fn scope_key(scope: &ConditionScope) -> String {
    match scope {
        ConditionScope::Customer(n) => format!("c:{n}"),
        ConditionScope::CustomerGroup(g) => format!("g:{g}"),
    }
}

pub(super) fn target_key(target: &ConditionTarget) -> String {
    match target {
        ConditionTarget::Product(p) => format!("p:{p}"),
        ConditionTarget::ProductGroup(g) => format!("g:{g}"),
        ConditionTarget::All => "*".to_owned(),
    }
}

fn valid_key(price: &ListPrice) -> String {
    price.valid_from.map(|d| d.to_string()).unwrap_or_default()
}

pub(super) fn position(p: u32) -> i64 {
    i64::from(p)
}

/// Loads `(key, data)` of the stored rows whose single text key is among `keys`.
macro_rules! stored_by_text_key {
    ($conn:expr, $table:ident, $key:ident, $keys:expr) => {{
        let keys: Vec<String> = $keys;
        let mut stored = HashMap::new();
        for chunk in keys.chunks(CHUNK) {
            let rows: Vec<(String, String)> = $table::table
                .filter($table::$key.eq_any(chunk))
                .select(($table::$key, $table::data))
                .load(&mut *$conn)
                .dom()?;
            stored.extend(rows);
        }
        stored
    }};
}

impl DieselTx<'_> {
    fn apply(&mut self, batch: &SyncBatch) -> crm_core::Result<(usize, usize, Vec<Replaced>)> {
        let conn = &mut *self.conn;
        match batch {
            SyncBatch::Documents { upserts, deletions } => {
                let latest = last_per_key(upserts, |d| d.number.to_string())?;
                let stored = stored_by_text_key!(
                    conn,
                    erp_documents,
                    number,
                    latest.keys().cloned().collect()
                );
                let replaced_rows = replaced(&latest, &stored);
                let rows: Vec<_> = changed(upserts, &latest, &stored)
                    .into_iter()
                    .map(|(d, data)| {
                        (
                            erp_documents::number.eq(d.number.to_string()),
                            erp_documents::customer.eq(d.customer.0),
                            erp_documents::kind.eq(d.kind.as_str()),
                            erp_documents::status.eq(d.status.as_str()),
                            erp_documents::doc_date.eq(d.date),
                            erp_documents::data.eq(data),
                        )
                    })
                    .collect();
                insert_in_blocks!(conn, &rows, 100, |c, block| {
                    diesel::insert_into(erp_documents::table)
                        .values(block)
                        .on_conflict(erp_documents::number)
                        .do_update()
                        .set((
                            erp_documents::customer.eq(excluded(erp_documents::customer)),
                            erp_documents::kind.eq(excluded(erp_documents::kind)),
                            erp_documents::status.eq(excluded(erp_documents::status)),
                            erp_documents::doc_date.eq(excluded(erp_documents::doc_date)),
                            erp_documents::data.eq(excluded(erp_documents::data)),
                        ))
                        .execute(c)
                });
                let keys: Vec<String> = deletions.iter().map(|n| n.to_string()).collect();
                let mut deleted = 0;
                for chunk in keys.chunks(CHUNK) {
                    deleted += diesel::delete(
                        erp_documents::table.filter(erp_documents::number.eq_any(chunk)),
                    )
                    .execute(&mut *conn)
                    .dom()?;
                }
                Ok((rows.len(), deleted, replaced_rows))
            }
            SyncBatch::OrderLines { upserts, deletions } => {
                let latest =
                    last_per_key(upserts, |l| (l.order.to_string(), position(l.position)))?;
                let stored = stored_by_pair!(
                    conn,
                    erp_order_lines,
                    order_number,
                    position,
                    latest.keys().map(|k| k.0.clone()).collect()
                );
                let replaced_rows = replaced(&latest, &stored);
                let rows: Vec<_> = changed(upserts, &latest, &stored)
                    .into_iter()
                    .map(|(l, data)| {
                        (
                            erp_order_lines::order_number.eq(l.order.to_string()),
                            erp_order_lines::position.eq(position(l.position)),
                            erp_order_lines::customer.eq(l.customer.0),
                            erp_order_lines::is_open.eq(!l.open_quantity().is_zero()),
                            erp_order_lines::promised.eq(l.promised_date()),
                            erp_order_lines::data.eq(data),
                        )
                    })
                    .collect();
                insert_in_blocks!(conn, &rows, 100, |c, block| {
                    diesel::insert_into(erp_order_lines::table)
                        .values(block)
                        .on_conflict((erp_order_lines::order_number, erp_order_lines::position))
                        .do_update()
                        .set((
                            erp_order_lines::customer.eq(excluded(erp_order_lines::customer)),
                            erp_order_lines::is_open.eq(excluded(erp_order_lines::is_open)),
                            erp_order_lines::promised.eq(excluded(erp_order_lines::promised)),
                            erp_order_lines::data.eq(excluded(erp_order_lines::data)),
                        ))
                        .execute(c)
                });
                let mut deleted = 0;
                for (order, pos) in deletions {
                    deleted += diesel::delete(
                        erp_order_lines::table
                            .filter(erp_order_lines::order_number.eq(order.to_string()))
                            .filter(erp_order_lines::position.eq(position(*pos))),
                    )
                    .execute(&mut *conn)
                    .dom()?;
                }
                Ok((rows.len(), deleted, replaced_rows))
            }
            SyncBatch::OpenItems { upserts, deletions } => {
                let latest = last_per_key(upserts, |i| i.invoice.to_string())?;
                let stored = stored_by_text_key!(
                    conn,
                    erp_open_items,
                    invoice,
                    latest.keys().cloned().collect()
                );
                let replaced_rows = replaced(&latest, &stored);
                let rows: Vec<_> = changed(upserts, &latest, &stored)
                    .into_iter()
                    .map(|(i, data)| {
                        (
                            erp_open_items::invoice.eq(i.invoice.to_string()),
                            erp_open_items::customer.eq(i.customer.0),
                            erp_open_items::due_date.eq(i.due_date),
                            erp_open_items::data.eq(data),
                        )
                    })
                    .collect();
                insert_in_blocks!(conn, &rows, 200, |c, block| {
                    diesel::insert_into(erp_open_items::table)
                        .values(block)
                        .on_conflict(erp_open_items::invoice)
                        .do_update()
                        .set((
                            erp_open_items::customer.eq(excluded(erp_open_items::customer)),
                            erp_open_items::due_date.eq(excluded(erp_open_items::due_date)),
                            erp_open_items::data.eq(excluded(erp_open_items::data)),
                        ))
                        .execute(c)
                });
                let keys: Vec<String> = deletions.iter().map(|n| n.to_string()).collect();
                let mut deleted = 0;
                for chunk in keys.chunks(CHUNK) {
                    deleted += diesel::delete(
                        erp_open_items::table.filter(erp_open_items::invoice.eq_any(chunk)),
                    )
                    .execute(&mut *conn)
                    .dom()?;
                }
                Ok((rows.len(), deleted, replaced_rows))
            }
            SyncBatch::Payments { upserts, deletions } => {
                let latest = last_per_key(upserts, |p| p.id.clone())?;
                let stored =
                    stored_by_text_key!(conn, erp_payments, id, latest.keys().cloned().collect());
                let rows: Vec<_> = changed(upserts, &latest, &stored)
                    .into_iter()
                    .map(|(p, data)| {
                        (
                            erp_payments::id.eq(p.id.clone()),
                            erp_payments::customer.eq(p.customer.0),
                            erp_payments::paid_on.eq(p.date),
                            erp_payments::data.eq(data),
                        )
                    })
                    .collect();
                insert_in_blocks!(conn, &rows, 200, |c, block| {
                    diesel::insert_into(erp_payments::table)
                        .values(block)
                        .on_conflict(erp_payments::id)
                        .do_update()
                        .set((
                            erp_payments::customer.eq(excluded(erp_payments::customer)),
                            erp_payments::paid_on.eq(excluded(erp_payments::paid_on)),
                            erp_payments::data.eq(excluded(erp_payments::data)),
                        ))
                        .execute(c)
                });
                let keys: Vec<String> = deletions.iter().map(|k| text_key(k)).collect();
                let mut deleted = 0;
                for chunk in keys.chunks(CHUNK) {
                    deleted +=
                        diesel::delete(erp_payments::table.filter(erp_payments::id.eq_any(chunk)))
                            .execute(&mut *conn)
                            .dom()?;
                }
                Ok((rows.len(), deleted, Vec::new()))
            }
            SyncBatch::ListPrices { upserts, deletions } => {
                let latest = last_per_key(upserts, |p| {
                    (
                        p.product.to_string(),
                        p.currency.code().to_owned(),
                        valid_key(p),
                    )
                })?;
                let mut products: Vec<String> = latest.keys().map(|k| k.0.clone()).collect();
                products.dedup();
                let mut stored = HashMap::new();
                for chunk in products.chunks(CHUNK) {
                    let rows: Vec<(String, String, String, String)> = erp_list_prices::table
                        .filter(erp_list_prices::product.eq_any(chunk))
                        .select((
                            erp_list_prices::product,
                            erp_list_prices::currency,
                            erp_list_prices::valid_key,
                            erp_list_prices::data,
                        ))
                        .load(&mut *conn)
                        .dom()?;
                    stored.extend(rows.into_iter().map(|(p, c, v, d)| ((p, c, v), d)));
                }
                let rows: Vec<_> = changed(upserts, &latest, &stored)
                    .into_iter()
                    .map(|(p, data)| {
                        (
                            erp_list_prices::product.eq(p.product.to_string()),
                            erp_list_prices::currency.eq(p.currency.code().to_owned()),
                            erp_list_prices::valid_key.eq(valid_key(p)),
                            erp_list_prices::valid_from.eq(p.valid_from),
                            erp_list_prices::valid_to.eq(p.valid_to),
                            erp_list_prices::data.eq(data),
                        )
                    })
                    .collect();
                insert_in_blocks!(conn, &rows, 100, |c, block| {
                    diesel::insert_into(erp_list_prices::table)
                        .values(block)
                        .on_conflict((
                            erp_list_prices::product,
                            erp_list_prices::currency,
                            erp_list_prices::valid_key,
                        ))
                        .do_update()
                        .set((
                            erp_list_prices::valid_from.eq(excluded(erp_list_prices::valid_from)),
                            erp_list_prices::valid_to.eq(excluded(erp_list_prices::valid_to)),
                            erp_list_prices::data.eq(excluded(erp_list_prices::data)),
                        ))
                        .execute(c)
                });
                let mut deleted = 0;
                for key in deletions {
                    deleted += diesel::delete(
                        erp_list_prices::table
                            .filter(erp_list_prices::product.eq(key.product.to_string()))
                            .filter(erp_list_prices::currency.eq(key.currency.code()))
                            .filter(
                                erp_list_prices::valid_key
                                    .eq(key.valid_from.map(|d| d.to_string()).unwrap_or_default()),
                            ),
                    )
                    .execute(&mut *conn)
                    .dom()?;
                }
                Ok((rows.len(), deleted, Vec::new()))
            }
            SyncBatch::Conditions { upserts, deletions } => {
                let latest = last_per_key(upserts, |c| c.id.clone())?;
                let stored =
                    stored_by_text_key!(conn, erp_conditions, id, latest.keys().cloned().collect());
                let rows: Vec<_> = changed(upserts, &latest, &stored)
                    .into_iter()
                    .map(|(c, data): (&SpecialCondition, &str)| {
                        (
                            erp_conditions::id.eq(c.id.clone()),
                            erp_conditions::scope.eq(scope_key(&c.scope)),
                            erp_conditions::target.eq(target_key(&c.target)),
                            erp_conditions::valid_from.eq(c.valid_from),
                            erp_conditions::valid_to.eq(c.valid_to),
                            erp_conditions::data.eq(data),
                        )
                    })
                    .collect();
                insert_in_blocks!(conn, &rows, 100, |c, block| {
                    diesel::insert_into(erp_conditions::table)
                        .values(block)
                        .on_conflict(erp_conditions::id)
                        .do_update()
                        .set((
                            erp_conditions::scope.eq(excluded(erp_conditions::scope)),
                            erp_conditions::target.eq(excluded(erp_conditions::target)),
                            erp_conditions::valid_from.eq(excluded(erp_conditions::valid_from)),
                            erp_conditions::valid_to.eq(excluded(erp_conditions::valid_to)),
                            erp_conditions::data.eq(excluded(erp_conditions::data)),
                        ))
                        .execute(c)
                });
                let mut deleted = 0;
                for chunk in deletions.chunks(CHUNK) {
                    deleted += diesel::delete(
                        erp_conditions::table.filter(erp_conditions::id.eq_any(chunk)),
                    )
                    .execute(&mut *conn)
                    .dom()?;
                }
                Ok((rows.len(), deleted, Vec::new()))
            }
            SyncBatch::CustomerGroups { upserts } => {
                let mut written = 0;
                let latest: BTreeMap<i64, Vec<String>> = upserts
                    .iter()
                    .map(|(c, groups)| {
                        let mut g: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
                        g.sort();
                        g.dedup();
                        (c.0, g)
                    })
                    .collect();
                for (customer, groups) in latest {
                    let mut stored: Vec<String> = erp_customer_groups::table
                        .filter(erp_customer_groups::customer.eq(customer))
                        .select(erp_customer_groups::group_code)
                        .load(&mut *conn)
                        .dom()?;
                    stored.sort();
                    if stored == groups {
                        continue;
                    }
                    written += 1;
                    diesel::delete(
                        erp_customer_groups::table
                            .filter(erp_customer_groups::customer.eq(customer)),
                    )
                    .execute(&mut *conn)
                    .dom()?;
                    for g in groups {
                        diesel::insert_into(erp_customer_groups::table)
                            .values((
                                erp_customer_groups::customer.eq(customer),
                                erp_customer_groups::group_code.eq(g),
                            ))
                            .execute(&mut *conn)
                            .dom()?;
                    }
                }
                Ok((written, 0, Vec::new()))
            }
            SyncBatch::ProductGroups { upserts } => {
                let mut written = 0;
                let latest: BTreeMap<String, Vec<String>> = upserts
                    .iter()
                    .map(|(p, groups)| {
                        (
                            p.to_string(),
                            groups.iter().map(|g| g.to_string()).collect(),
                        )
                    })
                    .collect();
                for (product, groups) in latest {
                    let stored: Vec<String> = erp_product_groups::table
                        .filter(erp_product_groups::product.eq(&product))
                        .order(erp_product_groups::depth)
                        .select(erp_product_groups::group_code)
                        .load(&mut *conn)
                        .dom()?;
                    if stored == groups {
                        continue;
                    }
                    written += 1;
                    diesel::delete(
                        erp_product_groups::table.filter(erp_product_groups::product.eq(&product)),
                    )
                    .execute(&mut *conn)
                    .dom()?;
                    for (depth, g) in groups.into_iter().enumerate() {
                        diesel::insert_into(erp_product_groups::table)
                            .values((
                                erp_product_groups::product.eq(&product),
                                erp_product_groups::depth.eq(depth as i64),
                                erp_product_groups::group_code.eq(g),
                            ))
                            .execute(&mut *conn)
                            .dom()?;
                    }
                }
                Ok((written, 0, Vec::new()))
            }
            SyncBatch::Revenue { upserts, deletions } => self.apply_revenue(upserts, deletions),
        }
    }

    pub(super) fn write_batch(&mut self, batch: &SyncBatch) -> crm_core::Result<Applied> {
        self.plan_for_bulk()?;
        let (written, deleted, replaced) = self.apply(batch)?;
        let received = batch.upsert_count();
        Ok(Applied {
            report: SyncReport {
                received,
                written,
                unchanged: received.saturating_sub(written),
                deleted,
            },
            replaced,
        })
    }
}
