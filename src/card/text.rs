//! Text layout for cards, without pixels: bidi levels (UAX #9), font fallback per run, shaping
//! with harfrust, line breaking by UAX #14 on shaped widths (kinsoku and French no-break
//! spaces come with it), auto-sizing, balanced lines, and an ellipsis when nothing fits.

use std::ops::Range;

use harfrust::{Buffer, Direction, ShapeOptions, ShaperFont};
use unicode_bidi::{BidiInfo, Level};
use unicode_linebreak::{BreakOpportunity, linebreaks};
use unicode_script::{Script, UnicodeScript};

use super::fonts::{FaceId, FontBook, Weight};

const ELLIPSIS: &str = "…";

/// How a paragraph is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle<'a> {
    pub weight: Weight,
    /// BCP 47 language: chooses CJK glyph variants and language-specific shaping.
    pub lang: Option<&'a str>,
    /// The paragraph direction; `None` takes it from the first strong character.
    pub rtl: Option<bool>,
    /// Family tried first; other faces fill in what it does not cover.
    pub family: Option<&'a str>,
}

/// How lines are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Wrap {
    /// Each line takes as many words as fit (CSS's default).
    Greedy,
    /// The same number of lines, as even as possible (CSS `text-wrap: balance`): no lone word
    /// on the last line.
    Balance,
}

/// A glyph placed on a line: `x` from the line's left edge, `y` from its baseline (down is
/// positive), both in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedGlyph {
    pub face: FaceId,
    pub glyph: u32,
    pub x: f32,
    pub y: f32,
    /// Byte offset in the text of the character (cluster) the glyph draws.
    pub cluster: usize,
}

/// One line, glyphs in visual order.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub glyphs: Vec<PlacedGlyph>,
    pub width: f32,
    /// The line's text in logical order (for tests and logs).
    pub text: String,
}

/// A laid-out paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBlock {
    pub lines: Vec<Line>,
    /// Font size in pixels (the em size).
    pub size: f32,
    pub rtl: bool,
    pub ellipsized: bool,
    /// Characters no font could draw: left out, never drawn as boxes.
    pub missing_glyphs: usize,
}

#[derive(Debug, Clone, Copy)]
struct ShapedGlyph {
    face: FaceId,
    glyph: u32,
    /// In ems: pixels at size `s` are these times `s`.
    advance: f32,
    x_offset: f32,
    y_offset: f32,
    cluster: usize,
}

#[derive(Debug)]
struct Run {
    range: Range<usize>,
    glyphs: Range<usize>,
}

/// A paragraph shaped once at 1 em; every size and line split reuses it.
struct Shaped<'t> {
    text: &'t str,
    bidi: BidiInfo<'t>,
    glyphs: Vec<ShapedGlyph>,
    runs: Vec<Run>,
    /// `advance_before[i]`: total advance of the glyphs whose cluster starts before byte `i`.
    advance_before: Vec<f32>,
    missing: usize,
}

impl Shaped<'_> {
    fn width(&self, range: Range<usize>) -> f32 {
        self.advance_before[range.end] - self.advance_before[range.start]
    }

    /// `range` without trailing white space.
    fn visible(&self, range: Range<usize>) -> Range<usize> {
        let trimmed = self.text[range.clone()].trim_end();
        range.start..range.start + trimmed.len()
    }

    fn rtl(&self) -> bool {
        self.bidi
            .paragraphs
            .first()
            .is_some_and(|p| p.level.is_rtl())
    }
}

