//! Publication dates as pages write them (ISO 8601 and its compact and zone-named variants,
//! RFC 2822, ctime, "March 3, 2015", "30.06.2022", "22/11/2020 - 04:30"…), normalised to
//! RFC 3339. Pure parsing: no clock, no time-zone database (zone abbreviations are a table of
//! the unambiguous ones). The formats are tables: a new one is a line.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::{Serialize, Serializer};

/// A date found on a page: an instant with the offset the page gave, or a calendar day when the
/// page gave no time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamp {
    /// Serialised as RFC 3339 with the page's offset (`2024-04-10T08:15:00+02:00`). A time written
    /// without an offset is read as UTC.
    Instant(DateTime<FixedOffset>),
    /// Serialised as an RFC 3339 `full-date` (`2024-04-10`): no time is invented.
    Day(NaiveDate),
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timestamp::Instant(t) => f.write_str(&t.to_rfc3339_opts(SecondsFormat::Secs, false)),
            Timestamp::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Reads back exactly what [`Serialize`] writes: RFC 3339 with an offset, or a full-date.
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if let Ok(instant) = DateTime::parse_from_rfc3339(&text) {
            return Ok(Timestamp::Instant(instant));
        }
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Timestamp::Day)
            .map_err(|_| serde::de::Error::custom("neither an RFC 3339 time nor a full-date"))
    }
}

const WITH_OFFSET: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y%m%dT%H:%M:%S%.f%z",
    "%Y%m%dT%H%M%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%dT%H:%M%:z",
    "%a %b %d %Y %H:%M:%S GMT%z",
];

const NAIVE_TIME: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%dT%H%M%S",
    "%Y%m%dT%H:%M:%S%.f",
    // ctime and JavaScript's Date().toString() without their zone.
    "%a %b %e %H:%M:%S %Y",
    "%a %b %d %Y %H:%M:%S",
    // RFC 2822-like with the year after the day and a zone name ("Tue, Sep 15 2020 10:01:41").
    "%a, %b %d %Y %H:%M:%S",
    "%a, %d %b %Y %H:%M:%S",
    "%a, %d %b %Y %H:%M",
    "%b %d, %Y %H:%M",
    // Day first with dots is day first everywhere that writes it (Germany, Russia, Poland…).
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y, %H:%M",
];

const DAY_ONLY: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d.%m.%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
];

/// Zone abbreviations pages write after a time, with their offset in minutes: only those that
/// mean one offset (IST is India, Ireland and Israel; it is not here).
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("UT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("MEZ", 60),
    ("MESZ", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("PKT", 300),
    ("WIB", 420),
    ("HKT", 480),
    ("SGT", 480),
    ("PHT", 480),
    ("AWST", 480),
    ("JST", 540),
    ("KST", 540),
    ("ACST", 570),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
    ("HST", -600),
    ("AKST", -540),
    ("AKDT", -480),
    ("PST", -480),
    ("PDT", -420),
    ("MST", -420),
    ("MDT", -360),
    ("CST", -360),
    ("CDT", -300),
    ("EST", -300),
    ("EDT", -240),
    ("AST", -240),
    ("ADT", -180),
    ("BRT", -180),
    ("ART", -180),
];

/// Which of day and month comes first in an all-numeric date with slashes or dashes
/// ("04/05/2021"), by the page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    DayFirst,
    MonthFirst,
}

impl DayOrder {
    /// The order the language writes: month first for American English (and English without a
    /// region, as most such pages are American) and Filipino; day first elsewhere. `None` when
    /// there is no language: then only a date whose day is past 12 is read.
    #[must_use]
    pub fn of(lang: Option<&str>) -> Option<Self> {
        let lang = lang?.to_ascii_lowercase();
        let mut parts = lang.split(['-', '_']);
        let primary = parts.next().unwrap_or_default();
        let region = parts.find(|p| p.len() == 2);
        Some(match (primary, region) {
            ("en", None | Some("us" | "ph" | "ca")) | ("fil" | "tl", _) => DayOrder::MonthFirst,
            _ => DayOrder::DayFirst,
        })
    }
}

