//! Raw address input as forms and imports deliver it, and its validation.

use serde::{Deserialize, Deserializer, Serialize};

use super::{AddressData, AddressStatus, Classification};
use crate::error::{Result, Validator};
use crate::ids::UserId;
use crate::values::{
    Currency, Email, GeoPoint, Language, Money, Phone, PostalAddress, PostalAddressInput, Website,
    optional_text, required_text,
};

/// An amount with its currency as text, e.g. `{"amount": "250000", "currency": "CHF"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyInput {
    /// Decimal amount; `'` is accepted as thousands separator.
    pub amount: String,
    /// ISO 4217 code; CHF when empty.
    #[serde(default)]
    pub currency: Option<String>,
}

impl MoneyInput {
    /// The amount as [`Money`] (CHF when no currency is given), recording errors under
    /// `field.amount` and `field.currency`; negative amounts are refused.
    pub fn validate_at(&self, field: &str, v: &mut Validator) -> Option<Money> {
        let currency = match non_empty(&self.currency) {
            Some(raw) => v.check(&format!("{field}.currency"), Currency::new(raw))?,
            None => Currency::CHF,
        };
        let money = v.check(
            &format!("{field}.amount"),
            Money::parse(&self.amount, currency),
        )?;
        if money.amount.is_sign_negative() {
            v.reject(&format!("{field}.amount"), "must not be negative");
            return None;
        }
        Some(money)
    }
}

/// Everything a form or import delivers for an address, as raw values.
///
/// [`AddressInput::validate`] turns it into [`AddressData`] or names every bad field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressInput {
    /// First name line, required.
    pub name1: String,
    /// Second name line.
    pub name2: Option<String>,
    /// Third name line.
    pub name3: Option<String>,
    /// Legal form.
    pub legal_form: Option<String>,
    /// Postal address; its fields appear at the top level in JSON.
    #[serde(flatten)]
    pub postal: PostalAddressInput,
    /// Language tag (`de`, `fr-CH` …); derived from the country when empty.
    pub language: Option<String>,
    /// Main phone; national numbers take the address's country code.
    pub phone: Option<String>,
    /// Main e-mail.
    pub email: Option<String>,
    /// Web site.
    pub website: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// `A`, `B` or `C`.
    pub classification: Option<String>,
    /// Estimated yearly potential.
    pub annual_potential: Option<MoneyInput>,
    /// Responsible field rep.
    pub field_rep: Option<UserId>,
    /// Responsible inside rep.
    pub inside_rep: Option<UserId>,
    /// `active` (default) or `inactive`.
    pub status: Option<String>,
    /// Latitude in degrees; needs `longitude`.
    pub latitude: Option<f64>,
    /// Longitude in degrees; needs `latitude`.
    pub longitude: Option<f64>,
}

impl AddressInput {
    /// Validates every field and returns the address content, or all field errors at once.
    ///
    /// ```
    /// # use crm_core::{AddressInput, Error};
    /// let input = AddressInput {
    ///     name1: "Bäckerei Müller".into(),
    ///     email: Some("info@mueller".into()),
    ///     ..Default::default()
    /// };
    /// let Err(Error::Invalid(invalid)) = input.validate() else { panic!() };
    /// assert_eq!(invalid.field(), "email");
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming each rejected field.
    pub fn validate(&self) -> Result<AddressData> {
        let mut v = Validator::new();
        let name1 = v.check("name1", required_text(&self.name1, 120));
        let name2 = v.check("name2", optional_text(self.name2.as_deref(), 120));
        let name3 = v.check("name3", optional_text(self.name3.as_deref(), 120));
        let legal_form = v.check("legal_form", optional_text(self.legal_form.as_deref(), 40));
        let postal = PostalAddress::validate(&self.postal, &mut v, "");
        let country = postal.as_ref().map(|p| p.country);
        let language = match non_empty(&self.language) {
            Some(raw) => v.check("language", Language::new(raw)),
            None => Some(default_language(
                country,
                self.postal.postal_code.as_deref(),
            )),
        };
        let phone = match (non_empty(&self.phone), country) {
            (Some(raw), Some(country)) => v.check("phone", Phone::parse(raw, country)).map(Some),
            (Some(_), None) => None,
            (None, _) => Some(None),
        };
        let email = v.check_opt("email", non_empty(&self.email), Email::parse);
        let website = v.check_opt("website", non_empty(&self.website), Website::parse);
        let industry = v.check("industry", optional_text(self.industry.as_deref(), 80));
        let classification = v.check_opt(
            "classification",
            non_empty(&self.classification),
            |raw: &str| raw.to_ascii_uppercase().parse::<Classification>(),
        );
        let annual_potential = match &self.annual_potential {
            None => Some(None),
            Some(m) => m.validate_at("annual_potential", &mut v).map(Some),
        };
        let status = match non_empty(&self.status) {
            Some(raw) => v.check("status", raw.parse::<AddressStatus>()),
            None => Some(AddressStatus::Active),
        };
        let geo = match (self.latitude, self.longitude) {
            (Some(lat), Some(lon)) => v.check("latitude", GeoPoint::new(lat, lon)).map(Some),
            (None, None) => Some(None),
            (Some(_), None) => {
                v.reject("longitude", "is missing while latitude is given");
                None
            }
            (None, Some(_)) => {
                v.reject("latitude", "is missing while longitude is given");
                None
            }
        };
        v.finish(|| {
            Some(AddressData {
                name1: name1?,
                name2: name2?,
                name3: name3?,
                legal_form: legal_form?,
                postal: postal?,
                language: language?,
                phone: phone?,
                email,
                website,
                industry: industry?,
                classification,
                annual_potential: annual_potential?,
                field_rep: self.field_rep,
                inside_rep: self.inside_rep,
                status: status?,
                geo: geo?,
            })
        })
    }
}

