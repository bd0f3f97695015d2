//! Exact amounts as fixed-point integers.
//!
//! The multi-backend connection has no `NUMERIC`, and SQLite's numeric affinity would turn
//! decimals into floats. Amounts are therefore stored as `BIGINT` in ten-thousandths (scale 4)
//! on both backends: exact, and `SUM` in SQL stays exact and fast.

use rust_decimal::Decimal;

/// Decimal places kept in storage.
pub const SCALE: u32 = 4;

/// The stored integer for `amount`.
///
/// # Errors
/// A [`crm_core::Error::Invalid`] naming `field` when the amount has more than four decimal
/// places (it would be rounded) or does not fit.
pub fn to_fixed(amount: Decimal, field: &str) -> crm_core::Result<i64> {
    let scaled = amount
        .checked_mul(Decimal::from(10_i64.pow(SCALE)))
        .ok_or_else(|| {
            crm_core::Error::invalid(field, format!("{amount} is too large to store"))
        })?;
    if !scaled.fract().is_zero() {
        return Err(crm_core::Error::invalid(
            field,
            format!("{amount} has more than {SCALE} decimal places"),
        ));
    }
    i64::try_from(scaled.trunc())
        .map_err(|_| crm_core::Error::invalid(field, format!("{amount} is too large to store")))
}

/// The amount for a stored integer.
pub fn from_fixed(stored: i64) -> Decimal {
    let mut amount = Decimal::from(stored);
    // An i64 has at most 19 digits, so scale 4 always fits into a Decimal.
    let _ = amount.set_scale(SCALE);
    amount.normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn amounts_round_trip_exactly() {
        for text in ["0", "1234.5", "-0.0001", "922337203685477.5807", "0.1"] {
            let d = Decimal::from_str(text).unwrap();
            assert_eq!(
                from_fixed(to_fixed(d, "amount").unwrap()),
                d.normalize(),
                "{text}"
            );
        }
    }

    #[test]
    fn too_precise_or_too_large_amounts_are_refused() {
        let err = to_fixed(Decimal::from_str("0.00001").unwrap(), "price").unwrap_err();
        assert!(err.to_string().contains("price"));
        assert!(to_fixed(Decimal::from_str("922337203685477.5808").unwrap(), "x").is_err());
    }
}
