//! Believable demo data for a Swiss wholesaler: users, and addresses with contacts and notes
//! in German, French and Italian, at real Swiss places. Deterministic: the same seed gives the
//! same data on every machine, so examples and benchmarks are reproducible.
//!
//! ```no_run
//! use crm::{Crm, Settings, demo};
//! let crm = Crm::open(Settings::default())?;
//! let report = demo::seed(&crm, 300)?;
//! println!("{} addresses", report.addresses);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod calendar;
mod catalog;
mod deals;
mod erp;
mod names;
mod places;

pub use catalog::catalog;
use crm_core::{
    Actor, AddressCriteria, AddressInput, AddressKind, ContactInput, ImportRow, Language,
    MoneyInput, PageRequest, PostalAddressInput, Role, User, UserId,
};
pub use erp::{ErpCustomer, PRODUCTS};
pub use places::{PLACES, Place};

use crate::Crm;

/// A small deterministic random generator (SplitMix64): fast, and stable across versions
/// and platforms, unlike a general-purpose RNG crate's default.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    /// A random element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The demo administrator (user 1), who seeds and imports.
pub fn admin() -> Actor {
    Actor::new(UserId(1), "Admin", vec![Role::Admin])
}

/// The demo sales manager (user 2).
pub fn manager() -> Actor {
    Actor::new(UserId(2), "Monika Graf", vec![Role::SalesManager])
}

/// The first demo field rep, Anna Meier (user 101), who works German-speaking customers.
pub fn field_rep() -> Actor {
    Actor::new(UserId(101), "Anna Meier", vec![Role::FieldSales])
}

/// The first demo inside rep, Daniela Keller (user 5001).
pub fn inside_rep() -> Actor {
    Actor::new(UserId(5001), "Daniela Keller", vec![Role::InsideSales])
}

const NAMED_FIELD: &[(&str, &str, Language)] = &[
    ("ameier", "Anna Meier", Language::De),
    ("sfavre", "Sophie Favre", Language::Fr),
    ("lbernasconi", "Luca Bernasconi", Language::It),
    ("rbrunner", "Reto Brunner", Language::De),
];
const NAMED_INSIDE: &[(&str, &str, Language)] = &[
    ("dkeller", "Daniela Keller", Language::De),
    ("jrochat", "Julien Rochat", Language::Fr),
    ("spolli", "Sara Polli", Language::It),
];

/// The users of the demo company: an administrator, a sales manager, `field` field reps
/// (ids from 101) and `inside` inside reps (ids from 5001). The first ones have names; more
/// are numbered.
pub fn staff(field: usize, inside: usize) -> Vec<User> {
    let user = |id: i64, login: String, name: String, role: Role| User {
        id: UserId(id),
        email: crm_core::Email::parse(&format!("{login}@grosshandel-demo.ch")).ok(),
        login,
        display_name: name,
        roles: vec![role],
        active: true,
    };
    let mut users = vec![
        user(1, "admin".into(), "Admin".into(), Role::Admin),
        user(2, "mgraf".into(), "Monika Graf".into(), Role::SalesManager),
    ];
    for i in 0..field {
        let (login, name) = match NAMED_FIELD.get(i) {
            Some((login, name, _)) => ((*login).to_owned(), (*name).to_owned()),
            None => (format!("field{i:04}"), format!("Field Rep {i:04}")),
        };
        users.push(user(101 + i as i64, login, name, Role::FieldSales));
    }
    for i in 0..inside {
        let (login, name) = match NAMED_INSIDE.get(i) {
            Some((login, name, _)) => ((*login).to_owned(), (*name).to_owned()),
            None => (format!("inside{i:04}"), format!("Inside Rep {i:04}")),
        };
        users.push(user(5001 + i as i64, login, name, Role::InsideSales));
    }
    users
}

/// The language region a rep works in: the named reps as listed, numbered ones in turn.
fn rep_language(i: usize, named: &[(&str, &str, Language)]) -> Language {
    named
        .get(i)
        .map(|(_, _, l)| *l)
        .unwrap_or([Language::De, Language::Fr, Language::De, Language::It][i % 4])
}

/// Generates address rows for [`crate::AddressService::import`], deterministically.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: Rng,
    field: Vec<(UserId, Language)>,
    inside: Vec<(UserId, Language)>,
}

impl Generator {
    /// A generator for `field` field reps and `inside` inside reps as [`staff`] creates them.
    pub fn new(seed: u64, field: usize, inside: usize) -> Self {
        Generator {
            rng: Rng::new(seed),
            field: (0..field)
                .map(|i| (UserId(101 + i as i64), rep_language(i, NAMED_FIELD)))
                .collect(),
            inside: (0..inside)
                .map(|i| (UserId(5001 + i as i64), rep_language(i, NAMED_INSIDE)))
                .collect(),
        }
    }

