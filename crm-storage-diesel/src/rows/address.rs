use chrono::NaiveDateTime;
use crm_core::{
    Address, AddressChange, AddressData, AddressId, AddressNumber, AddressSummary, Classification,
    CountryCode, Currency, Email, GeoPoint, Language, Money, NewAddress, Phone, PostalAddress,
    Stamp, UserId, Version, Website,
};
use diesel::prelude::*;

use super::{parse, stamp, ts};
use crate::fixed;
use crate::schema::{address_words, addresses};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = addresses)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct AddressRow {
    pub id: i64,
    pub number: i64,
    pub kind: String,
    pub name1: String,
    pub name2: Option<String>,
    pub name3: Option<String>,
    pub legal_form: Option<String>,
    pub street: Option<String>,
    pub addition: Option<String>,
    pub po_box: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: String,
    pub language: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub classification: Option<String>,
    pub potential_amount: Option<i64>,
    pub potential_currency: Option<String>,
    pub field_rep_id: Option<i64>,
    pub inside_rep_id: Option<i64>,
    pub status: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub lead_number: Option<i64>,
    pub converted_at: Option<NaiveDateTime>,
    pub converted_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
    pub version: i64,
}

/// The columns an address list shows.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = addresses)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct SummaryRow {
    pub id: i64,
    pub number: i64,
    pub kind: String,
    pub name1: String,
    pub name2: Option<String>,
    pub name3: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: String,
    pub status: String,
    pub classification: Option<String>,
    pub field_rep_id: Option<i64>,
    pub inside_rep_id: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Content columns, written on insert and on every update (search keys included).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = addresses)]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
pub(crate) struct AddressContentRow {
    pub number: i64,
    pub kind: &'static str,
    pub name1: String,
    pub name2: Option<String>,
    pub name3: Option<String>,
    pub legal_form: Option<String>,
    pub street: Option<String>,
    pub addition: Option<String>,
    pub po_box: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: String,
    pub language: &'static str,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub classification: Option<&'static str>,
    pub potential_amount: Option<i64>,
    pub potential_currency: Option<String>,
    pub field_rep_id: Option<i64>,
    pub inside_rep_id: Option<i64>,
    pub status: &'static str,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub lead_number: Option<i64>,
    pub converted_at: Option<NaiveDateTime>,
    pub converted_by: Option<i64>,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
    pub name_key: String,
    pub city_key: Option<String>,
    pub street_key: Option<String>,
    pub email_domain: Option<String>,
    pub industry_key: Option<String>,
}

/// A new address: its content plus creation stamp and first version.
#[derive(Debug, Insertable)]
#[diesel(table_name = addresses)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct NewAddressRow {
    #[diesel(embed)]
    pub content: AddressContentRow,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub version: i64,
}

impl AddressContentRow {
    pub(crate) fn new(
        number: AddressNumber,
        kind: crm_core::AddressKind,
        data: &AddressData,
        lead_number: Option<AddressNumber>,
        converted: Option<Stamp>,
        updated: Stamp,
    ) -> crm_core::Result<Self> {
        let keys = data.search_keys();
        let (potential_amount, potential_currency) = match data.annual_potential {
            Some(m) => (
                Some(fixed::to_fixed(m.amount, "annual_potential.amount")?),
                Some(m.currency.code().to_owned()),
            ),
            None => (None, None),
        };
        Ok(AddressContentRow {
            number: number.0,
            kind: kind.as_str(),
            name1: data.name1.clone(),
            name2: data.name2.clone(),
            name3: data.name3.clone(),
            legal_form: data.legal_form.clone(),
            street: data.postal.street.clone(),
            addition: data.postal.addition.clone(),
            po_box: data.postal.po_box.clone(),
            postal_code: data.postal.postal_code.clone(),
            city: data.postal.city.clone(),
            country: data.postal.country.to_string(),
            language: data.language.as_str(),
            phone: data.phone.as_ref().map(|p| p.as_str().to_owned()),
            email: data.email.as_ref().map(|e| e.as_str().to_owned()),
            website: data.website.as_ref().map(|w| w.as_str().to_owned()),
            industry: data.industry.clone(),
            classification: data.classification.map(Classification::as_str),
            potential_amount,
            potential_currency,
            field_rep_id: data.field_rep.map(|u| u.0),
            inside_rep_id: data.inside_rep.map(|u| u.0),
            status: data.status.as_str(),
            latitude: data.geo.map(|g| g.latitude()),
            longitude: data.geo.map(|g| g.longitude()),
            lead_number: lead_number.map(|n| n.0),
            converted_at: converted.map(|s| ts(s.at)),
            converted_by: converted.map(|s| s.by.0),
            updated_at: ts(updated.at),
            updated_by: updated.by.0,
            name_key: keys.name_key,
            city_key: keys.city_key,
            street_key: keys.street_key,
            email_domain: keys.email_domain,
            industry_key: keys.industry_key,
        })
    }
}

