//! Layout rules that need the system's CJK fonts (the bundled fonts have no CJK).

use apercu::card::Weight;
use apercu::card::text::{Fit, TextStyle, Wrap, layout_paragraph};

use crate::support::renderer;

#[test]
fn japanese_lines_never_start_with_closing_punctuation_or_end_with_an_opening_bracket() {
    let text = "東京で桜が満開、平年より5日早く。気象庁が発表「今週末が見ごろ」と話した。新幹線（東北）も増発ー";
    let style = TextStyle {
        weight: Weight::Bold,
        lang: Some("ja"),
        rtl: None,
        family: None,
    };
    for width in (180..1000).step_by(17) {
        let fit = Fit {
            max_size: 48.0,
            min_size: 48.0,
            max_width: f32::from(u16::try_from(width).unwrap()),
            max_lines: 20,
            wrap: Wrap::Greedy,
        };
        let block = layout_paragraph(&renderer().fonts, text, &style, &fit);
        assert_eq!(block.missing_glyphs, 0);
        for (i, line) in block.lines.iter().enumerate() {
            if i > 0 {
                assert!(
                    !line.text.starts_with(['、', '。', '」', '）', 'ー']),
                    "width {width}: line {i} {:?}",
                    line.text
                );
            }
            assert!(
                !line.text.ends_with(['「', '（']),
                "width {width}: line {i} {:?}",
                line.text
            );
            assert!(line.width <= f32::from(u16::try_from(width).unwrap()) + 0.01);
        }
    }
}

fn japanese(size: f32, width: f32, lines: usize) -> (TextStyle<'static>, Fit) {
    let style = TextStyle {
        weight: Weight::Bold,
        lang: Some("ja"),
        rtl: None,
        family: None,
    };
    let fit = Fit {
        max_size: size,
        min_size: size,
        max_width: width,
        max_lines: lines,
        wrap: Wrap::Greedy,
    };
    (style, fit)
}

#[test]
fn japanese_breaks_between_phrases_and_a_line_opening_with_a_bracket_is_not_indented() {
    let text = "東京で桜が満開、平年より5日早く　気象庁が発表「今週末が見ごろ」";
    for width in (300..1000).step_by(23) {
        let (style, fit) = japanese(48.0, f32::from(u16::try_from(width).unwrap()), 20);
        let block = layout_paragraph(&renderer().fonts, text, &style, &fit);
        for line in &block.lines {
            // より, 見ごろ, 今週末 are never cut (they fit on any of these lines).
            for word in ["より", "見ごろ", "今週末", "気象庁"] {
                for (cut, _) in word.char_indices().skip(1) {
                    let (head, tail) = word.split_at(cut);
                    assert!(
                        !(line.text.ends_with(head)
                            && text.contains(&format!("{}{tail}", line.text))),
                        "width {width}: {:?} cuts {word}",
                        line.text
                    );
                }
            }
            assert!(line.width <= f32::from(u16::try_from(width).unwrap()) + 0.01);
        }
    }
    let (style, fit) = japanese(48.0, 1000.0, 1);
    let block = layout_paragraph(&renderer().fonts, "「見ごろ」", &style, &fit);
    let first = block.lines[0].glyphs[0].x;
    assert!(
        first < -20.0,
        "the bracket's blank half is taken out: {first}"
    );
}