    /// The next `n` rows.
    pub fn batch(&mut self, n: usize) -> Vec<ImportRow> {
        (0..n).map(|_| self.row()).collect()
    }

    fn rep(&mut self, reps: &[(UserId, Language)], language: Language) -> Option<UserId> {
        if reps.is_empty() {
            return None;
        }
        let matching: Vec<UserId> = reps
            .iter()
            .filter(|(_, l)| *l == language)
            .map(|(id, _)| *id)
            .collect();
        if matching.is_empty() {
            Some(self.rng.pick(reps).0)
        } else {
            Some(*self.rng.pick(&matching))
        }
    }

    /// One address with contacts and notes.
    pub fn row(&mut self) -> ImportRow {
        let place = *self.rng.pick(PLACES);
        let region = names::region(place.language);
        let kind = if self.rng.chance(20) {
            AddressKind::Lead
        } else {
            AddressKind::Customer
        };
        let customer = kind == AddressKind::Customer;
        let trade = self.rng.pick(region.trades);
        let surname = *self.rng.pick(region.surnames);
        let (name1, name2) = match self.rng.below(10) {
            0..=3 => (format!("{} {surname}", trade.word), None),
            4..=5 => (format!("{surname} {}", trade.word), None),
            6 => {
                let other = *self.rng.pick(region.surnames);
                (format!("{surname} & {other}"), Some(trade.word.to_owned()))
            }
            7 => (format!("{} {}", trade.word, place.city), None),
            _ => {
                let (first, _) = *self.rng.pick(region.first_names);
                (format!("{first} {surname}"), Some(trade.word.to_owned()))
            }
        };
        let legal_form = self
            .rng
            .chance(70)
            .then(|| (*self.rng.pick(region.legal_forms)).to_owned());
        let slug = slug(&name1);
        let street = (customer || self.rng.chance(80)).then(|| {
            format!(
                "{} {}",
                self.rng.pick(region.streets),
                1 + self.rng.below(120)
            )
        });
        let phone = self.rng.chance(if customer { 90 } else { 60 }).then(|| {
            format!(
                "{} {:03} {:02} {:02}",
                place.area,
                200 + self.rng.below(800),
                self.rng.below(100),
                self.rng.below(100)
            )
        });
        let email = match self.rng.below(10) {
            0..=6 => Some(format!("info@{slug}.ch")),
            7 => Some(format!("{}@bluewin.ch", slug.replace('-', "."))),
            _ => None,
        };
        let website = self.rng.chance(50).then(|| format!("www.{slug}.ch"));
        let classification = customer.then(|| {
            match self.rng.below(10) {
                0 => "A",
                1..=3 => "B",
                _ => "C",
            }
            .to_owned()
        });
        let annual_potential = self.rng.chance(50).then(|| MoneyInput {
            amount: ((5 + self.rng.below(495)) * 1000).to_string(),
            currency: Some("CHF".into()),
        });
        let jitter = |rng: &mut Rng| (rng.below(2001) as f64 - 1000.0) / 100_000.0;
        let latitude = Some(place.lat + jitter(&mut self.rng));
        let longitude = Some(place.lon + jitter(&mut self.rng));
        let field_rep = self.rep(&self.field.clone(), place.language);
        let inside_rep = self.rep(&self.inside.clone(), place.language);
        let contact_count = if customer {
            1 + self.rng.below(4)
        } else {
            self.rng.below(2)
        };
        let contacts = (0..contact_count)
            .map(|_| self.contact(region, &slug))
            .collect();
        let note_count = if customer {
            self.rng.below(3)
        } else {
            self.rng.below(2)
        };
        // Distinct notes: the same remark twice on one address would look like a bug.
        let first = self.rng.below(region.notes.len());
        let notes = (0..note_count)
            .map(|i| region.notes[(first + i) % region.notes.len()].to_owned())
            .collect();
        ImportRow {
            number: None,
            kind,
            address: AddressInput {
                name1,
                name2,
                legal_form,
                postal: PostalAddressInput {
                    street,
                    postal_code: Some(place.postal_code.to_owned()),
                    city: Some(place.city.to_owned()),
                    country: Some("CH".into()),
                    ..Default::default()
                },
                language: Some(place.language.to_string()),
                phone,
                email,
                website,
                industry: Some(trade.industry.to_owned()),
                classification,
                annual_potential,
                field_rep,
                inside_rep,
                latitude,
                longitude,
                ..Default::default()
            },
            contacts,
            notes,
        }
    }

