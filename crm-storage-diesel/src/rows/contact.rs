use chrono::NaiveDateTime;
use crm_core::{
    AddressId, Contact, ContactData, ContactId, CountryCode, Email, Language, NewContact, Phone,
    Salutation, Stamp, Version,
};
use diesel::prelude::*;

use super::{parse, stamp, ts};
use crate::schema::contacts;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = contacts)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct ContactRow {
    pub id: i64,
    pub address_id: i64,
    pub salutation: Option<String>,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: String,
    pub function: Option<String>,
    pub department: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub language: String,
    pub is_primary: bool,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
    pub version: i64,
}

/// The editable columns of a contact.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = contacts)]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
pub(crate) struct ContactContentRow {
    pub salutation: Option<&'static str>,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: String,
    pub function: Option<String>,
    pub department: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub language: &'static str,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = contacts)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct NewContactRow {
    pub address_id: i64,
    #[diesel(embed)]
    pub content: ContactContentRow,
    pub is_primary: bool,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub version: i64,
}

impl ContactContentRow {
    pub(crate) fn new(data: &ContactData, updated: Stamp) -> Self {
        ContactContentRow {
            salutation: data.salutation.map(Salutation::as_str),
            title: data.title.clone(),
            first_name: data.first_name.clone(),
            last_name: data.last_name.clone(),
            function: data.function.clone(),
            department: data.department.clone(),
            phone: data.phone.as_ref().map(|p| p.as_str().to_owned()),
            mobile: data.mobile.as_ref().map(|p| p.as_str().to_owned()),
            email: data.email.as_ref().map(|e| e.as_str().to_owned()),
            language: data.language.as_str(),
            updated_at: ts(updated.at),
            updated_by: updated.by.0,
        }
    }
}

impl NewContactRow {
    pub(crate) fn new(new: &NewContact) -> Self {
        NewContactRow {
            address_id: new.address_id.0,
            content: ContactContentRow::new(&new.data, new.created),
            is_primary: new.primary,
            active: true,
            created_at: ts(new.created.at),
            created_by: new.created.by.0,
            version: Version::FIRST.0,
        }
    }
}

const T: &str = "contacts";

impl ContactRow {
    pub(crate) fn into_domain(self) -> crm_core::Result<Contact> {
        let id = self.id;
        // Stored numbers are E.164 and carry their country code; the country is not used.
        let phone = |raw: Option<String>, column: &str| {
            raw.map(|p| parse(T, id, column, Phone::parse(&p, CountryCode::CH)))
                .transpose()
        };
        Ok(Contact {
            id: ContactId(id),
            address_id: AddressId(self.address_id),
            data: ContactData {
                salutation: self
                    .salutation
                    .map(|s| parse(T, id, "salutation", Salutation::new(&s)))
                    .transpose()?,
                title: self.title,
                first_name: self.first_name,
                last_name: self.last_name,
                function: self.function,
                department: self.department,
                phone: phone(self.phone, "phone")?,
                mobile: phone(self.mobile, "mobile")?,
                email: self
                    .email
                    .map(|e| parse(T, id, "email", Email::parse(&e)))
                    .transpose()?,
                language: parse(T, id, "language", Language::new(&self.language))?,
            },
            primary: self.is_primary,
            active: self.active,
            created: stamp(self.created_at, self.created_by),
            updated: stamp(self.updated_at, self.updated_by),
            version: Version(self.version),
        })
    }
}
