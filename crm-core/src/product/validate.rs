//! The rules a product must keep before it is stored.

use rust_decimal::Decimal;

use super::{Product, PromotionOffer};
use crate::error::{Result, Validator};

/// Longest name, keyword, type designation or unit, in characters.
const SHORT: usize = 500;
/// Longest description, in characters.
const LONG: usize = 64_000;

fn too_long(v: &mut Validator, field: &str, text: &str, max: usize) {
    if text.chars().count() > max {
        v.reject(field, format!("has more than {max} characters"));
    }
}

/// Checks a product: a name in at least one language, a unit, texts of sane length, list
/// prices of this product that are not negative, validity and promotion periods the right
/// way round, discounts of 0–100 %. Fields are named as in [`Product`] (`prices[1].price`).
///
/// # Errors
/// [`crate::Error::Invalid`] naming every bad field.
pub fn check_product(p: &Product) -> Result<()> {
    let mut v = Validator::new();
    if p.names.is_empty() {
        v.reject("names", "a product needs a name in at least one language");
    }
    for (l, name) in p.names.iter() {
        too_long(&mut v, &format!("names.{l}"), name, SHORT);
    }
    for (l, text) in p.descriptions.iter() {
        too_long(&mut v, &format!("descriptions.{l}"), text, LONG);
    }
    for (i, (_, k)) in p.keywords.iter().enumerate() {
        if k.trim().is_empty() {
            v.reject(&format!("keywords[{i}]"), "must not be blank");
        }
        too_long(&mut v, &format!("keywords[{i}]"), k, SHORT);
    }
    if p.unit.trim().is_empty() {
        v.reject("unit", "must not be blank");
    }
    too_long(&mut v, "unit", &p.unit, 16);
    for (field, text) in [
        ("manufacturer", &p.manufacturer),
        ("manufacturer_number", &p.manufacturer_number),
        ("manufacturer_type", &p.manufacturer_type),
    ] {
        if let Some(text) = text {
            too_long(&mut v, field, text, SHORT);
        }
    }
    for (i, price) in p.prices.iter().enumerate() {
        let at = format!("prices[{i}]");
        if price.product != p.number {
            v.reject(
                &format!("{at}.product"),
                format!("is {}, not the product {}", price.product, p.number),
            );
        }
        if price.price < Decimal::ZERO {
            v.reject(&format!("{at}.price"), "must not be negative");
        }
        if price.price_unit <= Decimal::ZERO {
            v.reject(&format!("{at}.price_unit"), "must be more than 0");
        }
        for (k, b) in price.breaks.iter().enumerate() {
            if b.price < Decimal::ZERO {
                v.reject(&format!("{at}.breaks[{k}].price"), "must not be negative");
            }
        }
        if let (Some(from), Some(to)) = (price.valid_from, price.valid_to)
            && to < from
        {
            v.reject(&format!("{at}.valid_to"), format!("{to} is before {from}"));
        }
    }
    for (i, f) in p.features.iter().enumerate() {
        if f.name.trim().is_empty() {
            v.reject(&format!("features[{i}].name"), "must not be blank");
        }
    }
    for (i, m) in p.media.iter().enumerate() {
        if m.source.trim().is_empty() {
            v.reject(&format!("media[{i}].source"), "must not be blank");
        }
    }
    for (i, promo) in p.promotions.iter().enumerate() {
        let at = format!("promotions[{i}]");
        if promo.label.trim().is_empty() {
            v.reject(&format!("{at}.label"), "must not be blank");
        }
        if promo.to < promo.from {
            v.reject(
                &format!("{at}.to"),
                format!("{} is before {}", promo.to, promo.from),
            );
        }
        match &promo.offer {
            PromotionOffer::Price { price, .. } if *price < Decimal::ZERO => {
                v.reject(&format!("{at}.offer.price"), "must not be negative");
            }
            PromotionOffer::Discount { percent }
                if *percent < Decimal::ZERO || *percent > Decimal::ONE_HUNDRED =>
            {
                v.reject(&format!("{at}.offer.percent"), "must be between 0 and 100");
            }
            _ => {}
        }
    }
    v.finish(|| Some(()))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::erp::{ListPrice, ProductNumber};
    use crate::product::Promotion;
    use crate::values::{Currency, Language};

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_bad_field_is_named() {
        let number = ProductNumber::new("1020000000").unwrap();
        let mut p = Product::new(number, Language::De, "Durchgangs-Reihenklemme", "C62");
        assert!(check_product(&p).is_ok());
        p.names.set(Language::De, "");
        p.unit = " ".into();
        p.prices.push(ListPrice {
            product: ProductNumber::new("other").unwrap(),
            currency: Currency::CHF,
            price: Decimal::NEGATIVE_ONE,
            price_unit: Decimal::ZERO,
            breaks: vec![],
            valid_from: Some(day("2026-02-01")),
            valid_to: Some(day("2026-01-01")),
        });
        p.promotions.push(Promotion {
            label: "Herbst".into(),
            from: day("2026-10-01"),
            to: day("2026-09-01"),
            offer: PromotionOffer::Discount {
                percent: Decimal::from(120),
            },
        });
        let Err(crate::Error::Invalid(invalid)) = check_product(&p) else {
            panic!("must fail");
        };
        for field in [
            "names",
            "unit",
            "prices[0].product",
            "prices[0].price",
            "prices[0].price_unit",
            "prices[0].valid_to",
            "promotions[0].to",
            "promotions[0].offer.percent",
        ] {
            assert!(invalid.has(field), "{field}: {invalid}");
        }
    }
}
