//! The content of a PDF's pages, inflated with one decompressor and one buffer for all the
//! pages of a document. lopdf sets up a decompressor (its state and window) and a buffer
//! grown by doubling for every content stream; forty pages of dense text pay that forty
//! times. Streams compressed otherwise, with predictors, or broken are left to lopdf, which
//! knows every filter and how to read what it can of a damaged one.

use flate2::{Decompress, FlushDecompress, Status};
use lopdf::{Document, Object, ObjectId, Stream};

/// Bytes of output made room for at a time, beyond what a stream's compressed size
/// suggests.
const STEP: usize = 64 * 1024;

/// Reads the content of one page after the other.
pub(crate) struct PageContents {
    inflate: Decompress,
    content: Vec<u8>,
}

/// Why a stream could not be inflated here.
enum Failed {
    /// Its content is larger than the page's limit: the page is skipped.
    TooLarge,
    /// It is not plain zlib data: lopdf reads it.
    Other,
}

impl PageContents {
    pub(crate) fn new() -> PageContents {
        PageContents {
            inflate: Decompress::new(true),
            content: Vec::new(),
        }
    }

    /// The content of `page`: its content streams decoded, each followed by a line break,
    /// as lopdf's `get_page_content_with_limit` answers it; `None` when it holds more than
    /// `limit` bytes.
    pub(crate) fn of(&mut self, doc: &Document, page: ObjectId, limit: usize) -> Option<&[u8]> {
        self.content.clear();
        for id in doc.get_page_contents(page) {
            let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else {
                continue;
            };
            let start = self.content.len();
            let remaining = limit.saturating_sub(start);
            let inflated = if plain_zlib(stream) {
                self.inflate_into(&stream.content, remaining)
            } else {
                Err(Failed::Other)
            };
            match inflated {
                Ok(()) => {}
                Err(Failed::TooLarge) => return None,
                Err(Failed::Other) => {
                    self.content.truncate(start);
                    match stream.decompressed_content_with_limit(remaining) {
                        Ok(data) => self.content.extend_from_slice(&data),
                        Err(lopdf::Error::Decompress(
                            lopdf::DecompressError::MemoryLimitExceeded { .. },
                        )) => return None,
                        // As lopdf does: a stream it cannot decode counts as it is.
                        Err(_) if stream.content.len() <= remaining => {
                            self.content.extend_from_slice(&stream.content);
                        }
                        Err(_) => return None,
                    }
                }
            }
            self.content.push(b'\n');
        }
        Some(&self.content)
    }

    /// Inflates zlib `input` onto the content, at most `remaining` bytes of it.
    fn inflate_into(&mut self, input: &[u8], remaining: usize) -> Result<(), Failed> {
        self.inflate.reset(true);
        let start = self.content.len();
        let mut read = 0;
        loop {
            let produced = self.content.len() - start;
            if produced > remaining {
                return Err(Failed::TooLarge);
            }
            // Room for what is likely still to come, but never much past the limit.
            let room = (input.len().saturating_sub(read) * 4)
                .max(STEP)
                .min(remaining - produced + 1);
            self.content.reserve(room);
            let before = (self.inflate.total_in(), self.inflate.total_out());
            let rest = input.get(read..).unwrap_or_default();
            let status = self
                .inflate
                .decompress_vec(rest, &mut self.content, FlushDecompress::Finish)
                .map_err(|_| Failed::Other)?;
            read += usize::try_from(self.inflate.total_in() - before.0).unwrap_or(usize::MAX);
            match status {
                Status::StreamEnd => {
                    return if self.content.len() - start > remaining {
                        Err(Failed::TooLarge)
                    } else {
                        Ok(())
                    };
                }
                // Out of room: the next round makes more. No progress on input that is
                // not finished is a truncated stream.
                Status::Ok | Status::BufError => {
                    let progressed = (self.inflate.total_in(), self.inflate.total_out()) != before;
                    if !progressed {
                        return Err(Failed::Other);
                    }
                }
            }
        }
    }
}

/// Whether `stream` is compressed with zlib alone, without a predictor.
fn plain_zlib(stream: &Stream) -> bool {
    let flate = match stream.dict.get(b"Filter") {
        Ok(Object::Name(name)) => name == b"FlateDecode",
        Ok(Object::Array(filters)) => {
            matches!(filters.as_slice(), [Object::Name(name)] if name == b"FlateDecode")
        }
        _ => false,
    };
    flate && stream.dict.get(b"DecodeParms").is_err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::text_pdf;

    fn pages(pdf: &[u8]) -> (Document, Vec<ObjectId>) {
        let doc = Document::load_mem(pdf).unwrap();
        let pages = doc.get_pages().into_values().collect();
        (doc, pages)
    }

    #[test]
    fn pages_read_as_lopdf_reads_them() {
        let lines: Vec<String> = (0..400)
            .map(|i| format!("Zeile {i}: Reihenklemmen für Bäckerei Müller"))
            .collect();
        let (doc, pages) = pages(&text_pdf("Lieferschein", &lines).unwrap());
        assert!(pages.len() > 3);
        let mut contents = PageContents::new();
        for page in pages {
            let lopdf = doc.get_page_content_with_limit(page, 1 << 20).unwrap();
            assert_eq!(contents.of(&doc, page, 1 << 20), Some(lopdf.as_slice()));
        }
    }

    #[test]
    fn a_page_beyond_the_limit_is_skipped_and_the_next_read() {
        let lines: Vec<String> = (0..40).map(|i| format!("Zeile {i}")).collect();
        let (doc, pages) = pages(&text_pdf("Kurz", &lines).unwrap());
        let page = pages[0];
        let size = doc.get_page_content(page).len();
        let mut contents = PageContents::new();
        assert_eq!(contents.of(&doc, page, size / 2), None);
        assert_eq!(contents.of(&doc, page, size).map(<[u8]>::len), Some(size));
    }

    #[test]
    fn broken_and_uncompressed_streams_are_read_as_lopdf_reads_them() {
        let lines: Vec<String> = (0..40).map(|i| format!("Zeile {i}")).collect();
        let (mut doc, pages) = pages(&text_pdf("Kaputt", &lines).unwrap());
        let page = pages[0];
        let id = doc.get_page_contents(page)[0];
        let mut contents = PageContents::new();
        // Truncated zlib data.
        if let Ok(Object::Stream(stream)) = doc.get_object_mut(id) {
            let half = stream.content.len() / 2;
            stream.content.truncate(half);
        }
        let lopdf = doc.get_page_content_with_limit(page, 1 << 20).ok();
        assert_eq!(contents.of(&doc, page, 1 << 20).map(<[u8]>::to_vec), lopdf);
        // Plain bytes without a filter.
        if let Ok(Object::Stream(stream)) = doc.get_object_mut(id) {
            stream.set_plain_content(b"BT (Hallo) Tj ET".to_vec());
        }
        assert_eq!(
            contents.of(&doc, page, 1 << 20),
            Some(&b"BT (Hallo) Tj ET\n"[..])
        );
    }
}
