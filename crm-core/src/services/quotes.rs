//! Quotes written in the CRM and the active sales document: a rep creates a draft quote for
//! an address (it becomes his active document), adds products priced by the price
//! determination with their explanation, and submits it to the outbox; the ERP host takes
//! it over and acknowledges it with its own number.

use rust_decimal::Decimal;

use super::{Context, require_admin};
use crate::entity::EntityKind;
use crate::erp::{
    ActiveDocument, ActiveSalesDocument, DocumentLine, DocumentNumber, DocumentTotals, DraftLine,
    DraftQuote, DraftState, GroupCode, ListPrice, ProductNumber, pricing,
};
use crate::error::{Error, Result};
use crate::ids::{AddressId, DraftId, Version};
use crate::ports::{Store, Tx};
use crate::product::{Product, Promotion, with_promotion};
use crate::user::{Actor, Role};
use crate::values::Currency;

/// The VAT rate of new drafts' lines, in percent (the Swiss standard rate).
pub const STANDARD_VAT_RATE: &str = "8.1";

const COUNTER: &str = "draft_quotes";

/// Most drafts one outbox call returns.
pub const MAX_OUTBOX: u32 = 500;

/// What the product catalog knows for pricing where the ERP knows nothing.
#[derive(Default)]
struct Catalog {
    prices: Vec<ListPrice>,
    /// The product's groups, most specific first.
    groups: Vec<GroupCode>,
    /// The promotion running today.
    promotion: Option<Promotion>,
}

