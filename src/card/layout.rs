//! Where everything goes on a card, without pixels: the template, the boxes, the lines of each
//! text and their baselines. All positions in pixels on the 1200×630 card.

use super::fonts::{FontBook, Weight};
use super::text::{Fit, TextBlock, TextStyle, layout_line, layout_paragraph};
use super::theme::{Color, Template, Theme};

pub const CARD_WIDTH: u32 = 1200;
pub const CARD_HEIGHT: u32 = 630;

/// From the footer's top to the card's bottom, and from the title's bottom to the footer's top.
const FOOTER_FROM_BOTTOM: f32 = 84.0;
const TITLE_TO_FOOTER: f32 = 24.0;
/// Space between the pill and the plain template's title, and the plain template's accent bar.
const PILL_TO_TITLE: f32 = 40.0;
const ACCENT_BAR: f32 = 12.0;
const LOGO_GAP: f32 = 12.0;
const LOGO_MAX_WIDTH: f32 = 240.0;
/// The split template's photo panel: the card's height, as wide as the photo's shape asks
/// within these bounds (a 2:3 portrait gets 420 px).
const PANEL_MIN_WIDTH: f32 = 360.0;
const PANEL_MAX_WIDTH: f32 = 480.0;
/// How far a photo may be blown up: across the whole card, and in the split template's panel.
/// Past the first a photo is too small to cover the card and goes beside the text; past the
/// second it would be a blur of blocks and the card is drawn without it.
const MAX_COVER_UPSCALE: f32 = 1.6;
const MAX_PANEL_UPSCALE: f32 = 2.5;

/// The strings a card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CardText<'a> {
    pub title: &'a str,
    pub category: Option<&'a str>,
    pub site_name: Option<&'a str>,
    pub lang: Option<&'a str>,
}

/// A laid-out text with where its lines go.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBox {
    pub block: TextBlock,
    /// Left edge and width of the box the lines are aligned in.
    pub x: f32,
    pub width: f32,
    pub baselines: Vec<f32>,
    pub color: Color,
    pub align_right: bool,
}

