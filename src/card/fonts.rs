//! The fonts a card can draw with: the bundled subsets (Latin with Greek and Cyrillic, Arabic,
//! Hebrew; regular and bold), then the fonts found in extra folders (`APERCU_FONTS_DIR`, the
//! system font folders: CJK, emoji), all read at start-up (a card is drawn without touching the
//! disk) and shared by every card. Which face draws a character is decided here, by coverage.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ab_glyph::{Font as _, FontRef};
use read_fonts::TableProvider as _;
use read_fonts::types::{NameId, Tag};

use super::error::RenderError;

const BUNDLED: &[(&str, Weight, &[u8])] = &[
    (
        "Noto Sans",
        Weight::Bold,
        include_bytes!("../../fonts/NotoSans-Bold.subset.ttf"),
    ),
    (
        "Noto Sans",
        Weight::Regular,
        include_bytes!("../../fonts/NotoSans-Regular.subset.ttf"),
    ),
    (
        "Noto Sans Arabic",
        Weight::Bold,
        include_bytes!("../../fonts/NotoSansArabic-Bold.subset.ttf"),
    ),
    (
        "Noto Sans Arabic",
        Weight::Regular,
        include_bytes!("../../fonts/NotoSansArabic-Regular.subset.ttf"),
    ),
    (
        "Noto Sans Hebrew",
        Weight::Bold,
        include_bytes!("../../fonts/NotoSansHebrew-Bold.subset.ttf"),
    ),
    (
        "Noto Sans Hebrew",
        Weight::Regular,
        include_bytes!("../../fonts/NotoSansHebrew-Regular.subset.ttf"),
    ),
];

/// Folders searched after `APERCU_FONTS_DIR`, as Debian and most Linux distributions lay them out.
pub const SYSTEM_FONT_DIRS: &[&str] = &["/usr/share/fonts", "/usr/local/share/fonts"];

/// Faces read from one folder tree at most (a font folder is not an attack surface, but a
/// mistaken `APERCU_FONTS_DIR=/` must not read the whole disk).
const MAX_FONT_FILES: usize = 2000;
/// Files larger than this are not fonts we want (the CJK collections are about 20 MB).
const MAX_FONT_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

/// Index of a face in its [`FontBook`].
pub type FaceId = usize;

/// One font face, parsed twice over the same bytes: by `read-fonts` for shaping and coverage,
/// by `ab_glyph` for outlines and bitmaps.
pub struct Face {
    pub family: String,
    pub weight: Weight,
    pub shaping: read_fonts::model::Font,
    pub raster: FontRef<'static>,
    pub units_per_em: f32,
    /// hhea ascender and descender (descender negative), in font units.
    pub ascender: f32,
    pub descender: f32,
    /// A bitmap colour font (CBDT/sbix): glyphs are pictures, not outlines.
    pub color_bitmaps: bool,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("family", &self.family)
            .field("weight", &self.weight)
            .finish_non_exhaustive()
    }
}

impl Face {
    fn parse(
        data: &'static [u8],
        index: u32,
        weight_hint: Option<Weight>,
        family_hint: Option<&str>,
    ) -> Option<Self> {
        let shaping = read_fonts::model::Font::new(data, index)?;
        let raster = FontRef::try_from_slice_and_index(data, index).ok()?;
        let Description {
            family,
            weight,
            color_bitmaps,
            ..
        } = describe(&shaping, data, index, weight_hint, family_hint)?;
        Some(Self {
            family,
            weight,
            ascender: raster.ascent_unscaled(),
            descender: raster.descent_unscaled(),
            units_per_em: f32::from(shaping.units_per_em()),
            shaping,
            raster,
            color_bitmaps,
        })
    }

    /// What a face of `data` covers, learnt without keeping `data`.
    fn info(data: &std::sync::Arc<Vec<u8>>, index: u32) -> Option<FaceInfo> {
        let blob: std::sync::Arc<dyn AsRef<[u8]> + Send + Sync> = data.clone();
        let shaping = read_fonts::model::Font::new(blob, index)?;
        let description = describe(&shaping, data, index, None, None)?;
        Some(FaceInfo {
            family: description.family,
            weight: description.weight,
            color_bitmaps: description.color_bitmaps,
            regular_style: description.regular_style,
            coverage: coverage(&shaping),
        })
    }
}

