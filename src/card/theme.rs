//! Card themes: colours, fonts, sizes, template, per-site overrides. A theme file holds only
//! what it changes: it is laid over the built-in `assets/theme.toml`, and a `[sites."host"]`
//! table is laid over the result for that host.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::RenderError;
use super::text::Wrap;

const BUILT_IN: &str = include_str!("../../assets/theme.toml");

/// An sRGB colour with straight alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const BLACK: Color = Color {
        r: 0,
        g: 0,
        b: 0,
        a: 255,
    };
    pub const WHITE: Color = Color {
        r: 255,
        g: 255,
        b: 255,
        a: 255,
    };

    #[must_use]
    pub fn rgb(self) -> [u8; 3] {
        [self.r, self.g, self.b]
    }

    /// WCAG 2 relative luminance (alpha ignored).
    #[must_use]
    pub fn luminance(self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.r) + 0.7152 * linear(self.g) + 0.0722 * linear(self.b)
    }

    /// WCAG 2 contrast ratio of two opaque colours (1 to 21).
    #[must_use]
    pub fn contrast(self, other: Color) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

impl TryFrom<String> for Color {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        parse_color(&raw).ok_or_else(|| {
            format!("{raw:?} is not a colour (#rgb, #rrggbb, #rrggbbaa or rgba(r, g, b, a))")
        })
    }
}

fn parse_color(raw: &str) -> Option<Color> {
    let raw = raw.trim();
    if let Some(hex) = raw.strip_prefix('#') {
        let digits: Vec<u8> = hex
            .chars()
            .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
            .collect::<Option<_>>()?;
        let pair = |i: usize| digits[i] * 16 + digits[i + 1];
        return match digits.len() {
            3 => Some(Color {
                r: digits[0] * 17,
                g: digits[1] * 17,
                b: digits[2] * 17,
                a: 255,
            }),
            6 => Some(Color {
                r: pair(0),
                g: pair(2),
                b: pair(4),
                a: 255,
            }),
            8 => Some(Color {
                r: pair(0),
                g: pair(2),
                b: pair(4),
                a: pair(6),
            }),
            _ => None,
        };
    }
    let inner = raw
        .strip_prefix("rgba(")
        .or_else(|| raw.strip_prefix("rgb("))?
        .strip_suffix(')')?;
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    let channel = |p: &str| p.parse::<u8>().ok();
    let (r, g, b) = (
        channel(parts.first()?)?,
        channel(parts.get(1)?)?,
        channel(parts.get(2)?)?,
    );
    let a = match parts.get(3) {
        Some(a) => {
            let a: f32 = a.parse().ok()?;
            if !(0.0..=1.0).contains(&a) {
                return None;
            }
            // 0..=1 scaled to 0..=255 and rounded: always in range.
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "an alpha in 0..=1 times 255 is a byte"
            )]
            let a = (a * 255.0).round() as u8;
            a
        }
        None => 255,
    };
    Some(Color { r, g, b, a })
}

