//! Customer disposition: the customer's order lines with what is delivered, what is open,
//! and whether it is late.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{DocumentNumber, ProductNumber};
use crate::ids::AddressNumber;
use crate::names::names;

/// Where an order line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispositionStatus {
    /// Nothing delivered yet, not late.
    Open,
    /// Part delivered, the rest not late.
    PartlyDelivered,
    /// Something is open and late: its promised date has passed, or the confirmed date lies
    /// after the requested one.
    BackOrder,
    /// Everything delivered.
    Delivered,
    /// Cancelled.
    Cancelled,
}

names!(DispositionStatus {
    Open => "open",
    PartlyDelivered => "partly_delivered",
    BackOrder => "back_order",
    Delivered => "delivered",
    Cancelled => "cancelled",
});

/// One line of a customer's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The order's document number.
    pub order: DocumentNumber,
    /// The line's position in the order.
    pub position: u32,
    /// The customer.
    pub customer: AddressNumber,
    /// The product.
    pub product: ProductNumber,
    /// What the line says.
    pub description: String,
    /// Quantity ordered.
    pub ordered: Decimal,
    /// Quantity delivered so far.
    pub delivered: Decimal,
    /// Unit of the quantities (e.g. `PCE`).
    pub unit: String,
    /// The delivery date the customer asked for.
    pub requested_date: Option<NaiveDate>,
    /// The delivery date the company confirmed.
    pub confirmed_date: Option<NaiveDate>,
    /// Whether the line was cancelled.
    pub cancelled: bool,
}

impl OrderLine {
    /// What is still to deliver (0 for cancelled lines and over-deliveries).
    pub fn open_quantity(&self) -> Decimal {
        if self.cancelled {
            Decimal::ZERO
        } else {
            (self.ordered - self.delivered).max(Decimal::ZERO)
        }
    }

    /// The date delivery is promised for: the confirmed one, else the requested one.
    pub fn promised_date(&self) -> Option<NaiveDate> {
        self.confirmed_date.or(self.requested_date)
    }

    /// Days the open rest is late on `today`: the larger of how far the confirmed date lies
    /// after the requested one and how far the promised date has passed; 0 when nothing is
    /// open or nothing is late.
    pub fn delay_days(&self, today: NaiveDate) -> i64 {
        if self.open_quantity().is_zero() {
            return 0;
        }
        let confirmed_later = match (self.requested_date, self.confirmed_date) {
            (Some(requested), Some(confirmed)) => (confirmed - requested).num_days(),
            _ => 0,
        };
        let passed = self
            .promised_date()
            .map_or(0, |promised| (today - promised).num_days());
        confirmed_later.max(passed).max(0)
    }

    /// The line's status on `today`.
    pub fn status(&self, today: NaiveDate) -> DispositionStatus {
        if self.cancelled {
            DispositionStatus::Cancelled
        } else if self.open_quantity().is_zero() {
            DispositionStatus::Delivered
        } else if self.delay_days(today) > 0 {
            DispositionStatus::BackOrder
        } else if self.delivered > Decimal::ZERO {
            DispositionStatus::PartlyDelivered
        } else {
            DispositionStatus::Open
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ordered: i64, delivered: i64, requested: &str, confirmed: &str) -> OrderLine {
        let date = |s: &str| (!s.is_empty()).then(|| s.parse().unwrap());
        OrderLine {
            order: DocumentNumber::new("AB-1").unwrap(),
            position: 1,
            customer: AddressNumber(100_042),
            product: ProductNumber::new("1068120000").unwrap(),
            description: "Reihenklemme".into(),
            ordered: ordered.into(),
            delivered: delivered.into(),
            unit: "PCE".into(),
            requested_date: date(requested),
            confirmed_date: date(confirmed),
            cancelled: false,
        }
    }

    #[test]
    fn status_and_delay_follow_quantities_and_dates() {
        let today: NaiveDate = "2026-12-01".parse().unwrap();
        let open = line(100, 0, "2026-12-10", "2026-12-10");
        assert_eq!(
            (open.status(today), open.delay_days(today)),
            (DispositionStatus::Open, 0)
        );
        let part = line(100, 40, "2026-12-10", "");
        assert_eq!(part.open_quantity(), Decimal::from(60));
        assert_eq!(part.status(today), DispositionStatus::PartlyDelivered);
        let confirmed_later = line(100, 0, "2026-12-10", "2026-12-17");
        assert_eq!(confirmed_later.delay_days(today), 7);
        assert_eq!(confirmed_later.status(today), DispositionStatus::BackOrder);
        let overdue = line(100, 40, "2026-11-20", "2026-11-24");
        assert_eq!(overdue.delay_days(today), 7, "promised 24 Nov, today 1 Dec");
        assert_eq!(overdue.status(today), DispositionStatus::BackOrder);
        let done = line(100, 120, "2026-11-20", "");
        assert_eq!(
            (done.open_quantity(), done.status(today)),
            (Decimal::ZERO, DispositionStatus::Delivered)
        );
        assert_eq!(done.delay_days(today), 0);
        let mut cancelled = line(100, 0, "2026-11-20", "");
        cancelled.cancelled = true;
        assert_eq!(cancelled.status(today), DispositionStatus::Cancelled);
        assert_eq!(cancelled.delay_days(today), 0);
    }
}
