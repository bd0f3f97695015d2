use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Every officially assigned ISO 3166-1 alpha-2 code, two letters each.
const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// An ISO 3166-1 alpha-2 country code such as `CH`, stored upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Switzerland, the default country of the embedded setup.
    pub const CH: CountryCode = CountryCode(*b"CH");
    /// Liechtenstein.
    pub const LI: CountryCode = CountryCode(*b"LI");
    /// Germany.
    pub const DE: CountryCode = CountryCode(*b"DE");
    /// Austria.
    pub const AT: CountryCode = CountryCode(*b"AT");
    /// France.
    pub const FR: CountryCode = CountryCode(*b"FR");
    /// Italy.
    pub const IT: CountryCode = CountryCode(*b"IT");

    /// Parses a code in any case (`ch`, `CH`); rejects codes that ISO 3166-1 does not assign.
    ///
    /// ```
    /// # use crm_core::CountryCode;
    /// assert_eq!(CountryCode::new("ch")?, CountryCode::CH);
    /// assert!(CountryCode::new("XX").is_err());
    /// # Ok::<(), crm_core::ValueError>(())
    /// ```
    ///
    /// # Errors
    /// A [`ValueError`] when the text is not two letters or not an assigned code.
    pub fn new(raw: &str) -> Result<Self, ValueError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ValueError::new(format!(
                "`{}` is not a two-letter ISO 3166-1 country code",
                raw.trim()
            )));
        }
        if !ISO_3166_ALPHA2.split(' ').any(|c| c == code) {
            return Err(ValueError::new(format!(
                "`{code}` is not an assigned ISO 3166-1 country code"
            )));
        }
        let bytes = code.as_bytes();
        Ok(CountryCode([bytes[0], bytes[1]]))
    }

    /// The code as text, e.g. `CH`.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII upper-case letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CountryCode {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CountryCode::new(s)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CountryCode::new(&s)
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> Self {
        c.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_every_assigned_code_once() {
        let codes: Vec<&str> = ISO_3166_ALPHA2.split(' ').collect();
        assert_eq!(codes.len(), 249);
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, codes);
    }

    #[test]
    fn codes_parse_in_any_case_and_bad_ones_say_why() {
        assert_eq!(CountryCode::new(" li ").unwrap(), CountryCode::LI);
        assert!(
            CountryCode::new("CHE")
                .unwrap_err()
                .0
                .contains("two-letter")
        );
        assert!(
            CountryCode::new("QQ")
                .unwrap_err()
                .0
                .contains("not an assigned")
        );
        let json = serde_json::to_string(&CountryCode::CH).unwrap();
        assert_eq!(json, "\"CH\"");
        assert!(serde_json::from_str::<CountryCode>("\"ZZ\"").is_err());
    }
}
