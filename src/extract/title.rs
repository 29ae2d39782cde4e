//! The headline inside a title: a site name glued before or after it ("… - Le Quotidien
//! Numérique", "Le Quotidien Numérique — …") is cut when the evidence says it is the site's
//! name; a title that merely contains a dash is kept whole.

use super::text::fold;

/// Separators that glue a site name to a headline; only with spaces around them, so that
/// "Covid-19" or "2,9" never split.
const SEPARATORS: &[&str] = &[
    " | ", " - ", " – ", " — ", " · ", " • ", " :: ", " » ", " / ", " ~ ", " ‹ ", " › ",
];

/// What the page says about its own name.
#[derive(Debug, Default, Clone)]
pub struct SiteEvidence<'a> {
    /// Names from metadata (`og:site_name`, JSON-LD publisher, `application-name`…) and from
    /// the page's chrome (logo `alt`, home link).
    pub names: Vec<&'a str>,
    /// The page's host name.
    pub host: Option<&'a str>,
    /// Text of the site header and footer, where a site name repeats.
    pub chrome_text: &'a str,
    /// Another source's headline: a part equal to it is the headline, so the rest is not.
    pub headline: Option<&'a str>,
}

/// The headline of `title`, and the site name cut from it, if any.
#[must_use]
pub fn split_site_name(title: &str, evidence: &SiteEvidence<'_>) -> (String, Option<String>) {
    if let Some(found) = evidence.headline.and_then(|h| around_headline(title, h)) {
        return found;
    }
    let mut headline = title.trim().to_owned();
    let mut site = None;
    // "Headline - Section - Site": the site first, then a part that repeats in the chrome.
    for _ in 0..2 {
        match cut_once(&headline, evidence) {
            Some((rest, part)) => {
                site.get_or_insert(part);
                headline = rest;
            }
            None => break,
        }
    }
    (headline, site)
}

/// `title` without a date before or after a separator ("08.11.2021 | Headline", "Headline -
/// 24 mai 2016"), as `is_date` recognises it.
#[must_use]
pub fn strip_date(title: &str, is_date: impl Fn(&str) -> bool) -> &str {
    for sep in SEPARATORS {
        if let Some((before, after)) = title.split_once(sep)
            && is_date(before.trim())
            && !after.trim().is_empty()
        {
            return after.trim();
        }
        if let Some((before, after)) = title.rsplit_once(sep)
            && is_date(after.trim())
            && !before.trim().is_empty()
        {
            return before.trim();
        }
    }
    title
}

/// `title` without what follows `headline` after a separator ("Headline - webpack - Medium"),
/// when the part before the first such separator is `headline` itself.
#[must_use]
pub fn before_suffix<'a>(title: &'a str, headline: &str) -> Option<&'a str> {
    let wanted = fold(headline);
    if wanted.is_empty() {
        return None;
    }
    SEPARATORS.iter().find_map(|sep| {
        let (before, after) = title.split_once(sep)?;
        // A trail of several parts is chrome even in lower case ("webpack - Medium").
        let is_suffix = looks_like_a_name(after)
            || (after.contains(sep) && after.split_whitespace().count() <= 6);
        (fold(before) == wanted && is_suffix).then(|| before.trim())
    })
}

/// When another source's headline is one side of a separator, the other side is chrome.
fn around_headline(title: &str, headline: &str) -> Option<(String, Option<String>)> {
    let wanted = fold(headline);
    if wanted.is_empty() {
        return None;
    }
    for sep in SEPARATORS {
        for (i, _) in title.match_indices(sep) {
            let (before, after) = (&title[..i], &title[i + sep.len()..]);
            if fold(before) == wanted && looks_like_a_name(after) && is_not_shorter(before, after) {
                let site = after.rsplit(sep).next().unwrap_or(after).trim().to_owned();
                return Some((before.trim().to_owned(), Some(site)));
            }
            if fold(after) == wanted && looks_like_a_name(before) && is_not_shorter(after, before) {
                let site = before.split(sep).next().unwrap_or(before).trim().to_owned();
                return Some((after.trim().to_owned(), Some(site)));
            }
        }
    }
    None
}

/// A headline kept beside a cut part is at least as long as that part, or has several words.
fn is_not_shorter(kept: &str, cut: &str) -> bool {
    kept.split_whitespace().count() >= 2
        || kept.trim().chars().count() >= cut.trim().chars().count()
}

/// Short, and not the continuation of a sentence ("- and what it doesn't").
fn looks_like_a_name(part: &str) -> bool {
    let part = part.trim();
    part.split_whitespace().count() <= 6
        && part.chars().count() <= 60
        && !part.starts_with(char::is_lowercase)
}

