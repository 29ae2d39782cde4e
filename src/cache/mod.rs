//! The caches: one memory-bounded moka map per replica (L1) holding articles, photos, cards and
//! oEmbed bodies, optionally over a tier shared by every replica in Redis (L2), with freshness,
//! stale-if-error, briefly remembered failures and one computation per key.
//!
//! Everything local shares one map so `APERCU_CACHE_MAX_BYTES` bounds all of it together: a
//! flood of cards cannot starve the articles of a fixed share, and nothing can grow past the
//! budget. Values are stored type-erased (`Arc<dyn Any>`); the key's kind says what type sits
//! behind it, so the cache knows nothing of extraction or cards. What goes to Redis is encoded
//! by the value's own [`SharedValue`] impl and wrapped in a checked [`envelope`].
//!
//! A lookup goes L1 → L2 → compute. Single flight: within a replica from moka's per-key
//! compute lock (concurrent callers run one after another, so the first computes and the rest
//! find its result); across replicas from a lock in Redis (one replica computes, the others
//! wait for its entry, up to a deadline after which they compute it themselves). A stale entry
//! is served at once, marked stale, while one background task refreshes it (stale-while-
//! revalidate); when that refresh fails the failure is remembered and the stale value keeps
//! being served until its window ends. Removing a URL's entries (a purge) also keeps whatever
//! was being computed for it at that moment from being stored, here and, through purge
//! generations, on every replica.
//!
//! Redis failing never fails a request: every call has a deadline, and after repeated failures
//! a breaker skips Redis until a probe succeeds (`breaker`). Purges reach a replica through its
//! subscription to the others' announcements; whenever that subscription is made again, the
//! replica drops its own copies, since it cannot know what was purged meanwhile.

mod breaker;
pub mod envelope;
pub mod shared;
mod tiers;

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use moka::Expiry;
use moka::future::Cache as Moka;
use moka::ops::compute::Op;

use crate::article_url::ArticleUrl;
pub use shared::{SharedPurge, SharedSettings, SharedTier};

/// The shape of every key; bump it when a stored value's meaning changes.
const KEY_SCHEMA: &str = "v1";

/// Origin `max-age` is honoured, but only within these bounds (docs/security.md §2.3, I4): a page
/// saying `no-store` is still cached for a while, one saying "a year" is re-checked daily.
const MIN_ORIGIN_FRESHNESS: Duration = Duration::from_secs(5 * 60);
const MAX_ORIGIN_FRESHNESS: Duration = Duration::from_secs(24 * 60 * 60);

/// Bookkeeping bytes per entry on top of the key and the value's own weight.
const ENTRY_OVERHEAD: u32 = 96;

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Article,
    Meta,
    Photo,
    Card,
    Oembed,
    Thumb,
    Page,
    /// The preview debugger's report on a page.
    Report,
    /// A lead photo's dominant colour and `BlurHash` (shared, where the photo is not).
    Placeholder,
    /// A site's own icon, decoded (not shared, as photos).
    Icon,
}

impl Kind {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::Article => "article",
            Kind::Meta => "meta",
            Kind::Photo => "photo",
            Kind::Card => "card",
            Kind::Oembed => "oembed",
            Kind::Thumb => "thumb",
            Kind::Page => "page",
            Kind::Report => "report",
            Kind::Placeholder => "placeholder",
            Kind::Icon => "icon",
        }
    }
}

/// A cache key: schema, kind, normalised article URL and the variant (format, size, layout
/// version…). Nothing from the request other than these goes in, so nothing else can vary it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    text: Arc<str>,
    kind: Kind,
    /// Where the URL starts in `text` (variants may contain the separator too).
    url_at: usize,
}

impl Key {
    #[must_use]
    pub fn new(kind: Kind, url: &ArticleUrl, variant: &str) -> Self {
        let url = url.as_str();
        let mut text = String::with_capacity(16 + variant.len() + url.len());
        text.push_str(KEY_SCHEMA);
        text.push(':');
        text.push_str(kind.name());
        text.push(':');
        text.push_str(variant);
        text.push(':');
        let url_at = text.len();
        text.push_str(url);
        Key {
            text: text.into(),
            kind,
            url_at,
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    #[must_use]
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The normalised URL the entry belongs to.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.text[self.url_at..]
    }

    /// The variant (format, size…), empty for kinds that have one entry per URL.
    #[must_use]
    pub fn variant(&self) -> &str {
        let start = KEY_SCHEMA.len() + 1 + self.kind.name().len() + 1;
        &self.text[start..self.url_at - 1]
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How long results are kept, and how much memory they may take.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// How long a result is served without asking the origin again, when the origin says nothing.
    pub fresh: Duration,
    /// How long after that a result is kept to be served when a refresh fails.
    pub stale: Duration,
    /// How long a failure is remembered, so a dead origin is not asked on every request.
    pub failure: Duration,
    /// The memory bound of every entry together.
    pub max_bytes: u64,
}

impl Policy {
    /// The freshness of a result whose origin sent `max_age` (if anything), clamped.
    #[must_use]
    pub fn freshness(&self, origin_max_age: Option<Duration>) -> Duration {
        match origin_max_age {
            None => self.fresh,
            Some(max_age) => max_age.clamp(
                MIN_ORIGIN_FRESHNESS.min(self.fresh),
                MAX_ORIGIN_FRESHNESS.max(self.fresh),
            ),
        }
    }
}

/// A freshly computed value, with the freshness its origin asked for.
#[derive(Debug)]
pub struct Fresh<V> {
    pub value: V,
    pub origin_max_age: Option<Duration>,
    /// Approximate bytes the value holds in memory.
    pub weight: usize,
    /// Made from a stale input (a card of an article whose refresh failed): served as stale,
    /// and kept only while that failure is remembered, so it is made again once the origin
    /// may be back.
    pub from_stale: bool,
}

/// Where an answer came from (the `X-Cache` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Hit,
    Miss,
    Stale,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Hit => "HIT",
            Status::Miss => "MISS",
            Status::Stale => "STALE",
        }
    }
}

