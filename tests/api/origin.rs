//! A deliberately small HTTP/1.1 server with one route per hostile behaviour, and the canary.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A running origin and canary.
pub struct Origin {
    pub addr: SocketAddr,
    pub canary: SocketAddr,
    pub canary_hits: Arc<AtomicUsize>,
    /// Requests received, by path (with its query).
    pub hits: Hits,
    /// While set, `/flaky` answers 500.
    pub failing: Arc<AtomicBool>,
    /// The headline of `/article/edited` (and of `/article/edited/slow`, read when the request
    /// arrives, answered 600 ms later): what an editor changes.
    pub headline: Arc<Mutex<String>>,
    /// Items in `/feeds/growing.xml` (`/news/growing-1` …): a newsroom publishing.
    pub published: Arc<AtomicUsize>,
}

pub type Hits = Arc<Mutex<HashMap<String, usize>>>;

impl Origin {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn canary_hits(&self) -> usize {
        self.canary_hits.load(Ordering::SeqCst)
    }

    /// Changes the headline of `/article/edited`.
    pub fn edit_headline(&self, headline: &str) {
        headline.clone_into(&mut self.headline.lock().unwrap());
    }

    /// Publishes one more item in `/feeds/growing.xml`.
    pub fn publish(&self) {
        self.published.fetch_add(1, Ordering::SeqCst);
    }

    /// How many requests the origin received for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// Starts the origin on 127.0.0.1 and the canary on 127.0.0.2 *on the same port* (docs/security.md
/// §3: `O = 127.0.0.1:P`, `C = 127.0.0.2:P`), so that the port policy cannot be what keeps a
/// request away from the canary: only the address checks can.
pub async fn start() -> Origin {
    let (listener, canary_listener) = loop {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        if let Ok(canary) = TcpListener::bind(("127.0.0.2", port)).await {
            break (listener, canary);
        }
    };
    let addr = listener.local_addr().unwrap();
    let canary = canary_listener.local_addr().unwrap();
    let canary_hits = Arc::new(AtomicUsize::new(0));
    let hits = Arc::clone(&canary_hits);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = canary_listener.accept().await {
            hits.fetch_add(1, Ordering::SeqCst);
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\ncanary",
                )
                .await;
        }
    });
    let hits = Hits::default();
    let failing = Arc::new(AtomicBool::new(false));
    let headline = Arc::new(Mutex::new("Première version du titre".to_owned()));
    let published = Arc::new(AtomicUsize::new(2));
    let (counted, fails, edited, newsroom) = (
        Arc::clone(&hits),
        Arc::clone(&failing),
        Arc::clone(&headline),
        Arc::clone(&published),
    );
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (counted, fails) = (Arc::clone(&counted), fails.load(Ordering::SeqCst));
            let headline = edited.lock().unwrap().clone();
            let items = newsroom.load(Ordering::SeqCst);
            tokio::spawn(serve(
                stream,
                addr,
                canary,
                counted,
                (fails, headline, items),
            ));
        }
    });
    Origin {
        addr,
        canary,
        canary_hits,
        hits,
        failing,
        headline,
        published,
    }
}

async fn serve(
    mut stream: TcpStream,
    me: SocketAddr,
    canary: SocketAddr,
    hits: Hits,
    (failing, headline, published): (bool, String, usize),
) {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
        if request.len() > 64 * 1024 {
            return;
        }
    }
    let line = String::from_utf8_lossy(&request);
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    if failing && path == "/flaky" {
        let _ = body(
            &mut stream,
            "500 Internal Server Error",
            "text/html",
            b"down",
        )
        .await;
        return;
    }
    if path == "/article/edited" || path == "/article/edited/slow" {
        if path.ends_with("/slow") {
            // The headline was read on arrival: an edit meanwhile is not in this answer.
            tokio::time::sleep(Duration::from_millis(600)).await;
        }
        let page = format!(
            "<html lang=fr><head><meta charset=utf-8><meta property=og:title content=\"{headline}\">\
             <meta property=og:site_name content=\"Le Quotidien\">\
             <meta property=og:image content=\"/image/lead.jpg\"></head><body><p>Texte.</p></body></html>"
        );
        let _ = html(&mut stream, &page).await;
        return;
    }
    if path == "/feeds/growing.xml" {
        let items: Vec<String> = (1..=published)
            .map(|n| format!("/news/growing-{n}"))
            .collect();
        let _ = body(
            &mut stream,
            "200 OK",
            "application/rss+xml",
            rss(&items).as_bytes(),
        )
        .await;
        return;
    }
    let _ = respond(&mut stream, &path, me, canary).await;
}

