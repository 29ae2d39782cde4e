//! Layout rules that need the system's CJK fonts (the bundled fonts have no CJK).

use apercu::card::Weight;
use apercu::card::text::{Fit, TextStyle, Wrap, layout_paragraph};

use crate::support::{fonts_present, renderer};

#[test]
fn japanese_lines_never_start_with_closing_punctuation_or_end_with_an_opening_bracket() {
    if !fonts_present("CJK", '東') {
        return;
    }
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
            max_width: width as f32,
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
            assert!(line.width <= width as f32 + 0.01);
        }
    }
}
