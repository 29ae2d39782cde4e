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

impl Timestamp {
    /// The calendar day, in the page's own offset.
    #[must_use]
    pub fn day(&self) -> NaiveDate {
        match self {
            Timestamp::Instant(i) => i.date_naive(),
            Timestamp::Day(d) => *d,
        }
    }

    fn year(&self) -> i32 {
        match self {
            Timestamp::Instant(i) => chrono::Datelike::year(i),
            Timestamp::Day(d) => chrono::Datelike::year(d),
        }
    }
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
    if !(1900..=2200).contains(&parsed.year()) || is_epoch(&parsed) {
        return None;
    }
    Some(parsed)
}

/// Whether `t` can be a publication date: the web's news began in the mid-nineties (a date
/// before 1995 on a page is a historical date, a birth date, a placeholder).
#[must_use]
pub fn plausibly_published(t: &Timestamp) -> bool {
    t.year() >= 1995
}

/// [`plausibly_published`], and not after `latest_day` when there is one.
#[must_use]
pub fn publishable(t: &Timestamp, latest_day: Option<NaiveDate>) -> bool {
    plausibly_published(t) && latest_day.is_none_or(|last| t.day() <= last)
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
    if let Some(t) = parse_naive(s) {
        return Some(Utc.from_utc_datetime(&t).fixed_offset());
    }
    if let Some(t) = parse_unix_seconds(s) {
        return Some(t);
    }
    None
}

fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    NAIVE_TIME
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(s, fmt).ok())
}

