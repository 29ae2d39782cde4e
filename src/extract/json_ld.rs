//! JSON-LD (schema.org): the article node among every script, `@graph` and array on the page,
//! with `@id` references followed, and the breadcrumb trail. Tolerates the invalid JSON that
//! real CMSs emit (raw control characters in strings, trailing commas, comments, HTML comment
//! and CDATA wrappers).

use rustc_hash::FxHashMap;

use serde_json::{Map, Value};

use super::found::{Crumb, Found, ImageCandidate};
use super::text::decode_entities;

/// Objects indexed per page, and nesting followed, at most.
const MAX_NODES: usize = 10_000;
const MAX_DEPTH: usize = 24;

/// What the JSON-LD on a page says.
#[derive(Debug, Default)]
pub struct JsonLd {
    pub article: Found,
    pub breadcrumb: Vec<Crumb>,
}

type Object = Map<String, Value>;

/// Reads every JSON-LD script of a page. `page_title` (the `<title>`) decides between a
/// node's `headline` and `name` when they differ.
#[must_use]
pub fn read(scripts: &[String], page_title: Option<&str>) -> JsonLd {
    let documents: Vec<Value> = scripts.iter().flat_map(|s| parse_lenient(s)).collect();
    let mut graph = Graph::default();
    for doc in &documents {
        graph.add_top_level(doc, 0);
        graph.index(doc, 0);
    }
    let mut out = JsonLd::default();
    let article = graph
        .nodes
        .iter()
        .copied()
        .find(|n| has_type(n, is_article_type))
        .or_else(|| graph.main_entity_article())
        .or_else(|| {
            graph
                .nodes
                .iter()
                .copied()
                .find(|n| has_type(n, is_page_type))
        });
    if let Some(node) = article {
        graph.fill(node, &mut out.article, page_title);
    }
    // A page about a video, a review, a recipe, a podcast episode… is dated by its item: the
    // first node of any type but the site's, its publisher's, its people's and its pictures'.
    if out.article.published_at.is_none() || out.article.modified_at.is_none() {
        // Each node, then the item it is about (a QAPage's Question).
        let items = graph.nodes.iter().flat_map(|n| {
            std::iter::once(*n).chain(n.get("mainEntity").and_then(|v| graph.resolve(v)))
        });
        let dated = |keys: &[&str]| {
            items
                .clone()
                .filter(|n| !has_type(n, is_undated_type))
                .find_map(|n| keys.iter().find_map(|k| n.get(*k).and_then(text)))
        };
        if out.article.published_at.is_none() {
            out.article.published_at = dated(&["datePublished", "uploadDate", "dateCreated"]);
        }
        if out.article.modified_at.is_none() {
            out.article.modified_at = dated(&["dateModified"]);
        }
    }
    if out.article.site_name.is_none() {
        out.article.site_name = graph
            .nodes
            .iter()
            .find(|n| has_type(n, |t| t == "WebSite"))
            .and_then(|n| text(n.get("name")?));
    }
    if let Some(list) = graph
        .nodes
        .iter()
        .find(|n| has_type(n, |t| t == "BreadcrumbList"))
    {
        out.breadcrumb = graph.breadcrumb(list);
    }
    out
}

/// `headline` and `name` should agree; when they do not, one is often the site's name or a
/// tagline (Wikipedia puts its one-line description in `headline`). The one the page's
/// `<title>` resembles wins; else the headline.
fn headline_or_name(node: &Object, page_title: Option<&str>) -> Option<String> {
    let headline = node.get("headline").and_then(text);
    let name = node.get("name").and_then(text);
    match (headline, name) {
        (Some(h), Some(n)) if h != n => {
            let resembles =
                |candidate: &str| page_title.is_some_and(|t| similarity(candidate, t) >= 0.75);
            if resembles(&n) && !resembles(&h) {
                Some(n)
            } else {
                Some(h)
            }
        }
        (h, n) => h.or(n),
    }
}

