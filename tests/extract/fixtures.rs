//! Every page in `tests/fixtures/articles/` beside its `*.expected.json`: `request` says how to
//! extract the page (`url`, optional `http_charset`, optional `today`: the day it is read on),
//! `article` lists the fields to check with their exact values in the `/meta` answer's form
//! (`sources` is checked key by key). One test runs them all and prints every mismatch.

use std::path::{Path, PathBuf};

use serde_json::Value;
use url::Url;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles")
}

fn check(expected_path: &Path) -> Vec<String> {
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(expected_path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
    let html_path = expected_path.with_file_name(
        expected_path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".expected.json", ".html"),
    );
    let bytes =
        std::fs::read(&html_path).unwrap_or_else(|e| panic!("{}: {e}", html_path.display()));
    let request = &spec["request"];
    let url =
        Url::parse(request["url"].as_str().expect("request.url")).expect("request.url parses");
    let charset = request["http_charset"].as_str();
    // The day the page is read on, as the service's clock gives it: fixed where it matters.
    let today = request["today"].as_str().map_or_else(
        || chrono::Utc::now().date_naive(),
        |d| d.parse().expect("request.today is a YYYY-MM-DD day"),
    );
    let article = apercu::extract::extract_as_of(&bytes, charset, &url, Some(today));
    let actual = serde_json::to_value(&article).unwrap();
    let name = html_path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut mismatches = Vec::new();
    for (field, want) in spec["article"].as_object().expect("article object") {
        if field == "sources" {
            for (source_field, want_source) in want.as_object().expect("sources object") {
                let got = &actual["sources"][source_field];
                if got != want_source {
                    mismatches.push(format!(
                        "{name}: sources.{source_field}: expected {want_source}, got {got}"
                    ));
                }
            }
        } else if &actual[field] != want {
            mismatches.push(format!(
                "{name}: {field}: expected {want}, got {}",
                actual[field]
            ));
        }
    }
    mismatches
}

#[test]
fn every_fixture_page_gives_its_expected_metadata() {
    let mut expected_files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    expected_files.sort();
    let mismatches: Vec<String> = expected_files.iter().flat_map(|p| check(p)).collect();
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        expected_files.len() >= 30,
        "only {} fixture pages",
        expected_files.len()
    );
}

#[test]
fn every_fixture_page_has_its_expectations() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            let expected = path.with_extension("expected.json");
            assert!(
                expected.is_file(),
                "{} has no {}",
                path.display(),
                expected.display()
            );
        }
    }
}