/// What a face is: family, weight, whether it is a bitmap colour font, and whether it is a
/// face a card may use at all (upright, normal width, regular or bold).
struct Description {
    family: String,
    weight: Weight,
    color_bitmaps: bool,
    regular_style: bool,
}

fn describe(
    shaping: &read_fonts::model::Font,
    data: &[u8],
    index: u32,
    weight_hint: Option<Weight>,
    family_hint: Option<&str>,
) -> Option<Description> {
    let name = |id: NameId| {
        shaping
            .names()
            .get(id)
            .and_then(|n| n.english_or_first())
            .map(|l| l.name().to_string())
    };
    let family = family_hint
        .map(str::to_owned)
        .or_else(|| name(NameId::TYPOGRAPHIC_FAMILY_NAME))
        .or_else(|| name(NameId::FAMILY_NAME))?;
    let tables = read_fonts::FontRef::from_index(data, index).ok()?;
    let color_bitmaps = [b"CBDT", b"sbix"]
        .iter()
        .any(|tag| tables.data_for_tag(Tag::new(tag)).is_some());
    // OS/2 says weight, width and slant in numbers; names are the fallback of fonts without it
    // ("SemiBold" and "ExtraBold" are not the bold a card asks for).
    let (weight, regular_style) = if let Ok(os2) = tables.os2() {
        let upright = !os2.fs_selection().intersects(
            read_fonts::tables::os2::SelectionFlags::ITALIC
                | read_fonts::tables::os2::SelectionFlags::OBLIQUE,
        );
        match os2.us_weight_class() {
            350..=450 => (Weight::Regular, upright && os2.us_width_class() == 5),
            650..=750 => (Weight::Bold, upright && os2.us_width_class() == 5),
            _ => (Weight::Regular, false),
        }
    } else {
        let subfamily = name(NameId::SUBFAMILY_NAME)
            .unwrap_or_default()
            .to_lowercase();
        let bold = subfamily.contains("bold") || family.to_lowercase().contains("bold");
        (
            if bold { Weight::Bold } else { Weight::Regular },
            !subfamily.contains("italic") && !subfamily.contains("oblique"),
        )
    };
    Some(Description {
        family,
        weight: weight_hint.unwrap_or(weight),
        color_bitmaps,
        regular_style,
    })
}

/// Covered code points as sorted, disjoint inclusive ranges, from the font's Unicode cmap
/// (every code point: several may share one glyph, as 日 and the radical ⽇ do).
fn coverage(shaping: &read_fonts::model::Font) -> Vec<(u32, u32)> {
    let mut points: Vec<u32> = shaping
        .charmap()
        .unicodes()
        .filter(|(_, g)| g.to_u32() != 0)
        .map(|(c, _)| c)
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for p in points {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == p => *end = p,
            _ => ranges.push((p, p)),
        }
    }
    ranges
}

/// What is known of a face without keeping its file in memory: enough to choose it.
#[derive(Debug)]
struct FaceInfo {
    family: String,
    weight: Weight,
    color_bitmaps: bool,
    /// Upright, normal width, regular or bold: a face a card may be drawn with.
    regular_style: bool,
    /// Covered code points as sorted, disjoint inclusive ranges.
    coverage: Vec<(u32, u32)>,
}

impl FaceInfo {
    fn of(face: &Face) -> Self {
        Self {
            family: face.family.clone(),
            weight: face.weight,
            color_bitmaps: face.color_bitmaps,
            regular_style: true,
            coverage: coverage(&face.shaping),
        }
    }

    fn monospaced(&self) -> bool {
        self.family.contains("Mono")
    }

    /// Whether [`FontBook::face_for`] ranks the two faces alike, but for monospacing, for every
    /// character both draw: same weight, colour and CJK variant.
    fn chosen_alike(&self, other: &FaceInfo) -> bool {
        fn cjk(f: &FaceInfo) -> Option<&str> {
            f.family
                .contains("CJK")
                .then(|| f.family.rsplit(' ').next().unwrap_or_default())
        }
        self.weight == other.weight
            && self.color_bitmaps == other.color_bitmaps
            && cjk(self) == cjk(other)
    }