/// Share of `candidate`'s words that also appear in `reference` (case-insensitive).
fn similarity(candidate: &str, reference: &str) -> f32 {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (candidate, reference) = (words(candidate), words(reference));
    if candidate.is_empty() {
        return 0.0;
    }
    let shared = candidate.iter().filter(|w| reference.contains(w)).count();
    // Word counts of a title: far below f32's exact-integer range.
    #[expect(clippy::cast_precision_loss, reason = "string lengths far below 2^24")]
    let ratio = shared as f32 / candidate.len() as f32;
    ratio
}

fn is_article_type(t: &str) -> bool {
    matches!(
        t,
        "Article"
            | "NewsArticle"
            | "AnalysisNewsArticle"
            | "AskPublicNewsArticle"
            | "BackgroundNewsArticle"
            | "OpinionNewsArticle"
            | "ReportageNewsArticle"
            | "ReviewNewsArticle"
            | "SatiricalArticle"
            | "AdvertiserContentArticle"
            | "Report"
            | "ScholarlyArticle"
            | "MedicalScholarlyArticle"
            | "SocialMediaPosting"
            | "BlogPosting"
            | "LiveBlogPosting"
            | "DiscussionForumPosting"
            | "TechArticle"
            | "APIReference"
    )
}

/// Types whose dates are not the page's: the site, organisations, people, pictures, places.
fn is_undated_type(t: &str) -> bool {
    matches!(
        t,
        "WebSite"
            | "Organization"
            | "NewsMediaOrganization"
            | "Corporation"
            | "Person"
            | "ImageObject"
            | "Brand"
            | "Place"
            | "PostalAddress"
            | "BreadcrumbList"
            | "SiteNavigationElement"
            | "WPHeader"
            | "WPFooter"
            | "SearchAction"
            | "Comment"
            | "Answer"
    )
}

fn is_page_type(t: &str) -> bool {
    matches!(
        t,
        "WebPage" | "ItemPage" | "AboutPage" | "CollectionPage" | "ProfilePage"
    )
}

/// `"schema:NewsArticle"`, `"https://schema.org/NewsArticle"` → `"NewsArticle"`.
fn bare_type(t: &str) -> &str {
    t.rsplit(['/', ':', '#']).next().unwrap_or(t)
}

fn has_type(node: &Object, wanted: impl Fn(&str) -> bool) -> bool {
    match node.get("@type") {
        Some(Value::String(t)) => wanted(bare_type(t)),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .any(|t| wanted(bare_type(t))),
        _ => false,
    }
}

/// The `og:type`-style kind of a JSON-LD article type.
fn kind_of(node: &Object) -> Option<String> {
    if has_type(node, is_article_type) {
        Some("article".to_owned())
    } else if has_type(node, is_page_type) {
        Some("website".to_owned())
    } else {
        None
    }
}

#[derive(Default)]
struct Graph<'a> {
    nodes: Vec<&'a Object>,
    by_id: FxHashMap<&'a str, &'a Object>,
    indexed: usize,
}

