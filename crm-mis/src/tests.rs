use std::str::FromStr;

use chrono::NaiveDate;
use crm_core::revenue::{
    Amounts, Breakdown, MonthComparison, MonthTotal, SummaryKey, YearMonth, address_figures,
};
use crm_core::{AddressNumber, Currency, Decimal, Language};

use super::*;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn amounts(net: &str) -> Amounts {
    Amounts {
        net: d(net),
        quantity: Decimal::ONE,
        margin: None,
        lines: 1,
        costed_lines: 0,
    }
}

/// Twelve months of 2026 against 2025 with the given nets (2025 gets 80 % of them).
fn months(nets: &[&str]) -> Vec<MonthComparison> {
    let mut totals = Vec::new();
    for (i, net) in nets.iter().enumerate() {
        for (year, factor) in [(2026, d("1")), (2025, d("0.8"))] {
            let mut a = amounts(net);
            a.net *= factor;
            totals.push(MonthTotal {
                key: SummaryKey {
                    customer: AddressNumber(1),
                    month: YearMonth::new(year, i as u32 + 1).unwrap(),
                    product_group: None,
                    field_rep: None,
                    inside_rep: None,
                    region: None,
                    currency: Currency::CHF,
                },
                amounts: a,
            });
        }
    }
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    address_figures(AddressNumber(1), Currency::CHF, as_of, &totals, &[], &[], 5).months
}

fn options(format: Format, language: Language) -> ChartOptions {
    ChartOptions {
        width: 640,
        height: 320,
        language,
        format,
    }
}

/// Every coordinate the SVG draws at, with the extent of rectangles.
fn coordinates(svg: &str) -> Vec<(f64, f64)> {
    let number = |tag: &str, name: &str| -> Option<f64> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        tag[at..].split('"').next()?.parse().ok()
    };
    let mut points = Vec::new();
    for tag in svg.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        for (x, y) in [("x", "y"), ("cx", "cy"), ("x1", "y1"), ("x2", "y2")] {
            if let (Some(x), Some(y)) = (number(tag, x), number(tag, y)) {
                points.push((x, y));
                if let (Some(w), Some(h)) = (number(tag, "width"), number(tag, "height")) {
                    points.push((x + w, y + h));
                }
            }
        }
        if let Some(at) = tag.find(" points=\"") {
            let list = tag[at + 9..].split('"').next().unwrap_or_default();
            for pair in list.split_whitespace() {
                let (x, y) = pair.split_once(',').unwrap();
                points.push((x.parse().unwrap(), y.parse().unwrap()));
            }
        }
    }
    points
}

fn assert_inside(chart: &Chart) {
    let svg = chart.svg().unwrap();
    let points = coordinates(svg);
    assert!(points.len() > 3, "{svg}");
    for (x, y) in points {
        assert!(
            (0.0..=chart.width as f64).contains(&x) && (0.0..=chart.height as f64).contains(&y),
            "({x}, {y}) lies outside {}×{}",
            chart.width,
            chart.height
        );
    }
}

#[test]
fn an_svg_has_title_description_and_text_as_text() {
    let chart = monthly_revenue(
        &months(&[
            "1200", "3400.5", "0", "-250", "900", "1000", "0", "0", "1", "2", "3", "4",
        ]),
        Currency::CHF,
        &options(Format::Svg, Language::Fr),
    )
    .unwrap();
    let svg = chart.svg().unwrap();
    assert!(svg.contains("role=\"img\""));
    assert!(
        svg.contains("<title>Chiffre d&apos;affaires 2026 par rapport à 2025</title>")
            || svg.contains("<title>Chiffre d'affaires 2026 par rapport à 2025</title>"),
        "{svg}"
    );
    assert!(svg.contains("<desc>"), "{svg}");
    assert!(
        chart.description.contains("févr. 2026: 3'400.50 CHF"),
        "{}",
        chart.description
    );
    assert!(svg.contains("févr."), "month names are text");
    assert!(svg.matches("<text").count() > 12);
    assert_inside(&chart);
}

