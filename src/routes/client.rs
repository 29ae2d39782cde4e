//! Who a request comes from: the socket's peer, or, when that peer is a trusted proxy
//! (`APERCU_TRUSTED_PROXIES`), the nearest address in `X-Forwarded-For` that is not one. A
//! header from anyone else is ignored: it is whatever the client chose to write.

use std::net::{IpAddr, SocketAddr};

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderName;
use actix_web::web;
use ipnet::IpNet;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    #[must_use]
    pub fn new(networks: Vec<IpNet>) -> Self {
        TrustedProxies(networks)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&ip))
    }

    /// The client of a request from `peer` that carries the `forwarded` header values (in the
    /// order received). Walks the header from its end, the hop our proxy added, while the
    /// addresses are trusted proxies; an entry that is not an address ends the walk.
    #[must_use]
    pub fn client(&self, peer: IpAddr, forwarded: &[&str]) -> IpAddr {
        let mut client = peer.to_canonical();
        let hops = forwarded.iter().rev().flat_map(|value| value.rsplit(','));
        for hop in hops {
            if !self.trusts(client) {
                break;
            }
            let hop = hop.trim();
            let Some(ip) = hop
                .parse::<IpAddr>()
                .ok()
                .or_else(|| hop.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
            else {
                break;
            };
            client = ip.to_canonical();
        }
        client
    }
}

/// The client address of `request` (see [`TrustedProxies::client`]).
pub fn client_of(request: &ServiceRequest) -> Option<IpAddr> {
    let peer = request.peer_addr()?.ip().to_canonical();
    // Most requests come from no proxy at all: then the header is not even read.
    let Some(proxies) = request
        .app_data::<web::Data<TrustedProxies>>()
        .filter(|proxies| proxies.trusts(peer))
    else {
        return Some(peer);
    };
    let forwarded: Vec<&str> = request
        .headers()
        .get_all(X_FORWARDED_FOR)
        .filter_map(|value| value.to_str().ok())
        .collect();
    Some(proxies.client(peer, &forwarded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::new(vec![
            "10.0.0.0/8".parse().unwrap(),
            "::1/128".parse().unwrap(),
        ])
    }

    #[test]
    fn a_header_from_an_untrusted_peer_is_ignored() {
        let client = proxies().client(ip("203.0.113.7"), &["198.51.100.1"]);
        assert_eq!(client, ip("203.0.113.7"));
        let nobody = TrustedProxies::default().client(ip("10.0.0.1"), &["198.51.100.1"]);
        assert_eq!(nobody, ip("10.0.0.1"));
    }

    #[test]
    fn the_client_is_the_last_address_before_the_trusted_proxies() {
        let proxies = proxies();
        // The client wrote a spoofed first entry; our proxies appended the rest.
        let forwarded = ["1.2.3.4, 198.51.100.9", "10.1.1.1"];
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &forwarded),
            ip("198.51.100.9")
        );
        assert_eq!(
            proxies.client(ip("::1"), &["198.51.100.9:4711"]),
            ip("198.51.100.9")
        );
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.2"), &["::ffff:198.51.100.9"]),
            ip("198.51.100.9")
        );
        // Garbage ends the walk at the last address that was believed.
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &["garbage, 10.0.0.3"]),
            ip("10.0.0.3")
        );
        // No header: the proxy itself.
        assert_eq!(proxies.client(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
    }
}
