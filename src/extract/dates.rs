//! Publication dates as pages write them (ISO 8601 variants, RFC 2822, "March 3, 2015"…),
//! normalised to RFC 3339. Pure parsing: no clock, no time-zone database.

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
];

const DAY_ONLY: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
];

/// US zone abbreviations that still appear in `Date().toString()`-style strings.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("EST", -5),
    ("EDT", -4),
    ("CST", -6),
    ("CDT", -5),
    ("MST", -7),
    ("MDT", -6),
    ("PST", -8),
    ("PDT", -7),
];

/// Parses a date as pages write it. Returns `None` for anything it cannot read with certainty,
/// and for years outside 1900–2200 (placeholders such as `0000-00-00` or `1970-01-01T00:00:00Z`
/// from empty CMS fields).
#[must_use]
pub fn parse(raw: &str) -> Option<Timestamp> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let parsed = parse_instant(s)
        .map(Timestamp::Instant)
        .or_else(|| parse_day(s).map(Timestamp::Day))?;
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

/// "Mon Aug 03 2015 12:45:00 EDT" and "Mon Aug 03 12:45:00 EDT 2015".
fn parse_with_zone_name(s: &str) -> Option<DateTime<FixedOffset>> {
    let (zone, hours) = ZONES
        .iter()
        .find(|(zone, _)| s.split_whitespace().any(|w| w == *zone))?;
    let without_zone: String = s
        .split_whitespace()
        .filter(|w| w != zone)
        .collect::<Vec<_>>()
        .join(" ");
    let offset = FixedOffset::east_opt(hours * 3600)?;
    [
        "%a %b %d %H:%M:%S %Y",
        "%a %b %d %Y %H:%M:%S",
        "%b %d, %Y %H:%M",
    ]
    .iter()
    .find_map(|fmt| NaiveDateTime::parse_from_str(&without_zone, fmt).ok())
    .and_then(|naive| offset.from_local_datetime(&naive).single())
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
