//! Cards (docs/cards.md): `Article` + photo + theme → layout (lines, glyphs,
//! boxes; no pixels) → paint (pixels) → encode (PNG, JPEG, WebP). Pure: no network, no clock.

mod breaks;
pub mod encode;
mod error;
pub mod explain;
pub mod fonts;
pub mod layout;
pub mod paint;
pub mod photo;
pub mod text;
pub mod theme;

pub use encode::Format;
pub use error::RenderError;
pub use fonts::{FontBook, Weight};
pub use layout::{CARD_HEIGHT, CARD_WIDTH, CardLayout, CardText};
pub use photo::{Logo, Photo, PhotoLimits};
pub use theme::Theme;

use image::RgbImage;

use crate::extract::Article;

/// Fonts and glyph rasters, loaded once and shared by every card of a process.
#[derive(Debug)]
pub struct Renderer {
    pub fonts: FontBook,
    glyphs: paint::GlyphCache,
}

/// A drawn card, before encoding.
#[derive(Debug)]
pub struct Card {
    pub pixels: RgbImage,
    /// Characters of the card's texts that no font could draw (left out; worth a log line).
    pub missing_glyphs: usize,
}

impl Renderer {
    #[must_use]
    pub fn new(fonts: FontBook) -> Self {
        Self {
            fonts,
            glyphs: paint::GlyphCache::default(),
        }
    }

    /// Lays out and paints a card over a photo already cut to the card's size (see
    /// [`photo::cover`]), in the full-bleed template unless the theme says otherwise.
    #[must_use]
    pub fn draw(
        &self,
        text: &CardText<'_>,
        photo: Option<&RgbImage>,
        logo: Option<&Logo>,
        theme: &Theme,
    ) -> Card {
        let size = photo.map(image::GenericImageView::dimensions);
        let layout = layout::layout(text, size, logo_aspect(logo), theme, &self.fonts);
        let photo = photo.filter(|p| layout.photo_size() == Some(p.dimensions()));
        self.paint(&layout, photo, logo)
    }

    /// Lays out and paints a card with `photo` where its shape and size put it (over the
    /// card, beside the text, or nowhere), cut as the theme says.
    #[must_use]
    pub fn draw_photo(
        &self,
        text: &CardText<'_>,
        photo: Option<&Photo>,
        logo: Option<&Logo>,
        theme: &Theme,
    ) -> Card {
        let (layout, cut) = self.lay_out(text, photo, logo, theme, true);
        self.paint(&layout, cut.as_ref(), logo)
    }

    fn paint(
        &self,
        layout: &layout::CardLayout,
        photo: Option<&RgbImage>,
        logo: Option<&Logo>,
    ) -> Card {
        let pixels = paint::paint(
            layout,
            photo,
            logo.map(|l| &l.image),
            &self.fonts,
            &self.glyphs,
        );
        Card {
            pixels,
            missing_glyphs: layout.missing_glyphs,
        }
    }

    /// The card of an article, encoded: the theme for the article's host, the photo covering
    /// the card (cut at the theme's focus), the title (or the site name, or the host when
    /// the page has no title).
    ///
    /// # Errors
    /// [`RenderError::Encode`] if encoding fails.
    pub fn render(
        &self,
        article: &Article,
        photo: Option<&Photo>,
        logo: Option<&Logo>,
        theme: &Theme,
        format: Format,
    ) -> Result<(Vec<u8>, Card), RenderError> {
        let card = self.compose(article, photo, logo, theme);
        let bytes = encode::encode(&card.pixels, format)?;
        Ok((bytes, card))
    }

    /// The card of an article, drawn but not encoded (see [`Renderer::render`]).
    #[must_use]
    pub fn compose(
        &self,
        article: &Article,
        photo: Option<&Photo>,
        logo: Option<&Logo>,
        theme: &Theme,
    ) -> Card {
        let (layout, covered) = self.plan(article, photo, logo, theme, true);
        self.paint(&layout, covered.as_ref(), logo)
    }

