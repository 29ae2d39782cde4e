//! Warm-up: cards made before the first crawler asks (X does not retry, `WhatsApp` gives up
//! quickly, Facebook keeps its first scrape). A job (`POST /warm`, `apercu warm`) takes article
//! URLs, feeds and sitemaps; every article gets what crawlers ask for — its metadata,
//! `/card.jpg` (and the other formats asked), the oEmbed JSON — through the service's own cache,
//! a few at a time, with one result per URL kept for `GET /warm/{id}`. Watched feeds
//! (`APERCU_WARM_FEEDS`) are read every `APERCU_WARM_INTERVAL`, and each item not seen before
//! is warmed, once for all the replicas that share a cache.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Semaphore;
use url::Url;

use crate::article_url::ArticleUrl;
use crate::card::Format;
use crate::feeds::{self, Listing};
use crate::oembed::{self, OembedFormat};
use crate::service::{Service, ServiceError};

/// Articles in one job, at most (a feed lists fewer; a sitemap index is capped here).
pub const MAX_ARTICLES: usize = feeds::MAX_URLS;
/// Sitemaps read for one job, at most, and how deep an index may nest.
const MAX_SITEMAPS: usize = 20;
const MAX_DEPTH: usize = 2;
/// Jobs remembered for `GET /warm/{id}`; the oldest is forgotten first.
const KEPT_JOBS: usize = 64;
/// A watched feed's item is warmed once in this long (for every replica sharing a cache).
const SEEN_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// What a job is asked to warm, as `POST /warm` takes it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Article URLs.
    #[serde(default)]
    pub urls: Vec<String>,
    /// Feeds (RSS, Atom, JSON Feed) and sitemaps (plain, news, indexes): one or several;
    /// `sitemap` is a synonym, the content decides.
    #[serde(default, deserialize_with = "one_or_many")]
    pub feed: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub sitemap: Vec<String>,
    /// Card formats to make: `jpg` (the default), `png`, `webp`.
    #[serde(default)]
    pub formats: Vec<String>,
    /// Whether to make the oEmbed JSON too (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oembed: Option<bool>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// Why a request cannot start a job.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("nothing to warm: give urls, feed or sitemap")]
    Empty,
    #[error("format {0:?} is not one of jpg, png, webp")]
    Format(String),
    #[error("more than {MAX_ARTICLES} URLs")]
    TooMany,
}

/// What a job makes for each article.
#[derive(Debug, Clone)]
pub struct Plan {
    pub formats: Vec<Format>,
    pub oembed: bool,
}

impl Request {
    /// The listings to read and what to make.
    ///
    /// # Errors
    /// [`RequestError`].
    pub fn plan(&self) -> Result<Plan, RequestError> {
        if self.urls.is_empty() && self.feed.is_empty() && self.sitemap.is_empty() {
            return Err(RequestError::Empty);
        }
        if self.urls.len() > MAX_ARTICLES || self.feed.len() + self.sitemap.len() > MAX_SITEMAPS {
            return Err(RequestError::TooMany);
        }
        let mut formats = Vec::new();
        for name in &self.formats {
            let format = match name.as_str() {
                "jpg" | "jpeg" => Format::Jpeg,
                "png" => Format::Png,
                "webp" => Format::Webp,
                other => return Err(RequestError::Format(other.chars().take(16).collect())),
            };
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        if formats.is_empty() {
            formats.push(Format::Jpeg);
        }
        Ok(Plan {
            formats,
            oembed: self.oembed.unwrap_or(true),
        })
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading the feeds and sitemaps.
    Listing,
    Warming,
    Done,
}

impl Phase {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Phase::Listing => "listing",
            Phase::Warming => "warming",
            Phase::Done => "done",
        }
    }
}

/// One URL's result: an article warmed, or a URL (article, feed or sitemap) that failed.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub url: String,
    /// What the URL was: `article`, or `listing` for a feed or sitemap.
    pub what: &'static str,
    pub result: Result<(), ServiceError>,
}

/// A job's state, as `GET /warm/{id}` shows it.
#[derive(Debug, Clone)]
pub struct Progress {
    pub phase: Phase,
    /// Articles to warm (known once listing is over).
    pub total: usize,
    pub outcomes: Vec<Outcome>,
    pub started: Instant,
    pub took: Option<Duration>,
}

/// A warm-up job.
#[derive(Debug)]
pub struct Job {
    pub id: String,
    progress: Mutex<Progress>,
}

impl Job {
    fn new(id: String) -> Self {
        Job {
            id,
            progress: Mutex::new(Progress {
                phase: Phase::Listing,
                total: 0,
                outcomes: Vec::new(),
                started: Instant::now(),
                took: None,
            }),
        }
    }

