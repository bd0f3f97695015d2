//! Price determination: the net price of a product for a customer, a quantity and a day,
//! from the list price and the special conditions — with the reasons.
//!
//! # Precedence
//!
//! A special condition is *for* a customer or a customer group, and *on* a product, a product
//! group or everything. Of all conditions that apply, the first in this order wins:
//!
//! 1. customer + product,
//! 2. customer + product group (a more specific group of the product's groups first),
//! 3. customer, on everything,
//! 4. customer group + product,
//! 5. customer group + product group (more specific first),
//! 6. customer group, on everything.
//!
//! Between conditions of the same rank the one valid from the latest day wins (it replaced
//! the older one), then the one with the smaller id. Without an applicable condition the list
//! price is the net price.
//!
//! A condition applies when it is valid on the day (from and to are inclusive), is priced in
//! the requested currency, and — for quantity breaks — the quantity reaches its first break.
//! A discount needs a list price to take it from. Quantity breaks (of list prices and of
//! conditions) give the price of the highest break the quantity reaches.

use std::cmp::Reverse;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::{GroupCode, ProductNumber};
use crate::error::{Error, Result};
use crate::ids::AddressNumber;
use crate::values::{Currency, Money};

/// From this quantity on, this price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBreak {
    /// The smallest quantity the price is for.
    pub min_quantity: Decimal,
    /// The price per price unit.
    pub price: Decimal,
}

/// A product's list price in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPrice {
    /// The product.
    pub product: ProductNumber,
    /// The currency.
    pub currency: Currency,
    /// The price per price unit.
    pub price: Decimal,
    /// How many units the price is for (e.g. 100 for small parts); 1 usually.
    pub price_unit: Decimal,
    /// Lower prices from larger quantities on.
    pub breaks: Vec<PriceBreak>,
    /// First day of validity (inclusive), if limited.
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity (inclusive), if limited.
    pub valid_to: Option<NaiveDate>,
}

/// Whom a special condition is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "for", content = "key", rename_all = "snake_case")]
pub enum ConditionScope {
    /// One customer.
    Customer(crate::ids::AddressNumber),
    /// Every customer of a group.
    CustomerGroup(GroupCode),
}

/// What a special condition is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "on", content = "key", rename_all = "snake_case")]
pub enum ConditionTarget {
    /// One product.
    Product(ProductNumber),
    /// Every product of a group (and of its subgroups).
    ProductGroup(GroupCode),
    /// Everything.
    All,
}

/// What a special condition makes the price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConditionPrice {
    /// This price per price unit.
    Fixed {
        /// The price.
        price: Decimal,
        /// Its currency.
        currency: Currency,
        /// How many units the price is for.
        price_unit: Decimal,
    },
    /// The list price less this many percent.
    Discount {
        /// Percent, 0 to 100.
        percent: Decimal,
    },
    /// Prices by quantity.
    Breaks {
        /// From the smallest quantity up.
        breaks: Vec<PriceBreak>,
        /// Their currency.
        currency: Currency,
        /// How many units each price is for.
        price_unit: Decimal,
    },
}

/// A customer-specific price agreement from the ERP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialCondition {
    /// The ERP's key of the condition.
    pub id: String,
    /// Whom it is for.
    pub scope: ConditionScope,
    /// What it is on.
    pub target: ConditionTarget,
    /// The price it gives.
    pub price: ConditionPrice,
    /// First day of validity (inclusive), if limited.
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity (inclusive), if limited.
    pub valid_to: Option<NaiveDate>,
}

/// What to price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRequest {
    /// The customer.
    pub customer: AddressNumber,
    /// The customer's groups, as the ERP assigns them.
    pub customer_groups: Vec<GroupCode>,
    /// The product.
    pub product: ProductNumber,
    /// The product's groups, the most specific first (its group, then the parent groups).
    pub product_groups: Vec<GroupCode>,
    /// How many units; more than zero.
    pub quantity: Decimal,
    /// The pricing day.
    pub date: NaiveDate,
    /// The currency of the document.
    pub currency: Currency,
}