/// An RSS 2.0 feed whose items link to `links`.
fn rss(links: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Le Quotidien</title><link>/</link><description>Les nouvelles</description>",
    );
    for (n, link) in links.iter().enumerate() {
        let _ = write!(
            out,
            "<item><title>Article {n}</title><link>{link}</link></item>"
        );
    }
    out.push_str("</channel></rss>");
    out
}

/// The warm-up listings: feeds and sitemaps of every kind, and hostile ones.
async fn feeds(
    stream: &mut TcpStream,
    name: &str,
    me: SocketAddr,
    canary: SocketAddr,
) -> std::io::Result<()> {
    let origin = format!("http://{me}");
    let links = |names: &[&str]| -> Vec<String> {
        names.iter().map(|name| format!("/news/{name}")).collect()
    };
    let (content_type, text) = match name {
        // The same article twice: warmed once.
        "rss.xml" => (
            "application/rss+xml",
            rss(&links(&["rss-1", "rss-2", "rss-1"])),
        ),
        "atom.xml" => (
            "application/atom+xml",
            format!(
                "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Le Quotidien</title>\
                 <id>urn:feed</id><updated>2026-12-01T08:00:00Z</updated>\
                 <entry><title>Un</title><id>urn:1</id><updated>2026-12-01T08:00:00Z</updated>\
                 <link rel=\"alternate\" href=\"{origin}/news/atom-1\"/></entry>\
                 <entry><title>Deux</title><id>urn:2</id><updated>2026-12-01T08:00:00Z</updated>\
                 <link href=\"{origin}/news/atom-2\"/></entry></feed>"
            ),
        ),
        "feed.json" => (
            "application/feed+json",
            format!(
                r#"{{"version":"https://jsonfeed.org/version/1.1","title":"Le Quotidien",
                "items":[{{"id":"1","url":"{origin}/news/json-1"}}]}}"#
            ),
        ),
        "index.xml" => (
            "application/xml",
            format!(
                "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                 <sitemap><loc>{origin}/feeds/sitemap-1.xml</loc></sitemap>\
                 <sitemap><loc>{origin}/feeds/sitemap-2.xml</loc></sitemap></sitemapindex>"
            ),
        ),
        "sitemap-1.xml" => (
            "application/xml",
            format!(
                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                 <url><loc>{origin}/news/map-1</loc><lastmod>2026-12-01</lastmod></url>\
                 <url><loc>{origin}/news/map-2</loc></url></urlset>"
            ),
        ),
        "sitemap-2.xml" => (
            "application/xml",
            format!(
                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                 <url><loc>{origin}/news/map-3</loc></url></urlset>"
            ),
        ),
        "news.xml" => (
            "text/xml",
            format!(
                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
                 xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\
                 <url><loc>{origin}/news/news-1</loc><news:news><news:publication>\
                 <news:name>Le Quotidien</news:name><news:language>fr</news:language></news:publication>\
                 <news:publication_date>2026-12-01</news:publication_date><news:title>Un</news:title>\
                 </news:news></url></urlset>"
            ),
        ),
        // Billion laughs: a thousand million `lol`s if entities were expanded.
        "bomb.xml" => {
            let mut dtd = String::from("<!ENTITY lol0 \"lol\">");
            for level in 1..10 {
                let previous = format!("&lol{};", level - 1).repeat(10);
                let _ = write!(dtd, "<!ENTITY lol{level} \"{previous}\">");
            }
            (
                "application/rss+xml",
                format!(
                    "<?xml version=\"1.0\"?><!DOCTYPE rss [{dtd}]><rss version=\"2.0\"><channel>\
                     <title>&lol9;</title><item><title>&lol9;</title><link>/news/bomb-1</link></item>\
                     </channel></rss>"
                ),
            )
        }
        // 100,000 items, each a page the origin does not have.
        "many.xml" => {
            let links: Vec<String> = (0..100_000).map(|n| format!("/gone/{n}")).collect();
            ("application/rss+xml", rss(&links))
        }
        // Links to loopback addresses that are not the exempt origin: never fetched.
        "private.xml" => {
            let port = me.port();
            let links = [
                format!("http://{canary}/private"),
                format!("http://127.0.0.1:{}/", canary.port() ^ 1),
                format!("http://[::1]:{port}/private"),
                format!("http://localhost:{port}/private"),
            ];
            ("application/rss+xml", rss(&links))
        }
        // An RSS feed that never ends: the same item, for ever.
        "endless.xml" => {
            let item = "<item><title>Encore</title><link>/news/endless</link></item>".repeat(1000);
            return rss_for_ever(stream, item.as_bytes(), Duration::ZERO).await;
        }
        // A byte a second, for ever: the fetch timeout ends it.
        "drip.xml" => return rss_for_ever(stream, b" ", Duration::from_secs(1)).await,
        _ => return body(stream, "404 Not Found", "text/plain", b"no such feed").await,
    };
    body(stream, "200 OK", content_type, text.as_bytes()).await
}

