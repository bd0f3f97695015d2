use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Active ISO 4217 currency codes with the number of their minor-unit digits.
#[rustfmt::skip]
const ISO_4217: &[(&str, u8)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("AOA", 2), ("ARS", 2), ("AUD", 2),
    ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2), ("BHD", 3),
    ("BIF", 0), ("BMD", 2), ("BND", 2), ("BOB", 2), ("BRL", 2), ("BSD", 2), ("BTN", 2),
    ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHF", 2), ("CLP", 0),
    ("CNY", 2), ("COP", 2), ("CRC", 2), ("CUP", 2), ("CVE", 2), ("CZK", 2), ("DJF", 0),
    ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2), ("EUR", 2),
    ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2), ("GMD", 2),
    ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2), ("HUF", 2),
    ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2),
    ("JOD", 3), ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2),
    ("KRW", 0), ("KWD", 3), ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2),
    ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2), ("MKD", 2),
    ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2), ("MVR", 2), ("MWK", 2),
    ("MXN", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2), ("NOK", 2),
    ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2), ("PHP", 2),
    ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2), ("RUB", 2),
    ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2), ("SGD", 2),
    ("SHP", 2), ("SLE", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2), ("SVC", 2),
    ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3), ("TOP", 2),
    ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0), ("USD", 2),
    ("UYU", 2), ("UZS", 2), ("VES", 2), ("VND", 0), ("VUV", 0), ("WST", 2), ("XAF", 0),
    ("XCD", 2), ("XCG", 2), ("XOF", 0), ("XPF", 0), ("YER", 2), ("ZAR", 2), ("ZMW", 2),
    ("ZWG", 2),
];

/// `value` rounded to `places` in Swiss notation, with `'` between thousands:
/// `1'234'567.50`, `-0.5`.
///
/// ```
/// # use crm_core::values::swiss;
/// # use crm_core::Decimal;
/// assert_eq!(swiss(Decimal::new(123456750, 2), 2), "1'234'567.50");
/// ```
pub fn swiss(value: Decimal, places: u32) -> String {
    let rounded = value.round_dp(places);
    let text = format!("{:.*}", places as usize, rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\'');
        }
        grouped.push(c);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// An ISO 4217 currency such as `CHF`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

impl Currency {
    /// Swiss franc.
    pub const CHF: Currency = Currency {
        code: *b"CHF",
        minor_units: 2,
    };
    /// Euro.
    pub const EUR: Currency = Currency {
        code: *b"EUR",
        minor_units: 2,
    };

    /// Parses an active ISO 4217 code in any case.
    ///
    /// # Errors
    /// A [`ValueError`] for anything that is not an active code.
    pub fn new(raw: &str) -> Result<Self, ValueError> {
        let code = raw.trim().to_ascii_uppercase();
        ISO_4217
            .iter()
            .find(|(c, _)| *c == code)
            .and_then(|(c, minor_units)| {
                let b = c.as_bytes();
                Some(Currency {
                    code: [*b.first()?, *b.get(1)?, *b.get(2)?],
                    minor_units: *minor_units,
                })
            })
            .ok_or_else(|| {
                ValueError::new(format!(
                    "`{}` is not an active ISO 4217 currency code",
                    raw.trim()
                ))
            })
    }

    /// The code, e.g. `CHF`.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Digits after the decimal point in this currency (2 for CHF, 0 for JPY).
    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::new(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::new(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.code().to_owned()
    }
}

/// An exact amount in one currency. Never a float: amounts are [`Decimal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount, exact.
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// `amount` in `currency`.
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Parses an amount such as `1234.50` or `1'234.50` (Swiss thousands separator) in
    /// `currency`.
    ///
    /// # Errors
    /// A [`ValueError`] when the text is not a decimal number.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, ValueError> {
        let cleaned: String = amount
            .trim()
            .chars()
            .filter(|c| !matches!(c, '\'' | '’' | ' ' | '_'))
            .collect();
        let amount = Decimal::from_str(&cleaned)
            .map_err(|_| ValueError::new(format!("`{}` is not a decimal amount", amount.trim())))?;
        Ok(Money { amount, currency })
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Money {
            amount: Decimal::ZERO,
            currency,
        }
    }

    /// The sum of two amounts of the same currency.
    ///
    /// # Errors
    /// A [`ValueError`] when the currencies differ or the sum overflows.
    pub fn checked_add(self, other: Money) -> Result<Money, ValueError> {
        if self.currency != other.currency {
            return Err(ValueError::new(format!(
                "cannot add {} to {}",
                other.currency, self.currency
            )));
        }
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| ValueError::new("sum is too large"))?;
        Ok(Money::new(amount, self.currency))
    }

    /// The amount rounded to the currency's minor units (banker's rounding is avoided:
    /// half away from zero, as invoices round).
    #[must_use]
    pub fn rounded(self) -> Money {
        let amount = self.amount.round_dp_with_strategy(
            self.currency.minor_units(),
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        );
        Money::new(amount, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = self.rounded();
        write!(
            f,
            "{:.*} {}",
            self.currency.minor_units() as usize,
            rounded.amount,
            self.currency
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(Currency::new("chf").unwrap(), Currency::CHF);
        assert_eq!(Currency::new("JPY").unwrap().minor_units(), 0);
        assert_eq!(Currency::new("KWD").unwrap().minor_units(), 3);
        assert!(Currency::new("DEM").unwrap_err().0.contains("ISO 4217"));
    }

    #[test]
    fn amounts_are_exact_and_currencies_do_not_mix() {
        let a = Money::parse("1'234.55", Currency::CHF).unwrap();
        let b = Money::parse("0.10", Currency::CHF).unwrap();
        let sum = a.checked_add(b).unwrap();
        assert_eq!(sum.amount, Decimal::new(123465, 2));
        assert_eq!(sum.to_string(), "1234.65 CHF");
        assert!(a.checked_add(Money::zero(Currency::EUR)).is_err());
        assert!(Money::parse("12,5", Currency::CHF).is_err());
        assert_eq!(
            Money::parse("2.345", Currency::CHF)
                .unwrap()
                .rounded()
                .amount,
            Decimal::new(235, 2)
        );
    }
}