/// What pricing one line needs from the ERP: the request with the customer's and the
/// product's groups, the product's list prices, and the candidate conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingInputs {
    /// The request, groups filled in.
    pub request: PriceRequest,
    /// The list prices valid on the day in the currency.
    pub list_prices: Vec<ListPrice>,
    /// The conditions that could apply.
    pub conditions: Vec<SpecialCondition>,
}

/// The rank of a condition in the precedence, first wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precedence {
    /// Customer + product.
    CustomerProduct,
    /// Customer + product group.
    CustomerProductGroup,
    /// Customer, on everything.
    Customer,
    /// Customer group + product.
    GroupProduct,
    /// Customer group + product group.
    GroupProductGroup,
    /// Customer group, on everything.
    Group,
}

impl fmt::Display for Precedence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Precedence::CustomerProduct => "customer + product",
            Precedence::CustomerProductGroup => "customer + product group",
            Precedence::Customer => "customer",
            Precedence::GroupProduct => "customer group + product",
            Precedence::GroupProductGroup => "customer group + product group",
            Precedence::Group => "customer group",
        })
    }
}

/// What became of a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// It set the price.
    Applied,
    /// It applies, but another comes first.
    Superseded {
        /// The condition that comes first.
        by: String,
    },
    /// It does not apply.
    NotApplicable,
}

/// One condition as the determination saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Considered {
    /// The condition's id.
    pub condition: String,
    /// Its rank, when it is for this customer and product at all.
    pub precedence: Option<Precedence>,
    /// The unit price it would give, when it applies.
    pub unit_price: Option<Decimal>,
    /// What became of it.
    pub verdict: Verdict,
    /// Why, in one sentence.
    pub reason: String,
}

/// The net price with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceResult {
    /// The quantity priced.
    pub quantity: Decimal,
    /// The list price of one unit, when there is one.
    pub list_unit_price: Option<Money>,
    /// The net price of one unit.
    pub net_unit_price: Money,
    /// Quantity × net unit price, rounded to the currency.
    pub net_amount: Money,
    /// The condition that set the price, if any.
    pub applied: Option<String>,
    /// How much below the list price, in percent (two decimals).
    pub discount_percent: Option<Decimal>,
    /// How the list price was found.
    pub list_reason: String,
    /// Every condition considered, in the order of precedence.
    pub considered: Vec<Considered>,
}

impl PriceResult {
    /// The explanation as lines of text: the list price, then each condition.
    pub fn explanation(&self) -> Vec<String> {
        let mut lines = vec![self.list_reason.clone()];
        for c in &self.considered {
            let verdict = match &c.verdict {
                Verdict::Applied => "applied".to_owned(),
                Verdict::Superseded { by } => format!("superseded by {by}"),
                Verdict::NotApplicable => "not applicable".to_owned(),
            };
            lines.push(format!("{}: {verdict} — {}", c.condition, c.reason));
        }
        lines.push(format!(
            "net {} × {} {} = {}",
            self.quantity.normalize(),
            self.net_unit_price.amount.normalize(),
            self.net_unit_price.currency,
            self.net_amount
        ));
        lines
    }
}