/// Parses a date as pages write it, all-numeric dates with slashes in `order` (see
/// [`DayOrder::of`]). Returns `None` for anything it cannot read with certainty, and for years
/// outside 1900–2200 (placeholders such as `0000-00-00` or `1970-01-01T00:00:00Z` from empty
/// CMS fields).
#[must_use]
pub fn parse_in(raw: &str, order: Option<DayOrder>) -> Option<Timestamp> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let parsed = parse_instant(s)
        .map(Timestamp::Instant)
        .or_else(|| parse_day(s).map(Timestamp::Day))
        .or_else(|| parse_numeric(s, order))?;
    let year = match parsed {
        Timestamp::Instant(t) => chrono::Datelike::year(&t),
        Timestamp::Day(d) => chrono::Datelike::year(&d),
    };
    if !(1900..=2200).contains(&year) || is_epoch(&parsed) {
        return None;
    }
    Some(parsed)
}

fn is_epoch(t: &Timestamp) -> bool {
    matches!(t, Timestamp::Instant(i) if i.timestamp() == 0)
}

fn parse_instant(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    // "+01" after a time: an offset in whole hours.
    let long_offset;
    let s = match s
        .len()
        .checked_sub(3)
        .and_then(|at| Some((at, s.get(at..)?)))
    {
        Some((at, tail))
            if tail.starts_with(['+', '-'])
                && tail[1..].bytes().all(|b| b.is_ascii_digit())
                && s[..at].ends_with(|c: char| c.is_ascii_digit())
                && s[..at].contains(':') =>
        {
            long_offset = format!("{s}:00");
            long_offset.as_str()
        }
        _ => s,
    };
    // "2024-04-10T06:45:12.000Z" with lowercase or odd fractions still passes rfc3339; "Z" with
    // other layouts does not, so read it as +00:00.
    let z_normalised;
    let s = if let Some(stripped) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        z_normalised = format!("{stripped}+0000");
        z_normalised.as_str()
    } else {
        s
    };
    for fmt in WITH_OFFSET {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t);
    }
    if let Some(t) = parse_with_zone_name(s) {
        return Some(t);
    }
    for fmt in NAIVE_TIME {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&t).fixed_offset());
        }
    }
    if let Some(t) = parse_unix_seconds(s) {
        return Some(t);
    }
    None
}

/// A time followed (or, in `Date().toString()`, interrupted) by a zone abbreviation: "Mon Aug 03
/// 12:45:00 EDT 2015", "Tue, Sep 15 2020 10:01:41 EDT", "2020-09-25T16:02:50CDT".
fn parse_with_zone_name(s: &str) -> Option<DateTime<FixedOffset>> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let (without_zone, minutes) = if let Some((at, minutes)) = words
        .iter()
        .enumerate()
        .find_map(|(at, w)| Some((at, zone_minutes(w.trim_matches(['(', ')']))?)))
    {
        let mut rest = words.clone();
        rest.remove(at);
        (rest.join(" "), minutes)
    } else {
        // Glued to the time: the letters after the last digit.
        let letters = s.len() - s.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
        let (time, zone) = s.split_at(s.len() - letters);
        if letters == 0 || !time.ends_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        (time.to_owned(), zone_minutes(zone)?)
    };
    let offset = FixedOffset::east_opt(minutes * 60)?;
    NAIVE_TIME
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(&without_zone, fmt).ok())
        .and_then(|naive| offset.from_local_datetime(&naive).single())
}

fn zone_minutes(word: &str) -> Option<i32> {
    ZONES
        .iter()
        .find(|(zone, _)| *zone == word)
        .map(|(_, minutes)| *minutes)
}