/// The start of an RSS feed, then `piece` every `pause`, for ever.
async fn rss_for_ever(
    stream: &mut TcpStream,
    piece: &[u8],
    pause: Duration,
) -> std::io::Result<()> {
    let content_type = [("content-type", "application/rss+xml".to_owned())];
    head(stream, "200 OK", &content_type).await?;
    stream
        .write_all(b"<rss version=\"2.0\"><channel><title>Sans fin</title>")
        .await?;
    loop {
        stream.write_all(piece).await?;
        tokio::time::sleep(pause).await;
    }
}

/// An article of the warm-up listings: its own headline, the lead photo.
async fn news(stream: &mut TcpStream, slug: &str) -> std::io::Result<()> {
    let page = format!(
        "<!doctype html><html lang=fr><head><meta charset=utf-8><title>{slug}</title>\
         <meta property=og:title content=\"Article {slug}\">\
         <meta property=og:site_name content=\"Le Quotidien\">\
         <meta property=og:image content=\"/image/lead.jpg\"></head>\
         <body><article><h1>Article {slug}</h1><p>Texte.</p></article></body></html>"
    );
    html(stream, &page).await
}

async fn head(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (name, value) in headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes()).await
}

/// The head of an HTML answer announcing `length` bytes.
async fn html_head(stream: &mut TcpStream, length: usize) -> std::io::Result<()> {
    let headers = [
        ("content-type", "text/html".to_owned()),
        ("content-length", length.to_string()),
    ];
    head(stream, "200 OK", &headers).await
}

/// A whole answer: `headers`, then the `Content-Length` of `bytes`, then `bytes`.
async fn answer(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, &str)],
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut all: Vec<(&str, String)> = headers
        .iter()
        .map(|(name, value)| (*name, (*value).to_owned()))
        .collect();
    all.push(("content-length", bytes.len().to_string()));
    head(stream, status, &all).await?;
    stream.write_all(bytes).await
}

/// A UTF-8 HTML page.
async fn html(stream: &mut TcpStream, page: &str) -> std::io::Result<()> {
    body(
        stream,
        "200 OK",
        "text/html; charset=utf-8",
        page.as_bytes(),
    )
    .await
}

async fn body(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    answer(stream, status, &[("content-type", content_type)], bytes).await
}

