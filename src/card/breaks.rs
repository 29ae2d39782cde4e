//! Where a line of a card may break, as a typographer would choose: UAX #14 by ICU4X, with its
//! word segmentation for scripts written without spaces (Thai, Lao, Khmer, Myanmar); Japanese
//! and Chinese between phrases (`BudouX`'s models), not between any two characters; and, only for
//! a word too long for a line, its hyphenation points in the article's language (TeX patterns)
//! or the character breaks UAX #14 allows inside a phrase. Pure.

use std::sync::OnceLock;

use hypher::Lang;
use icu_segmenter::LineSegmenter;
use icu_segmenter::options::LineBreakOptions;
use unicode_script::{Script, UnicodeScript};

/// A place where a line may end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Break {
    /// Byte offset where the next line starts.
    pub at: usize,
    /// The line must end here (a hard line break, or the end of the text).
    pub mandatory: bool,
    /// The line ending here takes a visible hyphen (a hyphenated word).
    pub hyphen: bool,
}

/// The break opportunities of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breaks {
    /// Where lines may end, in order.
    pub points: Vec<Break>,
    /// Finer places, used only inside a piece wider than the line: between the characters of a
    /// phrase, and a long word's hyphenation points.
    pub fallback: Vec<Break>,
}

/// Words shorter than this are never hyphenated (in characters).
const MIN_HYPHENATED: usize = 6;

/// The break opportunities of `text`, written in `lang` (BCP 47) when known.
#[must_use]
pub fn find(text: &str, lang: Option<&str>) -> Breaks {
    let legal: Vec<usize> = segmenter().segment_str(text).filter(|&at| at > 0).collect();
    let phrases = phrase_language(text, lang).map(|model| phrase_boundaries(text, model));
    let mut breaks = Breaks {
        points: Vec::with_capacity(legal.len()),
        fallback: Vec::new(),
    };
    for &at in &legal {
        let before = text[..at].chars().next_back();
        let mandatory = at == text.len() || before.is_some_and(is_hard_break);
        let point = Break {
            at,
            mandatory,
            hyphen: false,
        };
        let inside_phrase = !mandatory
            && phrases.as_ref().is_some_and(|boundaries| {
                let after = text[at..].chars().next();
                !boundaries.contains(&at)
                    && (before.is_some_and(is_phrase_char) || after.is_some_and(is_phrase_char))
                    && !before.is_some_and(char::is_whitespace)
                    && !after.is_some_and(char::is_whitespace)
            });
        if inside_phrase {
            breaks.fallback.push(point);
        } else {
            breaks.points.push(point);
        }
    }
    if let Some(language) = lang.and_then(hyphenation_language) {
        let mut start = 0;
        for &end in &legal {
            hyphenate(language, text, start..end, &mut breaks.fallback);
            start = end;
        }
        breaks.fallback.sort_by_key(|point| point.at);
    }
    breaks
}

fn segmenter() -> &'static icu_segmenter::LineSegmenterBorrowed<'static> {
    static SEGMENTER: OnceLock<icu_segmenter::LineSegmenterBorrowed<'static>> = OnceLock::new();
    SEGMENTER.get_or_init(|| LineSegmenter::new_auto(LineBreakOptions::default()))
}

fn is_hard_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Which `BudouX` model reads `text`: from the language, else from the script (kana: Japanese).
fn phrase_language(text: &str, lang: Option<&str>) -> Option<Phrases> {
    let lang = lang.map(str::to_ascii_lowercase);
    match lang.as_deref() {
        Some(l) if l == "ja" || l.starts_with("ja-") => return Some(Phrases::Japanese),
        Some(l) if l.starts_with("zh") => {
            let traditional = ["hant", "-tw", "-hk", "-mo"].iter().any(|t| l.contains(t));
            return Some(if traditional {
                Phrases::TraditionalChinese
            } else {
                Phrases::SimplifiedChinese
            });
        }
        _ => {}
    }
    let mut han = false;
    for c in text.chars() {
        match c.script() {
            Script::Hiragana | Script::Katakana => return Some(Phrases::Japanese),
            Script::Han => han = true,
            _ => {}
        }
    }
    han.then_some(Phrases::SimplifiedChinese)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Phrases {
    Japanese,
    SimplifiedChinese,
    TraditionalChinese,
}

/// Byte offsets where `BudouX` ends a phrase.
fn phrase_boundaries(text: &str, model: Phrases) -> Vec<usize> {
    static PARSERS: OnceLock<[budoux_phf_rs::Parser; 3]> = OnceLock::new();
    let parsers = PARSERS.get_or_init(|| {
        [
            budoux_phf_rs::Parser::japanese_parser(),
            budoux_phf_rs::Parser::simplified_chinese_parser(),
            budoux_phf_rs::Parser::traditional_chinese_parser(),
        ]
    });
    let parser = &parsers[model as usize];
    let mut boundaries = Vec::new();
    let mut at = 0;
    parser.parse_with(text, |phrase| {
        at += phrase.len();
        boundaries.push(at);
    });
    boundaries
}

/// Characters of the scripts `BudouX` reads, and their punctuation.
fn is_phrase_char(c: char) -> bool {
    matches!(
        c.script(),
        Script::Han | Script::Hiragana | Script::Katakana
    ) || matches!(c, '\u{3000}'..='\u{303F}' | '\u{30FC}' | '\u{FF00}'..='\u{FFEF}')
}

/// The hyphenation patterns for a BCP 47 tag, if there are any.
fn hyphenation_language(tag: &str) -> Option<Lang> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_bytes() {
        &[a, b] => Lang::from_iso([a, b]),
        _ => None,
    }
}

