//! Signed URLs through HTTP (`APERCU_SIGNATURES=required`): refusals with their codes, every
//! URL the service emits working when followed, one cache entry however a request was signed,
//! `exp` capping the lifetime, the debugger behind the administration token, and the Python,
//! JavaScript and PHP snippets of docs/operations.md against the service.

use std::process::Command;

use crate::helpers::{TestApp, error_code, header, spawn_app_with};

const OLD: &str = "old:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const NEW: &str = "new:f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f";
const TOKEN: &str = "an-admin-token-for-tests";

async fn signed_app(keys: &str) -> TestApp {
    spawn_app_with(
        true,
        &[
            "--signatures=required",
            &format!("--signing-keys={keys}"),
            &format!("--admin-token={TOKEN}"),
        ],
    )
    .await
}

/// `apercu sign` for `app`, with `args` after the article URL.
fn sign(app: &TestApp, keys: &str, article: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_apercu"))
        .arg("sign")
        .arg(article)
        .args(args)
        .env_clear()
        .env("APERCU_SIGNING_KEYS", keys)
        .env("APERCU_PUBLIC_URL", format!("{}/", app.base))
        .env("APERCU_ALLOW_ADDRESSES", app.origin.addr.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// An attribute's URL as written in HTML, unescaped.
trait Unescape {
    fn unescaped(&self) -> String;
}

impl Unescape for str {
    fn unescaped(&self) -> String {
        self.replace("&#38;", "&").replace("&amp;", "&")
    }
}

fn with(url: &str, name: &str, value: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(n, v)| {
            let v = if n == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (n.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_tampered_and_expired_requests_are_refused_with_their_codes() {
    let app = signed_app(OLD).await;
    let article = app.origin.url("/article");
    let unsigned = app.get(&app.url("/card.jpg", "/article")).await;
    assert_eq!(unsigned.status(), 403);
    assert_eq!(error_code(unsigned).await, "signature-missing");

    let signed = sign(&app, OLD, &article, &["--expires-in", "1h"]);
    let ok = app.client.get(&signed).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let max_age: u64 = header(&ok, "cache-control")
        .split("max-age=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        max_age <= 3600,
        "exp caps max-age: {}",
        header(&ok, "cache-control")
    );

    let other = app.origin.url("/article/slow");
    let exp: u64 = url::Url::parse(&signed)
        .unwrap()
        .query_pairs()
        .find(|(n, _)| n == "exp")
        .unwrap()
        .1
        .parse()
        .unwrap();
    for tampered in [
        with(&signed, "url", &other),
        with(&signed, "k", "new"),
        with(&signed, "exp", &(exp + 3600).to_string()),
        with(&signed, "s", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let refused = app.client.get(&tampered).send().await.unwrap();
        assert_eq!(refused.status(), 403, "{tampered}");
        assert_eq!(error_code(refused).await, "signature-invalid");
    }
    let expired = sign(&app, OLD, &article, &["--expires-in", "0"]);
    let refused = app.client.get(&expired).send().await.unwrap();
    assert_eq!(error_code(refused).await, "signature-expired");
    // Health, metrics and the debugger's home stay open.
    for open in ["/healthz", "/readyz", "/metrics", "/", "/favicon.svg"] {
        assert_eq!(
            app.get(&format!("{}{open}", app.base)).await.status(),
            200,
            "{open}"
        );
    }
    assert_eq!(app.origin.hits("/article/slow"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_url_the_service_emits_works_when_followed() {
    let app = signed_app(OLD).await;
    let article = app.origin.url("/article");
    let oembed = sign(&app, OLD, &article, &["--route", "oembed"]);
    let answer = app.client.get(&oembed).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let response: serde_json::Value =
        serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    let html = response["html"].as_str().unwrap();
    let iframe = html
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .unescaped();
    let mut followed = vec![
        iframe,
        response["thumbnail_url"].as_str().unwrap().to_owned(),
    ];
    let share = app
        .client
        .get(sign(&app, OLD, &article, &["--route", "share"]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for tag in ["og:image\" content=\"", "application/json+oembed\" href=\""] {
        let url = share.split(tag).nth(1).unwrap().split('"').next().unwrap();
        followed.push(url.unescaped());
    }
    let embed = app
        .client
        .get(&followed[0])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let photo = embed
        .split("<img src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    followed.push(photo.unescaped());
    for url in &followed {
        assert!(url.contains("&s="), "{url} is signed");
        let answer = app.client.get(url).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{url}");
    }
    // A consumer adding its own bounds to the discovered endpoint.
    let bounded = format!("{}&maxwidth=400", followed[3]);
    assert_eq!(app.client.get(&bounded).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_still_verifies_and_signatures_are_not_part_of_the_cache_key() {
    let app = signed_app(&format!("{NEW},{OLD}")).await;
    let article = app.origin.url("/article");
    let by_new = sign(&app, NEW, &article, &[]);
    let by_old = sign(&app, OLD, &article, &[]);
    let first = app.client.get(&by_new).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let second = app.client.get(&by_old).send().await.unwrap();
    assert_eq!(second.status(), 200);
    assert_eq!(header(&second, "x-cache"), "HIT");
    assert_eq!(app.origin.hits("/article"), 1);
    // A key that is no longer listed is refused.
    let gone = "gone:abababababababababababababababababababababababababababababababab";
    let refused = app
        .client
        .get(sign(&app, gone, &article, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(refused).await, "signature-invalid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_signatures_required_the_debugger_asks_for_the_administration_token() {
    let app = signed_app(OLD).await;
    let article = app.origin.url("/article");
    let encoded: String = url::form_urlencoded::byte_serialize(article.as_bytes()).collect();
    let home = app
        .get(&format!("{}/", app.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(home.contains("method=\"post\"") && home.contains("type=\"password\""));
    let refused = app.get(&app.url("/", "/article")).await;
    assert_eq!(refused.status(), 401);
    let posted = app
        .client
        .post(format!("{}/", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("url={encoded}&token={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let page = posted.text().await.unwrap();
    let picture = page
        .split("src=\"debug/image?")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .unescaped();
    assert!(picture.contains("&s="));
    let image = app
        .get(&format!("{}/debug/image?{picture}", app.base))
        .await;
    assert_eq!(image.status(), 200);
    let json = app
        .client
        .get(app.url("/report.json", "/article"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 200);
    // The sample fetches nothing: no token needed.
    let sample: String =
        url::form_urlencoded::byte_serialize(apercu::fetch::sample::ARTICLE.as_bytes()).collect();
    assert_eq!(
        app.get(&format!("{}/?url={sample}", app.base))
            .await
            .status(),
        200
    );
}

/// The snippets of `docs/signing/` are the ones `docs/operations.md` shows, and sign what the
/// service accepts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_python_javascript_and_php_snippets_sign_urls_the_service_accepts() {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/signing");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md"))
            .unwrap();
    let app = signed_app(OLD).await;
    let article = app.origin.url("/article");
    let (key_id, secret) = OLD.split_once(':').unwrap();
    for (program, file, function) in [
        ("python3", "sign.py", "def sign("),
        ("node", "sign.mjs", "export function sign("),
        ("php", "sign.php", "function apercu_sign("),
    ] {
        let code = std::fs::read_to_string(format!("{docs}/{file}")).unwrap();
        let body = code
            .split(function)
            .nth(1)
            .unwrap()
            .split("\n\n")
            .next()
            .unwrap();
        assert!(
            readme.contains(body.trim()),
            "docs/operations.md shows {file} as it is"
        );
        if Command::new(program).arg("--version").output().is_err() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{program} is missing, and CI=true requires it"
            );
            eprintln!("skipped: {program} is missing");
            continue;
        }
        for (route, extra) in [("card.jpg", None), ("thumb", Some("w=300"))] {
            let mut command = Command::new(program);
            command.arg(format!("{docs}/{file}")).args([
                &format!("{}/", app.base),
                route,
                &article,
                key_id,
                secret,
            ]);
            command.args(extra);
            let out = command.output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let url = String::from_utf8(out.stdout).unwrap();
            let answer = app.client.get(url.trim()).send().await.unwrap();
            assert_eq!(answer.status(), 200, "{file}: {url}");
        }
    }
}
