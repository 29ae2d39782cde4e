//! The HTML pages (docs/api.md): the embed page (the oEmbed iframe's document) and the
//! share page (tags for crawlers, a redirect for people), through auto-escaping templates. Pure: an
//! article and our public URL in, HTML and its security policy out.

mod debugger;

use askama::Template;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::extract::TextDirection;
use crate::oembed::{self, Subject};

pub use debugger::{Debugger, Shown, debugger_page};

/// The service's icon, as the debugger's page names it.
pub const FAVICON: &str = include_str!("favicon.svg");

/// Bump when a template's output changes: pages of the old templates are then new URLs.
pub const TEMPLATE_VERSION: u32 = 3;

/// The width of the embed page's photo (served by `/thumb`).
const EMBED_PHOTO_WIDTH: u32 = 600;

/// Light and dark, readable from 200 px wide, nothing loaded from anywhere. Transparent outside
/// the card (no `color-scheme`, which would make the frame's canvas opaque): the host page shows
/// behind the rounded corners. The photo's box keeps the `width`/`height` ratio from the first
/// paint (the browser maps the attributes to `aspect-ratio`), its dominant colour standing in.
const EMBED_STYLE: &str = "\
:root{--bg:#fff;--fg:#16181d;--muted:#5b6270;--accent:#c8102e;--line:#d9dce1}\
@media (prefers-color-scheme:dark){:root{--bg:#16181d;--fg:#f1f2f4;--muted:#a3a9b5;--accent:#ff6b7f;--line:#353a44}}\
*{box-sizing:border-box}html,body{margin:0;padding:0;background:transparent;color:var(--fg)}\
body{font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;overflow-wrap:anywhere}\
.card{background:var(--bg);border:1px solid var(--line);border-radius:10px;overflow:hidden}\
.photo{display:block;background:var(--placeholder,var(--line))}.photo img{display:block;width:100%;height:auto}\
.text{padding:12px 14px 14px}\
.category{margin:0 0 6px;color:var(--accent);font-size:12px;font-weight:700;letter-spacing:.04em;text-transform:uppercase}\
h1{margin:0 0 6px;font-size:18px;line-height:1.25}h1 a{color:inherit;text-decoration:none}h1 a:hover{text-decoration:underline}\
.description{margin:0 0 8px;color:var(--muted);display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}\
.source{margin:0;color:var(--muted);font-size:13px}.source img{vertical-align:-5px;margin-inline-end:6px}\
@media (max-width:300px){body{font-size:14px}h1{font-size:16px}.description{-webkit-line-clamp:2}}";
/// Writes the date in the article's language — the day the page gave, whatever the reader's
/// time zone; the browser knows every language's month names; without script the ISO date
/// stays —, then posts the page's height to the embedding page
/// whenever it changes. The embedding page knows this frame by the message's source; an older
/// embed code still finds its secret in the fragment.
const EMBED_SCRIPT: &str = "(function(w,d){var t=d.querySelector('time[datetime]');\
if(t&&w.Intl){try{var day=t.getAttribute('datetime').slice(0,10);\
t.textContent=new Intl.DateTimeFormat(d.documentElement.lang,{year:'numeric',month:'long',day:'numeric',timeZone:'UTC'})\
.format(new Date(day+'T12:00:00Z'));}catch(e){}}\
function secret(){var m=/[#&]secret=([a-z0-9]{1,32})/.exec(w.location.hash);return m?m[1]:'';}\
function post(){if(w.parent===w)return;\
w.parent.postMessage({type:'apercu:height',secret:secret(),height:Math.ceil(d.documentElement.getBoundingClientRect().height)},'*');}\
if(w.ResizeObserver)new ResizeObserver(post).observe(d.documentElement);\
w.addEventListener('load',post);post();})(window,document);";

/// The oEmbed discovery links of a page.
#[derive(Debug)]
struct DiscoveryLinks {
    oembed_json: String,
    oembed_xml: String,
}

impl DiscoveryLinks {
    fn new(subject: &Subject<'_>) -> Self {
        let format = |name: &str| subject.service_url("oembed", &[("format", name.to_owned())]);
        DiscoveryLinks {
            oembed_json: format("json"),
            oembed_xml: format("xml"),
        }
    }
}

#[derive(Debug)]
struct PagePhoto {
    url: String,
    width: u32,
    height: u32,
    alt: String,
}

#[derive(Debug)]
struct PageDate {
    machine: String,
    human: String,
}

#[derive(Template)]
#[template(path = "embed.html")]
struct EmbedTemplate<'a> {
    lang: &'a str,
    dir: &'a str,
    title: &'a str,
    category: Option<&'a str>,
    description: Option<&'a str>,
    site: &'a str,
    icon: Option<PageIcon<'a>>,
    date: Option<PageDate>,
    article_url: &'a str,
    photo: Option<PagePhoto>,
    links: DiscoveryLinks,
    style: &'a str,
    script: &'static str,
}

#[derive(Template)]
#[template(path = "share.html")]
struct ShareTemplate<'a> {
    lang: &'a str,
    dir: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    site_name: Option<&'a str>,
    og_locale: Option<String>,
    article_url: &'a str,
    card_url: String,
    links: DiscoveryLinks,
}

#[derive(Template)]
#[template(path = "head.html")]
struct HeadTemplate<'a> {
    title: &'a str,
    card_url: String,
    links: DiscoveryLinks,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    message: &'a str,
    article_url: Option<&'a str>,
}

/// A page and the headers that must travel with it.
#[derive(Debug)]
pub struct Page {
    pub html: String,
    pub content_security_policy: String,
}

