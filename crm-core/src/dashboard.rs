//! The two dashboards — of the active address and of a user — as plain serde types with
//! stable field names, for front ends that render them from JSON (a web or mobile client,
//! the host's own user interface) without knowing the library's internals.
//!
//! [`DashboardService`](crate::services::DashboardService) assembles them, each from one
//! consistent snapshot of the store. Amounts are decimal strings (`"1234.50"`), days
//! `YYYY-MM-DD`, months `YYYY-MM`, instants RFC 3339 in UTC; a panel that has nothing is an
//! empty list or `null`, never left out.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::calendar::Occurrence;
use crate::contact::Contact;
use crate::erp::{DocumentHeader, PaymentHabits};
use crate::ids::UserId;
use crate::note::Note;
use crate::opportunity::{AddressOpportunities, OpportunitySummary, PipelineSummary};
use crate::pool::Pool;
use crate::revenue::{AddressRevenue, YearToDate};
use crate::search::Page;
use crate::services::ActivatedAddress;
use crate::trace::Trace;
use crate::values::{GeoPoint, Money, PostalAddress};

/// The first entries of a list, and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed<T> {
    /// The first entries.
    pub items: Vec<T>,
    /// How many there are in all.
    pub total: u64,
}

impl<T> From<Page<T>> for Listed<T> {
    fn from(page: Page<T>) -> Self {
        Listed {
            items: page.items,
            total: page.total,
        }
    }
}

/// Where the ERP's panels come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErpData {
    /// The replica in the CRM's own store, read in the dashboard's snapshot.
    Snapshot,
    /// The host's ERP, asked right after the snapshot was read.
    Live,
    /// No ERP is connected: the ERP's panels are `null`.
    None,
}

/// Where an address's coordinates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoordinatesSource {
    /// Stored with the address (given by the host or a user).
    Address,
    /// Found by the host's geocoder for this dashboard.
    Geocoder,
}

/// Where an address is, and a link to show it on a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Its coordinates, when known.
    pub coordinates: Option<GeoPoint>,
    /// Where they come from; `null` without coordinates.
    pub source: Option<CoordinatesSource>,
    /// An OpenStreetMap link: to the coordinates, or a search for the postal address.
    pub map_url: String,
}

/// An address's revenue as its dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenuePanel {
    /// This year against last (to the day), the last twelve months, product groups.
    pub figures: AddressRevenue,
    /// The last twelve months as a small line, SVG; `null` when no chart renderer is
    /// connected.
    pub sparkline_svg: Option<String>,
}

/// What a customer owes, and how he pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivablesSummary {
    /// Items with something open.
    pub open_items: u64,
    /// Of those, how many are past their due date.
    pub overdue_items: u64,
    /// The earliest due date among the open items.
    pub oldest_due: Option<NaiveDate>,
    /// Payment habits, one per currency he is invoiced in (open amount, ageing, dunning,
    /// days to pay, trend).
    pub habits: Vec<PaymentHabits>,
}

/// Everything about the active address on one screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressDashboard {
    /// When the snapshot was read.
    pub as_of: DateTime<Utc>,
    /// The address with its postal address, reps and status.
    pub address: Address,
    /// Coordinates and map link.
    pub location: Location,
    /// Active contact persons, the primary one first.
    pub contacts: Vec<Contact>,
    /// The latest notes.
    pub notes: Listed<Note>,
    /// Revenue this year against last, with the 12-month sparkline; `null` without ERP.
    pub revenue: Option<RevenuePanel>,
    /// Open opportunities and those decided lately.
    pub opportunities: AddressOpportunities,
    /// The latest traces.
    pub traces: Vec<Trace>,
    /// Current sales documents (quotes, orders, invoices in progress), newest first;
    /// `null` without ERP.
    pub sales_documents: Option<Listed<DocumentHeader>>,
    /// Open items with payment habits; `null` without ERP.
    pub receivables: Option<ReceivablesSummary>,
    /// Order lines with something still to deliver; `null` without ERP.
    pub open_order_lines: Option<u64>,
    /// Special conditions valid today; `null` without ERP.
    pub special_conditions: Option<u64>,
    /// The pools it is in that the user may see.
    pub pools: Vec<Pool>,
    /// Its next calendar entries (those in progress included).
    pub next_calendar_entries: Vec<Occurrence>,
    /// How many archived documents hang at it and at its records.
    pub documents: u64,
    /// Where the ERP's panels come from.
    pub erp_data: ErpData,
}

