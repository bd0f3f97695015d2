use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// An e-mail address in the common `local@domain.tld` shape, with the domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses and normalises an address.
    ///
    /// ```
    /// # use crm_core::Email;
    /// let email = Email::parse(" Info@Mueller-Baeckerei.CH ")?;
    /// assert_eq!(email.as_str(), "Info@mueller-baeckerei.ch");
    /// assert_eq!(email.domain(), "mueller-baeckerei.ch");
    /// # Ok::<(), crm_core::ValueError>(())
    /// ```
    ///
    /// # Errors
    /// A [`ValueError`] saying what is wrong: no `@`, an empty or over-long part, a character
    /// that does not belong, a domain without a top-level part.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let raw = raw.trim();
        if raw.len() > 254 {
            return Err(ValueError::new("is longer than 254 characters"));
        }
        let Some((local, domain)) = raw.rsplit_once('@') else {
            return Err(ValueError::new(format!("`{raw}` has no @")));
        };
        if local.is_empty() || local.len() > 64 {
            return Err(ValueError::new(
                "the part before @ must have 1 to 64 characters",
            ));
        }
        let local_ok = local
            .chars()
            .all(|c| c.is_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return Err(ValueError::new(format!(
                "`{local}` is not a valid part before @"
            )));
        }
        let domain = domain.to_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(ValueError::new(format!(
                "domain `{domain}` has no top-level part such as .ch"
            )));
        }
        for label in &labels {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-');
            if !ok {
                return Err(ValueError::new(format!(
                    "domain `{domain}` is not a valid host name"
                )));
            }
        }
        let tld = labels.last().copied().unwrap_or("");
        if tld.chars().count() < 2 || tld.chars().all(|c| c.is_ascii_digit()) {
            return Err(ValueError::new(format!(
                "domain `{domain}` has no valid top-level part"
            )));
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-case domain after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// Whether the domain belongs to a free-mail provider, where a shared domain says nothing
    /// about two addresses being the same company.
    pub fn is_free_mail(&self) -> bool {
        FREE_MAIL_DOMAINS.contains(&self.domain())
    }
}

/// Free-mail domains common in Switzerland and its neighbours.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "bluewin.ch",
    "gmail.com",
    "googlemail.com",
    "gmx.ch",
    "gmx.net",
    "gmx.de",
    "gmx.at",
    "hispeed.ch",
    "hotmail.com",
    "hotmail.ch",
    "icloud.com",
    "me.com",
    "mac.com",
    "live.com",
    "msn.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "sunrise.ch",
    "swissonline.ch",
    "t-online.de",
    "web.de",
    "yahoo.com",
    "yahoo.fr",
    "yahoo.de",
    "orange.fr",
    "free.fr",
    "libero.it",
    "aol.com",
];

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_addresses_pass_and_bad_ones_say_why() {
        assert!(Email::parse("anna.meier@example.ch").is_ok());
        assert!(Email::parse("jean-luc@crèmerie.ch").is_ok());
        assert!(Email::parse("nobody").unwrap_err().0.contains("no @"));
        assert!(Email::parse("@x.ch").unwrap_err().0.contains("before @"));
        assert!(
            Email::parse("a@localhost")
                .unwrap_err()
                .0
                .contains("top-level")
        );
        assert!(Email::parse("a@-x.ch").unwrap_err().0.contains("host name"));
        assert!(Email::parse("a..b@x.ch").is_err());
        assert!(Email::parse("a b@x.ch").is_err());
    }

    #[test]
    fn free_mail_is_recognised() {
        assert!(Email::parse("hans@Bluewin.ch").unwrap().is_free_mail());
        assert!(!Email::parse("hans@mueller.ch").unwrap().is_free_mail());
    }
}