#[test]
fn a_png_is_a_picture_of_the_size_asked_for() {
    let chart = top_customers(
        &Breakdown::default(),
        Currency::CHF,
        &ChartOptions {
            width: 333,
            height: 211,
            language: Language::De,
            format: Format::Png,
        },
    )
    .unwrap();
    let decoder = png::Decoder::new(chart.bytes.as_slice());
    let reader = decoder.read_info().unwrap();
    assert_eq!((reader.info().width, reader.info().height), (333, 211));
    assert!(chart.svg().is_none());
}

#[test]
fn no_data_is_said_on_the_picture() {
    for language in Language::ALL {
        let chart = product_groups(
            &Breakdown::default(),
            Currency::CHF,
            &options(Format::Svg, language),
        )
        .unwrap();
        let said = match language {
            Language::De => "Keine Umsätze",
            Language::Fr => "Aucun chiffre d&apos;affaires",
            Language::It => "Nessun fatturato",
            Language::En => "No revenue",
        };
        let svg = chart.svg().unwrap();
        assert!(
            svg.contains(said) || svg.contains(&said.replace("&apos;", "'")),
            "{language:?}: {svg}"
        );
        let spark = sparkline(&[], Currency::CHF, &options(Format::Png, language)).unwrap();
        assert!(!spark.bytes.is_empty());
    }
}

#[test]
fn odd_data_never_fails_nor_leaves_the_canvas() {
    let series: [&[&str]; 5] = [
        &[
            "-5000", "-1", "-300", "0", "0", "0", "0", "0", "0", "0", "0", "0",
        ],
        &[
            "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0.01",
        ],
        &[
            "922337203685477",
            "1",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
        ],
        &[
            "0.0001", "0.0002", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0",
        ],
        &["42"],
    ];
    for nets in series {
        let months = months(nets);
        for format in [Format::Svg, Format::Png] {
            for size in [
                (MIN_SIZE, MIN_SIZE),
                (120, 30),
                (150, 75),
                (320, 160),
                (1600, 900),
            ] {
                let o = ChartOptions {
                    width: size.0,
                    height: size.1,
                    language: Language::It,
                    format,
                };
                let charts = [
                    monthly_revenue(&months, Currency::CHF, &o).unwrap(),
                    sparkline(&months, Currency::CHF, &o).unwrap(),
                ];
                if format == Format::Svg && size.0 > 100 {
                    for chart in &charts {
                        assert_inside(chart);
                    }
                }
            }
        }
    }
}

#[test]
fn bars_show_the_rest_and_cut_long_names() {
    let share =
        |key: &str, label: Option<&str>, net: &str, percent: &str| crm_core::revenue::Share {
            key: key.into(),
            label: label.map(Into::into),
            current: amounts(net),
            previous: Amounts::default(),
            share_percent: Some(d(percent)),
        };
    let breakdown = Breakdown {
        top: vec![
            share(
                "100001",
                Some("Elektro Müller & Söhne AG, Niederlassung Zürich-Oerlikon"),
                "1234567.5",
                "61.7",
            ),
            share("100002", None, "-2000", "-0.1"),
        ],
        rest: Some(share("", None, "768000", "38.4")),
        rest_count: 17,
    };
    let chart = top_customers(
        &breakdown,
        Currency::CHF,
        &options(Format::Svg, Language::De),
    )
    .unwrap();
    let svg = chart.svg().unwrap();
    assert!(svg.contains("Übrige (17)"), "{svg}");
    assert!(svg.contains("Elektro Müller &amp; Söhne"), "{svg}");
    assert!(
        chart.description.contains("1'234'568 (61.7 %)"),
        "{}",
        chart.description
    );
    assert!(svg.contains("100002"));
    assert_inside(&chart);
}

#[test]
fn sizes_out_of_bounds_are_refused() {
    let o = ChartOptions {
        width: 0,
        ..ChartOptions::default()
    };
    let err = sparkline(&[], Currency::CHF, &o).unwrap_err();
    assert!(
        matches!(
            err,
            ChartError::Size {
                field: "width",
                value: 0
            }
        ),
        "{err}"
    );
    let o = ChartOptions {
        height: MAX_SIZE + 1,
        ..ChartOptions::default()
    };
    assert!(monthly_revenue(&[], Currency::CHF, &o).is_err());
}
