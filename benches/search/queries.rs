//! Generated products and the queries of the search benchmark, deterministic.

use crm::Language;
use crm::demo::Rng;

/// Kinds of product: German (a compound), French, Italian, English.
const KINDS: &[[&str; 4]] = &[
    [
        "Reihenklemme",
        "borne sur rail",
        "morsetto su guida",
        "terminal block",
    ],
    [
        "Schutzleiterklemme",
        "borne de terre",
        "morsetto di terra",
        "earth terminal",
    ],
    [
        "Sechskantschraube",
        "vis hexagonale",
        "vite esagonale",
        "hexagon screw",
    ],
    [
        "Sechskantmutter",
        "écrou hexagonal",
        "dado esagonale",
        "hexagon nut",
    ],
    ["Kabelbinder", "collier de serrage", "fascetta", "cable tie"],
    [
        "Leitungsschutzschalter",
        "disjoncteur",
        "interruttore magnetotermico",
        "circuit breaker",
    ],
    [
        "Steckdosenleiste",
        "multiprise",
        "presa multipla",
        "power strip",
    ],
    [
        "Einbauleuchte",
        "luminaire encastré",
        "lampada da incasso",
        "recessed luminaire",
    ],
    [
        "Koppelrelais",
        "relais de couplage",
        "relè di accoppiamento",
        "coupling relay",
    ],
    [
        "Hutschienennetzteil",
        "alimentation rail DIN",
        "alimentatore guida DIN",
        "DIN rail power supply",
    ],
    [
        "Installationskabel",
        "câble d'installation",
        "cavo di installazione",
        "installation cable",
    ],
    [
        "Drehschalter",
        "interrupteur rotatif",
        "interruttore rotativo",
        "rotary switch",
    ],
    ["Schmelzsicherung", "fusible", "fusibile", "fuse"],
    [
        "Kabelverschraubung",
        "presse-étoupe",
        "pressacavo",
        "cable gland",
    ],
    [
        "Aderendhülse",
        "embout de câblage",
        "capocorda",
        "wire end ferrule",
    ],
    [
        "Überspannungsschutz",
        "parafoudre",
        "scaricatore",
        "surge protector",
    ],
    [
        "Bewegungsmelder",
        "détecteur de mouvement",
        "rilevatore di movimento",
        "motion detector",
    ],
    ["Türsprechanlage", "interphone", "citofono", "door intercom"],
    [
        "Wärmeschrumpfschlauch",
        "gaine thermorétractable",
        "guaina termorestringente",
        "heat shrink tube",
    ],
    [
        "Schaltschrank",
        "armoire électrique",
        "quadro elettrico",
        "control cabinet",
    ],
];

/// Properties: German, French, Italian, English.
const PROPERTIES: &[[&str; 4]] = &[
    ["grau", "gris", "grigio", "grey"],
    ["schwarz", "noir", "nero", "black"],
    ["weiss", "blanc", "bianco", "white"],
    ["verzinkt", "zingué", "zincato", "galvanized"],
    ["Edelstahl", "inox", "acciaio inox", "stainless steel"],
    [
        "halogenfrei",
        "sans halogène",
        "senza alogeni",
        "halogen-free",
    ],
    ["für Aussen", "extérieur", "per esterni", "outdoor"],
    ["Messing", "laiton", "ottone", "brass"],
];

/// Measures as catalogs write them.
const MEASURES: &[&str] = &[
    "2,5 mm²",
    "4 mm²",
    "M8x40",
    "M6x20",
    "5 x 5 mm",
    "200 mm",
    "24 V DC",
    "230 V",
    "16 A",
    "10 A",
    "12 W",
    "60×60",
    "3x1,5 mm²",
    "IP65",
];

/// One generated product's words.
pub struct Generated {
    kind: usize,
    property: usize,
    measure: usize,
    i: usize,
}

impl Generated {
    /// The words of product `i`.
    pub fn new(i: usize) -> Self {
        let mut rng = Rng::new(i as u64 * 7 + 1);
        Generated {
            kind: rng.below(KINDS.len()),
            property: rng.below(PROPERTIES.len()),
            measure: rng.below(MEASURES.len()),
            i,
        }
    }

    fn l(language: Language) -> usize {
        match language {
            Language::De => 0,
            Language::Fr => 1,
            Language::It => 2,
            Language::En => 3,
        }
    }

    /// The name in `language`.
    pub fn name(&self, language: Language) -> String {
        let l = Self::l(language);
        format!(
            "{} {} {}",
            KINDS[self.kind][l], MEASURES[self.measure], PROPERTIES[self.property][l]
        )
    }

    /// The German description.
    pub fn description(&self) -> String {
        format!(
            "{} in {} Ausführung, {}. Serie {}.",
            KINDS[self.kind][0],
            PROPERTIES[self.property][0],
            MEASURES[self.measure],
            self.series()
        )
    }

    fn series(&self) -> String {
        format!("S{}", self.i % 997)
    }

    /// The manufacturer's type designation, unique per product.
    pub fn type_designation(&self) -> String {
        let letters = ["KX", "TRV", "PL", "MZ", "HD"][self.i % 5];
        format!("{letters} {}/{}", self.i / 97, self.i % 97)
    }

    /// The product group.
    pub fn group(&self) -> String {
        format!("G{:02}", self.kind)
    }

    /// A keyword.
    pub fn keyword(&self) -> String {
        format!("{} {}", KINDS[self.kind][0], self.series())
    }
}

