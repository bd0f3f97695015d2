//! How special conditions read in one line, for lists and explanations.

use std::fmt;

use super::{ConditionPrice, ConditionScope, ConditionTarget, SpecialCondition};

impl fmt::Display for ConditionScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionScope::Customer(n) => write!(f, "customer {n}"),
            ConditionScope::CustomerGroup(g) => write!(f, "customer group {g}"),
        }
    }
}

impl fmt::Display for ConditionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionTarget::Product(p) => write!(f, "product {p}"),
            ConditionTarget::ProductGroup(g) => write!(f, "product group {g}"),
            ConditionTarget::All => f.write_str("everything"),
        }
    }
}

impl fmt::Display for ConditionPrice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionPrice::Fixed {
                price,
                currency,
                price_unit,
            } => write!(
                f,
                "{} {currency} per {}",
                price.normalize(),
                price_unit.normalize()
            ),
            ConditionPrice::Discount { percent } => {
                write!(f, "{}% off the list price", percent.normalize())
            }
            ConditionPrice::Breaks {
                breaks,
                currency,
                price_unit,
            } => {
                let steps: Vec<String> = breaks
                    .iter()
                    .map(|b| {
                        format!(
                            "from {}: {}",
                            b.min_quantity.normalize(),
                            b.price.normalize()
                        )
                    })
                    .collect();
                write!(
                    f,
                    "{currency} per {} {}",
                    price_unit.normalize(),
                    steps.join(", ")
                )
            }
        }
    }
}

impl fmt::Display for SpecialCondition {
    /// One line: whom, on what, the price, and the validity.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} for {} on {}: {}",
            self.id, self.scope, self.target, self.price
        )?;
        match (self.valid_from, self.valid_to) {
            (Some(from), Some(to)) => write!(f, ", {from} to {to}"),
            (Some(from), None) => write!(f, ", from {from}"),
            (None, Some(to)) => write!(f, ", until {to}"),
            (None, None) => Ok(()),
        }
    }
}
