//! The shared tier: the one place that talks to Redis. Entries every replica reads and writes,
//! a lock per key so one replica computes what all of them need, purge generations and
//! announcements that reach every replica, and a breaker that lets a replica run alone while
//! Redis is away. Every call has a deadline; a call that fails or times out is a miss, never an
//! error for the client.
//!
//! Redis keys of one article share a hash tag (`{…}`: a hash of its URL), so an article's
//! entries, lock, index and generation live together (one slot, were the server a cluster):
//!
//! ```text
//! <prefix>v1:{<url hash>}:val:<kind>:<variant>    an entry (see `envelope`)
//! <prefix>v1:{<url hash>}:err:<kind>:<variant>    a remembered failure
//! <prefix>v1:{<url hash>}:lock:<kind>:<variant>   who computes it now (a random token)
//! <prefix>v1:{<url hash>}:gen                     the purge generation
//! <prefix>v1:{<url hash>}:idx                     the article's entry keys, for purges
//! <prefix>v1:purge  <prefix>v1:ack  <prefix>v1:ready   the channels
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use redis::aio::{ConnectionManager, ConnectionManagerConfig, PubSubStream};
use redis::{RedisResult, Script, Value};
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, mpsc};

use super::Key;
use super::breaker::{Breaker, Change};
use super::envelope::{Entry, Envelope};
use crate::metrics::Metrics;

/// Bump when the naming above changes.
const NAMING: &str = "v1";

/// How long a lock lives unless its holder renews it: the longest a replica that died while
/// computing can delay the others.
pub const LOCK_TTL: Duration = Duration::from_secs(3);
/// How often a holder renews its lock.
pub const LOCK_RENEWAL: Duration = Duration::from_secs(1);
/// How long a purge waits for every replica to say it has dropped the article.
pub const PURGE_ACK_WAIT: Duration = Duration::from_secs(2);
/// How long purge generations are kept: longer than any entry lives.
const GENERATION_TTL: Duration = Duration::from_secs(40 * 24 * 60 * 60);
/// A connection attempt's deadline (the per-call deadline is the setting).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// The largest announcement read from a channel.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// How to reach Redis and what to put there.
#[derive(Debug, Clone)]
pub struct SharedSettings {
    /// A `redis://` or `rediss://` URL (it may hold a password: never logged).
    pub url: String,
    /// Put before every key and channel, so several deployments can share one Redis.
    pub prefix: String,
    /// The deadline of every call.
    pub timeout: Duration,
    /// Entries larger than this stay in the replica's own cache only.
    pub max_value_bytes: usize,
    /// Entries written by a release with another value are ignored.
    pub layout: u32,
}

/// Why the shared tier did not answer. Never shown to clients: the replica runs alone instead.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Down {
    #[error("skipped: the breaker is open")]
    Skipped,
    #[error("no answer within the deadline")]
    Timeout,
    #[error("{0}")]
    Failed(String),
}

/// The names of one entry's keys.
#[derive(Debug, Clone)]
pub struct Names {
    pub value: String,
    pub failure: String,
    pub lock: String,
    pub generation: String,
    pub index: String,
}

/// Whether a lookup took the lock.
#[derive(Debug)]
pub enum Lock {
    NotTried,
    Acquired(String),
    Held,
}

/// What Redis holds for one key, checked.
#[derive(Debug)]
pub struct Found {
    pub value: Option<Envelope>,
    pub failure: Option<Envelope>,
    pub generation: u64,
    pub lock: Lock,
}

/// What a store did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Kept,
    /// The article was purged since the computation began: nothing was written.
    Superseded,
    /// Larger than the value cap: kept by this replica only.
    TooLarge,
}

/// A purge as announced to every replica.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Announcement {
    pub id: String,
    pub from: String,
    pub urls: Vec<String>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Ack {
    id: String,
    from: String,
}

/// What a purge reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedPurge {
    /// Shared entries deleted.
    pub deleted: u64,
    /// Replicas that were listening when it was announced.
    pub replicas: u64,
    /// Replicas that said they had dropped the article's entries.
    pub confirmed: u64,
}

static LOOKUP: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local value = redis.call('GET', KEYS[1])
local failure = redis.call('GET', KEYS[2])
local generation = redis.call('GET', KEYS[3]) or '0'
local lock = 0
if ARGV[3] == '1' and not value and not failure then
  if redis.call('SET', KEYS[4], ARGV[1], 'NX', 'PX', ARGV[2]) then lock = 1 else lock = 2 end
