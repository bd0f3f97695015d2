//! Drawing a [`Prepared`] chart on any plotters backend, once for SVG and once for PNG.

use crm_core::Decimal;
use crm_core::values::swiss;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::prepare::{Bar, Prepared, Spec};
use crate::words;
use crate::{Chart, ChartError, ChartOptions, Format};

const CURRENT: RGBColor = RGBColor(31, 119, 180);
const PREVIOUS: RGBColor = RGBColor(174, 199, 232);
const CURRENT_LINE: RGBColor = RGBColor(8, 48, 107);
const PREVIOUS_LINE: RGBColor = RGBColor(120, 120, 120);
const TEXT: RGBColor = RGBColor(33, 33, 33);
const FONT: &str = "sans-serif";

/// Draws `prepared` in the format of `options`.
pub(crate) fn render(prepared: &Prepared, options: &ChartOptions) -> Result<Chart, ChartError> {
    crate::fonts()?;
    let size = (options.width, options.height);
    let draw_err = |e: String| ChartError::Draw(e);
    let bytes = match options.format {
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                draw(&root, prepared).map_err(|e| draw_err(e.to_string()))?;
                root.present().map_err(|e| draw_err(e.to_string()))?;
            }
            accessible(&svg, &prepared.title, &prepared.description).into_bytes()
        }
        Format::Png => {
            let mut pixels = vec![0_u8; options.width as usize * options.height as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
                draw(&root, prepared).map_err(|e| draw_err(e.to_string()))?;
                root.present().map_err(|e| draw_err(e.to_string()))?;
            }
            encode_png(&pixels, options.width, options.height).map_err(draw_err)?
        }
    };
    Ok(Chart {
        format: options.format,
        width: options.width,
        height: options.height,
        title: prepared.title.clone(),
        description: prepared.description.clone(),
        bytes,
    })
}

fn encode_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(pixels).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG with `role="img"`, and `<title>` and `<desc>` as its first children.
fn accessible(svg: &str, title: &str, description: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_owned();
    };
    let Some(end) = svg[start..].find('>').map(|e| start + e) else {
        return svg.to_owned();
    };
    format!(
        "{} role=\"img\">\n<title>{}</title>\n<desc>{}</desc>{}",
        &svg[..end],
        escape(title),
        escape(description),
        &svg[end + 1..]
    )
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The font size for a chart `height` pixels high.
fn font_size(width: u32, height: u32) -> u32 {
    (height.min(width) / 26).clamp(9, 22)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, p: &Prepared) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (width, height) = root.dim_in_pixel();
    let fs = font_size(width, height);
    if let Spec::Spark(values) = &p.spec {
        return spark(root, values, p, fs);
    }
    if height < fs * 8 || width < fs * 16 {
        return compact(root, p, fs);
    }
    let title_height = fs * 2 + 4;
    let (top, body) = root.split_vertically(title_height);
    let title = (FONT, fs as f64 * 1.2)
        .into_font()
        .style(FontStyle::Bold)
        .color(&TEXT)
        .pos(Pos::new(HPos::Center, VPos::Center));
    top.draw(&Text::new(
        fitted(&top, &p.title, &title, width),
        ((width / 2) as i32, (title_height / 2) as i32),
        title,
    ))?;
    if p.no_data {
        return no_data(&body, p, fs);
    }
    match &p.spec {
        Spec::Months {
            labels,
            current,
            previous,
            legend,
        } => months(root, &body, labels, current, previous, legend, fs),
        Spec::Bars(bars) => horizontal(root, &body, bars, fs),
        Spec::Spark(_) => Ok(()),
    }
}

/// `text` cut until it fits in `width` pixels in `style`.
fn fitted<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    width: u32,
) -> String {
    let mut text = text.to_owned();
    while text.chars().count() > 1 {
        match area.estimate_text_size(&text, style) {
            Ok((w, _)) if w + 8 <= width => break,
            _ => {
                text = text.chars().take(text.chars().count() - 2).collect();
                text.push('…');
            }
        }
    }
    text
}

fn no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Prepared,
    fs: u32,
) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let style = (FONT, fs as f64)
        .into_font()
        .color(&PREVIOUS_LINE)
        .pos(Pos::new(HPos::Center, VPos::Center));
    let text = fitted(area, words::of(p.language).no_revenue, &style, w);
    area.draw(&Text::new(text, ((w / 2) as i32, (h / 2) as i32), style))
}

