//! What the service tests share: the real application on port 0 in front of the loopback
//! origin (its only exempt address), and small readers of answers and metrics.

use std::sync::Arc;

use apercu::cli::{Cli, Command};
use apercu::fetch::StaticDns;
use apercu::service::Service;
use apercu::startup::Application;
use clap::Parser;
use reqwest::StatusCode;

use crate::origin::{Origin, start};

pub struct TestApp {
    pub base: String,
    pub service: Arc<Service>,
    pub origin: Arc<Origin>,
    pub client: reqwest::Client,
}

impl TestApp {
    /// The service URL of `route` for the origin's `path`.
    pub fn url(&self, route: &str, path: &str) -> String {
        let article = self.origin.url(path);
        let encoded: String = url::form_urlencoded::byte_serialize(article.as_bytes()).collect();
        format!("{}{route}?url={encoded}", self.base)
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.client.get(url).send().await.unwrap()
    }

    /// The `/metrics` exposition text.
    pub async fn metrics(&self) -> String {
        let url = format!("{}/metrics", self.base);
        self.get(&url).await.text().await.unwrap()
    }

    pub fn counts(&self) -> (u64, u64, u64) {
        let metrics = &self.service.metrics;
        (
            metrics.page_fetches.get(),
            metrics.photo_fetches.get(),
            metrics.renders.get(),
        )
    }
}

/// Starts the origin and the application (on its own actix system thread, on port 0) with
/// `extra` settings; the origin's `IP:port` is exempt unless `exempt_origin` is false.
pub async fn spawn_app_with(exempt_origin: bool, extra: &[&str]) -> TestApp {
    spawn_app_on(Arc::new(start().await), exempt_origin, extra).await
}

/// The application in front of an `origin` that other instances may share.
pub async fn spawn_app_on(origin: Arc<Origin>, exempt_origin: bool, extra: &[&str]) -> TestApp {
    let mut args = vec!["apercu".to_owned(), "serve".into()];
    if !extra.iter().any(|arg| arg.starts_with("--listen")) {
        args.push("--listen=127.0.0.1:0".into());
    }
    if exempt_origin {
        args.push(format!("--allow-addresses={}", origin.addr));
    }
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let Some(Command::Serve(settings)) = Cli::try_parse_from(args).unwrap().command else {
        unreachable!("serve was asked for");
    };
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(&settings, Arc::new(StaticDns::default())).unwrap();
            let _ = sender.send((app.port(), app.service()));
            app.run_until_stopped().await
        })
    });
    let (port, service) = receiver.await.unwrap();
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        service,
        origin,
        client: reqwest::Client::builder().no_proxy().build().unwrap(),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(true, &[]).await
}

pub fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |value| value.to_str().unwrap())
}

pub async fn json(response: reqwest::Response) -> serde_json::Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

pub async fn error_code(response: reqwest::Response) -> String {
    assert_eq!(header(&response, "content-type"), "application/json");
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    body["error"]["code"].as_str().unwrap().to_owned()
}

/// Asks for every one of `urls` at the same moment: each must answer 200, all with the same
/// body.
pub async fn same_answer_at_once(urls: &[String]) {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let requests: Vec<_> = urls
        .iter()
        .map(|url| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let response = client.get(url).send().await.unwrap();
                (response.status(), response.bytes().await.unwrap())
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for request in requests {
        let (status, body) = request.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]));
}

/// The value of the sample `name{labels}` in an exposition text (0 when absent).
pub fn sample(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.parse().unwrap())
}
