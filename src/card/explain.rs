//! Why a card looks the way it does, as data: the template, each text's size and lines, the
//! font of every run, and the characters no font could draw (`apercu render --explain`, the
//! debugger). Pure: a laid-out card in, a serialisable value out.

use serde::Serialize;

use super::fonts::{FontBook, Weight};
use super::layout::{Backdrop, CardLayout, TextBox};
use super::text::Line;

/// A card's layout, explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// `photo` (the photo behind the text) or `plain` (a flat background and an accent bar).
    pub template: &'static str,
    pub width: u32,
    pub height: u32,
    pub title: TextExplained,
    pub category: Option<TextExplained>,
    pub footer: Option<TextExplained>,
    pub logo: bool,
    /// Characters of any text that no font has: left out of the card.
    pub missing: Vec<String>,
}

/// One text of the card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextExplained {
    /// Font size, in pixels.
    pub size: f32,
    pub right_to_left: bool,
    /// Cut with an ellipsis: it did not fit even at the smallest size.
    pub ellipsized: bool,
    pub lines: Vec<LineExplained>,
}

/// One line of a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineExplained {
    /// In logical order, with the hyphen or ellipsis drawn after it.
    pub text: String,
    /// Width in pixels, of at most the text's box.
    pub width: f32,
    pub x: f32,
    pub baseline: f32,
    /// Runs of glyphs from one font, in visual order.
    pub runs: Vec<RunExplained>,
}

/// Glyphs drawn from one font.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunExplained {
    pub font: String,
    pub weight: &'static str,
    /// The characters the run draws (in logical order).
    pub text: String,
    pub glyphs: usize,
}

/// Explains `layout`, laid out with `fonts`.
#[must_use]
pub fn explain(layout: &CardLayout, fonts: &FontBook) -> Explanation {
    let mut missing: Vec<String> = Vec::new();
    let mut text = |text_box: &TextBox| {
        for c in &text_box.block.missing_chars {
            let shown = format!("U+{:04X}", u32::from(*c));
            if !missing.contains(&shown) {
                missing.push(shown);
            }
        }
        explain_text(text_box, fonts)
    };
    let title = text(&layout.title);
    let category = layout.pill.as_ref().map(|pill| text(&pill.text));
    let footer = layout.footer.as_ref().map(&mut text);
    Explanation {
        template: match layout.backdrop {
            Backdrop::Photo { .. } => "photo",
            Backdrop::Split { .. } => "split",
            Backdrop::Plain { .. } => "plain",
        },
        width: layout.width,
        height: layout.height,
        title,
        category,
        footer,
        logo: layout.logo.is_some(),
        missing,
    }
}

fn explain_text(text_box: &TextBox, fonts: &FontBook) -> TextExplained {
    let block = &text_box.block;
    TextExplained {
        size: block.size,
        right_to_left: block.rtl,
        ellipsized: block.ellipsized,
        lines: block
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| LineExplained {
                text: line.text.clone(),
                width: round(line.width),
                x: round(text_box.line_x(i)),
                baseline: text_box.baselines.get(i).copied().map_or(0.0, round),
                runs: runs(line, fonts),
            })
            .collect(),
    }
}

/// The line's glyphs grouped by font, in visual order.
fn runs(line: &Line, fonts: &FontBook) -> Vec<RunExplained> {
    let mut runs: Vec<(usize, Vec<usize>)> = Vec::new();
    for glyph in &line.glyphs {
        match runs.last_mut() {
            Some((face, clusters)) if *face == glyph.face => clusters.push(glyph.cluster),
            _ => runs.push((glyph.face, vec![glyph.cluster])),
        }
    }
    runs.into_iter()
        .map(|(face, clusters)| {
            let (font, weight) = fonts.face(face).map_or(("?".to_owned(), "?"), |f| {
                (
                    f.family.clone(),
                    match f.weight {
                        Weight::Regular => "regular",
                        Weight::Bold => "bold",
                    },
                )
            });
            RunExplained {
                font,
                weight,
                text: run_text(line, &clusters),
                glyphs: clusters.len(),
            }
        })
        .collect()
}

/// The characters of `line` whose clusters are listed (a mark after the line stands for none).
fn run_text(line: &Line, clusters: &[usize]) -> String {
    let mut offsets: Vec<usize> = clusters
        .iter()
        .filter_map(|c| c.checked_sub(line.start))
        .filter(|c| *c < line.text.len() && line.text.is_char_boundary(*c))
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    let (Some(&first), Some(&last)) = (offsets.first(), offsets.last()) else {
        return String::new();
    };
    let end = last + line.text[last..].chars().next().map_or(0, char::len_utf8);
    line.text[first..end].to_owned()
}

fn round(value: f32) -> f32 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::layout::{CardText, layout};
    use crate::card::theme::Theme;

    #[test]
    fn the_explanation_names_the_template_the_size_each_line_and_its_fonts() {
        let fonts = FontBook::bundled().unwrap();
        let text = CardText {
            title: "Microsoft investit 2,9 milliards de dollars dans l'IA au Japon",
            category: Some("Chiffres"),
            site_name: Some("Le Quotidien"),
            lang: Some("fr"),
        };
        let card = layout(&text, Some((1200, 630)), None, &Theme::default(), &fonts);
        let explained = explain(&card, &fonts);
        assert_eq!(explained.template, "photo");
        assert_eq!((explained.width, explained.height), (1200, 630));
        let joined: Vec<&str> = explained
            .title
            .lines
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(joined.join(" "), text.title);
        assert!(explained.title.size >= 40.0);
        for line in &explained.title.lines {
            assert_eq!(line.runs.len(), 1, "{line:?}");
            assert!(line.runs[0].font.starts_with("Noto Sans"), "{line:?}");
            assert_eq!(line.runs[0].weight, "bold");
            assert_eq!(line.runs[0].text, line.text);
        }
        assert_eq!(explained.category.unwrap().lines[0].text, "CHIFFRES");
        assert!(explained.missing.is_empty());
        let plain = explain(
            &layout(&text, None, None, &Theme::default(), &fonts),
            &fonts,
        );
        assert_eq!(plain.template, "plain");
    }

    #[test]
    fn characters_no_font_has_are_listed_once() {
        let fonts = FontBook::bundled().unwrap();
        let text = CardText {
            title: "Un titre \u{10FFFD}\u{10FFFD} et \u{E0100}",
            category: None,
            site_name: None,
            lang: None,
        };
        let explained = explain(
            &layout(&text, None, None, &Theme::default(), &fonts),
            &fonts,
        );
        assert_eq!(explained.missing, ["U+10FFFD"]);
        assert!(explained.category.is_none() && explained.footer.is_none());
    }
}
