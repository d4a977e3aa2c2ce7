//! Sign-in throttling: each attempt is counted, before its password is
//! checked, against three keys; past a key's free attempts in a 15-minute
//! window the next attempts are refused (429 + `Retry-After`) without any
//! argon2 work, for a delay that doubles with each further failure.
//!
//! | key | free attempts | longest delay | why |
//! |---|---|---|---|
//! | client address | 20 | 15 min | one machine guessing many names |
//! | account + address | 5 | 15 min | one machine guessing one password |
//! | account, any address | 50 | 1 min | many machines guessing one password |
//!
//! The trade-off: an attacker elsewhere cannot lock a person out of their
//! account for more than a minute at a time, and only after 50 failures in 15
//! minutes, while guessing stays at a few tries per window per address. A
//! success clears its account's counts (not the address's, or one account
//! of their own would let an attacker reset it). Counts live in this process:
//! each replica throttles on its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Entries kept at most; beyond it expired ones go first, then the quietest.
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    AccountAt(String, IpAddr),
    Account(String),
}

impl Key {
    fn free(&self) -> u32 {
        match self {
            Key::Address(_) => 20,
            Key::AccountAt(..) => 5,
            Key::Account(_) => 50,
        }
    }

    fn longest(&self) -> Duration {
        match self {
            Key::Account(_) => Duration::from_secs(60),
            _ => WINDOW,
        }
    }
}

#[derive(Debug)]
struct Entry {
    since: Instant,
    attempts: u32,
    blocked_until: Option<Instant>,
}

#[derive(Default)]
pub struct Throttle {
    entries: Mutex<HashMap<Key, Entry>>,
}

fn keys(addr: IpAddr, account: &str) -> [Key; 3] {
    // Bounded, so made-up names of any length cost the same small entry.
    let account: String = account.trim().to_lowercase().chars().take(200).collect();
    [Key::Address(addr), Key::AccountAt(account.clone(), addr), Key::Account(account)]
}

impl Throttle {
    /// Counts an attempt by `addr` on `account`; `Err(wait)` when it must not
    /// be checked now.
    pub fn begin(&self, addr: IpAddr, account: &str) -> Result<(), Duration> {
        self.begin_at(addr, account, Instant::now())
    }

    fn begin_at(&self, addr: IpAddr, account: &str, now: Instant) -> Result<(), Duration> {
        let mut entries = self.entries.lock().expect("throttle lock");
        let keys = keys(addr, account);
        let wait = keys.iter().filter_map(|k| entries.get(k)?.blocked_until?.checked_duration_since(now)).filter(|w| !w.is_zero()).max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        if entries.len() + keys.len() > MAX_ENTRIES {
            prune(&mut entries, now);
        }
        for key in keys {
            let (free, longest) = (key.free(), key.longest());
            let e = entries.entry(key).or_insert(Entry { since: now, attempts: 0, blocked_until: None });
            if now.duration_since(e.since) > WINDOW {
                *e = Entry { since: now, attempts: 0, blocked_until: None };
            }
            e.attempts += 1;
            if e.attempts > free {
                // The attempt that crosses the line is checked; the next ones wait.
                let doublings = (e.attempts - free - 1).min(20);
                e.blocked_until = Some(now + Duration::from_secs(1 << doublings).min(longest));
            }
        }
        Ok(())
    }

    /// A successful sign-in: the account's counts start again.
    pub fn succeeded(&self, addr: IpAddr, account: &str) {
        let mut entries = self.entries.lock().expect("throttle lock");
        for key in keys(addr, account).into_iter().skip(1) {
            entries.remove(&key);
        }
    }
}

fn prune(entries: &mut HashMap<Key, Entry>, now: Instant) {
    entries.retain(|_, e| now.duration_since(e.since) <= WINDOW || e.blocked_until.is_some_and(|b| b > now));
    if entries.len() >= MAX_ENTRIES / 2 {
        entries.retain(|k, e| e.attempts > k.free());
    }
}

/// The client's address: the TCP peer's, or, when the peer is a trusted proxy,
/// the last address in `X-Forwarded-For` that is not one (the first hop a
/// trusted proxy saw; the ones before it could be made up by the client).
pub fn client_addr(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect::<Vec<_>>();
    forwarded.iter().rev().filter_map(|s| s.trim().parse::<IpAddr>().ok()).find(|ip| !is_trusted(ip)).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str = "ada";

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn five_tries_then_a_doubling_wait() {
        let t = Throttle::default();
        let now = Instant::now();
        for _ in 0..6 {
            t.begin_at(ip("10.0.0.1"), ADA, now).unwrap();
        }
        assert_eq!(t.begin_at(ip("10.0.0.1"), ADA, now), Err(Duration::from_secs(1)));
        let later = now + Duration::from_secs(2);
        t.begin_at(ip("10.0.0.1"), "Ada", later).unwrap();
        assert_eq!(t.begin_at(ip("10.0.0.1"), ADA, later), Err(Duration::from_secs(2)));
        // Another address is not locked out of the account.
        t.begin_at(ip("10.0.0.2"), ADA, later).unwrap();
        // A success clears the account's count.
        t.succeeded(ip("10.0.0.1"), ADA);
        t.begin_at(ip("10.0.0.1"), ADA, later).unwrap();
    }

    #[test]
    fn many_addresses_lock_an_account_for_a_minute_at_most() {
        let t = Throttle::default();
        let now = Instant::now();
        for i in 0..200u32 {
            let _ = t.begin_at(IpAddr::from([10, 1, (i / 250) as u8, (i % 250) as u8]), ADA, now);
        }
        let wait = t.begin_at(ip("192.0.2.7"), ADA, now).unwrap_err();
        assert!(wait <= Duration::from_secs(60), "{wait:?}");
        t.begin_at(ip("192.0.2.7"), ADA, now + Duration::from_secs(61)).unwrap();
    }

    #[test]
    fn a_window_later_the_count_starts_again() {
        let t = Throttle::default();
        let now = Instant::now();
        for _ in 0..6 {
            t.begin_at(ip("10.0.0.1"), ADA, now).unwrap();
        }
        t.begin_at(ip("10.0.0.1"), ADA, now + WINDOW + Duration::from_secs(1)).unwrap();
    }

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let trusted = vec!["10.0.0.0/8".parse().unwrap()];
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.3".parse().unwrap());
        assert_eq!(client_addr(ip("10.0.0.2"), &h, &trusted), ip("203.0.113.9"));
        assert_eq!(client_addr(ip("198.51.100.1"), &h, &trusted), ip("198.51.100.1"));
        assert_eq!(client_addr(ip("10.0.0.2"), &h, &[]), ip("10.0.0.2"));
    }
}