fn cut_once(title: &str, evidence: &SiteEvidence<'_>) -> Option<(String, String)> {
    let positions: Vec<(usize, usize)> = SEPARATORS
        .iter()
        .flat_map(|sep| title.match_indices(sep).map(|(i, s)| (i, s.len())))
        .collect();
    let last = positions.iter().max_by_key(|(i, _)| *i)?;
    let first = positions.iter().min_by_key(|(i, _)| *i)?;
    let (head, suffix) = (&title[..last.0], &title[last.0 + last.1..]);
    if is_site_name(suffix, head, evidence) {
        return Some((head.trim().to_owned(), suffix.trim().to_owned()));
    }
    let (prefix, rest) = (&title[..first.0], &title[first.0 + first.1..]);
    if is_site_name(prefix, rest, evidence) {
        return Some((rest.trim().to_owned(), prefix.trim().to_owned()));
    }
    None
}

fn is_site_name(part: &str, other: &str, evidence: &SiteEvidence<'_>) -> bool {
    let part = part.trim();
    let folded = fold(part);
    if folded.is_empty()
        || fold(other).is_empty()
        || part.chars().count() > 60
        || part.split_whitespace().count() > 8
    {
        return false;
    }
    if evidence.names.iter().any(|n| fold(n) == folded) {
        return true;
    }
    if evidence.headline.is_some_and(|h| fold(h) == fold(other)) && looks_like_a_name(part) {
        return true;
    }
    if evidence
        .host
        .is_some_and(|host| host_matches(host, &folded, part))
    {
        return true;
    }
    part.chars().count() >= 3
        && evidence
            .chrome_text
            .to_lowercase()
            .contains(&part.to_lowercase())
}

/// "lequotidien-numerique.fr" names "Le Quotidien Numérique"; "bbc.co.uk" names "BBC News".
fn host_matches(host: &str, folded: &str, part: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let names: &[&str] = if labels.len() > 1 {
        &labels[..labels.len() - 1]
    } else {
        &labels
    };
    names
        .iter()
        .filter(|l| {
            !matches!(
                **l,
                "www"
                    | "m"
                    | "amp"
                    | "mobile"
                    | "edition"
                    | "co"
                    | "com"
                    | "org"
                    | "net"
                    | "ac"
                    | "gov"
            )
        })
        .map(|l| fold(l))
        .any(|label| {
            label == folded
                || (folded.len() >= 4 && label.contains(folded))
                || (label.len() >= 3
                    && folded.starts_with(&label)
                    && part.split_whitespace().count() <= 3)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(title: &str, evidence: &SiteEvidence<'_>) -> (String, Option<String>) {
        split_site_name(title, evidence)
    }

    #[test]
    fn a_suffix_matching_the_site_name_is_cut() {
        let ev = SiteEvidence {
            names: vec!["Le Quotidien Numérique"],
            ..SiteEvidence::default()
        };
        assert_eq!(
            split(
                "Microsoft investit 2,9 milliards - Le Quotidien Numérique",
                &ev
            ),
            (
                "Microsoft investit 2,9 milliards".to_owned(),
                Some("Le Quotidien Numérique".to_owned())
            )
        );
    }

    #[test]
    fn a_prefix_matching_the_host_is_cut() {
        let ev = SiteEvidence {
            host: Some("www.lequotidien-numerique.fr"),
            ..SiteEvidence::default()
        };
        assert_eq!(
            split("Le Quotidien Numérique — Titre du jour", &ev).0,
            "Titre du jour"
        );
    }

    #[test]
    fn a_title_that_merely_contains_a_dash_is_kept() {
        let ev = SiteEvidence {
            names: vec!["Le Monde"],
            host: Some("lemonde.fr"),
            ..SiteEvidence::default()
        };
        let title = "Covid-19 : la France - et l'Europe - face à la vague";
        assert_eq!(split(title, &ev), (title.to_owned(), None));
    }

    #[test]
    fn a_name_repeated_in_the_footer_is_cut() {
        let ev = SiteEvidence {
            chrome_text: "© 2024 Daily Planet. All rights reserved.",
            ..SiteEvidence::default()
        };
        assert_eq!(
            split("Storm hits the coast | Daily Planet", &ev).0,
            "Storm hits the coast"
        );
    }

    #[test]
    fn the_part_equal_to_another_headline_is_kept() {
        let ev = SiteEvidence {
            headline: Some("Storm hits the coast"),
            ..SiteEvidence::default()
        };
        assert_eq!(
            split("Storm hits the coast - Weather - Planet", &ev),
            ("Storm hits the coast".to_owned(), Some("Planet".to_owned()))
        );
    }
}