/// Adds the hyphenation points of the word in `text[range]` (punctuation and spaces around it
/// left aside) to `out`.
fn hyphenate(language: Lang, text: &str, range: std::ops::Range<usize>, out: &mut Vec<Break>) {
    let segment = &text[range.clone()];
    let word = segment.trim_end_matches(|c: char| !c.is_alphanumeric());
    let lead = word.len()
        - word
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .len();
    let word = &word[lead..];
    if word.chars().count() < MIN_HYPHENATED || !word.chars().all(char::is_alphabetic) {
        return;
    }
    let mut at = range.start + lead;
    let mut syllables = hypher::hyphenate(word, language).peekable();
    while let Some(syllable) = syllables.next() {
        at += syllable.len();
        if syllables.peek().is_some() {
            out.push(Break {
                at,
                mandatory: false,
                hyphen: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines a break list allows: the text between consecutive points.
    fn pieces(text: &str, lang: Option<&str>) -> Vec<String> {
        let breaks = find(text, lang);
        let mut start = 0;
        breaks
            .points
            .iter()
            .map(|point| {
                let piece = text[start..point.at].to_owned();
                start = point.at;
                piece
            })
            .collect()
    }

    #[test]
    fn thai_breaks_between_words_never_inside_one() {
        let title = "ธนาคารแห่งประเทศไทยปรับลดอัตราดอกเบี้ยนโยบาย";
        let words = pieces(title, Some("th"));
        assert!(words.len() >= 4, "{words:?}");
        assert!(words.iter().any(|w| w.starts_with("ปรับ")), "{words:?}");
        assert!(!words.iter().any(|w| w.ends_with("ป")), "{words:?}");
        // Without a language tag too: the script says it.
        assert_eq!(pieces(title, None), words);
    }

    #[test]
    fn lao_khmer_and_myanmar_get_word_breaks_too() {
        for text in ["ສະບາຍດີປະເທດລາວ", "ព្រះរាជាណាចក្រកម្ពុជា", "မြန်မာနိုင်ငံသတင်း"]
        {
            assert!(pieces(text, None).len() > 1, "{text}");
        }
    }

    #[test]
    fn japanese_breaks_between_phrases_and_keeps_its_kinsoku() {
        let title = "東京の桜、平年より5日早く開花した";
        let phrases = pieces(title, Some("ja"));
        assert!(phrases.iter().all(|p| !p.starts_with('り')), "{phrases:?}");
        assert!(phrases.iter().any(|p| p.contains("より")), "{phrases:?}");
        // No line starts with a closing mark or a small kana.
        assert!(
            phrases.iter().all(|p| !p.starts_with(['、', '。', 'ょ'])),
            "{phrases:?}"
        );
        // The character breaks are still there for a phrase longer than a line.
        let breaks = find(title, Some("ja"));
        assert!(breaks.fallback.iter().any(|b| !b.hyphen), "{breaks:?}");
    }

    #[test]
    fn chinese_breaks_between_words() {
        let phrases = pieces("今天是晴天，北京的天气很好。", Some("zh-Hans"));
        assert!(
            phrases.contains(&"今天".to_owned()) || phrases[0].starts_with("今天"),
            "{phrases:?}"
        );
        assert!(!phrases.iter().any(|p| p == "今"), "{phrases:?}");
        assert!(phrases.len() < "今天是晴天，北京的天气很好。".chars().count() - 3);
    }

    #[test]
    fn long_words_get_hyphenation_points_in_their_language_only() {
        let text = "Donaudampfschifffahrtsgesellschaftskapitäns Mütze";
        let breaks = find(text, Some("de"));
        let hyphens: Vec<usize> = breaks
            .fallback
            .iter()
            .filter(|b| b.hyphen)
            .map(|b| b.at)
            .collect();
        assert!(hyphens.len() >= 5, "{hyphens:?}");
        assert!(hyphens.iter().all(|&at| at < text.find(' ').unwrap()));
        assert!(
            hyphens.contains(&"Donau".len()) || hyphens.contains(&"Donaudampf".len()),
            "{hyphens:?}"
        );
        // Unknown language, or a short word: no hyphenation.
        assert!(find(text, None).fallback.is_empty());
        assert!(find("Le chat", Some("fr")).fallback.is_empty());
        // The language of the tag, whatever its region.
        assert_eq!(hyphenation_language("en-GB"), Some(Lang::English));
        assert_eq!(hyphenation_language("de_CH"), Some(Lang::German));
        assert_eq!(hyphenation_language("fr-CA"), Some(Lang::French));
        assert_eq!(hyphenation_language("nb"), Some(Lang::Norwegian));
        assert_eq!(hyphenation_language("ja"), None);
        assert_eq!(hyphenation_language("und"), None);
    }

    #[test]
    fn latin_text_breaks_at_spaces_and_after_hyphens_as_before() {
        assert_eq!(
            pieces("Jean-Marc arrive à 9 h", Some("fr")),
            ["Jean-", "Marc ", "arrive ", "à ", "9 ", "h"]
        );
        let last = find("a\nb", None);
        assert!(last.points[0].mandatory && last.points[1].mandatory);
    }
}
