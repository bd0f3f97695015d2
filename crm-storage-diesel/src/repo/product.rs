//! The product catalog, kept as exact JSON beside the columns its lists filter by.

use std::collections::HashMap;

use crm_core::erp::{GroupCode, ProductNumber};
use crm_core::ports::{ProductRepository, ProductSelection, ProductWrite};
use crm_core::product::{Product, ProductGroup};
use crm_core::search::{Page, PageRequest};
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::replica::CHUNK;
use super::{DieselTx, insert_in_blocks};
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::schema::{product_groups, product_promotions, products};

/// Lookups of more numbers than this are planned as bulk work.
const BULK: usize = 100;

fn json(value: &impl serde::Serialize) -> crm_core::Result<String> {
    serde_json::to_string(value).map_err(|e| crm_core::Error::Storage(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(
    table: &str,
    key: &str,
    data: &str,
) -> crm_core::Result<T> {
    serde_json::from_str(data).map_err(|e| {
        crm_core::Error::Storage(format!("{table} {key}: stored record is unreadable: {e}"))
    })
}

fn parse_products(rows: Vec<(String, String)>) -> crm_core::Result<Vec<Product>> {
    rows.into_iter()
        .map(|(number, data)| parse("products", &number, &data))
        .collect()
}

/// The products `selection` holds, as a boxed query.
macro_rules! selected {
    ($selection:expr) => {{
        let s: &ProductSelection = $selection;
        let mut q = products::table.into_boxed();
        if let Some(groups) = &s.groups {
            q = q.filter(products::group_code.eq_any(groups.iter().map(GroupCode::as_str)));
        }
        if let Some(since) = s.new_since {
            q = q.filter(
                products::new_since
                    .ge(since)
                    .and(products::new_since.le(s.day)),
            );
        }
        if s.on_promotion {
            q = q.filter(
                products::number.eq_any(
                    product_promotions::table
                        .filter(product_promotions::starts.le(s.day))
                        .filter(product_promotions::ends.ge(s.day))
                        .select(product_promotions::product),
                ),
            );
        }
        q
    }};
}

impl ProductRepository for DieselTx<'_> {
    fn put_products(&mut self, items: &[Product]) -> crm_core::Result<ProductWrite> {
        self.plan_for_bulk()?;
        // The last record of each number wins, as in a file that names a product twice.
        let mut latest: HashMap<&str, (&Product, String)> = HashMap::new();
        for p in items {
            latest.insert(p.number.as_str(), (p, json(p)?));
        }
        let mut numbers: Vec<&str> = latest.keys().copied().collect();
        numbers.sort_unstable();
        let mut stored: HashMap<String, String> = HashMap::new();
        for chunk in numbers.chunks(CHUNK) {
            let rows: Vec<(String, String)> = products::table
                .filter(products::number.eq_any(chunk))
                .select((products::number, products::data))
                .load(&mut *self.conn)
                .dom()?;
            stored.extend(rows);
        }
        let mut write = ProductWrite::default();
        let mut changed: Vec<(&str, &Product, &str)> = Vec::new();
        for number in numbers {
            let (p, data) = &latest[number];
            match stored.get(number) {
                Some(old) if old == data => {
                    write.unchanged += 1;
                    continue;
                }
                Some(_) => write.changed += 1,
                None => write.new += 1,
            }
            write.written.push(p.number.clone());
            changed.push((number, p, data.as_str()));
        }
        let rows: Vec<_> = changed
            .iter()
            .map(|(number, p, data)| {
                (
                    products::number.eq(number.to_string()),
                    products::ean.eq(p.ean.as_ref().map(ToString::to_string)),
                    products::group_code.eq(p.group.as_ref().map(ToString::to_string)),
                    products::status.eq(p.status.as_str()),
                    products::new_since.eq(p.new_since),
                    products::data.eq(data.to_string()),
                )
            })
            .collect();
        insert_in_blocks!(self.conn, &rows, 100, |c, block| {
            diesel::insert_into(products::table)
                .values(block)
                .on_conflict(products::number)
                .do_update()
                .set((
                    products::ean.eq(excluded(products::ean)),
                    products::group_code.eq(excluded(products::group_code)),
                    products::status.eq(excluded(products::status)),
                    products::new_since.eq(excluded(products::new_since)),
                    products::data.eq(excluded(products::data)),
                ))
                .execute(c)
        });
        let keys: Vec<&str> = changed.iter().map(|(n, _, _)| *n).collect();
        for chunk in keys.chunks(CHUNK) {
            diesel::delete(
                product_promotions::table.filter(product_promotions::product.eq_any(chunk)),
            )
            .execute(&mut *self.conn)
            .dom()?;
        }
        let mut promotions = Vec::new();
        for (number, p, _) in &changed {
            for (seq, promo) in p.promotions.iter().enumerate() {
                promotions.push((
                    product_promotions::product.eq(number.to_string()),
                    product_promotions::seq.eq(i64::try_from(seq).unwrap_or(i64::MAX)),
                    product_promotions::starts.eq(promo.from),
                    product_promotions::ends.eq(promo.to),
                ));
            }
        }
        insert_in_blocks!(self.conn, &promotions, 100, |c, block| {
            diesel::insert_into(product_promotions::table)
                .values(block)
                .execute(c)
        });
        Ok(write)
    }

    fn delete_products(&mut self, numbers: &[ProductNumber]) -> crm_core::Result<usize> {
        let keys: Vec<&str> = numbers.iter().map(ProductNumber::as_str).collect();
        let mut deleted = 0;
        for chunk in keys.chunks(CHUNK) {
            diesel::delete(
                product_promotions::table.filter(product_promotions::product.eq_any(chunk)),
            )
            .execute(&mut *self.conn)
            .dom()?;
            deleted += diesel::delete(products::table.filter(products::number.eq_any(chunk)))
                .execute(&mut *self.conn)
                .dom()?;
        }
        Ok(deleted)
    }

    fn put_product_groups(&mut self, groups: &[ProductGroup]) -> crm_core::Result<()> {
        for g in groups {
            let row = (
                product_groups::code.eq(g.code.as_str()),
                product_groups::parent.eq(g.parent.as_ref().map(GroupCode::as_str)),
                product_groups::data.eq(json(g)?),
            );
            with_inner!(&mut *self.conn, |c| diesel::insert_into(
                product_groups::table
            )
            .values(row.clone())
            .on_conflict(product_groups::code)
            .do_update()
            .set((
                product_groups::parent.eq(excluded(product_groups::parent)),
                product_groups::data.eq(excluded(product_groups::data)),
            ))
            .execute(c))
            .dom()?;
        }
        Ok(())
    }

    fn product_groups_all(&mut self) -> crm_core::Result<Vec<ProductGroup>> {
        let rows: Vec<(String, String)> = product_groups::table
            .order(product_groups::code)
            .select((product_groups::code, product_groups::data))
            .load(&mut *self.conn)
            .dom()?;
        rows.into_iter()
            .map(|(code, data)| parse("product_groups", &code, &data))
            .collect()
    }

    fn products(&mut self, numbers: &[ProductNumber]) -> crm_core::Result<Vec<Product>> {
        if numbers.len() > BULK {
            // Slices of a just-written import: see `plan_for_bulk`.
            self.plan_for_bulk()?;
        }
        let keys: Vec<&str> = numbers.iter().map(ProductNumber::as_str).collect();
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(CHUNK) {
            let rows: Vec<(String, String)> = products::table
                .filter(products::number.eq_any(chunk))
                .select((products::number, products::data))
                .load(&mut *self.conn)
                .dom()?;
            found.extend(parse_products(rows)?);
        }
        Ok(found)
    }

    fn product_page(
        &mut self,
        selection: &ProductSelection,
        page: PageRequest,
    ) -> crm_core::Result<Page<Product>> {
        let rows: Vec<(String, String)> = selected!(selection)
            .order(products::number)
            .select((products::number, products::data))
            .limit(i64::from(page.limit))
            .offset(i64::try_from(page.offset).unwrap_or(i64::MAX))
            .load(&mut *self.conn)
            .dom()?;
        let items = parse_products(rows)?;
        super::search::paged(page, items, || {
            selected!(selection)
                .count()
                .get_result(&mut *self.conn)
                .dom()
        })
    }

    fn products_after(
        &mut self,
        after: Option<&ProductNumber>,
        limit: u32,
    ) -> crm_core::Result<Vec<Product>> {
        let mut q = products::table.into_boxed();
        if let Some(after) = after {
            q = q.filter(products::number.gt(after.as_str()));
        }
        let rows: Vec<(String, String)> = q
            .order(products::number)
            .select((products::number, products::data))
            .limit(i64::from(limit))
            .load(&mut *self.conn)
            .dom()?;
        parse_products(rows)
    }

    fn promoted_on(&mut self, day: chrono::NaiveDate) -> crm_core::Result<Vec<ProductNumber>> {
        let numbers: Vec<String> = product_promotions::table
            .filter(product_promotions::starts.le(day))
            .filter(product_promotions::ends.ge(day))
            .select(product_promotions::product)
            .distinct()
            .load(&mut *self.conn)
            .dom()?;
        numbers
            .iter()
            .map(|n| {
                ProductNumber::new(n).map_err(|e| {
                    crm_core::Error::Storage(format!("product_promotions: product {n:?}: {e}"))
                })
            })
            .collect()
    }

    fn product_count(&mut self) -> crm_core::Result<u64> {
        let n: i64 = products::table.count().get_result(&mut *self.conn).dom()?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