end
return {value, failure, generation, lock}
",
    )
});

static TRY_LOCK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local generation = redis.call('GET', KEYS[2]) or '0'
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, generation} end
return {2, generation}
",
    )
});

/// Writes an entry unless its article was purged since (the generation moved on), indexes it
/// for purges, drops a remembered failure when a value arrives, releases the writer's lock and
/// tells waiting replicas.
static STORE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local stored = 0
if (redis.call('GET', KEYS[2]) or '0') == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  if ARGV[6] == '1' then redis.call('DEL', KEYS[5]) end
  redis.call('SADD', KEYS[3], KEYS[1])
  if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[3], ARGV[2]) end
  stored = 1
end
if ARGV[4] ~= '' and redis.call('GET', KEYS[4]) == ARGV[4] then redis.call('DEL', KEYS[4]) end
redis.call('PUBLISH', ARGV[5], ARGV[7])
return stored
",
    )
});

static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
",
    )
});

static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
",
    )
});

/// Moves the article to a new generation (so nothing computed before can be stored) and
/// deletes every entry it indexed.
static PURGE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local deleted = 0
for _, key in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  deleted = deleted + redis.call('DEL', key)
end
redis.call('DEL', KEYS[2])
return deleted
",
    )
});

/// Unix milliseconds now.
#[must_use]
pub fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Replicas waiting for a key another replica computes, woken by its `ready` announcement.
#[derive(Debug, Default)]
struct Waiters(Mutex<HashMap<String, Weak<Notify>>>);

impl Waiters {
    fn register(&self, name: &str) -> Arc<Notify> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(notify) = map.get(name).and_then(Weak::upgrade) {
            return notify;
        }
        if map.len() >= 1024 {
            map.retain(|_, notify| notify.strong_count() > 0);
        }
        let notify = Arc::new(Notify::new());
        map.insert(name.to_owned(), Arc::downgrade(&notify));
        notify
    }

    fn wake(&self, name: &str) {
        let notify = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .and_then(Weak::upgrade);
        if let Some(notify) = notify {
            notify.notify_waiters();
        }
    }
}