impl<'a> Graph<'a> {
    fn add_top_level(&mut self, value: &'a Value, depth: usize) {
        if depth > 4 {
            return;
        }
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.add_top_level(v, depth + 1)),
            Value::Object(obj) => {
                if let Some(graph) = obj.get("@graph") {
                    self.add_top_level(graph, depth + 1);
                }
                if obj.contains_key("@type") {
                    self.nodes.push(obj);
                }
            }
            _ => {}
        }
    }

    fn index(&mut self, value: &'a Value, depth: usize) {
        if depth > MAX_DEPTH || self.indexed > MAX_NODES {
            return;
        }
        self.indexed += 1;
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.index(v, depth + 1)),
            Value::Object(obj) => {
                if let Some(id) = obj.get("@id").and_then(Value::as_str) {
                    // The fullest definition wins over bare `{"@id": …}` references.
                    let richer = self.by_id.get(id).is_none_or(|old| old.len() < obj.len());
                    if richer {
                        self.by_id.insert(id, obj);
                    }
                }
                obj.values().for_each(|v| self.index(v, depth + 1));
            }
            _ => {}
        }
    }

    /// A page node whose `mainEntity` is an article.
    fn main_entity_article(&self) -> Option<&'a Object> {
        self.nodes.iter().find_map(|n| {
            let entity = self.resolve(n.get("mainEntity")?)?;
            has_type(entity, is_article_type).then_some(entity)
        })
    }

    /// The object a value stands for: itself, or the node its `@id` names.
    fn resolve(&self, value: &'a Value) -> Option<&'a Object> {
        let value = first(value)?;
        let obj = value.as_object()?;
        match obj.get("@id").and_then(Value::as_str) {
            Some(id) if obj.len() <= 2 => self.by_id.get(id).copied().or(Some(obj)),
            _ => Some(obj),
        }
    }

    fn fill(&self, node: &'a Object, out: &mut Found, page_title: Option<&str>) {
        out.title = headline_or_name(node, page_title);
        out.description = node.get("description").and_then(text);
        out.authors = ["author", "creator"]
            .iter()
            .filter_map(|k| node.get(*k))
            .flat_map(|v| self.names(v))
            .collect();
        out.authors.dedup();
        if let Some(publisher) = node
            .get("publisher")
            .or_else(|| node.get("sourceOrganization"))
        {
            out.site_name = self.name_of(publisher);
            out.logo = self
                .resolve(publisher)
                .and_then(|p| p.get("logo"))
                .and_then(|logo| self.image(logo))
                .map(|i| i.url);
        }
        if out.site_name.is_none() {
            out.site_name = node
                .get("isPartOf")
                .and_then(|v| self.resolve(v))
                .filter(|p| {
                    has_type(p, |t| {
                        t == "WebSite" || t == "Periodical" || t == "Newspaper"
                    })
                })
                .and_then(|p| text(p.get("name")?));
        }
        out.published_at = ["datePublished", "dateCreated", "uploadDate"]
            .iter()
            .find_map(|k| node.get(*k).and_then(text));
        out.modified_at = node.get("dateModified").and_then(text);
        out.images = ["image", "thumbnailUrl"]
            .iter()
            .filter_map(|k| node.get(*k))
            .flat_map(|v| {
                all(v)
                    .filter_map(|item| self.image(item))
                    .collect::<Vec<_>>()
            })
            .collect();
        out.category = node.get("articleSection").and_then(text);
        out.keywords = node.get("keywords").map(keywords).unwrap_or_default();
        out.lang = node.get("inLanguage").and_then(|v| {
            text(v).or_else(|| {
                let obj = self.resolve(v)?;
                obj.get("alternateName")
                    .and_then(text)
                    .or_else(|| obj.get("name").and_then(text))
            })
        });
        out.canonical_url = node.get("url").and_then(text).or_else(|| {
            let entity = node.get("mainEntityOfPage")?;
            text(entity).or_else(|| {
                let obj = entity.as_object()?;
                obj.get("@id").or_else(|| obj.get("url")).and_then(text)
            })
        });
        out.kind = kind_of(node);
    }

    fn name_of(&self, value: &'a Value) -> Option<String> {
        text(value).or_else(|| text(self.resolve(value)?.get("name")?))
    }

    /// Author names: strings, `Person`/`Organization` objects, `@id` references, arrays of them.
    fn names(&self, value: &'a Value) -> Vec<String> {
        all(value)
            .filter_map(|v| {
                if let Value::String(s) = v {
                    return Some(decode_entities(s).into_owned());
                }
                let obj = self.resolve(v)?;
                obj.get("name").and_then(text).or_else(|| {
                    let given = obj.get("givenName").and_then(text)?;
                    let family = obj.get("familyName").and_then(text).unwrap_or_default();
                    Some(format!("{given} {family}"))
                })
            })
            .collect()
    }

    fn image(&self, value: &'a Value) -> Option<ImageCandidate> {
        if let Value::String(s) = value {
            return Some(ImageCandidate::new(s.clone()));
        }
        let obj = self.resolve(value)?;
        let url = ["url", "contentUrl", "@id"]
            .iter()
            .find_map(|k| text(obj.get(*k)?))?;
        Some(ImageCandidate {
            url,
            width: obj.get("width").and_then(dimension),
            height: obj.get("height").and_then(dimension),
            alt: obj
                .get("caption")
                .and_then(text)
                .or_else(|| obj.get("description").and_then(text)),
        })
    }

    fn breadcrumb(&self, list: &'a Object) -> Vec<Crumb> {
        let mut items: Vec<(i64, Crumb)> = list
            .get("itemListElement")
            .map(all)
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let entry = self.resolve(entry)?;
                let position = entry
                    .get("position")
                    .and_then(|p| p.as_i64().or_else(|| p.as_str()?.parse().ok()));
                let item = entry.get("item");
                let item_obj = item.and_then(|i| self.resolve(i));
                let name = entry
                    .get("name")
                    .and_then(text)
                    .or_else(|| item_obj.and_then(|o| o.get("name")).and_then(text))?;
                let url = item.and_then(text).or_else(|| {
                    item_obj
                        .and_then(|o| o.get("@id").or_else(|| o.get("url")))
                        .and_then(text)
                });
                Some((position.unwrap_or(i64::MAX), Crumb { name, url }))
            })
            .collect();
        items.sort_by_key(|(p, _)| *p);
        items.into_iter().map(|(_, c)| c).collect()
    }
}