    fn covers(&self, c: char) -> bool {
        let c = c as u32;
        let i = self.coverage.partition_point(|(_, end)| *end < c);
        self.coverage.get(i).is_some_and(|(start, _)| *start <= c)
    }
}

/// A face and what it covers, parsed when the book is built.
#[derive(Debug)]
struct Slot {
    info: FaceInfo,
    face: Face,
}

/// All faces, bundled first, read into memory when the book is built (at start-up) and
/// shared: drawing a card never touches the disk.
#[derive(Debug)]
pub struct FontBook {
    faces: Vec<Slot>,
}

impl FontBook {
    /// The bundled faces only.
    ///
    /// # Errors
    /// [`RenderError::Font`] if a bundled font does not parse (a broken build).
    pub fn bundled() -> Result<Self, RenderError> {
        let faces = BUNDLED
            .iter()
            .map(|(family, weight, data)| {
                let face = Face::parse(data, 0, Some(*weight), Some(family))
                    .ok_or_else(|| RenderError::Font(format!("bundled {family} does not parse")))?;
                Ok(Slot {
                    info: FaceInfo::of(&face),
                    face,
                })
            })
            .collect::<Result<Vec<_>, RenderError>>()?;
        Ok(Self { faces })
    }

    /// The bundled faces, then the faces of every font file found under `dirs` (recursively,
    /// in name order, so that the choice between two faces covering a character is stable).
    ///
    /// # Errors
    /// [`RenderError::Font`] if a bundled font does not parse.
    pub fn with_dirs(dirs: &[PathBuf]) -> Result<Self, RenderError> {
        Self::with_dirs_keeping(dirs, &[])
    }

    /// [`FontBook::with_dirs`], keeping only the faces a card could be drawn with, so that a
    /// process holds megabytes of fonts, not the hundred and fifty a system folder has:
    /// upright, normal-width regular (400) and bold (700) faces, and of those only the ones
    /// that draw a character no face before them draws in the same weight, style and CJK
    /// variant (Noto Serif CJK adds nothing to Noto Sans CJK), unless their family is one of
    /// `families` (the theme's, which a card asks for by name).
    ///
    /// # Errors
    /// [`RenderError::Font`] if a bundled font does not parse.
    pub fn with_dirs_keeping(dirs: &[PathBuf], families: &[&str]) -> Result<Self, RenderError> {
        let mut book = Self::bundled()?;
        for dir in dirs {
            let mut files = Vec::new();
            collect_font_files(dir, &mut files, 0);
            files.sort();
            for file in files.into_iter().take(MAX_FONT_FILES) {
                book.add_file(&file, families);
            }
        }
        Ok(book)
    }

    /// Adds the useful faces of one font file (none if it cannot be read or parsed).
    fn add_file(&mut self, file: &Path, families: &[&str]) {
        let Ok(meta) = std::fs::metadata(file) else {
            return;
        };
        if meta.len() > MAX_FONT_FILE_BYTES {
            return;
        }
        let Ok(bytes) = std::fs::read(file) else {
            return;
        };
        let bytes = std::sync::Arc::new(bytes);
        let mut kept = Vec::new();
        for index in 0..32 {
            let Some(info) = Face::info(&bytes, index) else {
                break;
            };
            if self.adds_to_book(&info, kept.iter().map(|(_, i)| i), families) {
                kept.push((index, info));
            }
        }
        if kept.is_empty() {
            return;
        }
        // The faces' descriptions hold no reference to the bytes: they come back uncopied.
        let bytes = std::sync::Arc::try_unwrap(bytes).unwrap_or_else(|shared| (*shared).clone());
        let data = keep_for_process(file, bytes);
        for (index, info) in kept {
            if let Some(face) = Face::parse(data, index, Some(info.weight), Some(&info.family)) {
                self.faces.push(Slot { info, face });
            }
        }
    }