/// Shapes `text` in every face it needs.
fn shape<'t>(fonts: &FontBook, text: &'t str, style: &TextStyle<'_>) -> Shaped<'t> {
    let default_level = style
        .rtl
        .map(|rtl| if rtl { Level::rtl() } else { Level::ltr() });
    let bidi = BidiInfo::new(text, default_level);
    let mut shaped = Shaped {
        text,
        bidi,
        glyphs: Vec::new(),
        runs: Vec::new(),
        advance_before: Vec::new(),
        missing: 0,
    };
    let language = style
        .lang
        .and_then(|l| l.parse::<harfrust::Language>().ok());
    let mut buffer = Buffer::new();
    for (range, face) in itemize(fonts, text, &shaped.bidi.levels, style) {
        let Some(face_id) = face else {
            shaped.missing += text[range.clone()]
                .chars()
                .filter(|c| !c.is_whitespace() && !is_default_ignorable(*c))
                .count();
            continue;
        };
        let Some(face) = fonts.face(face_id) else {
            shaped.missing += text[range.clone()].chars().count();
            continue;
        };
        buffer.clear();
        buffer.push_str(&text[range.clone()]);
        buffer.set_direction(if shaped.bidi.levels[range.start].is_rtl() {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        });
        buffer.set_language(language.clone());
        buffer.guess_segment_properties();
        let font = ShaperFont::new(&face.shaping);
        if harfrust::shape(&font, &mut buffer, ShapeOptions::new()).is_err() {
            shaped.missing += text[range.clone()].chars().count();
            continue;
        }
        let start = shaped.glyphs.len();
        let em = face.units_per_em;
        for (info, pos) in buffer.glyph_infos().iter().zip(buffer.glyph_positions()) {
            let cluster = range.start + info.cluster as usize;
            if info.glyph_id == 0 && !text[cluster..].starts_with(char::is_whitespace) {
                shaped.missing += 1;
                continue;
            }
            #[allow(clippy::cast_precision_loss)] // font units fit f32 exactly
            shaped.glyphs.push(ShapedGlyph {
                face: face_id,
                glyph: info.glyph_id,
                advance: pos.x_advance as f32 / em,
                x_offset: pos.x_offset as f32 / em,
                y_offset: pos.y_offset as f32 / em,
                cluster,
            });
        }
        shaped.runs.push(Run {
            range,
            glyphs: start..shaped.glyphs.len(),
        });
    }
    let mut per_byte = vec![0.0f32; text.len() + 1];
    for g in &shaped.glyphs {
        per_byte[g.cluster] += g.advance;
    }
    let mut sum = 0.0;
    shaped.advance_before = per_byte
        .iter()
        .map(|a| {
            let before = sum;
            sum += a;
            before
        })
        .collect();
    shaped
}

/// Splits `text` into runs of one bidi level, one script and one face. Spaces, digits and
/// punctuation (Common and Inherited scripts) stay in the run around them.
fn itemize(
    fonts: &FontBook,
    text: &str,
    levels: &[Level],
    style: &TextStyle<'_>,
) -> Vec<(Range<usize>, Option<FaceId>)> {
    let mut runs: Vec<(Range<usize>, Option<FaceId>, Level, Script)> = Vec::new();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let script = c.script();
        let neutral = matches!(script, Script::Common | Script::Inherited | Script::Unknown);
        if let Some((range, ..)) = runs.last_mut().filter(|_| is_default_ignorable(c)) {
            // Joiners and variation selectors shape with the run they are in; no font "covers"
            // them in its character map, and they are never missing.
            range.end = end;
            continue;
        }
        if let Some((range, face, level, run_script)) = runs.last_mut() {
            let same_script = neutral
                || *run_script == script
                || matches!(
                    run_script,
                    Script::Common | Script::Inherited | Script::Unknown
                );
            if *level == levels[i] && same_script {
                let stays = match face {
                    // A colour emoji face also maps digits and spaces (for keycaps): only emoji and
                    // their joiners stay in its runs.
                    Some(f) if fonts.is_color(*f) => {
                        fonts.covers(*f, c) && (super::fonts::is_emoji(c) || is_emoji_joiner(c))
                    }
                    Some(f) => fonts.covers(*f, c) && !super::fonts::is_emoji(c),
                    None => fonts
                        .face_for_family(c, style.weight, style.lang, None, style.family)
                        .is_none(),
                };
                if stays {
                    range.end = end;
                    if !neutral {
                        *run_script = script;
                    }
                    continue;
                }
            }
        }
        let preferred = runs
            .last()
            .and_then(|r| r.1)
            .filter(|f| neutral && !fonts.is_color(*f));
        let face = fonts.face_for_family(c, style.weight, style.lang, preferred, style.family);
        runs.push((i..end, face, levels[i], script));
    }
    runs.into_iter()
        .map(|(range, face, _, _)| (range, face))
        .collect()
}

/// Unicode's default-ignorable characters: invisible, drawn by no glyph of their own.
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Characters that belong to the emoji before them: ZWJ, variation selectors, keycap, tags.
fn is_emoji_joiner(c: char) -> bool {
    matches!(
        c,
        '\u{200D}' | '\u{FE0E}' | '\u{FE0F}' | '\u{20E3}' | '\u{E0020}'..='\u{E007F}'
    )
}

