//! Business numbers for addresses: customers and leads each draw from their own range.

use serde::{Deserialize, Serialize};

use crate::address::AddressKind;
use crate::error::ValueError;

/// An inclusive range of business numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRange")]
pub struct NumberRange {
    start: i64,
    end: i64,
}

#[derive(Deserialize)]
struct RawRange {
    start: i64,
    end: i64,
}

impl TryFrom<RawRange> for NumberRange {
    type Error = ValueError;
    fn try_from(raw: RawRange) -> Result<Self, Self::Error> {
        NumberRange::new(raw.start, raw.end)
    }
}

impl NumberRange {
    /// The numbers `start..=end`; both positive, `start <= end`.
    ///
    /// # Errors
    /// A [`ValueError`] for an empty or non-positive range.
    pub fn new(start: i64, end: i64) -> Result<Self, ValueError> {
        if start <= 0 {
            return Err(ValueError::new(format!(
                "range start {start} must be positive"
            )));
        }
        if start > end {
            return Err(ValueError::new(format!(
                "range {start}..={end} is empty: start is above end"
            )));
        }
        Ok(NumberRange { start, end })
    }

    /// First number.
    pub fn start(&self) -> i64 {
        self.start
    }

    /// Last number.
    pub fn end(&self) -> i64 {
        self.end
    }

    /// Whether `n` lies in the range.
    pub fn contains(&self, n: i64) -> bool {
        (self.start..=self.end).contains(&n)
    }

    fn overlaps(&self, other: &NumberRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

/// The two ranges of address numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberRanges {
    /// Customer numbers.
    pub customer: NumberRange,
    /// Lead numbers.
    pub lead: NumberRange,
}

impl Default for NumberRanges {
    fn default() -> Self {
        NumberRanges {
            customer: NumberRange {
                start: 100_000,
                end: 799_999,
            },
            lead: NumberRange {
                start: 800_000,
                end: 999_999,
            },
        }
    }
}

impl NumberRanges {
    /// Checks that the two ranges do not overlap, so that a number tells lead from customer.
    ///
    /// # Errors
    /// A [`ValueError`] naming both ranges when they overlap.
    pub fn validate(&self) -> Result<(), ValueError> {
        if self.customer.overlaps(&self.lead) {
            return Err(ValueError::new(format!(
                "customer range {}..={} overlaps lead range {}..={}",
                self.customer.start, self.customer.end, self.lead.start, self.lead.end
            )));
        }
        Ok(())
    }

    /// The range for addresses of `kind`.
    pub fn for_kind(&self, kind: AddressKind) -> NumberRange {
        match kind {
            AddressKind::Customer => self.customer,
            AddressKind::Lead => self.lead,
        }
    }

    /// The name of the counter that storage keeps for `kind`.
    pub fn counter(kind: AddressKind) -> &'static str {
        match kind {
            AddressKind::Customer => "address.customer",
            AddressKind::Lead => "address.lead",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_must_be_sane_and_apart() {
        assert!(NumberRange::new(0, 10).is_err());
        assert!(NumberRange::new(10, 9).is_err());
        assert!(NumberRanges::default().validate().is_ok());
        let overlapping = NumberRanges {
            customer: NumberRange::new(1, 100).unwrap(),
            lead: NumberRange::new(100, 200).unwrap(),
        };
        assert!(overlapping.validate().unwrap_err().0.contains("overlaps"));
    }
}
