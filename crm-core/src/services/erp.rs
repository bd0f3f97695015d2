//! What the ERP knows about the active address, as sales people see it: its sales documents,
//! its disposition, its open items with payment habits, its special conditions, and explained
//! prices. ERP data is visible with its address.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Context;
use crate::entity::EntityKind;
use crate::entity::EntityRef;
use crate::erp::{
    DispositionStatus, DocumentHeader, DocumentNumber, DocumentQuery, OpenItem, OrderLine, Payment,
    PaymentHabits, PriceResult, ProductNumber, SalesDocument, SpecialCondition, pricing,
};
use crate::error::{Error, Result};
use crate::ids::AddressId;
use crate::ids::{AddressNumber, UserId};
use crate::ports::{ErpEventSink, Store, Tx};
use crate::search::{Page, PageRequest};
use crate::trace::{DomainEvent, EventDetail};
use crate::user::Actor;
use crate::values::Currency;
use crate::visibility::AddressScope;

/// An order line with what the disposition computes from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispositionLine {
    /// The line as the ERP reports it.
    pub line: OrderLine,
    /// What is still to deliver.
    pub open_quantity: Decimal,
    /// Its status today.
    pub status: DispositionStatus,
    /// Days late today.
    pub delay_days: i64,
}

/// A customer's receivables: what is open, and how he pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivablesView {
    /// The items with something open, by due date.
    pub open_items: Vec<OpenItem>,
    /// How many settled items the ERP still reports (they count in the habits).
    pub settled_items: usize,
    /// Payment habits, one per currency the customer is invoiced in, by currency code.
    pub habits: Vec<PaymentHabits>,
}

impl ReceivablesView {
    /// The view of a customer's `items` and `payments` as of `today`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when a payment's currency differs from its invoice's.
    pub fn compute(items: Vec<OpenItem>, payments: &[Payment], today: NaiveDate) -> Result<Self> {
        let mut by_currency: BTreeMap<String, (Currency, Vec<OpenItem>)> = BTreeMap::new();
        for item in &items {
            by_currency
                .entry(item.currency.code().to_owned())
                .or_insert_with(|| (item.currency, Vec::new()))
                .1
                .push(item.clone());
        }
        let habits = by_currency
            .into_values()
            .map(|(currency, items)| {
                let paid: Vec<_> = payments
                    .iter()
                    .filter(|p| items.iter().any(|i| i.invoice == p.invoice))
                    .cloned()
                    .collect();
                PaymentHabits::compute(currency, &items, &paid, today)
            })
            .collect::<Result<Vec<_>>>()?;
        let settled_items = items.iter().filter(|i| i.is_settled()).count();
        Ok(ReceivablesView {
            open_items: items.into_iter().filter(|i| !i.is_settled()).collect(),
            settled_items,
            habits,
        })
    }
}

