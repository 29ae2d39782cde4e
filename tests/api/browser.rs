//! The preview debugger in Debian's Chromium (`tests/browser/debugger.js`: playwright-core and
//! axe-core) and the HTML pages through the Nu HTML Checker (`vnu-jar`, run with Java). Each
//! test prints why it skips when a part is missing, and fails instead under `CI=true`. The
//! screenshots go to `target/browser/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::origin::{Origin, start};
use crate::process::Server;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// Whether a part a test needs is there; when it is not, the test skips (and says why), except
/// under `CI=true`, where it fails.
fn needed(present: bool, what: &str) -> bool {
    if present {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{what} is missing, and CI=true requires it (.ci/run installs it)"
    );
    eprintln!("skipped: {what} is missing");
    false
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn packages() -> PathBuf {
    Path::new(MANIFEST).join("tests/browser")
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|out| out.status.success())
}

fn encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn service(origin: &Origin) -> Server {
    Server::start(&[("APERCU_ALLOW_ADDRESSES", origin.addr.to_string())]).await
}

/// Runs `program` with `args` and `env` on a blocking thread; panics with its output on failure.
async fn run(program: &str, args: Vec<String>, env: Vec<(&'static str, String)>) -> String {
    let mut command = Command::new(program);
    command.args(args).envs(env);
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        out.status.success(),
        "{program} failed:\n{stdout}\n{stderr}"
    );
    format!("{stdout}{stderr}")
}

/// Whether Chromium, Node.js and the npm packages are there (else the test skips, or fails
/// under `CI=true`).
fn browser_present() -> bool {
    needed(chromium().exists(), "Chromium (apt-get install chromium)")
        && needed(runs("node", "--version"), "Node.js")
        && needed(
            packages().join("node_modules/playwright-core").exists()
                && packages().join("node_modules/axe-core").exists(),
            "playwright-core and axe-core (npm ci in tests/browser)",
        )
}

