//! What the dashboards ask of the host and of the chart crate.

use crate::error::Result;
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
