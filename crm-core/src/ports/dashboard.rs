//! What the dashboards ask of the host and of the chart crate.

use chrono::NaiveDate;

use crate::error::Result;
use crate::ids::{AddressId, AddressNumber};
use crate::revenue::MonthComparison;
use crate::values::{Currency, GeoPoint, Language, PostalAddress};

/// Finds the coordinates of a postal address, for addresses stored without them — the
/// host's own geodata or a geocoding service it has access to. The address dashboard asks
/// it outside its read transaction and stores nothing.
pub trait Geocoder: Send + Sync {
    /// The position of `postal`, or `None` when it cannot be located.
    ///
    /// # Errors
    /// The geocoder's failures; the dashboard then shows the address without coordinates.
    fn locate(&self, postal: &PostalAddress) -> Result<Option<GeoPoint>>;
}

/// Draws the small line of an address's last twelve months on its dashboard (the facade
/// connects the MIS crate's sparkline).
pub trait SparklineRenderer: Send + Sync {
    /// The SVG of `months`' net revenue in `currency`, its title and description in
    /// `language`.
    ///
    /// # Errors
    /// The renderer's failures; the dashboard then shows the figures without the line.
    fn sparkline_svg(
        &self,
        months: &[MonthComparison],
        currency: Currency,
        language: Language,
    ) -> Result<String>;
}

/// The numbers the address dashboard shows without their rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddressCounts {
    /// Documents hanging at the address or at its records.
    pub documents: u64,
    /// The customer's order lines with something still to deliver (when asked for).
    pub open_order_lines: Option<u64>,
    /// Special conditions of the customer and his groups valid on the day (when asked for).
    pub special_conditions: Option<u64>,
}

/// Reads for the dashboards that no single-purpose repository answers in one statement.
pub trait DashboardRepository {
    /// How many documents hang at `address` and at its records, and — with `erp`, the
    /// customer's number and a day, when the ERP is the replica in this store — how many
    /// of his order lines are open and how many special conditions (his own and his
    /// groups') are valid that day; read with one statement.
    ///
    /// # Errors
    /// Storage failures only.
    fn address_counts(
        &mut self,
        address: AddressId,
        erp: Option<(AddressNumber, NaiveDate)>,
    ) -> Result<AddressCounts>;
}
