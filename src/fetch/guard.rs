//! Which hosts and addresses may be fetched (docs/security.md §2.1 steps 2–3, the README's
//! "Configuration"): the host allow-list (`APERCU_ALLOWED_HOSTS`), the name rules (`localhost`,
//! `*.internal`…), and the address classifier every literal and every resolved address goes
//! through, with the exact `IP:port` or CIDR exemptions of `APERCU_ALLOW_ADDRESSES`. Cloud metadata
//! and unspecified addresses are never exempt.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::LazyLock;

use ipnet::IpNet;
use url::Host;

use crate::article_url::ArticleUrl;

/// Why a URL or an address is not fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Blocked {
    #[error("host {0} is not in the allowed hosts")]
    HostNotAllowed(String),
    #[error("host name {0} is reserved for local networks")]
    Name(String),
    #[error("address {address} is {reason}")]
    Address {
        address: IpAddr,
        reason: &'static str,
    },
}

/// Addresses never fetched, whatever is exempt: cloud metadata services and "this host".
const ALWAYS_BLOCKED: &[(&str, &str)] = &[
    ("169.254.169.254/32", "a cloud metadata service"),
    ("fd00:ec2::254/128", "a cloud metadata service"),
    ("100.100.100.200/32", "a cloud metadata service"),
    ("168.63.129.16/32", "a cloud metadata service"),
    ("0.0.0.0/8", "unspecified (it reaches this host)"),
    ("::/128", "unspecified (it reaches this host)"),
];

/// Addresses that are not public (IANA special-purpose registries), blocked unless exempt.
/// IPv6 forms that embed IPv4 (NAT64, 6to4, Teredo, IPv4-compatible) are blocked outright, as
/// smokescreen does: the IPv4 inside could be anything.
const NOT_PUBLIC: &[(&str, &str)] = &[
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved for protocols"),
    ("192.0.2.0/24", "reserved for documentation"),
    ("192.88.99.0/24", "a 6to4 relay"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved for benchmarking"),
    ("198.51.100.0/24", "reserved for documentation"),
    ("203.0.113.0/24", "reserved for documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved (and broadcast)"),
    ("::1/128", "loopback"),
    ("::/96", "IPv4-compatible (deprecated)"),
    ("64:ff9b::/96", "NAT64"),
    ("64:ff9b:1::/48", "NAT64 (local use)"),
    ("100::/64", "discard-only"),
    ("2001::/23", "reserved for protocols (Teredo included)"),
    ("2001:db8::/32", "reserved for documentation"),
    ("2002::/16", "6to4"),
    ("fc00::/7", "unique local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
];

fn table(rows: &[(&str, &'static str)]) -> Vec<(IpNet, &'static str)> {
    rows.iter()
        .map(|(net, reason)| {
            (
                IpNet::from_str(net).expect("a valid constant network"),
                *reason,
            )
        })
        .collect()
}

static ALWAYS: LazyLock<Vec<(IpNet, &'static str)>> = LazyLock::new(|| table(ALWAYS_BLOCKED));
static SPECIAL: LazyLock<Vec<(IpNet, &'static str)>> = LazyLock::new(|| table(NOT_PUBLIC));

/// IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is the IPv4 address it maps.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// Why `ip` must never be fetched, exemptions or not.
#[must_use]
pub fn always_blocked(ip: IpAddr) -> Option<&'static str> {
    let ip = canonical(ip);
    ALWAYS
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map(|(_, reason)| *reason)
}

/// Why `ip` is not a public address, if it is not.
#[must_use]
pub fn not_public(ip: IpAddr) -> Option<&'static str> {
    let ip = canonical(ip);
    always_blocked(ip).or_else(|| {
        SPECIAL
            .iter()
            .find(|(net, _)| net.contains(&ip))
            .map(|(_, reason)| *reason)
    })
}

/// One `APERCU_ALLOW_ADDRESSES` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exemption {
    /// Exactly this address and port (`127.0.0.1:8087`).
    Exact(SocketAddr),
    /// Any address in the network, any port (`10.1.0.0/16`).
    Network(IpNet),
}

impl FromStr for Exemption {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let raw = raw.trim();
        if let Ok(addr) = raw.parse::<SocketAddr>() {
            return Ok(Exemption::Exact(SocketAddr::new(
                canonical(addr.ip()),
                addr.port(),
            )));
        }
        if let Ok(net) = raw.parse::<IpNet>() {
            return Ok(Exemption::Network(net));
        }
        Err(format!(
            "{raw:?} is neither IP:port ([v6]:port) nor a network in CIDR notation"
        ))
    }
}

impl Exemption {
    fn covers(&self, addr: SocketAddr) -> bool {
        let ip = canonical(addr.ip());
        match self {
            Exemption::Exact(exact) => exact.ip() == ip && exact.port() == addr.port(),
            Exemption::Network(net) => net.contains(&ip),
        }
    }
}

/// `APERCU_ALLOWED_HOSTS`: `*` for any public host, or names and `*.example.com` patterns (a
/// pattern matches the sub-domains, not `example.com` itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedHosts {
    Any,
    Listed(Vec<String>),
}

impl FromStr for AllowedHosts {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let raw_entries: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if raw_entries.is_empty() {
            return Err("the allowed hosts list is empty (use * for any public host)".to_owned());
        }
        if raw_entries.contains(&"*") {
            return Ok(AllowedHosts::Any);
        }
        let entries: Vec<String> = raw_entries
            .iter()
            .map(|e| e.strip_suffix('.').unwrap_or(e).to_ascii_lowercase())
            .collect();
        for entry in &entries {
            let name = entry.strip_prefix("*.").unwrap_or(entry);
            if name.is_empty()
                || name.contains('*')
                || name.contains('/')
                || name.contains(':') && name.parse::<IpAddr>().is_err()
            {
                return Err(format!(
                    "{entry:?} is not a host name or a *.domain pattern"
                ));
            }
        }
        Ok(AllowedHosts::Listed(entries))
    }
}

