//! The text a page's content stream shows, by one pass over its bytes: strings of the
//! text-showing operators (`Tj`, `TJ`, `'`, `"`) decoded with the current font's encoding
//! (`Tf`), a line break at `T*` and `ET`. lopdf still reads the document and resolves the
//! fonts' encodings (the page streams are inflated in `streams`); only the operators are
//! scanned here, because lopdf's `Content::decode` builds an object for every operand of
//! every operator — on forty pages of dense text some thirty times the work of the scan.
//!
//! Malformed content never fails the scan: what cannot be read is skipped.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;

use lopdf::Encoding;

/// An operand the text operators look at; everything else is `Other`. Names and strings
/// without escapes are borrowed from the content.
enum Operand<'a> {
    Name(&'a [u8]),
    Text(Cow<'a, [u8]>),
    Number(f64),
    Array(Vec<Operand<'a>>),
    Other,
}

/// A code of a one-byte encoding not decoded yet.
const UNKNOWN: u32 = u32::MAX;
/// A code of a one-byte encoding that shows no character.
const NOTHING: u32 = u32::MAX - 1;

/// A font's encoding, decoding strings to text. The codes of one-byte encodings (the
/// standard ones, WinAnsi, and differences to them) are decoded by lopdf once each and
/// remembered: text is made of a few dozen codes, repeated many thousand times.
pub(crate) struct Decoder<'e> {
    encoding: Encoding<'e>,
    /// The character of each code, for one-byte encodings.
    codes: Option<Box<[Cell<u32>; 256]>>,
    /// Whether the printable ASCII codes stand for themselves (as in most encodings): a
    /// string of them is its own text.
    ascii: bool,
}

impl<'e> Decoder<'e> {
    pub(crate) fn new(encoding: Encoding<'e>) -> Decoder<'e> {
        let one_byte = matches!(
            encoding,
            Encoding::OneByteEncoding(_)
                | Encoding::Differences(_)
                | Encoding::SimpleEncoding(b"WinAnsiEncoding")
        );
        let mut decoder = Decoder {
            encoding,
            codes: one_byte.then(|| Box::new(std::array::from_fn(|_| Cell::new(UNKNOWN)))),
            ascii: false,
        };
        if one_byte {
            let mut text = String::new();
            let printable: Vec<u8> = (b' '..=b'~').collect();
            decoder.write(&printable, &mut text);
            decoder.ascii = text.as_bytes() == printable;
        }
        decoder
    }

    /// Appends the text of `bytes`; codes the encoding cannot decode are left out.
    fn write(&self, bytes: &[u8], out: &mut String) {
        let Some(codes) = &self.codes else {
            let _ = self.encoding.write_to_string(bytes, out);
            return;
        };
        let mut rest = bytes;
        while let Some((&b, after)) = rest.split_first() {
            if self.ascii {
                // A run of printable ASCII is its own text.
                let run = printable_run(rest);
                if let Some(text) = rest.get(..run).and_then(|r| std::str::from_utf8(r).ok())
                    && run > 0
                {
                    out.push_str(text);
                    rest = rest.get(run..).unwrap_or_default();
                    continue;
                }
            }
            let code = &codes[usize::from(b)];
            if code.get() == UNKNOWN {
                let mut one = String::new();
                let _ = self.encoding.write_to_string(&[b], &mut one);
                code.set(one.chars().next().map_or(NOTHING, u32::from));
            }
            if let Some(c) = char::from_u32(code.get()) {
                out.push(c);
            }
            rest = after;
        }
    }
}

/// The length of the run of printable ASCII (`' '..='~'`) that `bytes` starts with, looked
/// at eight bytes at a time: a string of text is mostly such a run.
fn printable_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut n = 0;
    for chunk in bytes.chunks_exact(8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // Bytes beyond ASCII, below a space, and DEL (zero once XORed with 0x7f).
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let del = x ^ (ONES * 0x7f);
        let is_del = del.wrapping_sub(ONES) & !del & HIGH;
        if (x & HIGH) | below_space | is_del != 0 {
            break;
        }
        n += 8;
    }
    let rest = bytes.get(n..).unwrap_or_default();
    n + rest
        .iter()
        .position(|b| !(b' '..=b'~').contains(b))
        .unwrap_or(rest.len())
}

/// The decoders of a page's fonts, by resource name.
pub(crate) type Fonts<'d, 'e> = BTreeMap<Vec<u8>, &'d Decoder<'e>>;

/// More operands than any real operator takes: a stream that piles them up is garbage.
const MAX_OPERANDS: usize = 64;
/// Entries kept of one array (a `TJ` line holds a few hundred).
const MAX_ARRAY: usize = 4_096;
/// Arrays nested deeper than this are skipped.
const MAX_DEPTH: usize = 32;

fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// Appends the text `content` shows to `out`, decoding with the page's `fonts`.
pub(crate) fn show_text(content: &[u8], fonts: &Fonts<'_, '_>, out: &mut String) {
    let mut scan = Scan {
        bytes: content,
        at: 0,
    };
    let mut operands: Vec<Operand> = Vec::new();
    // Open arrays, innermost last; dictionaries are skipped whole.
    let mut arrays: Vec<Vec<Operand>> = Vec::new();
    let mut dictionaries = 0usize;
    let mut font: Option<&Decoder<'_>> = None;
    while let Some(token) = scan.next() {
        let operand = match token {
            Token::ArrayStart => {
                if arrays.len() < MAX_DEPTH {
                    arrays.push(Vec::new());
                }
                continue;
            }
            Token::ArrayEnd => match arrays.pop() {
                Some(items) => Operand::Array(items),
                None => continue,
            },
            Token::DictionaryStart => {
                dictionaries += 1;
                continue;
            }
            Token::DictionaryEnd => {
                dictionaries = dictionaries.saturating_sub(1);
                Operand::Other
            }
            Token::Operand(o) => o,
            Token::Number(text) if !arrays.is_empty() => std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .map_or(Operand::Other, Operand::Number),
            Token::Number(_) => Operand::Other,
            Token::Operator(op) => {
                if dictionaries > 0 || !arrays.is_empty() {
                    // A keyword inside a dictionary or array (`true`, `null`) is a value.
                    Operand::Other
                } else {
                    if op == b"BI" {
                        scan.skip_inline_image();
                    } else {
                        operate(op, &operands, fonts, &mut font, out);
                    }
                    operands.clear();
                    continue;
                }
            }
        };
        if dictionaries > 0 && !matches!(operand, Operand::Other) {
            continue;
        }
        match arrays.last_mut() {
            Some(items) if items.len() < MAX_ARRAY => items.push(operand),
            Some(_) => {}
            None if operands.len() < MAX_OPERANDS => operands.push(operand),
            None => {}
        }
    }
}

fn new_line(out: &mut String) {
    if !out.ends_with('\n') {
        out.push('\n');
    }
}

fn write(font: Option<&Decoder<'_>>, bytes: &[u8], out: &mut String) {
    if let Some(font) = font {
        font.write(bytes, out);
    }
}

/// `TJ`'s array: its strings, a space for a large negative adjustment (a gap between
/// words), and a space after it.
fn write_array(font: Option<&Decoder<'_>>, items: &[Operand<'_>], out: &mut String) {
    for item in items {
        match item {
            Operand::Text(bytes) => write(font, bytes, out),
            Operand::Number(n) if *n < -100.0 => out.push(' '),
            Operand::Array(inner) => write_array(font, inner, out),
            _ => {}
        }
    }
    out.push(' ');
}

