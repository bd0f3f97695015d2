//! The demo product catalog: the demo ERP's products with names in the four languages, a
//! two-level group hierarchy, new items and a running promotion.

use chrono::{Duration, NaiveDate};
use crm_core::erp::{GroupCode, ListPrice, ProductNumber};
use crm_core::product::{
    CatalogItem, Located, Product, ProductGroup, Promotion, PromotionOffer, Texts,
};
use crm_core::{Currency, Decimal, Language, Result};

use super::erp::PRODUCTS;

/// Names in French, Italian and English of the demo products, by number.
const TRANSLATIONS: &[(&str, &str, &str, &str)] = &[
    (
        "1068120000",
        "Borne de passage DEK 5/5",
        "Morsetto DEK 5/5",
        "Terminal block DEK 5/5",
    ),
    (
        "1068130000",
        "Borne de passage DEK 5/8",
        "Morsetto DEK 5/8",
        "Terminal block DEK 5/8",
    ),
    (
        "2010400000",
        "Terminal de caisse K4",
        "Terminale cassa K4",
        "POS terminal K4",
    ),
    (
        "2010410000",
        "Imprimante de tickets B2",
        "Stampante scontrini B2",
        "Receipt printer B2",
    ),
    (
        "3055000100",
        "Système d'étagères module 100",
        "Scaffalatura modulo 100",
        "Shelving module 100",
    ),
    (
        "3055000200",
        "Tablette d'étagère 100 cm",
        "Ripiano 100 cm",
        "Shelf board 100 cm",
    ),
    (
        "4100000010",
        "Panneau LED 60×60",
        "Pannello LED 60×60",
        "LED panel 60×60",
    ),
    (
        "4100000020",
        "Spot LED 12 W",
        "Faretto LED 12 W",
        "LED spotlight 12 W",
    ),
    (
        "5200000001",
        "Étiquettes 58×40, rouleau",
        "Etichette 58×40, rotolo",
        "Labels 58×40, roll",
    ),
    (
        "5200000002",
        "Papier thermique 80 mm, rouleau",
        "Carta termica 80 mm, rotolo",
        "Thermal paper 80 mm, roll",
    ),
];

/// The groups: code, parent, names in de, fr, it, en.
const GROUPS: &[(&str, Option<&str>, [&str; 4])] = &[
    (
        "ELEKTRO",
        None,
        [
            "Elektrotechnik",
            "Électrotechnique",
            "Elettrotecnica",
            "Electrical",
        ],
    ),
    (
        "LADENBAU",
        None,
        [
            "Ladenbau",
            "Agencement de magasins",
            "Arredamento negozi",
            "Shop fitting",
        ],
    ),
    (
        "VERBRAUCH",
        None,
        [
            "Verbrauchsmaterial",
            "Consommables",
            "Materiale di consumo",
            "Consumables",
        ],
    ),
    (
        "KLEMMEN",
        Some("ELEKTRO"),
        ["Reihenklemmen", "Bornes", "Morsetti", "Terminal blocks"],
    ),
    (
        "LICHT",
        Some("ELEKTRO"),
        ["Beleuchtung", "Éclairage", "Illuminazione", "Lighting"],
    ),
    (
        "KASSEN",
        Some("LADENBAU"),
        [
            "Kassensysteme",
            "Systèmes de caisse",
            "Sistemi cassa",
            "POS systems",
        ],
    ),
    (
        "REGALE",
        Some("LADENBAU"),
        ["Regale", "Étagères", "Scaffali", "Shelving"],
    ),
];

fn texts(names: [&str; 4]) -> Texts {
    let mut t = Texts::default();
    for (language, name) in Language::ALL.into_iter().zip(names) {
        t.set(language, name);
    }
    t
}

fn invalid(e: crm_core::ValueError) -> crm_core::Error {
    e.at("demo catalog")
}

/// The catalog as items to import; `today` places the new items and the promotion.
pub fn catalog(today: NaiveDate) -> Result<Vec<Located>> {
    let mut items = Vec::new();
    for (code, parent, names) in GROUPS {
        items.push(Located {
            item: CatalogItem::Group(ProductGroup {
                code: GroupCode::new(code).map_err(invalid)?,
                parent: parent.map(GroupCode::new).transpose().map_err(invalid)?,
                names: texts(*names),
            }),
            at: format!("group {code}"),
        });
    }
    for (number, name_de, groups, price) in PRODUCTS {
        let number = ProductNumber::new(number).map_err(invalid)?;
        let (fr, it, en) = TRANSLATIONS
            .iter()
            .find(|t| t.0 == number.as_str())
            .map_or((*name_de, *name_de, *name_de), |t| (t.1, t.2, t.3));
        let mut p = Product::new(number.clone(), Language::De, name_de, "PCE");
        p.names = texts([name_de, fr, it, en]);
        p.group = Some(GroupCode::new(groups[0]).map_err(invalid)?);
        p.prices.push(ListPrice {
            product: number.clone(),
            currency: Currency::CHF,
            price: price
                .parse::<Decimal>()
                .map_err(|e| crm_core::Error::invalid("demo catalog", e.to_string()))?,
            price_unit: Decimal::ONE,
            breaks: vec![],
            valid_from: None,
            valid_to: None,
        });
        if number.as_str().starts_with("41") {
            p.new_since = Some(today - Duration::days(20));
        }
        if number.as_str() == "5200000002" {
            p.promotions.push(Promotion {
                label: "Winteraktion".into(),
                from: today - Duration::days(5),
                to: today + Duration::days(25),
                offer: PromotionOffer::Discount {
                    percent: Decimal::from(15),
                },
            });
        }
        items.push(Located {
            item: CatalogItem::Product(Box::new(p)),
            at: format!("product {number}"),
        });
    }
    Ok(items)
}