/// A value from the cache and what a client may do with it.
#[derive(Debug)]
pub struct Cached<V> {
    pub value: Arc<V>,
    pub status: Status,
    /// How much longer it stays fresh (zero when stale).
    pub fresh_for: Duration,
}

impl<V> Clone for Cached<V> {
    fn clone(&self) -> Self {
        Cached {
            value: Arc::clone(&self.value),
            status: self.status,
            fresh_for: self.fresh_for,
        }
    }
}

/// A value the cache may keep: how it is written to the shared tier and read back from it.
/// Reading back must check what it reads (the bytes come from outside the process) and say
/// `None` for anything that does not fit.
pub trait SharedValue: Send + Sync + Sized + 'static {
    /// Whether values of this type are shared between replicas at all.
    const SHARED: bool = true;

    /// The value's bytes for the shared tier.
    fn to_shared(&self) -> Vec<u8>;

    /// The value written by [`SharedValue::to_shared`], checked.
    fn from_shared(bytes: Bytes) -> Option<Self>;

    /// The bytes a value read back from `shared_len` bytes holds in memory.
    #[must_use]
    fn weight_of_shared(shared_len: usize) -> usize {
        shared_len
    }
}

/// An error a computation may return; the cache decides from it whether to remember it, and
/// how to share the memory of it with other replicas.
pub trait Failure: Clone + Send + Sync + 'static {
    /// Whether the same request is pointless for a while (origin down, page missing) rather
    /// than a condition of ours (overload) that the next request may not meet.
    fn is_cacheable(&self) -> bool;

    /// The error's bytes for the shared tier; `None` keeps it in this replica only.
    fn to_shared(&self) -> Option<Vec<u8>> {
        None
    }

    /// An error written by [`Failure::to_shared`], checked.
    #[must_use]
    fn from_shared(_bytes: &[u8]) -> Option<Self> {
        None
    }
}

type Erased = Arc<dyn Any + Send + Sync>;

#[derive(Clone)]
struct Stored {
    value: Erased,
    weight: u32,
    fresh_until: Instant,
    keep_until: Instant,
    from_stale: bool,
}

#[derive(Clone)]
struct Failed {
    error: Erased,
    until: Instant,
}

/// Everything known about one key: the last good value and the last failure, either optional.
#[derive(Clone, Default)]
struct Slot {
    value: Option<Stored>,
    failure: Option<Failed>,
}

impl Slot {
    fn keep_until(&self) -> Option<Instant> {
        let value = self.value.as_ref().map(|stored| stored.keep_until);
        let failure = self.failure.as_ref().map(|failed| failed.until);
        value.max(failure)
    }

    fn weight(&self, key: &Key) -> u32 {
        let value = self.value.as_ref().map_or(0, |stored| stored.weight);
        let key = u32::try_from(key.text.len()).unwrap_or(u32::MAX);
        value.saturating_add(key).saturating_add(ENTRY_OVERHEAD)
    }

    fn fresh<V: Send + Sync + 'static>(&self, now: Instant) -> Option<Cached<V>> {
        let stored = self
            .value
            .as_ref()
            .filter(|stored| now < stored.fresh_until)?;
        let value = Arc::clone(&stored.value).downcast::<V>().ok()?;
        Some(if stored.from_stale {
            Cached {
                value,
                status: Status::Stale,
                fresh_for: Duration::ZERO,
            }
        } else {
            Cached {
                value,
                status: Status::Hit,
                fresh_for: stored.fresh_until - now,
            }
        })
    }

    fn stale<V: Send + Sync + 'static>(&self, now: Instant) -> Option<Cached<V>> {
        let stored = self
            .value
            .as_ref()
            .filter(|stored| now < stored.keep_until)?;
        let value = Arc::clone(&stored.value).downcast::<V>().ok()?;
        Some(Cached {
            value,
            status: Status::Stale,
            fresh_for: Duration::ZERO,
        })
    }

    /// The stale value, when one is held, was not itself made from stale parts, and no
    /// failure of its refresh is remembered: what may be served while it is refreshed.
    fn revalidatable<V: Send + Sync + 'static, E: Failure>(
        &self,
        now: Instant,
    ) -> Option<Cached<V>> {
        let stored = self.value.as_ref()?;
        if stored.from_stale || self.recent_failure::<E>(now).is_some() {
            return None;
        }
        self.stale(now)
    }

    fn recent_failure<E: Failure>(&self, now: Instant) -> Option<E> {
        let failed = self.failure.as_ref().filter(|failed| now < failed.until)?;
        failed.error.downcast_ref::<E>().cloned()
    }

    /// What a caller gets from this slot at `now` without computing: the fresh value, the
    /// stale value beside a remembered failure, the failure, or (`None`) nothing usable.
    fn answer<V: Send + Sync + 'static, E: Failure>(
        &self,
        now: Instant,
    ) -> Option<Result<Cached<V>, E>> {
        if let Some(cached) = self.fresh(now) {
            return Some(Ok(cached));
        }
        let error = self.recent_failure::<E>(now)?;
        Some(self.stale(now).ok_or(error))
    }
}

