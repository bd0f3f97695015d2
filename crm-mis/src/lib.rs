//! Revenue charts of the sales CRM (MIS), drawn with plotters: this year's months against
//! last year's with cumulative lines, top customers and product groups as horizontal bars,
//! and a twelve-month sparkline for the dashboard — each as SVG (text stays text, with
//! `<title>` and `<desc>` for screen readers) or PNG (drawn with the bundled DejaVu Sans, so
//! no system font is needed).
//!
//! The charts take the figures of [`crm_core::revenue`] as they are, so a front end can show
//! the numbers and embed the picture of the same call. Size, language (German, French,
//! Italian, English) and Swiss number format (`1'234'567.50 CHF`) come from the caller; a
//! chart without data says so on the picture instead of failing.
//!
//! ```no_run
//! use crm_core::revenue::AddressRevenue;
//! use crm_mis::{ChartOptions, Format, monthly_revenue};
//! # fn demo(revenue: &AddressRevenue) -> Result<(), crm_mis::ChartError> {
//! let options = ChartOptions { format: Format::Svg, ..ChartOptions::default() };
//! let chart = monthly_revenue(&revenue.months, revenue.currency, &options)?;
//! println!("{}", chart.svg().unwrap_or_default());
//! # Ok(()) }
//! ```

mod draw;
mod prepare;
mod words;

use crm_core::revenue::{AddressRevenue, Breakdown, MonthComparison, UserRevenue};
use crm_core::{Currency, Language};
use serde::{Deserialize, Serialize};

use prepare::{Bar, Prepared, Spec};

/// The smallest width or height of a chart, in pixels.
pub const MIN_SIZE: u32 = 16;
/// The largest width or height of a chart, in pixels.
pub const MAX_SIZE: u32 = 4096;

/// SVG or PNG.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Scalable vector graphics, text as text.
    #[default]
    Svg,
    /// A PNG picture.
    Png,
}

impl Format {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
        }
    }
}

/// How a chart is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartOptions {
    /// Width in pixels ([`MIN_SIZE`] to [`MAX_SIZE`]).
    pub width: u32,
    /// Height in pixels ([`MIN_SIZE`] to [`MAX_SIZE`]).
    pub height: u32,
    /// The language of titles, month names and legends.
    pub language: Language,
    /// SVG or PNG.
    pub format: Format,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 800,
            height: 400,
            language: Language::De,
            format: Format::Svg,
        }
    }
}

/// A rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// SVG or PNG.
    pub format: Format,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// What it shows, in the chart's language.
    pub title: String,
    /// Its data as text, for screen readers and alternative texts.
    pub description: String,
    /// The file: UTF-8 SVG text or PNG bytes.
    pub bytes: Vec<u8>,
}

impl Chart {
    /// The SVG text, for an SVG chart.
    pub fn svg(&self) -> Option<&str> {
        match self.format {
            Format::Svg => std::str::from_utf8(&self.bytes).ok(),
            Format::Png => None,
        }
    }
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The size asked for is outside what is drawn.
    #[error("invalid {field}: {value} pixels, must be {MIN_SIZE} to {MAX_SIZE}")]
    Size {
        /// `width` or `height`.
        field: &'static str,
        /// The size asked for.
        value: u32,
    },
    /// Drawing failed.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
}

impl ChartOptions {
    fn validate(&self) -> Result<(), ChartError> {
        for (field, value) in [("width", self.width), ("height", self.height)] {
            if !(MIN_SIZE..=MAX_SIZE).contains(&value) {
                return Err(ChartError::Size { field, value });
            }
        }
        Ok(())
    }
}

/// Months as bars against the months they are compared with, with a cumulative line of
/// each: this year against last year for [`AddressRevenue::months`], a period against the
/// one before for [`UserRevenue::by_month`].
///
/// [`AddressRevenue::months`]: crm_core::revenue::AddressRevenue::months
/// [`UserRevenue::by_month`]: crm_core::revenue::UserRevenue::by_month
///
/// # Errors
/// [`ChartError::Size`] for a size out of bounds; [`ChartError::Draw`] when drawing fails.
pub fn monthly_revenue(
    months: &[MonthComparison],
    currency: Currency,
    options: &ChartOptions,
) -> Result<Chart, ChartError> {
    options.validate()?;
    draw::render(
        &Prepared::months(months, currency, options.language),
        options,
    )
}