    /// Whether a card could ever be drawn with a face described by `info` (a monospaced face
    /// ranks after the others, so only another monospaced one can shadow a proportional one).
    fn adds_to_book<'a>(
        &'a self,
        info: &FaceInfo,
        pending: impl Iterator<Item = &'a FaceInfo>,
        families: &[&str],
    ) -> bool {
        if !info.regular_style {
            return false;
        }
        if families.iter().any(|f| info.family.eq_ignore_ascii_case(f)) {
            return true;
        }
        let peers: Vec<&FaceInfo> = self
            .faces
            .iter()
            .map(|s| &s.info)
            .chain(pending)
            .filter(|other| other.chosen_alike(info) && (info.monospaced() || !other.monospaced()))
            .collect();
        info.coverage.iter().any(|&(start, end)| {
            (start..=end)
                .filter_map(char::from_u32)
                .any(|c| !peers.iter().any(|p| p.covers(c)))
        })
    }

    /// The face `id`.
    #[must_use]
    pub fn face(&self, id: FaceId) -> Option<&Face> {
        self.faces.get(id).map(|s| &s.face)
    }

    /// True when face `id` is a bitmap colour font.
    #[must_use]
    pub fn is_color(&self, id: FaceId) -> bool {
        self.faces.get(id).is_some_and(|s| s.info.color_bitmaps)
    }

    /// True when face `id` has a glyph for `c`.
    #[must_use]
    pub fn covers(&self, id: FaceId, c: char) -> bool {
        self.faces.get(id).is_some_and(|s| s.info.covers(c))
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.faces.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.faces.is_empty()
    }

    /// The face that draws `c` in `weight`: the `preferred` face when it covers `c`, else the
    /// first face of the right weight that does (the language's CJK variant first for Han
    /// characters), else any face that does; colour emoji faces first for emoji.
    #[must_use]
    pub fn face_for(
        &self,
        c: char,
        weight: Weight,
        lang: Option<&str>,
        preferred: Option<FaceId>,
    ) -> Option<FaceId> {
        self.face_for_family(c, weight, lang, preferred, None)
    }

    /// [`FontBook::face_for`], trying faces of `family` first.
    #[must_use]
    pub fn face_for_family(
        &self,
        c: char,
        weight: Weight,
        lang: Option<&str>,
        preferred: Option<FaceId>,
        family: Option<&str>,
    ) -> Option<FaceId> {
        if let Some(p) = preferred.filter(|p| self.covers(*p, c)) {
            return Some(p);
        }
        let emoji = is_emoji(c);
        let cjk_variant = lang.and_then(cjk_variant_for);
        let rank = |face: &FaceInfo| -> u8 {
            let mut rank = 0;
            if emoji != face.color_bitmaps {
                rank += 4;
            }
            if face.weight != weight {
                rank += 2;
            }
            if let Some(variant) = cjk_variant
                && face.family.contains("CJK")
                && !face.family.ends_with(variant)
            {
                rank += 1;
            }
            if face.monospaced() {
                rank += 1;
            }
            if family.is_some_and(|f| !face.family.eq_ignore_ascii_case(f)) {
                rank += 1;
            }
            rank
        };
        self.faces
            .iter()
            .enumerate()
            .filter(|(_, s)| s.info.covers(c))
            .min_by_key(|(id, s)| (rank(&s.info), *id))
            .map(|(id, _)| id)
    }
}

/// Characters drawn from a colour emoji font when one is installed.
#[must_use]
pub fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F300..=0x1F5FF | 0x1F600..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F900..=0x1F9FF | 0x1FA70..=0x1FAFF
        | 0x2600..=0x26FF | 0x2700..=0x27BF | 0x1F1E6..=0x1F1FF | 0x1F004 | 0x1F0CF)
}

/// The Noto CJK family suffix for a language: Japanese, Korean, and Chinese by script or region.
fn cjk_variant_for(lang: &str) -> Option<&'static str> {
    let lower = lang.to_ascii_lowercase();
    let primary = lower.split('-').next().unwrap_or(&lower);
    match primary {
        "ja" => Some("JP"),
        "ko" => Some("KR"),
        "zh" if lower.contains("hant") || lower.ends_with("-tw") => Some("TC"),
        "zh" if lower.ends_with("-hk") || lower.ends_with("-mo") => Some("HK"),
        "zh" => Some("SC"),
        _ => None,
    }
}