    /// Why the card of an article looks as it does ([`Renderer::compose`]'s layout, explained):
    /// its template, sizes, lines and the font of every run.
    #[must_use]
    pub fn explain(
        &self,
        article: &Article,
        photo: Option<&Photo>,
        logo: Option<&Logo>,
        theme: &Theme,
    ) -> explain::Explanation {
        let (layout, _) = self.plan(article, photo, logo, theme, false);
        explain::explain(&layout, &self.fonts)
    }

    /// [`Renderer::compose`] and [`Renderer::explain`] from one layout.
    #[must_use]
    pub fn compose_explained(
        &self,
        article: &Article,
        photo: Option<&Photo>,
        logo: Option<&Logo>,
        theme: &Theme,
    ) -> (Card, explain::Explanation) {
        let (layout, covered) = self.plan(article, photo, logo, theme, true);
        let explained = explain::explain(&layout, &self.fonts);
        (self.paint(&layout, covered.as_ref(), logo), explained)
    }

    /// An article's card laid out with the theme for its host and page (its `theme-color`), and,
    /// when `cover` is asked and the photo is usable, the photo cut to the card.
    fn plan(
        &self,
        article: &Article,
        photo: Option<&Photo>,
        logo: Option<&Logo>,
        theme: &Theme,
        cover: bool,
    ) -> (layout::CardLayout, Option<RgbImage>) {
        let theme = theme
            .for_host(article.url.host_str())
            .with_page_accent(article.theme_color.as_deref());
        self.lay_out(&card_text(article), photo, logo, &theme, cover)
    }

    /// `text` laid out with `theme` around `photo`, and, when `cut` is asked, the photo cut to
    /// the place the layout gives it.
    fn lay_out(
        &self,
        text: &CardText<'_>,
        photo: Option<&Photo>,
        logo: Option<&Logo>,
        theme: &Theme,
        cut: bool,
    ) -> (layout::CardLayout, Option<RgbImage>) {
        let size = photo.map(|p| (p.width(), p.height()));
        let layout = layout::layout(text, size, logo_aspect(logo), theme, &self.fonts);
        let cut = photo
            .zip(layout.photo_size())
            .filter(|_| cut)
            .map(|(p, (width, height))| {
                photo::cover_with(p, width, height, theme.photo_crop, theme.photo_focus_y)
            });
        (layout, cut)
    }
}

/// A logo's width / height.
#[expect(clippy::cast_precision_loss, reason = "logo sides are far below 2^24")]
fn logo_aspect(logo: Option<&Logo>) -> Option<f32> {
    logo.map(|l| l.image.width() as f32 / l.image.height().max(1) as f32)
}

/// The texts of an article's card: its title (or the site name, or the host when the page has
/// no title), category, site name (or host) and language.
fn card_text(article: &Article) -> CardText<'_> {
    let host = article.url.host_str().unwrap_or_default();
    CardText {
        title: article
            .title
            .as_deref()
            .or(article.site_name.as_deref())
            .unwrap_or(host),
        category: article.category.as_deref(),
        site_name: article.site_name.as_deref().or(Some(host)),
        lang: article.lang.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pill_takes_the_pages_theme_colour_when_white_stays_readable_on_it() {
        let renderer = Renderer::new(FontBook::bundled().unwrap());
        let mut article = Article::empty(url::Url::parse("https://news.example/a").unwrap());
        article.title = Some("Un titre".to_owned());
        article.category = Some("Économie".to_owned());
        // The pill's left end, below its rounded corner: (64 + 20, 56 + 22).
        let pill = |article: &Article| {
            let card = renderer.compose(article, None, None, &Theme::default());
            card.pixels.get_pixel(84, 78).0
        };
        assert_eq!(pill(&article), [0xe4, 0x00, 0x2b]);
        article.theme_color = Some("#1a2b6d".to_owned());
        assert_eq!(pill(&article), [0x1a, 0x2b, 0x6d]);
        article.theme_color = Some("#ffe14d".to_owned());
        assert_eq!(pill(&article), [0xe4, 0x00, 0x2b]);
    }
}