impl TextBox {
    /// The left edge of line `i`.
    #[must_use]
    pub fn line_x(&self, i: usize) -> f32 {
        let line = &self.block.lines[i];
        if self.align_right {
            self.x + self.width - line.width
        } else {
            self.x
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pill {
    pub rect: Rect,
    pub radius: f32,
    pub color: Color,
    pub text: TextBox,
}

/// What is behind the text.
#[derive(Debug, Clone, PartialEq)]
pub enum Backdrop {
    /// The photo, darkened by a vertical black gradient ([position, opacity] stops); with
    /// `adaptive`, darkened further behind the text where the photo is too bright.
    Photo {
        scrim: Vec<(f32, f32)>,
        adaptive: bool,
        text_top: f32,
        text_bottom: f32,
    },
    /// A flat colour with the photo in a full-height panel on the reading-start edge (the
    /// right for right-to-left titles): for portrait photos and photos too small to cover the
    /// card.
    Split { color: Color, panel: Rect },
    /// A flat colour with an accent bar on the reading-start edge.
    Plain {
        color: Color,
        bar: Rect,
        bar_color: Color,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct CardLayout {
    pub width: u32,
    pub height: u32,
    pub background: Color,
    pub backdrop: Backdrop,
    pub pill: Option<Pill>,
    pub title: TextBox,
    pub footer: Option<TextBox>,
    pub logo: Option<Rect>,
    /// Characters no font could draw, over every text of the card.
    pub missing_glyphs: usize,
    pub margin: f32,
}

/// The baseline of a line box as Blink computes it: ascent and descent rounded to whole pixels,
/// the half-leading floored, so baselines fall on pixel rows (crisp text, as in browsers).
fn baseline(top: f32, line_height: f32, size: f32, metrics: (f32, f32)) -> f32 {
    let (ascent, descent) = ((metrics.0 * size).round(), (metrics.1 * size).round());
    top + ((line_height - ascent - descent) / 2.0).floor() + ascent
}

/// Ascender and descender (positive, in ems) of the theme's family.
fn primary_metrics(fonts: &FontBook, family: &str) -> (f32, f32) {
    let face = fonts
        .face_for_family('A', Weight::Bold, None, None, Some(family))
        .or_else(|| fonts.face_for('A', Weight::Bold, None, None))
        .and_then(|id| fonts.face(id));
    face.map_or((1.069, 0.293), |f| {
        (f.ascender / f.units_per_em, -f.descender / f.units_per_em)
    })
}

/// Upper case by Unicode's rules (ß → SS), and Greek capitals without their accents, as Greek
/// typography sets all-caps (Οικονομία → ΟΙΚΟΝΟΜΙΑ).
#[must_use]
pub fn upper_case(text: &str) -> String {
    text.to_uppercase()
        .chars()
        .map(|c| match c {
            'Ά' => 'Α',
            'Έ' => 'Ε',
            'Ή' => 'Η',
            'Ί' => 'Ι',
            'Ό' => 'Ο',
            'Ύ' => 'Υ',
            'Ώ' => 'Ω',
            'ΐ' => 'Ϊ',
            'ΰ' => 'Ϋ',
            other => other,
        })
        .filter(|c| *c != '\u{301}')
        .collect()
}

impl CardLayout {
    /// The size the photo must be cut to for this layout, if it shows one.
    #[must_use]
    pub fn photo_size(&self) -> Option<(u32, u32)> {
        match &self.backdrop {
            Backdrop::Photo { .. } => Some((self.width, self.height)),
            // Whole pixels by construction (see `place_photo`).
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "the panel lies within the 1200×630 card"
            )]
            Backdrop::Split { panel, .. } => Some((panel.width as u32, panel.height as u32)),
            Backdrop::Plain { .. } => None,
        }
    }
}

/// Where a photo goes: over the whole card, in a panel of this width, or nowhere.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placement {
    Cover,
    Panel(f32),
    Nowhere,
}

/// Where a photo of `size` goes under `template`. By itself ([`Template::Auto`]) a landscape
/// photo that covers the card without being blown up past [`MAX_COVER_UPSCALE`] covers it; a
/// portrait one, or a smaller one, goes in the split template's panel if it fills it within
/// [`MAX_PANEL_UPSCALE`]; a smaller one still is left out.
/// A side of the card in layout units.
#[expect(clippy::cast_precision_loss, reason = "1200 and 630 are exact in f32")]
fn card_side(pixels: u32) -> f32 {
    pixels as f32
}

#[expect(
    clippy::cast_precision_loss,
    reason = "photo sides are capped far below 2^24"
)]
fn place_photo(size: Option<(u32, u32)>, template: Template) -> Placement {
    let Some((pw, ph)) = size.filter(|(w, h)| *w > 0 && *h > 0) else {
        return Placement::Nowhere;
    };
    let (pw, ph) = (pw as f32, ph as f32);
    let (w, h) = (card_side(CARD_WIDTH), card_side(CARD_HEIGHT));
    let cover_upscale = (w / pw).max(h / ph);
    let panel_width = (h * pw / ph)
        .round()
        .clamp(PANEL_MIN_WIDTH, PANEL_MAX_WIDTH);
    let panel_upscale = (panel_width / pw).max(h / ph);
    let cover = cover_upscale <= MAX_COVER_UPSCALE && pw >= ph;
    let panel = panel_upscale <= MAX_PANEL_UPSCALE;
    match template {
        Template::Auto if cover => Placement::Cover,
        Template::Auto | Template::Split if panel => Placement::Panel(panel_width),
        // Forced: the first version's rule, at most three times blown up.
        Template::Photo if cover_upscale <= 3.0 => Placement::Cover,
        _ => Placement::Nowhere,
    }
}

