//! How this replica's cache and the shared tier work together: what a miss asks Redis, who
//! computes and who waits, what is written back, and the two tasks that listen to the other
//! replicas and watch Redis while it is away.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;

use super::envelope::{Entry, Envelope};
use super::shared::{self, Lock, Names, SharedTier, Stored as Written};
use super::{
    Accept, Cache, Erased, Failed, Failure, Fresh, Key, Produced, REFRESHING, SharedValue, Slot,
    Stored, lifetime,
};

/// The first pause of a replica waiting for another one's computation; doubled up to the
/// second. An announcement that the entry is ready ends a pause early.
const FIRST_POLL: Duration = Duration::from_millis(5);
const MAX_POLL: Duration = Duration::from_millis(200);

/// A key's lock in Redis while this replica computes it: renewed until the computation ends.
/// Dropped before that (the request was abandoned mid-way), it is released at once, so another
/// replica takes over without waiting for it to expire.
struct Held {
    shared: Arc<SharedTier>,
    names: Names,
    token: String,
    renewal: tokio::task::AbortHandle,
    finished: bool,
}

impl Held {
    fn take(shared: &Arc<SharedTier>, names: &Names, token: String) -> Self {
        let renewal = {
            let (shared, names, token) = (Arc::clone(shared), names.clone(), token.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(shared::LOCK_RENEWAL).await;
                    if !shared.renew(&names, &token).await {
                        break;
                    }
                }
            })
        };
        Held {
            shared: Arc::clone(shared),
            names: names.clone(),
            token,
            renewal: renewal.abort_handle(),
            finished: false,
        }
    }

    /// The computation ended: no more renewals; the caller writes back or releases.
    fn finish(&mut self) {
        self.renewal.abort();
        self.finished = true;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.renewal.abort();
        if !self.finished
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let (shared, names) = (Arc::clone(&self.shared), self.names.clone());
            let token = std::mem::take(&mut self.token);
            runtime.spawn(async move { shared.release(&names, &token).await });
        }
    }
}