    /// Where the job stands now.
    #[must_use]
    pub fn progress(&self) -> Progress {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, outcome: Outcome) {
        self.lock().outcomes.push(outcome);
    }
}

/// The warm-up jobs of this replica.
#[derive(Debug)]
pub struct Warmer {
    service: Arc<Service>,
    jobs: Mutex<VecDeque<Arc<Job>>>,
    /// Articles warmed at once, all jobs and the watcher together: warm-up never takes more
    /// of the service than that, however many jobs are started.
    permits: Arc<Semaphore>,
}

impl Warmer {
    #[must_use]
    pub fn new(service: Arc<Service>, concurrency: usize) -> Self {
        Warmer {
            service,
            jobs: Mutex::default(),
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Starts a job in the background and gives it at once.
    ///
    /// # Errors
    /// [`RequestError`] when the request asks for nothing or too much.
    pub fn start(self: &Arc<Self>, request: &Request) -> Result<Arc<Job>, RequestError> {
        let plan = request.plan()?;
        let job = Arc::new(Job::new(new_id()));
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
            if jobs.len() == KEPT_JOBS {
                jobs.pop_front();
            }
            jobs.push_back(Arc::clone(&job));
        }
        let (this, running, request) = (Arc::clone(self), Arc::clone(&job), request.clone());
        tokio::spawn(async move { this.run(&request, &plan, &running).await });
        Ok(job)
    }

    /// The job `id`, while it is remembered.
    #[must_use]
    pub fn job(&self, id: &str) -> Option<Arc<Job>> {
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|job| job.id == id)
            .cloned()
    }

    /// Runs `job`: lists, then warms every article, sharing the warmer's permits.
    pub async fn run(&self, request: &Request, plan: &Plan, job: &Job) {
        let mut listings: Vec<String> = request.feed.clone();
        listings.extend(request.sitemap.iter().cloned());
        let mut articles = Vec::new();
        let mut take = |raw: &str| match self.service.article_url(raw) {
            Ok(url) => push_new(&mut articles, url),
            Err(error) => job.record(Outcome {
                url: raw.to_owned(),
                what: "article",
                result: Err(ServiceError::from(crate::fetch::FetchError::Url(error))),
            }),
        };
        for raw in &request.urls {
            take(raw);
        }
        for (url, result) in self.list(&listings).await {
            match result {
                Ok(found) => {
                    for article in &found {
                        take(article.as_str());
                    }
                }
                Err(error) => job.record(Outcome {
                    url,
                    what: "listing",
                    result: Err(error),
                }),
            }
        }
        articles.truncate(MAX_ARTICLES);
        {
            let mut progress = job.lock();
            progress.phase = Phase::Warming;
            progress.total = articles.len();
        }
        self.warm_all(articles, plan, |outcome| job.record(outcome))
            .await;
        let mut progress = job.lock();
        progress.phase = Phase::Done;
        progress.took = Some(progress.started.elapsed());
    }

    /// Warms `articles` as permits allow, telling `done` about each.
    async fn warm_all(&self, articles: Vec<ArticleUrl>, plan: &Plan, done: impl Fn(Outcome)) {
        let permits = &self.permits;
        let mut running = tokio::task::JoinSet::new();
        for url in articles {
            let Ok(permit) = Arc::clone(permits).acquire_owned().await else {
                break;
            };
            let (service, plan) = (Arc::clone(&self.service), plan.clone());
            running.spawn(async move {
                let result = warm_article(&service, &url, &plan).await;
                drop(permit);
                Outcome {
                    url: url.as_str().to_owned(),
                    what: "article",
                    result,
                }
            });
            while let Some(Ok(outcome)) = running.try_join_next() {
                done(outcome);
            }
        }
        while let Some(finished) = running.join_next().await {
            if let Ok(outcome) = finished {
                done(outcome);
            }
        }
    }

    /// The article URLs each listing names (a sitemap index read to [`MAX_DEPTH`], at most
    /// [`MAX_SITEMAPS`] sitemaps in all), or why it could not be read.
    async fn list(&self, listings: &[String]) -> Vec<(String, Result<Vec<Url>, ServiceError>)> {
        let mut results = Vec::new();
        let mut queue: VecDeque<(String, usize)> =
            listings.iter().map(|url| (url.clone(), 0)).collect();
        let mut read = 0;
        while let Some((raw, depth)) = queue.pop_front() {
            if read == MAX_SITEMAPS {
                break;
            }
            read += 1;
            let listed = match self.service.article_url(&raw) {
                Ok(url) => self.service.listing(&url).await,
                Err(error) => Err(ServiceError::from(crate::fetch::FetchError::Url(error))),
            };
            match listed {
                Ok(Listing::Articles(urls)) => results.push((raw, Ok(urls))),
                Ok(Listing::Sitemaps(urls)) if depth < MAX_DEPTH => {
                    queue.extend(urls.into_iter().map(|url| (url.to_string(), depth + 1)));
                }
                Ok(Listing::Sitemaps(_)) => results.push((
                    raw,
                    Err(ServiceError::Listing(feeds::FeedError::Unreadable(
                        "sitemap indexes nest too deep".to_owned(),
                    ))),
                )),
                Err(error) => results.push((raw, Err(error))),
            }
        }
        results
    }