/// Each slot lives until its stale window and its remembered failure are both over.
struct SlotExpiry;

impl SlotExpiry {
    fn remaining(slot: &Slot, from: Instant) -> Duration {
        slot.keep_until().map_or(Duration::ZERO, |until| {
            until.saturating_duration_since(from)
        })
    }
}

impl Expiry<Key, Slot> for SlotExpiry {
    fn expire_after_create(&self, _: &Key, slot: &Slot, created_at: Instant) -> Option<Duration> {
        Some(Self::remaining(slot, created_at))
    }

    fn expire_after_update(
        &self,
        _: &Key,
        slot: &Slot,
        updated_at: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(Self::remaining(slot, updated_at))
    }
}

/// Whether the shared tier is configured and reachable (`/readyz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedState {
    /// No `APERCU_REDIS_URL`: one process, its own cache.
    Off,
    /// Redis answers and announcements arrive.
    Up,
    /// Configured but unreachable: this replica runs alone.
    Down,
}

/// What a purge dropped.
#[derive(Debug, Clone)]
pub struct Purged {
    /// Entries dropped from this replica's own cache.
    pub local: usize,
    /// What the shared tier did: `None` without one, `Err` when it could not be reached.
    pub shared: Option<Result<SharedPurge, shared::Down>>,
}

/// A value acceptable to a caller that needs one made after a given change (`None`: any).
pub type Accept<'a, V> = Option<&'a (dyn Fn(&V) -> bool + Sync)>;

/// The service's cache. Cheap to clone; clones share the entries.
#[derive(Clone)]
pub struct Cache {
    map: Moka<Key, Slot>,
    policy: Policy,
    /// When each URL was last removed, so that a computation that began before does not put
    /// back what was just removed (kept for [`PURGE_MEMORY`]).
    removals: Arc<std::sync::Mutex<HashMap<Arc<str>, Instant>>>,
    /// When every entry was last dropped (the shared tier came back), for the same reason.
    flushed: Arc<std::sync::Mutex<Option<Instant>>>,
    /// Keys being refreshed in the background.
    refreshing: Arc<std::sync::Mutex<std::collections::HashSet<Key>>>,
    /// The tier shared with other replicas, when configured.
    shared: Option<Arc<SharedTier>>,
    /// Claims made here (see [`Cache::claim_once`]), until when.
    claims: Arc<std::sync::Mutex<HashMap<String, Instant>>>,
    /// How long a replica waits for another one's computation before doing it itself.
    wait_limit: Duration,
}

tokio::task_local! {
    /// Set inside a background refresh.
    static REFRESHING: bool;
}

/// Takes a key off the refreshing set when its refresh ends, however it ends.
struct RefreshDone<'a>(&'a Cache, &'a Key);

impl Drop for RefreshDone<'_> {
    fn drop(&mut self) {
        self.0
            .refreshing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(self.1);
    }
}

/// Claims this replica remembers at most (each is an article URL of a watched feed).
const MAX_LOCAL_CLAIMS: usize = 100_000;

/// Longer than any computation takes (a fetch's deadline is at most two minutes).
const PURGE_MEMORY: Duration = Duration::from_secs(10 * 60);

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("policy", &self.policy)
            .field("entries", &self.map.entry_count())
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

/// What a computation under the key lock produced: its own result, or what the shared tier
/// held (then nothing ran here).
enum Produced<V, E> {
    Computed(Result<Fresh<V>, E>),
    Found(Slot),
}

impl Cache {
    /// A cache of this replica only.
    #[must_use]
    pub fn new(policy: Policy) -> Self {
        let map = Moka::builder()
            .max_capacity(policy.max_bytes)
            .weigher(|key: &Key, slot: &Slot| slot.weight(key))
            .expire_after(SlotExpiry)
            .build();
        Cache {
            map,
            policy,
            removals: Arc::default(),
            flushed: Arc::default(),
            refreshing: Arc::default(),
            shared: None,
            claims: Arc::default(),
            wait_limit: Duration::ZERO,
        }
    }