/// A date as the page shows it to people (a dateline's text, a `title`): an instant only when
/// the text names its zone or offset, else the day (a shown time without a zone is in the
/// page's zone, which is unknown); then [`parse_written`].
#[must_use]
pub fn parse_shown(text: &str, order: Option<DayOrder>, lang: Option<&str>) -> Option<Timestamp> {
    let s = text.trim();
    let zoneless_day = || {
        parse_naive(s)
            .map(|t| t.date())
            .or_else(|| match parse_numeric(s, order)? {
                Timestamp::Day(d) => Some(d),
                Timestamp::Instant(i) => Some(i.date_naive()),
            })
    };
    let parsed = zoneless_day()
        .map(Timestamp::Day)
        .or_else(|| parse_in(s, order))
        .or_else(|| parse_written(s, lang).map(Timestamp::Day));
    parsed.filter(|t| (1900..=2200).contains(&t.year()))
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

/// The first date written in `text` as people write it, in the page's language `lang`: "24 mai
/// 2016", "jueves 2 de abril de 2020", "30. Juni 2022", "Posted on August 2, 2019",
/// "2020. május 24.", "2020年8月24日", "2020년 8월 24일", or in numbers ("Publié le 22/11/2020 à
/// 04h30", in the language's day order). A calendar day: no time is read from prose, whose zone
/// is unknown.
#[must_use]
pub fn parse_written(text: &str, lang: Option<&str>) -> Option<NaiveDate> {
    if text.len() > 400 {
        return None;
    }
    let words = written_tokens(text);
    let by_name = (0..words.len()).find_map(|i| date_around_month(&words, i, lang));
    by_name
        .or_else(|| cjk_date(&words))
        .or_else(|| numeric_in_text(text, DayOrder::of(lang)))
}

#[derive(Debug, Clone, PartialEq)]
enum Word {
    /// A run of ASCII digits: its value and how many digits.
    Number(u32, usize),
    /// A run of letters (any script), lower case.
    Letters(String),
}

fn written_tokens(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, words: &mut Vec<Word>| {
        if current.is_empty() {
            return;
        }
        let word = std::mem::take(current);
        if word.bytes().all(|b| b.is_ascii_digit()) {
            words.push(Word::Number(word.parse().unwrap_or(u32::MAX), word.len()));
        } else {
            words.push(Word::Letters(word.to_lowercase()));
        }
    };
    for c in text.chars() {
        let digit = c.is_ascii_digit();
        let letter = c.is_alphabetic() || c == '\u{301}';
        let same_kind = current
            .chars()
            .next_back()
            .is_some_and(|last| last.is_ascii_digit() == digit);
        if (digit || letter) && (current.is_empty() || same_kind) {
            current.push(c);
        } else {
            flush(&mut current, &mut words);
            if digit || letter {
                current.push(c);
            }
        }
        if words.len() > 80 {
            break;
        }
    }
    flush(&mut current, &mut words);
    words
}

fn day_number(word: Option<&Word>) -> Option<u32> {
    match word? {
        Word::Number(n, digits) if *digits <= 2 && (1..=31).contains(n) => Some(*n),
        _ => None,
    }
}

fn year_number(word: Option<&Word>) -> Option<i32> {
    match word? {
        Word::Number(n, 4) => i32::try_from(*n).ok(),
        _ => None,
    }
}

/// A short word between a day, a month and a year: "de", "of", "the", "le", "er" of "1er",
/// "th" of "2nd"…
fn is_filler(word: Option<&Word>) -> bool {
    matches!(word, Some(Word::Letters(w)) if w.chars().count() <= 3)
}

/// A date whose month is named at `i` (one or two words): the day before it (or after it, in
/// English) and the year after it, or the year before it and the day after (Hungarian).
fn date_around_month(words: &[Word], i: usize, lang: Option<&str>) -> Option<NaiveDate> {
    if !matches!(words[i], Word::Letters(_)) {
        return None;
    }
    let (month, name_words) = (1..=super::months::MAX_NAME_WORDS).rev().find_map(|n| {
        let name = words
            .get(i..i + n)?
            .iter()
            .try_fold(String::new(), |acc, w| match w {
                Word::Letters(l) if acc.is_empty() => Some(l.clone()),
                Word::Letters(l) => Some(format!("{acc} {l}")),
                Word::Number(..) => None,
            })?;
        super::months::month(&name, lang).map(|m| (m, n))
    })?;
    let at = |k: isize| i.checked_add_signed(k).and_then(|k| words.get(k));
    let after = isize::try_from(name_words).ok()?;
    // The day: just before, or before a filler ("2 de abril", "1er mai"), or just after.
    let day_before =
        day_number(at(-1)).or_else(|| is_filler(at(-1)).then(|| day_number(at(-2))).flatten());
    let day_after = day_number(at(after)).map(|d| (d, after + 1)).or_else(|| {
        is_filler(at(after + 1))
            .then(|| day_number(at(after)))
            .flatten()
            .map(|d| (d, after + 2))
    });
    // The year after the month (and the day), a filler allowed between ("de 2020").
    let year_from = |k: isize| {
        year_number(at(k)).or_else(|| is_filler(at(k)).then(|| year_number(at(k + 1))).flatten())
    };
    let (day, year) = if let Some(day) = day_before {
        (day, year_from(after)?)
    } else if let Some(year) = year_number(at(-1)) {
        (day_number(at(after))?, year)
    } else {
        let (day, next) = day_after?;
        (day, year_from(next)?)
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// "2020年8月24日", "2020년 8월 24일".
fn cjk_date(words: &[Word]) -> Option<NaiveDate> {
    let marked = |w: Option<&Word>, marks: &[&str]| matches!(w, Some(Word::Letters(l)) if marks.iter().any(|m| l.starts_with(m)));
    words.windows(6).find_map(|w| {
        let year = year_number(w.first())?;
        let month = match w.get(2)? {
            Word::Number(m, _) if (1..=12).contains(m) => *m,
            _ => return None,
        };
        let day = day_number(w.get(4))?;
        (marked(w.get(1), &["年", "년"])
            && marked(w.get(3), &["月", "월"])
            && marked(w.get(5), &["日", "일"]))
        .then(|| NaiveDate::from_ymd_opt(year, month, day))
        .flatten()
    })
}

/// A numeric date inside a sentence: `dd/mm/yyyy`, `dd.mm.yyyy`, `dd-mm-yyyy` or `yyyy-mm-dd`
/// (and `/`, `.`), read as [`parse_in`] reads it alone.
fn numeric_in_text(text: &str, order: Option<DayOrder>) -> Option<NaiveDate> {
    let chars: Vec<char> = text.chars().collect();
    let is_sep = |c: char| matches!(c, '/' | '.' | '-');
    (0..chars.len()).find_map(|start| {
        if start > 0 && chars[start - 1].is_ascii_digit() || !chars[start].is_ascii_digit() {
            return None;
        }
        let candidate: String = chars[start..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || is_sep(**c))
            .collect();
        let candidate = candidate.trim_end_matches(is_sep);
        if candidate.len() < 8 || candidate.len() > 10 {
            return None;
        }
        let dotted_day_first = candidate.split('.').collect::<Vec<_>>().len() == 3;
        let parsed = if dotted_day_first {
            NaiveDate::parse_from_str(candidate, "%d.%m.%Y")
                .or_else(|_| NaiveDate::parse_from_str(candidate, "%Y.%m.%d"))
                .ok()
                .map(Timestamp::Day)
        } else {
            parse_day(candidate)
                .map(Timestamp::Day)
                .or_else(|| parse_numeric(candidate, order))
        };
        match parsed {
            Some(Timestamp::Day(day)) => Some(day),
            Some(Timestamp::Instant(i)) => Some(i.date_naive()),
            None => None,
        }
    })
}

/// A date in a URL path, as CMSs put it: `/2020/08/24/`, `/2020-08-24-slug`, `/20200824/`.
#[must_use]
pub fn from_path(path: &str) -> Option<NaiveDate> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let number = |s: &str, digits: usize| {
        (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let plausible = |y: u32, m: u32, d: u32| {
        (1995..=2100)
            .contains(&y)
            .then(|| NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d))
            .flatten()
    };
    segments
        .windows(3)
        .find_map(|w| plausible(number(w[0], 4)?, number(w[1], 2)?, number(w[2], 2)?))
        .or_else(|| {
            segments.iter().find_map(|s| {
                let head: String = s.chars().take(10).collect();
                if let [y, m, d] = head.split('-').collect::<Vec<_>>().as_slice() {
                    return plausible(number(y, 4)?, number(m, 2)?, number(d, 2)?);
                }
                let head = s.get(..8)?;
                let rest_ok = s.len() == 8 || s[8..].starts_with(['-', '_', '.']);
                (rest_ok && head.bytes().all(|b| b.is_ascii_digit())).then(|| {
                    plausible(
                        head[..4].parse().ok()?,
                        head[4..6].parse().ok()?,
                        head[6..].parse().ok()?,
                    )
                })?
            })
        })
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
    fn dates_written_in_the_pages_language_are_read_as_days() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("Publié le 24 mai 2016 à 10h", Some("fr"), "2016-05-24"),
            ("Le 1er mai 2016", Some("fr-FR"), "2016-05-01"),
            ("Geplaatst op 9 oktober 2020", Some("nl"), "2020-10-09"),
            ("jueves 2 de abril de 2020", Some("es"), "2020-04-02"),
            (
                "Aktualisiert am 30. Juni 2022, 14:05 Uhr",
                Some("de"),
                "2022-06-30",
            ),
            ("Posted on August 2, 2019 by Jane", Some("en"), "2019-08-02"),
            ("Sept. 3rd, 2021", Some("en-US"), "2021-09-03"),
            ("24 мая 2016 г., 10:30", Some("ru"), "2016-05-24"),
            ("2 квітня 2020", Some("uk"), "2020-04-02"),
            ("24 Ağustos 2020 Pazartesi", Some("tr"), "2020-08-24"),
            ("12 października 2021", Some("pl"), "2021-10-12"),
            ("3 de março de 2022", Some("pt-BR"), "2022-03-03"),
            ("5 giugno 2020", Some("it"), "2020-06-05"),
            ("2020. május 24.", Some("hu"), "2020-05-24"),
            ("24 Μαΐου 2016", Some("el"), "2016-05-24"),
            ("15 maart 2019", None, "2019-03-15"),
            ("2020年8月24日 10時30分", Some("ja"), "2020-08-24"),
            ("2020년 8월 24일", Some("ko"), "2020-08-24"),
            ("Publié le 22/11/2020 - 04:30", Some("fr"), "2020-11-22"),
            ("Stand: 08.11.2021 | 10:02 Uhr", Some("de"), "2021-11-08"),
            ("15 يونيو 2021", Some("ar"), "2021-06-15"),
        ];
        for (text, lang, expected) in cases {
            assert_eq!(
                parse_written(text, *lang).map(|d| d.to_string()).as_deref(),
                Some(*expected),
                "{text}"
            );
        }
        for (text, lang) in [
            ("3 days ago", Some("en")),
            ("May the force be with you", Some("en")),
            ("Chapter 12 of 2020", Some("en")),
            ("Preis: 30 Euro", Some("de")),
        ] {
            assert_eq!(parse_written(text, lang), None, "{text}");
        }
    }

    #[test]
    fn a_date_in_the_url_path_is_read_when_plausible() {
        for (path, expected) in [
            ("/2020/08/24/slug", Some("2020-08-24")),
            ("/news/2020-08-24-slug", Some("2020-08-24")),
            ("/archive/20200824/slug", Some("2020-08-24")),
            ("/2020/13/40/slug", None),
            ("/1990/01/01/too-early", None),
            ("/products/12345678", None),
        ] {
            assert_eq!(
                from_path(path).map(|d| d.to_string()).as_deref(),
                expected,
                "{path}"
            );
        }
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