/// All-numeric dates with slashes or dashes and an optional time after a space, a dash or a
/// comma: "22/11/2020 - 04:30", "04/05/2021", "11-22-2020 10:15:00". Which number is the day
/// comes from `order`; without one, only a number past 12 decides. The time is read as UTC.
fn parse_numeric(s: &str, order: Option<DayOrder>) -> Option<Timestamp> {
    let (date, time) = match s.find([' ', ',']) {
        Some(at) => (
            &s[..at],
            Some(s[at..].trim_start_matches([' ', ',', '-']).trim()),
        ),
        None => (s, None),
    };
    let separator = if date.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = date.split(separator).collect();
    let [a, b, year] = parts.as_slice() else {
        return None;
    };
    if year.len() != 4 || a.len() > 2 || b.len() > 2 {
        return None;
    }
    let (a, b, year): (u32, u32, i32) = (a.parse().ok()?, b.parse().ok()?, year.parse().ok()?);
    let order = match (a > 12, b > 12, order) {
        (true, false, _) => DayOrder::DayFirst,
        (false, true, _) => DayOrder::MonthFirst,
        (false, false, Some(order)) => order,
        _ => return None,
    };
    let (day, month) = match order {
        DayOrder::DayFirst => (a, b),
        DayOrder::MonthFirst => (b, a),
    };
    let day = NaiveDate::from_ymd_opt(year, month, day)?;
    match time.filter(|t| !t.is_empty()) {
        None => Some(Timestamp::Day(day)),
        Some(time) => {
            let time = ["%H:%M:%S", "%H:%M"]
                .iter()
                .find_map(|fmt| chrono::NaiveTime::parse_from_str(time, fmt).ok())?;
            Some(Timestamp::Instant(
                Utc.from_utc_datetime(&day.and_time(time)).fixed_offset(),
            ))
        }
    }
}

