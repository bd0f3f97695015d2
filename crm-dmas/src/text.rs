//! Text out of archived files: PDFs through lopdf, plain text as it is — bounded in time,
//! size and pages, so that an encrypted, truncated or malformed file is archived without
//! text and with a warning, never with a panic or a hang.

use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc;
use std::time::Duration;

use crm_core::ports::{Extracted, TextExtractor};

use crate::content::{self, Decoder, Fonts};
use crate::streams::PageContents;

/// How far extraction goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimits {
    /// Files larger than this are archived without text.
    pub max_bytes: u64,
    /// Pages read from a PDF.
    pub max_pages: usize,
    /// Decompressed content of one page.
    pub max_page_content: usize,
    /// Characters kept.
    pub max_chars: usize,
    /// Time given to one file.
    pub timeout: Duration,
}

impl Default for TextLimits {
    fn default() -> Self {
        TextLimits {
            max_bytes: 64 * 1024 * 1024,
            max_pages: 2_000,
            max_page_content: 16 * 1024 * 1024,
            max_chars: 1_000_000,
            timeout: Duration::from_secs(5),
        }
    }
}

/// The [`TextExtractor`] of the archive.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileText {
    limits: TextLimits,
}

impl FileText {
    /// An extractor with `limits`.
    pub fn new(limits: TextLimits) -> FileText {
        FileText { limits }
    }
}

fn without(why: impl Into<String>) -> Extracted {
    Extracted {
        text: String::new(),
        warning: Some(format!("archived without text: {}", why.into())),
    }
}

fn cut(mut text: String, max_chars: usize) -> String {
    // No more bytes than characters allowed: nothing to count.
    if text.len() <= max_chars {
        return text;
    }
    if let Some((at, _)) = text.char_indices().nth(max_chars) {
        text.truncate(at);
    }
    text
}

/// Where a font's dictionary lies, which tells the fonts of a document apart.
fn address(font: &lopdf::Dictionary) -> usize {
    std::ptr::from_ref(font) as usize
}

/// The text of a PDF's pages, or why there is none.
fn pdf_text(bytes: &[u8], limits: TextLimits) -> Result<String, String> {
    let doc =
        lopdf::Document::load_mem(bytes).map_err(|e| format!("the PDF cannot be read ({e})"))?;
    if doc.is_encrypted() {
        return Err("the PDF is encrypted".into());
    }
    let mut text = String::new();
    // The pages share their fonts: each font's decoder is made once, found by the address
    // of its dictionary in the document.
    let mut decoders: HashMap<usize, Option<Decoder<'_>>> = HashMap::new();
    let mut contents = PageContents::new();
    // A page that cannot be read is left out; the others still count.
    for page in doc.get_pages().into_values().take(limits.max_pages) {
        let Ok(fonts) = doc.get_page_fonts(page) else {
            continue;
        };
        for font in fonts.values() {
            decoders.entry(address(font)).or_insert_with(|| {
                font.get_font_encoding_with_limit(&doc, limits.max_page_content)
                    .ok()
                    .map(Decoder::new)
            });
        }
        let fonts: Fonts<'_, '_> = fonts
            .into_iter()
            .filter_map(|(name, font)| Some((name, decoders.get(&address(font))?.as_ref()?)))
            .collect();
        let Some(content) = contents.of(&doc, page, limits.max_page_content) else {
            continue;
        };
        content::show_text(content, &fonts, &mut text);
        if text.len() > limits.max_chars * 4 {
            break;
        }
    }
    Ok(cut(text, limits.max_chars))
}