/// What only pages need to know about their subject.
impl Subject<'_> {
    fn lang(&self) -> &str {
        self.article.lang.as_deref().unwrap_or("und")
    }

    fn dir(&self) -> &'static str {
        match self.article.dir {
            Some(TextDirection::Rtl) => "rtl",
            _ => "ltr",
        }
    }

    fn site(&self) -> &str {
        self.article
            .site_name
            .as_deref()
            .or(self.article.url.host_str())
            .unwrap_or_default()
    }

    /// Where people are sent: the page's canonical URL when it is on the same host (a page
    /// cannot turn us into a redirector to another site), else the page's own URL.
    fn article_url(&self) -> &str {
        self.article
            .canonical_url
            .as_ref()
            .filter(|canonical| canonical.host_str() == self.article.url.host_str())
            .unwrap_or(&self.article.url)
            .as_str()
    }
}

fn hash_source(source: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(source.as_bytes()))
    )
}

/// How tall the site's icon is in the embed page's footer, in CSS pixels.
pub const ICON_HEIGHT: u32 = 20;

/// The site's icon in the embed page's footer: decorative (the site's name follows), inline
/// as a `data:` URL we encoded ourselves, so it costs no request and reveals no reader to the
/// site.
#[derive(Debug)]
struct PageIcon<'a> {
    src: &'a str,
    width: u32,
    height: u32,
}

/// The embed page: category, title, clamped description, photo, site and date, every link to
/// the article opening outside the frame. Its policy allows its own inline style and script (by
/// hash), images from us, and nothing else; any site may frame it.
///
/// # Errors
/// When the template fails to render (it cannot, for these inputs; kept for the type).
pub fn embed_page(subject: &Subject<'_>) -> Result<Page, askama::Error> {
    let article = subject.article;
    let photo = subject.photo.map(|size| {
        let (width, height) = oembed::thumbnail_size(size, EMBED_PHOTO_WIDTH);
        PagePhoto {
            url: subject.service_url(
                "thumb",
                &[
                    ("w", width.to_string()),
                    ("v", subject.versions.thumb.clone()),
                ],
            ),
            width,
            height,
            alt: article
                .lead_image
                .as_ref()
                .and_then(|lead| lead.alt.clone())
                .unwrap_or_default(),
        }
    });
    let date = article.published_at.as_ref().map(|published| {
        let machine = published.to_string();
        let human = machine.get(..10).unwrap_or(&machine).to_owned();
        PageDate { machine, human }
    });
    // The photo's dominant colour fills its box until it arrives (a colour is all it can be:
    // the placeholder is ours, made from the decoded photo).
    let style = match subject.placeholder.filter(|_| photo.is_some()) {
        Some(placeholder) => format!("{EMBED_STYLE}.photo{{--placeholder:{}}}", placeholder.color),
        None => EMBED_STYLE.to_owned(),
    };
    let html = EmbedTemplate {
        lang: subject.lang(),
        dir: subject.dir(),
        title: subject.heading(),
        category: article.category.as_deref(),
        description: article.description.as_deref(),
        site: subject.site(),
        icon: subject.icon.map(|(src, width)| PageIcon {
            src,
            width,
            height: ICON_HEIGHT,
        }),
        date,
        article_url: subject.article_url(),
        photo,
        links: DiscoveryLinks::new(subject),
        style: &style,
        script: EMBED_SCRIPT,
    }
    .render()?;
    let images = subject.public_url.origin().ascii_serialization();
    // No `frame-ancestors` (and no X-Frame-Options): any page may frame the embed, sandboxed
    // pages with an opaque origin too, which `frame-ancestors *` would not match. Safe: the page
    // holds no state, takes no input and acts on nothing; its links open the article outside
    // the frame.
    Ok(Page {
        html,
        content_security_policy: format!(
            "default-src 'none'; img-src {images} data:; style-src {}; script-src {}; \
             base-uri 'none'; form-action 'none'",
            hash_source(&style),
            hash_source(EMBED_SCRIPT)
        ),
    })
}

/// The share page: Open Graph and Twitter tags whose image is our `/card.jpg`, the canonical
/// article URL, and an immediate redirect there for people (crawlers read the tags).
///
/// # Errors
/// When the template fails to render.
pub fn share_page(subject: &Subject<'_>) -> Result<Page, askama::Error> {
    let article = subject.article;
    let html = ShareTemplate {
        lang: subject.lang(),
        dir: subject.dir(),
        title: subject.heading(),
        description: article.description.as_deref(),
        site_name: article.site_name.as_deref(),
        og_locale: article.lang.as_ref().map(|lang| lang.replace('-', "_")),
        article_url: subject.article_url(),
        card_url: subject.service_url("card.jpg", &[("v", subject.versions.card.clone())]),
        links: DiscoveryLinks::new(subject),
    }
    .render()?;
    Ok(Page {
        html,
        content_security_policy: "default-src 'none'; base-uri 'none'; form-action 'none'"
            .to_owned(),
    })
}

/// The tags a publisher pastes into an article's `<head>` so that platforms take Aperçu's card
/// (`og:image` with its type, size and alt text, `twitter:card`) and oEmbed consumers find
/// the embed: the share page's own tags, without its title and description (the article keeps
/// its own). The card URL names no content version, so the snippet stays right when the
/// article changes.
#[must_use]
pub fn head_snippet(subject: &Subject<'_>) -> String {
    HeadTemplate {
        title: subject.heading(),
        card_url: subject.service_url("card.jpg", &[]),
        links: DiscoveryLinks::new(subject),
    }
    .render()
    .unwrap_or_default()
}

/// A page for an error of an HTML route: the public message and, when known, a link to the
/// article itself.
#[must_use]
pub fn error_page(message: &str, article_url: Option<&str>) -> String {
    ErrorTemplate {
        message,
        article_url,
    }
    .render()
    .unwrap_or_else(|_| "<!doctype html><title>Error</title>".to_owned())
}
