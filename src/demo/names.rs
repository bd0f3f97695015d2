//! Words for believable Swiss company and person names, by language region.

use crm_core::Language;

/// A trade: the word in the company name and the industry it stands for.
pub(crate) struct Trade {
    pub word: &'static str,
    pub industry: &'static str,
}

const fn t(word: &'static str, industry: &'static str) -> Trade {
    Trade { word, industry }
}

#[rustfmt::skip]
const TRADES_DE: &[Trade] = &[
    t("Bäckerei", "Bäckerei"), t("Metzgerei", "Metzgerei"), t("Schreinerei", "Schreinerei"),
    t("Elektro", "Elektroinstallation"), t("Sanitär", "Sanitär und Heizung"), t("Malerei", "Malergewerbe"),
    t("Gartenbau", "Gartenbau"), t("Garage", "Autogewerbe"), t("Druckerei", "Druckerei"),
    t("Apotheke", "Apotheke"), t("Treuhand", "Treuhand"), t("Holzbau", "Holzbau"),
    t("Metallbau", "Metallbau"), t("Spenglerei", "Spenglerei"), t("Bauunternehmung", "Bauhauptgewerbe"),
    t("Ingenieurbüro", "Ingenieurwesen"), t("Architekturbüro", "Architektur"), t("Transporte", "Transport"),
    t("Reinigung", "Gebäudereinigung"), t("Informatik", "Informatik"), t("Haustechnik", "Haustechnik"),
    t("Optik", "Augenoptik"), t("Confiserie", "Confiserie"), t("Käserei", "Käserei"),
    t("Weinhandlung", "Weinhandel"), t("Möbel", "Möbelhandel"), t("Küchenbau", "Küchenbau"),
    t("Bodenbeläge", "Bodenbeläge"), t("Dachdeckerei", "Bedachungen"), t("Plattenleger", "Plattenbeläge"),
    t("Zimmerei", "Holzbau"), t("Velo", "Zweiradhandel"), t("Landmaschinen", "Landtechnik"),
    t("Hotel", "Hotellerie"), t("Restaurant", "Gastronomie"), t("Elektronik", "Elektronik"),
    t("Kunststofftechnik", "Kunststoffverarbeitung"), t("Präzisionsmechanik", "Maschinenbau"),
];

#[rustfmt::skip]
const TRADES_FR: &[Trade] = &[
    t("Boulangerie", "Boulangerie"), t("Boucherie", "Boucherie"), t("Menuiserie", "Menuiserie"),
    t("Électricité", "Installations électriques"), t("Sanitaire", "Sanitaire et chauffage"),
    t("Peinture", "Peinture"), t("Paysagiste", "Paysagisme"), t("Garage", "Automobile"),
    t("Imprimerie", "Imprimerie"), t("Pharmacie", "Pharmacie"), t("Fiduciaire", "Fiduciaire"),
    t("Charpente", "Charpenterie"), t("Serrurerie", "Serrurerie"), t("Transports", "Transport"),
    t("Nettoyage", "Nettoyage"), t("Informatique", "Informatique"), t("Optique", "Optique"),
    t("Confiserie", "Confiserie"), t("Fromagerie", "Fromagerie"), t("Cave", "Viticulture"),
    t("Meubles", "Ameublement"), t("Carrosserie", "Carrosserie"), t("Hôtel", "Hôtellerie"),
    t("Restaurant", "Restauration"), t("Horlogerie", "Horlogerie"), t("Mécanique", "Mécanique de précision"),
];

#[rustfmt::skip]
const TRADES_IT: &[Trade] = &[
    t("Panetteria", "Panetteria"), t("Macelleria", "Macelleria"), t("Falegnameria", "Falegnameria"),
    t("Elettricità", "Impianti elettrici"), t("Sanitari", "Sanitari e riscaldamento"),
    t("Pittura", "Pittura"), t("Giardinaggio", "Giardinaggio"), t("Autorimessa", "Automobili"),
    t("Tipografia", "Tipografia"), t("Farmacia", "Farmacia"), t("Fiduciaria", "Fiduciaria"),
    t("Trasporti", "Trasporti"), t("Informatica", "Informatica"), t("Ottica", "Ottica"),
    t("Pasticceria", "Pasticceria"), t("Caseificio", "Caseificio"), t("Albergo", "Albergheria"),
    t("Ristorante", "Ristorazione"), t("Edilizia", "Edilizia"), t("Vini", "Commercio vini"),
];