/// A body sent with a `Content-Encoding`, as it is on the wire.
async fn encoded(
    stream: &mut TcpStream,
    content_type: &str,
    encoding: &str,
    compressed: &[u8],
) -> std::io::Result<()> {
    let headers = [
        ("content-type", content_type),
        ("content-encoding", encoding),
    ];
    answer(stream, "200 OK", &headers, compressed).await
}

/// `prefix`, then `filler` for ever, announced as `declared` bytes (or not announced).
async fn endless(
    stream: &mut TcpStream,
    content_type: &str,
    declared: Option<u64>,
    prefix: &[u8],
    filler: u8,
) -> std::io::Result<()> {
    let mut headers = vec![("content-type", content_type.to_owned())];
    headers.extend(declared.map(|n| ("content-length", n.to_string())));
    head(stream, "200 OK", &headers).await?;
    stream.write_all(prefix).await?;
    let chunk = vec![filler; 64 * 1024];
    loop {
        stream.write_all(&chunk).await?;
    }
}

/// Writes `prefix`, then `mebibytes` MiB of `filler`, into a compressor.
fn write_bomb(encoder: &mut impl std::io::Write, prefix: &[u8], filler: u8, mebibytes: usize) {
    encoder.write_all(prefix).unwrap();
    let block = vec![filler; 1024 * 1024];
    for _ in 0..mebibytes {
        encoder.write_all(&block).unwrap();
    }
}

fn gzip_bomb(prefix: &[u8], filler: u8, mebibytes: usize, level: flate2::Compression) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    write_bomb(&mut encoder, prefix, filler, mebibytes);
    encoder.finish().unwrap()
}

async fn redirect(stream: &mut TcpStream, location: String) -> std::io::Result<()> {
    head(
        stream,
        "302 Found",
        &[("location", location), ("content-length", "0".to_owned())],
    )
    .await
}

/// The benchmark's lead photo (1600×1067 JPEG).
/// The debugger's fixture site: the pages of `tests/fixtures/site/` with `{{origin}}` replaced
/// by the origin's URL, and `img/WxH.jpg`, a JPEG of that size made on the spot.
async fn site(stream: &mut TcpStream, path: &str, me: SocketAddr) -> std::io::Result<()> {
    if let Some(size) = path
        .strip_prefix("img/")
        .and_then(|name| name.strip_suffix(".jpg"))
    {
        let Some((width, height)) = size
            .split_once('x')
            .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
            .filter(|&(w, h)| (1..=4000).contains(&w) && (1..=4000).contains(&h))
        else {
            return body(stream, "404 Not Found", "text/plain", b"no such size").await;
        };
        return body(stream, "200 OK", "image/jpeg", &fixture_jpeg(width, height)).await;
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/site")
        .join(path.split('?').next().unwrap_or_default());
    if path.contains("..") || !file.is_file() {
        return body(stream, "404 Not Found", "text/plain", b"no such page").await;
    }
    let page = std::fs::read_to_string(file)?.replace("{{origin}}", &format!("http://{me}"));
    html(stream, &page).await
}

/// A `width`×`height` JPEG: a gradient, so it looks like a picture in screenshots.
pub fn fixture_jpeg(width: u32, height: u32) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            u8::try_from(40 + x * 160 / width).unwrap(),
            u8::try_from(60 + y * 120 / height).unwrap(),
            150,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    pixels.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A 180×180 orange square, as a site's `apple-touch-icon`.
pub fn site_icon() -> Vec<u8> {
    let pixels = image::RgbImage::from_pixel(180, 180, image::Rgb([255, 136, 0]));
    let mut out = std::io::Cursor::new(Vec::new());
    pixels.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn lead_photo() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/data/lead.jpg"
    ))
    .unwrap()
}

/// A PNG signature and a header declaring `width`×`height`, and nothing else: what a pixel bomb
/// looks like to a decoder that trusts headers.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    png_header_with(width, height, 8, 2)
}

fn png_header_with(width: u32, height: u32, bit_depth: u8, color_type: u8) -> Vec<u8> {
    let mut header = width.to_be_bytes().to_vec();
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[bit_depth, color_type, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(*b"IHDR", &header));
    png
}