impl TextExtractor for FileText {
    fn extract(&self, media_type: &str, content: &mut dyn Read) -> Extracted {
        let limits = self.limits;
        let mut bytes = Vec::new();
        if let Err(e) = content.take(limits.max_bytes + 1).read_to_end(&mut bytes) {
            return without(format!("reading it failed ({e})"));
        }
        if bytes.len() as u64 > limits.max_bytes {
            return without(format!("it is larger than {} bytes", limits.max_bytes));
        }
        let pdf = media_type == "application/pdf" || bytes.starts_with(b"%PDF");
        if !pdf {
            if media_type.starts_with("text/") {
                return match String::from_utf8(bytes) {
                    Ok(text) => Extracted {
                        text: cut(text, limits.max_chars),
                        warning: None,
                    },
                    Err(e) => Extracted {
                        text: cut(
                            String::from_utf8_lossy(e.as_bytes()).into_owned(),
                            limits.max_chars,
                        ),
                        warning: Some(
                            "the text is not UTF-8; unreadable bytes were replaced".into(),
                        ),
                    },
                };
            }
            // Images, drawings and other formats carry no text to index.
            return Extracted::default();
        }
        // On its own thread, so that a file lopdf takes too long over is given up on.
        let (sender, receiver) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("crm-pdf-text".into())
            .spawn(move || {
                let outcome = std::panic::catch_unwind(|| pdf_text(&bytes, limits))
                    .unwrap_or_else(|_| Err("the PDF is malformed".into()));
                let _ = sender.send(outcome);
            });
        if let Err(e) = spawned {
            return without(format!("no thread to read it ({e})"));
        }
        match receiver.recv_timeout(limits.timeout) {
            Ok(Ok(text)) if text.trim().is_empty() => without("the PDF holds no text (a scan?)"),
            Ok(Ok(text)) => Extracted {
                text,
                warning: None,
            },
            Ok(Err(why)) => without(why),
            Err(_) => without(format!(
                "reading its text took longer than {} s",
                limits.timeout.as_secs_f32()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::text_pdf;

    fn extract(bytes: &[u8]) -> Extracted {
        FileText::new(TextLimits {
            timeout: Duration::from_secs(10),
            ..TextLimits::default()
        })
        .extract("application/pdf", &mut &bytes[..])
    }

    fn offer() -> Vec<u8> {
        let lines: Vec<String> = (1..=80)
            .map(|i| {
                format!(
                    "Position {i}: Durchgangs-Reihenklemme DEK 5/5 für Bäckerei Müller, 12.50 €"
                )
            })
            .collect();
        text_pdf("Offerte 4711", &lines).unwrap()
    }

    #[test]
    fn the_text_of_a_pdf_comes_out_with_umlauts_over_pages() {
        let pdf = offer();
        let got = extract(&pdf);
        assert_eq!(got.warning, None);
        for word in ["Offerte 4711", "Bäckerei Müller", "Position 80", "€"] {
            assert!(
                got.text.contains(word),
                "{word} in {:?}",
                &got.text[..200.min(got.text.len())]
            );
        }
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        assert!(
            doc.get_pages().len() >= 2,
            "eighty lines need a second page"
        );
    }

    #[test]
    fn the_scan_finds_the_words_lopdf_finds() {
        let pdf = offer();
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let words = |t: &str| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        let lopdf = doc.extract_text(&pages).unwrap();
        let ours = pdf_text(&pdf, TextLimits::default()).unwrap();
        assert_eq!(words(&ours), words(&lopdf));
        assert!(words(&ours).len() > 800, "{}", words(&ours).len());
    }

    #[test]
    fn plain_text_and_other_formats() {
        let t = FileText::default();
        assert_eq!(
            t.extract("text/plain", &mut &b"Guten Tag"[..]).text,
            "Guten Tag"
        );
        let latin1 = t.extract("text/plain", &mut &b"M\xfcller"[..]);
        assert!(latin1.warning.is_some());
        assert_eq!(
            t.extract("image/png", &mut &b"\x89PNG"[..]),
            Extracted::default()
        );
        let big = FileText::new(TextLimits {
            max_bytes: 4,
            ..TextLimits::default()
        });
        assert!(
            big.extract("text/plain", &mut &b"too long"[..])
                .warning
                .is_some()
        );
    }

    #[test]
    fn mutated_pdfs_never_panic_or_hang() {
        let pdf = offer();
        // A small deterministic generator: the same mutations every run.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut without_text = 0;
        for round in 0..120 {
            let mut bytes = pdf.clone();
            match round % 4 {
                0 => {
                    for _ in 0..1 + next() % 20 {
                        let at = (next() as usize) % bytes.len();
                        bytes[at] ^= (next() % 255 + 1) as u8;
                    }
                }
                1 => bytes.truncate((next() as usize) % bytes.len()),
                2 => bytes.extend((0..next() % 5_000).map(|_| next() as u8)),
                _ => {
                    let at = (next() as usize) % bytes.len();
                    let len = ((next() as usize) % 2_000).min(bytes.len() - at);
                    bytes.drain(at..at + len);
                }
            }
            let got = extract(&bytes);
            if got.text.is_empty() {
                assert!(
                    got.warning.is_some(),
                    "round {round}: no text and no warning"
                );
                without_text += 1;
            }
        }
        assert!(without_text > 0, "some mutations must break the file");
        let encrypted = extract(b"%PDF-1.4\n1 0 obj << /Filter /Standard >> endobj\ntrailer << /Encrypt 1 0 R >>\n%%EOF");
        assert!(encrypted.text.is_empty() && encrypted.warning.is_some());
    }
}