/// Every item of a value that may be a single item or an array.
fn all(value: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match value {
        Value::Array(items) => Box::new(items.iter()),
        other => Box::new(std::iter::once(other)),
    }
}

fn first(value: &Value) -> Option<&Value> {
    match value {
        Value::Array(items) => items.first(),
        other => Some(other),
    }
}

/// A text value: a string, a number, the first string of an array, or an `@value` object.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(decode_entities(s).into_owned()).filter(|s| !s.trim().is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => items.iter().find_map(text),
        Value::Object(obj) => obj.get("@value").and_then(text),
        _ => None,
    }
}

fn keywords(value: &Value) -> Vec<String> {
    all(value)
        .filter_map(Value::as_str)
        .flat_map(|s| s.split(','))
        .map(|k| decode_entities(k.trim()).into_owned())
        .filter(|k| !k.is_empty())
        .collect()
}

/// `1600`, `"1600"`, `"1600px"`, `{"value": 1600}`.
fn dimension(value: &Value) -> Option<u32> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().trim_end_matches("px").trim().parse().ok(),
        Value::Object(obj) => obj.get("value").and_then(dimension),
        _ => None,
    }
    .filter(|n| (1..=100_000).contains(n))
}

/// Parses a script body; on invalid JSON, repairs what CMSs commonly break and keeps every
/// document that then parses.
#[must_use]
pub fn parse_lenient(raw: &str) -> Vec<Value> {
    let trimmed = raw.trim();
    if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        return vec![value];
    }
    let repaired = repair(trimmed);
    serde_json::Deserializer::from_str(&repaired)
        .into_iter::<Value>()
        .map_while(Result::ok)
        .collect()
}

