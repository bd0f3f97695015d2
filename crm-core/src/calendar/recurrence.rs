//! Recurring activities: the RRULE subset the CRM supports, and its expansion.
//!
//! Supported: `FREQ=DAILY|WEEKLY|MONTHLY`, `INTERVAL=n`, either `COUNT=n` or `UNTIL=…`, and
//! `BYDAY=MO,TU,…` with `WEEKLY`; exceptions are excluded dates. Occurrences are computed in
//! the entry's own time zone, so a weekly meeting at 09:00 in Europe/Zurich stays at 09:00
//! across daylight-saving changes.

use std::fmt;

use chrono::{
    DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Most occurrences a series may have (`COUNT`), and most an expansion yields.
pub const MAX_OCCURRENCES: u32 = 1_000;

/// How often a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Every `interval` days.
    Daily,
    /// Every `interval` weeks, on the start's weekday or the listed ones.
    Weekly,
    /// Every `interval` months, on the start's day of the month (months without it are
    /// skipped, as RFC 5545 says).
    Monthly,
}

/// Where a series ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesEnd {
    /// Never.
    Never,
    /// After this many occurrences.
    Count(u32),
    /// With the last occurrence starting on or before this local date.
    Until(NaiveDate),
}

/// A recurrence rule of the supported subset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// Frequency.
    pub frequency: Frequency,
    /// Every how many days, weeks or months (at least 1).
    pub interval: u32,
    /// Where it ends.
    pub end: SeriesEnd,
    /// Weekdays of a weekly series (empty: the start's weekday).
    pub weekdays: Vec<Weekday>,
}

const DAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::Mon),
    ("TU", Weekday::Tue),
    ("WE", Weekday::Wed),
    ("TH", Weekday::Thu),
    ("FR", Weekday::Fri),
    ("SA", Weekday::Sat),
    ("SU", Weekday::Sun),
];

