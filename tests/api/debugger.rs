//! The preview debugger (`GET /`, `/report.json`, `/debug/image`) and `apercu check` against
//! the fixture site on the loopback origin (`tests/fixtures/site/`).

use std::process::{Command, Output};

use crate::origin::{Origin, start};
use crate::process::Server;

/// The findings of a page, by code, with the `apercu check` exit status they give.
struct Case {
    page: &'static str,
    findings: &'static [&'static str],
    status: i32,
}

/// What each fixture page must be told, exactly.
const CASES: &[Case] = &[
    Case {
        page: "good.html",
        findings: &[],
        status: 0,
    },
    Case {
        page: "flawed.html",
        findings: &["image-too-small", "image-size-undeclared", "tags-past-32kb"],
        status: 1,
    },
    Case {
        page: "long-title.html",
        findings: &["title-cut"],
        status: 0,
    },
];

fn codes(report: &serde_json::Value) -> Vec<String> {
    let mut codes: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

fn sorted(codes: &[&str]) -> Vec<String> {
    let mut codes: Vec<String> = codes.iter().map(|code| (*code).to_owned()).collect();
    codes.sort();
    codes
}

async fn check(origin: &Origin, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apercu"));
    command
        .arg("check")
        .args(args)
        .env_remove("APERCU_ALLOWED_HOSTS")
        .env_remove("NO_COLOR")
        .env("APERCU_ALLOW_ADDRESSES", origin.addr.to_string());
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_each_pages_findings_and_fails_only_on_errors() {
    let origin = start().await;
    for case in CASES {
        let url = origin.url(&format!("/site/{}", case.page));
        let out = check(&origin, &[&url, "--format", "json"]).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(case.status),
            "{}: {stderr}",
            case.page
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(codes(&report), sorted(case.findings), "{}", case.page);

        let text = check(&origin, &[&url]).await;
        let text_out = String::from_utf8_lossy(&text.stdout);
        assert_eq!(text.status.code(), Some(case.status));
        for code in case.findings {
            assert!(text_out.contains(code), "{}: {text_out}", case.page);
        }
        // Not a terminal: no colour codes for logs and files.
        assert!(!text_out.contains('\u{1b}'), "{text_out}");
    }
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reads_a_saved_template_against_its_base_url_and_can_stay_offline() {
    let origin = start().await;
    let template = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/site/flawed.html"
    );
    let base = origin.url("/site/flawed.html");
    // The file's {{origin}} placeholders are not URLs: og:image resolves against the base URL.
    let out = check(&origin, &[template, "--base-url", &base, "--offline"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("tags-past-32kb"), "{text}");
    assert!(text.contains("0 errors"), "{text}");

    let missing = check(&origin, &["/no/such/file.html"]).await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
    assert_eq!(origin.hits("/site/img/190x100.jpg"), 0);
}

async fn service(origin: &Origin) -> Server {
    Server::start(&[("APERCU_ALLOW_ADDRESSES", origin.addr.to_string())]).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn report_url(server: &Server, article: &str) -> String {
    let article: String = url::form_urlencoded::byte_serialize(article.as_bytes()).collect();
    format!("{}/?url={article}", server.base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_as_data_has_every_preview_tag_and_finding_and_the_page_is_fetched_once() {
    let origin = start().await;
    let server = service(&origin).await;
    let article = origin.url("/site/flawed.html");
    let answer = client()
        .get(report_url(&server, &article))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["vary"], "Accept");
    let report: serde_json::Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_eq!(
        codes(&report),
        sorted(&["image-too-small", "image-size-undeclared", "tags-past-32kb"])
    );
    assert_eq!(report["previews"].as_array().unwrap().len(), 10);
    assert_eq!(report["with_apercu"].as_array().unwrap().len(), 10);
    let late = report["tags"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tag| tag["key"] == "og:description")
        .unwrap();
    assert!(late["offset"].as_u64().unwrap() > 32 * 1024);
    assert_eq!(report["article"]["sources"]["title"], "og");
    let slack = &report["previews"][3];
    assert_eq!(slack["platform"], "slack");
    assert!(
        slack["description"].is_null(),
        "Slack does not read past 32 KB"
    );
    assert_eq!(
        report["images"][0]["measured"]["width"], 190,
        "{:#}",
        report["images"]
    );
    assert_eq!(report["apercu"]["cards"].as_array().unwrap().len(), 3);
    // Why the card looks as it does: the same explanation as `apercu render --explain`.
    let layout = &report["apercu"]["layout"];
    assert!(
        ["photo", "plain"].contains(&layout["template"].as_str().unwrap()),
        "{layout}"
    );
    let title = report["article"]["title"].as_str().unwrap();
    let lines: Vec<&str> = layout["title"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["text"].as_str().unwrap())
        .collect();
    assert_eq!(lines.join(" "), title, "{layout}");
    assert!(layout["title"]["lines"][0]["runs"][0]["font"].is_string());
    assert!(
        report["apercu"]["head"]
            .as_str()
            .unwrap()
            .contains("og:image:width")
    );

    // The same report as /report.json, and "fetch again" within the minute: one page fetch.
    let json = client()
        .get(format!(
            "{}/report.json?url={}",
            server.base,
            url::form_urlencoded::byte_serialize(article.as_bytes()).collect::<String>()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 200);
    assert_eq!(json.headers()["access-control-allow-origin"], "*");
    let again = client()
        .get(format!("{}&again=1", report_url(&server, &article)))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let page = again.text().await.unwrap();
    assert!(page.contains("reads the page again in"));
    assert!(page.contains("How the card is laid out"));
    assert!(page.contains(&format!(">{}</td>", lines[0])), "{page}");
    assert_eq!(origin.hits("/site/flawed.html"), 1);
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_debugger_page_is_strictly_confined_and_proxies_only_the_images_it_reports() {
    let origin = start().await;
    let server = service(&origin).await;
    let home = client()
        .get(format!("{}/", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200);
    let policy = home.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'sha256-",
        "style-src 'sha256-",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    let page = home.text().await.unwrap();
    assert!(page.contains("name=\"url\""));
    assert!(page.contains("sample.apercu.invalid"), "the sample link");
    assert!(!has_event_handler(&page), "no inline event handlers");

    let article = origin.url("/site/good.html");
    let report = client()
        .get(report_url(&server, &article))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), 200);
    let html = report.text().await.unwrap();
    let image = origin.url("/site/img/1200x630.jpg");
    let encoded = |value: &str| -> String {
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
    };
    let proxied = format!(
        "debug/image?url={}&src={}",
        encoded(&article),
        encoded(&image)
    );
    assert!(
        html.contains(&proxied.replace('&', "&amp;"))
            || html.contains(&proxied.replace('&', "&#38;")),
        "the page shows its image from here"
    );
    let picture = client()
        .get(format!("{}/{proxied}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status(), 200);
    assert_eq!(picture.headers()["content-type"], "image/jpeg");
    // Anything else is refused: the debugger is not an open image proxy.
    let elsewhere = origin.url("/image/lead.jpg");
    let refused = client()
        .get(format!(
            "{}/debug/image?url={}&src={}",
            server.base,
            encoded(&article),
            encoded(&elsewhere)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    assert_eq!(origin.hits("/image/lead.jpg"), 0);

    // A refused URL is said under the form, with the route's status.
    let blocked = client()
        .get(report_url(&server, "http://10.0.0.1/private"))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), 403);
    assert!(blocked.headers().contains_key("content-security-policy"));
    let text = blocked.text().await.unwrap();
    assert!(text.contains("APERCU_ALLOW_ADDRESSES"), "{text}");
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatever_a_page_puts_in_its_tags_the_report_shows_it_as_text() {
    let origin = start().await;
    let server = service(&origin).await;
    let article = origin.url("/site/hostile.html");
    let html = client()
        .get(report_url(&server, &article))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("<script>alert"),
        "a script from the page was let through"
    );
    assert!(
        !html.contains("<img src=x"),
        "markup from the page was let through"
    );
    assert!(html.contains("&lt;script&gt;alert") || html.contains("&#60;script&#62;alert"));
    for attribute in ["href=\"javascript:", "src=\"javascript:"] {
        assert!(!html.contains(attribute), "a javascript: URL became a link");
    }
    assert!(!has_event_handler(&html));
}

/// Whether `html` has an attribute such as `onclick=` or `onerror=` in a tag.
fn has_event_handler(html: &str) -> bool {
    html.split('<').skip(1).any(|tag| {
        let tag = tag.split('>').next().unwrap_or_default();
        tag.split_whitespace().skip(1).any(|attribute| {
            let name = attribute.split('=').next().unwrap_or_default();
            attribute.contains('=') && name.len() > 2 && name.starts_with("on")
        })
    })
}