/// How the photo is cut to the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crop {
    /// Around the photo's salient region (edges, skin tones, saturation) when it has a clear
    /// one; otherwise as `fixed`.
    Smart,
    /// Centred across, at `photo_focus_y` down.
    Fixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Template {
    /// The photo over the card when it is landscape and large enough, beside the text
    /// ([`Template::Split`]) when it is portrait or small, else plain.
    Auto,
    /// The photo over the card whenever there is one not blown up past three times.
    Photo,
    /// The photo in a full-height panel beside the text.
    Split,
    /// No photo.
    Plain,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Colors {
    pub background: Color,
    pub plain_background: Color,
    pub text: Color,
    pub accent: Color,
    pub accent_text: Color,
    pub footer_text: Color,
    /// Take the page's `theme-color` as the accent when `accent_text` keeps 4.5:1 on it.
    pub page_accent: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fonts {
    pub family: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitleStyle {
    pub max_size: f32,
    pub min_size: f32,
    pub line_height: f32,
    pub max_lines: usize,
    pub wrap: Wrap,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PillStyle {
    pub font_size: f32,
    pub height: f32,
    pub padding: f32,
    pub uppercase: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterStyle {
    pub font_size: f32,
    pub line_height: f32,
    pub logo_height: f32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scrim {
    pub stops: Vec<(f32, f32)>,
    pub adaptive: bool,
}

/// A complete theme (every key has a value: the built-in theme supplies what a file omits).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub template: Template,
    pub photo_crop: Crop,
    pub photo_focus_y: f64,
    pub margin: f32,
    pub colors: Colors,
    pub fonts: Fonts,
    pub title: TitleStyle,
    pub title_plain: TitleStyle,
    pub pill: PillStyle,
    pub footer: FooterStyle,
    pub scrim: Scrim,
    /// Path of a logo image drawn before the site name, relative to the theme file.
    #[serde(default)]
    pub logo: Option<String>,
    /// Overrides by article host (`"example.com"` also applies to `www.example.com`).
    #[serde(default)]
    sites: BTreeMap<String, toml::Table>,
    /// The merged TOML this theme was read from (without `sites`): site overrides merge onto it.
    #[serde(skip)]
    table: toml::Table,
}

impl Default for Theme {
    fn default() -> Self {
        Self::from_toml("").expect("the built-in theme is valid")
    }
}

impl Theme {
    /// The built-in theme with `overrides` (the text of a theme file) laid over it.
    ///
    /// # Errors
    /// [`RenderError::Theme`] with the TOML error, an unknown key, or a value out of range.
    pub fn from_toml(overrides: &str) -> Result<Self, RenderError> {
        let mut base: toml::Table = BUILT_IN
            .parse()
            .map_err(|e: toml::de::Error| RenderError::Theme(e.to_string()))?;
        let user: toml::Table = overrides
            .parse()
            .map_err(|e: toml::de::Error| RenderError::Theme(e.to_string()))?;
        merge(&mut base, user);
        let mut theme: Theme = toml::Value::Table(base.clone())
            .try_into()
            .map_err(|e: toml::de::Error| RenderError::Theme(e.to_string()))?;
        base.remove("sites");
        theme.table = base;
        theme.validate()?;
        for (host, table) in &theme.sites {
            theme
                .with(table.clone())
                .map_err(|e| RenderError::Theme(format!("[sites.{host:?}]: {e}")))?;
        }
        Ok(theme)
    }

    /// Every logo the theme names, its sites' included (relative to the theme file).
    #[must_use]
    pub fn logos(&self) -> Vec<String> {
        let sites = self
            .sites
            .values()
            .filter_map(|table| table.get("logo").and_then(toml::Value::as_str))
            .map(str::to_owned);
        self.logo.iter().cloned().chain(sites).collect()
    }

    /// Every font family the theme asks for, its sites' included.
    #[must_use]
    pub fn families(&self) -> Vec<String> {
        let sites = self
            .sites
            .values()
            .filter_map(|table| table.get("fonts")?.get("family")?.as_str())
            .map(str::to_owned);
        let mut families: Vec<String> = std::iter::once(self.fonts.family.clone())
            .chain(sites)
            .collect();
        families.sort();
        families.dedup();
        families
    }

    /// This theme with the page's `theme-color` (`#rrggbb`) as its accent — the pill and the
    /// plain template's bar — when the theme allows it (`page_accent`) and the pill's text
    /// keeps WCAG's 4.5:1 contrast on it.
    #[must_use]
    pub fn with_page_accent(mut self, theme_color: Option<&str>) -> Theme {
        if self.colors.page_accent
            && let Some(colour) = theme_color.and_then(parse_color)
            && colour.a == 255
            && colour.contrast(self.colors.accent_text) >= 4.5
        {
            self.colors.accent = colour;
        }
        self
    }

    /// The theme for articles on `host`: the most specific `[sites]` entry laid over this one.
    #[must_use]
    pub fn for_host(&self, host: Option<&str>) -> Theme {
        let Some(host) = host.map(|h| h.trim_end_matches('.').to_ascii_lowercase()) else {
            return self.clone();
        };
        let mut labels: Vec<&str> = host.split('.').collect();
        while labels.len() >= 2 {
            let candidate = labels.join(".");
            if let Some(table) = self.sites.get(&candidate) {
                // Validated in `from_toml`.
                return self.with(table.clone()).unwrap_or_else(|_| self.clone());
            }
            labels.remove(0);
        }
        self.clone()
    }

    fn with(&self, table: toml::Table) -> Result<Theme, RenderError> {
        let mut base = self.table.clone();
        merge(&mut base, table);
        let mut theme: Theme = toml::Value::Table(base.clone())
            .try_into()
            .map_err(|e: toml::de::Error| RenderError::Theme(e.to_string()))?;
        theme.validate()?;
        theme.table = base;
        Ok(theme)
    }

    fn validate(&self) -> Result<(), RenderError> {
        let bad = |what: &str| Err(RenderError::Theme(what.to_owned()));
        if self.logo.as_deref().is_some_and(|l| l.trim().is_empty()) {
            return bad("logo must be the path of an image file");
        }
        for (name, t) in [("title", &self.title), ("title_plain", &self.title_plain)] {
            if !(8.0..=200.0).contains(&t.min_size) || t.min_size > t.max_size || t.max_size > 200.0
            {
                return bad(&format!(
                    "{name}: sizes must satisfy 8 ≤ min_size ≤ max_size ≤ 200"
                ));
            }
            if !(1..=6).contains(&t.max_lines) || !(0.8..=2.0).contains(&t.line_height) {
                return bad(&format!(
                    "{name}: max_lines must be 1–6 and line_height 0.8–2.0"
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.photo_focus_y) || !(0.0..=200.0).contains(&self.margin) {
            return bad("photo_focus_y must be 0–1 and margin 0–200");
        }
        if self
            .scrim
            .stops
            .iter()
            .any(|(p, a)| !(0.0..=1.0).contains(p) || !(0.0..=1.0).contains(a))
        {
            return bad("scrim stops are [position 0–1, opacity 0–1]");
        }
        Ok(())
    }
}

/// Lays `over` onto `base`, table by table; other values replace.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_theme_is_complete_and_valid() {
        let theme = Theme::default();
        assert_eq!(
            theme.colors.accent,
            Color {
                r: 0xe4,
                g: 0,
                b: 0x2b,
                a: 255
            }
        );
        assert_eq!(theme.colors.footer_text.a, 217);
        assert_eq!(theme.title.wrap, Wrap::Balance);
    }

    #[test]
    fn a_theme_file_changes_only_what_it_names() {
        let theme =
            Theme::from_toml("[colors]\naccent = \"#0055a4\"\n[title]\nmax_lines = 2\n").unwrap();
        assert_eq!(theme.colors.accent.rgb(), [0x00, 0x55, 0xa4]);
        assert_eq!(theme.title.max_lines, 2);
        assert_eq!(theme.colors.text, Color::WHITE);
    }

    #[test]
    fn site_overrides_apply_to_the_host_and_its_subdomains() {
        let theme =
            Theme::from_toml("[sites.\"example.com\".colors]\naccent = \"#00ff00\"\n").unwrap();
        assert_eq!(
            theme.for_host(Some("www.example.com")).colors.accent.rgb(),
            [0, 255, 0]
        );
        assert_eq!(
            theme.for_host(Some("other.org")).colors.accent.rgb(),
            [0xe4, 0, 0x2b]
        );
    }

    #[test]
    fn a_site_can_have_its_own_logo() {
        let theme =
            Theme::from_toml("logo = \"main.png\"\n[sites.\"b.example\"]\nlogo = \"b.png\"\n")
                .unwrap();
        assert_eq!(
            theme.for_host(Some("b.example")).logo.as_deref(),
            Some("b.png")
        );
        assert_eq!(
            theme.for_host(Some("a.example")).logo.as_deref(),
            Some("main.png")
        );
    }

    #[test]
    fn bad_themes_are_refused_with_a_reason() {
        for bad in [
            "[colors]\naccent = \"red\"",
            "[title]\nmax_lines = 0",
            "[title]\nmin_size = 90",
            "unknown_key = 1",
            "[sites.\"x.org\".title]\nmax_size = 500",
            "not toml",
        ] {
            let err = Theme::from_toml(bad).unwrap_err();
            assert!(matches!(err, RenderError::Theme(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn the_pages_theme_colour_becomes_the_accent_only_when_white_text_stays_readable() {
        let theme = Theme::default();
        let accent = theme.colors.accent;
        let navy = theme.clone().with_page_accent(Some("#1a2b6d"));
        assert_eq!(navy.colors.accent.rgb(), [0x1a, 0x2b, 0x6d]);
        // Yellow under white text: 1.1:1, refused.
        assert_eq!(
            theme
                .clone()
                .with_page_accent(Some("#ffe14d"))
                .colors
                .accent,
            accent
        );
        assert_eq!(
            theme
                .clone()
                .with_page_accent(Some("not a colour"))
                .colors
                .accent,
            accent
        );
        assert_eq!(theme.clone().with_page_accent(None).colors.accent, accent);
        let mut refusing = theme.clone();
        refusing.colors.page_accent = false;
        assert_eq!(
            refusing.with_page_accent(Some("#1a2b6d")).colors.accent,
            accent
        );
        assert!((Color::BLACK.contrast(Color::WHITE) - 21.0).abs() < 1e-9);
    }
}