fn is_paragraph_separator(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{1C}'
            ..='\u{1E}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Break opportunities of `text`: byte offsets where a line may start, and whether it must.
fn break_points(text: &str) -> Vec<(usize, bool)> {
    linebreaks(text)
        .map(|(at, kind)| (at, kind == BreakOpportunity::Mandatory))
        .collect()
}

/// Greedy line ranges at `width` ems.
fn wrap(shaped: &Shaped<'_>, breaks: &[(usize, bool)], width: f32) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut fits: Option<usize> = None;
    let mut i = 0;
    while i < breaks.len() {
        let (at, mandatory) = breaks[i];
        if at <= start {
            i += 1;
            continue;
        }
        if shaped.width(shaped.visible(start..at)) <= width {
            fits = Some(at);
            if mandatory && at < shaped.text.len() {
                lines.push(start..at);
                start = at;
                fits = None;
            }
            i += 1;
        } else if let Some(end) = fits.take() {
            lines.push(start..end);
            start = end;
        } else {
            // One word wider than the line (a URL, a long compound): break between clusters.
            let end = emergency_break(shaped, start..at, width);
            lines.push(start..end);
            start = end;
        }
    }
    if start < shaped.text.len() {
        lines.push(start..shaped.text.len());
    }
    lines.retain(|l| !shaped.text[l.clone()].trim().is_empty());
    lines
}

/// The furthest character boundary in `range` that keeps the line within `width`; at least
/// one character, so that layout always progresses.
fn emergency_break(shaped: &Shaped<'_>, range: Range<usize>, width: f32) -> usize {
    let text = &shaped.text[range.clone()];
    let mut best = range.start + text.chars().next().map_or(0, char::len_utf8);
    for (i, _) in text.char_indices().skip(1) {
        if shaped.width(range.start..range.start + i) <= width {
            best = range.start + i;
        } else {
            break;
        }
    }
    best
}

/// The narrowest width giving the same number of lines as greedy filling at `width`.
fn balance(shaped: &Shaped<'_>, breaks: &[(usize, bool)], width: f32) -> Vec<Range<usize>> {
    let greedy = wrap(shaped, breaks, width);
    if greedy.len() < 2 {
        return greedy;
    }
    let (mut low, mut high) = (width / 2.0, width);
    let mut best = greedy.clone();
    for _ in 0..12 {
        let mid = f32::midpoint(low, high);
        let lines = wrap(shaped, breaks, mid);
        if lines.len() <= greedy.len() {
            best = lines;
            high = mid;
        } else {
            low = mid;
        }
    }
    best
}

/// Options for [`layout_paragraph`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Largest and smallest font sizes tried, in pixels; the first that fits wins.
    pub max_size: f32,
    pub min_size: f32,
    pub max_width: f32,
    pub max_lines: usize,
    pub wrap: Wrap,
}

/// Lays out `text` at the largest size in `fit` whose lines fit; at the smallest size, cuts the
/// last line with an ellipsis.
#[must_use]
pub fn layout_paragraph(
    fonts: &FontBook,
    text: &str,
    style: &TextStyle<'_>,
    fit: &Fit,
) -> TextBlock {
    // One paragraph: separators (newlines, U+2029…) would start new bidi paragraphs.
    let joined;
    let text = if text.contains(is_paragraph_separator) {
        joined = text.replace(is_paragraph_separator, " ");
        joined.as_str()
    } else {
        text
    };
    let text = if style
        .lang
        .is_some_and(|l| l.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("fr")))
    {
        french_spacing(text.trim())
    } else {
        std::borrow::Cow::Borrowed(text.trim())
    };
    let text = text.as_ref();
    let shaped = shape(fonts, text, style);
    let breaks = break_points(text);
    let mut size = fit.max_size.max(fit.min_size);
    loop {
        let width = fit.max_width / size;
        let lines = wrap(&shaped, &breaks, width);
        if lines.len() <= fit.max_lines || size <= fit.min_size {
            let fits = lines.len() <= fit.max_lines;
            let ranges = if fits && fit.wrap == Wrap::Balance {
                balance(&shaped, &breaks, width)
            } else {
                lines
            };
            return finish(fonts, &shaped, &breaks, ranges, size, fit, style);
        }
        size = (size - 1.0).max(fit.min_size);
    }
}