    /// Reads `feeds` now and every `interval`, warming each item no replica sharing the cache
    /// has warmed in the last week. Runs until the process ends.
    pub async fn watch(self: Arc<Self>, feeds: Vec<String>, interval: Duration, plan: Plan) {
        loop {
            let mut fresh = Vec::new();
            for (listing, result) in self.list(&feeds).await {
                match result {
                    Ok(urls) => {
                        let articles = urls
                            .iter()
                            .filter_map(|url| self.service.article_url(url.as_str()).ok());
                        for article in articles {
                            let claim = format!("warm:{}", article.as_str());
                            if self.service.cache.claim_once(&claim, SEEN_FOR).await {
                                push_new(&mut fresh, article);
                            }
                        }
                    }
                    Err(error) => {
                        tracing::warn!(feed = %crate::logging::loggable(&listing), reason = %error, "watched feed not read");
                    }
                }
            }
            let count = fresh.len();
            if count > 0 {
                let started = Instant::now();
                let failed = Mutex::new(Vec::new());
                self.warm_all(fresh, &plan, |outcome| {
                    if let Err(error) = outcome.result {
                        tracing::info!(url = %crate::logging::loggable(&outcome.url), reason = %error, "not warmed");
                        failed.lock().unwrap_or_else(PoisonError::into_inner).push(outcome.url);
                    }
                })
                .await;
                // Tried again at the next reading (an item is often listed before its page is
                // up); a failure remembered by the cache keeps that cheap.
                for url in failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
                    self.service
                        .cache
                        .release_claim(&format!("warm:{url}"))
                        .await;
                }
                tracing::info!(articles = count, took = ?started.elapsed(), "warmed new items of the watched feeds");
            }
            tokio::time::sleep(interval).await;
        }
    }
}

/// What crawlers ask for about an article, made now (or found made): its metadata, its card in
/// each format, its oEmbed JSON.
///
/// # Errors
/// The first failure (the article's, usually).
pub async fn warm_article(
    service: &Arc<Service>,
    url: &ArticleUrl,
    plan: &Plan,
) -> Result<(), ServiceError> {
    service.meta(url).await?;
    for format in &plan.formats {
        service.card(url, *format, None).await?;
    }
    if plan.oembed {
        let size = (oembed::NATURAL_WIDTH, oembed::NATURAL_HEIGHT);
        service.oembed(url, OembedFormat::Json, size).await?;
    }
    service.metrics.warmed();
    Ok(())
}

fn push_new(urls: &mut Vec<ArticleUrl>, url: ArticleUrl) {
    if !urls.contains(&url) {
        urls.push(url);
    }
}

/// A job id: 64 random bits, as hex.
fn new_id() -> String {
    use std::hash::{BuildHasher, RandomState};
    format!("{:016x}", RandomState::new().hash_one(Instant::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> Result<Request, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn a_request_names_what_to_warm_and_what_to_make() {
        let plan = request(r#"{"urls":["https://news.example/a"]}"#)
            .unwrap()
            .plan()
            .unwrap();
        assert_eq!(plan.formats, [Format::Jpeg]);
        assert!(plan.oembed);
        let plan = request(
            r#"{"feed":"https://news.example/rss","formats":["png","webp","png"],"oembed":false}"#,
        )
        .unwrap()
        .plan()
        .unwrap();
        assert_eq!(plan.formats, [Format::Png, Format::Webp]);
        assert!(!plan.oembed);
        let several =
            request(r#"{"sitemap":["https://a.example/s.xml","https://b.example/s.xml"]}"#)
                .unwrap();
        assert_eq!(several.sitemap.len(), 2);
        assert_eq!(
            request("{}").unwrap().plan().unwrap_err(),
            RequestError::Empty
        );
        assert!(matches!(
            request(r#"{"urls":["x"],"formats":["gif"]}"#)
                .unwrap()
                .plan(),
            Err(RequestError::Format(_))
        ));
        assert!(request(r#"{"urls":[],"unknown":1}"#).is_err());
        let too_many = Request {
            urls: vec!["https://news.example/".to_owned(); MAX_ARTICLES + 1],
            ..Request::default()
        };
        assert_eq!(too_many.plan().unwrap_err(), RequestError::TooMany);
    }
}