/// The largest customers as horizontal bars, with the rest summed up in one.
///
/// # Errors
/// As [`monthly_revenue`].
pub fn top_customers(
    customers: &Breakdown,
    currency: Currency,
    options: &ChartOptions,
) -> Result<Chart, ChartError> {
    options.validate()?;
    let words = words::of(options.language);
    let bars = Bar::of(
        customers,
        |share| share.label.clone().unwrap_or_else(|| share.key.clone()),
        words,
    );
    let prepared = Prepared::bars(words.top_customers, bars, currency, options.language);
    draw::render(&prepared, options)
}

/// Revenue by product group as horizontal bars with each group's share.
///
/// # Errors
/// As [`monthly_revenue`].
pub fn product_groups(
    groups: &Breakdown,
    currency: Currency,
    options: &ChartOptions,
) -> Result<Chart, ChartError> {
    options.validate()?;
    let words = words::of(options.language);
    let bars = Bar::of(
        groups,
        |share| {
            if share.key.is_empty() {
                words.no_group.to_owned()
            } else {
                share.key.clone()
            }
        },
        words,
    );
    let prepared = Prepared::bars(words.by_group, bars, currency, options.language);
    draw::render(&prepared, options)
}

/// A small line of the months' net revenue (the last twelve months for the dashboard), the
/// last month marked; no axes or labels.
///
/// # Errors
/// As [`monthly_revenue`].
pub fn sparkline(
    months: &[MonthComparison],
    currency: Currency,
    options: &ChartOptions,
) -> Result<Chart, ChartError> {
    options.validate()?;
    let words = words::of(options.language);
    let prepared = Prepared {
        title: words.last_12_months.to_owned(),
        description: prepare::describe_months(months, currency, options.language, false),
        no_data: months.iter().all(|m| m.current.is_empty()),
        language: options.language,
        spec: Spec::Spark(
            months
                .iter()
                .map(|m| prepare::float(m.current.net))
                .collect(),
        ),
    };
    draw::render(&prepared, options)
}

/// The charts of an address's revenue, named for files: `monthly` (this year against last),
/// `product-groups` and `sparkline` (the last twelve months, a fifth of the width and an
/// eighth of the height asked for).
///
/// # Errors
/// As [`monthly_revenue`].
pub fn address_charts(
    revenue: &AddressRevenue,
    options: &ChartOptions,
) -> Result<Vec<(&'static str, Chart)>, ChartError> {
    Ok(vec![
        (
            "monthly",
            monthly_revenue(&revenue.months, revenue.currency, options)?,
        ),
        (
            "product-groups",
            product_groups(&revenue.by_product_group, revenue.currency, options)?,
        ),
        (
            "sparkline",
            sparkline(&revenue.last_12_months, revenue.currency, &small(options))?,
        ),
    ])
}

/// The charts of a user's revenue, named for files: `monthly` (the period against the one
/// before), `top-customers` and `product-groups`.
///
/// # Errors
/// As [`monthly_revenue`].
pub fn user_charts(
    revenue: &UserRevenue,
    options: &ChartOptions,
) -> Result<Vec<(&'static str, Chart)>, ChartError> {
    Ok(vec![
        (
            "monthly",
            monthly_revenue(&revenue.by_month, revenue.currency, options)?,
        ),
        (
            "top-customers",
            top_customers(&revenue.by_customer, revenue.currency, options)?,
        ),
        (
            "product-groups",
            product_groups(&revenue.by_product_group, revenue.currency, options)?,
        ),
    ])
}

fn small(options: &ChartOptions) -> ChartOptions {
    ChartOptions {
        width: (options.width / 5).max(MIN_SIZE),
        height: (options.height / 8).max(MIN_SIZE),
        ..*options
    }
}

/// Registers the bundled font with plotters once; every chart needs it.
fn fonts() -> Result<(), ChartError> {
    static REGISTERED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            use plotters::style::{FontStyle, register_font};
            register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
                .and_then(|()| register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold()))
                .map_err(|_| "the bundled font does not load".to_owned())
        })
        .clone()
        .map_err(ChartError::Draw)
}

#[cfg(test)]
mod tests;