/// A value range holding zero and every value, with room above and below.
fn range(values: impl Iterator<Item = f64>, headroom: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * headroom;
    (
        if lo < 0.0 { lo - pad } else { lo },
        if hi > 0.0 { hi + pad } else { hi },
    )
}

/// An axis label: whole numbers in Swiss notation, two decimals below ten.
fn axis_label(value: f64, span: f64) -> String {
    let places = if span >= 10.0 { 0 } else { 2 };
    swiss(Decimal::from_f64_retain(value).unwrap_or_default(), places)
}

fn label_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: impl Iterator<Item = String>,
    style: &TextStyle,
) -> u32 {
    labels
        .filter_map(|l| area.estimate_text_size(&l, style).ok())
        .map(|(w, _)| w)
        .max()
        .unwrap_or(0)
        + 10
}

fn months<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    labels: &[String],
    current: &[f64],
    previous: &[f64],
    legend: &[String; 4],
    fs: u32,
) -> DrawResult<DB> {
    let n = labels.len().max(1) as f64;
    // Room above the bars and lines for the legend.
    let (lo, hi) = range(current.iter().chain(previous).copied(), 0.45);
    let cumulate = |values: &[f64]| {
        values
            .iter()
            .scan(0.0, |sum, v| {
                *sum += v;
                Some(*sum)
            })
            .collect::<Vec<f64>>()
    };
    let (cum_now, cum_before) = (cumulate(current), cumulate(previous));
    let (clo, chi) = range(cum_now.iter().chain(&cum_before).copied(), 0.45);
    let small = (FONT, fs as f64 * 0.85).into_font().color(&TEXT);
    let ticks = |lo: f64, hi: f64| {
        (0..=5).map(move |i| axis_label(lo + (hi - lo) * i as f64 / 5.0, hi - lo))
    };
    let (width, _) = body.dim_in_pixel();
    let left = label_width(body, ticks(lo, hi), &small).min(width / 4);
    let right = label_width(body, ticks(clo, chi), &small).min(width / 4);
    let mut chart = ChartBuilder::on(body)
        .margin(fs / 2)
        .x_label_area_size(fs * 2)
        .y_label_area_size(left)
        .right_y_label_area_size(right)
        .build_cartesian_2d(0.0..n, lo..hi)?
        .set_secondary_coord(0.0..n, clo..chi);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&|v| axis_label(*v, hi - lo))
        .y_label_style(small.clone())
        .light_line_style(WHITE)
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_labels(6)
        .y_label_formatter(&|v| axis_label(*v, chi - clo))
        .label_style(small.clone())
        .draw()?;
    let bar = |i: usize, v: f64, from: f64, to: f64, color: RGBColor| {
        Rectangle::new(
            [(i as f64 + from, v.min(0.0)), (i as f64 + to, v.max(0.0))],
            color.filled(),
        )
    };
    chart
        .draw_series(
            previous
                .iter()
                .enumerate()
                .map(|(i, v)| bar(i, *v, 0.12, 0.48, PREVIOUS)),
        )?
        .label(legend[1].clone())
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], PREVIOUS.filled()));
    chart
        .draw_series(
            current
                .iter()
                .enumerate()
                .map(|(i, v)| bar(i, *v, 0.52, 0.88, CURRENT)),
        )?
        .label(legend[0].clone())
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], CURRENT.filled()));
    let line = |values: &[f64]| -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64 + 0.5, *v))
            .collect()
    };
    chart
        .draw_secondary_series(LineSeries::new(
            line(&cum_before),
            PREVIOUS_LINE.stroke_width(2),
        ))?
        .label(legend[3].clone())
        .legend(|(x, y)| {
            PathElement::new(vec![(x, y), (x + 12, y)], PREVIOUS_LINE.stroke_width(2))
        });
    chart
        .draw_secondary_series(LineSeries::new(
            line(&cum_now),
            CURRENT_LINE.stroke_width(2),
        ))?
        .label(legend[2].clone())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], CURRENT_LINE.stroke_width(2)));
    // The legend, where it fits into the room left above the bars and lines.
    let legend_width = label_width(body, legend.iter().cloned(), &small) + 30;
    let legend_height = (fs + 6) * 4 + 10;
    let (plot_width, plot_height) = chart.plotting_area().dim_in_pixel();
    if legend_width + 20 <= plot_width && legend_height * 2 <= plot_height {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(small.clone())
            .background_style(WHITE.mix(0.85))
            .border_style(PREVIOUS_LINE)
            .draw()?;
    }
    // Month names under the bars, each centred on its month.
    let style = small.pos(Pos::new(HPos::Center, VPos::Top));
    let slot = chart.backend_coord(&(1.0, lo)).0 - chart.backend_coord(&(0.0, lo)).0;
    for (i, label) in labels.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, lo));
        let text = fitted(root, label, &style, slot.max(1) as u32 + 8);
        root.draw(&Text::new(text, (x, y + 4), style.clone()))?;
    }
    Ok(())
}