    /// A cache over `shared`, where a replica waits at most `wait_limit` for a computation of
    /// another replica. Starts the tasks that listen to the other replicas and watch Redis
    /// (call it inside the runtime that serves).
    #[must_use]
    pub fn with_shared(policy: Policy, shared: SharedTier, wait_limit: Duration) -> Self {
        let cache = Cache {
            shared: Some(Arc::new(shared)),
            wait_limit,
            ..Cache::new(policy)
        };
        cache.start_shared_tasks();
        cache
    }

    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Claims `what` for `ttl`, once for every replica sharing the tier (in Redis), else once
    /// for this one: `true` for the first caller. With Redis down, this replica decides alone
    /// (at worst, work is done twice).
    pub async fn claim_once(&self, what: &str, ttl: Duration) -> bool {
        if let Some(shared) = &self.shared
            && let Ok(first) = shared.claim(what, ttl).await
        {
            return first;
        }
        let now = Instant::now();
        let mut claims = self
            .claims
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        claims.retain(|_, until| *until > now);
        if claims.len() >= MAX_LOCAL_CLAIMS {
            // Forgetting them costs at most some work done again.
            claims.clear();
        }
        match claims.entry(what.to_owned()) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(now + ttl);
                true
            }
        }
    }

    /// Gives up a claim of [`Cache::claim_once`], so that the next to ask gets it (work that
    /// failed and should be tried again).
    pub async fn release_claim(&self, what: &str) {
        if let Some(shared) = &self.shared {
            let _ = shared.unclaim(what).await;
        }
        self.claims
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(what);
    }

    /// The shared tier's state.
    #[must_use]
    pub fn shared_state(&self) -> SharedState {
        match &self.shared {
            None => SharedState::Off,
            Some(shared) if shared.is_up() => SharedState::Up,
            Some(_) => SharedState::Down,
        }
    }

    /// The value under `key`: fresh from the cache (this replica's, else the shared one); or,
    /// past its freshness but within its stale window, the stale value at once while `compute`
    /// refreshes it in the background (stale-while-revalidate; one refresh per key at a time);
    /// or computed by `compute` now (once, however many callers on however many replicas ask at
    /// the same moment), falling back to a stale value when computing fails. A failure is
    /// remembered for `Policy::failure` when it says it may be; until then callers get it
    /// again (or the stale value) without `compute` running.
    ///
    /// Inside a background refresh nothing is served stale: what a refresh depends on (a card's
    /// article) is refreshed first, so the refreshed value is made of fresh parts.
    ///
    /// # Errors
    ///
    /// The error of `compute` (this call's or a remembered one) when no stale value is left.
    pub async fn get_or_compute<V, E, F, Fut>(&self, key: &Key, compute: F) -> Result<Cached<V>, E>
    where
        V: SharedValue,
        E: Failure,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Fresh<V>, E>> + Send + 'static,
    {
        self.get_or_compute_where(key, None, compute).await
    }

    /// [`Cache::get_or_compute`] for a caller that needs a value `accept` agrees with (one made
    /// after a change it knows of): a held value it refuses counts as missing. A value another
    /// replica computes meanwhile is taken as it is.
    ///
    /// # Errors
    ///
    /// As [`Cache::get_or_compute`].
    pub async fn get_or_compute_where<V, E, F, Fut>(
        &self,
        key: &Key,
        accept: Accept<'_, V>,
        compute: F,
    ) -> Result<Cached<V>, E>
    where
        V: SharedValue,
        E: Failure,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Fresh<V>, E>> + Send + 'static,
    {
        // The common cases take no per-key lock.
        if let Some(slot) = self.map.get(key).await {
            let now = Instant::now();
            if let Some(cached) = slot.fresh::<V>(now)
                && accept.is_none_or(|accept| accept(&cached.value))
            {
                return Ok(cached);
            }
            let refreshing = REFRESHING.try_with(|flag| *flag).unwrap_or(false);
            if accept.is_none()
                && !refreshing
                && let Some(stale) = slot.revalidatable::<V, E>(now)
            {
                self.refresh_in_background(key, compute);
                return Ok(stale);
            }
        }
        self.compute_now(key, accept, compute).await
    }

    /// Starts one background refresh of `key` unless one is running.
    fn refresh_in_background<V, E, F, Fut>(&self, key: &Key, compute: F)
    where
        V: SharedValue,
        E: Failure,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Fresh<V>, E>> + Send + 'static,
    {
        {
            let mut running = self
                .refreshing
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !running.insert(key.clone()) {
                return;
            }
        }
        let (cache, key) = (self.clone(), key.clone());
        let refresh = REFRESHING.scope(true, async move {
            // Dropped even if the refresh panics or is cancelled.
            let _done = RefreshDone(&cache, &key);
            let _ = cache.compute_now::<V, E, F, Fut>(&key, None, compute).await;
        });
        // Its log lines carry the request that started it.
        tokio::spawn(tracing::Instrument::instrument(
            refresh,
            tracing::Span::current(),
        ));
    }

    /// Computes `key` under its lock (see [`Cache::get_or_compute`]).
    async fn compute_now<V, E, F, Fut>(
        &self,
        key: &Key,
        accept: Accept<'_, V>,
        compute: F,
    ) -> Result<Cached<V>, E>
    where
        V: SharedValue,
        E: Failure,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Fresh<V>, E>> + Send + 'static,
    {
        let mut outcome: Option<Result<Cached<V>, E>> = None;
        let mut compute = Some(compute);
        let policy = self.policy;
        let removed_since = |started: Instant| self.removed_since(key.url(), started);
        self.map
            .entry_by_ref(key)
            .and_compute_with(|entry| {
                let slot = entry.map(moka::Entry::into_value).unwrap_or_default();
                let (outcome, compute) = (&mut outcome, &mut compute);
                async move {
                    let started = Instant::now();
                    // Someone ahead of us in the queue may have just computed it.
                    if let Some(answer) = slot.answer::<V, E>(started)
                        && answer.as_ref().map_or(accept.is_none(), |cached| {
                            accept.is_none_or(|accept| accept(&cached.value))
                        })
                    {
                        *outcome = Some(answer);
                        return Op::Nop;
                    }
                    let produced = self.produce::<V, E, F, Fut>(key, accept, compute).await;
                    let now = Instant::now();
                    match produced {
                        Produced::Found(found) => {
                            // What the shared tier had, laid over what this replica had.
                            let merged = Slot {
                                value: found.value.or(slot.value),
                                failure: found.failure,
                            };
                            *outcome = Some(match merged.answer::<V, E>(now) {
                                Some(answer) => answer,
                                None => Ok(merged
                                    .stale(now)
                                    .unwrap_or_else(|| unreachable!("found means usable"))),
                            });
                            if removed_since(started) {
                                Op::Nop
                            } else {
                                Op::Put(merged)
                            }
                        }
                        Produced::Computed(computed) => {
                            if removed_since(started) {
                                // Removed while this ran: answer the caller, store nothing.
                                *outcome = Some(computed.map(|fresh| Cached {
                                    value: Arc::new(fresh.value),
                                    status: Status::Miss,
                                    fresh_for: Duration::ZERO,
                                }));
                                return Op::Nop;
                            }
                            let (answer, put) = settle(&policy, slot, computed, now);
                            *outcome = Some(answer);
                            put.map_or(Op::Nop, Op::Put)
                        }
                    }
                }
            })
            .await;
        let answer =
            outcome.unwrap_or_else(|| unreachable!("and_compute_with always runs its closure"));
        // A stale value found in the shared tier is refreshed like one found here.
        let refreshing = REFRESHING.try_with(|flag| *flag).unwrap_or(false);
        if let (Ok(cached), Some(compute)) = (&answer, compute)
            && cached.status == Status::Stale
            && !refreshing
            && let Some(slot) = self.map.get(key).await
            && slot.revalidatable::<V, E>(Instant::now()).is_some()
        {
            self.refresh_in_background(key, compute);
        }
        answer
    }

    /// The value under `key` while it is fresh, without computing anything.
    pub async fn fresh<V: Send + Sync + 'static>(&self, key: &Key) -> Option<Cached<V>> {
        self.map.get(key).await?.fresh(Instant::now())
    }

    /// The value under `key` if one is held (fresh or stale), without computing anything.
    pub async fn peek<V: Send + Sync + 'static>(&self, key: &Key) -> Option<Arc<V>> {
        let slot = self.map.get(key).await?;
        slot.stale::<V>(Instant::now()).map(|cached| cached.value)
    }

    /// Drops every entry of `url` from this replica (each kind, each variant) and its
    /// remembered failures; the next request computes them again. Returns how many entries
    /// were dropped.
    pub async fn remove_url(&self, url: &str) -> usize {
        {
            let now = Instant::now();
            let mut removals = self
                .removals
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            removals.retain(|_, at| now.duration_since(*at) < PURGE_MEMORY);
            removals.insert(url.into(), now);
        }
        let doomed: Vec<Arc<Key>> = self
            .map
            .iter()
            .filter(|(key, _)| key.url() == url)
            .map(|(key, _)| key)
            .collect();
        for key in &doomed {
            self.map.invalidate(key.as_ref()).await;
        }
        doomed.len()
    }

    /// Drops every entry of this replica (it may have missed purges), and keeps what is being
    /// computed now from being stored.
    pub fn forget_everything(&self, why: &str) {
        *self
            .flushed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
        self.map.invalidate_all();
        tracing::info!(why, "dropped this replica's cached entries");
    }

    /// Purges `urls` (an article and its lead photo) everywhere: this replica's entries, the
    /// shared entries, and every other replica's own (see [`SharedTier::purge`]).
    pub async fn purge(&self, urls: &[&str]) -> Purged {
        let mut local = 0;
        for url in urls {
            local += self.remove_url(url).await;
        }
        let shared = match &self.shared {
            None => None,
            Some(shared) => {
                let urls: Vec<String> = urls.iter().map(|url| (*url).to_owned()).collect();
                Some(shared.purge(&urls).await)
            }
        };
        Purged { local, shared }
    }

    /// Whether `url` was removed, or everything dropped, after `started`.
    fn removed_since(&self, url: &str, started: Instant) -> bool {
        let flushed = *self
            .flushed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if flushed.is_some_and(|at| at >= started) {
            return true;
        }
        let removals = self
            .removals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        removals.get(url).is_some_and(|at| *at >= started)
    }

    /// Entries held and the bytes they are counted as (after pending evictions are applied).
    pub async fn size(&self) -> (u64, u64) {
        self.map.run_pending_tasks().await;
        (self.map.entry_count(), self.map.weighted_size())
    }
}