/// Draft quotes, their outbox, and the active sales document of each user.
pub struct QuoteService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> QuoteService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        QuoteService { ctx }
    }

    /// A draft the actor may see (its address visible to him).
    fn visible(&self, tx: &mut dyn Tx, actor: &Actor, id: DraftId) -> Result<DraftQuote> {
        let draft = tx
            .draft(id)?
            .ok_or_else(|| Error::not_found(EntityKind::SalesDocument, id))?;
        self.ctx.visible_address(tx, actor, draft.address_id)?;
        Ok(draft)
    }

    /// A draft the actor may change: his own, or any as manager or administrator, still a
    /// draft, at the version he read.
    fn editable(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: DraftId,
        expected: Version,
    ) -> Result<DraftQuote> {
        let draft = self.visible(tx, actor, id)?;
        if draft.created.by != actor.user_id
            && !actor.has(Role::SalesManager)
            && !actor.has(Role::Admin)
        {
            return Err(Error::Forbidden(format!(
                "{} may not change draft {}: it is another user's",
                actor.display_name,
                draft.number()
            )));
        }
        if draft.version != expected {
            return Err(Error::conflict(EntityKind::SalesDocument, id, expected.0));
        }
        if draft.state != DraftState::Draft {
            return Err(Error::invalid(
                "state",
                format!(
                    "draft {} was submitted and can no longer change",
                    draft.number()
                ),
            ));
        }
        Ok(draft)
    }

    fn save(&self, tx: &mut dyn Tx, actor: &Actor, mut draft: DraftQuote) -> Result<DraftQuote> {
        let expected = draft.version;
        draft.version = Version(expected.0 + 1);
        draft.updated = self.ctx.stamp(actor);
        if !tx.update_draft(&draft, expected)? {
            return Err(Error::conflict(
                EntityKind::SalesDocument,
                draft.id,
                expected.0,
            ));
        }
        Ok(draft)
    }

    /// Creates an empty draft quote in `currency` for an address the actor may see and makes
    /// it his active sales document.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an address he may not see; [`Error::Forbidden`] for users
    /// who are not sales staff.
    pub fn create(
        &self,
        actor: &Actor,
        address: AddressId,
        currency: Currency,
    ) -> Result<DraftQuote> {
        if !actor.is_sales_staff() {
            return Err(Error::Forbidden(format!(
                "{} is no sales user and may not write quotes",
                actor.display_name
            )));
        }
        self.ctx.store.write(|tx| {
            let address = self.ctx.visible_address(tx, actor, address)?;
            let id = DraftId(tx.reserve(COUNTER, 1, 1)?);
            let stamp = self.ctx.stamp(actor);
            let draft = DraftQuote {
                id,
                address_id: address.id,
                customer: address.number,
                currency,
                vat_rate: STANDARD_VAT_RATE.parse().unwrap_or_default(),
                valid_until: Some(stamp.at.date_naive() + chrono::Duration::days(30)),
                lines: Vec::new(),
                totals: DocumentTotals::compute(currency, &[])?,
                state: DraftState::Draft,
                submitted_at: None,
                erp_number: None,
                created: stamp,
                updated: stamp,
                version: Version(1),
            };
            tx.insert_draft(&draft)?;
            tx.set_active_document(actor.user_id, &ActiveDocument::Draft { id })?;
            Ok(draft)
        })
    }

    /// The draft with `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or its address is not visible.
    pub fn get(&self, actor: &Actor, id: DraftId) -> Result<DraftQuote> {
        self.ctx.store.read(|tx| self.visible(tx, actor, id))
    }

    /// Adds `quantity` of `product`, priced for the draft's customer today by the price
    /// determination; the line keeps the explanation. `description` defaults to the
    /// product number.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `product` (malformed, or nothing prices it in the draft's
    /// currency) or `quantity`; [`Error::Conflict`] on a stale version; [`Error::Forbidden`]
    /// for another user's draft; [`Error::Invalid`] naming `state` once submitted.
    pub fn add_line(
        &self,
        actor: &Actor,
        id: DraftId,
        expected: Version,
        product: &str,
        quantity: Decimal,
        description: Option<&str>,
    ) -> Result<DraftQuote> {
        let product = ProductNumber::new(product).map_err(|e| e.at("product"))?;
        let draft = self
            .ctx
            .store
            .read(|tx| self.editable(tx, actor, id, expected))?;
        let description = description.map_or_else(|| product.to_string(), str::to_owned);
        let catalog = Catalog::default();
        self.add_priced_line(
            actor,
            &draft,
            &product,
            quantity,
            &description,
            "PCE",
            &catalog,
        )
    }

    /// Adds `quantity` of a catalog product named `description`, in the product's unit,
    /// priced by the price determination from the ERP's list prices and product groups or,
    /// where the ERP has none, the catalog's (`groups`: the product's group path, most
    /// specific first); a promotion running today applies when it is the better price.
    pub(super) fn add_catalog_line(
        &self,
        actor: &Actor,
        draft: &DraftQuote,
        product: &Product,
        quantity: Decimal,
        description: &str,
        groups: Vec<GroupCode>,
    ) -> Result<DraftQuote> {
        let today = self.ctx.now().date_naive();
        let catalog = Catalog {
            prices: product.prices.clone(),
            groups,
            promotion: product.promotion_on(today).cloned(),
        };
        self.add_priced_line(
            actor,
            draft,
            &product.number,
            quantity,
            description,
            &product.unit,
            &catalog,
        )
    }

    #[allow(clippy::too_many_arguments)] // One private seam for both ways a line is added.
    fn add_priced_line(
        &self,
        actor: &Actor,
        draft: &DraftQuote,
        product: &ProductNumber,
        quantity: Decimal,
        description: &str,
        unit: &str,
        catalog: &Catalog,
    ) -> Result<DraftQuote> {
        let (id, expected) = (draft.id, draft.version);
        let today = self.ctx.now().date_naive();
        let mut inputs = self.ctx.erp()?.pricing_inputs(
            draft.customer,
            product.clone(),
            quantity,
            draft.currency,
            today,
        )?;
        if inputs.list_prices.is_empty() {
            // The determination picks the catalog price valid today in the draft's currency.
            inputs.list_prices = catalog.prices.clone();
        }
        if inputs.request.product_groups.is_empty() {
            inputs.request.product_groups = catalog.groups.clone();
        }
        let mut price =
            pricing::determine(&inputs.request, &inputs.list_prices, &inputs.conditions)?;
        if let Some(promotion) = &catalog.promotion {
            price = with_promotion(price, promotion);
        }
        self.ctx.store.write(|tx| {
            let mut draft = self.editable(tx, actor, id, expected)?;
            let position = draft
                .lines
                .iter()
                .map(|l| l.line.position)
                .max()
                .unwrap_or(0)
                + 1;
            draft.lines.push(DraftLine {
                line: DocumentLine {
                    position,
                    product: Some(product.clone()),
                    description: description.to_owned(),
                    quantity,
                    unit: unit.to_owned(),
                    unit_price: price.net_unit_price.amount,
                    net_amount: price.net_amount.amount,
                    vat_rate: draft.vat_rate,
                },
                price: price.clone(),
            });
            let lines: Vec<DocumentLine> = draft.lines.iter().map(|l| l.line.clone()).collect();
            draft.totals = DocumentTotals::compute(draft.currency, &lines)?;
            self.save(tx, actor, draft)
        })
    }

    /// Removes the line at `position`.
    ///
    /// # Errors
    /// As [`QuoteService::add_line`]; [`Error::Invalid`] naming `position` when there is no
    /// such line.
    pub fn remove_line(
        &self,
        actor: &Actor,
        id: DraftId,
        expected: Version,
        position: u32,
    ) -> Result<DraftQuote> {
        self.ctx.store.write(|tx| {
            let mut draft = self.editable(tx, actor, id, expected)?;
            let before = draft.lines.len();
            draft.lines.retain(|l| l.line.position != position);
            if draft.lines.len() == before {
                return Err(Error::invalid(
                    "position",
                    format!("the draft has no line {position}"),
                ));
            }
            let lines: Vec<DocumentLine> = draft.lines.iter().map(|l| l.line.clone()).collect();
            draft.totals = DocumentTotals::compute(draft.currency, &lines)?;
            self.save(tx, actor, draft)
        })
    }

    /// Finishes the draft: it goes to the outbox for the ERP host.
    ///
    /// # Errors
    /// As [`QuoteService::add_line`]; [`Error::Invalid`] naming `lines` for an empty draft.
    pub fn submit(&self, actor: &Actor, id: DraftId, expected: Version) -> Result<DraftQuote> {
        self.ctx.store.write(|tx| {
            let mut draft = self.editable(tx, actor, id, expected)?;
            if draft.lines.is_empty() {
                return Err(Error::invalid("lines", "a quote needs at least one line"));
            }
            draft.state = DraftState::Submitted;
            draft.submitted_at = Some(self.ctx.now());
            self.save(tx, actor, draft)
        })
    }

    /// The submitted drafts the ERP host has not taken over yet, oldest first. For the
    /// host's technical user (an administrator).
    ///
    /// # Errors
    /// [`Error::Forbidden`] for non-administrators; [`Error::Invalid`] naming `limit`.
    pub fn outbox(&self, actor: &Actor, limit: u32) -> Result<Vec<DraftQuote>> {
        require_admin(actor, "work the outbox")?;
        if limit == 0 || limit > MAX_OUTBOX {
            return Err(Error::invalid(
                "limit",
                format!("must lie between 1 and {MAX_OUTBOX}"),
            ));
        }
        self.ctx.store.read(|tx| tx.outbox(limit))
    }

    /// The ERP host took the draft over as its document `erp_number`.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for non-administrators; [`Error::NotFound`]; [`Error::Invalid`]
    /// naming `erp_number` (malformed) or `state` (not submitted, or acknowledged with
    /// another number); acknowledging twice with the same number changes nothing.
    pub fn acknowledge(&self, actor: &Actor, id: DraftId, erp_number: &str) -> Result<DraftQuote> {
        require_admin(actor, "work the outbox")?;
        let number = DocumentNumber::new(erp_number).map_err(|e| e.at("erp_number"))?;
        self.ctx.store.write(|tx| {
            let mut draft = tx
                .draft(id)?
                .ok_or_else(|| Error::not_found(EntityKind::SalesDocument, id))?;
            match (&draft.state, &draft.erp_number) {
                (DraftState::Acknowledged, Some(known)) if *known == number => return Ok(draft),
                (DraftState::Submitted, _) => {}
                (state, _) => {
                    return Err(Error::invalid(
                        "state",
                        format!(
                            "draft {} is {state:?}, not waiting in the outbox",
                            draft.number()
                        ),
                    ));
                }
            }
            draft.state = DraftState::Acknowledged;
            draft.erp_number = Some(number);
            self.save(tx, actor, draft)
        })
    }

    /// Opens a document of the ERP as the actor's active sales document.
    ///
    /// # Errors
    /// As [`ErpService::document`](super::ErpService::document).
    pub fn activate(&self, actor: &Actor, number: &str) -> Result<ActiveSalesDocument> {
        let document = super::ErpService::new(self.ctx).document(actor, number)?;
        self.ctx.store.write(|tx| {
            tx.set_active_document(
                actor.user_id,
                &ActiveDocument::Erp {
                    number: document.number.clone(),
                },
            )
        })?;
        Ok(ActiveSalesDocument::Erp(document))
    }

    /// The actor's active sales document, if he has one he may still see.
    ///
    /// # Errors
    /// Storage and ERP failures.
    pub fn active(&self, actor: &Actor) -> Result<Option<ActiveSalesDocument>> {
        let active = self
            .ctx
            .store
            .read(|tx| tx.active_document(actor.user_id))?;
        Ok(match active {
            None => None,
            Some(ActiveDocument::Draft { id }) => match self.get(actor, id) {
                Ok(draft) => Some(ActiveSalesDocument::Draft(draft)),
                Err(Error::NotFound { .. }) => None,
                Err(other) => return Err(other),
            },
            Some(ActiveDocument::Erp { number }) => {
                match super::ErpService::new(self.ctx).document(actor, number.as_str()) {
                    Ok(document) => Some(ActiveSalesDocument::Erp(document)),
                    Err(Error::NotFound { .. }) => None,
                    Err(other) => return Err(other),
                }
            }
        })
    }
}
