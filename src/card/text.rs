//! Text layout for cards, without pixels: bidi levels (UAX #9), font fallback per run, shaping
//! with harfrust, lines filled on shaped widths at the breaks of `breaks` (UAX #14, words of
//! Thai and its neighbours, Japanese and Chinese phrases, hyphenation of words too long for a
//! line; kinsoku and French no-break spaces come with it), auto-sizing, balanced lines, and an
//! ellipsis when nothing fits.

use std::ops::Range;

use harfrust::{Buffer, Direction, ShapeOptions, ShaperFont};
use unicode_bidi::{BidiInfo, Level};
use unicode_script::{Script, UnicodeScript};

use super::breaks::{Break, Breaks};
use super::fonts::{FaceId, FontBook, Weight};

const ELLIPSIS: &str = "…";
/// The hyphen drawn after a hyphenated syllable (U+002D: every font has it).
const HYPHEN: &str = "-";

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
    /// The line's text in logical order (for tests, logs and `--explain`), with the hyphen or
    /// ellipsis drawn after it.
    pub text: String,
    /// Byte offset of the line's text in the paragraph: a glyph's `cluster` minus this indexes
    /// `text`.
    pub start: usize,
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
    /// Those characters, each once.
    pub missing_chars: Vec<char>,
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
    /// Characters no face could draw, as many times as they occur.
    missing: Vec<char>,
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
        missing: Vec::new(),
    };
    let language = style
        .lang
        .and_then(|l| l.parse::<harfrust::Language>().ok());
    let mut buffer = Buffer::new();
    for (range, face) in itemize(fonts, text, &shaped.bidi.levels, style) {
        let Some(face_id) = face else {
            shaped.missing.extend(
                text[range.clone()]
                    .chars()
                    .filter(|c| !c.is_whitespace() && !is_default_ignorable(*c)),
            );
            continue;
        };
        let Some(face) = fonts.face(face_id) else {
            shaped.missing.extend(text[range.clone()].chars());
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
            shaped.missing.extend(text[range.clone()].chars());
            continue;
        }
        let start = shaped.glyphs.len();
        let em = face.units_per_em;
        for (info, pos) in buffer.glyph_infos().iter().zip(buffer.glyph_positions()) {
            let cluster = range.start + info.cluster as usize;
            if info.glyph_id == 0 && !text[cluster..].starts_with(char::is_whitespace) {
                shaped.missing.extend(text[cluster..].chars().next());
                continue;
            }
            #[expect(clippy::cast_precision_loss, reason = "font units fit f32 exactly")]
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

/// A line's text: a byte range, and whether the line ends with a hyphen (a word hyphenated).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    range: Range<usize>,
    hyphen: bool,
}

impl Piece {
    fn plain(range: Range<usize>) -> Self {
        Piece {
            range,
            hyphen: false,
        }
    }
}

/// What [`wrap`] and [`balance`] measure with: the shaped text, its breaks, and the width of a
/// hyphen, in ems.
struct Measure<'a, 't> {
    shaped: &'a Shaped<'t>,
    breaks: &'a Breaks,
    hyphen: f32,
}

impl Measure<'_, '_> {
    /// The width of a line made of `piece`.
    fn width(&self, range: Range<usize>, hyphen: bool) -> f32 {
        let text = self.shaped.width(self.shaped.visible(range));
        if hyphen { text + self.hyphen } else { text }
    }
}

/// Greedy lines at `width` ems: each takes as many pieces as fit; a piece wider than the line
/// is split at a finer break (a phrase's characters, a word's hyphenation point) or, failing
/// that, between characters.
fn wrap(measure: &Measure<'_, '_>, width: f32) -> Vec<Piece> {
    let shaped = measure.shaped;
    let points = &measure.breaks.points;
    let mut lines = Vec::new();
    let mut start = 0;
    let mut fits: Option<usize> = None;
    let mut i = 0;
    while i < points.len() {
        let Break { at, mandatory, .. } = points[i];
        if at <= start {
            i += 1;
            continue;
        }
        if measure.width(start..at, false) <= width {
            fits = Some(at);
            if mandatory && at < shaped.text.len() {
                lines.push(Piece::plain(start..at));
                start = at;
                fits = None;
            }
            i += 1;
        } else if let Some(end) = fits.take() {
            lines.push(Piece::plain(start..end));
            start = end;
        } else {
            let (end, hyphen) = split_overlong(measure, start..at, width);
            lines.push(Piece {
                range: start..end,
                hyphen,
            });
            start = end;
        }
    }
    if start < shaped.text.len() {
        lines.push(Piece::plain(start..shaped.text.len()));
    }
    lines.retain(|l| !shaped.text[l.range.clone()].trim().is_empty());
    lines
}

/// Where to end a line inside `range`, a piece wider than the line: the last finer break that
/// fits (with its hyphen), else the last character that fits.
fn split_overlong(measure: &Measure<'_, '_>, range: Range<usize>, width: f32) -> (usize, bool) {
    measure
        .breaks
        .fallback
        .iter()
        .filter(|b| b.at > range.start && b.at < range.end)
        .filter(|b| measure.width(range.start..b.at, b.hyphen) <= width)
        .map(|b| (b.at, b.hyphen))
        .next_back()
        .unwrap_or_else(|| (emergency_break(measure.shaped, range, width), false))
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

/// What breaking before a short group costs, against the raggedness of the lines (the sum of
/// their squared widths, in line widths): "iPhone 16 / Pro" loses to an even break elsewhere
/// within about a tenth of a line.
const SHORT_GROUP_PENALTY: f32 = 0.02;

/// The same number of lines as greedy filling at `width`, as even as possible (the least sum of
/// squared widths), keeping short groups — a number, a short word — with their neighbours when
/// another break is about as good.
fn balance(measure: &Measure<'_, '_>, width: f32) -> Vec<Piece> {
    let greedy = wrap(measure, width);
    let shaped = measure.shaped;
    let points: Vec<usize> = std::iter::once(0)
        .chain(measure.breaks.points.iter().map(|b| b.at))
        .collect();
    let only_plain_breaks = greedy
        .iter()
        .all(|line| !line.hyphen && points.binary_search(&line.range.end).is_ok())
        && measure
            .breaks
            .points
            .iter()
            .all(|b| !b.mandatory || b.at == shaped.text.len());
    if greedy.len() < 2 || !only_plain_breaks {
        return greedy;
    }
    let count = greedy.len();
    let n = points.len();
    // best[k][j]: the least cost of k lines ending at points[j], and where the last began.
    let mut best = vec![vec![(f32::INFINITY, 0usize); n]; count + 1];
    best[0][0] = (0.0, 0);
    for k in 1..=count {
        for j in 1..n {
            for i in 0..j {
                let (before, _) = best[k - 1][i];
                if !before.is_finite() {
                    continue;
                }
                let line = measure.width(points[i]..points[j], false);
                if line > width {
                    continue;
                }
                let mut cost = before + (line / width).powi(2);
                if j + 1 < n {
                    cost += break_penalty(shaped, points[i]..points[j], points[j]..points[j + 1]);
                }
                if cost < best[k][j].0 {
                    best[k][j] = (cost, i);
                }
            }
        }
    }
    if !best[count][n - 1].0.is_finite() {
        return greedy;
    }
    let mut lines = Vec::with_capacity(count);
    let mut j = n - 1;
    for k in (1..=count).rev() {
        let i = best[k][j].1;
        lines.push(Piece::plain(points[i]..points[j]));
        j = i;
    }
    lines.reverse();
    lines.retain(|l| !shaped.text[l.range.clone()].trim().is_empty());
    lines
}

/// The cost of ending a line after the piece `before` when `after` comes next: a short group
/// on either side (a number, a word of three letters or fewer) would rather stay with the other.
fn break_penalty(shaped: &Shaped<'_>, before: Range<usize>, after: Range<usize>) -> f32 {
    let short = |range: Range<usize>| {
        let word = shaped.text[range].trim();
        let letters = word.chars().filter(|c| c.is_alphanumeric()).count();
        !word.is_empty()
            && !word
                .chars()
                .any(|c| c.script() == Script::Han || c.script() == Script::Hiragana)
            && (letters <= 3 || (word.chars().any(char::is_numeric) && letters <= 4))
    };
    let mut penalty = 0.0;
    if short(before) {
        penalty += SHORT_GROUP_PENALTY;
    }
    if short(after) {
        penalty += SHORT_GROUP_PENALTY;
    }
    penalty
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
    let breaks = super::breaks::find(text, style.lang);
    let hyphen = shape(fonts, HYPHEN, style);
    let measure = Measure {
        shaped: &shaped,
        breaks: &breaks,
        hyphen: hyphen.width(0..hyphen.text.len()),
    };
    let mut size = fit.max_size.max(fit.min_size);
    loop {
        let width = fit.max_width / size;
        let lines = wrap(&measure, width);
        if lines.len() <= fit.max_lines || size <= fit.min_size {
            let fits = lines.len() <= fit.max_lines;
            let pieces = if fits && fit.wrap == Wrap::Balance {
                balance(&measure, width)
            } else {
                lines
            };
            return finish(fonts, &measure, pieces, size, fit, style);
        }
        size = (size - 1.0).max(fit.min_size);
    }
}

fn finish(
    fonts: &FontBook,
    measure: &Measure<'_, '_>,
    mut pieces: Vec<Piece>,
    size: f32,
    fit: &Fit,
    style: &TextStyle<'_>,
) -> TextBlock {
    let shaped = measure.shaped;
    let mut ellipsized = false;
    if pieces.len() > fit.max_lines {
        ellipsized = true;
        pieces.truncate(fit.max_lines);
        if let Some(last) = pieces.last_mut() {
            last.range.end = shaped.text.len();
            last.hyphen = false;
        }
    }
    let count = pieces.len();
    let lines = pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut line = if ellipsized && i + 1 == count {
                ellipsis_line(fonts, measure, piece.range, size, fit.max_width, style)
            } else {
                let mut line = place(shaped, shaped.visible(piece.range.clone()), size);
                if piece.hyphen {
                    let mark = shape(fonts, HYPHEN, style);
                    append_mark(&mut line, &mark, piece.range.end, size, shaped.rtl());
                }
                line
            };
            if !shaped.rtl() {
                trim_opening_bracket(&mut line, size);
            }
            line
        })
        .collect();
    TextBlock {
        lines,
        size,
        rtl: shaped.rtl(),
        ellipsized,
        missing_glyphs: shaped.missing.len(),
        missing_chars: shaped.missing.iter().fold(Vec::new(), |mut distinct, c| {
            if !distinct.contains(c) {
                distinct.push(*c);
            }
            distinct
        }),
    }
}