fn finish(
    fonts: &FontBook,
    shaped: &Shaped<'_>,
    breaks: &[(usize, bool)],
    mut ranges: Vec<Range<usize>>,
    size: f32,
    fit: &Fit,
    style: &TextStyle<'_>,
) -> TextBlock {
    let mut ellipsized = false;
    if ranges.len() > fit.max_lines {
        ellipsized = true;
        ranges.truncate(fit.max_lines);
        if let Some(last) = ranges.last_mut() {
            last.end = shaped.text.len();
        }
    }
    let rtl = shaped.rtl();
    let count = ranges.len();
    let lines = ranges
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            if ellipsized && i + 1 == count {
                ellipsis_line(fonts, shaped, breaks, range, size, fit.max_width, style)
            } else {
                place(shaped, shaped.visible(range), size)
            }
        })
        .collect();
    TextBlock {
        lines,
        size,
        rtl,
        ellipsized,
        missing_glyphs: shaped.missing,
    }
}

/// The last line of a clamped paragraph: as many words as fit with `…` after them (in the
/// paragraph's direction), or as many characters when not even one word fits.
fn ellipsis_line(
    fonts: &FontBook,
    shaped: &Shaped<'_>,
    breaks: &[(usize, bool)],
    range: Range<usize>,
    size: f32,
    max_width: f32,
    style: &TextStyle<'_>,
) -> Line {
    let dots = shape(
        fonts,
        ELLIPSIS,
        &TextStyle {
            rtl: Some(false),
            ..*style
        },
    );
    let room = max_width / size - dots.width(0..dots.text.len());
    let word_end = breaks
        .iter()
        .map(|(at, _)| *at)
        .filter(|at| *at > range.start && *at < range.end)
        .filter(|at| shaped.width(shaped.visible(range.start..*at)) <= room)
        .max();
    let end = word_end.unwrap_or_else(|| emergency_break(shaped, range.start..range.end, room));
    let mut line = place(shaped, shaped.visible(range.start..end), size);
    let mut dots_line = place(&dots, 0..dots.text.len(), size);
    // The ellipsis stands for the text cut at `end`.
    for g in &mut dots_line.glyphs {
        g.cluster = end;
    }
    if shaped.rtl() {
        for g in &mut line.glyphs {
            g.x += dots_line.width;
        }
        line.glyphs.splice(0..0, dots_line.glyphs);
    } else {
        line.glyphs
            .extend(dots_line.glyphs.into_iter().map(|g| PlacedGlyph {
                x: g.x + line.width,
                ..g
            }));
    }
    line.width += dots_line.width;
    line.text.push_str(ELLIPSIS);
    line
}

/// Glyphs of the byte range `range`, in visual order, positioned from x = 0.
fn place(shaped: &Shaped<'_>, range: Range<usize>, size: f32) -> Line {
    let mut glyphs = Vec::new();
    let mut x = 0.0;
    if let Some(para) = shaped.bidi.paragraphs.first().filter(|_| !range.is_empty()) {
        let (levels, visual_runs) = shaped.bidi.visual_runs(para, range.clone());
        for run in visual_runs {
            let rtl = levels[run.start].is_rtl();
            let mut pieces: Vec<&Run> = shaped
                .runs
                .iter()
                .filter(|r| r.range.start < run.end && run.start < r.range.end)
                .collect();
            pieces.sort_by_key(|r| r.range.start);
            if rtl {
                pieces.reverse();
            }
            for piece in pieces {
                for g in &shaped.glyphs[piece.glyphs.clone()] {
                    if run.contains(&g.cluster) {
                        glyphs.push(PlacedGlyph {
                            face: g.face,
                            glyph: g.glyph,
                            x: x + g.x_offset * size,
                            y: -g.y_offset * size,
                            cluster: g.cluster,
                        });
                        x += g.advance * size;
                    }
                }
            }
        }
    }
    Line {
        glyphs,
        width: x,
        text: shaped.text[range].to_owned(),
    }
}