/// Whether `dir` holds font files (`.ttf`, `.otf`, `.ttc`, `.otc`), in it or below.
#[must_use]
pub fn has_font_files(dir: &Path) -> bool {
    let mut files = Vec::new();
    collect_font_files(dir, &mut files, 0);
    !files.is_empty()
}

fn collect_font_files(dir: &Path, out: &mut Vec<PathBuf>, depth: u8) {
    if depth > 8 || out.len() >= MAX_FONT_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_font_files(&path, out, depth + 1);
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["ttf", "otf", "ttc", "otc"].contains(&e.to_ascii_lowercase().as_str())
        }) {
            out.push(path);
        }
    }
}

/// A font file's bytes, kept for the process's lifetime (faces borrow them) and shared by
/// every [`FontBook`] built from the same file (tests build several; the CJK collections are
/// 20 MB each).
fn keep_for_process(path: &Path, bytes: Vec<u8>) -> &'static [u8] {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, &'static [u8]>>> = OnceLock::new();
    let files = FILES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut files = files
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match files.get(path) {
        Some(kept) if **kept == *bytes => kept,
        _ => {
            let kept: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            files.insert(path.to_owned(), kept);
            kept
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_faces_cover_latin_greek_cyrillic_arabic_and_hebrew() {
        let book = FontBook::bundled().unwrap();
        for c in ['é', 'Ω', 'Ж', 'ب', 'ש', '’', '«', '€'] {
            let face = book
                .face_for(c, Weight::Bold, None, None)
                .unwrap_or_else(|| panic!("no face for {c}"));
            assert_eq!(book.face(face).unwrap().weight, Weight::Bold, "{c}");
        }
        assert_eq!(book.face_for('日', Weight::Bold, Some("ja"), None), None);
    }

    #[test]
    fn the_preferred_face_keeps_shared_characters() {
        let book = FontBook::bundled().unwrap();
        let arabic = book.face_for('ب', Weight::Bold, None, None).unwrap();
        assert_eq!(
            book.face_for(' ', Weight::Bold, None, Some(arabic)),
            Some(arabic)
        );
        assert_eq!(
            book.face_for('2', Weight::Bold, None, Some(arabic)),
            Some(arabic)
        );
    }

    fn repository_dir(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
    }

    #[test]
    fn a_font_that_draws_nothing_new_is_not_kept_unless_the_theme_asks_for_its_family() {
        let bundled = FontBook::bundled().unwrap().len();
        let fonts = [repository_dir("fonts")];
        assert_eq!(FontBook::with_dirs(&fonts).unwrap().len(), bundled);
        let asked = FontBook::with_dirs_keeping(&fonts, &["noto sans hebrew"]).unwrap();
        assert_eq!(asked.len(), bundled + 2, "Hebrew regular and bold, again");
    }

    #[test]
    fn each_cjk_variant_and_weight_is_kept() {
        let book = FontBook::with_dirs(&[repository_dir("tests/fonts")]).unwrap();
        let families: Vec<String> = (0..book.len())
            .map(|id| {
                let face = book.face(id).unwrap();
                format!("{} {:?}", face.family, face.weight)
            })
            .collect();
        for expected in [
            "Noto Sans CJK JP Bold",
            "Noto Sans CJK JP Regular",
            "Noto Sans CJK SC Bold",
            "Noto Sans CJK SC Regular",
            "Noto Looped Thai Bold",
            "Noto Color Emoji Regular",
        ] {
            assert!(
                families.iter().any(|f| f == expected),
                "{expected} in {families:?}"
            );
        }
        let japanese = book.face_for('東', Weight::Bold, Some("ja"), None).unwrap();
        let chinese = book
            .face_for('东', Weight::Bold, Some("zh-CN"), None)
            .unwrap();
        assert_eq!(book.face(japanese).unwrap().family, "Noto Sans CJK JP");
        assert_eq!(book.face(chinese).unwrap().family, "Noto Sans CJK SC");
    }

    #[test]
    fn cjk_variants_follow_the_language() {
        assert_eq!(cjk_variant_for("ja-JP"), Some("JP"));
        assert_eq!(cjk_variant_for("zh-Hant-TW"), Some("TC"));
        assert_eq!(cjk_variant_for("zh-CN"), Some("SC"));
        assert_eq!(cjk_variant_for("fr"), None);
    }
}