/// Prices `request` from the product's `list_prices` and the candidate `conditions` (those
/// for the customer or his groups; others are reported as not for him).
///
/// # Errors
/// [`Error::Invalid`] naming `quantity` when it is not positive, and naming `product` when
/// neither a list price nor a special condition gives a price in the currency on the day.
pub fn determine(
    request: &PriceRequest,
    list_prices: &[ListPrice],
    conditions: &[SpecialCondition],
) -> Result<PriceResult> {
    if request.quantity <= Decimal::ZERO {
        return Err(Error::invalid(
            "quantity",
            format!("must be more than 0, is {}", request.quantity),
        ));
    }
    let (list, list_reason) = list_price(request, list_prices);

    struct Candidate {
        index: usize,
        key: (Precedence, usize, Reverse<Option<NaiveDate>>, String),
    }
    let mut considered = Vec::with_capacity(conditions.len());
    let mut candidates = Vec::new();
    for (index, condition) in conditions.iter().enumerate() {
        let rank = rank(request, condition);
        let outcome = rank
            .ok_or_else(|| not_for(request, condition))
            .and_then(|_| valid_on(condition.valid_from, condition.valid_to, request.date))
            .and_then(|()| condition_price(request, condition, list));
        let (verdict, unit_price, reason) = match (rank, outcome) {
            (Some((precedence, depth)), Ok((price, why))) => {
                candidates.push(Candidate {
                    index,
                    key: (
                        precedence,
                        depth,
                        Reverse(condition.valid_from),
                        condition.id.clone(),
                    ),
                });
                (Verdict::Applied, Some(price), why)
            }
            (_, Err(why)) | (None, Ok((_, why))) => (Verdict::NotApplicable, None, why),
        };
        considered.push(Considered {
            condition: condition.id.clone(),
            precedence: rank.map(|(p, _)| p),
            unit_price,
            verdict,
            reason,
        });
    }

    candidates.sort_by(|a, b| a.key.cmp(&b.key));
    let winner = candidates.first().map(|c| c.index);
    if let Some(w) = winner {
        let first = &conditions[w];
        for c in candidates.iter().skip(1) {
            let same_rank = c.key.0 == candidates[0].key.0 && c.key.1 == candidates[0].key.1;
            let entry = &mut considered[c.index];
            entry.verdict = Verdict::Superseded {
                by: first.id.clone(),
            };
            entry.reason = if same_rank {
                format!(
                    "{}; {} of the same rank is newer or comes first by id",
                    entry.reason, first.id
                )
            } else {
                format!(
                    "{}; {} ({}) comes first",
                    entry.reason, first.id, candidates[0].key.0
                )
            };
        }
    }
    let unit = match winner {
        Some(w) => considered[w].unit_price,
        None => list,
    };
    considered.sort_by_key(|c| (c.precedence.is_none(), c.precedence));

    let Some(unit) = unit else {
        return Err(Error::invalid(
            "product",
            format!(
                "{} has no list price in {} valid on {} and no special condition prices it",
                request.product, request.currency, request.date
            ),
        ));
    };
    let currency = request.currency;
    let amount = request
        .quantity
        .checked_mul(unit)
        .ok_or_else(|| Error::invalid("quantity", "quantity × price is too large"))?;
    let discount_percent = list.filter(|l| !l.is_zero()).map(|l| {
        ((l - unit) * Decimal::ONE_HUNDRED / l)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    });
    Ok(PriceResult {
        quantity: request.quantity,
        list_unit_price: list.map(|l| Money::new(l, currency)),
        net_unit_price: Money::new(unit, currency),
        net_amount: Money::new(amount, currency).rounded(),
        applied: winner.map(|w| conditions[w].id.clone()),
        discount_percent: discount_percent.filter(|_| winner.is_some()),
        list_reason,
        considered,
    })
}

/// The list price of one unit, with how it was found.
fn list_price(request: &PriceRequest, list_prices: &[ListPrice]) -> (Option<Decimal>, String) {
    let mut valid: Vec<&ListPrice> = list_prices
        .iter()
        .filter(|l| l.product == request.product && l.currency == request.currency)
        .filter(|l| valid_on(l.valid_from, l.valid_to, request.date).is_ok())
        .collect();
    valid.sort_by_key(|l| Reverse(l.valid_from));
    let Some(list) = valid.first() else {
        return (
            None,
            format!(
                "list price: none for {} in {} on {}",
                request.product, request.currency, request.date
            ),
        );
    };
    let (price, from) = match reached_break(&list.breaks, request.quantity) {
        Some(b) if b.price < list.price => (
            b.price,
            format!(" (break from {})", b.min_quantity.normalize()),
        ),
        _ => (list.price, String::new()),
    };
    let unit = per_unit(price, list.price_unit);
    (
        Some(unit),
        format!(
            "list price: {} {} per {}{from}",
            price.normalize(),
            request.currency,
            list.price_unit.normalize()
        ),
    )
}

fn per_unit(price: Decimal, price_unit: Decimal) -> Decimal {
    if price_unit > Decimal::ZERO {
        price / price_unit
    } else {
        price
    }
}

fn reached_break(breaks: &[PriceBreak], quantity: Decimal) -> Option<&PriceBreak> {
    breaks
        .iter()
        .filter(|b| b.min_quantity <= quantity)
        .max_by_key(|b| b.min_quantity)
}

