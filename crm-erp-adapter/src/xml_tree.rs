//! A small element tree read from a streaming XML reader one subtree at a time, so that a
//! large file is never held whole: the caller asks for the next element of interest and gets
//! just that element with its children.

use std::io::BufRead;

use crm_core::{Error, Result};
use quick_xml::Reader;
use quick_xml::escape::{resolve_html5_entity, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};

/// An element: local name (namespace prefixes dropped), attributes, text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The local name.
    pub name: String,
    /// Attributes by local name.
    pub attrs: Vec<(String, String)>,
    /// The element's own text, entities resolved, not trimmed.
    pub text: String,
    /// Child elements in order.
    pub children: Vec<Element>,
}

impl Element {
    /// The attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child named one of `names`.
    pub fn child(&self, names: &[&str]) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| names.contains(&c.name.as_str()))
    }

    /// Every child named one of `names`.
    pub fn all<'a>(&'a self, names: &'a [&'a str]) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| names.contains(&c.name.as_str()))
    }

    /// The trimmed text of the first child named one of `names`, if not blank.
    pub fn text_of(&self, names: &[&str]) -> Option<&str> {
        self.child(names)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }
}

/// Where the reader stands: the path of open elements with their positions among
/// same-named siblings, for error messages.
#[derive(Debug, Default)]
struct Path {
    open: Vec<(String, Vec<(String, usize)>)>,
}

impl Path {
    fn enter(&mut self, name: &str) {
        let n = match self.open.last_mut() {
            Some((_, seen)) => match seen.iter_mut().find(|(s, _)| s == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    seen.push((name.to_owned(), 1));
                    1
                }
            },
            None => 1,
        };
        let label = if n > 1 {
            format!("{name}[{n}]")
        } else {
            name.to_owned()
        };
        self.open.push((label, Vec::new()));
    }

    fn leave(&mut self) {
        self.open.pop();
    }

    fn render(&self) -> String {
        self.open
            .iter()
            .map(|(label, _)| label.as_str())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Reads elements of interest from a stream.
pub struct TreeReader<R> {
    reader: Reader<R>,
    path: Path,
    last: String,
    /// Elements whose subtrees are dropped while reading (vendor extensions, say).
    skip: &'static [&'static str],
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => name.into_owned(),
    }
}

impl<R: BufRead> TreeReader<R> {
    /// A reader over `input` that drops the subtrees of elements named in `skip`.
    pub fn new(input: R, skip: &'static [&'static str]) -> Self {
        let mut reader = Reader::from_reader(input);
        reader.config_mut().expand_empty_elements = true;
        TreeReader {
            reader,
            path: Path::default(),
            last: String::new(),
            skip,
        }
    }

    /// The element path of the last element [`TreeReader::next_wanted`] returned, with
    /// positions among same-named siblings (`BMECAT/T_NEW_CATALOG/PRODUCT[3]`).
    pub fn last_path(&self) -> &str {
        &self.last
    }

    fn error(&self, reason: impl std::fmt::Display) -> Error {
        let at = self.path.render();
        Error::invalid(
            if at.is_empty() { "xml".to_owned() } else { at },
            format!("{reason} (byte {})", self.reader.buffer_position()),
        )
    }

    fn start(&self, e: &BytesStart<'_>) -> Result<Element> {
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|err| self.error(format!("malformed attribute: {err}")))?;
            let value = a
                .decode_and_unescape_value(self.reader.decoder())
                .map_err(|err| self.error(format!("malformed attribute: {err}")))?;
            attrs.push((local(a.key.as_ref()), value.into_owned()));
        }
        Ok(Element {
            name: local(e.name().as_ref()),
            attrs,
            ..Element::default()
        })
    }

    /// The next element whose start `wanted` accepts (given its local name and the path
    /// of its parents), read whole; `None` at the end of the document. Text and elements
    /// outside wanted ones are passed over.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the element path for malformed XML.
    pub fn next_wanted(&mut self, wanted: impl Fn(&str, &str) -> bool) -> Result<Option<Element>> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let event = self
                .reader
                .read_event_into(&mut buf)
                .map_err(|e| self.error(format!("malformed XML: {e}")))?;
            match event {
                Event::Start(e) => {
                    let element = self.start(&e)?;
                    let parents = self.path.render();
                    self.path.enter(&element.name);
                    if wanted(&element.name, &parents) {
                        self.last = self.path.render();
                        return self.finish(element).map(Some);
                    }
                }
                Event::End(_) => self.path.leave(),
                Event::Eof => {
                    if !self.path.open.is_empty() {
                        return Err(self.error("the document ends before its elements close"));
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    /// Reads the rest of `element` (its start has been read) up to its end.
    fn finish(&mut self, root: Element) -> Result<Element> {
        let mut stack: Vec<Element> = vec![root];
        let mut skipping = 0usize;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let event = self
                .reader
                .read_event_into(&mut buf)
                .map_err(|e| self.error(format!("malformed XML: {e}")))?;
            match event {
                Event::Start(e) => {
                    let element = self.start(&e)?;
                    self.path.enter(&element.name);
                    if skipping > 0 || self.skip.contains(&element.name.as_str()) {
                        skipping += 1;
                    } else {
                        stack.push(element);
                    }
                }
                Event::End(_) => {
                    self.path.leave();
                    if skipping > 0 {
                        skipping -= 1;
                        continue;
                    }
                    let done = stack
                        .pop()
                        .ok_or_else(|| self.error("an element closes that was not opened"))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                Event::Text(t) if skipping == 0 => {
                    let text = t
                        .decode()
                        .map_err(|e| self.error(format!("unreadable text: {e}")))?;
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&text);
                    }
                }
                Event::CData(t) if skipping == 0 => {
                    let text = t
                        .decode()
                        .map_err(|e| self.error(format!("unreadable text: {e}")))?;
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&text);
                    }
                }
                Event::GeneralRef(r) if skipping == 0 => {
                    let resolved = match r
                        .resolve_char_ref()
                        .map_err(|e| self.error(format!("bad character reference: {e}")))?
                    {
                        Some(c) => c.to_string(),
                        None => {
                            let name = r
                                .decode()
                                .map_err(|e| self.error(format!("unreadable entity: {e}")))?;
                            resolve_predefined_entity(&name)
                                .or_else(|| resolve_html5_entity(&name))
                                .ok_or_else(|| self.error(format!("unknown entity &{name};")))?
                                .to_owned()
                        }
                    };
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&resolved);
                    }
                }
                Event::Eof => {
                    return Err(self.error("the document ends inside this element"));
                }
                _ => {}
            }
        }
    }
}

