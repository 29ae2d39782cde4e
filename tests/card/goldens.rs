//! One golden card per case of the renderer's promise: every script, every template, the traps.

use apercu::card::{CardText, Logo, PhotoLimits, Theme, photo};

use crate::support::{
    check, check_with_logo, compare_with, renderer, root, round_logo, skyline, synthetic,
};

const EXAMPLE_TITLE: &str = "Microsoft investit 2,9 milliards de dollars dans l\u{2019}IA au Japon";

fn french(title: &str) -> CardText<'_> {
    CardText {
        title,
        category: Some("Chiffres"),
        site_name: Some("Le Quotidien Numérique"),
        lang: Some("fr"),
    }
}

#[test]
fn the_example_article_card_with_its_photo() {
    check(
        "example-article-fr",
        &french(EXAMPLE_TITLE),
        Some(&skyline()),
        &Theme::default(),
    );
}

#[test]
fn the_benchmark_card_matches_the_browser_reference() {
    let theme = Theme::from_toml(
        &std::fs::read_to_string(root().join("benches/data/card-theme.toml")).unwrap(),
    )
    .unwrap();
    let text = CardText {
        category: Some("CHIFFRES"),
        ..french(EXAMPLE_TITLE)
    };
    let covered = photo::cover(&skyline(), 1200, 630, theme.photo_focus_y);
    let card = renderer().draw(&text, Some(&covered), None, &theme);
    // The reference is Chromium's rendering of the same card in HTML and CSS: never regenerated.
    compare_with(
        "benchmark-card",
        &root().join("tests/golden/benchmark-card-chromium.png"),
        &card.pixels,
        MIN_SIMILARITY_TO_BROWSER,
    );
}

/// Chromium resamples the photo's grain and hints glyph edges differently (0.933 measured; a
/// title moved by one line or a missing pill drops far below); the lines, positions and colours
/// must agree.
const MIN_SIMILARITY_TO_BROWSER: f64 = 0.92;

#[test]
fn without_a_photo_the_plain_template_is_used() {
    check(
        "no-photo-fr",
        &french(EXAMPLE_TITLE),
        None,
        &Theme::default(),
    );
}

#[test]
fn a_very_long_title_is_cut_with_an_ellipsis() {
    let title = "After months of negotiations, lawmakers reached a tentative agreement late on Thursday on a sweeping \
                 package that would overhaul the country's immigration system, expand border enforcement and create new \
                 legal pathways for workers, a compromise that leaders of both parties said could pass before the recess";
    let text = CardText {
        title,
        category: Some("Politics"),
        site_name: Some("The Lakeside Ledger"),
        lang: Some("en"),
    };
    check(
        "long-title-ellipsis-en",
        &text,
        Some(&skyline()),
        &Theme::default(),
    );
}

#[test]
fn a_one_word_title_is_set_large() {
    let text = CardText {
        title: "Brexit",
        category: Some("Europe"),
        site_name: Some("Harbour Times"),
        lang: Some("en"),
    };
    check(
        "one-word-title-en",
        &text,
        Some(&skyline()),
        &Theme::default(),
    );
}

#[test]
fn an_arabic_title_is_joined_and_right_aligned() {
    let text = CardText {
        title: "مايكروسوفت تستثمر 2.9 مليار دولار في الذكاء الاصطناعي باليابان",
        category: Some("اقتصاد"),
        site_name: Some("الصحيفة الرقمية"),
        lang: Some("ar"),
    };
    check("arabic-ar", &text, Some(&skyline()), &Theme::default());
}

#[test]
fn a_hebrew_title_keeps_its_latin_words_in_order() {
    let text = CardText {
        title: "אפל מציגה את iPhone 15 Pro עם מצלמה חדשה ב-2024",
        category: Some("טכנולוגיה"),
        site_name: Some("חדשות ירושלים"),
        lang: Some("he"),
    };
    check(
        "hebrew-latin-he",
        &text,
        Some(&skyline()),
        &Theme::default(),
    );
}

#[test]
fn a_japanese_title_breaks_between_phrases_with_kinsoku_and_a_trimmed_bracket() {
    let text = CardText {
        title: "東京で桜が満開、平年より5日早く　気象庁が発表「今週末が見ごろ」",
        category: Some("社会"),
        site_name: Some("東都新聞"),
        lang: Some("ja"),
    };
    check("japanese-ja", &text, Some(&skyline()), &Theme::default());
}

#[test]
fn a_chinese_title_uses_simplified_glyphs() {
    let text = CardText {
        title: "长江流域迎来新一轮强降雨，多地启动防汛应急响应",
        category: Some("新闻"),
        site_name: Some("东方日报"),
        lang: Some("zh-CN"),
    };
    check("chinese-zh", &text, Some(&skyline()), &Theme::default());
}