/// The ERP's data of addresses: sales documents, disposition, receivables, conditions, prices.
pub struct ErpService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> ErpService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        ErpService { ctx }
    }

    fn today(&self) -> NaiveDate {
        self.ctx.now().date_naive()
    }

    /// The business number of an address the actor may see.
    fn customer(&self, actor: &Actor, address: AddressId) -> Result<crate::AddressNumber> {
        let scope = self.ctx.scope(actor);
        self.ctx.store.read(|tx| {
            tx.address_number(address, scope)?
                .ok_or_else(|| Error::not_found(EntityKind::Address, address))
        })
    }

    /// The address's sales documents that `query` admits, newest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an address the actor may not see; [`Error::Invalid`] naming
    /// `page`; the ERP's failures.
    pub fn documents(
        &self,
        actor: &Actor,
        address: AddressId,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> Result<Page<DocumentHeader>> {
        let page = page.validate()?;
        let customer = self.customer(actor, address)?;
        self.ctx.erp()?.documents_of(customer, query, page)
    }

    /// One sales document with its lines ("activating" it shows it in full).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the ERP has no such document or its customer is not visible
    /// to the actor; [`Error::Invalid`] naming `number` for a malformed number.
    pub fn document(&self, actor: &Actor, number: &str) -> Result<SalesDocument> {
        let number = DocumentNumber::new(number).map_err(|e| e.at("number"))?;
        let not_found = || Error::not_found(EntityKind::SalesDocument, &number);
        let document = self.ctx.erp()?.document(&number)?.ok_or_else(not_found)?;
        let scope = self.ctx.scope(actor);
        let visible = self
            .ctx
            .store
            .read(|tx| tx.address_by_number(document.customer, scope))?;
        match visible {
            Some(_) => Ok(document),
            None => Err(not_found()),
        }
    }

    /// The address's order lines with status and delay — those with something open unless
    /// `all`.
    ///
    /// # Errors
    /// As [`ErpService::documents`].
    pub fn disposition(
        &self,
        actor: &Actor,
        address: AddressId,
        all: bool,
        page: PageRequest,
    ) -> Result<Page<DispositionLine>> {
        let page = page.validate()?;
        let customer = self.customer(actor, address)?;
        let today = self.today();
        Ok(self
            .ctx
            .erp()?
            .order_lines_of(customer, all, page)?
            .map(|line| DispositionLine {
                open_quantity: line.open_quantity(),
                status: line.status(today),
                delay_days: line.delay_days(today),
                line,
            }))
    }

    /// The address's open items and payment habits, as of today.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an address the actor may not see; [`Error::Invalid`] when a
    /// payment's currency differs from its invoice's; the ERP's failures.
    pub fn receivables(&self, actor: &Actor, address: AddressId) -> Result<ReceivablesView> {
        let customer = self.customer(actor, address)?;
        let erp = self.ctx.erp()?;
        let items = erp.open_items_of(customer)?;
        let payments = erp.payments_of(customer)?;
        ReceivablesView::compute(items, &payments, self.today())
    }

    /// The special conditions of the address (its own and its customer groups'), valid on
    /// `date` unless `None`.
    ///
    /// # Errors
    /// As [`ErpService::documents`].
    pub fn special_conditions(
        &self,
        actor: &Actor,
        address: AddressId,
        date: Option<NaiveDate>,
        page: PageRequest,
    ) -> Result<Page<SpecialCondition>> {
        let page = page.validate()?;
        let customer = self.customer(actor, address)?;
        self.ctx.erp()?.conditions_of(customer, date, page)
    }

    /// The net price of `quantity` of `product` for the address in `currency` on `date`
    /// (today when `None`), with the explanation.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an address the actor may not see; [`Error::Invalid`] naming
    /// `product` (malformed, or nothing prices it) or `quantity`; the ERP's failures.
    pub fn price(
        &self,
        actor: &Actor,
        address: AddressId,
        product: &str,
        quantity: Decimal,
        currency: Currency,
        date: Option<NaiveDate>,
    ) -> Result<PriceResult> {
        let product = ProductNumber::new(product).map_err(|e| e.at("product"))?;
        let customer = self.customer(actor, address)?;
        let date = date.unwrap_or_else(|| self.today());
        let inputs = self
            .ctx
            .erp()?
            .pricing_inputs(customer, product, quantity, currency, date)?;
        pricing::determine(&inputs.request, &inputs.list_prices, &inputs.conditions)
    }
}

/// The source the ERP's events are traced under (their actor's id is 0).
pub const ERP_ACTOR: &str = "ERP";

impl<S: Store> ErpEventSink for super::Services<S> {
    fn record(&self, tx: &mut dyn Tx, events: Vec<(AddressNumber, EventDetail)>) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let actor = Actor::new(UserId(0), ERP_ACTOR, vec![]);
        let mut domain = Vec::with_capacity(events.len());
        for (number, detail) in events {
            // Records of customers the CRM does not know were skipped or refused before.
            if let Some(address) = tx.address_by_number(number, AddressScope::All)? {
                domain.push(DomainEvent::new(
                    address.id,
                    EntityRef::from(address.id),
                    super::reps(&address),
                    detail,
                ));
            }
        }
        self.ctx.record(tx, &actor, domain).map(drop)
    }
}
