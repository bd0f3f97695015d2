//! Real Swiss places: postal code, locality, approximate position, language, area code.

use crm_core::Language;

/// A place of the demo data.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// Postal code.
    pub postal_code: &'static str,
    /// Locality.
    pub city: &'static str,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Main language.
    pub language: Language,
    /// Telephone area code, national form.
    pub area: &'static str,
}

const fn p(
    postal_code: &'static str,
    city: &'static str,
    lat: f64,
    lon: f64,
    language: Language,
    area: &'static str,
) -> Place {
    Place {
        postal_code,
        city,
        lat,
        lon,
        language,
        area,
    }
}

use Language::{De, Fr, It};

/// The places, weighted by repetition towards the larger towns.
#[rustfmt::skip]
pub const PLACES: &[Place] = &[
    p("8001", "Zürich", 47.3717, 8.5423, De, "044"),
    p("8004", "Zürich", 47.3780, 8.5190, De, "044"),
    p("8050", "Zürich", 47.4105, 8.5440, De, "044"),
    p("8400", "Winterthur", 47.4997, 8.7241, De, "052"),
    p("8600", "Dübendorf", 47.3972, 8.6186, De, "044"),
    p("8810", "Horgen", 47.2597, 8.5978, De, "044"),
    p("8620", "Wetzikon", 47.3260, 8.7980, De, "044"),
    p("8952", "Schlieren", 47.3967, 8.4475, De, "044"),
    p("8302", "Kloten", 47.4515, 8.5849, De, "044"),
    p("8200", "Schaffhausen", 47.6960, 8.6340, De, "052"),
    p("8500", "Frauenfeld", 47.5580, 8.8980, De, "052"),
    p("8280", "Kreuzlingen", 47.6453, 9.1753, De, "071"),
    p("9000", "St. Gallen", 47.4245, 9.3767, De, "071"),
    p("9500", "Wil", 47.4615, 9.0450, De, "071"),
    p("9100", "Herisau", 47.3860, 9.2790, De, "071"),
    p("9050", "Appenzell", 47.3310, 9.4090, De, "071"),
    p("7000", "Chur", 46.8499, 9.5329, De, "081"),
    p("7270", "Davos Platz", 46.7960, 9.8200, De, "081"),
    p("8750", "Glarus", 47.0400, 9.0680, De, "055"),
    p("8640", "Rapperswil", 47.2267, 8.8186, De, "055"),
    p("6300", "Zug", 47.1662, 8.5155, De, "041"),
    p("6330", "Cham", 47.1820, 8.4630, De, "041"),
    p("6003", "Luzern", 47.0502, 8.3093, De, "041"),
    p("6020", "Emmenbrücke", 47.0770, 8.2800, De, "041"),
    p("6210", "Sursee", 47.1710, 8.1110, De, "041"),
    p("6430", "Schwyz", 47.0207, 8.6530, De, "041"),
    p("6460", "Altdorf", 46.8804, 8.6444, De, "041"),
    p("6060", "Sarnen", 46.8960, 8.2460, De, "041"),
    p("6370", "Stans", 46.9580, 8.3660, De, "041"),
    p("3011", "Bern", 46.9480, 7.4474, De, "031"),
    p("3013", "Bern", 46.9530, 7.4530, De, "031"),
    p("3097", "Liebefeld", 46.9300, 7.4180, De, "031"),
    p("3400", "Burgdorf", 47.0590, 7.6280, De, "034"),
    p("3600", "Thun", 46.7580, 7.6280, De, "033"),
    p("3800", "Interlaken", 46.6863, 7.8632, De, "033"),
    p("3900", "Brig", 46.3160, 7.9870, De, "027"),
    p("2502", "Biel/Bienne", 47.1368, 7.2468, De, "032"),
    p("4500", "Solothurn", 47.2088, 7.5323, De, "032"),
    p("4600", "Olten", 47.3500, 7.9030, De, "062"),
    p("4051", "Basel", 47.5546, 7.5900, De, "061"),
    p("4057", "Basel", 47.5700, 7.6000, De, "061"),
    p("4410", "Liestal", 47.4840, 7.7340, De, "061"),
    p("4133", "Pratteln", 47.5210, 7.6930, De, "061"),
    p("5000", "Aarau", 47.3925, 8.0444, De, "062"),
    p("5400", "Baden", 47.4733, 8.3059, De, "056"),
    p("5200", "Brugg", 47.4810, 8.2080, De, "056"),
    p("5600", "Lenzburg", 47.3880, 8.1750, De, "062"),
    p("4800", "Zofingen", 47.2880, 7.9460, De, "062"),
    p("8910", "Affoltern am Albis", 47.2770, 8.4500, De, "044"),
    p("1201", "Genève", 46.2100, 6.1430, Fr, "022"),
    p("1204", "Genève", 46.2010, 6.1460, Fr, "022"),
    p("1227", "Carouge", 46.1810, 6.1390, Fr, "022"),
    p("1217", "Meyrin", 46.2340, 6.0800, Fr, "022"),
    p("1260", "Nyon", 46.3830, 6.2390, Fr, "022"),
    p("1003", "Lausanne", 46.5197, 6.6323, Fr, "021"),
    p("1004", "Lausanne", 46.5270, 6.6220, Fr, "021"),
    p("1020", "Renens", 46.5390, 6.5880, Fr, "021"),
    p("1110", "Morges", 46.5110, 6.4990, Fr, "021"),
    p("1800", "Vevey", 46.4630, 6.8430, Fr, "021"),
    p("1820", "Montreux", 46.4330, 6.9110, Fr, "021"),
    p("1400", "Yverdon-les-Bains", 46.7785, 6.6410, Fr, "024"),
    p("1700", "Fribourg", 46.8065, 7.1620, Fr, "026"),
    p("1630", "Bulle", 46.6190, 7.0570, Fr, "026"),
    p("2000", "Neuchâtel", 46.9920, 6.9310, Fr, "032"),
    p("2300", "La Chaux-de-Fonds", 47.1000, 6.8260, Fr, "032"),
    p("2800", "Delémont", 47.3650, 7.3440, Fr, "032"),
    p("1950", "Sion", 46.2330, 7.3600, Fr, "027"),
    p("1920", "Martigny", 46.1020, 7.0720, Fr, "027"),
    p("3960", "Sierre", 46.2920, 7.5350, Fr, "027"),
    p("1870", "Monthey", 46.2540, 6.9540, Fr, "024"),
    p("6900", "Lugano", 46.0037, 8.9511, It, "091"),
    p("6850", "Mendrisio", 45.8700, 8.9810, It, "091"),
    p("6500", "Bellinzona", 46.1920, 9.0170, It, "091"),
    p("6600", "Locarno", 46.1700, 8.7990, It, "091"),
    p("6830", "Chiasso", 45.8320, 9.0310, It, "091"),
    p("6710", "Biasca", 46.3590, 8.9700, It, "091"),
    p("7500", "St. Moritz", 46.4980, 9.8390, De, "081"),
];
