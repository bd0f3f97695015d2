//! Duplicate candidates for a lead that is about to become a customer.
//!
//! Storage finds candidates cheaply through its indexes ([`DuplicateProbe`]: shared name
//! words, e-mail domain, phone, postal code + street); this module decides, purely, which of
//! them really look like the same party and why ([`assess`]).
//!
//! A candidate is **strong** when its name is nearly the same
//! ([`DuplicateRules::strong_name_similarity`]) or when at least two independent reasons match
//! (say, the same phone and the same street). A conversion with a strong candidate is refused
//! unless the caller overrides explicitly.

use serde::{Deserialize, Serialize};

use crate::address::{Address, AddressData, AddressKind};
use crate::ids::{AddressId, AddressNumber};
use crate::text;

/// Words that say nothing about who a company is: legal forms and fillers.
const NOISE_WORDS: &[&str] = &[
    "ag",
    "gmbh",
    "sa",
    "sarl",
    "sagl",
    "kg",
    "ohg",
    "co",
    "cie",
    "ltd",
    "inc",
    "llc",
    "se",
    "und",
    "et",
    "e",
    "and",
    "the",
    "der",
    "die",
    "das",
    "de",
    "du",
    "des",
    "la",
    "le",
    "les",
    "di",
    "del",
    "della",
    "von",
    "van",
    "fuer",
    "fur",
    "pour",
    "per",
    "genossenschaft",
    "einzelfirma",
    "holding",
    "ug",
];

/// Thresholds of the duplicate check, from settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DuplicateRules {
    /// Name similarity (0–1) from which a name counts as a reason.
    pub name_similarity: f64,
    /// Name similarity from which a candidate is strong on its name alone.
    pub strong_name_similarity: f64,
}

impl Default for DuplicateRules {
    fn default() -> Self {
        DuplicateRules {
            name_similarity: 0.75,
            strong_name_similarity: 0.9,
        }
    }
}

/// Why a candidate was matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MatchReason {
    /// The normalised names are similar.
    SimilarName {
        /// Similarity from 0 to 1, two decimals.
        similarity: f64,
    },
    /// Same e-mail domain (free-mail providers do not count).
    SameEmailDomain {
        /// The domain.
        domain: String,
    },
    /// Same main phone number.
    SamePhone {
        /// The number in E.164 form.
        phone: String,
    },
    /// Same postal code and street.
    SamePostalAddress {
        /// Postal code.
        postal_code: String,
        /// Street as the candidate writes it.
        street: String,
    },
}

/// A customer that may be the same party as the lead being converted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateCandidate {
    /// The candidate's id.
    pub id: AddressId,
    /// Its number, shown even when its details are not visible to the actor, so that a
    /// manager can be asked about it.
    pub number: AddressNumber,
    /// Its name, when the actor may see the candidate.
    pub name: Option<String>,
    /// Its city, when the actor may see the candidate.
    pub city: Option<String>,
    /// Whether the actor may see the candidate.
    pub visible: bool,
    /// What matched.
    pub reasons: Vec<MatchReason>,
    /// Strong candidates block the conversion unless overridden.
    pub strong: bool,
}

/// What storage needs to find candidates through its indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateProbe {
    /// The address itself, never its own candidate.
    pub exclude: AddressId,
    /// Significant name words in both folded forms.
    pub name_words: Vec<String>,
    /// E-mail domain, unless free-mail.
    pub email_domain: Option<String>,
    /// Phone in E.164 form.
    pub phone: Option<String>,
    /// Postal code and street key.
    pub postal_street: Option<(String, String)>,
    /// Kind of address to look among.
    pub kind: AddressKind,
}

impl DuplicateProbe {
    /// The probe for `address`, looking among customers.
    pub fn for_address(address: &Address) -> Self {
        let keys = address.data.search_keys();
        let name_words = keys
            .name_words
            .into_iter()
            .filter(|w| w.chars().count() >= 3 && !NOISE_WORDS.contains(&w.as_str()))
            .collect();
        DuplicateProbe {
            exclude: address.id,
            name_words,
            email_domain: keys.email_domain,
            phone: address.data.phone.as_ref().map(|p| p.as_str().to_owned()),
            postal_street: address.data.postal.postal_code.clone().zip(keys.street_key),
            kind: AddressKind::Customer,
        }
    }
}

/// The name reduced to what identifies the party: folded, without legal forms and fillers.
pub fn significant_name(data: &AddressData) -> String {
    text::name_key(&data.display_name())
        .split(' ')
        .filter(|w| !NOISE_WORDS.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Similarity of two significant names, 0 to 1: the better of a bigram comparison in the
/// given word order and with the words sorted (so `Müller Bäckerei` meets `Bäckerei Müller`).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let sorted = |s: &str| {
        let mut words: Vec<&str> = s.split(' ').collect();
        words.sort_unstable();
        words.join(" ")
    };
    let direct = strsim::sorensen_dice(a, b);
    let reordered = strsim::sorensen_dice(&sorted(a), &sorted(b));
    direct.max(reordered)
}