fn operate<'d, 'e>(
    op: &[u8],
    operands: &[Operand<'_>],
    fonts: &Fonts<'d, 'e>,
    font: &mut Option<&'d Decoder<'e>>,
    out: &mut String,
) {
    match op {
        b"Tf" => {
            if let Some(Operand::Name(name)) = operands.first() {
                *font = fonts.get(*name).copied();
            }
        }
        b"Tj" => {
            if let Some(Operand::Text(bytes)) = operands.last() {
                write(*font, bytes, out);
            }
        }
        b"TJ" => {
            if let Some(Operand::Array(items)) = operands.last() {
                write_array(*font, items, out);
            }
        }
        b"'" => {
            new_line(out);
            if let Some(Operand::Text(bytes)) = operands.last() {
                write(*font, bytes, out);
            }
        }
        b"\"" => {
            new_line(out);
            if let Some(Operand::Text(bytes)) = operands.get(2) {
                write(*font, bytes, out);
            }
        }
        b"T*" | b"ET" => new_line(out),
        _ => {}
    }
}

enum Token<'a> {
    Operand(Operand<'a>),
    /// A number's text, parsed only where its value counts (in `TJ`'s arrays).
    Number(&'a [u8]),
    Operator(&'a [u8]),
    ArrayStart,
    ArrayEnd,
    DictionaryStart,
    DictionaryEnd,
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let b = self.peek()?;
            if is_white(b) {
                self.at += 1;
            } else if b == b'%' {
                while self.peek().is_some_and(|c| c != b'\n' && c != b'\r') {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
        let b = self.peek()?;
        self.at += 1;
        Some(match b {
            b'(' => Token::Operand(Operand::Text(self.literal())),
            b'<' if self.peek() == Some(b'<') => {
                self.at += 1;
                Token::DictionaryStart
            }
            b'<' => Token::Operand(Operand::Text(Cow::Owned(self.hex()))),
            b'>' if self.peek() == Some(b'>') => {
                self.at += 1;
                Token::DictionaryEnd
            }
            b'[' => Token::ArrayStart,
            b']' => Token::ArrayEnd,
            b'/' => Token::Operand(Operand::Name(self.regular())),
            b')' | b'>' | b'{' | b'}' => Token::Operand(Operand::Other),
            _ => {
                self.at -= 1;
                let word = self.regular();
                if word.is_empty() {
                    // Cannot happen after the checks above; step over the byte anyway.
                    self.at += 1;
                    return Some(Token::Operand(Operand::Other));
                }
                if matches!(word[0], b'0'..=b'9' | b'+' | b'-' | b'.') {
                    Token::Number(word)
                } else {
                    Token::Operator(word)
                }
            }
        })
    }

    /// A run of regular characters (a name's or keyword's, a number).
    fn regular(&mut self) -> &'a [u8] {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| !is_white(c) && !is_delimiter(c))
        {
            self.at += 1;
        }
        &self.bytes[start..self.at]
    }

    /// A literal string after its `(`: balanced parentheses, escapes resolved; borrowed
    /// when it has neither (most strings).
    fn literal(&mut self) -> Cow<'a, [u8]> {
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        let plain = memchr::memchr3(b'(', b')', b'\\', rest).unwrap_or(rest.len());
        if rest.get(plain) == Some(&b')') {
            self.at += plain + 1;
            return Cow::Borrowed(&rest[..plain]);
        }
        self.at += plain;
        let mut out = rest[..plain].to_vec();
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            self.at += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' if depth == 0 => break,
                b')' => {
                    depth -= 1;
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.at += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'0'..=b'7' => {
                            let mut value = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        value = value * 8 + u32::from(d - b'0');
                                        self.at += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((value & 0xff) as u8);
                        }
                        // A backslash at the end of a line continues the string.
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.at += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        Cow::Owned(out)
    }

    /// A hexadecimal string after its `<`; an odd last digit counts as followed by 0.
    fn hex(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(b) = self.peek() {
            self.at += 1;
            let digit = match b {
                b'>' => break,
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => continue,
            };
            match high.take() {
                Some(h) => out.push(h << 4 | digit),
                None => high = Some(digit),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    /// Skips an inline image's dictionary and data, up to and including its `EI`.
    fn skip_inline_image(&mut self) {
        // The dictionary runs to the `ID` keyword; one white-space byte follows it.
        while let Some(token) = self.next() {
            if let Token::Operator(b"ID") = token {
                break;
            }
        }
        self.at += 1;
        // The data ends at an `EI` between white space (or the end).
        while self.at + 1 < self.bytes.len() {
            let before_ok = self.at == 0 || is_white(self.bytes[self.at - 1]);
            if before_ok && &self.bytes[self.at..self.at + 2] == b"EI" {
                let after = self.bytes.get(self.at + 2).copied();
                if after.is_none_or(|c| is_white(c) || is_delimiter(c)) {
                    self.at += 2;
                    return;
                }
            }
            self.at += 1;
        }
        self.at = self.bytes.len();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn printable_runs_end_at_the_first_other_byte() {
        assert_eq!(super::printable_run(b""), 0);
        assert_eq!(super::printable_run(b"Offerte 4711: 12.50 ~"), 21);
        for (i, other) in [0x00, 0x1f, 0x7f, 0x80, 0xe4, 0xff].into_iter().enumerate() {
            for at in [0, 3, 7, 8, 9, 15, 16, 20] {
                let mut bytes = b"Reihenklemme DEK 5/5 MC NE WS".to_vec();
                bytes[at] = other;
                assert_eq!(super::printable_run(&bytes), at, "{i}: {other:#x} at {at}");
            }
        }
    }

    use super::*;

    fn text(content: &[u8]) -> String {
        let win_ansi = Decoder::new(Encoding::SimpleEncoding(b"WinAnsiEncoding"));
        let fonts = Fonts::from([(b"F1".to_vec(), &win_ansi)]);
        let mut out = String::new();
        show_text(content, &fonts, &mut out);
        out
    }

    #[test]
    fn strings_of_the_text_operators_come_out_decoded() {
        let content = b"BT /F1 10 Tf 72 700 Td (Gr\\374ezi \\(M\\374ller\\)) Tj T* \
            [(Reihen) -20 (klemme) -250 (DEK)] TJ ET\n\
            BT /F1 10 Tf <48 65 78> Tj (a\\\nb) ' 1 2 (drei) \" ET";
        assert_eq!(
            text(content),
            "Grüezi (Müller)\nReihenklemme DEK \nHex\nab\ndrei\n"
        );
    }

    #[test]
    fn codes_decode_by_their_encoding_in_runs_and_one_by_one() {
        let win_ansi = Decoder::new(Encoding::SimpleEncoding(b"WinAnsiEncoding"));
        let mut out = String::new();
        win_ansi.write(b"Gr\xfcezi M\xfcller, \x80 5.-", &mut out);
        assert_eq!(out, "Grüezi Müller, € 5.-");
        // A font without an encoding has the standard one, whose quotes are curly: ASCII
        // codes that do not stand for themselves.
        let doc = lopdf::Document::with_version("1.7");
        let font = lopdf::dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" };
        let standard = Decoder::new(font.get_font_encoding(&doc).unwrap());
        assert!(!standard.ascii);
        let mut out = String::new();
        standard.write(b"it's `so'", &mut out);
        assert_eq!(out, "it\u{2019}s \u{2018}so\u{2019}");
    }

    #[test]
    fn comments_dictionaries_inline_images_and_garbage_are_skipped() {
        let content = b"% a comment (Tj)\n/P <</MCID 0 /Alt (nicht) >> BDC \
            BT /F1 9 Tf BI /W 2 /H 2 /BPC 8 ID \x00(\xff)Tj\x00 EI \
            (sichtbar) Tj ET EMC ) ] >> [[[ (offen";
        assert_eq!(text(content), "sichtbar\n");
        // Text without a font, unknown fonts, and operators short of operands show nothing.
        assert_eq!(
            text(b"BT (ohne Schrift) Tj /F9 8 Tf (fremd) Tj Tj TJ ' \" ET"),
            "\n"
        );
    }
}