/// One pass over the text: outside strings, comments (`//`, `/* */`, `<!-- -->`), CDATA markers
/// and trailing commas go; inside strings, raw control characters are escaped and invalid
/// escapes (`\'`) lose their backslash.
fn repair(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    let mut in_string = false;
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '\\' => {
                    if let Some(&(_, n @ ('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u'))) =
                        chars.peek()
                    {
                        out.push(c);
                        out.push(n);
                        chars.next();
                    }
                }
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
            continue;
        }
        let rest = &s[i..];
        let skip = if rest.starts_with("<!--") {
            4
        } else if rest.starts_with("<![CDATA[") {
            9
        } else if rest.starts_with("-->") || rest.starts_with("]]>") {
            3
        } else if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |e| e + 2)
        } else {
            0
        };
        if skip > 0 {
            while chars.peek().is_some_and(|&(j, _)| j < i + skip) {
                chars.next();
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '}' | ']' => {
                let kept = out.trim_end().len();
                out.truncate(kept);
                if out.ends_with(',') {
                    out.pop();
                }
                out.push(c);
            }
            c if c.is_control() && !c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_one(script: &str) -> JsonLd {
        read(&[script.to_owned()], None)
    }

    #[test]
    fn a_video_a_review_or_a_question_dates_the_page_but_the_site_and_its_people_do_not() {
        for (script, expected) in [
            (
                r#"{"@type":"VideoObject","name":"Clip","uploadDate":"2021-03-04T10:00:00+01:00"}"#,
                Some("2021-03-04T10:00:00+01:00"),
            ),
            (
                r#"[{"@type":"WebSite","name":"S","datePublished":"2001-01-01"},
                    {"@type":"Review","name":"R","datePublished":"2022-05-06"}]"#,
                Some("2022-05-06"),
            ),
            (
                r#"{"@type":"QAPage","mainEntity":{"@type":"Question","name":"Q","dateCreated":"2019-02-03"}}"#,
                Some("2019-02-03"),
            ),
            (
                r#"[{"@type":"Question","name":"Q","dateCreated":"2019-02-03"},
                    {"@type":"Answer","dateCreated":"2020-01-01"}]"#,
                Some("2019-02-03"),
            ),
            (
                r#"[{"@type":"Organization","name":"O","foundingDate":"1990","datePublished":"2000-01-01"},
                    {"@type":"Person","name":"P","dateCreated":"2000-01-02"}]"#,
                None,
            ),
        ] {
            let found = read_one(script).article;
            assert_eq!(found.published_at.as_deref(), expected, "{script}");
        }
    }

    #[test]
    fn the_article_is_found_in_a_graph_with_id_references() {
        let ld = read_one(
            r##"{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","@id":"#site","name":"Le Site"},
              {"@type":["Article","NewsArticle"],"headline":"Titre","author":{"@id":"#p1"},
               "publisher":{"@id":"#org"},"datePublished":"2024-04-10T08:15:00+02:00",
               "image":{"@id":"#img"},"articleSection":["Économie","Tech"],"keywords":"IA, Japon"},
              {"@type":"Person","@id":"#p1","name":"Claire Martin"},
              {"@type":"Organization","@id":"#org","name":"Le Quotidien","logo":{"@type":"ImageObject","url":"/logo.png"}},
              {"@type":"ImageObject","@id":"#img","url":"/lead.jpg","width":1600,"height":"1067"}]}"##,
        );
        let a = &ld.article;
        assert_eq!(a.title.as_deref(), Some("Titre"));
        assert_eq!(a.authors, vec!["Claire Martin"]);
        assert_eq!(a.site_name.as_deref(), Some("Le Quotidien"));
        assert_eq!(a.logo.as_deref(), Some("/logo.png"));
        assert_eq!(a.images[0].url, "/lead.jpg");
        assert_eq!(
            (a.images[0].width, a.images[0].height),
            (Some(1600), Some(1067))
        );
        assert_eq!(a.category.as_deref(), Some("Économie"));
        assert_eq!(a.keywords, vec!["IA", "Japon"]);
    }

    #[test]
    fn invalid_json_from_real_cms_is_repaired() {
        let broken = "<!--\n{\"@type\": \"NewsArticle\", \"headline\": \"Line\u{1}one\nline two\",\n\
                      \"author\": [{\"name\": \"A\"}, ],  // trailing comma\n \"description\": \"it\\'s\",}\n-->";
        let ld = read_one(broken);
        assert_eq!(ld.article.title.as_deref(), Some("Line one\nline two"));
        assert_eq!(ld.article.authors, vec!["A"]);
        assert_eq!(ld.article.description.as_deref(), Some("it's"));
    }

    #[test]
    fn several_scripts_and_top_level_arrays_are_all_read() {
        let ld = read(&[
            r#"[{"@type":"BreadcrumbList","itemListElement":[
                {"@type":"ListItem","position":2,"name":"Chiffres","item":"https://x.example/chiffres/"},
                {"@type":"ListItem","position":1,"name":"Accueil","item":"https://x.example/"}]}]"#
                .to_owned(),
            "{not json at all".to_owned(),
            r#"{"@type":"BlogPosting","name":"Post &amp; more"}"#.to_owned(),
        ], None);
        assert_eq!(ld.article.title.as_deref(), Some("Post & more"));
        let names: Vec<_> = ld.breadcrumb.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["Accueil", "Chiffres"]);
    }

    #[test]
    fn deeply_nested_json_is_refused_without_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(read_one(&deep).article.title.is_none());
    }
}