/// Unix time in seconds or milliseconds, as some CMSs put in `data-timestamp`-style metadata.
fn parse_unix_seconds(s: &str) -> Option<DateTime<FixedOffset>> {
    if !(s.len() == 10 || s.len() == 13) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    let secs = if s.len() == 13 { n / 1000 } else { n };
    DateTime::from_timestamp(secs, 0).map(|t| t.fixed_offset())
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    DAY_ONLY
        .iter()
        .find_map(|fmt| NaiveDate::parse_from_str(s, fmt).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Option<Timestamp> {
        parse_in(raw, None)
    }

    fn show(raw: &str) -> Option<String> {
        parse(raw).map(|t| t.to_string())
    }

    #[test]
    fn rfc3339_keeps_the_page_offset() {
        assert_eq!(
            show("2024-04-10T08:15:00+02:00").as_deref(),
            Some("2024-04-10T08:15:00+02:00")
        );
    }

    #[test]
    fn compact_offsets_and_space_separators_are_read() {
        assert_eq!(
            show("2021-11-01T10:52:50+0100").as_deref(),
            Some("2021-11-01T10:52:50+01:00")
        );
        assert_eq!(
            show("2017-11-03 03:01:00.000000").as_deref(),
            Some("2017-11-03T03:01:00+00:00")
        );
    }

    #[test]
    fn a_day_without_time_stays_a_day() {
        assert_eq!(show("2024-06-25").as_deref(), Some("2024-06-25"));
        assert_eq!(show("March 3, 2015").as_deref(), Some("2015-03-03"));
        assert_eq!(show("3 March 2015").as_deref(), Some("2015-03-03"));
    }

    #[test]
    fn rfc2822_and_us_zone_names_are_read() {
        assert_eq!(
            show("Tue, 01 Jul 2003 10:52:37 +0200").as_deref(),
            Some("2003-07-01T10:52:37+02:00")
        );
        assert_eq!(
            show("Mon Aug 03 12:45:00 EDT 2015").as_deref(),
            Some("2015-08-03T12:45:00-04:00")
        );
    }

    #[test]
    fn every_format_pages_write_is_read_with_its_offset_and_no_invented_time() {
        let cases: &[(&str, &str)] = &[
            // ctime, and JavaScript's Date().toString()
            ("Tue May 24 05:55:00 2016", "2016-05-24T05:55:00+00:00"),
            ("Tue May  3 05:55:00 2016", "2016-05-03T05:55:00+00:00"),
            (
                "Mon Aug 03 2015 12:45:00 GMT+0200",
                "2015-08-03T12:45:00+02:00",
            ),
            // RFC 2822 and its variants with zone names
            ("Tue, 15 Sep 2020 10:01:41 GMT", "2020-09-15T10:01:41+00:00"),
            ("Tue, Sep 15 2020 10:01:41 EDT", "2020-09-15T10:01:41-04:00"),
            ("Tue, 15 Sep 2020 10:01 CEST", "2020-09-15T10:01:00+02:00"),
            ("Sep 15, 2020 10:01 PDT", "2020-09-15T10:01:00-07:00"),
            // ISO 8601 with a zone abbreviation, compact, short offsets, fractions
            ("2020-09-25T16:02:50CDT", "2020-09-25T16:02:50-05:00"),
            ("2020-09-25T16:02:50 JST", "2020-09-25T16:02:50+09:00"),
            ("20201123T11:02:35Z", "2020-11-23T11:02:35+00:00"),
            ("20201123T110235Z", "2020-11-23T11:02:35+00:00"),
            ("2020-11-23T11:02:35+01", "2020-11-23T11:02:35+01:00"),
            ("2020-11-23 11:02:35-03", "2020-11-23T11:02:35-03:00"),
            (
                "2020-11-23T11:02:35.123456+05:30",
                "2020-11-23T11:02:35.123456+05:30",
            ),
            ("2020-11-23T11:02:35.5Z", "2020-11-23T11:02:35.500+00:00"),
            // day first with dots, everywhere
            ("30.06.2022", "2022-06-30"),
            ("30.06.2022 14:05", "2022-06-30T14:05:00+00:00"),
            ("08.11.2021, 09:30", "2021-11-08T09:30:00+00:00"),
            // numbers with slashes that only one reading allows
            ("22/11/2020 - 04:30", "2020-11-22T04:30:00+00:00"),
            ("22/11/2020", "2020-11-22"),
            ("11/22/2020 10:15:00", "2020-11-22T10:15:00+00:00"),
            // a day stays a day
            ("2020-11-23", "2020-11-23"),
            ("20201123", "2020-11-23"),
        ];
        for (raw, expected) in cases {
            let parsed = parse(raw).map(|t| match t {
                // Fractions are shown as chrono writes them, in full.
                Timestamp::Instant(i) => i.to_rfc3339_opts(SecondsFormat::AutoSi, false),
                day @ Timestamp::Day(_) => day.to_string(),
            });
            assert_eq!(parsed.as_deref(), Some(*expected), "{raw}");
        }
    }

    #[test]
    fn a_numeric_date_both_ways_readable_follows_the_pages_language_or_is_not_read() {
        let day_first = DayOrder::of(Some("fr-FR"));
        let month_first = DayOrder::of(Some("en-US"));
        assert_eq!(day_first, Some(DayOrder::DayFirst));
        assert_eq!(month_first, Some(DayOrder::MonthFirst));
        assert_eq!(DayOrder::of(Some("en-GB")), Some(DayOrder::DayFirst));
        assert_eq!(DayOrder::of(Some("en")), Some(DayOrder::MonthFirst));
        assert_eq!(DayOrder::of(None), None);
        let show_in = |raw, order| parse_in(raw, order).map(|t| t.to_string());
        assert_eq!(
            show_in("04/05/2021", day_first).as_deref(),
            Some("2021-05-04")
        );
        assert_eq!(
            show_in("04/05/2021", month_first).as_deref(),
            Some("2021-04-05")
        );
        assert_eq!(
            show_in("04/05/2021", None),
            None,
            "ambiguous without a language"
        );
        assert_eq!(show_in("31/02/2021", day_first), None, "no such day");
        assert_eq!(
            show_in("4/5/21", day_first),
            None,
            "two-digit years are not read"
        );
    }

    #[test]
    fn ambiguous_zone_names_are_not_guessed() {
        assert_eq!(show("2020-09-25T16:02:50IST"), None);
        assert_eq!(show("Tue, 15 Sep 2020 10:01:41 IST"), None);
    }

    #[test]
    fn placeholders_and_garbage_give_nothing() {
        for raw in [
            "",
            "0000-00-00",
            "1970-01-01T00:00:00Z",
            "yesterday",
            "2024-13-45",
            "x".repeat(100).as_str(),
        ] {
            assert_eq!(show(raw), None, "{raw}");
        }
    }
}
