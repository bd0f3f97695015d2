//! The product catalog: import from catalog files, the views sales people browse (detail,
//! new items, promotions, groups), free-text search through the product index, and handing
//! a product to the active sales document.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Context;
use super::pipeline::read_ahead;
use crate::archive::ArchiveLink;
use crate::entity::EntityKind;
use crate::erp::{ActiveDocument, DraftQuote, GroupCode, ProductNumber};
use crate::error::{Error, Result};
use crate::ports::{IndexQuery, IndexedProduct, ProductIndex, ProductSelection, Store, Tx};
use crate::product::{
    CatalogItem, CatalogReport, Located, MAX_HITS, Product, ProductDetail, ProductFilter,
    ProductGroup, ProductHits, ProductQuery, ProductSummary, check_product, fingerprint,
};
use crate::search::{Page, PageRequest};
use crate::user::{Actor, Role};

/// Products written per statement batch during an import.
const FLUSH: usize = 1_000;
/// Products read per slice when the index is written from the database.
const SLICE: u32 = 1_000;

/// What the drift check found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDrift {
    /// Products in the database.
    pub database: u64,
    /// Products in the index.
    pub index: u64,
    /// Products compared one by one.
    pub sampled: usize,
    /// Sampled products the index lacks.
    pub missing: Vec<ProductNumber>,
    /// Sampled products the index holds in an older state.
    pub stale: Vec<ProductNumber>,
}

impl IndexDrift {
    /// Whether the index agrees with the database.
    pub fn is_clean(&self) -> bool {
        self.database == self.index && self.missing.is_empty() && self.stale.is_empty()
    }
}

/// The product catalog.
pub struct ProductService<'a, S> {
    ctx: &'a Context<S>,
}

/// The groups by code.
struct Groups(HashMap<GroupCode, ProductGroup>);

impl Groups {
    fn load(tx: &mut dyn Tx) -> Result<Groups> {
        Ok(Groups(
            tx.product_groups_all()?
                .into_iter()
                .map(|g| (g.code.clone(), g))
                .collect(),
        ))
    }

    /// `code` and the groups above it, top down; stops at unknown parents and cycles.
    fn path(&self, code: &GroupCode) -> Vec<ProductGroup> {
        let mut path: Vec<ProductGroup> = Vec::new();
        let mut next = self.0.get(code);
        while let Some(g) = next {
            if path.iter().any(|p| p.code == g.code) {
                break;
            }
            path.push(g.clone());
            next = g.parent.as_ref().and_then(|p| self.0.get(p));
        }
        path.reverse();
        path
    }

    fn path_codes(&self, code: &GroupCode) -> Vec<GroupCode> {
        let path: Vec<GroupCode> = self.path(code).into_iter().map(|g| g.code).collect();
        if path.is_empty() {
            vec![code.clone()]
        } else {
            path
        }
    }

    /// `code` and every group below it.
    fn subtree(&self, code: &GroupCode) -> Vec<GroupCode> {
        let mut found = vec![code.clone()];
        let mut i = 0;
        while i < found.len() {
            let parent = found[i].clone();
            for g in self.0.values() {
                if g.parent.as_ref() == Some(&parent) && !found.contains(&g.code) {
                    found.push(g.code.clone());
                }
            }
            i += 1;
        }
        found
    }
}