/// `word` with one letter changed (not the first), as a hurried typist writes it.
fn typo(word: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 5 {
        return word.to_owned();
    }
    let at = 1 + rng.below(chars.len() - 2);
    let mut out = chars.clone();
    match rng.below(3) {
        0 => out.swap(at, at + 1),
        1 => {
            out.remove(at);
        }
        _ => out[at] = 'e',
    }
    out.into_iter().collect()
}

/// Typical queries of one to three words with typos, in the four languages.
pub fn typical(n: usize, products: usize) -> Vec<(String, Language)> {
    let mut rng = Rng::new(42);
    (0..n)
        .map(|_| {
            let g = Generated::new(rng.below(products.max(1)));
            let language = Language::ALL[rng.below(4)];
            let l = Generated::l(language);
            let kind = KINDS[g.kind][l];
            let first = kind.split_whitespace().next().unwrap_or(kind);
            let text = match rng.below(3) {
                0 => typo(first, &mut rng),
                1 => format!("{} {}", typo(first, &mut rng), MEASURES[g.measure]),
                _ => format!(
                    "{} {} {}",
                    typo(first, &mut rng),
                    PROPERTIES[g.property][l],
                    MEASURES[g.measure]
                ),
            };
            (text, language)
        })
        .collect()
}

/// Prefixes of three to six letters, as typed before the word is complete.
pub fn prefixes(n: usize) -> Vec<(String, Language)> {
    let mut rng = Rng::new(7);
    (0..n)
        .map(|_| {
            let language = Language::ALL[rng.below(4)];
            let kind = KINDS[rng.below(KINDS.len())][Generated::l(language)];
            let len = 3 + rng.below(4);
            (kind.chars().take(len).collect(), language)
        })
        .collect()
}

/// Numbers, EANs and type designations typed exactly.
pub fn exact(n: usize, products: usize) -> Vec<String> {
    let mut rng = Rng::new(99);
    (0..n)
        .map(|_| {
            let i = rng.below(products.max(1));
            match rng.below(3) {
                0 => super::catalog::generated_number(i),
                1 => Generated::new(i).type_designation(),
                _ => format!("4012345{:06}", i % 1_000_000)
                    .chars()
                    .take(12)
                    .collect::<String>(),
            }
        })
        .collect()
}

/// How many queries of [`labelled`] are written for the real products (they come first).
pub const REAL_QUERIES: usize = 38;

/// The labelled query set: what a rep types for a known product, with the product's number.
/// Queries for the real Weidmüller products (German and English words, typos, folding,
/// compounds written apart or together, type designations, EANs) and, for generated
/// products, their type designation and number.
pub fn labelled(products: usize) -> Vec<(String, Language, String)> {
    let de = Language::De;
    let en = Language::En;
    let mut set: Vec<(String, Language, String)> = [
        ("DEK 5/5", de, "1609801044"),
        ("klemmenmarkierung", de, "1609801044"),
        ("klemenmarkierung dek", de, "1609801044"),
        ("terminal marker dekafix", en, "1609801044"),
        ("WDU 2.5", de, "1020000000"),
        ("durchgangsreihenklemme", de, "1020000000"),
        ("Durchgangs Reihenklemme 2,5 mm²", de, "1020000000"),
        ("feed-through terminal block", en, "1020000000"),
        ("4008190099633", de, "1020000000"),
        ("schutzleiter reihenklemme", de, "1010000000"),
        ("WPE 2.5", de, "1010000000"),
        ("PE terminal", en, "1010000000"),
        ("relaiskoppler", de, "1122770000"),
        ("relaiskopler", de, "1122770000"),
        ("TRS 24VDC 1CO", de, "1122770000"),
        ("sicherheitsrelais", de, "1303890000"),
        ("sicherheitsrelias", de, "1303890000"),
        ("safety relay", en, "1303890000"),
        ("UR20-16DI-P", de, "1315200000"),
        ("feldbus koppler", de, "1334880000"),
        ("UR20-FBC-PN-IRT", de, "1334880000"),
        ("fieldbus coupler", en, "1334880000"),
        ("ueberspannungsableiter", de, "1351590000"),
        ("uberspanungsableiter", de, "1351590000"),
        ("surge voltage arrester", en, "1351590000"),
        ("ZDK 2.5PE", de, "1690000000"),
        ("PDK 2.5/4V", de, "1918730000"),
        ("PDK 2.5/4", de, "1918770000"),
        ("relaissockel", de, "7760056106"),
        ("relay socket", en, "7760056106"),
        ("FS 2CO", de, "7760056106"),
        ("DRM270024LT", de, "7760056069"),
        ("signaltrennverstärker", de, "8965490000"),
        ("signaltrenverstarker", de, "8965490000"),
        ("signal converter insulator", en, "8965490000"),
        ("ACT20X-HUI-SAO-S", de, "8965490000"),
        ("4032248785100", de, "8965490000"),
        ("macbook pro", de, "1000"),
    ]
    .into_iter()
    .map(|(q, l, n)| (q.to_owned(), l, n.to_owned()))
    .collect();
    let mut rng = Rng::new(1234);
    for _ in 0..40 {
        let i = rng.below(products.max(1));
        let g = Generated::new(i);
        set.push((
            g.type_designation(),
            de,
            super::catalog::generated_number(i),
        ));
        set.push((
            super::catalog::generated_number(i),
            de,
            super::catalog::generated_number(i),
        ));
    }
    set
}