fn horizontal<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    bars: &[Bar],
    fs: u32,
) -> DrawResult<DB> {
    let n = bars.len().max(1) as f64;
    let small = (FONT, fs as f64 * 0.85).into_font().color(&TEXT);
    let (lo, hi) = range(bars.iter().map(|b| b.value), 0.05);
    let (width, _) = root.dim_in_pixel();
    let names = label_width(body, bars.iter().map(|b| b.label.clone()), &small).min(width / 3);
    let values = label_width(body, bars.iter().map(|b| b.text.clone()), &small);
    let mut chart = ChartBuilder::on(body)
        .margin(fs / 2)
        .margin_right(values.min(width / 3) + fs / 2)
        .x_label_area_size(fs * 2)
        .y_label_area_size(names)
        .build_cartesian_2d(lo..hi, 0.0..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(5)
        .x_label_formatter(&|v| axis_label(*v, hi - lo))
        .x_label_style(small.clone())
        .light_line_style(WHITE)
        .draw()?;
    let slot = |i: usize| n - 1.0 - i as f64;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        Rectangle::new(
            [
                (b.value.min(0.0), slot(i) + 0.15),
                (b.value.max(0.0), slot(i) + 0.85),
            ],
            CURRENT.filled(),
        )
    }))?;
    let names_style = small.pos(Pos::new(HPos::Right, VPos::Center));
    let values_style = small.pos(Pos::new(HPos::Left, VPos::Center));
    for (i, b) in bars.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(lo, slot(i) + 0.5));
        let name = fitted(root, &b.label, &names_style, names);
        root.draw(&Text::new(name, (x - 6, y), names_style.clone()))?;
        let (end, _) = chart.backend_coord(&(b.value.max(0.0), slot(i) + 0.5));
        let room = (width as i32 - end - 6).max(1) as u32;
        let text = fitted(root, &b.text, &values_style, room);
        root.draw(&Text::new(text, (end + 4, y), values_style.clone()))?;
    }
    Ok(())
}

/// A chart too small for title, axes and labels: its bars alone.
fn compact<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    fs: u32,
) -> DrawResult<DB> {
    if p.no_data {
        return no_data(root, p, fs.min(root.dim_in_pixel().1 / 2).max(6));
    }
    let values: Vec<f64> = match &p.spec {
        Spec::Months { current, .. } => current.clone(),
        Spec::Bars(bars) => bars.iter().map(|b| b.value).collect(),
        Spec::Spark(values) => values.clone(),
    };
    let (lo, hi) = range(values.iter().copied(), 0.0);
    let n = values.len().max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .margin(1)
        .build_cartesian_2d(0.0..n, lo..hi)?;
    chart.draw_series(values.iter().enumerate().map(|(i, v)| {
        Rectangle::new(
            [(i as f64 + 0.1, v.min(0.0)), (i as f64 + 0.9, v.max(0.0))],
            CURRENT.filled(),
        )
    }))?;
    Ok(())
}

fn spark<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    values: &[f64],
    p: &Prepared,
    fs: u32,
) -> DrawResult<DB> {
    if p.no_data || values.is_empty() {
        return no_data(root, p, fs.min(root.dim_in_pixel().1 / 2).max(6));
    }
    let (lo, hi) = range(values.iter().copied(), 0.05);
    let n = (values.len().max(2) - 1) as f64;
    let mut chart = ChartBuilder::on(root)
        .margin(4)
        .build_cartesian_2d(0.0..n, lo..hi)?;
    if lo < 0.0 {
        chart.draw_series(LineSeries::new(
            vec![(0.0, 0.0), (n, 0.0)],
            PREVIOUS.stroke_width(1),
        ))?;
    }
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as f64, *v))
        .collect();
    chart.draw_series(LineSeries::new(points.clone(), CURRENT.stroke_width(2)))?;
    if let Some(last) = points.last() {
        chart.draw_series(std::iter::once(Circle::new(
            *last,
            3,
            CURRENT_LINE.filled(),
        )))?;
    }
    Ok(())
}