/// Compares `lead` with `candidate`; `None` when nothing matches.
pub fn assess(
    lead: &Address,
    candidate: &Address,
    rules: &DuplicateRules,
) -> Option<(Vec<MatchReason>, bool)> {
    let mut reasons = Vec::new();
    let similarity = name_similarity(
        &significant_name(&lead.data),
        &significant_name(&candidate.data),
    );
    if similarity >= rules.name_similarity {
        reasons.push(MatchReason::SimilarName {
            similarity: (similarity * 100.0).round() / 100.0,
        });
    }
    let lead_keys = lead.data.search_keys();
    let cand_keys = candidate.data.search_keys();
    if let (Some(a), Some(b)) = (&lead_keys.email_domain, &cand_keys.email_domain)
        && a == b
    {
        reasons.push(MatchReason::SameEmailDomain { domain: a.clone() });
    }
    if let (Some(a), Some(b)) = (&lead.data.phone, &candidate.data.phone)
        && a == b
    {
        reasons.push(MatchReason::SamePhone {
            phone: a.as_str().to_owned(),
        });
    }
    if let (Some(a), Some(b)) = (&lead_keys.street_key, &cand_keys.street_key)
        && a == b
        && lead.data.postal.postal_code.is_some()
        && lead.data.postal.postal_code == candidate.data.postal.postal_code
    {
        reasons.push(MatchReason::SamePostalAddress {
            postal_code: candidate
                .data
                .postal
                .postal_code
                .clone()
                .unwrap_or_default(),
            street: candidate.data.postal.street.clone().unwrap_or_default(),
        });
    }
    if reasons.is_empty() {
        return None;
    }
    let strong = similarity >= rules.strong_name_similarity || reasons.len() >= 2;
    Some((reasons, strong))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::{AddressInput, AddressKind, Stamp};
    use crate::ids::{UserId, Version};
    use crate::values::PostalAddressInput;

    fn address(
        id: i64,
        name: &str,
        phone: Option<&str>,
        email: Option<&str>,
        street: &str,
    ) -> Address {
        let data = AddressInput {
            name1: name.into(),
            phone: phone.map(Into::into),
            email: email.map(Into::into),
            postal: PostalAddressInput {
                street: Some(street.into()),
                postal_code: Some("8001".into()),
                city: Some("Zürich".into()),
                ..Default::default()
            },
            ..Default::default()
        }
        .validate()
        .unwrap();
        let stamp = Stamp {
            at: chrono::DateTime::UNIX_EPOCH,
            by: UserId(1),
        };
        Address {
            id: AddressId(id),
            number: AddressNumber(id),
            kind: AddressKind::Customer,
            data,
            lead_number: None,
            converted: None,
            created: stamp,
            updated: stamp,
            version: Version::FIRST,
        }
    }

    #[test]
    fn spelling_variants_of_a_name_are_strong() {
        let lead = address(1, "Baeckerei Mueller GmbH", None, None, "Seestrasse 1");
        let customer = address(2, "Bäckerei Müller AG", None, None, "Bahnhofstrasse 9");
        let (reasons, strong) = assess(&lead, &customer, &DuplicateRules::default()).unwrap();
        assert!(strong);
        assert!(
            matches!(reasons[0], MatchReason::SimilarName { similarity } if similarity >= 0.99)
        );
    }

    #[test]
    fn two_independent_reasons_are_strong_one_is_not() {
        let lead = address(
            1,
            "Alpha Consulting",
            Some("044 111 22 33"),
            Some("a@firma.ch"),
            "Bahnhofstr. 9",
        );
        let same_phone_and_street = address(
            2,
            "Beta Treuhand",
            Some("+41 44 111 22 33"),
            None,
            "Bahnhofstrasse 9",
        );
        let (reasons, strong) =
            assess(&lead, &same_phone_and_street, &DuplicateRules::default()).unwrap();
        assert_eq!(reasons.len(), 2);
        assert!(strong);
        let same_domain = address(3, "Gamma Holz", None, Some("info@firma.ch"), "Ring 1");
        let (reasons, strong) = assess(&lead, &same_domain, &DuplicateRules::default()).unwrap();
        assert_eq!(
            reasons,
            vec![MatchReason::SameEmailDomain {
                domain: "firma.ch".into()
            }]
        );
        assert!(!strong);
    }

    #[test]
    fn free_mail_and_unrelated_names_do_not_match() {
        let lead = address(
            1,
            "Schreinerei Holzwurm",
            None,
            Some("h@gmail.com"),
            "Weg 1",
        );
        let other = address(2, "Garage Rapid", None, Some("r@gmail.com"), "Strasse 2");
        assert_eq!(assess(&lead, &other, &DuplicateRules::default()), None);
    }

    #[test]
    fn the_probe_skips_legal_forms_and_short_words() {
        let lead = address(1, "Bäckerei Müller AG", None, None, "Seestrasse 1");
        let probe = DuplicateProbe::for_address(&lead);
        assert!(probe.name_words.contains(&"mueller".to_owned()));
        assert!(probe.name_words.contains(&"muller".to_owned()));
        assert!(!probe.name_words.contains(&"ag".to_owned()));
        assert_eq!(probe.postal_street, Some(("8001".into(), "seestr1".into())));
    }
}