/// A valid 20,000 × 20,000 one-bit PNG: about 50 KB on the wire, 400 million pixels decoded
/// (docs/security.md E2). Compressed once per test run.
fn png_bomb() -> &'static [u8] {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        let side = 20_000_u32;
        let mut png = png_header_with(side, side, 1, 0);
        let row = (side as usize).div_ceil(8) + 1;
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; row * 100];
        for _ in 0..side / 100 {
            std::io::Write::write_all(&mut zlib, &zeros).unwrap();
        }
        png.extend(chunk(*b"IDAT", &zlib.finish().unwrap()));
        png.extend(chunk(*b"IEND", &[]));
        png
    })
}

/// A JPEG whose frame header declares `width`×`height`, and nothing after it.
fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
    jpeg.extend_from_slice(&height.to_be_bytes());
    jpeg.extend_from_slice(&width.to_be_bytes());
    jpeg.extend_from_slice(&[3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xFF, 0xD9]);
    jpeg
}

/// A GIF of `frames` frames of `width`×`height` (each frame's data is one black pixel: the
/// 43-byte GIF when 1×1 and one frame).
fn gif(width: u16, height: u16, frames: usize) -> Vec<u8> {
    let (w, h) = (width.to_le_bytes(), height.to_le_bytes());
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[w[0], w[1], h[0], h[1], 0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
    for _ in 0..frames {
        gif.extend_from_slice(&[0x2C, 0, 0, 0, 0, w[0], w[1], h[0], h[1], 0]);
        gif.extend_from_slice(&[2, 2, 0x44, 0x01, 0]);
    }
    gif.push(0x3B);
    gif
}

fn chunk(kind: [u8; 4], data: &[u8]) -> Vec<u8> {
    let mut crc = flate2::Crc::new();
    crc.update(&kind);
    crc.update(data);
    let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(&kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
    out
}

/// A 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xFF, 0xFF, 0x3F,
    0x00, 0x05, 0xFE, 0x02, 0xFE, 0xA7, 0x35, 0x81, 0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

async fn respond(
    stream: &mut TcpStream,
    path: &str,
    me: SocketAddr,
    canary: SocketAddr,
) -> std::io::Result<()> {
    let port = me.port();
    match path {
        "/ok" => html(stream, "<title>OK</title><h1>Fine</h1>").await,
        "/cached" => {
            let headers = [
                ("content-type", "text/html"),
                ("cache-control", "public, max-age=600"),
            ];
            answer(stream, "200 OK", &headers, b"<title>Cached</title>").await
        }
        "/notfound" => body(stream, "404 Not Found", "text/html", b"gone").await,
        "/error" => body(stream, "500 Internal Server Error", "text/html", b"oops").await,
        "/text" => body(stream, "200 OK", "text/plain", b"plain text").await,
        "/json" => body(stream, "200 OK", "application/json", b"{}").await,
        "/image/png" => body(stream, "200 OK", "image/png", PNG).await,
        "/image/lead.jpg" => body(stream, "200 OK", "image/jpeg", &lead_photo()).await,
        "/image/icon.png" => body(stream, "200 OK", "image/png", &site_icon()).await,
        "/article/icon" | "/article/tiny-icon" => {
            let icon = if path.ends_with("tiny-icon") {
                "<link rel=icon href=/image/png>"
            } else {
                "<link rel=icon href=/image/png><link rel=apple-touch-icon href=/image/icon.png>"
            };
            let page = format!(
                "<html lang=en><head><title>Gardens in winter</title>{icon}\
                 <meta property=og:site_name content=\"Allotment Weekly\">\
                 <meta property=og:image content=/image/lead.jpg></head><body><p>Text.</p></body></html>"
            );
            html(stream, &page).await
        }
        "/article/slow" => {
            // Slow enough that a burst of requests all arrive while the first is in flight.
            tokio::time::sleep(Duration::from_millis(400)).await;
            let page = format!(
                "<html lang=fr><head><meta property=og:title content=\"Lent\">\
                 <meta property=og:image content=\"http://{me}/image/lead.jpg?slow\"></head></html>"
            );
            html(stream, &page).await
        }
        "/image/lead.jpg?slow" => {
            tokio::time::sleep(Duration::from_millis(200)).await;
            body(stream, "200 OK", "image/jpeg", &lead_photo()).await
        }
        "/article/rtl" => {
            let page = "<html lang=he dir=rtl><head><meta charset=utf-8>\
                <meta property=og:title content='כותרת הכתבה'>\
                <meta property=og:site_name content='החדשות'>\
                <link rel=canonical href='https://elsewhere.example/stolen'>\
                <meta property=article:published_time content='2024-04-10T08:15:00+02:00'>\
                </head><body><p>טקסט.</p></body></html>";
            html(stream, page).await
        }
        "/article/xss" => {
            let page = "<html><head><title>x</title>\
                <meta property=og:title content='\"><script>alert(1)</script>&amp;<b>'>\
                <meta property=og:site_name content='</oembed><evil>&lt;'>\
                <meta name=author content='A &amp; B <i>'>\
                <meta property=og:image content='/image/lead.jpg'></head></html>";
            body(stream, "200 OK", "text/html", page.as_bytes()).await
        }
        // Any query: another article with the same page (floods of distinct URLs).
        p if p == "/article" || p == "/flaky" || p.starts_with("/article?") => {
            let page = "<html lang=fr><head><meta property=og:title content=\"Un article sur la boucle locale\">\
                        <meta property=og:site_name content=\"La Boucle\"><meta property=article:section content=Tests>\
                        <meta property=og:image content=\"/image/lead.jpg\"></head><body><p>Texte.</p></body></html>";
            html(stream, page).await
        }
        "/article/canary-image" => {
            let page = format!(
                "<html><head><meta property=og:title content=\"Second-order\"><meta property=og:image content=\"http://{canary}/canary.jpg\"></head></html>"
            );
            body(stream, "200 OK", "text/html", page.as_bytes()).await
        }
        "/image/html-as-png" => {
            body(stream, "200 OK", "image/png", b"<html>not a png</html>").await
        }
        "/image/svg" => {
            body(
                stream,
                "200 OK",
                "image/svg+xml",
                b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            )
            .await
        }
        "/redirect/ok" => redirect(stream, format!("http://127.0.0.1:{port}/ok")).await,
        "/redirect/relative" => redirect(stream, "/ok".to_owned()).await,
        "/redirect/protocol-relative" => redirect(stream, format!("//127.0.0.1:{port}/ok")).await,
        "/redirect/canary" => redirect(stream, format!("http://{canary}/canary")).await,
        "/redirect/canary-decimal" => {
            redirect(
                stream,
                format!("http://2130706434:{}/canary", canary.port()),
            )
            .await
        }
        "/redirect/canary-mapped" => {
            redirect(
                stream,
                format!("http://[::ffff:127.0.0.2]:{}/canary", canary.port()),
            )
            .await
        }
        "/redirect/localhost" => redirect(stream, format!("http://localhost:{port}/ok")).await,
        "/redirect/metadata" => {
            redirect(
                stream,
                "http://169.254.169.254/latest/meta-data/".to_owned(),
            )
            .await
        }
        "/redirect/file" => redirect(stream, "file:///etc/passwd".to_owned()).await,
        "/redirect/userinfo" => redirect(stream, format!("http://user@{canary}/canary")).await,
        "/redirect/other-port" => {
            redirect(
                stream,
                format!("http://127.0.0.1:{}/", port.wrapping_add(1)),
            )
            .await
        }
        "/redirect/loop" => redirect(stream, "/redirect/loop".to_owned()).await,
        "/redirect/no-location" => {
            head(stream, "302 Found", &[("content-length", "0".into())]).await
        }
        "/redirect/rebind" => redirect(stream, format!("http://rebind.test:{port}/ok")).await,
        p if p.starts_with("/redirect/chain/") => {
            let n: u32 = p["/redirect/chain/".len()..].parse().unwrap_or(0);
            let next = if n == 0 {
                "/ok".to_owned()
            } else {
                format!("/redirect/chain/{}", n - 1)
            };
            redirect(stream, next).await
        }
        "/slow/trickle" => {
            head(stream, "200 OK", &[("content-type", "text/html".into())]).await?;
            loop {
                stream.write_all(b"<").await?;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        p if p.starts_with("/slow/hang") => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        }
        "/huge/endless" => {
            let prefix = b"<html><head><title>Endless</title></head><body>";
            endless(stream, "text/html", None, prefix, b'x').await
        }
        "/huge/image" => endless(stream, "image/png", None, PNG, 0).await,
        "/bomb/gzip" => {
            let page = b"<html><head><title>Bomb</title></head><body>";
            let compressed = gzip_bomb(page, b' ', 256, flate2::Compression::best());
            encoded(stream, "text/html", "gzip", &compressed).await
        }
        "/bomb/brotli" => {
            // 64 MiB of spaces, 32 times the default page cap; compressed once per test run.
            static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
            let compressed = BOMB.get_or_init(|| {
                let mut encoder = brotli::CompressorWriter::new(Vec::new(), 1 << 16, 1, 22);
                write_bomb(
                    &mut encoder,
                    b"<html><head><title>Brotli bomb</title></head><body>",
                    b' ',
                    64,
                );
                encoder.into_inner()
            });
            encoded(stream, "text/html", "br", compressed).await
        }
        "/image/pixel-bomb.png" => {
            body(stream, "200 OK", "image/png", &png_header(60_000, 60_000)).await
        }
        "/article/pixel-bomb" => {
            let page = "<html><head><meta property=og:title content='Bombe'>\
                <meta property=og:image content='/image/pixel-bomb.png'></head></html>";
            body(stream, "200 OK", "text/html", page.as_bytes()).await
        }
        "/article/deep" => {
            let mut page = String::from("<html><head><title>Profond</title></head><body>");
            page.push_str(&"<div>".repeat(200_000));
            body(stream, "200 OK", "text/html", page.as_bytes()).await
        }
        "/article/latin1" => {
            let page =
                b"<html><head><title>Le caf\xe9 na\xeff co\xfbte 3\x80</title></head></html>";
            body(stream, "200 OK", "text/html; charset=windows-1252", page).await
        }
        "/headers/set-cookie" => {
            let headers = [
                ("content-type", "text/html"),
                ("set-cookie", "session=stolen; Path=/"),
                ("refresh", "0; url=javascript:alert(1)"),
                ("content-security-policy", "default-src *"),
                ("access-control-allow-credentials", "true"),
            ];
            answer(stream, "200 OK", &headers, b"<title>Cookies</title>").await
        }
        "/bomb/gzip-as-image" => {
            // 64 MiB of zeros after a PNG signature, gzip-encoded: a few dozen KB on the wire.
            let compressed = gzip_bomb(PNG, 0, 64, flate2::Compression::fast());
            encoded(stream, "image/png", "gzip", &compressed).await
        }
        "/lie/early-eof" => {
            html_head(stream, 100_000).await?;
            stream.write_all(b"<title>Cut</title>").await
        }
        "/huge/content-length" => {
            let prefix = b"<html><head><title>Ten gibibytes</title></head><body>";
            endless(stream, "text/html", Some(10 << 30), prefix, b'x').await
        }
        "/huge/content-length-image" => endless(stream, "image/png", Some(10 << 30), PNG, 0).await,
        "/lie/content-length-short" => {
            let declared = b"<title>Declared</title>";
            html_head(stream, declared.len()).await?;
            stream.write_all(declared).await?;
            stream
                .write_all(b"<title>Smuggled</title>HTTP/1.1 200 OK\r\n\r\n")
                .await
        }
        "/lie/reset" => {
            html_head(stream, 100_000).await?;
            stream
                .write_all(b"<html><head><title>Reset</title>")
                .await?;
            stream.flush().await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
            // Closing with a zero linger sends a TCP RST instead of a FIN.
            stream.set_zero_linger()
        }
        "/slow/body" => {
            // One byte a second of a 100-byte page: each read succeeds, the page never ends.
            html_head(stream, 100).await?;
            loop {
                stream.write_all(b" ").await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        "/redirect/crlf" => redirect(stream, "/ok%0D%0ASet-Cookie:%20injected=1".to_owned()).await,
        "/article/oembed-discovery" => {
            let page = format!(
                "<html><head><meta property=og:title content=\"Discovery\">\
                 <link rel=alternate type=application/json+oembed href=\"http://{canary}/oembed.json\">\
                 <link rel=alternate type=text/xml+oembed href=\"http://{canary}/oembed.xml\">\
                 </head></html>"
            );
            body(stream, "200 OK", "text/html", page.as_bytes()).await
        }
        p if p.starts_with("/article/photo/") => {
            // An article whose lead photo is `/image/<name>`.
            let name = &p["/article/photo/".len()..];
            let page = format!(
                "<html><head><meta property=og:title content=\"Photo {name}\">\
                 <meta property=og:image content=\"/image/{name}\"></head></html>"
            );
            body(stream, "200 OK", "text/html", page.as_bytes()).await
        }
        "/image/png-bomb" => body(stream, "200 OK", "image/png", png_bomb()).await,
        "/image/jpeg-huge-dims" => {
            body(stream, "200 OK", "image/jpeg", &jpeg_header(65_500, 65_500)).await
        }
        "/image/gif-huge-dims" => {
            body(stream, "200 OK", "image/gif", &gif(65_535, 65_535, 1)).await
        }
        "/image/gif-many-frames" => body(stream, "200 OK", "image/gif", &gif(1, 1, 10_000)).await,
        "/article/css-breakout" => {
            // A photo URL written to close a CSS `url('…')` and a `style` attribute.
            let page = "<html><head><meta property=og:title content=\"CSS\">\
                <meta property=og:image content=\"/image/lead.jpg?x=');}body{background:url(javascript:alert(1))}/*&quot; style=&quot;x:expression(alert(1))\">\
                </head></html>";
            body(stream, "200 OK", "text/html", page.as_bytes()).await
        }
        "/article/crlf" => {
            // CR/LF in the title and in the photo URL, written to become response headers.
            let page = "<html><head>\
                <meta property=og:title content=\"Titre&#13;&#10;Set-Cookie: injected=1\">\
                <meta property=og:site_name content=\"Site&#10;X-Injected: 1\">\
                <meta property=og:image content=\"/image/lead.jpg?%0d%0aX-Injected:%201\">\
                </head></html>";
            body(stream, "200 OK", "text/html", page.as_bytes()).await
        }
        p if p.starts_with("/image/lead.jpg?") => {
            body(stream, "200 OK", "image/jpeg", &lead_photo()).await
        }
        p if p.starts_with("/ok/") => {
            let n = &p["/ok/".len()..];
            let page = format!(
                "<title>Page {n}</title><meta name=description content=\"{}\">",
                "Une description assez longue pour peser. ".repeat(6)
            );
            body(stream, "200 OK", "text/html", page.as_bytes()).await
        }
        "/headers/many" => {
            let headers: Vec<(&str, String)> =
                (0..10_000).map(|n| ("x-filler", n.to_string())).collect();
            head(stream, "200 OK", &headers).await
        }
        "/headers/huge" => head(stream, "200 OK", &[("x-huge", "a".repeat(1024 * 1024))]).await,
        "/garbage" => stream.write_all(b"this is not HTTP at all\r\n\r\n").await,
        p if p.starts_with("/site/") => site(stream, &p["/site/".len()..], me).await,
        p if p.starts_with("/feeds/") => feeds(stream, &p["/feeds/".len()..], me, canary).await,
        p if p.starts_with("/news/") => news(stream, &p["/news/".len()..]).await,
        _ => body(stream, "404 Not Found", "text/plain", b"no route").await,
    }
}
