//! The fonts a card can draw with: the bundled subsets (Latin with Greek and Cyrillic, Arabic,
//! Hebrew; regular and bold), then the fonts found in extra folders (`APERCU_FONTS_DIR`, the
//! system font folders: CJK, emoji), each parsed once per process and shared by every card.
//! Which face draws a character is decided here, by coverage.

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
        let (family, weight, color_bitmaps) =
            describe(&shaping, data, index, weight_hint, family_hint)?;
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
        let (family, weight, color_bitmaps) = describe(&shaping, data, index, None, None)?;
        Some(FaceInfo {
            family,
            weight,
            color_bitmaps,
            coverage: coverage(&shaping),
        })
    }
}

/// Family, weight and whether the face is a bitmap colour font.
fn describe(
    shaping: &read_fonts::model::Font,
    data: &[u8],
    index: u32,
    weight_hint: Option<Weight>,
    family_hint: Option<&str>,
) -> Option<(String, Weight, bool)> {
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
    let subfamily = name(NameId::SUBFAMILY_NAME)
        .unwrap_or_default()
        .to_lowercase();
    let weight = weight_hint.unwrap_or(
        if subfamily.contains("bold") || family.to_lowercase().contains("bold") {
            Weight::Bold
        } else {
            Weight::Regular
        },
    );
    let tables = read_fonts::FontRef::from_index(data, index).ok()?;
    let color = [b"CBDT", b"sbix"]
        .iter()
        .any(|tag| tables.data_for_tag(Tag::new(tag)).is_some());
    Some((family, weight, color))
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
    /// Covered code points as sorted, disjoint inclusive ranges.
    coverage: Vec<(u32, u32)>,
}

impl FaceInfo {
    fn of(face: &Face) -> Self {
        Self {
            family: face.family.clone(),
            weight: face.weight,
            color_bitmaps: face.color_bitmaps,
            coverage: coverage(&face.shaping),
        }
    }

    fn covers(&self, c: char) -> bool {
        let c = c as u32;
        let i = self.coverage.partition_point(|(_, end)| *end < c);
        self.coverage.get(i).is_some_and(|(start, _)| *start <= c)
    }
}

/// A face of a font file: the bundled ones are parsed at start-up; the others are indexed
/// then (coverage, family, weight) and read from disk the first time a card needs them, so a
/// process keeps only the fonts its cards use (the system folders hold about 150 MB).
#[derive(Debug)]
struct Slot {
    info: FaceInfo,
    path: Option<(PathBuf, u32)>,
    face: OnceLock<Option<Face>>,
}

/// All faces, bundled first. Built once at start-up and shared.
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
                    path: None,
                    face: OnceLock::from(Some(face)),
                })
            })
            .collect::<Result<Vec<_>, RenderError>>()?;
        Ok(Self { faces })
    }

    /// The bundled faces, then every font file found under `dirs` (recursively, in name
    /// order, so that the choice between two faces covering a character is stable).
    ///
    /// # Errors
    /// [`RenderError::Font`] if a bundled font does not parse.
    pub fn with_dirs(dirs: &[PathBuf]) -> Result<Self, RenderError> {
        let mut book = Self::bundled()?;
        for dir in dirs {
            let mut files = Vec::new();
            collect_font_files(dir, &mut files, 0);
            files.sort();
            for file in files.into_iter().take(MAX_FONT_FILES) {
                book.index_file(&file);
            }
        }
        Ok(book)
    }

    /// Indexes the faces of one font file; its bytes are dropped until a card needs them.
    fn index_file(&mut self, file: &Path) {
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
        for index in 0..32 {
            let Some(info) = Face::info(&bytes, index) else {
                break;
            };
            self.faces.push(Slot {
                info,
                path: Some((file.to_owned(), index)),
                face: OnceLock::new(),
            });
        }
    }

    /// The face `id`, read from its file the first time; `None` if the file has become
    /// unreadable since it was indexed.
    #[must_use]
    pub fn face(&self, id: FaceId) -> Option<&Face> {
        let slot = self.faces.get(id)?;
        slot.face
            .get_or_init(|| {
                let (path, index) = slot.path.as_ref()?;
                Face::parse(
                    shared_bytes(path)?,
                    *index,
                    Some(slot.info.weight),
                    Some(&slot.info.family),
                )
            })
            .as_ref()
    }

    /// True when face `id` is a bitmap colour font.
    #[must_use]
    pub fn is_color(&self, id: FaceId) -> bool {
        self.faces.get(id).is_some_and(|s| s.info.color_bitmaps)
    }

    /// True when face `id` has a glyph for `c` (without reading the face's file).
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
            if face.family.contains("Mono") {
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

/// A font file's bytes, read once per process and kept for its lifetime: every face and every
/// [`FontBook`] built from the file shares them (the CJK collections are 20 MB each).
fn shared_bytes(path: &Path) -> Option<&'static [u8]> {
    static FILES: OnceLock<Mutex<HashMap<PathBuf, &'static [u8]>>> = OnceLock::new();
    let files = FILES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut files = files
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(bytes) = files.get(path) {
        return Some(bytes);
    }
    let size = std::fs::metadata(path).ok()?.len();
    if size > MAX_FONT_FILE_BYTES {
        return None;
    }
    let bytes: &'static [u8] = Box::leak(std::fs::read(path).ok()?.into_boxed_slice());
    files.insert(path.to_owned(), bytes);
    Some(bytes)
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

    #[test]
    fn cjk_variants_follow_the_language() {
        assert_eq!(cjk_variant_for("ja-JP"), Some("JP"));
        assert_eq!(cjk_variant_for("zh-Hant-TW"), Some("TC"));
        assert_eq!(cjk_variant_for("zh-CN"), Some("SC"));
        assert_eq!(cjk_variant_for("fr"), None);
    }
}