    fn contact(&mut self, region: &names::Region, slug: &str) -> ContactInput {
        let (first, male) = *self.rng.pick(region.first_names);
        let last = *self.rng.pick(region.surnames);
        let local = crm_core::text::fold_strip(&format!("{first}.{last}")).replace(' ', "");
        ContactInput {
            salutation: Some(if male { "mr" } else { "ms" }.into()),
            title: self.rng.chance(5).then(|| "Dr.".to_owned()),
            first_name: Some(first.to_owned()),
            last_name: last.to_owned(),
            function: Some((*self.rng.pick(region.functions)).to_owned()),
            phone: None,
            mobile: self.rng.chance(60).then(|| {
                format!(
                    "07{} {:03} {:02} {:02}",
                    [6, 7, 8, 9][self.rng.below(4)],
                    self.rng.below(1000),
                    self.rng.below(100),
                    self.rng.below(100)
                )
            }),
            email: self.rng.chance(70).then(|| format!("{local}@{slug}.ch")),
            ..Default::default()
        }
    }
}

/// A host name part from a company name: folded, letters and digits, words joined by `-`.
fn slug(name: &str) -> String {
    crm_core::text::split_words(&crm_core::text::fold_strip(name))
        .take(3)
        .collect::<Vec<_>>()
        .join("-")
}

/// What [`seed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    /// Addresses written now (0 when the database held addresses already).
    pub addresses: u64,
    /// Contacts written now.
    pub contacts: u64,
    /// Notes written now.
    pub notes: u64,
    /// Calendar entries written now.
    pub calendar_entries: u64,
    /// Pools created now.
    pub pools: u64,
    /// Opportunities written now.
    pub opportunities: u64,
    /// Events of the ERP recorded as traces now.
    pub erp_events: u64,
    /// Records of the ERP (documents, order lines, open items, payments, prices,
    /// conditions, revenue lines …) stored in the replica now.
    pub erp_records: u64,
    /// Products of the demo catalog stored now.
    pub products: u64,
    /// Whether the database was seeded before and left as it was.
    pub already_seeded: bool,
}

/// Fills an empty database with the demo company: [`staff`] with 4 field and 3 inside reps,
/// `addresses` generated addresses with contacts and notes, calendar entries around today,
/// opportunities with their selling teams, the ERP's recent orders, invoices and payments
/// as traces and its documents, order lines, open items, prices and conditions in the
/// replica, a public pool (the Basel trade fair) and the first field rep's private pool of
/// key accounts. A database that holds any address is left alone, so running twice changes
/// nothing.
///
/// # Errors
/// Storage failures.
pub fn seed(crm: &Crm, addresses: usize) -> crm_core::Result<SeedReport> {
    seed_at(crm, addresses, chrono::Utc::now().date_naive())
}