#[test]
fn a_thai_title_breaks_between_words() {
    let text = CardText {
        title: "ธนาคารแห่งประเทศไทยปรับลดอัตราดอกเบี้ยนโยบายลงเหลือร้อยละสองจุดห้า",
        category: Some("เศรษฐกิจ"),
        site_name: Some("ข่าวรายวัน"),
        lang: Some("th"),
    };
    check("thai-th", &text, Some(&skyline()), &Theme::default());
}

#[test]
fn a_german_compound_longer_than_the_line_is_hyphenated_not_cut() {
    let text = CardText {
        title: "Donaudampfschifffahrtsgesellschaftskapitänsmütze für 12.000 Euro versteigert",
        category: Some("Kurioses"),
        site_name: Some("Wiener Tagblatt"),
        lang: Some("de-AT"),
    };
    check(
        "german-hyphenation-de",
        &text,
        Some(&skyline()),
        &Theme::default(),
    );
}

#[test]
fn a_russian_title_in_cyrillic() {
    let text = CardText {
        title: "В Москве открылась новая линия метро",
        category: Some("Город"),
        site_name: Some("Столичные вести"),
        lang: Some("ru"),
    };
    check("russian-ru", &text, Some(&skyline()), &Theme::default());
}

#[test]
fn a_greek_title_with_upper_cased_accented_category() {
    let text = CardText {
        title: "Η Αθήνα υποδέχεται ρεκόρ τουριστών το καλοκαίρι",
        category: Some("Οικονομία"),
        site_name: Some("Η Καθημερινή Ματιά"),
        lang: Some("el"),
    };
    check("greek-el", &text, Some(&skyline()), &Theme::default());
}

#[test]
fn emoji_are_drawn_in_colour() {
    let text = CardText {
        title: "Record crowds celebrate the harvest festival 🎉🌽",
        category: Some("Community"),
        site_name: Some("Valley Voice"),
        lang: Some("en"),
    };
    check("emoji-en", &text, Some(&skyline()), &Theme::default());
}

#[test]
fn a_bright_white_photo_is_darkened_behind_the_text() {
    let white = synthetic(1600, 1000, [250, 250, 248], [236, 238, 240], None);
    let text = CardText {
        title: "Snowfall breaks a 40-year record across the Alps",
        category: Some("Weather"),
        site_name: Some("Harbour Times"),
        lang: Some("en"),
    };
    check(
        "bright-white-photo-en",
        &text,
        Some(&white),
        &Theme::default(),
    );
}

#[test]
fn a_wide_photo_is_cut_around_its_subject_on_the_right() {
    // A skin-toned subject near the right edge of a panorama: the centred cut would lose it.
    let panorama = synthetic(
        2400,
        900,
        [40, 70, 110],
        [20, 20, 30],
        Some((2150, 420, 170, [230, 190, 150])),
    );
    let text = CardText {
        title: "The last lighthouse keeper of the northern coast",
        category: Some("Features"),
        site_name: Some("Coastline Magazine"),
        lang: Some("en"),
    };
    check(
        "smart-crop-right-en",
        &text,
        Some(&panorama),
        &Theme::default(),
    );
}

#[test]
fn a_wide_photo_is_cut_around_its_subject_on_the_left() {
    let panorama = synthetic(
        2400,
        900,
        [90, 120, 90],
        [30, 40, 30],
        Some((260, 470, 170, [230, 190, 150])),
    );
    let text = CardText {
        title: "A shepherd's year on the high pastures",
        category: Some("Features"),
        site_name: Some("Mountain Journal"),
        lang: Some("en"),
    };
    check(
        "smart-crop-left-en",
        &text,
        Some(&panorama),
        &Theme::default(),
    );
}

#[test]
fn a_square_photo_is_cut_around_its_subject_near_the_bottom() {
    // The usual cut keeps the upper third of a square photo's excess height: the subject near
    // the bottom would be lost.
    let square = synthetic(
        1400,
        1400,
        [150, 180, 210],
        [60, 70, 80],
        Some((700, 1150, 160, [230, 190, 150])),
    );
    let text = CardText {
        title: "What the tide leaves on the beach",
        category: Some("Nature"),
        site_name: Some("Coastline Magazine"),
        lang: Some("en"),
    };
    check(
        "smart-crop-bottom-en",
        &text,
        Some(&square),
        &Theme::default(),
    );
}

#[test]
fn a_tall_portrait_photo_goes_beside_the_title_in_the_split_template() {
    let portrait = synthetic(
        800,
        1600,
        [40, 70, 110],
        [20, 20, 30],
        Some((400, 520, 160, [230, 190, 150])),
    );
    let text = CardText {
        title: "Portrait of a lighthouse keeper",
        category: Some("Features"),
        site_name: Some("Coastline Magazine"),
        lang: Some("en"),
    };
    check(
        "portrait-split-en",
        &text,
        Some(&portrait),
        &Theme::default(),
    );
}