impl Recurrence {
    /// Parses an RRULE such as `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10` (an `RRULE:`
    /// prefix is allowed).
    ///
    /// ```
    /// # use crm_core::calendar::Recurrence;
    /// let rule = Recurrence::parse("RRULE:FREQ=MONTHLY;UNTIL=20271231")?;
    /// assert_eq!(rule.to_string(), "FREQ=MONTHLY;UNTIL=20271231");
    /// assert!(Recurrence::parse("FREQ=YEARLY").is_err());
    /// # Ok::<(), crm_core::ValueError>(())
    /// ```
    ///
    /// # Errors
    /// A [`ValueError`] naming the part that is malformed or outside the supported subset.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = raw.trim();
        let text = match text.get(..6) {
            Some(prefix) if prefix.eq_ignore_ascii_case("RRULE:") => &text[6..],
            _ => text,
        };
        let mut frequency = None;
        let mut interval = 1;
        let mut end = SeriesEnd::Never;
        let mut weekdays = Vec::new();
        for part in text.split(';').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| ValueError::new(format!("`{part}` is not KEY=VALUE")))?;
            match key.trim().to_ascii_uppercase().as_str() {
                "FREQ" => {
                    frequency = Some(match value.trim().to_ascii_uppercase().as_str() {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        other => {
                            return Err(ValueError::new(format!(
                                "FREQ={other} is not supported (DAILY, WEEKLY or MONTHLY)"
                            )));
                        }
                    });
                }
                "INTERVAL" => {
                    interval = value
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=366).contains(n))
                        .ok_or_else(|| {
                            ValueError::new(format!(
                                "INTERVAL={value} is not a number from 1 to 366"
                            ))
                        })?;
                }
                "COUNT" => {
                    if end != SeriesEnd::Never {
                        return Err(ValueError::new("COUNT and UNTIL exclude each other"));
                    }
                    let count = value
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_OCCURRENCES).contains(n))
                        .ok_or_else(|| {
                            ValueError::new(format!(
                                "COUNT={value} is not a number from 1 to {MAX_OCCURRENCES}"
                            ))
                        })?;
                    end = SeriesEnd::Count(count);
                }
                "UNTIL" => {
                    if end != SeriesEnd::Never {
                        return Err(ValueError::new("COUNT and UNTIL exclude each other"));
                    }
                    let digits: String = value.trim().chars().take(8).collect();
                    let date = NaiveDate::parse_from_str(&digits, "%Y%m%d").map_err(|_| {
                        ValueError::new(format!("UNTIL={value} is not a date such as 20271231"))
                    })?;
                    end = SeriesEnd::Until(date);
                }
                "BYDAY" => {
                    for day in value.split(',') {
                        let day = day.trim().to_ascii_uppercase();
                        let weekday = DAYS
                            .iter()
                            .find(|(name, _)| *name == day)
                            .map(|(_, d)| *d)
                            .ok_or_else(|| {
                                ValueError::new(format!(
                                    "BYDAY={day} is not supported (MO, TU, WE, TH, FR, SA, SU)"
                                ))
                            })?;
                        if !weekdays.contains(&weekday) {
                            weekdays.push(weekday);
                        }
                    }
                }
                "WKST" if value.trim().eq_ignore_ascii_case("MO") => {}
                other => {
                    return Err(ValueError::new(format!(
                        "{other} is not supported (FREQ, INTERVAL, COUNT, UNTIL, BYDAY with WEEKLY)"
                    )));
                }
            }
        }
        let frequency = frequency.ok_or_else(|| ValueError::new("FREQ is missing"))?;
        if !weekdays.is_empty() && frequency != Frequency::Weekly {
            return Err(ValueError::new("BYDAY is supported with FREQ=WEEKLY only"));
        }
        weekdays.sort_by_key(Weekday::num_days_from_monday);
        Ok(Recurrence {
            frequency,
            interval,
            end,
            weekdays,
        })
    }

    /// The local starts of the series beginning at `first`, in order, skipping `exceptions`
    /// (local dates), up to [`MAX_OCCURRENCES`] and while `keep_going` says so.
    pub fn local_starts(
        &self,
        first: NaiveDateTime,
        exceptions: &[NaiveDate],
        mut keep_going: impl FnMut(NaiveDateTime) -> bool,
    ) -> Vec<NaiveDateTime> {
        let mut out = Vec::new();
        let mut generated = 0u32;
        let limit = match self.end {
            SeriesEnd::Count(n) => n,
            _ => MAX_OCCURRENCES * 10,
        };
        let interval = i64::from(self.interval.max(1));
        let mut step = 0i64;
        'outer: loop {
            let candidates: Vec<NaiveDateTime> = match self.frequency {
                Frequency::Daily => vec![first + Duration::days(step * interval)],
                Frequency::Weekly if self.weekdays.is_empty() => {
                    vec![first + Duration::weeks(step * interval)]
                }
                Frequency::Weekly => {
                    let monday = first.date()
                        - Duration::days(i64::from(first.weekday().num_days_from_monday()));
                    let week = monday + Duration::weeks(step * interval);
                    self.weekdays
                        .iter()
                        .map(|d| {
                            (week + Duration::days(i64::from(d.num_days_from_monday())))
                                .and_time(first.time())
                        })
                        .filter(|c| *c >= first)
                        .collect()
                }
                Frequency::Monthly => {
                    let months = u32::try_from(step * interval).unwrap_or(u32::MAX);
                    match first
                        .date()
                        .with_day(1)
                        .and_then(|d| d.checked_add_months(Months::new(months)))
                    {
                        Some(month) => month
                            .with_day(first.day())
                            .map(|d| vec![d.and_time(first.time())])
                            .unwrap_or_default(),
                        None => break,
                    }
                }
            };
            step += 1;
            if step > i64::from(MAX_OCCURRENCES) * 40 {
                break;
            }
            for start in candidates {
                if let SeriesEnd::Until(until) = self.end
                    && start.date() > until
                {
                    break 'outer;
                }
                if generated >= limit || !keep_going(start) {
                    break 'outer;
                }
                generated += 1;
                if !exceptions.contains(&start.date()) {
                    out.push(start);
                    if out.len() >= MAX_OCCURRENCES as usize {
                        break 'outer;
                    }
                }
            }
        }
        out
    }

    /// Whether the series never ends.
    pub fn is_open_ended(&self) -> bool {
        self.end == SeriesEnd::Never
    }
}

