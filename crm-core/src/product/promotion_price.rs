//! A running promotion in a price: the customer gets the better of the determined price and
//! the promotion's.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{Promotion, PromotionOffer};
use crate::erp::{Considered, PriceResult, Verdict};
use crate::values::Money;

/// `result` with `promotion` considered: it applies when its unit price is lower than the
/// determined one, superseding the condition that set that; otherwise it is listed as not
/// applicable, with why. A promotion in another currency, or a discount on a product
/// without list price, does not apply.
pub fn with_promotion(mut result: PriceResult, promotion: &Promotion) -> PriceResult {
    let name = format!("promotion {}", promotion.label);
    let currency = result.net_unit_price.currency;
    let offered = match &promotion.offer {
        PromotionOffer::Price { price, currency: c } if *c == currency => Ok((
            *price,
            format!("{} {currency} until {}", price.normalize(), promotion.to),
        )),
        PromotionOffer::Price { currency: c, .. } => {
            Err(format!("priced in {c}, the document is in {currency}"))
        }
        PromotionOffer::Discount { percent } => match &result.list_unit_price {
            Some(list) => Ok((
                list.amount * (Decimal::ONE_HUNDRED - percent) / Decimal::ONE_HUNDRED,
                format!(
                    "{}% off the list price until {}",
                    percent.normalize(),
                    promotion.to
                ),
            )),
            None => Err("a discount, and there is no list price to take it from".to_owned()),
        },
    };
    let (unit, what) = match offered {
        Ok(found) => found,
        Err(why) => {
            result.considered.push(Considered {
                condition: name,
                precedence: None,
                unit_price: None,
                verdict: Verdict::NotApplicable,
                reason: why,
            });
            return result;
        }
    };
    if unit >= result.net_unit_price.amount {
        result.considered.push(Considered {
            condition: name,
            precedence: None,
            unit_price: Some(unit),
            verdict: Verdict::NotApplicable,
            reason: format!(
                "{what}: {} {currency} is not below the price of {} {currency}",
                unit.normalize(),
                result.net_unit_price.amount.normalize()
            ),
        });
        return result;
    }
    if let Some(previous) = &result.applied {
        for c in result
            .considered
            .iter_mut()
            .filter(|c| &c.condition == previous)
        {
            c.verdict = Verdict::Superseded { by: name.clone() };
            c.reason = format!("{}; {name} gives a lower price", c.reason);
        }
    }
    result.considered.push(Considered {
        condition: name.clone(),
        precedence: None,
        unit_price: Some(unit),
        verdict: Verdict::Applied,
        reason: what,
    });
    result.net_unit_price = Money::new(unit, currency);
    result.net_amount = Money::new(result.quantity * unit, currency).rounded();
    result.discount_percent = result
        .list_unit_price
        .as_ref()
        .filter(|l| !l.amount.is_zero())
        .map(|l| {
            ((l.amount - unit) * Decimal::ONE_HUNDRED / l.amount)
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        });
    result.applied = Some(name);
    result
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::values::Currency;

    fn price(list: &str, net: &str, applied: Option<&str>) -> PriceResult {
        let chf = |s: &str| Money::new(s.parse().unwrap(), Currency::CHF);
        PriceResult {
            quantity: Decimal::from(10),
            list_unit_price: Some(chf(list)),
            net_unit_price: chf(net),
            net_amount: chf(&(net.parse::<Decimal>().unwrap() * Decimal::from(10)).to_string()),
            applied: applied.map(str::to_owned),
            discount_percent: None,
            list_reason: "list price".into(),
            considered: applied
                .map(|a| Considered {
                    condition: a.into(),
                    precedence: None,
                    unit_price: Some(net.parse().unwrap()),
                    verdict: Verdict::Applied,
                    reason: "8% off".into(),
                })
                .into_iter()
                .collect(),
        }
    }

    fn promo(percent: i64) -> Promotion {
        Promotion {
            label: "Winteraktion".into(),
            from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            offer: PromotionOffer::Discount {
                percent: Decimal::from(percent),
            },
        }
    }

    #[test]
    fn a_better_promotion_supersedes_the_condition() {
        // List 3.20, the customer's 8 % gives 2.944; 15 % off gives 2.72.
        let r = with_promotion(price("3.20", "2.944", Some("GR-WV")), &promo(15));
        assert_eq!(r.applied.as_deref(), Some("promotion Winteraktion"));
        assert_eq!(r.net_unit_price.amount, "2.72".parse::<Decimal>().unwrap());
        assert_eq!(r.net_amount.amount, "27.20".parse::<Decimal>().unwrap());
        assert_eq!(r.discount_percent, Some(Decimal::from(15)));
        assert_eq!(
            r.considered[0].verdict,
            Verdict::Superseded {
                by: "promotion Winteraktion".into()
            }
        );
    }

    #[test]
    fn a_weaker_promotion_is_listed_but_does_not_apply() {
        let r = with_promotion(price("3.20", "2.944", Some("GR-WV")), &promo(5));
        assert_eq!(r.applied.as_deref(), Some("GR-WV"));
        assert_eq!(r.considered[1].verdict, Verdict::NotApplicable);
        assert!(
            r.considered[1].reason.contains("not below"),
            "{:?}",
            r.considered
        );
    }
}