/// Resolves HTML entities left in text that was escaped twice (`&amp;sup2;` reads as
/// `&sup2;`) and drops HTML tags (`<br>` becomes a space).
pub fn html_to_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix('<') {
            match tail.find('>') {
                Some(end) if end < 200 => {
                    out.push(' ');
                    rest = &tail[end + 1..];
                }
                _ => {
                    out.push('<');
                    rest = after;
                }
            }
            continue;
        }
        let resolved = tail.find(';').filter(|end| *end <= 32).and_then(|end| {
            let name = &tail[1..end];
            let c = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(num, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .map(String::from)
            } else if let Some(num) = name.strip_prefix('#') {
                num.parse().ok().and_then(char::from_u32).map(String::from)
            } else {
                resolve_html5_entity(name).map(str::to_owned)
            };
            c.map(|c| (c, end))
        });
        match resolved {
            Some((c, end)) => {
                out.push_str(&c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtrees_are_read_whole_with_entities_and_skips() {
        let xml = r#"<?xml version="1.0"?><a:ROOT xmlns:a="x"><HEAD><X>1</X></HEAD>
            <ITEM n="1"><NAME>M&amp;M &#34;5&#34; &amp;sup2;</NAME><UDX><DEEP>drop</DEEP></UDX></ITEM>
            <ITEM n="2"><NAME/></ITEM></a:ROOT>"#;
        let mut r = TreeReader::new(xml.as_bytes(), &["UDX"]);
        let first = r.next_wanted(|n, _| n == "ITEM").unwrap().unwrap();
        assert_eq!(first.attr("n"), Some("1"));
        assert_eq!(first.text_of(&["NAME"]), Some("M&M \"5\" &sup2;"));
        assert_eq!(
            html_to_text(first.text_of(&["NAME"]).unwrap()),
            "M&M \"5\" ²"
        );
        assert!(first.child(&["UDX"]).is_none(), "skipped");
        let second = r.next_wanted(|n, _| n == "ITEM").unwrap().unwrap();
        assert_eq!(second.text_of(&["NAME"]), None);
        assert!(r.next_wanted(|n, _| n == "ITEM").unwrap().is_none());
    }

    #[test]
    fn malformed_xml_names_the_path() {
        let xml = "<ROOT><ITEM><NAME>x</ITEM></ROOT>";
        let mut r = TreeReader::new(xml.as_bytes(), &[]);
        let Err(Error::Invalid(e)) = r.next_wanted(|n, _| n == "ITEM") else {
            panic!("must fail");
        };
        assert!(e.to_string().contains("ROOT/ITEM"), "{e}");
    }

    #[test]
    fn html_is_flattened() {
        assert_eq!(
            html_to_text("a<br/>b &plusmn;1 &#xB5;m & c"),
            "a b ±1 µm & c"
        );
    }
}