/// The last line of a clamped paragraph: as many words as fit with `…` after them (in the
/// paragraph's direction), or as many characters when not even one word fits.
fn ellipsis_line(
    fonts: &FontBook,
    measure: &Measure<'_, '_>,
    range: Range<usize>,
    size: f32,
    max_width: f32,
    style: &TextStyle<'_>,
) -> Line {
    let shaped = measure.shaped;
    let dots = shape(
        fonts,
        ELLIPSIS,
        &TextStyle {
            rtl: Some(false),
            ..*style
        },
    );
    let room = max_width / size - dots.width(0..dots.text.len());
    let word_end = measure
        .breaks
        .points
        .iter()
        .map(|b| b.at)
        .filter(|at| *at > range.start && *at < range.end)
        .filter(|at| shaped.width(shaped.visible(range.start..*at)) <= room)
        .max();
    let end = word_end.unwrap_or_else(|| emergency_break(shaped, range.start..range.end, room));
    let mut line = place(shaped, shaped.visible(range.start..end), size);
    append_mark(&mut line, &dots, end, size, shaped.rtl());
    line
}

/// A line that starts with a full-width opening bracket (「『（【…) would look indented: the
/// bracket's ink sits in the right half of its em. Its blank half is taken out, as CSS's
/// `text-spacing-trim` does at the start of a line.
fn trim_opening_bracket(line: &mut Line, size: f32) {
    let opening = line.text.chars().next().is_some_and(|c| {
        matches!(
            c,
            '\u{3008}'
                | '\u{300A}'
                | '\u{300C}'
                | '\u{300E}'
                | '\u{3010}'
                | '\u{3014}'
                | '\u{3016}'
                | '\u{3018}'
                | '\u{301A}'
                | '\u{301D}'
                | '\u{FF08}'
                | '\u{FF3B}'
                | '\u{FF5B}'
                | '\u{FF5F}'
        )
    });
    if opening {
        let half = size / 2.0;
        for glyph in &mut line.glyphs {
            glyph.x -= half;
        }
        line.width -= half;
    }
}