/// The condition's rank for this request, and the depth of its product group (0: most
/// specific), or `None` when it is not for this customer and product.
fn rank(request: &PriceRequest, c: &SpecialCondition) -> Option<(Precedence, usize)> {
    let customer = match &c.scope {
        ConditionScope::Customer(number) => (*number == request.customer).then_some(true),
        ConditionScope::CustomerGroup(g) => request.customer_groups.contains(g).then_some(false),
    }?;
    let (on, depth) = match &c.target {
        ConditionTarget::Product(p) => (*p == request.product).then_some((0, 0))?,
        ConditionTarget::ProductGroup(g) => {
            (1, request.product_groups.iter().position(|pg| pg == g)?)
        }
        ConditionTarget::All => (2, 0),
    };
    let precedence = match (customer, on) {
        (true, 0) => Precedence::CustomerProduct,
        (true, 1) => Precedence::CustomerProductGroup,
        (true, _) => Precedence::Customer,
        (false, 0) => Precedence::GroupProduct,
        (false, 1) => Precedence::GroupProductGroup,
        (false, _) => Precedence::Group,
    };
    Some((precedence, depth))
}

fn not_for(request: &PriceRequest, c: &SpecialCondition) -> String {
    let scope_fits = match &c.scope {
        ConditionScope::Customer(number) => *number == request.customer,
        ConditionScope::CustomerGroup(g) => request.customer_groups.contains(g),
    };
    if !scope_fits {
        return match &c.scope {
            ConditionScope::Customer(number) => format!("for customer {number}"),
            ConditionScope::CustomerGroup(g) => {
                format!("for customer group {g}, which the customer is not in")
            }
        };
    }
    match &c.target {
        ConditionTarget::Product(p) => format!("on product {p}"),
        ConditionTarget::ProductGroup(g) => {
            format!("on product group {g}, which the product is not in")
        }
        ConditionTarget::All => "not for this request".to_owned(),
    }
}

fn valid_on(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    date: NaiveDate,
) -> std::result::Result<(), String> {
    match (from, to) {
        (Some(from), _) if date < from => Err(format!("valid from {from}")),
        (_, Some(to)) if date > to => Err(format!("expired on {to}")),
        _ => Ok(()),
    }
}

/// The unit price a condition gives, with why.
fn condition_price(
    request: &PriceRequest,
    c: &SpecialCondition,
    list: Option<Decimal>,
) -> std::result::Result<(Decimal, String), String> {
    let currency_fits = |currency: &Currency| {
        if *currency == request.currency {
            Ok(())
        } else {
            Err(format!(
                "priced in {currency}, the document is in {}",
                request.currency
            ))
        }
    };
    match &c.price {
        ConditionPrice::Fixed {
            price,
            currency,
            price_unit,
        } => {
            currency_fits(currency)?;
            Ok((
                per_unit(*price, *price_unit),
                format!(
                    "fixed price {} {currency} per {}",
                    price.normalize(),
                    price_unit.normalize()
                ),
            ))
        }
        ConditionPrice::Discount { percent } => {
            if *percent < Decimal::ZERO || *percent > Decimal::ONE_HUNDRED {
                return Err(format!(
                    "a discount of {}% is out of range",
                    percent.normalize()
                ));
            }
            let list = list.ok_or("a discount, but no list price to take it from")?;
            let unit = list * (Decimal::ONE_HUNDRED - percent) / Decimal::ONE_HUNDRED;
            Ok((unit, format!("{}% off the list price", percent.normalize())))
        }
        ConditionPrice::Breaks {
            breaks,
            currency,
            price_unit,
        } => {
            currency_fits(currency)?;
            let Some(reached) = reached_break(breaks, request.quantity) else {
                let first = breaks.iter().map(|b| b.min_quantity).min();
                return Err(match first {
                    Some(first) => format!(
                        "quantity {} is below its first break at {}",
                        request.quantity.normalize(),
                        first.normalize()
                    ),
                    None => "quantity breaks without any break".to_owned(),
                });
            };
            Ok((
                per_unit(reached.price, *price_unit),
                format!(
                    "quantity break from {}: {} {currency} per {}",
                    reached.min_quantity.normalize(),
                    reached.price.normalize(),
                    price_unit.normalize()
                ),
            ))
        }
    }
}

#[cfg(test)]
#[path = "pricing_tests.rs"]
mod tests;