fn take<F>(compute: &mut Option<F>) -> F {
    compute
        .take()
        .unwrap_or_else(|| unreachable!("a key is computed at most once per lookup"))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Cache {
    /// What to answer for `key` when this replica has nothing usable: the shared entry, or the
    /// result of `compute` run here — by this replica alone when Redis is away, else under the
    /// key's lock in Redis, or after waiting in vain for the replica that holds it.
    pub(super) async fn produce<V, E, F, Fut>(
        &self,
        key: &Key,
        mut accept: Accept<'_, V>,
        compute: &mut Option<F>,
    ) -> Produced<V, E>
    where
        V: SharedValue,
        E: Failure,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Fresh<V>, E>>,
    {
        let Some(shared) = self.shared.as_ref().filter(|_| V::SHARED) else {
            return Produced::Computed(take(compute)().await);
        };
        let names = shared.names(key);
        let refreshing = REFRESHING.try_with(|flag| *flag).unwrap_or(false);
        let waiter = shared.waiter(&names);
        let mut waiting_since: Option<Instant> = None;
        let mut poll = FIRST_POLL;
        loop {
            let ready = waiter.notified();
            tokio::pin!(ready);
            ready.as_mut().enable();
            let Ok(found) = shared.lookup(&names, key, true).await else {
                self.waited(waiting_since, "down");
                return Produced::Computed(take(compute)().await);
            };
            let now = Instant::now();
            let generation = found.generation;
            let lock = found.lock;
            let slot = open::<V, E>(shared, key, found.value, found.failure, now);
            let outcome = usable::<V, E>(&slot, accept, refreshing, now);
            if waiting_since.is_none() {
                let metrics = shared.metrics();
                metrics.shared_lookup(key.kind().name(), outcome.unwrap_or("miss"));
            }
            if outcome.is_some() {
                self.waited(waiting_since, "value");
                if let Lock::Acquired(token) = lock {
                    shared.release(&names, &token).await;
                }
                return Produced::Found(slot);
            }
            let (token, generation) = match lock {
                Lock::Acquired(token) => (Some(token), generation),
                Lock::Held => (None, generation),
                // A value was there but cannot be used (stale inside a refresh, refused,
                // older than the caller needs): compute it, under the lock.
                Lock::NotTried => {
                    let Ok(taken) = shared.try_lock(&names).await else {
                        self.waited(waiting_since, "down");
                        return Produced::Computed(take(compute)().await);
                    };
                    taken
                }
            };
            if let Some(token) = token {
                self.waited(waiting_since, "acquired");
                let computed = self
                    .compute_holding(shared, key, &names, token, generation, take(compute))
                    .await;
                return Produced::Computed(computed);
            }
            // Another replica computes it: wait for its entry, not for ever.
            let since = *waiting_since.get_or_insert(now);
            let left = self.wait_limit.saturating_sub(now.duration_since(since));
            if left.is_zero() {
                self.waited(waiting_since, "deadline");
                tracing::warn!(
                    kind = key.kind().name(),
                    "gave up waiting for another replica's computation; computing it here"
                );
                let computed = take(compute)().await;
                self.write_back(shared, key, &names, &computed, generation, None)
                    .await;
                return Produced::Computed(computed);
            }
            let _ = tokio::time::timeout(poll.min(left), ready).await;
            poll = (poll * 2).min(MAX_POLL);
            // What the other replica made is what the caller gets.
            accept = None;
        }
    }

    /// The value the shared tier holds under `key` (fresh or stale), without computing or
    /// locking anything; `None` without a shared tier or when Redis does not answer.
    pub async fn peek_shared<V: SharedValue, E: Failure>(&self, key: &Key) -> Option<Arc<V>> {
        let shared = self.shared.as_ref().filter(|_| V::SHARED)?;
        let found = shared.lookup(&shared.names(key), key, false).await.ok()?;
        let slot = open::<V, E>(shared, key, found.value, None, Instant::now());
        slot.stale::<V>(Instant::now()).map(|cached| cached.value)
    }

    /// Runs `compute` while holding the key's lock in Redis (renewed until it ends), then
    /// shares what it made (unless the article was purged meanwhile) and lets the lock go.
    async fn compute_holding<V, E, Fut>(
        &self,
        shared: &Arc<SharedTier>,
        key: &Key,
        names: &Names,
        token: String,
        generation: u64,
        compute: impl FnOnce() -> Fut,
    ) -> Result<Fresh<V>, E>
    where
        V: SharedValue,
        E: Failure,
        Fut: Future<Output = Result<Fresh<V>, E>>,
    {
        let started = Instant::now();
        let mut held = Held::take(shared, names, token);
        let computed = compute().await;
        held.finish();
        if self.removed_since(key.url(), started) {
            // Purged (or everything dropped) while this ran: what it made may come from what
            // was purged, so it is not shared.
            shared.release(names, &held.token).await;
        } else {
            self.write_back(shared, key, names, &computed, generation, Some(&held.token))
                .await;
        }
        computed
    }

    /// Shares a computation's result (a value, or a failure worth remembering) made under
    /// `generation`; releases `token`'s lock either way.
    async fn write_back<V, E>(
        &self,
        shared: &SharedTier,
        key: &Key,
        names: &Names,
        computed: &Result<Fresh<V>, E>,
        generation: u64,
        token: Option<&str>,
    ) where
        V: SharedValue,
        E: Failure,
    {
        let now = shared::wall_ms();
        let envelope = |entry, payload: Vec<u8>, from_stale, fresh_until, keep_until| Envelope {
            entry,
            layout: shared.layout(),
            from_stale,
            generation,
            stored_at: now,
            fresh_until,
            keep_until,
            key: key.as_str().to_owned(),
            payload: payload.into(),
        };
        let envelope = match computed {
            Ok(fresh) => {
                let (kept_for, _, _) = lifetime(&self.policy, fresh);
                let fresh_until = now.saturating_add(millis(kept_for));
                let keep_until = fresh_until.saturating_add(millis(self.policy.stale));
                let payload = fresh.value.to_shared();
                Some(envelope(
                    Entry::Value,
                    payload,
                    fresh.from_stale,
                    fresh_until,
                    keep_until,
                ))
            }
            Err(error) if error.is_cacheable() && !self.policy.failure.is_zero() => {
                let until = now.saturating_add(millis(self.policy.failure));
                error
                    .to_shared()
                    .map(|payload| envelope(Entry::Failure, payload, false, until, until))
            }
            Err(_) => None,
        };
        match envelope {
            Some(envelope) => {
                if let Ok(Written::Superseded) = shared.store(names, &envelope, token).await {
                    tracing::debug!(
                        kind = key.kind().name(),
                        "purged while it was made: not shared"
                    );
                }
            }
            None => {
                if let Some(token) = token {
                    shared.release(names, token).await;
                }
            }
        }
    }

    /// Counts a wait for another replica's computation, if there was one.
    fn waited(&self, since: Option<Instant>, outcome: &'static str) {
        if let (Some(since), Some(shared)) = (since, &self.shared) {
            shared.metrics().lock_wait(outcome, since.elapsed());
        }
    }

    /// Starts the tasks that keep this replica in the cluster (inside the serving runtime).
    pub(super) fn start_shared_tasks(&self) {
        let Some(shared) = self.shared.clone() else {
            return;
        };
        let cache = self.clone();
        let listener = Arc::clone(&shared);
        tokio::spawn(async move { cache.listen(&listener).await });
        let cache = self.clone();
        tokio::spawn(async move { cache.watch(&shared).await });
    }

    /// Listens to the other replicas for ever: purges (applied here, then acknowledged) and
    /// entries made ready (waking whoever waits for them). Reconnects by itself; whenever it
    /// (re)subscribes, this replica drops its own copies, since purges announced while it was
    /// not listening were missed.
    async fn listen(&self, shared: &SharedTier) {
        let mut pause = Duration::from_millis(50);
        loop {
            if let Some(mut announcements) = shared.subscribe().await {
                pause = Duration::from_millis(50);
                self.forget_everything("subscribed to the shared cache's announcements");
                shared.set_subscribed(true);
                while let Some(message) = announcements.next().await {
                    if let Some(purge) = shared.dispatch(&message) {
                        for url in &purge.urls {
                            self.remove_url(url).await;
                        }
                        shared.acknowledge(&purge.id).await;
                    }
                }
                shared.set_subscribed(false);
                tracing::warn!("lost the shared cache's announcements; reconnecting");
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    /// While the breaker is open, probes Redis now and then; once it answers, sharing resumes.
    /// What this replica made alone meanwhile stays: purges reached it all along through its
    /// subscription (a subscription that broke meanwhile drops everything when it is made
    /// again), and dropping everything at each close would make a flapping Redis wipe the
    /// replica's own cache again and again.
    async fn watch(&self, shared: &SharedTier) {
        loop {
            shared.opened().await;
            while let Some(wait) = shared.probe_in() {
                tokio::time::sleep(wait).await;
                shared.probe().await;
            }
        }
    }
}

/// Whether what the shared tier holds may be answered as it is, and how (for the metrics):
/// `hit` (fresh, and acceptable to the caller), `failure` (remembered, with or without a stale
/// value), `stale` (served while this replica refreshes it; never inside a refresh); `None`
/// when it must be computed.
fn usable<V: SharedValue, E: Failure>(
    slot: &Slot,
    accept: Accept<'_, V>,
    refreshing: bool,
    now: Instant,
) -> Option<&'static str> {
    if let Some(cached) = slot.fresh::<V>(now) {
        return accept
            .is_none_or(|accept| accept(&cached.value))
            .then_some("hit");
    }
    if accept.is_some() {
        return None;
    }
    if slot.recent_failure::<E>(now).is_some() {
        return Some("failure");
    }
    (!refreshing && slot.revalidatable::<V, E>(now).is_some()).then_some("stale")
}

/// The shared entries as this replica's slot: times moved from the writer's clock to ours,
/// values decoded and checked (what does not decode is counted and ignored).
fn open<V: SharedValue, E: Failure>(
    shared: &SharedTier,
    key: &Key,
    value: Option<Envelope>,
    failure: Option<Envelope>,
    now: Instant,
) -> Slot {
    let wall = shared::wall_ms();
    let at = |ms: u64| -> Instant {
        if ms >= wall {
            now + Duration::from_millis(ms - wall)
        } else {
            now.checked_sub(Duration::from_millis(wall - ms))
                .unwrap_or(now)
        }
    };
    let value = value.and_then(|envelope| {
        let len = envelope.payload.len();
        let Some(decoded) = V::from_shared(envelope.payload) else {
            shared.refused(key, "the value does not decode");
            return None;
        };
        Some(Stored {
            value: Arc::new(decoded) as Erased,
            weight: u32::try_from(V::weight_of_shared(len)).unwrap_or(u32::MAX),
            fresh_until: at(envelope.fresh_until),
            keep_until: at(envelope.keep_until),
            from_stale: envelope.from_stale,
        })
    });
    let failure = failure.and_then(|envelope| {
        let Some(error) = E::from_shared(&envelope.payload) else {
            shared.refused(key, "the failure does not decode");
            return None;
        };
        Some(Failed {
            error: Arc::new(error) as Erased,
            until: at(envelope.fresh_until),
        })
    });
    Slot { value, failure }
}