/// Like [`seed`], with calendar entries around `anchor` instead of today.
///
/// # Errors
/// Storage failures.
pub fn seed_at(
    crm: &Crm,
    addresses: usize,
    anchor: chrono::NaiveDate,
) -> crm_core::Result<SeedReport> {
    let admin = admin();
    let existing = crm
        .addresses()
        .search(
            &admin,
            &AddressCriteria::everything(),
            PageRequest::first(1),
        )?
        .total;
    crm.users()
        .sync(&staff(NAMED_FIELD.len(), NAMED_INSIDE.len()))?;
    if existing > 0 {
        return Ok(SeedReport {
            addresses: 0,
            contacts: 0,
            notes: 0,
            calendar_entries: 0,
            pools: 0,
            opportunities: 0,
            erp_events: 0,
            erp_records: 0,
            products: 0,
            already_seeded: true,
        });
    }
    let mut generator =
        Generator::new(0x5EED_C0FF_EE00_2026, NAMED_FIELD.len(), NAMED_INSIDE.len());
    let rows = generator.batch(addresses);
    let report = crm.addresses().import(&admin, &rows)?;
    let entries: Vec<crm_core::calendar::EntryInput> = report
        .ids
        .iter()
        .zip(&rows)
        .flat_map(|(id, row)| generator.calendar(*id, row, anchor))
        .collect();
    let calendar_entries = crm.calendar().import(&admin, &entries)? as u64;
    let deals: Vec<_> = report
        .ids
        .iter()
        .zip(&rows)
        .flat_map(|(id, row)| generator.opportunities(*id, row, anchor))
        .collect();
    let opportunities = crm.opportunities().import(&admin, &deals)?.len() as u64;
    let events: Vec<_> = report
        .ids
        .iter()
        .zip(&rows)
        .filter(|(_, row)| row.kind == AddressKind::Customer)
        .flat_map(|(id, _)| {
            let count = generator.rng.below(5);
            generator.erp_events(*id, count, anchor)
        })
        .collect();
    let erp_events = crm.traces().ingest_many(&admin, &events)?.len() as u64;
    let customers = report
        .ids
        .iter()
        .zip(&rows)
        .filter(|(_, row)| row.kind == AddressKind::Customer)
        .map(|(id, row)| {
            Ok(ErpCustomer {
                number: crm.addresses().get(&admin, *id)?.number,
                field_rep: row.address.field_rep,
                inside_rep: row.address.inside_rep,
            })
        })
        .collect::<crm_core::Result<Vec<_>>>()?;
    let mut erp_records = 0;
    for batch in generator.erp_data(&customers, anchor)? {
        erp_records += crm.replica().sync(batch, None)?.report.written as u64;
    }
    let products = crm
        .products()
        .import(&admin, catalog(anchor)?.into_iter().map(Ok))?
        .new as u64;
    let fair = crm.pools().create(
        &manager(),
        &crm_core::PoolInput {
            name: "Messe Basel".into(),
            description: Some("Einladungen zur Fachmesse in Basel".into()),
            visibility: Some("public".into()),
        },
    )?;
    crm.pools().add_search(
        &manager(),
        fair.id,
        &AddressCriteria {
            city: Some("Basel".into()),
            ..Default::default()
        },
    )?;
    let key_accounts = crm.pools().create(
        &field_rep(),
        &crm_core::PoolInput {
            name: "Meine Schlüsselkunden".into(),
            description: Some("A-Kunden für den Besuchsplan".into()),
            visibility: Some("private".into()),
        },
    )?;
    crm.pools().add_search(
        &field_rep(),
        key_accounts.id,
        &AddressCriteria {
            responsible: Some(field_rep().user_id),
            classification: Some(crm_core::Classification::A),
            ..Default::default()
        },
    )?;
    Ok(SeedReport {
        addresses: report.ids.len() as u64,
        contacts: report.contacts,
        notes: report.notes,
        calendar_entries,
        pools: 2,
        opportunities,
        erp_events,
        erp_records,
        products,
        already_seeded: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_valid() {
        let a = Generator::new(7, 4, 3).batch(200);
        let b = Generator::new(7, 4, 3).batch(200);
        assert_eq!(a, b);
        for row in &a {
            let data = row.address.validate().unwrap();
            assert!(data.field_rep.is_some() && data.inside_rep.is_some());
            for c in &row.contacts {
                c.validate(data.postal.country, data.language).unwrap();
            }
        }
        let leads = a.iter().filter(|r| r.kind == AddressKind::Lead).count();
        assert!((20..=60).contains(&leads), "{leads} leads of 200");
    }

    #[test]
    fn generated_calendar_entries_are_valid() {
        let mut generator = Generator::new(3, 4, 3);
        let anchor = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let rows = generator.batch(100);
        let mut kinds = std::collections::HashSet::new();
        let mut total = 0;
        for (i, row) in rows.iter().enumerate() {
            for input in generator.calendar(crm_core::AddressId(i as i64 + 1), row, anchor) {
                let entry = input.validate().unwrap();
                kinds.insert(entry.data.details.kind());
                total += 1;
            }
        }
        assert_eq!(kinds.len(), 3, "all three kinds appear");
        assert!(
            (120..=280).contains(&total),
            "about two per address: {total}"
        );
    }

    #[test]
    fn generated_opportunities_and_erp_events_are_valid() {
        let mut generator = Generator::new(5, 4, 3);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let pipeline = crm_core::opportunity::Pipeline::default();
        let rows = generator.batch(1_000);
        let mut count = 0;
        let mut decided = 0;
        for (i, row) in rows.iter().enumerate() {
            let id = crm_core::AddressId(i as i64 + 1);
            for input in generator.opportunities(id, row, today) {
                let valid = input.validate(&pipeline).unwrap();
                let lead = valid.team.unwrap();
                assert_eq!(lead[0].role, crm_core::opportunity::TeamRole::Lead);
                if valid.data.outcome().is_decided() {
                    decided += 1;
                } else {
                    assert!(valid.data.close_date.unwrap() > today);
                }
                count += 1;
            }
            for event in generator.erp_events(id, 2, today) {
                event.validate().unwrap();
                assert!(event.occurred_at.date_naive() < today);
            }
        }
        assert!(
            (250..=350).contains(&count),
            "about 0.3 per address: {count}"
        );
        assert!(
            decided > 0 && decided < count / 2,
            "{decided} of {count} decided"
        );
    }

    #[test]
    fn places_are_real_swiss_codes() {
        for place in PLACES {
            let code: u32 = place.postal_code.parse().unwrap();
            assert!((1000..=9999).contains(&code), "{}", place.city);
        }
    }
}
