//! `apercu inspect URL` and `apercu render URL`: the binary, through the guarded pipeline.

use std::process::{Command, Output};

use crate::origin::start;

fn apercu(args: Vec<String>, exemption: Option<String>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apercu"));
    command
        .args(args)
        .env_remove("APERCU_ALLOW_ADDRESSES")
        .env_remove("APERCU_ALLOWED_HOSTS");
    if let Some(exemption) = exemption {
        command.env("APERCU_ALLOW_ADDRESSES", exemption);
    }
    command.output().unwrap()
}

async fn run(args: Vec<String>, exemption: Option<String>) -> Output {
    tokio::task::spawn_blocking(move || apercu(args, exemption))
        .await
        .unwrap()
}

/// `apercu render` of the origin's `path` into `out_file`, with the origin exempt; it succeeds.
async fn render(origin: &crate::origin::Origin, path: &str, out_file: &std::path::Path) -> Output {
    let args = vec![
        "render".into(),
        origin.url(path),
        "-o".into(),
        out_file.display().to_string(),
    ];
    let out = run(args, Some(origin.addr.to_string())).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_fetches_an_article_url() {
    let origin = start().await;
    let out = run(
        vec!["inspect".into(), origin.url("/article")],
        Some(origin.addr.to_string()),
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let article: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(article["title"], "Un article sur la boucle locale");
    assert_eq!(article["lead_image"]["url"], origin.url("/image/lead.jpg"));
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_says_an_image_is_not_an_html_page() {
    let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-photo.jpg");
    let out = run(vec!["inspect".into(), photo.into()], None).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not an HTML page: it looks like a JPEG image"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_exemption_loopback_is_refused_with_a_reason() {
    let origin = start().await;
    let out = run(vec!["inspect".into(), origin.url("/article")], None).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Without the exemption the origin's port is not even an allowed port.
    assert!(
        stderr.contains("port") || stderr.contains("loopback"),
        "{stderr}"
    );
    let out = run(vec!["inspect".into(), "http://127.0.0.1/".into()], None).await;
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn render_fetches_the_page_and_its_photo() {
    let origin = start().await;
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("card.jpg");
    render(&origin, "/article", &out_file).await;
    let card = image::open(&out_file).unwrap().into_rgb8();
    assert_eq!(card.dimensions(), (1200, 630));
    // The photo covers the card: the top-right corner is the photo's dusk sky, not the plain
    // template's flat background.
    let corner = card.get_pixel(1190, 10);
    assert_ne!(corner.0, [0x15, 0x17, 0x1c], "{corner:?}");
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn render_draws_the_sites_own_icon_as_the_service_does() {
    let origin = start().await;
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("card.png");
    render(&origin, "/article/icon", &out_file).await;
    let card = image::open(&out_file).unwrap().into_rgb8();
    assert_eq!(card.get_pixel(64 + 18, 546 + 18).0, [255, 136, 0]);
    assert_eq!(origin.hits("/image/icon.png"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn render_explain_prints_the_template_each_line_and_the_font_of_every_run() {
    let origin = start().await;
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("card.png");
    let args = vec![
        "render".into(),
        origin.url("/news/Donaudampfschifffahrtsgesellschaftskapitaensmuetze"),
        "-o".into(),
        out_file.display().to_string(),
        "--explain".into(),
    ];
    let out = run(args, Some(origin.addr.to_string())).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out_file.exists());
    let explained: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(explained["template"], "photo");
    let lines = explained["title"]["lines"].as_array().unwrap();
    assert!(lines.len() >= 2, "{explained}");
    // The compound is longer than a line: hyphenated, the hyphen shown.
    assert!(
        lines
            .iter()
            .any(|line| line["text"].as_str().unwrap().ends_with('-')),
        "{explained}"
    );
    for line in lines {
        let runs = line["runs"].as_array().unwrap();
        assert!(!runs.is_empty());
        assert!(
            runs.iter()
                .all(|run| run["font"].as_str().unwrap().starts_with("Noto Sans"))
        );
        assert!(line["width"].as_f64().unwrap() <= 1072.0);
    }
    assert!(explained["title"]["size"].as_f64().unwrap() >= 40.0);
    assert_eq!(explained["footer"]["lines"][0]["text"], "Le Quotidien");
    assert_eq!(explained["missing"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_theme_logo_that_cannot_be_read_is_left_out_as_the_service_leaves_it_out() {
    let origin = start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("logo.png"), b"not a picture").unwrap();
    let theme = dir.path().join("theme.toml");
    std::fs::write(&theme, "logo = \"logo.png\"\n").unwrap();
    let out_file = dir.path().join("card.png");
    let args = vec![
        "render".into(),
        origin.url("/article"),
        "-o".into(),
        out_file.display().to_string(),
        format!("--theme={}", theme.display()),
    ];
    let out = run(args, Some(origin.addr.to_string())).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("theme logo not used"), "{stderr}");
    assert!(image::open(&out_file).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_photo_on_a_blocked_address_is_never_fetched() {
    // docs/security.md B7: second-order SSRF through og:image; the card is drawn without it.
    let origin = start().await;
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("card.png");
    let out = render(&origin, "/article/canary-image", &out_file).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("lead photo not used"), "{stderr}");
    assert!(out_file.exists(), "{stderr}");
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_succeeds_only_against_a_running_service() {
    let app = crate::helpers::spawn_app().await;
    let healthy = run(
        vec!["healthcheck".into(), format!("--url={}/healthz", app.base)],
        None,
    )
    .await;
    assert!(
        healthy.status.success(),
        "{}",
        String::from_utf8_lossy(&healthy.stderr)
    );
    // A port nothing listens on (bound, then released).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = run(
        vec!["healthcheck".into(), format!("--listen={closed}")],
        None,
    )
    .await;
    assert!(!down.status.success());
    assert!(String::from_utf8_lossy(&down.stderr).contains("is not healthy"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_refuses_to_start_on_bad_settings_with_a_clear_message() {
    let empty = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            vec![
                "serve".to_owned(),
                format!("--fonts-dir={}", empty.path().display()),
                "--listen=127.0.0.1:0".to_owned(),
            ],
            "has no font files",
        ),
        (
            vec!["serve".to_owned(), "--cache-ttl=forever".to_owned()],
            "invalid value 'forever'",
        ),
        (
            vec!["serve".to_owned(), "--admin-token=short".to_owned()],
            "at least 16 characters",
        ),
        (
            vec![
                "serve".to_owned(),
                "--trusted-proxies=10.0.0.0/33".to_owned(),
            ],
            "neither an IP address nor a CIDR network",
        ),
        (
            vec![
                "serve".to_owned(),
                "--redis-url=http://:hunter2@redis.internal/".to_owned(),
            ],
            "must be a redis:// or rediss:// URL",
        ),
        (
            vec!["serve".to_owned(), "--redis-prefix=a{b}".to_owned()],
            "without spaces or braces",
        ),
    ] {
        let started = std::time::Instant::now();
        let out = run(args.clone(), None).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        // Secrets are refused without being repeated.
        assert!(!stderr.contains("hunter2"), "{stderr}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_prints_addresses_that_answer_without_the_network_and_a_token_that_purges() {
    let port = crate::process::free_port();
    let scratch = tempfile::tempdir().unwrap();
    let printed = scratch.path().join("demo.txt");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_apercu"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")]);
    let file = std::fs::File::create(&printed).unwrap();
    let _server = crate::process::Server::spawn_with_stdout(command, port, file.into()).await;
    let text = std::fs::read_to_string(&printed).unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    // The debugger (its home and the sample's report) and every answer.
    let urls: Vec<&str> = text
        .split_whitespace()
        .filter(|word| word.starts_with("http://127.0.0.1") && !word.contains("/purge"))
        .collect();
    assert!(urls.len() >= 7, "{text}");
    assert!(urls.iter().any(|url| url.contains("/?url=")), "{text}");
    for url in &urls {
        let response = client.get(*url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
    }
    let token = text
        .split("Bearer ")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let purge = text
        .split_whitespace()
        .find(|word| word.contains("/purge?url="))
        .unwrap()
        .trim_matches('\'');
    let purged = client.post(purge).bearer_auth(token).send().await.unwrap();
    assert_eq!(purged.status(), 200);
}