/// Runs `tests/browser/<script>` against the service at `base` on `cases` (written to
/// `target/browser/<name>.json`); its screenshots go to `target/browser/screenshots/`.
async fn in_chromium(script: &str, base: &str, cases: &serde_json::Value) -> String {
    let out_dir = Path::new(MANIFEST).join("target/browser");
    std::fs::create_dir_all(&out_dir).unwrap();
    let cases_file = out_dir.join(script.replace(".js", "-cases.json"));
    std::fs::write(&cases_file, serde_json::to_vec_pretty(cases).unwrap()).unwrap();
    run(
        "node",
        vec![packages().join(script).display().to_string()],
        vec![
            ("APERCU", base.to_owned()),
            ("CASES", cases_file.display().to_string()),
            (
                "SCREENSHOTS",
                out_dir.join("screenshots").display().to_string(),
            ),
            ("CHROMIUM", chromium().display().to_string()),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_chromium_each_platform_shows_its_cut_the_findings_are_exact_copy_works_and_axe_is_clean()
 {
    if !browser_present() {
        return;
    }
    let origin = start().await;
    let server = service(&origin).await;
    let page = |name: &str| format!("?url={}", encoded(&origin.url(&format!("/site/{name}"))));
    let long_title = |cut: &str| serde_json::Value::from(cut);
    let full = "Le gouvernement japonais annonce un plan de soutien massif aux centres de données \
                et à l'intelligence artificielle pour 2027";
    let cases = serde_json::json!([
        { "name": "home", "query": "" },
        {
            "name": "sample",
            "query": format!("?url={}", encoded(apercu::fetch::sample::ARTICLE)),
            "copy": "head-snippet",
            "texts": ["missing-og-image", "Tags for the page's head"],
        },
        {
            "name": "flawed",
            "query": page("flawed.html"),
            "findings": ["image-too-small", "image-size-undeclared", "tags-past-32kb"],
            "layouts": { "facebook": "text", "x": "text", "slack": "large", "whatsapp": "small" },
            "copy": "share-url",
        },
        {
            "name": "long-title",
            "query": page("long-title.html"),
            "findings": ["title-cut"],
            "titles": {
                "facebook": long_title("Le gouvernement japonais annonce un plan de soutien massif aux centres de données et à l'intelligence artific…"),
                "x": long_title("Le gouvernement japonais annonce un plan de soutien massif aux centre…"),
                "whatsapp": long_title("Le gouvernement japonais annonce un plan de soutien massif aux c…"),
                "google": long_title("Le gouvernement japonais annonce un plan de soutien massif aux…"),
                "linkedin": full,
                "slack": full,
                "discord": full,
                "telegram": full,
                "imessage": full,
                "mastodon": full,
            },
            "layouts": { "facebook": "large", "x": "large", "linkedin": "large", "google": "text" },
        },
        {
            "name": "japanese",
            "query": page("japanese.html"),
            "titles": {
                "x": "日本政府はデータセンターと人工知能への大規模な支援策を発表し二〇二七…",
                "whatsapp": "日本政府はデータセンターと人工知能への大規模な支援策を発表し二〇二七年までに三兆円を投じる方針を明らかにした",
            },
        },
        {
            "name": "refused",
            "query": format!("?url={}", encoded("http://10.0.0.1/private")),
            "status": 403,
            "texts": ["APERCU_ALLOW_ADDRESSES"],
        },
    ]);
    let said = in_chromium("debugger.js", &server.base, &cases).await;
    eprintln!("{said}");
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_chromium_an_embed_costs_one_request_never_shifts_shows_the_host_behind_its_corners_and_axe_is_clean()
 {
    if !browser_present() {
        return;
    }
    let origin = start().await;
    let server = service(&origin).await;
    let cases = serde_json::json!([
        { "name": "ltr", "url": origin.url("/article") },
        // With the site's icon in the footer.
        { "name": "icon", "url": origin.url("/article/icon") },
        // Hebrew, right to left, dated 2024-04-10: "10 באפריל 2024".
        { "name": "rtl", "url": origin.url("/article/rtl"), "date": "באפריל" },
    ]);
    let said = in_chromium("embed.js", &server.base, &cases).await;
    eprintln!("{said}");
    assert_eq!(origin.canary_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nu_html_checker_finds_no_error_in_the_debugger_embed_share_and_error_pages() {
    let jar = packages().join("node_modules/vnu-jar/build/dist/vnu.jar");
    if !needed(
        runs("java", "-version"),
        "Java (apt-get install default-jre-headless)",
    ) || !needed(jar.exists(), "vnu-jar (npm ci in tests/browser)")
    {
        return;
    }
    let origin = start().await;
    let server = service(&origin).await;
    let article = |name: &str| encoded(&origin.url(&format!("/site/{name}")));
    let sample = encoded(apercu::fetch::sample::ARTICLE);
    let pages = [
        ("debugger-home", "/".to_owned()),
        ("debugger-sample", format!("/?url={sample}")),
        (
            "debugger-flawed",
            format!("/?url={}", article("flawed.html")),
        ),
        (
            "debugger-hostile",
            format!("/?url={}", article("hostile.html")),
        ),
        (
            "debugger-refused",
            format!("/?url={}", encoded("http://10.0.0.1/")),
        ),
        ("embed", format!("/embed?url={sample}")),
        (
            "embed-icon",
            format!("/embed?url={}", encoded(&origin.url("/article/icon"))),
        ),
        (
            "embed-hostile",
            format!("/embed?url={}", article("hostile.html")),
        ),
        ("share", format!("/share?url={sample}")),
        (
            "error",
            format!("/embed?url={}", encoded("http://10.0.0.1/")),
        ),
    ];
    let dir = Path::new(MANIFEST).join("target/html-check");
    std::fs::create_dir_all(&dir).unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut files = Vec::new();
    for (name, path) in pages {
        let answer = client
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        let media_type = answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(media_type.starts_with("text/html"), "{name}: {media_type}");
        let file = dir.join(format!("{name}.html"));
        std::fs::write(&file, answer.bytes().await.unwrap()).unwrap();
        files.push(file.display().to_string());
    }
    let mut args = vec![
        "-jar".to_owned(),
        jar.display().to_string(),
        "--format".to_owned(),
        "json".to_owned(),
        "--stdout".to_owned(),
        "--exit-zero-always".to_owned(),
    ];
    args.extend(files);
    let said = run("java", args, Vec::new()).await;
    let json_start = said.find('{').expect("the checker's JSON");
    let report: serde_json::Value = serde_json::Deserializer::from_str(&said[json_start..])
        .into_iter()
        .next()
        .unwrap()
        .unwrap();
    let errors: Vec<String> = report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|message| message["type"] == "error" || message["subType"] == "fatal")
        .map(|message| {
            format!(
                "{} line {}: {}",
                message["url"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default(),
                message["lastLine"],
                message["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(origin.canary_hits(), 0);
}
