//! What a chart shows, prepared from the figures: title, the data as text, the series.

use crm_core::revenue::{Breakdown, MonthComparison, Share};
use crm_core::values::swiss;
use crm_core::{Currency, Decimal, Language};
use rust_decimal::prelude::ToPrimitive;

use crate::words::{self, Words};

/// Labels longer than this are cut with an ellipsis.
const MAX_LABEL: usize = 28;

/// An amount as a coordinate.
pub(crate) fn float(value: Decimal) -> f64 {
    value.to_f64().unwrap_or_default()
}

/// One horizontal bar.
pub(crate) struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

impl Bar {
    /// The bars of a breakdown: its top entries, then the rest.
    pub(crate) fn of(
        breakdown: &Breakdown,
        label: impl Fn(&Share) -> String,
        words: &Words,
    ) -> Vec<Bar> {
        let bar = |label: String, share: &Share| Bar {
            label: cut(&label),
            value: float(share.current.net),
            text: match share.share_percent {
                Some(p) => format!("{} ({} %)", swiss(share.current.net, 0), swiss(p, 1)),
                None => swiss(share.current.net, 0),
            },
        };
        let mut bars: Vec<Bar> = breakdown.top.iter().map(|s| bar(label(s), s)).collect();
        if let Some(rest) = &breakdown.rest {
            bars.push(bar(
                format!("{} ({})", words.others, breakdown.rest_count),
                rest,
            ));
        }
        bars
    }
}

fn cut(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL {
        label.to_owned()
    } else {
        let mut short: String = label.chars().take(MAX_LABEL - 1).collect();
        short.push('…');
        short
    }
}

/// What a chart shows.
pub(crate) enum Spec {
    /// Month labels, current and previous values, and their cumulative sums.
    Months {
        labels: Vec<String>,
        current: Vec<f64>,
        previous: Vec<f64>,
        legend: [String; 4],
    },
    /// Horizontal bars.
    Bars(Vec<Bar>),
    /// A line without axes.
    Spark(Vec<f64>),
}

/// A chart ready to draw.
pub(crate) struct Prepared {
    pub title: String,
    pub description: String,
    pub no_data: bool,
    pub language: Language,
    pub spec: Spec,
}

/// The months and their figures as text.
pub(crate) fn describe_months(
    months: &[MonthComparison],
    currency: Currency,
    language: Language,
    with_previous: bool,
) -> String {
    let words = words::of(language);
    months
        .iter()
        .map(|m| {
            let name = words.months[m.month.month() as usize - 1];
            let mut text = format!(
                "{name} {}: {} {currency}",
                m.month.year(),
                swiss(m.current.net, 2)
            );
            if with_previous {
                text.push_str(&format!(
                    " ({} {}: {} {currency})",
                    words.months[m.previous_month.month() as usize - 1],
                    m.previous_month.year(),
                    swiss(m.previous.net, 2)
                ));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Prepared {
    pub(crate) fn months(
        months: &[MonthComparison],
        currency: Currency,
        language: Language,
    ) -> Self {
        let words = words::of(language);
        let (first, last) = (months.first(), months.last());
        let one_year = |pick: fn(&MonthComparison) -> i32| {
            first
                .zip(last)
                .map(|(a, b)| (pick(a), pick(b)))
                .filter(|(a, b)| a == b)
                .map(|(a, _)| a)
        };
        let (this, before) = (
            one_year(|m| m.month.year()),
            one_year(|m| m.previous_month.year()),
        );
        let (title, legend_now, legend_before) = match (this, before) {
            (Some(a), Some(b)) => (
                format!("{} {a} {} {b}", words.revenue, words.against),
                a.to_string(),
                b.to_string(),
            ),
            _ => {
                let span = |a: Option<&MonthComparison>,
                            b: Option<&MonthComparison>,
                            f: fn(&MonthComparison) -> String| {
                    format!(
                        "{} – {}",
                        a.map(f).unwrap_or_default(),
                        b.map(f).unwrap_or_default()
                    )
                };
                (
                    words.by_month.to_owned(),
                    span(first, last, |m| m.month.to_string()),
                    span(first, last, |m| m.previous_month.to_string()),
                )
            }
        };
        let spans_years = this.is_none();
        Prepared {
            description: format!(
                "{title}: {}",
                describe_months(months, currency, language, true)
            ),
            title,
            no_data: months
                .iter()
                .all(|m| m.current.is_empty() && m.previous.is_empty()),
            language,
            spec: Spec::Months {
                labels: months
                    .iter()
                    .map(|m| {
                        let name = words.months[m.month.month() as usize - 1];
                        if spans_years {
                            format!("{name} {:02}", m.month.year().rem_euclid(100))
                        } else {
                            name.to_owned()
                        }
                    })
                    .collect(),
                current: months
                    .iter()
                    .take_while(|m| !m.pending)
                    .map(|m| float(m.current.net))
                    .collect(),
                previous: months.iter().map(|m| float(m.previous.net)).collect(),
                legend: [
                    format!("{legend_now} ({currency})"),
                    legend_before.clone(),
                    format!("{legend_now} {}", words.cumulative),
                    format!("{legend_before} {}", words.cumulative),
                ],
            },
        }
    }

    pub(crate) fn bars(
        title: &str,
        bars: Vec<Bar>,
        currency: Currency,
        language: Language,
    ) -> Self {
        Prepared {
            title: format!("{title} ({currency})"),
            description: format!(
                "{title}: {}",
                bars.iter()
                    .map(|b| format!("{}: {} {currency}", b.label, b.text))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            no_data: bars.iter().all(|b| b.value == 0.0),
            language,
            spec: Spec::Bars(bars),
        }
    }
}
