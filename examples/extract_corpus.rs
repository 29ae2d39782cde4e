//! Runs the extractor over a folder of saved pages and writes one `/meta` JSON per page
//! (`<case>.json`), to be compared with the corpus's expected values. Two layouts:
//! `<case>/source.html`, as in Mozilla Readability's `test/test-pages`, read with the URL
//! `http://fakehost/test/page.html` as its test suite reads them (override with `--base-url`);
//! or ours, `<case>.html` beside `<case>.expected.json`, read with the URL the expectation's
//! `request.url` names (`tests/fixtures/articles`).
//!
//! ```text
//! cargo run --release --example extract_corpus -- <corpus folder> target/corpus/readability
//! cargo run --example extract_corpus -- tests/fixtures/articles target/corpus/fixtures
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use url::Url;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(corpus), Some(out)) = (
        args.next().map(PathBuf::from),
        args.next().map(PathBuf::from),
    ) else {
        eprintln!("usage: extract_corpus CORPUS_DIR OUT_DIR [--base-url URL]");
        return ExitCode::FAILURE;
    };
    let base = match (args.next().as_deref(), args.next()) {
        (Some("--base-url"), Some(url)) => url,
        _ => "http://fakehost/test/page.html".to_owned(),
    };
    let Ok(base) = Url::parse(&base) else {
        eprintln!("extract_corpus: --base-url is not a URL");
        return ExitCode::FAILURE;
    };
    if let Err(e) = run(&corpus, &out, &base) {
        eprintln!("extract_corpus: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// A page to extract: its name, its file, the URL it is read at, the charset its HTTP answer
/// named and the day it is read on (a fixture's `request.today`, else today, as the service).
struct Case {
    name: String,
    html: PathBuf,
    url: Url,
    charset: Option<String>,
    today: NaiveDate,
}

fn cases(corpus: &std::path::Path, base: &Url) -> std::io::Result<Vec<Case>> {
    let mut cases = Vec::new();
    for path in std::fs::read_dir(corpus)?
        .filter_map(Result::ok)
        .map(|e| e.path())
    {
        let file_name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.join("source.html").is_file() {
            cases.push(Case {
                name: file_name.into_owned(),
                html: path.join("source.html"),
                url: base.clone(),
                charset: None,
                today: chrono::Utc::now().date_naive(),
            });
        } else if let Some(name) = file_name.strip_suffix(".expected.json") {
            let expected: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path)?).map_err(std::io::Error::other)?;
            let url = expected["request"]["url"]
                .as_str()
                .and_then(|u| Url::parse(u).ok())
                .ok_or_else(|| std::io::Error::other(format!("{file_name}: no request.url")))?;
            cases.push(Case {
                name: name.to_owned(),
                html: path.with_file_name(format!("{name}.html")),
                url,
                charset: expected["request"]["http_charset"]
                    .as_str()
                    .map(str::to_owned),
                today: expected["request"]["today"]
                    .as_str()
                    .and_then(|d| d.parse().ok())
                    .unwrap_or_else(|| chrono::Utc::now().date_naive()),
            });
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

fn run(corpus: &std::path::Path, out: &std::path::Path, base: &Url) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let cases = cases(corpus, base)?;
    let started = Instant::now();
    for Case {
        name,
        html,
        url,
        charset,
        today,
    } in &cases
    {
        let bytes = std::fs::read(html)?;
        let article = apercu::extract::extract_as_of(&bytes, charset.as_deref(), url, Some(*today));
        let json = serde_json::to_vec_pretty(&article).map_err(std::io::Error::other)?;
        std::fs::write(out.join(format!("{name}.json")), json)?;
    }
    eprintln!("{} pages in {:.1?}", cases.len(), started.elapsed());
    Ok(())
}