impl AllowedHosts {
    fn allows(&self, host: &str) -> bool {
        match self {
            AllowedHosts::Any => true,
            AllowedHosts::Listed(entries) => {
                entries.iter().any(|entry| match entry.strip_prefix("*.") {
                    Some(domain) => {
                        host.len() > domain.len() + 1
                            && host.ends_with(domain)
                            && host[..host.len() - domain.len()].ends_with('.')
                    }
                    None => host == entry,
                })
            }
        }
    }
}

/// Host names reserved for local networks: refused even when the address they resolve to would
/// be allowed.
#[must_use]
pub fn is_local_name(host: &str) -> bool {
    const EXACT: &[&str] = &[
        "localhost",
        "localhost.localdomain",
        "ip6-localhost",
        "ip6-loopback",
        "broadcasthost",
    ];
    // RFC 6761/6762/8375 names, and the undelegated suffixes private networks commonly use.
    const SUFFIXES: &[&str] = &[
        ".localhost",
        ".local",
        ".internal",
        ".localdomain",
        ".home.arpa",
        ".intranet",
        ".corp",
        ".lan",
    ];
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    EXACT.contains(&host.as_str()) || SUFFIXES.iter().any(|s| host.ends_with(s))
}

/// Whether `ip:port` reaches a listener on `own`. Listening on every interface (`0.0.0.0`, `::`)
/// is matched by port on every non-public address (the service's own interfaces among them);
/// public addresses of the host itself are caught by the `Via` loop check of the HTTP layer.
fn is_own(own: SocketAddr, ip: IpAddr, port: u16) -> bool {
    port == own.port()
        && (canonical(own.ip()) == ip || (own.ip().is_unspecified() && not_public(ip).is_some()))
}

/// The fetch policy: hosts, names and addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    pub hosts: AllowedHosts,
    pub exemptions: Vec<Exemption>,
    /// The addresses this service listens on: never fetched, exempt or not (docs/security.md A15),
    /// so a URL cannot make the service ask itself, and again, and again.
    pub own: Vec<SocketAddr>,
}

impl Default for Guard {
    /// Production: any public host, no exemption.
    fn default() -> Self {
        Self {
            hosts: AllowedHosts::Any,
            exemptions: Vec::new(),
            own: Vec::new(),
        }
    }
}

impl Guard {
    /// Ports that exact exemptions name, which [`ArticleUrl::parse`] must accept besides 80/443.
    #[must_use]
    pub fn extra_ports(&self) -> Vec<u16> {
        self.exemptions
            .iter()
            .filter_map(|e| match e {
                Exemption::Exact(addr) => Some(addr.port()),
                Exemption::Network(_) => None,
            })
            .collect()
    }

    /// Checks an address about to be dialled (a literal host, or each resolved address).
    ///
    /// # Errors
    /// [`Blocked::Address`] with the reason.
    pub fn check_address(&self, addr: SocketAddr) -> Result<(), Blocked> {
        let ip = canonical(addr.ip());
        if let Some(reason) = always_blocked(ip) {
            return Err(Blocked::Address {
                address: ip,
                reason,
            });
        }
        if self.own.iter().any(|own| is_own(*own, ip, addr.port())) {
            return Err(Blocked::Address {
                address: ip,
                reason: "this service itself",
            });
        }
        match not_public(ip) {
            Some(reason) if !self.exemptions.iter().any(|e| e.covers(addr)) => {
                Err(Blocked::Address {
                    address: ip,
                    reason,
                })
            }
            _ => Ok(()),
        }
    }

