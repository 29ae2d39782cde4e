//! The circuit breaker in front of the shared tier: after a few failures in a row the replica
//! stops asking Redis and runs alone (its own cache, its own computations) until a probe
//! succeeds. Pure bookkeeping: the caller says when things happened.

use std::time::{Duration, Instant};

/// Failures in a row that open the breaker.
pub const FAILURES_TO_OPEN: u32 = 3;
/// The first wait before a probe; doubled after each failed probe, up to [`MAX_OPEN`].
pub const FIRST_OPEN: Duration = Duration::from_millis(500);
pub const MAX_OPEN: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Redis is asked.
    Closed { failures: u32 },
    /// Redis is skipped until `until`, when a probe may run.
    Open { until: Instant, wait: Duration },
}

/// What a recorded outcome changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    None,
    /// Just opened: start probing.
    Opened,
    /// Just closed after being open: what was missed meanwhile must be assumed lost.
    Closed,
}

#[derive(Debug)]
pub struct Breaker {
    state: State,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker {
            state: State::Closed { failures: 0 },
        }
    }
}

impl Breaker {
    #[must_use]
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed { .. })
    }

    /// An operation (or a probe) succeeded.
    pub fn succeeded(&mut self) -> Change {
        let was_open = !self.is_closed();
        self.state = State::Closed { failures: 0 };
        if was_open {
            Change::Closed
        } else {
            Change::None
        }
    }

    /// An operation failed at `now`.
    pub fn failed(&mut self, now: Instant) -> Change {
        match self.state {
            State::Closed { failures } if failures + 1 >= FAILURES_TO_OPEN => {
                self.state = State::Open {
                    until: now + FIRST_OPEN,
                    wait: FIRST_OPEN,
                };
                Change::Opened
            }
            State::Closed { failures } => {
                self.state = State::Closed {
                    failures: failures + 1,
                };
                Change::None
            }
            // Only a probe runs while open: it failed, so wait longer.
            State::Open { wait, .. } => {
                let wait = (wait * 2).min(MAX_OPEN);
                self.state = State::Open {
                    until: now + wait,
                    wait,
                };
                Change::None
            }
        }
    }

    /// How long until the next probe may run (zero when it may run now, `None` when closed).
    #[must_use]
    pub fn probe_in(&self, now: Instant) -> Option<Duration> {
        match self.state {
            State::Closed { .. } => None,
            State::Open { until, .. } => Some(until.saturating_duration_since(now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_failures_in_a_row_open_it_and_a_success_in_between_resets_them() {
        let now = Instant::now();
        let mut breaker = Breaker::default();
        assert_eq!(breaker.failed(now), Change::None);
        assert_eq!(breaker.succeeded(), Change::None);
        for _ in 1..FAILURES_TO_OPEN {
            assert_eq!(breaker.failed(now), Change::None);
            assert!(breaker.is_closed());
        }
        assert_eq!(breaker.failed(now), Change::Opened);
        assert_eq!(breaker.probe_in(now), Some(FIRST_OPEN));
    }

    #[test]
    fn failed_probes_wait_longer_up_to_a_bound_and_a_good_one_closes_it() {
        let now = Instant::now();
        let mut breaker = Breaker::default();
        for _ in 0..FAILURES_TO_OPEN {
            breaker.failed(now);
        }
        let mut waits = Vec::new();
        for _ in 0..8 {
            breaker.failed(now);
            waits.push(breaker.probe_in(now).unwrap());
        }
        assert_eq!(waits[0], FIRST_OPEN * 2);
        assert!(waits.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(*waits.last().unwrap(), MAX_OPEN);
        assert_eq!(breaker.probe_in(now + MAX_OPEN), Some(Duration::ZERO));
        assert_eq!(breaker.succeeded(), Change::Closed);
        assert_eq!(breaker.probe_in(now), None);
    }
}
