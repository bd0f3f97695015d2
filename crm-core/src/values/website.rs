use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// A web site address, stored with its scheme (`https://` is added when missing).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Website(String);

impl Website {
    /// Parses `www.example.ch`, `https://example.ch/shop` and the like.
    ///
    /// # Errors
    /// A [`ValueError`] for spaces, an unknown scheme or a host without a dot.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let raw = raw.trim();
        if raw.len() > 500 {
            return Err(ValueError::new("is longer than 500 characters"));
        }
        if raw.chars().any(char::is_whitespace) {
            return Err(ValueError::new("contains spaces"));
        }
        let (scheme, rest) = match raw.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("https".to_owned(), raw),
        };
        if scheme != "http" && scheme != "https" {
            return Err(ValueError::new(format!(
                "scheme `{scheme}` is not http or https"
            )));
        }
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let host_name = host.split(':').next().unwrap_or("");
        let valid_host = host_name.contains('.')
            && host_name
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
        if !valid_host {
            return Err(ValueError::new(format!(
                "`{host_name}` is not a host name such as www.example.ch"
            )));
        }
        Ok(Website(format!("{scheme}://{rest}")))
    }

    /// The address as text, with scheme.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Website {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Website {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Website::parse(&s)
    }
}

impl From<Website> for String {
    fn from(w: Website) -> Self {
        w.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_is_added_and_bad_hosts_rejected() {
        assert_eq!(
            Website::parse("www.mueller.ch").unwrap().as_str(),
            "https://www.mueller.ch"
        );
        assert_eq!(
            Website::parse("HTTP://shop.example.ch/de?x=1")
                .unwrap()
                .as_str(),
            "http://shop.example.ch/de?x=1"
        );
        assert!(
            Website::parse("ftp://x.ch")
                .unwrap_err()
                .0
                .contains("scheme")
        );
        assert!(
            Website::parse("localhost")
                .unwrap_err()
                .0
                .contains("host name")
        );
        assert!(Website::parse("www.a b.ch").is_err());
    }
}
