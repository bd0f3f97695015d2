//! Calendar months, the grain of revenue figures.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// A calendar month such as `2026-11`; written and read as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// The month `month` (1–12) of `year` (1–9999).
    ///
    /// # Errors
    /// A [`ValueError`] for a month outside 1–12 or a year outside 1–9999.
    pub fn new(year: i32, month: u32) -> Result<Self, ValueError> {
        if !(1..=12).contains(&month) {
            return Err(ValueError::new(format!(
                "a month is 1 to 12, {month} is not"
            )));
        }
        if !(1..=9999).contains(&year) {
            return Err(ValueError::new(format!(
                "a year is 1 to 9999, {year} is not"
            )));
        }
        Ok(YearMonth { year, month })
    }

    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Self {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month of the year, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// Months since January of year 0: consecutive months have consecutive numbers. Storage
    /// keeps months as this number.
    pub fn ordinal(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    /// The month with the number [`YearMonth::ordinal`] gave.
    ///
    /// # Errors
    /// A [`ValueError`] for a number outside the years 1–9999.
    pub fn from_ordinal(ordinal: i32) -> Result<Self, ValueError> {
        YearMonth::new(ordinal.div_euclid(12), ordinal.rem_euclid(12) as u32 + 1)
    }

    /// The month `n` months later (earlier when negative), kept within the years 1–9999.
    pub fn plus(self, n: i32) -> Self {
        let ordinal = (self.ordinal().saturating_add(n)).clamp(12, 9999 * 12 + 11);
        YearMonth {
            year: ordinal.div_euclid(12),
            month: ordinal.rem_euclid(12) as u32 + 1,
        }
    }

    /// The same month a year earlier.
    pub fn a_year_earlier(self) -> Self {
        self.plus(-12)
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Its last day (the 29th of February in a leap year).
    pub fn last_day(self) -> NaiveDate {
        self.plus(1)
            .first_day()
            .pred_opt()
            .unwrap_or(NaiveDate::MAX)
    }

    /// January of its year.
    pub fn january(self) -> Self {
        YearMonth {
            year: self.year,
            month: 1,
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ValueError::new(format!("a month is written YYYY-MM, `{s}` is not"));
        let (year, month) = s.trim().split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        YearMonth::new(
            year.parse().map_err(|_| bad())?,
            month.parse().map_err(|_| bad())?,
        )
    }
}

impl TryFrom<String> for YearMonth {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<YearMonth> for String {
    fn from(m: YearMonth) -> Self {
        m.to_string()
    }
}

/// The months from `from` to `to`, both included. Read from JSON through
/// [`MonthRange::new`], so a range that ends before it starts is refused there too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawRange")]
pub struct MonthRange {
    /// The first month.
    pub from: YearMonth,
    /// The last month.
    pub to: YearMonth,
}

/// A range as written, before it is checked.
#[derive(Deserialize)]
struct RawRange {
    from: YearMonth,
    to: YearMonth,
}

impl TryFrom<RawRange> for MonthRange {
    type Error = ValueError;
    fn try_from(raw: RawRange) -> Result<Self, Self::Error> {
        MonthRange::new(raw.from, raw.to)
    }
}

/// The most months one range may span (a hundred years).
pub const MAX_MONTHS: i32 = 1200;

impl MonthRange {
    /// The months from `from` to `to`.
    ///
    /// # Errors
    /// A [`ValueError`] when `to` is before `from` or the range spans more than
    /// [`MAX_MONTHS`].
    pub fn new(from: YearMonth, to: YearMonth) -> Result<Self, ValueError> {
        if to < from {
            return Err(ValueError::new(format!(
                "the period ends ({to}) before it starts ({from})"
            )));
        }
        if to.ordinal() - from.ordinal() >= MAX_MONTHS {
            return Err(ValueError::new(format!(
                "a period spans at most {MAX_MONTHS} months"
            )));
        }
        Ok(MonthRange { from, to })
    }

    /// The calendar year `year`.
    ///
    /// # Errors
    /// As [`YearMonth::new`].
    pub fn year(year: i32) -> Result<Self, ValueError> {
        Ok(MonthRange {
            from: YearMonth::new(year, 1)?,
            to: YearMonth::new(year, 12)?,
        })
    }

    /// How many months it spans (none when built by hand ending before it starts).
    pub fn len(self) -> usize {
        usize::try_from(self.to.ordinal() - self.from.ordinal() + 1).unwrap_or(0)
    }

    /// Whether it holds no month (only when built by hand ending before it starts).
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Whether `month` lies in it.
    pub fn contains(self, month: YearMonth) -> bool {
        self.from <= month && month <= self.to
    }

    /// Its months in order.
    pub fn months(self) -> impl Iterator<Item = YearMonth> {
        (0..self.len() as i32).map(move |i| self.from.plus(i))
    }

    /// The range of the same length just before it (the previous period).
    pub fn previous(self) -> Self {
        let n = self.len() as i32;
        MonthRange {
            from: self.from.plus(-n),
            to: self.to.plus(-n),
        }
    }

    /// The same months a year earlier.
    pub fn a_year_earlier(self) -> Self {
        MonthRange {
            from: self.from.a_year_earlier(),
            to: self.to.a_year_earlier(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn months_count_across_year_ends() {
        assert_eq!(ym("2026-12").plus(1), ym("2027-01"));
        assert_eq!(ym("2026-01").plus(-1), ym("2025-12"));
        assert_eq!(ym("2026-03").plus(-14), ym("2025-01"));
        assert_eq!(
            YearMonth::from_ordinal(ym("2024-02").ordinal()).unwrap(),
            ym("2024-02")
        );
        let range = MonthRange::new(ym("2025-11"), ym("2026-02")).unwrap();
        assert_eq!(range.len(), 4);
        assert_eq!(
            range.previous(),
            MonthRange::new(ym("2025-07"), ym("2025-10")).unwrap()
        );
        assert_eq!(range.months().last(), Some(ym("2026-02")));
    }

    #[test]
    fn a_leap_february_ends_on_the_29th() {
        assert_eq!(
            ym("2024-02").last_day(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(
            ym("2025-02").last_day(),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
        assert_eq!(
            ym("2025-12").last_day(),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
    }

    #[test]
    fn bad_months_are_refused() {
        for bad in [
            "2026-13", "2026-00", "26-01", "2026/01", "", "0000-01", "2026-1",
        ] {
            assert!(bad.parse::<YearMonth>().is_err(), "{bad}");
        }
        assert!(MonthRange::new(ym("2026-02"), ym("2026-01")).is_err());
        let range: MonthRange =
            serde_json::from_str(r#"{"from":"2026-01","to":"2026-03"}"#).unwrap();
        assert_eq!(range.len(), 3);
        let inverted = r#"{"from":"2026-05","to":"2026-01"}"#;
        assert!(serde_json::from_str::<MonthRange>(inverted).is_err());
        assert_eq!(
            serde_json::to_string(&ym("2026-02")).unwrap(),
            "\"2026-02\""
        );
    }
}
