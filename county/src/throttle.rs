//! Enrolment attempts rate-limited per client address and for the whole
//! server: token buckets refilled per minute, in bounded memory (a fixed
//! number of addresses is tracked; when the table is full, addresses whose
//! bucket has refilled are forgotten, and a new address waits for room).

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The most addresses tracked at once.
const MAX_ADDRESSES: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(capacity: u32, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(capacity),
            at: now,
        }
    }

    /// Refills for the time since the last look (`capacity` a minute).
    fn refill(&mut self, capacity: u32, now: Instant) {
        let per_sec = f64::from(capacity) / 60.0;
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * per_sec).min(f64::from(capacity));
        self.at = now;
    }

    fn is_full(&self, capacity: u32) -> bool {
        self.tokens >= f64::from(capacity)
    }

    /// How long until one attempt is allowed.
    fn wait(&self, capacity: u32) -> Duration {
        let per_sec = f64::from(capacity.max(1)) / 60.0;
        Duration::from_secs_f64(((1.0 - self.tokens).max(0.0) / per_sec).max(1.0))
    }
}

/// Attempts allowed per minute for one address and for all together.
#[derive(Debug)]
pub struct EnrolThrottle {
    per_address: u32,
    total: u32,
    global: Bucket,
    addresses: HashMap<IpAddr, Bucket>,
}

impl EnrolThrottle {
    pub fn new(per_address: u32, total: u32) -> EnrolThrottle {
        let now = Instant::now();
        EnrolThrottle {
            per_address,
            total,
            global: Bucket::full(total, now),
            addresses: HashMap::new(),
        }
    }

    /// Takes one attempt for `addr` (`None`: address unknown, counted
    /// globally only). `Err` carries how long to wait.
    pub fn attempt(&mut self, addr: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        self.global.refill(self.total, now);
        if self.global.tokens < 1.0 {
            return Err(self.global.wait(self.total));
        }
        if let Some(addr) = addr {
            if !self.addresses.contains_key(&addr) && self.addresses.len() >= MAX_ADDRESSES {
                let cap = self.per_address;
                self.addresses.retain(|_, b| {
                    b.refill(cap, now);
                    !b.is_full(cap)
                });
                if self.addresses.len() >= MAX_ADDRESSES {
                    return Err(Duration::from_secs(60));
                }
            }
            let cap = self.per_address;
            let bucket = self
                .addresses
                .entry(addr)
                .or_insert_with(|| Bucket::full(cap, now));
            bucket.refill(cap, now);
            if bucket.tokens < 1.0 {
                return Err(bucket.wait(cap));
            }
            bucket.tokens -= 1.0;
        }
        self.global.tokens -= 1.0;
        Ok(())
    }

    /// Addresses tracked now (never more than a fixed bound).
    pub fn tracked(&self) -> usize {
        self.addresses.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_share_and_the_server_its_total() {
        let t0 = Instant::now();
        let mut t = EnrolThrottle::new(3, 5);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(t.attempt(Some(a), t0).is_ok());
        }
        assert!(t.attempt(Some(a), t0).is_err(), "a's share is used");
        assert!(t.attempt(Some(b), t0).is_ok());
        assert!(t.attempt(Some(b), t0).is_ok());
        assert!(t.attempt(Some(b), t0).is_err(), "the total is used");
        // A minute later everyone has their share back.
        let later = t0 + Duration::from_secs(60);
        assert!(t.attempt(Some(a), later).is_ok());
    }

    #[test]
    fn memory_stays_bounded_under_many_addresses() {
        let t0 = Instant::now();
        let mut t = EnrolThrottle::new(2, u32::MAX / 2);
        for i in 0..(MAX_ADDRESSES as u32 + 500) {
            let addr = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let _ = t.attempt(Some(addr), t0);
        }
        assert!(t.tracked() <= MAX_ADDRESSES);
    }
}