/// What a computation's result makes of `slot`: the caller's answer and the slot to keep
/// (`None`: keep what is there).
fn settle<V: SharedValue, E: Failure>(
    policy: &Policy,
    slot: Slot,
    computed: Result<Fresh<V>, E>,
    now: Instant,
) -> (Result<Cached<V>, E>, Option<Slot>) {
    match computed {
        Ok(fresh) => {
            let (kept_for, fresh_for, status) = lifetime(policy, &fresh);
            let value = Arc::new(fresh.value);
            let stored = Stored {
                value: Arc::clone(&value) as Erased,
                weight: u32::try_from(fresh.weight).unwrap_or(u32::MAX),
                fresh_until: now + kept_for,
                keep_until: now + kept_for + policy.stale,
                from_stale: fresh.from_stale,
            };
            let answer = Ok(Cached {
                value,
                status,
                fresh_for,
            });
            let slot = Slot {
                value: Some(stored),
                failure: None,
            };
            (answer, Some(slot))
        }
        Err(error) => {
            let remember = error.is_cacheable() && !policy.failure.is_zero();
            let failure = Failed {
                error: Arc::new(error.clone()) as Erased,
                until: now + policy.failure,
            };
            let answer = slot.stale(now).ok_or(error);
            let slot = remember.then(|| Slot {
                value: slot.value,
                failure: Some(failure),
            });
            (answer, slot)
        }
    }
}