/// Who a user dashboard belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardUser {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub login: String,
    /// Name to show.
    pub display_name: String,
}

/// A user's calendar: what is going on now and what comes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarPanel {
    /// Entries in progress.
    pub current: Vec<Occurrence>,
    /// The next entries, soonest first.
    pub next: Vec<Occurrence>,
}

/// The open opportunities of a user's selling teams with their weighted pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelinePanel {
    /// The first open opportunities by expected close date, and how many there are.
    pub opportunities: Listed<OpportunitySummary>,
    /// Volume per currency over all his open opportunities.
    pub volume: Vec<Money>,
    /// Volume × probability per currency.
    pub weighted: Vec<Money>,
    /// By stage and by close month.
    pub summary: PipelineSummary,
}

/// A user's day on one screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserDashboard {
    /// When the snapshot was read.
    pub as_of: DateTime<Utc>,
    /// Whose dashboard it is.
    pub user: DashboardUser,
    /// His current and next calendar entries.
    pub calendar: CalendarPanel,
    /// The latest traces over all his customers.
    pub traces: Vec<Trace>,
    /// His selling teams' open opportunities and weighted pipeline.
    pub pipeline: PipelinePanel,
    /// His revenue this year so far against last year; `null` without ERP.
    pub revenue: Option<YearToDate>,
    /// The addresses he activated lately, newest first.
    pub recently_activated: Vec<ActivatedAddress>,
    /// Where the revenue comes from.
    pub erp_data: ErpData,
}

/// An OpenStreetMap link: to `coordinates` when known, else a search for `postal`.
///
/// ```
/// use crm_core::dashboard::map_url;
/// use crm_core::values::{CountryCode, GeoPoint, PostalAddress};
///
/// let postal = PostalAddress {
///     street: Some("Bahnhofstrasse 1".into()),
///     addition: None,
///     po_box: None,
///     postal_code: Some("8001".into()),
///     city: Some("Zürich".into()),
///     country: CountryCode::new("CH")?,
/// };
/// assert_eq!(
///     map_url(None, &postal),
///     "https://www.openstreetmap.org/search?query=Bahnhofstrasse+1%2C+8001%2C+Z%C3%BCrich%2C+CH"
/// );
/// let zurich = GeoPoint::new(47.3769, 8.5417)?;
/// assert_eq!(
///     map_url(Some(zurich), &postal),
///     "https://www.openstreetmap.org/?mlat=47.376900&mlon=8.541700#map=17/47.376900/8.541700"
/// );
/// # Ok::<(), crm_core::ValueError>(())
/// ```
pub fn map_url(coordinates: Option<GeoPoint>, postal: &PostalAddress) -> String {
    match coordinates {
        Some(p) => {
            let (lat, lon) = (p.latitude(), p.longitude());
            format!(
                "https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=17/{lat:.6}/{lon:.6}"
            )
        }
        None => {
            let place = [
                postal.street.as_deref(),
                postal.po_box.as_deref(),
                postal.postal_code.as_deref(),
                postal.city.as_deref(),
                Some(postal.country.as_str()),
            ]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
            format!(
                "https://www.openstreetmap.org/search?query={}",
                query_encoded(&place)
            )
        }
    }
}

/// `text` as a URL query value: unreserved characters as they are, spaces as `+`, every
/// other byte of its UTF-8 as `%XX`.
fn query_encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::CountryCode;

    #[test]
    fn without_coordinates_the_map_searches_the_postal_address() {
        let postal = PostalAddress {
            street: Some("Bahnhofstrasse 1".into()),
            addition: Some("3. Stock".into()),
            po_box: None,
            postal_code: Some("8001".into()),
            city: Some("Zürich".into()),
            country: CountryCode::new("CH").unwrap(),
        };
        assert_eq!(
            map_url(None, &postal),
            "https://www.openstreetmap.org/search?query=Bahnhofstrasse+1%2C+8001%2C+Z%C3%BCrich%2C+CH"
        );
        let empty = PostalAddress {
            street: Some("  ".into()),
            ..postal.clone()
        };
        assert!(map_url(None, &empty).ends_with("query=8001%2C+Z%C3%BCrich%2C+CH"));
        let p = GeoPoint::new(-33.8688, 151.2093).unwrap();
        let url = map_url(Some(p), &postal);
        assert!(url.contains("mlat=-33.868800&mlon=151.209300"), "{url}");
    }
}
