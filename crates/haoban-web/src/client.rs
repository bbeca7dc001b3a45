//! Where a request comes from: the peer's address, or, behind a reverse proxy that the
//! configuration trusts, the address that proxy says it forwarded for. Sign-in lockout
//! counts failures per account and source with it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;

/// What a request without a peer address (one sent in-process, by a test) counts as.
pub const LOCAL: &str = "local";

/// The client's address as text, e.g. `203.0.113.9` or `2001:db8::1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSource(pub String);

impl FromRequestParts<AppState> for ClientSource {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientSource(source_of(
            parts,
            &state.config.trusted_proxies,
        )))
    }
}

/// The peer's address; if the peer is a trusted proxy, the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy (the left part a client can forge).
pub fn source_of(parts: &Parts, trusted_proxies: &[IpAddr]) -> String {
    let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
        return LOCAL.to_owned();
    };
    let peer = peer.ip();
    if !trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    forwarded
        .iter()
        .rev()
        .filter_map(|text| text.parse::<IpAddr>().ok())
        .find(|ip| !trusted_proxies.contains(ip))
        .unwrap_or(peer)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: Option<&str>, forwarded: &[&str]) -> Parts {
        let mut request = Request::builder().uri("/");
        for value in forwarded {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).expect("request").into_parts();
        if let Some(peer) = peer {
            let addr: SocketAddr = peer.parse().expect("address");
            parts.extensions.insert(ConnectInfo(addr));
        }
        parts
    }

    #[test]
    fn believes_forwarded_addresses_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().expect("ip");
        let trusted = [proxy];
        assert_eq!(source_of(&parts(None, &[]), &trusted), LOCAL);
        // Not a proxy: what it claims is ignored.
        assert_eq!(
            source_of(
                &parts(Some("203.0.113.9:5000"), &["198.51.100.1"]),
                &trusted
            ),
            "203.0.113.9"
        );
        // The proxy appends the real client; what the client wrote before it is forgeable.
        assert_eq!(
            source_of(
                &parts(Some("10.0.0.2:443"), &["1.2.3.4, 203.0.113.9"]),
                &trusted
            ),
            "203.0.113.9"
        );
        assert_eq!(
            source_of(
                &parts(Some("10.0.0.2:443"), &["1.2.3.4", "203.0.113.9, 10.0.0.2"]),
                &trusted
            ),
            "203.0.113.9"
        );
        // A proxy that forwarded nothing readable is the source itself.
        assert_eq!(
            source_of(&parts(Some("10.0.0.2:443"), &["garbage"]), &trusted),
            "10.0.0.2"
        );
        assert_eq!(
            source_of(&parts(Some("[2001:db8::1]:443"), &[]), &trusted),
            "2001:db8::1"
        );
    }
}