#[rustfmt::skip]
const SURNAMES_DE: &[&str] = &[
    "Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Schneider", "Meyer", "Steiner",
    "Fischer", "Gerber", "Brunner", "Baumann", "Frei", "Zimmermann", "Moser", "Widmer", "Wyss",
    "Graf", "Roth", "Suter", "Baumgartner", "Bachmann", "Studer", "Bühler", "Kaufmann", "Hofer",
    "Berger", "Lüthi", "Bucher", "Marti", "Kälin", "Egli", "Kunz", "Bieri", "Koch", "Schürch",
    "Zürcher", "Ammann", "Hess", "Frey", "Sutter", "Wenger", "Vogel", "Gut", "Stucki", "Hug",
    "Furrer", "Schuler", "Häfliger", "Rüegg", "Lehmann", "Zaugg", "Aebi", "Grob", "Imhof",
    "Bolliger", "Schär", "Burri", "Käser", "Wälti", "Jäggi", "Flückiger", "Nussbaum", "Tanner",
    "Siegrist", "Blaser", "Kohler", "Ruch", "Zollinger", "Arnold", "Schwarz", "Walther", "Stalder",
    "Bosshard", "Zwahlen", "Hürlimann", "Gasser", "Rüfenacht", "Lanz", "Fankhauser", "Schaller",
    "Amstutz", "Odermatt", "Christen", "Aeschlimann", "Scherrer", "Dubach", "Gisler", "Herzog",
    "Hauser", "Kuhn", "Maurer", "Wirth", "Knecht", "Beck", "Ott", "Sommer", "Brändli", "Eichenberger",
    "Gehrig", "Germann", "Götz", "Haller", "Heiniger", "Hofmann", "Iseli", "Jost", "Kessler",
    "Kobel", "Küng", "Leuenberger", "Lüscher", "Mathys", "Mäder", "Mosimann", "Nyffenegger",
    "Oppliger", "Pfister", "Reber", "Rohner", "Rufer", "Schenk", "Schläpfer", "Sigrist", "Spörri",
    "Stähli", "Stauffer", "Stöckli", "Thalmann", "Trachsel", "Ulrich", "Vetsch", "Vögeli",
    "Wüthrich", "Zbinden", "Zeller", "Ziegler", "Zuber", "Bärtschi", "Bösch", "Bührer",
];

#[rustfmt::skip]
const SURNAMES_FR: &[&str] = &[
    "Favre", "Rochat", "Bonvin", "Jaquet", "Perrin", "Dubois", "Morel", "Girard", "Python",
    "Chevalley", "Cuendet", "Pittet", "Rey", "Mottier", "Ducommun", "Vuilleumier", "Monnier",
    "Gaillard", "Fontaine", "Bovet", "Berset", "Rossier", "Clément", "Carron", "Dumoulin", "Roulin",
    "Blanc", "Fournier", "Mercier", "Lambert", "Bonnard", "Rapin", "Pasche", "Corboz", "Jotterand",
    "Chappuis", "Cretton", "Delacrétaz", "Genoud", "Métral", "Nicolet", "Oberson", "Savary",
    "Sauthier", "Theytaz", "Vouilloz", "Zufferey", "Aubert", "Bagnoud", "Barras", "Besson",
    "Borel", "Bourquin", "Cachin", "Chatelain", "Collaud", "Currat", "Dupraz", "Évéquoz", "Fragnière",
    "Gay", "Gremaud", "Guignard", "Jaccard", "Jeanneret", "Maillard", "Michaud", "Pellet", "Rappaz",
    "Reymond", "Richoz", "Robert", "Tinguely", "Vauthey", "Vial", "Zbären",
];

#[rustfmt::skip]
const SURNAMES_IT: &[&str] = &[
    "Bernasconi", "Rossi", "Ferrari", "Bianchi", "Galli", "Lombardi", "Fontana", "Pedrazzini",
    "Beretta", "Cattaneo", "Colombo", "Gianella", "Guidotti", "Lurati", "Mazzoleni", "Polli",
    "Quadri", "Rusconi", "Soldati", "Togni", "Valsecchi", "Zanetti", "Balestra", "Bottani",
    "Crivelli", "Donati", "Foletti", "Gendotti", "Induni", "Lepori", "Martinoli", "Nessi",
    "Pagani", "Rezzonico", "Sala", "Tamò", "Vanoni", "Zappa", "Bizzini", "Cereghetti",
];

#[rustfmt::skip]
const FIRST_DE: &[(&str, bool)] = &[
    ("Hans", true), ("Peter", true), ("Thomas", true), ("Daniel", true), ("Martin", true),
    ("Andreas", true), ("Markus", true), ("Stefan", true), ("Christian", true), ("Urs", true),
    ("Beat", true), ("Reto", true), ("Lukas", true), ("Simon", true), ("Jürg", true),
    ("Anna", false), ("Maria", false), ("Ursula", false), ("Sandra", false), ("Monika", false),
    ("Barbara", false), ("Claudia", false), ("Nicole", false), ("Daniela", false), ("Sarah", false),
    ("Laura", false), ("Lea", false), ("Ruth", false), ("Verena", false), ("Esther", false),
];

#[rustfmt::skip]
const FIRST_FR: &[(&str, bool)] = &[
    ("Jean", true), ("Pierre", true), ("Michel", true), ("Philippe", true), ("Alain", true),
    ("Nicolas", true), ("Olivier", true), ("Christophe", true), ("Julien", true), ("François", true),
    ("Marie", false), ("Nathalie", false), ("Isabelle", false), ("Sophie", false), ("Catherine", false),
    ("Sylvie", false), ("Valérie", false), ("Céline", false), ("Émilie", false), ("Chloé", false),
];