/// Lays out a card. `photo` is the size of the article's photo, if it has one: with the
/// theme's template it chooses the template (full-bleed photo, split, plain; the photo must
/// then be cut to [`CardLayout::photo_size`]). `logo_aspect` is the logo's width / height
/// when there is one.
#[must_use]
pub fn layout(
    text: &CardText<'_>,
    photo: Option<(u32, u32)>,
    logo_aspect: Option<f32>,
    theme: &Theme,
    fonts: &FontBook,
) -> CardLayout {
    let placement = place_photo(photo, theme.template);
    let photo = placement == Placement::Cover;
    let panel_width = match placement {
        Placement::Panel(width) => width,
        _ => 0.0,
    };
    let (w, h) = (card_side(CARD_WIDTH), card_side(CARD_HEIGHT));
    let margin = theme.margin;
    // The text's region: the card, or what the panel leaves of it.
    let content = w - panel_width - 2.0 * margin;
    let accent_bar = if placement == Placement::Nowhere {
        ACCENT_BAR
    } else {
        0.0
    };
    let metrics = primary_metrics(fonts, &theme.fonts.family);
    let family = Some(theme.fonts.family.as_str());
    let style = TextStyle {
        weight: Weight::Bold,
        lang: text.lang,
        rtl: None,
        family,
    };
    let title_style = if photo {
        &theme.title
    } else {
        &theme.title_plain
    };
    let fit = Fit {
        max_size: title_style.max_size,
        min_size: title_style.min_size,
        max_width: content - accent_bar,
        max_lines: title_style.max_lines,
        wrap: title_style.wrap,
    };
    let title_block = layout_paragraph(fonts, text.title, &style, &fit);
    let rtl = title_block.rtl;
    let mut missing = title_block.missing_glyphs;
    // Left and right edges of the text's region; the panel is on the reading-start side.
    let (start, end) = if rtl {
        (margin, w - panel_width - margin)
    } else {
        (panel_width + margin, w - margin)
    };

    let pill = text
        .category
        .filter(|c| !c.trim().is_empty())
        .map(|category| {
            let label = if theme.pill.uppercase {
                upper_case(category)
            } else {
                category.to_owned()
            };
            let p = &theme.pill;
            let block = layout_line(
                fonts,
                &label,
                &style,
                p.font_size,
                content / 2.0 - 2.0 * p.padding,
            );
            missing += block.missing_glyphs;
            let width = block.lines.first().map_or(0.0, |l| l.width) + 2.0 * p.padding;
            let top = margin - 8.0;
            let x = if rtl { end - width } else { start };
            Pill {
                rect: Rect {
                    x,
                    y: top,
                    width,
                    height: p.height,
                },
                radius: p.height / 2.0,
                color: theme.colors.accent,
                text: TextBox {
                    baselines: vec![baseline(top, p.height, p.font_size, metrics)],
                    x: x + p.padding,
                    width: width - 2.0 * p.padding,
                    block,
                    color: theme.colors.accent_text,
                    align_right: false,
                },
            }
        });

    let footer_top = h - FOOTER_FROM_BOTTOM;
    let f = &theme.footer;
    let logo = logo_aspect
        .filter(|a| a.is_finite() && *a > 0.0)
        .map(|aspect| {
            let width = (f.logo_height * aspect).min(LOGO_MAX_WIDTH);
            let height = width / aspect;
            let x = if rtl { end - width } else { start };
            Rect {
                x,
                y: footer_top + (f.line_height - height) / 2.0,
                width,
                height,
            }
        });
    let logo_space = logo.map_or(0.0, |l| l.width + LOGO_GAP);
    let footer = text.site_name.filter(|s| !s.trim().is_empty()).map(|site| {
        let block = layout_line(
            fonts,
            site,
            &TextStyle {
                rtl: Some(rtl),
                ..style
            },
            f.font_size,
            content - logo_space,
        );
        missing += block.missing_glyphs;
        TextBox {
            baselines: vec![baseline(footer_top, f.line_height, f.font_size, metrics)],
            x: if rtl { start } else { start + logo_space },
            width: content - logo_space,
            block,
            color: theme.colors.footer_text,
            align_right: rtl,
        }
    });

    let line_height = title_block.size * title_style.line_height;
    #[expect(clippy::cast_precision_loss, reason = "a handful of lines")]
    let block_height = title_block.lines.len() as f32 * line_height;
    let title_bottom = footer_top - TITLE_TO_FOOTER;
    let title_top = if photo {
        title_bottom - block_height
    } else {
        let region_top = pill
            .as_ref()
            .map_or(margin, |p| p.rect.y + p.rect.height + PILL_TO_TITLE);
        (region_top + (title_bottom - region_top - block_height) / 2.0).max(region_top)
    };
    #[expect(clippy::cast_precision_loss, reason = "a handful of lines")]
    let baselines = (0..title_block.lines.len())
        .map(|i| {
            baseline(
                title_top + i as f32 * line_height,
                line_height,
                title_block.size,
                metrics,
            )
        })
        .collect();
    let (title_x, title_width) = if rtl {
        (start, fit.max_width)
    } else {
        (start + accent_bar, fit.max_width)
    };
    let title = TextBox {
        block: title_block,
        x: title_x,
        width: title_width,
        baselines,
        color: theme.colors.text,
        align_right: rtl,
    };

    let backdrop = if photo {
        Backdrop::Photo {
            scrim: theme.scrim.stops.clone(),
            adaptive: theme.scrim.adaptive,
            text_top: title_top,
            text_bottom: footer_top + f.line_height,
        }
    } else if panel_width > 0.0 {
        Backdrop::Split {
            color: theme.colors.plain_background,
            panel: Rect {
                x: if rtl { w - panel_width } else { 0.0 },
                y: 0.0,
                width: panel_width,
                height: h,
            },
        }
    } else {
        let bar_x = if rtl { w - ACCENT_BAR } else { 0.0 };
        Backdrop::Plain {
            color: theme.colors.plain_background,
            bar: Rect {
                x: bar_x,
                y: 0.0,
                width: ACCENT_BAR,
                height: h,
            },
            bar_color: theme.colors.accent,
        }
    };
    CardLayout {
        width: CARD_WIDTH,
        height: CARD_HEIGHT,
        background: theme.colors.background,
        backdrop,
        pill,
        title,
        footer,
        logo,
        missing_glyphs: missing,
        margin,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    fn fonts() -> &'static FontBook {
        static BOOK: OnceLock<FontBook> = OnceLock::new();
        BOOK.get_or_init(|| FontBook::bundled().unwrap())
    }

    fn bench_theme() -> Theme {
        Theme::from_toml(
            "[title]\nmax_size = 64\nmin_size = 64\nwrap = \"greedy\"\n[scrim]\nadaptive = false\n",
        )
        .unwrap()
    }

    const BENCH: CardText<'static> = CardText {
        title: "Microsoft investit 2,9 milliards de dollars dans l\u{2019}IA au Japon",
        category: Some("CHIFFRES"),
        site_name: Some("Le Quotidien Numérique"),
        lang: Some("fr"),
    };

    #[test]
    fn the_benchmark_card_puts_its_baselines_where_chromium_does() {
        let card = layout(&BENCH, Some((1200, 630)), None, &bench_theme(), fonts());
        let pill = card.pill.unwrap();
        assert_eq!(
            (pill.rect.x, pill.rect.y, pill.rect.height),
            (64.0, 56.0, 44.0)
        );
        // The layout's formula (the font's ascent and descent at the line's size) gives 87.31,
        // 432.83, 508.83 and 574.86; Chromium's reference picture has them on whole pixels, as
        // Blink rounds the font's ascent and descent.
        assert_eq!(pill.text.baselines, [87.0]);
        assert_eq!(card.title.block.lines.len(), 2);
        assert_eq!(card.title.baselines, [432.0, 508.0]);
        let footer = card.footer.unwrap();
        assert_eq!(footer.baselines, [575.0]);
        assert!((footer.x - 64.0).abs() < f32::EPSILON);
    }

    #[test]
    fn a_right_to_left_title_mirrors_the_card() {
        let text = CardText {
            title: "مايكروسوفت تستثمر في اليابان",
            category: Some("اقتصاد"),
            site_name: Some("الصحيفة"),
            lang: Some("ar"),
        };
        let card = layout(&text, Some((1200, 630)), None, &Theme::default(), fonts());
        assert!(card.title.align_right);
        let pill = card.pill.unwrap();
        assert!((pill.rect.x + pill.rect.width - (1200.0 - 64.0)).abs() < 0.01);
        assert!(card.footer.unwrap().align_right);
    }

    #[test]
    fn without_a_photo_the_title_is_larger_and_the_accent_bar_shows() {
        let with_photo = layout(&BENCH, Some((1600, 1067)), None, &Theme::default(), fonts());
        let plain = layout(&BENCH, None, None, &Theme::default(), fonts());
        assert!(plain.title.block.size > with_photo.title.block.size);
        assert!(matches!(plain.backdrop, Backdrop::Plain { .. }));
    }

    #[test]
    fn categories_are_upper_cased_by_the_rules_of_their_script() {
        assert_eq!(upper_case("économie"), "ÉCONOMIE");
        assert_eq!(upper_case("Straße"), "STRASSE");
        assert_eq!(upper_case("Οικονομία"), "ΟΙΚΟΝΟΜΙΑ");
        assert_eq!(upper_case("اقتصاد"), "اقتصاد");
    }

    #[test]
    fn no_category_means_no_pill() {
        let card = layout(
            &CardText {
                category: None,
                ..BENCH
            },
            Some((1200, 630)),
            None,
            &Theme::default(),
            fonts(),
        );
        assert!(card.pill.is_none());
    }

    #[test]
    fn a_photo_goes_over_the_card_beside_the_text_or_nowhere_by_its_shape_and_size() {
        let auto = |w, h| place_photo(Some((w, h)), Template::Auto);
        assert_eq!(auto(1600, 1067), Placement::Cover);
        assert_eq!(auto(800, 450), Placement::Cover, "blown up 1.5 times");
        assert_eq!(auto(1200, 1200), Placement::Cover, "a square is cut");
        assert_eq!(auto(800, 1200), Placement::Panel(420.0), "a 2:3 portrait");
        assert_eq!(auto(900, 1600), Placement::Panel(360.0), "a 9:16 portrait");
        assert_eq!(
            auto(640, 360),
            Placement::Panel(480.0),
            "too small to cover"
        );
        assert_eq!(
            auto(120, 90),
            Placement::Nowhere,
            "a blur of blocks either way"
        );
        assert_eq!(place_photo(None, Template::Auto), Placement::Nowhere);
        assert_eq!(
            place_photo(Some((800, 1200)), Template::Photo),
            Placement::Cover
        );
        assert_eq!(
            place_photo(Some((1600, 1067)), Template::Split),
            Placement::Panel(480.0)
        );
        assert_eq!(
            place_photo(Some((1600, 1067)), Template::Plain),
            Placement::Nowhere
        );
    }

    #[test]
    fn the_split_template_puts_the_photo_on_the_reading_start_side() {
        let portrait = Some((800, 1200));
        let card = layout(&BENCH, portrait, None, &Theme::default(), fonts());
        let Backdrop::Split { panel, .. } = card.backdrop else {
            panic!("split expected, got {:?}", card.backdrop);
        };
        assert_eq!((panel.x, panel.width, panel.height), (0.0, 420.0, 630.0));
        assert_eq!(card.photo_size(), Some((420, 630)));
        assert!(card.title.x >= 420.0 + 64.0 - 0.01);
        assert!(card.pill.unwrap().rect.x >= 420.0 + 64.0 - 0.01);
        assert!(card.footer.unwrap().x >= 420.0 + 64.0 - 0.01);

        let arabic = CardText {
            title: "مايكروسوفت تستثمر في اليابان",
            category: Some("اقتصاد"),
            site_name: Some("الصحيفة"),
            lang: Some("ar"),
        };
        let card = layout(&arabic, portrait, None, &Theme::default(), fonts());
        let Backdrop::Split { panel, .. } = card.backdrop else {
            panic!("split expected");
        };
        assert!((panel.x - (1200.0 - 420.0)).abs() < 0.01);
        let pill = card.pill.unwrap();
        assert!(pill.rect.x + pill.rect.width <= 1200.0 - 420.0 - 64.0 + 0.01);
        assert!(card.title.x + card.title.width <= 1200.0 - 420.0 - 64.0 + 0.01);
    }
}