/// Puts `mark` (an ellipsis, a hyphen) at the end of `line` in the paragraph's direction; it
/// stands for the text at byte `at`.
fn append_mark(line: &mut Line, mark: &Shaped<'_>, at: usize, size: f32, rtl: bool) {
    let mut mark_line = place(mark, 0..mark.text.len(), size);
    for g in &mut mark_line.glyphs {
        g.cluster = at;
    }
    if rtl {
        for g in &mut line.glyphs {
            g.x += mark_line.width;
        }
        line.glyphs.splice(0..0, mark_line.glyphs);
    } else {
        let width = line.width;
        line.glyphs
            .extend(mark_line.glyphs.into_iter().map(|g| PlacedGlyph {
                x: g.x + width,
                ..g
            }));
    }
    line.width += mark_line.width;
    line.text.push_str(mark.text);
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
        start: range.start,
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
            #[expect(clippy::cast_precision_loss, reason = "test widths are small integers")]
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

    #[test]
    fn a_long_word_is_hyphenated_in_its_language_with_a_visible_hyphen() {
        let title = "Donaudampfschifffahrtsgesellschaftskapitäns Mütze";
        let block = layout_paragraph(
            fonts(),
            title,
            &bold("de"),
            &fixed(48.0, 600.0, 4, Wrap::Greedy),
        );
        let lines = texts(&block);
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(lines[0].ends_with('-'), "{lines:?}");
        assert!(block.lines.iter().all(|l| l.width <= 600.0 + 0.01));
        // The hyphen is drawn, last, standing for the break.
        let syllables = lines[0].trim_end_matches('-').len();
        let hyphen = block.lines[0].glyphs.last().unwrap();
        assert_eq!(hyphen.cluster, syllables);
        assert!(block.lines[0].glyphs.iter().all(|g| g.x <= hyphen.x));
        // The syllables put back together are the word.
        let joined: String = lines.iter().map(|l| l.trim_end_matches('-')).collect();
        assert_eq!(joined.replace(' ', ""), title.replace(' ', ""));
        // Without patterns for the language: cut between letters, no hyphen.
        let plain = layout_paragraph(
            fonts(),
            title,
            &bold("und"),
            &fixed(48.0, 600.0, 4, Wrap::Greedy),
        );
        assert!(!texts(&plain)[0].ends_with('-'));
    }

    #[test]
    fn balance_keeps_short_groups_together_when_another_break_is_as_good() {
        let title = "Apple dévoile enfin son nouvel iPhone 16 Pro";
        for width in [600.0, 650.0] {
            let greedy = layout_paragraph(
                fonts(),
                title,
                &bold("fr"),
                &fixed(60.0, width, 3, Wrap::Greedy),
            );
            let balanced = layout_paragraph(
                fonts(),
                title,
                &bold("fr"),
                &fixed(60.0, width, 3, Wrap::Balance),
            );
            let (greedy, balanced) = (texts(&greedy), texts(&balanced));
            assert_eq!(greedy.len(), balanced.len());
            assert!(
                greedy
                    .iter()
                    .any(|l| l.ends_with("16") || l.ends_with("iPhone")),
                "{greedy:?}"
            );
            assert_eq!(balanced.last(), Some(&"iPhone 16 Pro"), "{balanced:?}");
        }
    }
}