/// How long a computed value is kept fresh, how long a client may keep it, and its status: a
/// value made from stale parts only while the failure behind it is remembered.
fn lifetime<V>(policy: &Policy, fresh: &Fresh<V>) -> (Duration, Duration, Status) {
    if fresh.from_stale {
        (policy.failure, Duration::ZERO, Status::Stale)
    } else {
        let fresh_for = policy.freshness(fresh.origin_max_age);
        (fresh_for, fresh_for, Status::Miss)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    impl SharedValue for String {
        fn to_shared(&self) -> Vec<u8> {
            self.as_bytes().to_vec()
        }

        fn from_shared(bytes: Bytes) -> Option<Self> {
            String::from_utf8(bytes.to_vec()).ok()
        }
    }

    impl SharedValue for Vec<u8> {
        fn to_shared(&self) -> Vec<u8> {
            self.clone()
        }

        fn from_shared(bytes: Bytes) -> Option<Self> {
            Some(bytes.to_vec())
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    enum TestError {
        OriginDown,
        Overloaded,
    }

    impl Failure for TestError {
        fn is_cacheable(&self) -> bool {
            matches!(self, TestError::OriginDown)
        }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    fn policy(fresh: Duration) -> Policy {
        Policy {
            fresh,
            stale: HOUR,
            failure: Duration::from_secs(30),
            max_bytes: 1 << 20,
        }
    }

    fn key(path: &str) -> Key {
        let url = ArticleUrl::parse(&format!("https://news.example{path}"), &[]).unwrap();
        Key::new(Kind::Article, &url, "")
    }

    fn fresh(value: &str) -> Fresh<String> {
        Fresh {
            value: value.to_owned(),
            origin_max_age: None,
            weight: value.len(),
            from_stale: false,
        }
    }

    /// A computation that counts its runs and answers with the next of `answers`.
    struct Origin {
        calls: AtomicUsize,
        answers: Vec<Result<&'static str, TestError>>,
    }

    impl Origin {
        fn new(answers: Vec<Result<&'static str, TestError>>) -> Arc<Self> {
            Arc::new(Origin {
                calls: AtomicUsize::new(0),
                answers,
            })
        }

        async fn fetch(&self) -> Result<Fresh<String>, TestError> {
            let call = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            match &self.answers[call.min(self.answers.len() - 1)] {
                Ok(value) => Ok(fresh(value)),
                Err(error) => Err(error.clone()),
            }
        }

        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
    }

    async fn ask(
        cache: &Cache,
        key: &Key,
        origin: &Arc<Origin>,
    ) -> Result<Cached<String>, TestError> {
        let origin = Arc::clone(origin);
        cache
            .get_or_compute(key, move || async move { origin.fetch().await })
            .await
    }

    #[tokio::test]
    async fn a_fresh_entry_is_served_without_computing_again() {
        let cache = Cache::new(policy(HOUR));
        let origin = Origin::new(vec![Ok("first"), Ok("second")]);
        let first = ask(&cache, &key("/a"), &origin).await.unwrap();
        let second = ask(&cache, &key("/a"), &origin).await.unwrap();
        assert_eq!((first.status, second.status), (Status::Miss, Status::Hit));
        assert_eq!(*second.value, "first");
        assert_eq!(origin.calls(), 1);
        assert!(second.fresh_for <= HOUR && second.fresh_for > Duration::from_secs(3595));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fifty_concurrent_callers_for_one_key_compute_once() {
        let cache = Cache::new(policy(HOUR));
        let origin = Origin::new(vec![Ok("only")]);
        let callers: Vec<_> = (0..50)
            .map(|_| {
                let (cache, origin) = (cache.clone(), Arc::clone(&origin));
                tokio::spawn(async move { ask(&cache, &key("/a"), &origin).await })
            })
            .collect();
        let mut misses = 0;
        for caller in callers {
            let cached = caller.await.unwrap().unwrap();
            assert_eq!(*cached.value, "only");
            misses += usize::from(cached.status == Status::Miss);
        }
        assert_eq!(origin.calls(), 1);
        assert_eq!(misses, 1);
    }

    #[tokio::test]
    async fn a_failure_is_remembered_so_a_dead_origin_is_not_asked_again() {
        let cache = Cache::new(policy(HOUR));
        let origin = Origin::new(vec![Err(TestError::OriginDown), Ok("back")]);
        assert_eq!(
            ask(&cache, &key("/a"), &origin).await.unwrap_err(),
            TestError::OriginDown
        );
        assert_eq!(
            ask(&cache, &key("/a"), &origin).await.unwrap_err(),
            TestError::OriginDown
        );
        assert_eq!(origin.calls(), 1);
    }

    #[tokio::test]
    async fn a_failure_of_ours_is_not_remembered() {
        let cache = Cache::new(policy(HOUR));
        let origin = Origin::new(vec![Err(TestError::Overloaded), Ok("fine")]);
        assert!(ask(&cache, &key("/a"), &origin).await.is_err());
        assert_eq!(
            *ask(&cache, &key("/a"), &origin).await.unwrap().value,
            "fine"
        );
        assert_eq!(origin.calls(), 2);
    }

    /// Waits until no background refresh runs.
    async fn settle(cache: &Cache) {
        while !cache
            .refreshing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_empty()
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[tokio::test]
    async fn a_stale_entry_is_served_when_the_refresh_fails() {
        let cache = Cache::new(policy(Duration::ZERO));
        let origin = Origin::new(vec![Ok("good"), Err(TestError::OriginDown)]);
        ask(&cache, &key("/a"), &origin).await.unwrap();
        let stale = ask(&cache, &key("/a"), &origin).await.unwrap();
        assert_eq!(
            (stale.status, stale.value.as_str()),
            (Status::Stale, "good")
        );
        settle(&cache).await;
        // The failure is remembered: the next caller gets the stale value without a fetch.
        let again = ask(&cache, &key("/a"), &origin).await.unwrap();
        settle(&cache).await;
        assert_eq!((again.status, origin.calls()), (Status::Stale, 2));
    }

    #[tokio::test]
    async fn a_stale_entry_is_served_at_once_and_refreshed_once_in_the_background() {
        let cache = Cache::new(policy(Duration::from_millis(100)));
        let origin = Origin::new(vec![Ok("old"), Ok("new")]);
        ask(&cache, &key("/a"), &origin).await.unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        // Callers during the refresh get the old value without waiting; one refresh runs.
        for _ in 0..3 {
            let stale = ask(&cache, &key("/a"), &origin).await.unwrap();
            assert_eq!((stale.status, stale.value.as_str()), (Status::Stale, "old"));
        }
        settle(&cache).await;
        assert_eq!(origin.calls(), 2);
        let refreshed = ask(&cache, &key("/a"), &origin).await.unwrap();
        assert_eq!(
            (refreshed.status, refreshed.value.as_str()),
            (Status::Hit, "new")
        );
    }

    #[tokio::test]
    async fn inside_a_refresh_what_it_depends_on_is_refreshed_not_served_stale() {
        let cache = Cache::new(policy(Duration::ZERO));
        let origin = Origin::new(vec![Ok("v1"), Ok("v2")]);
        ask(&cache, &key("/article"), &origin).await.unwrap();
        let inside = REFRESHING
            .scope(true, ask(&cache, &key("/article"), &origin))
            .await
            .unwrap();
        assert_eq!((inside.status, inside.value.as_str()), (Status::Miss, "v2"));
    }

    #[tokio::test]
    async fn a_cancelled_computation_leaves_the_next_caller_to_compute() {
        let cache = Cache::new(policy(HOUR));
        let origin = Origin::new(vec![Ok("slow"), Ok("done")]);
        let key = key("/a");
        let abandoned = tokio::time::timeout(Duration::from_millis(1), ask(&cache, &key, &origin));
        assert!(abandoned.await.is_err());
        let cached = ask(&cache, &key, &origin).await.unwrap();
        assert_eq!(
            (cached.status, cached.value.as_str()),
            (Status::Miss, "done")
        );
    }

    #[tokio::test]
    async fn removing_a_url_drops_every_kind_and_variant_of_it_and_nothing_else() {
        let cache = Cache::new(policy(HOUR));
        let article = ArticleUrl::parse("https://news.example/a", &[]).unwrap();
        let other = ArticleUrl::parse("https://news.example/a?b", &[]).unwrap();
        let keys = [
            Key::new(Kind::Article, &article, ""),
            Key::new(Kind::Card, &article, "image/png:layout1"),
            Key::new(Kind::Oembed, &article, "json:600x480"),
            Key::new(Kind::Card, &other, "image/png:layout1"),
        ];
        for key in &keys {
            cache
                .get_or_compute(key, || async { Ok::<_, TestError>(fresh("v")) })
                .await
                .unwrap();
        }
        assert_eq!(keys[1].url(), "https://news.example/a");
        assert_eq!(cache.remove_url(article.as_str()).await, 3);
        for key in &keys[..3] {
            assert!(cache.peek::<String>(key).await.is_none(), "{key:?}");
        }
        assert_eq!(
            cache.peek::<String>(&keys[3]).await.as_deref(),
            Some(&"v".to_owned())
        );
        // A remembered failure goes too.
        let failing = Origin::new(vec![Err(TestError::OriginDown), Ok("back")]);
        assert!(ask(&cache, &keys[0], &failing).await.is_err());
        cache.remove_url(article.as_str()).await;
        assert_eq!(
            ask(&cache, &keys[0], &failing)
                .await
                .unwrap()
                .value
                .as_str(),
            "back"
        );
    }

    #[tokio::test]
    async fn what_was_computing_when_its_url_was_removed_is_answered_but_not_kept() {
        let cache = Arc::new(Cache::new(policy(HOUR)));
        let url = ArticleUrl::parse("https://news.example/a", &[]).unwrap();
        let key = Key::new(Kind::Article, &url, "");
        let origin = Origin::new(vec![Ok("old headline"), Ok("new headline")]);
        let computing = {
            let (cache, key, origin) = (Arc::clone(&cache), key.clone(), Arc::clone(&origin));
            tokio::spawn(async move { ask(&cache, &key, &origin).await })
        };
        while origin.calls() == 0 {
            tokio::task::yield_now().await;
        }
        cache.remove_url(url.as_str()).await;
        let answered = computing.await.unwrap().unwrap();
        assert_eq!(answered.value.as_str(), "old headline");
        assert!(cache.peek::<String>(&key).await.is_none());
        let next = ask(&cache, &key, &origin).await.unwrap();
        assert_eq!(
            (next.status, next.value.as_str()),
            (Status::Miss, "new headline")
        );
    }

    #[tokio::test]
    async fn kinds_variants_and_urls_never_share_an_entry() {
        let url = ArticleUrl::parse("https://news.example/a?x=1", &[]).unwrap();
        let keys = [
            Key::new(Kind::Card, &url, "png"),
            Key::new(Kind::Card, &url, "jpeg"),
            Key::new(Kind::Oembed, &url, "png"),
            Key::new(
                Kind::Card,
                &ArticleUrl::parse("https://news.example/a?x=2", &[]).unwrap(),
                "png",
            ),
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        // The same article written two ways is one key.
        let spelled = ArticleUrl::parse("HTTPS://News.Example:443/a?x=1#top", &[]).unwrap();
        assert_eq!(Key::new(Kind::Card, &spelled, "png"), keys[0]);
    }

    #[tokio::test]
    async fn the_entries_together_stay_within_the_memory_bound() {
        let cache = Cache::new(Policy {
            max_bytes: 64 * 1024,
            ..policy(HOUR)
        });
        for n in 0..200 {
            let big = Fresh {
                value: vec![0u8; 4096],
                origin_max_age: None,
                weight: 4096,
                from_stale: false,
            };
            let result: Result<_, TestError> = cache
                .get_or_compute(&key(&format!("/{n}")), || async { Ok(big) })
                .await;
            result.unwrap();
        }
        let (entries, bytes) = cache.size().await;
        assert!(bytes <= 64 * 1024);
        assert!(entries < 200);
    }

    #[tokio::test]
    async fn a_value_made_from_stale_inputs_is_served_stale_while_the_failure_lasts() {
        let cache = Cache::new(policy(HOUR));
        let calls = Arc::new(AtomicUsize::new(0));
        for _ in 0..2 {
            let calls = Arc::clone(&calls);
            let cached: Cached<String> = cache
                .get_or_compute(&key("/card"), move || async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, TestError>(Fresh {
                        from_stale: true,
                        ..fresh("drawn from a stale article")
                    })
                })
                .await
                .unwrap();
            assert_eq!(
                (cached.status, cached.fresh_for),
                (Status::Stale, Duration::ZERO)
            );
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn origin_max_age_is_honoured_within_bounds() {
        let policy = policy(HOUR);
        assert_eq!(policy.freshness(None), HOUR);
        assert_eq!(policy.freshness(Some(Duration::ZERO)), MIN_ORIGIN_FRESHNESS);
        assert_eq!(
            policy.freshness(Some(Duration::from_secs(7200))),
            Duration::from_secs(7200)
        );
        assert_eq!(
            policy.freshness(Some(Duration::from_secs(999_999_999))),
            MAX_ORIGIN_FRESHNESS
        );
    }
}