impl NewAddressRow {
    pub(crate) fn new(new: &NewAddress) -> crm_core::Result<Self> {
        Ok(NewAddressRow {
            content: AddressContentRow::new(
                new.number,
                new.kind,
                &new.data,
                None,
                None,
                new.created,
            )?,
            created_at: ts(new.created.at),
            created_by: new.created.by.0,
            version: Version::FIRST.0,
        })
    }
}

pub(crate) fn change_row(change: &AddressChange) -> crm_core::Result<AddressContentRow> {
    AddressContentRow::new(
        change.number,
        change.kind,
        &change.data,
        change.lead_number,
        change.converted,
        change.updated,
    )
}

const T: &str = "addresses";

impl AddressRow {
    pub(crate) fn into_domain(self) -> crm_core::Result<Address> {
        let id = self.id;
        let country = parse(T, id, "country", CountryCode::new(&self.country))?;
        let postal = PostalAddress {
            street: self.street,
            addition: self.addition,
            po_box: self.po_box,
            postal_code: self.postal_code,
            city: self.city,
            country,
        };
        let annual_potential = match (self.potential_amount, self.potential_currency) {
            (Some(amount), Some(currency)) => Some(Money::new(
                fixed::from_fixed(amount),
                parse(T, id, "potential_currency", Currency::new(&currency))?,
            )),
            _ => None,
        };
        let geo = match (self.latitude, self.longitude) {
            (Some(lat), Some(lon)) => Some(parse(T, id, "latitude", GeoPoint::new(lat, lon))?),
            _ => None,
        };
        let data = AddressData {
            name1: self.name1,
            name2: self.name2,
            name3: self.name3,
            legal_form: self.legal_form,
            postal,
            language: parse(T, id, "language", Language::new(&self.language))?,
            phone: self
                .phone
                .map(|p| parse(T, id, "phone", Phone::parse(&p, country)))
                .transpose()?,
            email: self
                .email
                .map(|e| parse(T, id, "email", Email::parse(&e)))
                .transpose()?,
            website: self
                .website
                .map(|w| parse(T, id, "website", Website::parse(&w)))
                .transpose()?,
            industry: self.industry,
            classification: self
                .classification
                .map(|c| parse(T, id, "classification", c.parse()))
                .transpose()?,
            annual_potential,
            field_rep: self.field_rep_id.map(UserId),
            inside_rep: self.inside_rep_id.map(UserId),
            status: parse(T, id, "status", self.status.parse())?,
            geo,
        };
        Ok(Address {
            id: AddressId(id),
            number: AddressNumber(self.number),
            kind: parse(T, id, "kind", self.kind.parse())?,
            data,
            lead_number: self.lead_number.map(AddressNumber),
            converted: self
                .converted_at
                .zip(self.converted_by)
                .map(|(at, by)| stamp(at, by)),
            created: stamp(self.created_at, self.created_by),
            updated: stamp(self.updated_at, self.updated_by),
            version: Version(self.version),
        })
    }
}

impl SummaryRow {
    pub(crate) fn into_domain(self) -> crm_core::Result<AddressSummary> {
        let id = self.id;
        let country = parse(T, id, "country", CountryCode::new(&self.country))?;
        let name =
            crm_core::address::join_name(&self.name1, self.name2.as_deref(), self.name3.as_deref());
        Ok(AddressSummary {
            id: AddressId(id),
            number: AddressNumber(self.number),
            kind: parse(T, id, "kind", self.kind.parse())?,
            name,
            postal_code: self.postal_code,
            city: self.city,
            country,
            status: parse(T, id, "status", self.status.parse())?,
            classification: self
                .classification
                .map(|c| parse(T, id, "classification", c.parse()))
                .transpose()?,
            field_rep: self.field_rep_id.map(UserId),
            inside_rep: self.inside_rep_id.map(UserId),
            phone: self
                .phone
                .map(|p| parse(T, id, "phone", Phone::parse(&p, country)))
                .transpose()?,
            email: self
                .email
                .map(|e| parse(T, id, "email", Email::parse(&e)))
                .transpose()?,
        })
    }
}

/// The columns an address's derived rows (name index, calendar attendance) come from.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = addresses)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct IndexedRow {
    pub number: i64,
    pub name1: String,
    pub name2: Option<String>,
    pub name3: Option<String>,
    pub city: Option<String>,
    pub status: String,
    pub field_rep_id: Option<i64>,
    pub inside_rep_id: Option<i64>,
}

/// One entry of the name index.
#[derive(Debug, Insertable)]
#[diesel(table_name = address_words)]
pub(crate) struct WordRow {
    pub word: String,
    pub city_key: String,
    pub address_id: i64,
    pub name_key: String,
    pub status: &'static str,
}