fn non_empty(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The language an address gets when none is given: French in Romandy, Italian in Ticino,
/// German elsewhere in Switzerland; the country's language abroad.
fn default_language(
    country: Option<crate::values::CountryCode>,
    postal_code: Option<&str>,
) -> Language {
    match country.map(|c| c.to_string()).as_deref() {
        Some("FR" | "BE" | "LU" | "MC") => Language::Fr,
        Some("IT" | "SM" | "VA") => Language::It,
        Some("CH") => match postal_code.and_then(|c| c.trim().get(..1)) {
            Some("1" | "2") => Language::Fr,
            Some("6") if postal_code.is_some_and(|c| c.trim() >= "6500") => Language::It,
            _ => Language::De,
        },
        Some("DE" | "AT" | "LI") | None => Language::De,
        Some(_) => Language::En,
    }
}

/// A partial change of an address: absent fields stay as they are; for optional fields
/// `null` clears the value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[allow(clippy::option_option)]
pub struct AddressPatch {
    /// New first name line.
    pub name1: Option<String>,
    /// New second name line, or clear.
    #[serde(deserialize_with = "double_option")]
    pub name2: Option<Option<String>>,
    /// New third name line, or clear.
    #[serde(deserialize_with = "double_option")]
    pub name3: Option<Option<String>>,
    /// New legal form, or clear.
    #[serde(deserialize_with = "double_option")]
    pub legal_form: Option<Option<String>>,
    /// New street, or clear.
    #[serde(deserialize_with = "double_option")]
    pub street: Option<Option<String>>,
    /// New extra line, or clear.
    #[serde(deserialize_with = "double_option")]
    pub addition: Option<Option<String>>,
    /// New post-office box, or clear.
    #[serde(deserialize_with = "double_option")]
    pub po_box: Option<Option<String>>,
    /// New postal code, or clear.
    #[serde(deserialize_with = "double_option")]
    pub postal_code: Option<Option<String>>,
    /// New city, or clear.
    #[serde(deserialize_with = "double_option")]
    pub city: Option<Option<String>>,
    /// New country.
    pub country: Option<String>,
    /// New language.
    pub language: Option<String>,
    /// New phone, or clear.
    #[serde(deserialize_with = "double_option")]
    pub phone: Option<Option<String>>,
    /// New e-mail, or clear.
    #[serde(deserialize_with = "double_option")]
    pub email: Option<Option<String>>,
    /// New web site, or clear.
    #[serde(deserialize_with = "double_option")]
    pub website: Option<Option<String>>,
    /// New industry, or clear.
    #[serde(deserialize_with = "double_option")]
    pub industry: Option<Option<String>>,
    /// New classification, or clear.
    #[serde(deserialize_with = "double_option")]
    pub classification: Option<Option<String>>,
    /// New potential, or clear.
    #[serde(deserialize_with = "double_option")]
    pub annual_potential: Option<Option<MoneyInput>>,
    /// New field rep, or clear.
    #[serde(deserialize_with = "double_option")]
    pub field_rep: Option<Option<UserId>>,
    /// New inside rep, or clear.
    #[serde(deserialize_with = "double_option")]
    pub inside_rep: Option<Option<UserId>>,
    /// `active` or `inactive`.
    pub status: Option<String>,
    /// New position as `(latitude, longitude)`, or clear.
    #[serde(deserialize_with = "double_option")]
    pub geo: Option<Option<(f64, f64)>>,
}

/// Distinguishes an absent field (`None`, by `#[serde(default)]`) from an explicit `null`
/// (`Some(None)`).
#[allow(clippy::option_option)]
fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl AddressPatch {
    /// Applies the patch to the raw form of `current`, ready for validation.
    pub fn apply_to(&self, current: &AddressData) -> AddressInput {
        let mut input = AddressInput::from(current);
        fn set<T: Clone>(target: &mut T, value: &Option<T>) {
            if let Some(value) = value {
                *target = value.clone();
            }
        }
        if let Some(name1) = &self.name1 {
            input.name1 = name1.clone();
        }
        set(&mut input.name2, &self.name2);
        set(&mut input.name3, &self.name3);
        set(&mut input.legal_form, &self.legal_form);
        set(&mut input.postal.street, &self.street);
        set(&mut input.postal.addition, &self.addition);
        set(&mut input.postal.po_box, &self.po_box);
        set(&mut input.postal.postal_code, &self.postal_code);
        set(&mut input.postal.city, &self.city);
        if let Some(country) = &self.country {
            input.postal.country = Some(country.clone());
        }
        if let Some(language) = &self.language {
            input.language = Some(language.clone());
        }
        set(&mut input.phone, &self.phone);
        set(&mut input.email, &self.email);
        set(&mut input.website, &self.website);
        set(&mut input.industry, &self.industry);
        set(&mut input.classification, &self.classification);
        set(&mut input.annual_potential, &self.annual_potential);
        set(&mut input.field_rep, &self.field_rep);
        set(&mut input.inside_rep, &self.inside_rep);
        if let Some(status) = &self.status {
            input.status = Some(status.clone());
        }
        if let Some(geo) = &self.geo {
            input.latitude = geo.map(|g| g.0);
            input.longitude = geo.map(|g| g.1);
        }
        input
    }
}

impl From<&AddressData> for AddressInput {
    fn from(d: &AddressData) -> Self {
        AddressInput {
            name1: d.name1.clone(),
            name2: d.name2.clone(),
            name3: d.name3.clone(),
            legal_form: d.legal_form.clone(),
            postal: d.postal.to_input(),
            language: Some(d.language.to_string()),
            phone: d.phone.as_ref().map(|p| p.as_str().to_owned()),
            email: d.email.as_ref().map(|e| e.as_str().to_owned()),
            website: d.website.as_ref().map(|w| w.as_str().to_owned()),
            industry: d.industry.clone(),
            classification: d.classification.map(|c| c.to_string()),
            annual_potential: d.annual_potential.map(|m| MoneyInput {
                amount: m.amount.to_string(),
                currency: Some(m.currency.to_string()),
            }),
            field_rep: d.field_rep,
            inside_rep: d.inside_rep,
            status: Some(d.status.to_string()),
            latitude: d.geo.map(|g| g.latitude()),
            longitude: d.geo.map(|g| g.longitude()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn valid() -> AddressInput {
        AddressInput {
            name1: " Bäckerei  Müller ".into(),
            legal_form: Some("AG".into()),
            postal: PostalAddressInput {
                street: Some("Bahnhofstrasse 12".into()),
                postal_code: Some("8001".into()),
                city: Some("Zürich".into()),
                country: Some("ch".into()),
                ..Default::default()
            },
            phone: Some("044 123 45 67".into()),
            email: Some("info@mueller-beck.ch".into()),
            classification: Some("a".into()),
            annual_potential: Some(MoneyInput {
                amount: "250'000".into(),
                currency: None,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_form_becomes_address_data() {
        let data = valid().validate().unwrap();
        assert_eq!(data.name1, "Bäckerei Müller");
        assert_eq!(data.phone.unwrap().as_str(), "+41441234567");
        assert_eq!(data.language, Language::De);
        assert_eq!(data.classification, Some(Classification::A));
        assert_eq!(data.annual_potential.unwrap().to_string(), "250000.00 CHF");
    }

    #[test]
    fn every_bad_field_is_named_with_its_reason() {
        let mut input = valid();
        input.name1 = "  ".into();
        input.email = Some("info(at)mueller.ch".into());
        input.phone = Some("12".into());
        input.latitude = Some(47.0);
        input.annual_potential = Some(MoneyInput {
            amount: "-5".into(),
            currency: Some("CHF".into()),
        });
        let Err(Error::Invalid(e)) = input.validate() else {
            panic!("must fail")
        };
        for field in [
            "name1",
            "email",
            "phone",
            "longitude",
            "annual_potential.amount",
        ] {
            assert!(e.has(field), "{field} not named in {e}");
        }
    }

    #[test]
    fn language_follows_the_swiss_language_regions() {
        let mut input = valid();
        input.postal.postal_code = Some("1003".into());
        assert_eq!(input.validate().unwrap().language, Language::Fr);
        input.postal.postal_code = Some("6900".into());
        assert_eq!(input.validate().unwrap().language, Language::It);
        input.postal.postal_code = Some("6003".into());
        assert_eq!(input.validate().unwrap().language, Language::De);
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_null_clears() {
        let data = valid().validate().unwrap();
        let patch: AddressPatch =
            serde_json::from_str(r#"{"city": "Winterthur", "postal_code": "8400", "email": null}"#)
                .unwrap();
        let patched = patch.apply_to(&data).validate().unwrap();
        assert_eq!(patched.postal.city.as_deref(), Some("Winterthur"));
        assert_eq!(patched.email, None);
        assert_eq!(patched.phone, data.phone);
        assert_eq!(patched.name1, data.name1);
    }
}