#[rustfmt::skip]
const FIRST_IT: &[(&str, bool)] = &[
    ("Marco", true), ("Luca", true), ("Giovanni", true), ("Paolo", true), ("Andrea", true),
    ("Stefano", true), ("Giuseppe", true), ("Davide", true), ("Francesca", false), ("Chiara", false),
    ("Giulia", false), ("Elena", false), ("Sara", false), ("Paola", false), ("Silvia", false),
];

#[rustfmt::skip]
const STREETS_DE: &[&str] = &[
    "Bahnhofstrasse", "Hauptstrasse", "Dorfstrasse", "Industriestrasse", "Seestrasse", "Kirchweg",
    "Schulstrasse", "Gewerbestrasse", "Poststrasse", "Rosenweg", "Lindenstrasse", "Birkenweg",
    "Feldstrasse", "Bergstrasse", "Mühlestrasse", "Zürcherstrasse", "Bernstrasse", "Gartenstrasse",
    "Werkstrasse", "Allmendstrasse",
];

#[rustfmt::skip]
const STREETS_FR: &[&str] = &[
    "Rue de la Gare", "Rue du Lac", "Avenue de la Gare", "Route de Lausanne", "Chemin des Vignes",
    "Grand-Rue", "Rue du Centre", "Route Cantonale", "Chemin du Moulin", "Rue de l'Industrie",
    "Avenue du Général-Guisan", "Rue des Alpes",
];

#[rustfmt::skip]
const STREETS_IT: &[&str] = &[
    "Via Cantonale", "Via San Gottardo", "Via Nassa", "Via Stazione", "Via Lugano", "Via Industria",
    "Via ai Monti", "Via Campagna", "Piazza Grande", "Via Vela",
];

/// Words of one language region.
pub(crate) struct Region {
    pub trades: &'static [Trade],
    pub surnames: &'static [&'static str],
    pub first_names: &'static [(&'static str, bool)],
    pub streets: &'static [&'static str],
    pub legal_forms: &'static [&'static str],
    pub functions: &'static [&'static str],
    pub notes: &'static [&'static str],
}

/// The words of `language`'s region (English falls back to German).
pub(crate) fn region(language: Language) -> &'static Region {
    match language {
        Language::Fr => &FR,
        Language::It => &IT,
        Language::De | Language::En => &DE,
    }
}

static DE: Region = Region {
    trades: TRADES_DE,
    surnames: SURNAMES_DE,
    first_names: FIRST_DE,
    streets: STREETS_DE,
    legal_forms: &["AG", "AG", "GmbH", "GmbH", "GmbH", "& Co.", "Söhne AG"],
    functions: &[
        "Geschäftsleitung",
        "Einkauf",
        "Technik",
        "Buchhaltung",
        "Projektleitung",
        "Verkaufsleitung",
        "Disposition",
    ],
    notes: &[
        "Besuch: Interesse am neuen Sortiment, Offerte bis Ende Monat.",
        "Telefon: wünscht Rückruf nächste Woche wegen Lieferterminen.",
        "Zahlt zuverlässig, bevorzugt Lieferung am Vormittag.",
        "Messekontakt, Katalog zugeschickt.",
        "Reklamation zur letzten Lieferung erledigt, Kunde zufrieden.",
        "Jahresgespräch geführt: Budget für nächstes Jahr leicht höher.",
    ],
};

static FR: Region = Region {
    trades: TRADES_FR,
    surnames: SURNAMES_FR,
    first_names: FIRST_FR,
    streets: STREETS_FR,
    legal_forms: &["SA", "SA", "Sàrl", "Sàrl", "& Fils SA", "& Cie"],
    functions: &[
        "Direction",
        "Achats",
        "Service technique",
        "Comptabilité",
        "Gestion de projet",
    ],
    notes: &[
        "Visite : intéressé par la nouvelle gamme, offre d'ici la fin du mois.",
        "Appel : souhaite être rappelé la semaine prochaine pour les délais.",
        "Paie ponctuellement, préfère les livraisons le matin.",
        "Contact du salon, catalogue envoyé.",
    ],
};

static IT: Region = Region {
    trades: TRADES_IT,
    surnames: SURNAMES_IT,
    first_names: FIRST_IT,
    streets: STREETS_IT,
    legal_forms: &["SA", "SA", "Sagl", "Sagl", "& Figli SA"],
    functions: &["Direzione", "Acquisti", "Ufficio tecnico", "Contabilità"],
    notes: &[
        "Visita: interessato al nuovo assortimento, offerta entro fine mese.",
        "Telefonata: richiamare la settimana prossima per i termini di consegna.",
        "Paga puntualmente, preferisce consegne al mattino.",
    ],
};