/// French puts a space before `: ; ? ! »` and after `«`, and it must not break; pages often
/// type an ordinary space there. Those become no-break spaces (narrow ones, as French typography
/// sets them, except before the colon).
fn french_spacing(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains([':', ';', '?', '!', '»', '«']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let prev = i.checked_sub(1).map(|p| chars[p]);
        if c == ' ' && (matches!(next, Some(';' | '?' | '!' | '»')) || prev == Some('«')) {
            out.push('\u{202F}');
        } else if c == ' ' && next == Some(':') {
            out.push('\u{A0}');
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One line of text at `size`, cut with an ellipsis to `max_width` when longer.
#[must_use]
pub fn layout_line(
    fonts: &FontBook,
    text: &str,
    style: &TextStyle<'_>,
    size: f32,
    max_width: f32,
) -> TextBlock {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    layout_paragraph(
        fonts,
        &one_line,
        style,
        &Fit {
            max_size: size,
            min_size: size,
            max_width,
            max_lines: 1,
            wrap: Wrap::Greedy,
        },
    )
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    fn fonts() -> &'static FontBook {
        static BOOK: OnceLock<FontBook> = OnceLock::new();
        BOOK.get_or_init(|| FontBook::bundled().unwrap())
    }

    fn bold(lang: &str) -> TextStyle<'_> {
        TextStyle {
            weight: Weight::Bold,
            lang: Some(lang),
            rtl: None,
            family: None,
        }
    }

    fn fixed(size: f32, width: f32, lines: usize, wrap: Wrap) -> Fit {
        Fit {
            max_size: size,
            min_size: size,
            max_width: width,
            max_lines: lines,
            wrap,
        }
    }

    fn texts(block: &TextBlock) -> Vec<&str> {
        block.lines.iter().map(|l| l.text.as_str()).collect()
    }

    const BENCH_TITLE: &str =
        "Microsoft investit 2,9 milliards de dollars dans l\u{2019}IA au Japon";

    #[test]
    fn the_benchmark_title_breaks_as_the_browser_breaks_it() {
        let block = layout_paragraph(
            fonts(),
            BENCH_TITLE,
            &bold("fr"),
            &fixed(64.0, 1072.0, 3, Wrap::Greedy),
        );
        assert_eq!(
            texts(&block),
            [
                "Microsoft investit 2,9 milliards de",
                "dollars dans l\u{2019}IA au Japon"
            ]
        );
        assert!(block.lines.iter().all(|l| l.width <= 1072.0));
    }

    #[test]
    fn balanced_lines_leave_no_lone_word_at_the_end() {
        let title = "Microsoft investit 2,9 milliards de dollars";
        let greedy = layout_paragraph(
            fonts(),
            title,
            &bold("fr"),
            &fixed(64.0, 1072.0, 3, Wrap::Greedy),
        );
        assert_eq!(
            texts(&greedy),
            ["Microsoft investit 2,9 milliards de", "dollars"]
        );
        let balanced = layout_paragraph(
            fonts(),
            title,
            &bold("fr"),
            &fixed(64.0, 1072.0, 3, Wrap::Balance),
        );
        assert_eq!(
            texts(&balanced),
            ["Microsoft investit 2,9", "milliards de dollars"]
        );
    }

    #[test]
    fn the_largest_size_that_fits_is_chosen() {
        let fit = Fit {
            max_size: 72.0,
            min_size: 40.0,
            max_width: 1072.0,
            max_lines: 3,
            wrap: Wrap::Greedy,
        };
        let short = layout_paragraph(fonts(), "Un titre court", &bold("fr"), &fit);
        assert!((short.size - 72.0).abs() < f32::EPSILON);
        let long = layout_paragraph(
            fonts(),
            &"un titre beaucoup trop long ".repeat(4),
            &bold("fr"),
            &fit,
        );
        assert!(
            long.size < 72.0 && long.lines.len() <= 3,
            "{} {:?}",
            long.size,
            texts(&long)
        );
    }

    #[test]
    fn an_overlong_title_ends_with_an_ellipsis_that_fits() {
        let text = "mot ".repeat(200);
        let block = layout_paragraph(
            fonts(),
            &text,
            &bold("fr"),
            &fixed(64.0, 1072.0, 3, Wrap::Balance),
        );
        assert!(block.ellipsized);
        assert_eq!(block.lines.len(), 3);
        let last = block.lines.last().unwrap();
        assert!(last.text.ends_with("mot…"), "{}", last.text);
        assert!(last.width <= 1072.0 + 0.01, "{}", last.width);
    }

    #[test]
    fn french_punctuation_stays_with_its_word_even_after_an_ordinary_space() {
        let text = "Faut-il vraiment tout changer ? « Oui\u{a0}», répond le ministre : « Non ! »";
        for width in (300..900).step_by(23) {
            #[allow(clippy::cast_precision_loss)]
            let block = layout_paragraph(
                fonts(),
                text,
                &bold("fr"),
                &fixed(48.0, width as f32, 10, Wrap::Greedy),
            );
            for line in &block.lines {
                assert!(
                    !line.text.trim_start().starts_with(['?', '»', ':', '!']),
                    "{:?}",
                    texts(&block)
                );
                assert!(!line.text.trim_end().ends_with('«'), "{:?}", texts(&block));
            }
        }
    }

    #[test]
    fn arabic_is_right_to_left_with_latin_and_digits_in_logical_order() {
        let text = "مايكروسوفت تستثمر 2.9 مليار دولار في Microsoft Azure";
        let block = layout_paragraph(
            fonts(),
            text,
            &bold("ar"),
            &fixed(48.0, 2000.0, 2, Wrap::Greedy),
        );
        assert!(block.rtl);
        assert_eq!(block.lines.len(), 1);
        let line = &block.lines[0];
        // Visual order, left to right: the Latin run first (it ends the RTL paragraph), "Microsoft"
        // before "Azure" inside it; glyph positions never go backwards.
        let xs: Vec<f32> = line.glyphs.iter().map(|g| g.x).collect();
        assert!(xs.windows(2).all(|w| w[1] >= w[0] - 48.0), "{xs:?}");
        assert_eq!(block.missing_glyphs, 0);
    }

    #[test]
    fn a_latin_word_inside_hebrew_sits_between_its_neighbours_in_reading_order() {
        let text = "שלום ABC עולם";
        let block = layout_line(fonts(), text, &bold("he"), 48.0, 2000.0);
        let line = &block.lines[0];
        let x_of = |cluster: usize| {
            line.glyphs
                .iter()
                .find(|g| g.cluster == cluster)
                .map(|g| g.x)
                .unwrap()
        };
        let (first_hebrew, latin_a, latin_c, last_hebrew) =
            (x_of(0), x_of(9), x_of(11), x_of(text.len() - 2));
        // Right to left: the first word is rightmost, the last leftmost, "ABC" between them and
        // itself left to right.
        assert!(
            last_hebrew < latin_a && latin_a < latin_c && latin_c < first_hebrew,
            "{line:?}"
        );
    }

    #[test]
    fn arabic_letters_join_into_contextual_forms() {
        let fonts = fonts();
        let isolated: Vec<u32> = "ب ب ب"
            .split(' ')
            .map(|c| layout_line(fonts, c, &bold("ar"), 48.0, 500.0).lines[0].glyphs[0].glyph)
            .collect();
        let joined = layout_line(fonts, "ببب", &bold("ar"), 48.0, 500.0);
        let glyphs: Vec<u32> = joined.lines[0].glyphs.iter().map(|g| g.glyph).collect();
        assert_eq!(glyphs.len(), 3);
        // Initial, medial and final forms are other glyphs than the isolated letter.
        assert!(
            glyphs.iter().all(|g| *g != isolated[0]),
            "{glyphs:?} vs {isolated:?}"
        );
    }

    #[test]
    fn characters_no_font_has_are_counted_not_drawn() {
        let block = layout_line(fonts(), "Tokyo 東京", &bold("en"), 48.0, 1000.0);
        assert_eq!(block.missing_glyphs, 2);
        assert!(block.lines[0].glyphs.iter().all(|g| g.glyph != 0));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 200, ..Default::default() })]

        #[test]
        fn any_text_lays_out_within_its_limits(
            text in "(\\PC|\n|\u{2029}|\u{202E}| |\u{A0}|مرحبا|שלום|Aperçu){0,80}",
            width in 40.0f32..1200.0,
            lines in 1usize..5,
        ) {
            let fit = Fit { max_size: 48.0, min_size: 24.0, max_width: width, max_lines: lines, wrap: Wrap::Balance };
            let block = layout_paragraph(fonts(), &text, &bold("en"), &fit);
            proptest::prop_assert!(block.lines.len() <= lines);
            proptest::prop_assert!(block.size >= 24.0 && block.size <= 48.0);
        }
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_between_letters() {
        let block = layout_paragraph(
            fonts(),
            &"x".repeat(100),
            &bold("en"),
            &fixed(48.0, 400.0, 10, Wrap::Greedy),
        );
        assert!(block.lines.len() > 1);
        assert!(block.lines.iter().all(|l| l.width <= 400.0));
    }
}