#[test]
fn a_portrait_photo_beside_a_right_to_left_title_is_on_the_right() {
    let portrait = synthetic(
        800,
        1200,
        [120, 150, 170],
        [30, 40, 50],
        Some((400, 400, 150, [200, 160, 120])),
    );
    let text = CardText {
        title: "حارس المنارة يروي ثلاثين عامًا على الساحل",
        category: Some("تحقيقات"),
        site_name: Some("مجلة الساحل"),
        lang: Some("ar"),
    };
    check(
        "portrait-split-ar",
        &text,
        Some(&portrait),
        &Theme::default(),
    );
}

#[test]
fn a_photo_too_small_to_cover_the_card_goes_beside_the_title() {
    let small = synthetic(
        480,
        360,
        [90, 140, 60],
        [30, 50, 20],
        Some((300, 170, 70, [240, 200, 60])),
    );
    let text = CardText {
        title: "A small photo goes beside the title instead of being blown up",
        category: Some("Gardens"),
        site_name: Some("Allotment Weekly"),
        lang: Some("en"),
    };
    check(
        "small-photo-split-en",
        &text,
        Some(&small),
        &Theme::default(),
    );
}

#[test]
fn a_tiny_photo_gives_the_plain_template_not_a_blur_of_blocks() {
    let tiny = synthetic(
        200,
        120,
        [180, 90, 40],
        [40, 30, 60],
        Some((100, 60, 30, [250, 220, 120])),
    );
    let text = CardText {
        title: "A tiny photo gives way to the plain card",
        category: Some("Tests"),
        site_name: Some("Aperçu"),
        lang: Some("en"),
    };
    check("tiny-photo-en", &text, Some(&tiny), &Theme::default());
}

#[test]
fn a_card_without_category_has_no_pill() {
    let text = CardText {
        category: None,
        ..french(EXAMPLE_TITLE)
    };
    check(
        "missing-category-fr",
        &text,
        Some(&skyline()),
        &Theme::default(),
    );
}

#[test]
fn a_custom_theme_changes_colours_sizes_and_wrapping() {
    let theme = Theme::from_toml(
        "template = \"plain\"\n[colors]\nplain_background = \"#f4efe6\"\ntext = \"#1b1b1b\"\naccent = \"#0055a4\"\nfooter_text = \"#1b1b1bcc\"\n\
         [title_plain]\nmax_size = 70\nwrap = \"greedy\"\n[pill]\nuppercase = false\n",
    )
    .unwrap();
    check_with_logo(
        "custom-theme-fr",
        &french(EXAMPLE_TITLE),
        Some(&skyline()),
        Some(&round_logo()),
        &theme,
    );
}

#[test]
fn digits_after_an_emoji_come_from_the_text_font() {
    let fonts = &renderer().fonts;
    let style = apercu::card::text::TextStyle {
        weight: apercu::card::Weight::Bold,
        lang: Some("en"),
        rtl: None,
        family: None,
    };
    let block = apercu::card::text::layout_line(fonts, "🎉 2024 ✈️ Paris", &style, 48.0, 2000.0);
    let line = &block.lines[0];
    for glyph in &line.glyphs {
        let is_emoji = matches!(glyph.cluster, 0 | 10);
        let face = fonts.face(glyph.face).unwrap();
        assert_eq!(
            face.color_bitmaps, is_emoji,
            "cluster {} drawn with {}",
            glyph.cluster, face.family
        );
    }
    assert_eq!(block.missing_glyphs, 0);
}

#[test]
fn a_site_icon_stands_beside_the_site_name_and_the_pill_takes_the_pages_theme_colour() {
    let icon = image::RgbImage::from_fn(180, 180, |x, y| {
        let d = (f64::from(x) - 89.5).hypot(f64::from(y) - 89.5);
        if d < 54.0 {
            image::Rgb([255, 255, 255])
        } else {
            image::Rgb([11, 110, 79])
        }
    });
    let mut png = std::io::Cursor::new(Vec::new());
    icon.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let icon = Logo::site_icon(png.get_ref(), &PhotoLimits::default()).unwrap();
    let theme = Theme::default().with_page_accent(Some("#0b6e4f"));
    let text = CardText {
        title: "Community gardens take over the city's empty lots",
        category: Some("Cities"),
        site_name: Some("Allotment Weekly"),
        lang: Some("en"),
    };
    check_with_logo(
        "site-icon-theme-colour-en",
        &text,
        Some(&skyline()),
        Some(&icon),
        &theme,
    );
}
