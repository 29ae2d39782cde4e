//! Text hygiene for every string that leaves the extractor (docs/api.md, `GET /meta`): whitespace
//! collapsed, control, bidi-override and non-characters removed, lengths capped on a word boundary.

/// Longest title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest description kept, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
/// Longest short field kept (site name, category, author, keyword, alt text), in characters.
pub const MAX_SHORT_CHARS: usize = 200;

/// Characters that never reach the output: they reorder or hide text (bidi overrides and
/// isolates, which can disguise a title in a feed) or are not text at all.
fn is_removed(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' // LRE RLE PDF LRO RLO
        | '\u{2066}'..='\u{2069}' // LRI RLI FSI PDI
        | '\u{200E}' | '\u{200F}' // LRM RLM
        | '\u{061C}' // ALM
        | '\u{FEFF}' // BOM
        | '\u{00AD}' // soft hyphen
        | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation
        | '\u{FFFE}' | '\u{FFFF}'
    ) || (c.is_control() && !c.is_whitespace())
        || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
        || (c as u32 & 0xFFFE) == 0xFFFE
}

/// Whitespace that collapses; no-break and ideographic spaces are kept because French and CJK
/// typography depend on them (`« Bonjour »`, `東京で桜が満開　平年より`), unless they stand beside
/// ordinary whitespace.
fn is_collapsible_space(c: char) -> bool {
    c.is_whitespace() && !is_no_break_space(c)
}

fn is_no_break_space(c: char) -> bool {
    // The ideographic space is a full-width character of CJK headlines, not spacing to collapse.
    matches!(c, '\u{00A0}' | '\u{202F}' | '\u{2007}' | '\u{3000}')
}

/// Cleans `raw` and caps it at `max_chars` characters; `None` when nothing readable remains.
#[must_use]
pub fn clean(raw: &str, max_chars: usize) -> Option<String> {
    // Past `max_chars` characters the rest of a long text only says that there is a cut: it is
    // read only when the whitespace trimmed at the ends made the early stop undecided.
    let (cleaned, stopped_early) = collapse(raw, Some(max_chars));
    let cleaned = if stopped_early && cleaned.trim().chars().count() <= max_chars {
        collapse(raw, None).0
    } else {
        cleaned
    };
    let trimmed = cleaned.trim_matches(|c: char| c.is_whitespace());
    if trimmed.is_empty() {
        return None;
    }
    Some(truncate(trimmed, max_chars))
}

/// `raw` without removed characters and with runs of collapsible spaces made one; stops once
/// more than `stop_after` characters are kept (and says so).
fn collapse(raw: &str, stop_after: Option<usize>) -> (String, bool) {
    let cap = stop_after.map_or(raw.len(), |n| {
        raw.len().min(n.saturating_add(1).saturating_mul(4))
    });
    let mut out = String::with_capacity(cap);
    let mut pending_space = false;
    let mut count = 0usize;
    for c in raw.chars() {
        if stop_after.is_some_and(|n| count > n) {
            return (out, true);
        }
        if is_removed(c) {
            continue;
        }
        if is_collapsible_space(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            // A no-break space next to a collapsed run stays alone.
            if !out.ends_with(is_no_break_space) {
                out.push(' ');
                count += 1;
            }
            pending_space = false;
        }
        if is_no_break_space(c) && out.ends_with(' ') {
            out.pop();
            count -= 1;
        }
        out.push(c);
        count += 1;
    }
    (out, false)
}

/// Cuts `s` to at most `max_chars` characters, at the last word boundary when one is near, and
/// marks the cut with an ellipsis.
#[must_use]
pub fn truncate(s: &str, max_chars: usize) -> String {
    let Some((cut, _)) = s.char_indices().nth(max_chars) else {
        return s.to_owned();
    };
    let head = &s[..cut];
    let head = head
        .char_indices()
        .nth(max_chars.saturating_sub(1))
        .map_or(head, |(i, _)| &head[..i]);
    let boundary = head
        .rfind(char::is_whitespace)
        .filter(|&i| head[..i].chars().count() * 5 >= max_chars * 4);
    let kept = boundary.map_or(head, |i| &head[..i]);
    format!(
        "{}…",
        kept.trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == ';')
    )
}

/// Decodes HTML character references in text that did not pass through the HTML tokenizer
/// (JSON-LD strings), and double-encoded entities some CMSs emit (`&amp;#8217;`).
#[must_use]
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('&') {
        html_escape::decode_html_entities(s)
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Letters and digits only, lower-cased, accents kept: for comparing names written with
/// different punctuation ("Le Quotidien Numérique" vs "lequotidien-numerique").
#[must_use]
pub fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(strip_accent)
        .collect()
}

/// The base letter of the common Latin accented letters; enough to match a host name
/// (`lequotidien-numerique`) with its site name (`Le Quotidien Numérique`).
fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' | 'ß' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ř' => 'r',
        'ł' => 'l',
        _ => c,
    }
}

/// True when a cleaned string contains a character that must never be output.
#[must_use]
pub fn has_forbidden_char(s: &str) -> bool {
    s.chars()
        .any(|c| is_removed(c) || c.is_control() || c == '\u{2028}' || c == '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_runs_collapse_and_ends_are_trimmed() {
        assert_eq!(
            clean("  Hello \n\t world  ", 100).as_deref(),
            Some("Hello world")
        );
    }

    #[test]
    fn controls_bidi_overrides_and_line_separators_are_removed() {
        let dirty = "Ti\u{0}tle\u{1b}[31m \u{202E}evil\u{202C}\u{2028}next\u{FFFE}";
        let cleaned = clean(dirty, 100).unwrap();
        assert_eq!(cleaned, "Title[31m evil next");
        assert!(!has_forbidden_char(&cleaned));
    }

    #[test]
    fn french_no_break_spaces_survive() {
        assert_eq!(
            clean("« Bonjour »\u{a0}: quoi\u{202f}?", 100).as_deref(),
            Some("« Bonjour »\u{a0}: quoi\u{202f}?")
        );
    }

    #[test]
    fn long_text_is_cut_on_a_word_boundary_with_an_ellipsis() {
        let long = "mot ".repeat(100);
        let cut = clean(&long, 50).unwrap();
        assert!(cut.chars().count() <= 50, "{cut}");
        assert!(cut.ends_with("mot…"), "{cut}");
    }

    #[test]
    fn text_without_spaces_is_cut_at_the_limit() {
        let cut = truncate(&"日本語".repeat(200), 300);
        assert_eq!(cut.chars().count(), 300);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn blank_text_is_no_text() {
        assert_eq!(clean(" \u{200F}\n ", 10), None);
    }

    #[test]
    fn fold_ignores_case_accents_and_punctuation() {
        assert_eq!(
            fold("Le Quotidien Numérique"),
            fold("lequotidien-numerique")
        );
    }
}
