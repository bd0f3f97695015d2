//! PDFs written with lopdf: pages of text in the standard Helvetica font (no font files
//! needed), encoded as WinAnsi, wrapped and paginated.

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

use crm_core::{Error, Result};

/// A4 in points.
pub const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 56.0;

/// One line of text placed on a page, in points from the lower left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// From the left edge.
    pub x: f32,
    /// From the bottom edge (the baseline).
    pub y: f32,
    /// Font size.
    pub size: f32,
    /// Helvetica-Bold instead of Helvetica.
    pub bold: bool,
    /// The text.
    pub text: String,
}

/// `text` as WinAnsi bytes, the encoding of the standard fonts: Latin-1 as it is, `€` and
/// the typographic quotes and dashes at their WinAnsi places, anything else as `?`.
pub fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            '\u{a0}'..='\u{ff}' | ' '..='~' => u8::try_from(u32::from(c)).unwrap_or(b'?'),
            _ => b'?',
        })
        .collect()
}

/// The width of `text` in Helvetica at `size`, estimated from average glyph widths (wide
/// enough never to run over a margin).
pub fn width(text: &str, size: f32) -> f32 {
    let units: f32 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '\'' | '.' | ',' | ':' | ';' | '!' | '|' => 278.0,
            ' ' | 'f' | 't' | 'r' | '(' | ')' | '/' | '-' => 333.0,
            'm' | 'w' | 'M' | 'W' | '@' => 889.0,
            c if c.is_uppercase() => 722.0,
            _ => 556.0,
        })
        .sum();
    units * size / 1000.0
}

/// `text` broken into lines no wider than `max` points at `size`, at spaces where it can
/// and inside words that are longer than a line.
pub fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate, size) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word longer than a line is cut.
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if width(&piece, size) > max {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        line = piece;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A PDF of `pages`, each a list of placed lines, with `title` in its metadata.
///
/// # Errors
/// [`Error::Storage`] when lopdf cannot encode it.
pub fn write_pdf(title: &str, pages: &[Vec<Placed>]) -> Result<Vec<u8>> {
    let failed = |e: lopdf::Error| Error::Storage(format!("writing the PDF: {e}"));
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = |name: &str| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => name.to_owned(),
            "Encoding" => "WinAnsiEncoding",
        }
    };
    let regular = doc.add_object(font("Helvetica"));
    let bold = doc.add_object(font("Helvetica-Bold"));
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold },
    });
    let mut kids = Vec::new();
    for page in pages {
        let mut operations = Vec::new();
        for p in page {
            operations.extend([
                Operation::new("BT", vec![]),
                Operation::new(
                    "Tf",
                    vec![(if p.bold { "F2" } else { "F1" }).into(), p.size.into()],
                ),
                Operation::new("Td", vec![p.x.into(), p.y.into()]),
                Operation::new(
                    "Tj",
                    vec![Object::String(win_ansi(&p.text), StringFormat::Literal)],
                ),
                Operation::new("ET", vec![]),
            ]);
        }
        let content = Content { operations }.encode().map_err(failed)?;
        let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = i64::try_from(kids.len()).unwrap_or(i64::MAX);
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), A4.0.into(), A4.1.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info = doc.add_object(dictionary! {
        "Title" => Object::String(win_ansi(title), StringFormat::Literal),
        "Producer" => Object::string_literal("crm-dmas"),
    });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| Error::Storage(format!("writing the PDF: {e}")))?;
    Ok(out)
}

/// A PDF of plain text: `title` in bold, then `lines`, wrapped at the margins and
/// continued on as many A4 pages as they need.
///
/// # Errors
/// [`Error::Storage`] when lopdf cannot encode it.
pub fn text_pdf(title: &str, lines: &[String]) -> Result<Vec<u8>> {
    let (size, leading) = (10.0, 14.0);
    let max = A4.0 - 2.0 * MARGIN;
    let top = A4.1 - MARGIN;
    let mut pages: Vec<Vec<Placed>> = vec![vec![Placed {
        x: MARGIN,
        y: top,
        size: 14.0,
        bold: true,
        text: title.to_owned(),
    }]];
    let mut y = top - 2.0 * leading;
    for line in lines {
        for part in wrap(line, size, max) {
            if y < MARGIN {
                pages.push(Vec::new());
                y = top;
            }
            if let Some(page) = pages.last_mut() {
                page.push(Placed {
                    x: MARGIN,
                    y,
                    size,
                    bold: false,
                    text: part,
                });
            }
            y -= leading;
        }
    }
    write_pdf(title, &pages)
}
