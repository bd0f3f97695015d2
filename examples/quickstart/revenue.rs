//! The revenue part of the quickstart: the field rep's revenue this year against last, by
//! customer, product group and region; her best customer's months, year to date and product
//! groups; and their charts as SVG and PNG under `./crm-data/charts/`.

use chrono::Datelike;
use crm::mis::{ChartOptions, Format, address_charts, user_charts};
use crm::revenue::{Breakdown, Comparison, MonthRange};
use crm::values::swiss;
use crm::{Actor, AddressNumber, Crm, Language, RevenueOptions};

use super::{Result, truncate};

fn change(c: &Comparison) -> String {
    c.change_percent
        .map_or("–".to_owned(), |p| format!("{:+} %", p))
}

fn print_breakdown(title: &str, breakdown: &Breakdown, currency: &str) {
    println!("{title}:");
    let others = format!("others ({})", breakdown.rest_count);
    let rest = breakdown.rest.iter().map(|s| (others.clone(), s));
    let named = breakdown.top.iter().map(|s| {
        let name = match (&s.label, s.key.as_str()) {
            (Some(label), _) => label.clone(),
            (None, "") => "(none)".to_owned(),
            (None, key) => key.to_owned(),
        };
        (name, s)
    });
    for (name, share) in named.chain(rest) {
        println!(
            "  {:<30} {:>14} {currency} {:>6} %",
            truncate(&name, 30),
            swiss(share.current.net, 2),
            share.share_percent.map_or("–".into(), |p| swiss(p, 1))
        );
    }
}

pub fn revenue(crm: &Crm, rep: &Actor) -> Result<()> {
    println!("\n== Revenue of {} ==", rep.display_name);
    let today = chrono::Utc::now().date_naive();
    let options = RevenueOptions {
        top: 5,
        ..RevenueOptions::default()
    };
    let year = MonthRange::year(today.year())?;
    let mine = crm.revenue().of_user(rep, rep.user_id, year, options)?;
    let currency = mine.currency.to_string();
    println!(
        "{}: {} {currency} ({} against {}: {} {currency}); as field rep {} {currency}, as inside rep {} {currency}",
        today.year(),
        swiss(mine.total.current.net, 2),
        change(&mine.total),
        today.year() - 1,
        swiss(mine.total.previous.net, 2),
        swiss(mine.as_field_rep.current.net, 2),
        swiss(mine.as_inside_rep.current.net, 2),
    );
    if let Some(margin) = mine.total.current.margin {
        println!("Margin: {} {currency}", swiss(margin, 2));
    }
    print_breakdown("Top customers", &mine.by_customer, &currency);
    print_breakdown("By product group", &mine.by_product_group, &currency);
    print_breakdown("By region", &mine.by_region, &currency);

    let dir = crm.settings().data_dir.join("charts");
    std::fs::create_dir_all(&dir)?;
    let login = crm
        .users()
        .list(false)?
        .into_iter()
        .find(|u| u.id == rep.user_id)
        .map_or_else(|| rep.user_id.to_string(), |u| u.login);
    let mut written = Vec::new();
    for format in [Format::Svg, Format::Png] {
        let chart_options = ChartOptions {
            format,
            language: Language::De,
            ..ChartOptions::default()
        };
        for (name, chart) in user_charts(&mine, &chart_options)? {
            let path = dir.join(format!("user-{login}-{name}.{}", format.extension()));
            std::fs::write(&path, &chart.bytes)?;
            written.push(path);
        }
    }

    // Her best customer this year.
    let Some(best) = mine
        .by_customer
        .top
        .first()
        .and_then(|s| s.key.parse().ok().map(AddressNumber))
    else {
        println!("No revenue this year yet.");
        return Ok(());
    };
    let address = crm.addresses().by_number(rep, best)?;
    let revenue = crm.revenue().of_address(rep, address.id, options)?;
    let ytd = &revenue.year_to_date;
    println!(
        "\n{} ({}): year to date {} {currency} ({} against {} – {}: {} {currency})",
        address.data.display_name(),
        address.number,
        swiss(ytd.figures.current.net, 2),
        change(&ytd.figures),
        ytd.previous_from.format("%d.%m.%Y"),
        ytd.previous_to.format("%d.%m.%Y"),
        swiss(ytd.figures.previous.net, 2),
    );
    println!("Months of {} against {}:", today.year(), today.year() - 1);
    for m in revenue
        .months
        .iter()
        .filter(|m| m.month.month() <= today.month())
    {
        println!(
            "  {}  {:>12}  {:>12}  cumulative {:>12}",
            m.month,
            swiss(m.current.net, 2),
            swiss(m.previous.net, 2),
            swiss(m.cumulative, 2)
        );
    }
    print_breakdown(
        "By product group (year to date)",
        &revenue.by_product_group,
        &currency,
    );
    for format in [Format::Svg, Format::Png] {
        let chart_options = ChartOptions {
            format,
            language: Language::De,
            ..ChartOptions::default()
        };
        for (name, chart) in address_charts(&revenue, &chart_options)? {
            let path = dir.join(format!(
                "address-{}-{name}.{}",
                address.number,
                format.extension()
            ));
            std::fs::write(&path, &chart.bytes)?;
            written.push(path);
        }
    }
    println!("Charts written to {}:", dir.display());
    for path in written {
        println!("  {}", path.display());
    }
    Ok(())
}