impl<'a, S: Store> ProductService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        ProductService { ctx }
    }

    fn index(&self) -> Result<&Arc<dyn ProductIndex>> {
        self.ctx.product_index.get().ok_or_else(|| {
            Error::Storage(
                "no product index is connected: call `Services::set_product_index`".into(),
            )
        })
    }

    fn may_maintain(actor: &Actor) -> Result<()> {
        if actor.has(Role::Admin) || actor.has(Role::SalesManager) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "{} may not change the product catalog (administrators and sales managers may)",
                actor.display_name
            )))
        }
    }

    fn may_read(actor: &Actor) -> Result<()> {
        if actor.is_sales_staff() {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "{} is no sales user",
                actor.display_name
            )))
        }
    }

    /// Imports catalog items in one transaction: all of them, or — at the first bad item —
    /// none. Products are checked ([`check_product`]) and errors name the item's place in
    /// its file. The product index follows once the database has committed.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for users other than administrators and sales managers; the
    /// reader's error for a malformed file; [`Error::Invalid`] naming the item and field;
    /// [`Error::NotFound`] for a price update of a product the catalog does not hold.
    pub fn import<I>(&self, actor: &Actor, items: I) -> Result<CatalogReport>
    where
        I: IntoIterator<Item = Result<Located>>,
    {
        Self::may_maintain(actor)?;
        let mut report = CatalogReport::default();
        let mut written: Vec<ProductNumber> = Vec::new();
        let mut deleted: Vec<ProductNumber> = Vec::new();
        self.ctx.store.write(|tx| {
            let mut pending: Vec<Product> = Vec::new();
            let flush = |tx: &mut dyn Tx,
                         pending: &mut Vec<Product>,
                         report: &mut CatalogReport,
                         written: &mut Vec<ProductNumber>|
             -> Result<()> {
                if pending.is_empty() {
                    return Ok(());
                }
                let w = tx.put_products(pending)?;
                report.new += w.new;
                report.changed += w.changed;
                report.unchanged += w.unchanged;
                written.extend(w.written);
                pending.clear();
                Ok(())
            };
            for located in items {
                let Located { item, at } = located?;
                match item {
                    CatalogItem::Group(group) => {
                        tx.put_product_groups(std::slice::from_ref(&group))?;
                        report.groups += 1;
                    }
                    CatalogItem::Product(product) => {
                        check_product(&product).map_err(|e| e.located(&at))?;
                        if let Some(ean) = &product.ean
                            && !ean.check_digit_ok()
                        {
                            report.warnings.push(format!(
                                "{at}: product {}: the EAN {ean} has a wrong check digit; kept \
                                 as the catalog gives it",
                                product.number
                            ));
                        }
                        pending.push(*product);
                        if pending.len() >= FLUSH {
                            flush(tx, &mut pending, &mut report, &mut written)?;
                        }
                    }
                    CatalogItem::Prices { .. } | CatalogItem::Assign { .. } => {
                        flush(tx, &mut pending, &mut report, &mut written)?;
                        let (number, prices, group) = match item {
                            CatalogItem::Prices { number, prices } => (number, Some(prices), None),
                            CatalogItem::Assign { number, group } => (number, None, Some(group)),
                            _ => continue,
                        };
                        let mut product = tx
                            .products(std::slice::from_ref(&number))?
                            .pop()
                            .ok_or_else(|| Error::not_found(EntityKind::Product, &number))
                            .map_err(|e| e.located(&at))?;
                        if let Some(prices) = prices {
                            product.prices = prices;
                        }
                        if group.is_some() {
                            product.group = group;
                        }
                        check_product(&product).map_err(|e| e.located(&at))?;
                        let w = tx.put_products(std::slice::from_ref(&product))?;
                        report.repriced += w.new + w.changed;
                        report.unchanged += w.unchanged;
                        written.extend(w.written);
                    }
                    CatalogItem::Delete(number) => {
                        flush(tx, &mut pending, &mut report, &mut written)?;
                        report.deleted += tx.delete_products(std::slice::from_ref(&number))?;
                        deleted.push(number);
                    }
                }
            }
            flush(tx, &mut pending, &mut report, &mut written)
        })?;
        self.reindex(&written, &deleted)?;
        Ok(report)
    }

    /// Stores one product (new or replacing the stored one whole).
    ///
    /// # Errors
    /// As [`ProductService::import`].
    pub fn put(&self, actor: &Actor, product: Product) -> Result<CatalogReport> {
        self.import(
            actor,
            [Ok(Located {
                item: CatalogItem::Product(Box::new(product)),
                at: "product".into(),
            })],
        )
    }

    /// Writes the stored state of `written` and the removal of `deleted` into the index.
    fn reindex(&self, written: &[ProductNumber], deleted: &[ProductNumber]) -> Result<()> {
        let Some(index) = self.ctx.product_index.get() else {
            return Ok(());
        };
        if written.is_empty() && deleted.is_empty() {
            return Ok(());
        }
        let groups = self.ctx.store.read(|tx| Groups::load(tx))?;
        index.update(&mut |w| {
            for slice in written.chunks(SLICE as usize) {
                let products = self.ctx.store.read(|tx| tx.products(slice))?;
                w.upsert(&indexed(products, &groups))?;
            }
            w.delete(deleted)
        })
    }

    /// Rebuilds the product index from the database; answers how many products it holds.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for users other than administrators and sales managers; storage
    /// and index failures.
    pub fn rebuild_index(&self, actor: &Actor) -> Result<u64> {
        Self::may_maintain(actor)?;
        let index = self.index()?;
        let groups = self.ctx.store.read(|tx| Groups::load(tx))?;
        let mut count = 0u64;
        index.update(&mut |w| {
            w.clear()?;
            let mut after: Option<ProductNumber> = None;
            // The next slice is read and parsed while the index takes in this one.
            read_ahead(
                || {
                    let slice = self
                        .ctx
                        .store
                        .read(|tx| tx.products_after(after.as_ref(), SLICE))?;
                    let Some(last) = slice.last() else {
                        return Ok(None);
                    };
                    after = Some(last.number.clone());
                    Ok(Some(indexed(slice, &groups)))
                },
                |slice| {
                    count += slice.len() as u64;
                    w.upsert(&slice)
                },
            )
        })?;
        Ok(count)
    }

    /// Compares the index with the database: both counts, and `sample` products spread
    /// over the catalog one by one (present, and in their stored state).
    ///
    /// # Errors
    /// Storage and index failures.
    pub fn check_index(&self, actor: &Actor, sample: u32) -> Result<IndexDrift> {
        Self::may_read(actor)?;
        let index = self.index()?;
        let (database, products) = self.ctx.store.read(|tx| {
            let n = tx.product_count()?;
            let step = (n / u64::from(sample.max(1))).max(1);
            let mut picked = Vec::new();
            let mut after: Option<ProductNumber> = None;
            // Every `step`-th product, read in slices: a spread sample without random access.
            let mut seen = 0u64;
            while picked.len() < sample as usize {
                let slice = tx.products_after(after.as_ref(), SLICE)?;
                let Some(last) = slice.last() else { break };
                after = Some(last.number.clone());
                for p in slice {
                    if seen.is_multiple_of(step) && picked.len() < sample as usize {
                        picked.push(p);
                    }
                    seen += 1;
                }
            }
            Ok((n, picked))
        })?;
        let numbers: Vec<ProductNumber> = products.iter().map(|p| p.number.clone()).collect();
        let held: HashMap<ProductNumber, u64> = index.fingerprints(&numbers)?.into_iter().collect();
        let mut drift = IndexDrift {
            database,
            index: index.count()?,
            sampled: products.len(),
            ..IndexDrift::default()
        };
        for p in &products {
            match held.get(&p.number) {
                None => drift.missing.push(p.number.clone()),
                Some(fp) if *fp != fingerprint(p) => drift.stale.push(p.number.clone()),
                Some(_) => {}
            }
        }
        Ok(drift)
    }

    /// Everything about one product on `day`.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown number.
    pub fn detail(&self, actor: &Actor, number: &str, day: NaiveDate) -> Result<ProductDetail> {
        Self::may_read(actor)?;
        let number = ProductNumber::new(number).map_err(|e| e.at("number"))?;
        self.ctx.store.read(|tx| {
            let product = tx
                .products(std::slice::from_ref(&number))?
                .pop()
                .ok_or_else(|| Error::not_found(EntityKind::Product, &number))?;
            let group_path = match &product.group {
                Some(code) => Groups::load(tx)?.path(code),
                None => Vec::new(),
            };
            let linked = tx.documents_linked(&ArchiveLink::product(&product.number))?;
            let documents = super::DocumentService::new(self.ctx).keep_visible(
                tx,
                actor,
                linked,
                usize::MAX,
            )?;
            Ok(ProductDetail {
                is_new: product.is_new_on(day),
                promotion: product.promotion_on(day).cloned(),
                group_path,
                documents,
                product,
            })
        })
    }

    /// A page of products by number: of a group (with its subgroups), new items since a
    /// day, on promotion on `day` — as `filter` says — named in `language`.
    ///
    /// # Errors
    /// Storage failures.
    pub fn list(
        &self,
        actor: &Actor,
        filter: &ProductFilter,
        language: crate::values::Language,
        day: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<ProductSummary>> {
        Self::may_read(actor)?;
        let page = page.validate()?;
        self.ctx.store.read(|tx| {
            let groups = match &filter.group {
                Some(code) => Some(Groups::load(tx)?.subtree(code)),
                None => None,
            };
            let selection = ProductSelection {
                groups,
                new_since: filter.new_since,
                on_promotion: filter.on_promotion,
                day,
            };
            let found = tx.product_page(&selection, page)?;
            Ok(Page {
                items: found
                    .items
                    .iter()
                    .map(|p| ProductSummary::of(p, language, day))
                    .collect(),
                total: found.total,
                offset: found.offset,
                limit: found.limit,
            })
        })
    }

    /// The product groups below `parent` (the top level for `None`), by code.
    ///
    /// # Errors
    /// Storage failures.
    pub fn groups(&self, actor: &Actor, parent: Option<&GroupCode>) -> Result<Vec<ProductGroup>> {
        Self::may_read(actor)?;
        let all = self.ctx.store.read(|tx| tx.product_groups_all())?;
        Ok(all
            .into_iter()
            .filter(|g| g.parent.as_ref() == parent)
            .collect())
    }

    /// Free-text search: typo-tolerant, folded, compound- and unit-aware, the user's
    /// language first; filtered by group, new items and promotions.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `limit` outside 1–[`MAX_HITS`]; index failures. The text
    /// itself never fails, whatever it holds.
    pub fn search(&self, actor: &Actor, query: &ProductQuery) -> Result<ProductHits> {
        Self::may_read(actor)?;
        if query.limit == 0 || query.limit > MAX_HITS {
            return Err(Error::invalid(
                "limit",
                format!("must be between 1 and {MAX_HITS}"),
            ));
        }
        // The database is asked only for what a filter needs; a plain search is the index's.
        let filtered = query.filter.group.is_some() || query.filter.on_promotion;
        let (group_path, promoted) = if !filtered {
            (None, None)
        } else {
            self.ctx.store.read(|tx| {
                let group_path = match &query.filter.group {
                    Some(code) => Some(Groups::load(tx)?.path_codes(code)),
                    None => None,
                };
                let promoted = if query.filter.on_promotion {
                    Some(tx.promoted_on(query.day)?)
                } else {
                    None
                };
                Ok((group_path, promoted))
            })?
        };
        self.index()?.search(&IndexQuery {
            query,
            group_path,
            promoted,
        })
    }

    /// Hands `quantity` of a product to the actor's active sales document, which must be
    /// one of his draft quotes: the line is priced by the price determination (the
    /// catalog's list price when the ERP has none) and named in the customer's language.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `active_document` when he has no draft quote open, or
    /// `quantity`; [`Error::NotFound`] for an unknown product; as
    /// [`QuoteService::add_line`](super::QuoteService::add_line).
    pub fn to_active_document(
        &self,
        actor: &Actor,
        number: &str,
        quantity: Decimal,
    ) -> Result<DraftQuote> {
        Self::may_read(actor)?;
        let number = ProductNumber::new(number).map_err(|e| e.at("number"))?;
        let (active, product, groups) = self.ctx.store.read(|tx| {
            let active = tx.active_document(actor.user_id)?;
            let product = tx
                .products(std::slice::from_ref(&number))?
                .pop()
                .ok_or_else(|| Error::not_found(EntityKind::Product, &number))?;
            let mut groups = match &product.group {
                Some(code) => Groups::load(tx)?.path_codes(code),
                None => Vec::new(),
            };
            groups.reverse();
            Ok((active, product, groups))
        })?;
        let Some(ActiveDocument::Draft { id }) = active else {
            return Err(Error::invalid(
                "active_document",
                "hand products to a draft quote: create one or open it first",
            ));
        };
        let quotes = super::QuoteService::new(self.ctx);
        let draft = quotes.get(actor, id)?;
        let language = self.ctx.store.read(|tx| {
            Ok(tx
                .address(draft.address_id, crate::AddressScope::All)?
                .map(|a| a.data.language))
        })?;
        let name = product.name_in(language.unwrap_or(crate::values::Language::De));
        quotes.add_catalog_line(actor, &draft, &product, quantity, &name, groups)
    }
}

fn indexed(products: Vec<Product>, groups: &Groups) -> Vec<IndexedProduct> {
    products
        .into_iter()
        .map(|product| IndexedProduct {
            group_path: product
                .group
                .as_ref()
                .map(|g| groups.path_codes(g))
                .unwrap_or_default(),
            fingerprint: fingerprint(&product),
            product,
        })
        .collect()
}
