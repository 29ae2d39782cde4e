//! Runs the extractor over a folder of saved pages (`<case>/source.html`, as in Mozilla
//! Readability's `test/test-pages`) and writes one `/meta` JSON per page (`<case>.json`), to be
//! compared with the corpus's expected values.
//!
//! ```text
//! cargo run --release --example extract_corpus -- <corpus folder> target/corpus/readability
//! ```
//!
//! Pages are read as their test suite reads them: with the URL `http://fakehost/test/page.html`
//! (override with `--base-url`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

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

fn run(corpus: &std::path::Path, out: &std::path::Path, base: &Url) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let mut cases: Vec<_> = std::fs::read_dir(corpus)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("source.html").is_file())
        .collect();
    cases.sort();
    let started = Instant::now();
    for case in &cases {
        let bytes = std::fs::read(case.join("source.html"))?;
        let article = apercu::extract::extract(&bytes, None, base);
        let name = case
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let json = serde_json::to_vec_pretty(&article).map_err(std::io::Error::other)?;
        std::fs::write(out.join(format!("{name}.json")), json)?;
    }
    eprintln!("{} pages in {:.1?}", cases.len(), started.elapsed());
    Ok(())
}