    /// Everything known before DNS: the host allow-list, the name rules, and the address of an
    /// IP-literal host (the HTTP client never asks a resolver about those).
    ///
    /// # Errors
    /// [`Blocked`] with the reason.
    pub fn check_url(&self, url: &ArticleUrl) -> Result<(), Blocked> {
        let url = url.as_url();
        let port = url.port_or_known_default().unwrap_or(80);
        let host_text = url
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        if !self.hosts.allows(&host_text) {
            return Err(Blocked::HostNotAllowed(host_text));
        }
        match url.host() {
            Some(Host::Domain(name)) if is_local_name(name) => Err(Blocked::Name(name.to_owned())),
            Some(Host::Ipv4(ip)) => self.check_address(SocketAddr::new(IpAddr::V4(ip), port)),
            Some(Host::Ipv6(ip)) => self.check_address(SocketAddr::new(IpAddr::V6(ip), port)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn every_special_purpose_address_is_refused_and_public_ones_pass() {
        // docs/security.md A3–A8, and the address tables of imgproxy and smokescreen.
        let refused = [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.0.0.2",
            "169.254.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.1",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.0.1",
            "198.18.0.1",
            "198.51.100.1",
            "203.0.113.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "100.100.100.200",
            "168.63.129.16",
            "::",
            "::1",
            "::ffff:127.0.0.2",
            "::ffff:7f00:2",
            "0:0:0:0:0:ffff:7f00:2",
            "::127.0.0.2",
            "::10.0.0.1",
            "64:ff9b::7f00:2",
            "64:ff9b::172.16.0.1",
            "64:ff9b:1::1",
            "2002:7f00:2::",
            "2002:c0a8:0101::",
            "2001:0:4136:e378::1",
            "2001:db8::1",
            "100::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff02::2",
        ];
        for address in refused {
            assert!(
                not_public(ip(address)).is_some(),
                "{address} must be refused"
            );
        }
        let public = [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.254",
            "100.128.0.1",
            "172.32.0.1",
            "192.169.0.1",
            "2001:4860:4860::8888",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ];
        for address in public {
            assert_eq!(not_public(ip(address)), None, "{address} is public");
        }
    }

    #[test]
    fn an_exact_exemption_opens_one_address_and_port_only() {
        // smokescreen's model: allow one IP:port; the rest of loopback stays closed.
        let guard = Guard {
            hosts: AllowedHosts::Any,
            exemptions: vec!["127.0.0.1:8087".parse().unwrap()],
            own: Vec::new(),
        };
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert!(guard.check_address(at("127.0.0.1:8087")).is_ok());
        assert!(guard.check_address(at("[::ffff:127.0.0.1]:8087")).is_ok());
        for other in [
            "127.0.0.1:8088",
            "127.0.0.2:8087",
            "0.0.0.0:8087",
            "[::1]:8087",
            "[::]:8087",
        ] {
            assert!(guard.check_address(at(other)).is_err(), "{other}");
        }
    }

    #[test]
    fn metadata_and_unspecified_addresses_stay_blocked_even_when_exempt() {
        let guard = Guard {
            hosts: AllowedHosts::Any,
            exemptions: vec![
                "169.254.0.0/16".parse().unwrap(),
                "0.0.0.0/0".parse().unwrap(),
                "fd00::/8".parse().unwrap(),
            ],
            own: Vec::new(),
        };
        for blocked in [
            "169.254.169.254:80",
            "0.0.0.0:80",
            "[fd00:ec2::254]:80",
            "100.100.100.200:80",
            "168.63.129.16:80",
        ] {
            assert!(
                guard.check_address(blocked.parse().unwrap()).is_err(),
                "{blocked}"
            );
        }
        assert!(
            guard
                .check_address("169.254.1.1:80".parse().unwrap())
                .is_ok()
        );
    }

    #[test]
    fn the_service_never_fetches_its_own_address_even_when_exempt() {
        let own: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let guard = Guard {
            exemptions: vec!["127.0.0.0/8".parse().unwrap(), Exemption::Exact(own)],
            own: vec![own],
            ..Guard::default()
        };
        assert!(guard.check_address(own).is_err());
        assert!(
            guard
                .check_address("[::ffff:127.0.0.1]:8080".parse().unwrap())
                .is_err()
        );
        assert!(
            guard
                .check_address("127.0.0.2:8080".parse().unwrap())
                .is_ok()
        );
        let everywhere = Guard {
            exemptions: vec!["10.0.0.0/8".parse().unwrap()],
            own: vec!["0.0.0.0:8080".parse().unwrap()],
            ..Guard::default()
        };
        assert!(
            everywhere
                .check_address("10.1.2.3:8080".parse().unwrap())
                .is_err()
        );
        assert!(
            everywhere
                .check_address("10.1.2.3:443".parse().unwrap())
                .is_ok()
        );
    }

    #[test]
    fn production_defaults_refuse_loopback() {
        let guard = Guard::default();
        let url = ArticleUrl::parse("http://127.0.0.1/", &[]).unwrap();
        assert!(matches!(
            guard.check_url(&url),
            Err(Blocked::Address { .. })
        ));
    }

    #[test]
    fn every_encoding_of_a_loopback_literal_is_caught_before_dns() {
        // docs/security.md A4/A5: url parses them all to the same address.
        let guard = Guard::default();
        for raw in [
            "http://2130706434/",
            "http://0x7f.0.0.2/",
            "http://0177.0.0.2/",
            "http://0x7f000002/",
            "http://127.2/",
            "http://\u{ff11}\u{ff12}\u{ff17}.0.0.2/",
            "http://127.0.0.2./",
            "http://[::1]/",
            "http://[::ffff:127.0.0.2]/",
            "http://[0:0:0:0:0:ffff:7f00:2]/",
            "http://0/",
            "http://[::]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://10.0.0.1/",
            "http://[fe80::1]/",
        ] {
            let url = ArticleUrl::parse(raw, &[]).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert!(
                matches!(guard.check_url(&url), Err(Blocked::Address { .. })),
                "{raw}"
            );
        }
    }

    #[test]
    fn local_names_are_refused_whatever_they_resolve_to() {
        let guard = Guard {
            hosts: AllowedHosts::Any,
            exemptions: vec!["127.0.0.1:80".parse().unwrap()],
            own: Vec::new(),
        };
        for raw in [
            "http://localhost/",
            "http://LOCALHOST./",
            "http://foo.localhost/",
            "http://printer.local/",
            "http://metadata.google.internal/",
            "http://nas.home.arpa/",
            "http://localhost.localdomain/",
        ] {
            let url = ArticleUrl::parse(raw, &[]).unwrap();
            assert!(
                matches!(guard.check_url(&url), Err(Blocked::Name(_))),
                "{raw}"
            );
        }
        assert!(
            guard
                .check_url(&ArticleUrl::parse("http://localhostnews.example/", &[]).unwrap())
                .is_ok()
        );
    }

    #[test]
    fn the_host_allow_list_takes_names_and_subdomain_patterns() {
        let hosts: AllowedHosts = "news.example, *.publisher.example".parse().unwrap();
        let guard = Guard {
            hosts,
            exemptions: Vec::new(),
            own: Vec::new(),
        };
        let check = |raw: &str| guard.check_url(&ArticleUrl::parse(raw, &[]).unwrap());
        assert!(check("https://news.example/a").is_ok());
        assert!(check("https://www.publisher.example/a").is_ok());
        assert!(matches!(
            check("https://publisher.example/a"),
            Err(Blocked::HostNotAllowed(_))
        ));
        assert!(matches!(
            check("https://evilpublisher.example/a"),
            Err(Blocked::HostNotAllowed(_))
        ));
        assert!(matches!(
            check("https://news.example.evil.org/a"),
            Err(Blocked::HostNotAllowed(_))
        ));
        assert!("".parse::<AllowedHosts>().is_err());
        assert!("*.".parse::<AllowedHosts>().is_err());
        assert_eq!("*".parse::<AllowedHosts>(), Ok(AllowedHosts::Any));
    }

    #[test]
    fn exemptions_parse_as_addresses_or_networks() {
        assert_eq!(
            "127.0.0.1:8087".parse::<Exemption>(),
            Ok(Exemption::Exact("127.0.0.1:8087".parse().unwrap()))
        );
        assert_eq!(
            "[::1]:9000".parse::<Exemption>(),
            Ok(Exemption::Exact("[::1]:9000".parse().unwrap()))
        );
        assert!(matches!(
            "10.0.0.0/8".parse::<Exemption>(),
            Ok(Exemption::Network(_))
        ));
        assert!("localhost:80".parse::<Exemption>().is_err());
        let guard = Guard {
            hosts: AllowedHosts::Any,
            exemptions: vec![
                "127.0.0.1:8087".parse().unwrap(),
                "10.0.0.0/8".parse().unwrap(),
            ],
            own: Vec::new(),
        };
        assert_eq!(guard.extra_ports(), vec![8087]);
    }
}
