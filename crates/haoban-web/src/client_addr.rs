//! Where a request came from: the peer's address, or — when the peer is a reverse proxy
//! the configuration trusts — the client its `X-Forwarded-For` names. The access log
//! writes it; rate limits key on it.
//!
//! `X-Forwarded-For` is a list each proxy appends the address it received from to. Only
//! entries written by trusted proxies can be believed, so the list is read from the right,
//! skipping trusted proxies: the first address that is not one is the client. Anything a
//! client writes itself sits further left and is never reached while an untrusted hop is
//! found first. A peer that is not a trusted proxy is the client, whatever it sends.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Request};

use crate::AppState;

pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// The reverse proxies whose `X-Forwarded-For` is believed, by address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpAddr>);

impl TrustedProxies {
    pub fn new(addresses: impl IntoIterator<Item = IpAddr>) -> TrustedProxies {
        TrustedProxies(addresses.into_iter().map(canonical).collect())
    }

    pub fn none() -> TrustedProxies {
        TrustedProxies::default()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.contains(&canonical(address))
    }
}

/// An IPv4 address seen through an IPv6 socket (`::ffff:10.0.0.1`) is the IPv4 one.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The client's address: `peer` (the TCP peer), or the address trusted proxies say they
/// received the request from. `None` without a peer (a request made in process).
pub fn client_addr(
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = canonical(peer?);
    if !trusted.trusts(peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        // An unreadable entry stops the walk: what is left of it cannot be believed.
        let Some(address) = parse_hop(hop) else {
            break;
        };
        client = canonical(address);
        if !trusted.trusts(client) {
            break;
        }
    }
    Some(client)
}

/// `203.0.113.7`, `2001:db8::1`, or either with a port (`203.0.113.7:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The client's address of `request` as text, or `unknown`.
pub fn of_request<B>(request: &Request<B>, trusted: &TrustedProxies) -> String {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    client_addr(request.headers(), peer, trusted)
        .map_or_else(|| "unknown".to_owned(), |address| address.to_string())
}

/// The client's address as text (`unknown` for a request made in process), for handlers:
/// sign-in failures are counted per account and this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSource(pub String);

impl FromRequestParts<AppState> for ClientSource {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        let client = client_addr(&parts.headers, peer, &state.config.trusted_proxies);
        Ok(ClientSource(client.map_or_else(
            || "unknown".to_owned(),
            |address| address.to_string(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(FORWARDED_FOR, value.parse().expect("header"));
        }
        headers
    }

    #[test]
    fn a_peer_that_is_no_trusted_proxy_is_the_client_whatever_it_claims() {
        let trusted = TrustedProxies::new([ip("10.0.0.2")]);
        let claims = forwarded(&["198.51.100.1"]);
        assert_eq!(
            client_addr(&claims, Some(ip("203.0.113.9")), &trusted),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            client_addr(&claims, Some(ip("203.0.113.9")), &TrustedProxies::none()),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(client_addr(&claims, None, &trusted), None);
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = TrustedProxies::new([ip("10.0.0.2"), ip("10.0.0.3")]);
        // The client forged the first entry; the proxies appended the rest.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9", "10.0.0.3"]);
        assert_eq!(
            client_addr(&headers, Some(ip("10.0.0.2")), &trusted),
            Some(ip("203.0.113.9"))
        );
        // With a port, IPv6, and through an IPv6 socket.
        let headers = forwarded(&["[2001:db8::7]:4711"]);
        assert_eq!(
            client_addr(&headers, Some(ip("::ffff:10.0.0.2")), &trusted),
            Some(ip("2001:db8::7"))
        );
        // Nothing forwarded, or garbage: the proxy itself is all that is known.
        assert_eq!(
            client_addr(&HeaderMap::new(), Some(ip("10.0.0.2")), &trusted),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(
            client_addr(
                &forwarded(&["not an address"]),
                Some(ip("10.0.0.2")),
                &trusted
            ),
            Some(ip("10.0.0.2"))
        );
    }
}