/// The connection to Redis and everything known about its state.
pub struct SharedTier {
    client: redis::Client,
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    max_value_bytes: usize,
    layout: u32,
    /// This replica's name in announcements and lock tokens (random per process).
    replica: String,
    tokens: AtomicU64,
    breaker: Mutex<Breaker>,
    /// Woken when the breaker opens.
    opened: Notify,
    subscribed: AtomicBool,
    waiters: Waiters,
    /// Purges waiting for acknowledgements, by announcement id.
    acks: Mutex<HashMap<String, mpsc::UnboundedSender<String>>>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for SharedTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedTier")
            .field("prefix", &self.prefix)
            .field("replica", &self.replica)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Whether the client library accepts `url` (no connection is made).
///
/// # Errors
/// Why it does not, without the URL (which may hold a password).
pub fn check_url(url: &str) -> Result<(), String> {
    redis::Client::open(url)
        .map(drop)
        .map_err(|e| format!("not usable as a Redis URL ({})", e.kind_text()))
}

/// Why the shared tier cannot be set up (a URL the client library refuses).
#[derive(Debug, thiserror::Error)]
#[error("APERCU_REDIS_URL cannot be used: {0}")]
pub struct SetupError(String);

impl SharedTier {
    /// Prepares the tier without connecting: Redis may come later, and the replica runs alone
    /// until it does.
    ///
    /// # Errors
    /// The URL is refused by the client library.
    pub fn new(settings: &SharedSettings, metrics: Arc<Metrics>) -> Result<Self, SetupError> {
        let client =
            redis::Client::open(settings.url.as_str()).map_err(|e| SetupError(e.kind_text()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(None)
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| SetupError(e.kind_text()))?;
        let replica = {
            use std::hash::{BuildHasher, RandomState};
            let state = RandomState::new();
            format!(
                "{:016x}{:08x}",
                state.hash_one((std::process::id(), wall_ms())),
                std::process::id()
            )
        };
        Ok(SharedTier {
            client,
            connection,
            prefix: settings.prefix.clone(),
            timeout: settings.timeout,
            max_value_bytes: settings.max_value_bytes,
            layout: settings.layout,
            replica,
            tokens: AtomicU64::new(0),
            breaker: Mutex::default(),
            opened: Notify::new(),
            subscribed: AtomicBool::new(false),
            waiters: Waiters::default(),
            acks: Mutex::default(),
            metrics,
        })
    }

    #[must_use]
    pub fn replica(&self) -> &str {
        &self.replica
    }

    #[must_use]
    pub fn layout(&self) -> u32 {
        self.layout
    }

    #[must_use]
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Whether the replica is part of the cluster now: Redis answers and announcements arrive.
    #[must_use]
    pub fn is_up(&self) -> bool {
        self.breaker().is_closed() && self.subscribed.load(Ordering::SeqCst)
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn channel(&self, name: &str) -> String {
        format!("{}{NAMING}:{name}", self.prefix)
    }

    /// The key base of an article: prefix, naming version and the hash tag of its URL.
    fn article_base(&self, url: &str) -> String {
        let digest = Sha256::digest(url.as_bytes());
        let mut tag = String::with_capacity(32);
        for byte in &digest[..16] {
            use std::fmt::Write as _;
            let _ = write!(tag, "{byte:02x}");
        }
        format!("{}{NAMING}:{{{tag}}}", self.prefix)
    }

    #[must_use]
    pub fn names(&self, key: &Key) -> Names {
        let base = self.article_base(key.url());
        let entry = format!("{}:{}", key.kind.name(), key.variant());
        Names {
            value: format!("{base}:val:{entry}"),
            failure: format!("{base}:err:{entry}"),
            lock: format!("{base}:lock:{entry}"),
            generation: format!("{base}:gen"),
            index: format!("{base}:idx"),
        }
    }

    /// Runs one Redis call under the breaker and the deadline, counted by outcome.
    async fn call<T>(
        &self,
        op: &'static str,
        call: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, Down> {
        if !self.breaker().is_closed() {
            self.metrics.redis_operation(op, "skipped", None);
            return Err(Down::Skipped);
        }
        let started = Instant::now();
        let result = tokio::time::timeout(self.timeout, call).await;
        let took = started.elapsed();
        let (outcome, result) = match result {
            Ok(Ok(value)) => ("ok", Ok(value)),
            Ok(Err(error)) => ("error", Err(Down::Failed(error.to_string()))),
            Err(_) => ("timeout", Err(Down::Timeout)),
        };
        self.metrics.redis_operation(op, outcome, Some(took));
        match &result {
            Ok(_) => {
                self.breaker().succeeded();
            }
            Err(reason) => {
                let change = self.breaker().failed(Instant::now());
                tracing::debug!(op, %reason, "shared cache call failed");
                if change == Change::Opened {
                    tracing::warn!(%reason, "shared cache unreachable: this replica runs alone until it answers again");
                    self.metrics.redis_breaker(true);
                    self.opened.notify_one();
                }
            }
        }
        result
    }

    /// Claims `what` for `ttl` (`SET NX PX`): `true` for the first replica that asks; the
    /// claim is kept for `ttl` whatever happens to it.
    ///
    /// # Errors
    /// `Down` when Redis does not answer in time.
    pub async fn claim(&self, what: &str, ttl: Duration) -> Result<bool, Down> {
        let mut connection = self.connection.clone();
        let mut command = redis::cmd("SET");
        command
            .arg(self.claim_key(what))
            .arg(self.replica())
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl));
        let answer: Value = self
            .call("claim", command.query_async(&mut connection))
            .await?;
        Ok(!matches!(answer, Value::Nil))
    }

    /// Gives up the claim on `what`, whoever holds it: the next to ask gets it.
    ///
    /// # Errors
    /// `Down` when Redis does not answer in time.
    pub async fn unclaim(&self, what: &str) -> Result<(), Down> {
        let mut connection = self.connection.clone();
        let mut command = redis::cmd("DEL");
        command.arg(self.claim_key(what));
        let _: Value = self
            .call("unclaim", command.query_async(&mut connection))
            .await?;
        Ok(())
    }

    fn claim_key(&self, what: &str) -> String {
        let digest = Sha256::digest(what.as_bytes());
        let mut name = format!("{}{NAMING}:claim:", self.prefix);
        for byte in &digest[..16] {
            use std::fmt::Write as _;
            let _ = write!(name, "{byte:02x}");
        }
        name
    }

    /// Waits until the breaker opens.
    pub async fn opened(&self) {
        self.opened.notified().await;
    }

    /// How long until the next probe may run; `None` when the breaker is closed.
    #[must_use]
    pub fn probe_in(&self) -> Option<Duration> {
        self.breaker().probe_in(Instant::now())
    }

    /// Asks Redis whether it is back (while the breaker is open); a success closes the
    /// breaker and is reported as [`Change::Closed`].
    pub async fn probe(&self) -> Change {
        let mut connection = self.connection.clone();
        let started = Instant::now();
        let command = redis::cmd("PING");
        let ping = command.query_async::<String>(&mut connection);
        let answered = matches!(tokio::time::timeout(self.timeout, ping).await, Ok(Ok(_)));
        let outcome = if answered { "ok" } else { "error" };
        self.metrics
            .redis_operation("probe", outcome, Some(started.elapsed()));
        let change = if answered {
            self.breaker().succeeded()
        } else {
            self.breaker().failed(Instant::now())
        };
        if change == Change::Closed {
            tracing::info!("shared cache answers again: sharing resumes");
            self.metrics.redis_breaker(false);
        }
        change
    }

    /// A lock token: this replica's name and a counter, never reused by anyone.
    fn token(&self) -> String {
        format!(
            "{}-{}",
            self.replica,
            self.tokens.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// What Redis holds for `key` (checked), the article's generation, and, when nothing is
    /// held and `lock` is asked for, the lock.
    ///
    /// # Errors
    /// [`Down`] when Redis cannot be asked.
    pub async fn lookup(&self, names: &Names, key: &Key, lock: bool) -> Result<Found, Down> {
        let token = self.token();
        let mut invocation = LOOKUP.prepare_invoke();
        invocation
            .key(&names.value)
            .key(&names.failure)
            .key(&names.generation)
            .key(&names.lock)
            .arg(&token)
            .arg(millis(LOCK_TTL))
            .arg(if lock { "1" } else { "0" });
        let mut connection = self.connection.clone();
        let reply: Value = self
            .call("lookup", invocation.invoke_async(&mut connection))
            .await?;
        let Value::Array(mut fields) = reply else {
            return Err(Down::Failed("unexpected lookup reply".to_owned()));
        };
        if fields.len() != 4 {
            return Err(Down::Failed("unexpected lookup reply".to_owned()));
        }
        let lock = match integer(&fields[3]) {
            Some(1) => Lock::Acquired(token),
            Some(2) => Lock::Held,
            _ => Lock::NotTried,
        };
        let generation = integer(&fields[2]).unwrap_or(0);
        let now = wall_ms();
        let open = |field: Value, entry: Entry| -> Option<Envelope> {
            let bytes = match field {
                Value::BulkString(bytes) => Bytes::from(bytes),
                _ => return None,
            };
            match Envelope::open(&bytes, key.as_str(), entry, self.layout, now) {
                // Made before the article's last purge: as good as deleted.
                Ok(envelope) if envelope.generation != generation => None,
                Ok(envelope) => Some(envelope),
                Err(refused) => {
                    self.refused(key, refused);
                    None
                }
            }
        };
        let failure = open(fields.swap_remove(1), Entry::Failure);
        let value = open(fields.swap_remove(0), Entry::Value);
        Ok(Found {
            value,
            failure,
            generation,
            lock,
        })
    }

    /// Counts and logs an entry that did not pass the checks.
    pub fn refused(&self, key: &Key, why: impl std::fmt::Display) {
        self.metrics.shared_lookup(key.kind.name(), "refused");
        tracing::warn!(kind = key.kind.name(), reason = %why, "shared cache entry ignored");
    }

    /// Takes the lock of `names` if nobody holds it; with the article's generation.
    ///
    /// # Errors
    /// [`Down`] when Redis cannot be asked.
    pub async fn try_lock(&self, names: &Names) -> Result<(Option<String>, u64), Down> {
        let token = self.token();
        let mut invocation = TRY_LOCK.prepare_invoke();
        invocation
            .key(&names.lock)
            .key(&names.generation)
            .arg(&token)
            .arg(millis(LOCK_TTL));
        let mut connection = self.connection.clone();
        let reply: Value = self
            .call("lock", invocation.invoke_async(&mut connection))
            .await?;
        match reply {
            Value::Array(fields) if fields.len() == 2 => {
                let generation = integer(&fields[1]).unwrap_or(0);
                Ok((
                    (integer(&fields[0]) == Some(1)).then_some(token),
                    generation,
                ))
            }
            _ => Err(Down::Failed("unexpected lock reply".to_owned())),
        }
    }

    /// Writes `envelope` (a value or a failure) unless the article was purged since
    /// `generation`, and releases `token`'s lock.
    ///
    /// # Errors
    /// [`Down`] when Redis cannot be asked.
    pub async fn store(
        &self,
        names: &Names,
        envelope: &Envelope,
        token: Option<&str>,
    ) -> Result<Stored, Down> {
        let sealed = envelope.seal();
        if sealed.len() > self.max_value_bytes {
            self.metrics.redis_operation("store", "too-large", None);
            if let Some(token) = token {
                self.release(names, token).await;
            }
            return Ok(Stored::TooLarge);
        }
        let ttl = envelope.keep_until.saturating_sub(wall_ms()).max(1);
        let target = match envelope.entry {
            Entry::Value => &names.value,
            Entry::Failure => &names.failure,
        };
        let mut invocation = STORE.prepare_invoke();
        invocation
            .key(target)
            .key(&names.generation)
            .key(&names.index)
            .key(&names.lock)
            .key(&names.failure)
            .arg(sealed)
            .arg(ttl)
            .arg(envelope.generation)
            .arg(token.unwrap_or(""))
            .arg(self.channel("ready"))
            .arg(if envelope.entry == Entry::Value {
                "1"
            } else {
                "0"
            })
            .arg(&names.value);
        let mut connection = self.connection.clone();
        let stored: i64 = self
            .call("store", invocation.invoke_async(&mut connection))
            .await?;
        Ok(if stored == 1 {
            Stored::Kept
        } else {
            Stored::Superseded
        })
    }

    /// Gives up `token`'s lock without writing anything, and tells waiting replicas to look
    /// again (one of them takes over).
    pub async fn release(&self, names: &Names, token: &str) {
        let mut invocation = RELEASE.prepare_invoke();
        invocation
            .key(&names.lock)
            .arg(token)
            .arg(self.channel("ready"))
            .arg(&names.value);
        let mut connection = self.connection.clone();
        let _ = self
            .call::<i64>("release", invocation.invoke_async(&mut connection))
            .await;
    }

    /// Extends `token`'s lock; `false` once it is no longer ours (expired, or purged).
    pub async fn renew(&self, names: &Names, token: &str) -> bool {
        let mut invocation = RENEW.prepare_invoke();
        invocation.key(&names.lock).arg(token).arg(millis(LOCK_TTL));
        let mut connection = self.connection.clone();
        matches!(
            self.call::<i64>("renew", invocation.invoke_async(&mut connection))
                .await,
            Ok(1)
        )
    }

    /// A notification that `names`' value (or failure) was written or given up.
    #[must_use]
    pub fn waiter(&self, names: &Names) -> Arc<Notify> {
        self.waiters.register(&names.value)
    }

    /// Deletes every shared entry of `url` and moves it to a new generation.
    async fn delete_article(&self, url: &str) -> Result<u64, Down> {
        let base = self.article_base(url);
        let mut invocation = PURGE.prepare_invoke();
        invocation
            .key(format!("{base}:gen"))
            .key(format!("{base}:idx"))
            .arg(millis(GENERATION_TTL));
        let mut connection = self.connection.clone();
        self.call("purge", invocation.invoke_async(&mut connection))
            .await
    }

    /// Purges `urls` everywhere: their shared entries are deleted, every listening replica is
    /// told to drop its own copies, and, once they all said they did (or [`PURGE_ACK_WAIT`]
    /// passed), the shared entries are deleted again — whatever a replica made from its old
    /// copies before it heard of the purge is gone too, and whatever it was still making
    /// cannot be stored (the generation moved on twice).
    ///
    /// # Errors
    /// [`Down`] when Redis cannot be asked.
    pub async fn purge(&self, urls: &[String]) -> Result<SharedPurge, Down> {
        let mut deleted = 0;
        for url in urls {
            deleted += self.delete_article(url).await?;
        }
        let announcement = Announcement {
            id: self.token(),
            from: self.replica.clone(),
            urls: urls.to_vec(),
        };
        let (sender, mut receiver) = mpsc::unbounded_channel();
        self.acks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(announcement.id.clone(), sender);
        let replicas = match self.publish("purge", &announcement).await {
            Ok(replicas) => replicas,
            Err(down) => {
                self.forget_acks(&announcement.id);
                return Err(down);
            }
        };
        let mut confirmed = HashSet::new();
        let deadline = tokio::time::Instant::now() + PURGE_ACK_WAIT;
        while (confirmed.len() as u64) < replicas {
            match tokio::time::timeout_at(deadline, receiver.recv()).await {
                Ok(Some(from)) => {
                    confirmed.insert(from);
                }
                Ok(None) | Err(_) => break,
            }
        }
        self.forget_acks(&announcement.id);
        for url in urls {
            deleted += self.delete_article(url).await?;
        }
        Ok(SharedPurge {
            deleted,
            replicas,
            confirmed: confirmed.len() as u64,
        })
    }

    fn forget_acks(&self, id: &str) {
        self.acks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
    }

    /// Says that this replica applied announcement `id`.
    pub async fn acknowledge(&self, id: &str) {
        let ack = Ack {
            id: id.to_owned(),
            from: self.replica.clone(),
        };
        let _ = self.publish("ack", &ack).await;
    }

    /// Announces `message` (as JSON) on `channel`; says how many replicas were listening.
    async fn publish(&self, channel: &str, message: &impl serde::Serialize) -> Result<u64, Down> {
        let message = serde_json::to_string(message).unwrap_or_default();
        let mut connection = self.connection.clone();
        let mut command = redis::cmd("PUBLISH");
        command.arg(self.channel(channel)).arg(message);
        self.call("publish", command.query_async(&mut connection))
            .await
    }

    /// A new subscription to the announcements (purges, acknowledgements, entries ready), or
    /// `None` when Redis cannot be reached now.
    pub async fn subscribe(&self) -> Option<PubSubStream> {
        let subscribe = async {
            let mut pubsub = self.client.get_async_pubsub().await?;
            pubsub
                .subscribe(&[
                    self.channel("purge"),
                    self.channel("ack"),
                    self.channel("ready"),
                ])
                .await?;
            RedisResult::Ok(pubsub.into_on_message())
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, subscribe).await {
            Ok(Ok(stream)) => Some(stream),
            Ok(Err(error)) => {
                tracing::debug!(%error, "cannot subscribe to the shared cache's announcements");
                None
            }
            Err(_) => None,
        }
    }

    /// Records whether announcements arrive.
    pub fn set_subscribed(&self, subscribed: bool) {
        self.subscribed.store(subscribed, Ordering::SeqCst);
        self.metrics.redis_subscribed(subscribed);
    }

    /// Handles one announcement: wakes the replicas' waiters, collects acknowledgements, and
    /// hands a purge back to the caller (which drops the replica's own copies, then calls
    /// [`SharedTier::acknowledge`]). Anything malformed is ignored.
    #[must_use]
    pub fn dispatch(&self, message: &redis::Msg) -> Option<Announcement> {
        let payload = message.get_payload_bytes();
        if payload.len() > MAX_MESSAGE_BYTES {
            return None;
        }
        let channel = message.get_channel_name();
        if channel == self.channel("ready") {
            if let Ok(name) = std::str::from_utf8(payload) {
                self.waiters.wake(name);
            }
        } else if channel == self.channel("ack") {
            let ack: Ack = serde_json::from_slice(payload).ok()?;
            let acks = self.acks.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(sender) = acks.get(&ack.id) {
                let _ = sender.send(ack.from);
            }
        } else if channel == self.channel("purge") {
            let announcement: Announcement = serde_json::from_slice(payload).ok()?;
            self.metrics.redis_invalidation();
            return Some(announcement);
        }
        None
    }
}

/// An integer reply, whether Redis sent it as an integer or as digits.
fn integer(value: &Value) -> Option<u64> {
    match value {
        Value::Int(n) => u64::try_from(*n).ok(),
        Value::BulkString(bytes) => std::str::from_utf8(bytes).ok()?.parse().ok(),
        Value::SimpleString(text) => text.parse().ok(),
        _ => None,
    }
}

/// A short description of a client error without the URL (which may hold a password).
trait KindText {
    fn kind_text(&self) -> String;
}

impl KindText for redis::RedisError {
    fn kind_text(&self) -> String {
        format!("{:?}", self.kind())
    }
}