impl fmt::Display for Recurrence {
    /// The rule in RRULE syntax, without the `RRULE:` prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let freq = match self.frequency {
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
        };
        write!(f, "FREQ={freq}")?;
        if self.interval > 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if !self.weekdays.is_empty() {
            let days: Vec<&str> = self
                .weekdays
                .iter()
                .filter_map(|w| DAYS.iter().find(|(_, d)| d == w).map(|(n, _)| *n))
                .collect();
            write!(f, ";BYDAY={}", days.join(","))?;
        }
        match self.end {
            SeriesEnd::Never => Ok(()),
            SeriesEnd::Count(n) => write!(f, ";COUNT={n}"),
            SeriesEnd::Until(d) => write!(f, ";UNTIL={}", d.format("%Y%m%d")),
        }
    }
}

/// The UTC instant of a local time in `zone`. A time that falls into a daylight-saving gap
/// moves forward by the gap; an ambiguous time takes its first occurrence.
pub fn to_utc(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..4 {
        if let Some(t) = zone.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
        probe += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&local)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn rules_parse_and_print_back() {
        for text in [
            "FREQ=DAILY",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10",
            "FREQ=MONTHLY;UNTIL=20271231",
        ] {
            assert_eq!(Recurrence::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Recurrence::parse("rrule:freq=weekly;byday=th,mo")
                .unwrap()
                .to_string(),
            "FREQ=WEEKLY;BYDAY=MO,TH"
        );
    }

    #[test]
    fn unsupported_parts_are_named() {
        let cases = [
            ("FREQ=YEARLY", "YEARLY"),
            ("FREQ=DAILY;BYSETPOS=1", "BYSETPOS"),
            ("FREQ=DAILY;COUNT=0", "COUNT=0"),
            ("FREQ=DAILY;COUNT=2;UNTIL=20270101", "exclude"),
            ("FREQ=DAILY;BYDAY=MO", "WEEKLY only"),
            ("INTERVAL=2", "FREQ is missing"),
            ("FREQ=WEEKLY;BYDAY=XX", "XX"),
        ];
        for (rule, needle) in cases {
            let err = Recurrence::parse(rule).unwrap_err();
            assert!(err.0.contains(needle), "{rule}: {err}");
        }
    }

    #[test]
    fn weekly_by_day_with_interval_count_and_exceptions() {
        let rule = Recurrence::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=5").unwrap();
        // 2026-11-30 is a Monday.
        let exceptions = [NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()];
        let starts = rule.local_starts(at("2026-11-30 09:00"), &exceptions, |_| true);
        let days: Vec<String> = starts
            .iter()
            .map(|s| s.format("%m-%d").to_string())
            .collect();
        // Mo 30.11, (Th 3.12 excepted), Mo 14.12, Th 17.12, Mo 28.12: five generated, four kept.
        assert_eq!(days, vec!["11-30", "12-14", "12-17", "12-28"]);
    }

    #[test]
    fn monthly_skips_months_without_the_day_and_until_is_inclusive() {
        let rule = Recurrence::parse("FREQ=MONTHLY;UNTIL=20270531").unwrap();
        let starts = rule.local_starts(at("2027-01-31 10:00"), &[], |_| true);
        let days: Vec<String> = starts
            .iter()
            .map(|s| s.format("%m-%d").to_string())
            .collect();
        assert_eq!(days, vec!["01-31", "03-31", "05-31"]);
        let daily = Recurrence::parse("FREQ=DAILY;INTERVAL=3").unwrap();
        let bounded =
            daily.local_starts(at("2027-01-01 08:00"), &[], |s| s < at("2027-01-10 00:00"));
        assert_eq!(bounded.len(), 3);
    }

    #[test]
    fn local_times_survive_daylight_saving() {
        let zurich: Tz = "Europe/Zurich".parse().unwrap();
        let rule = Recurrence::parse("FREQ=WEEKLY;COUNT=3").unwrap();
        // 2027-03-28 is the spring change in Switzerland.
        let starts = rule.local_starts(at("2027-03-21 09:00"), &[], |_| true);
        let utc: Vec<String> = starts
            .iter()
            .map(|s| to_utc(zurich, *s).format("%m-%d %H:%M").to_string())
            .collect();
        assert_eq!(utc, vec!["03-21 08:00", "03-28 07:00", "04-04 07:00"]);
        // 02:30 on the change day does not exist and moves forward.
        assert_eq!(
            to_utc(zurich, at("2027-03-28 02:30"))
                .format("%H:%M")
                .to_string(),
            "01:00"
        );
    }
}
