//! Credentials: argon2 password hashes, API tokens and session ids (stored as SHA-256
//! digests), the session cookie with its CSRF token, and the [`Caller`] extractor that turns a
//! request's `Authorization: Bearer` header or session cookie into a [`Principal`].

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use clusterplan_store::User;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;
use crate::rights::Principal;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "clusterplan_session";
/// Header a cookie-authenticated unsafe request must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Prefix of API tokens, so that leaked ones are easy to search for.
const TOKEN_PREFIX: &str = "cpt_";

/// `n` random bytes from the operating system, hex-encoded.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 digest, hex: what the store keeps of tokens and session ids. These are 256-bit
/// random values, so a fast hash is enough (unlike passwords).
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new API token (shown once; only its digest is stored).
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_hex(32))
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format_args!("argon2: {e}")))
}

/// Checks a password against a PHC string; `None` for an unknown account still spends the
/// time of one verification, so that timing does not reveal which names exist.
pub fn verify_password(password: &str, phc: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
    let known = phc.is_some();
    let Ok(parsed) = PasswordHash::new(phc.unwrap_or(dummy)) else { return false };
    let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    ok && known
}

/// Shortest password accepted, by `clusterplan user add|password` and `POST /auth/password`.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The password policy shared by the command line and the HTTP password change: at least
/// [`MIN_PASSWORD_CHARS`] characters, and not the account's name. `Err` says what is wrong.
pub fn check_password_policy(name: &str, password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("the password must have at least {MIN_PASSWORD_CHARS} characters"));
    }
    if password.trim().to_lowercase() == name.trim().to_lowercase() {
        return Err("the password must not be the account name".into());
    }
    Ok(())
}

/// A live session as the request presented it.
#[derive(Debug, Clone)]
pub struct SessionRef {
    /// Digest of the session id.
    pub id_hash: String,
    /// Its CSRF token.
    pub csrf_token: String,
}

/// Who is calling, from where, and through which session (if a cookie was used).
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account or the public.
    pub principal: Principal,
    /// Client address (the socket peer).
    pub address: Option<String>,
    /// The session, for cookie-authenticated requests.
    pub session: Option<SessionRef>,
}

fn principal_of(user: User) -> Principal {
    Principal::User { name: user.name, role: user.role, unit_code: user.unit_code }
}

/// The session id in the request's cookies, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_owned())
}

/// The `Set-Cookie` value for a session (empty value and zero age to clear it). `Secure` when
/// the request came through TLS (`X-Forwarded-Proto: https`) or the server is told so.
pub fn session_set_cookie(state: &AppState, headers: &HeaderMap, value: Option<&str>) -> String {
    let secure = state.config.secure_cookies
        || headers.get("x-forwarded-proto").is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    let age = if value.is_some() { SESSION_HOURS * 3600 } else { 0 };
    cookie::Cookie::build((SESSION_COOKIE, value.unwrap_or("").to_owned()))
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(cookie::time::Duration::seconds(age))
        .build()
        .to_string()
}

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The client's address, when the server was started with connect info: the socket peer, or,
/// when the peer is one of the configured trusted proxies (`--trusted-proxy`), the address that
/// proxy put in `X-Forwarded-For` (read from the right, past any further trusted proxies).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts, state))
    }
}

impl ClientAddress {
    fn of(parts: &Parts, state: &AppState) -> Self {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        ClientAddress(peer.map(|p| client_ip(p, &parts.headers, &state.config.trusted_proxies).to_string()))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy, else the rightmost
/// `X-Forwarded-For` entry that is not a trusted proxy (entries further left are written by
/// the client and prove nothing). A malformed entry stops the walk at the last trusted hop.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip;
        if !trusted.contains(&ip) {
            break;
        }
    }
    client
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// The first extraction of a request looks the credentials up and keeps the caller in the
    /// request's extensions; later ones (another extractor, the HTML view's JSON handler) reuse
    /// it instead of asking the store again.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = Self::authenticate(parts, state).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

impl Caller {
    async fn authenticate(parts: &Parts, state: &AppState) -> Result<Self, ApiError> {
        let ClientAddress(address) = ClientAddress::of(parts, state);
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let text = value.to_str().unwrap_or_default();
            let token = text
                .strip_prefix("Bearer ")
                .or_else(|| text.strip_prefix("bearer "))
                .map(str::trim)
                .ok_or_else(|| ApiError::Unauthorized("only `Authorization: Bearer <token>` is accepted".into()))?;
            let user = state.store.user_by_token(&digest(token)).await?.ok_or_else(|| {
                ApiError::Unauthorized("the API token is unknown, revoked or its account disabled".into())
            })?;
            return Ok(Caller { principal: principal_of(user), address, session: None });
        }
        if let Some(id) = session_cookie(&parts.headers) {
            let id_hash = digest(&id);
            if let Some(session) = state.store.session(&id_hash).await? {
                if !is_safe(&parts.method) {
                    let sent = parts.headers.get(CSRF_HEADER).map(axum::http::HeaderValue::as_bytes);
                    // Constant-time: the token is a secret of the session.
                    let matches = sent.is_some_and(|s| {
                        use subtle::ConstantTimeEq;
                        s.ct_eq(session.csrf_token.as_bytes()).into()
                    });
                    if !matches {
                        return Err(ApiError::Forbidden(
                            "a request authenticated by the session cookie needs the session's X-CSRF-Token header"
                                .into(),
                        ));
                    }
                }
                return Ok(Caller {
                    principal: principal_of(session.user),
                    address,
                    session: Some(SessionRef { id_hash, csrf_token: session.csrf_token }),
                });
            }
            // An expired or unknown cookie: the caller is the public, as without one.
        }
        Ok(Caller { principal: Principal::Anonymous, address, session: None })
    }
}

#[cfg(test)]
mod forwarded_tests {
    use std::net::IpAddr;

    use axum::http::HeaderMap;

    use super::client_ip;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().expect("header"));
        }
        headers
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(client_ip(ip("198.51.100.7"), &headers, &[ip("10.0.0.1")]), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("10.0.0.1"), &headers, &[]), ip("10.0.0.1"), "no proxy is trusted by default");
    }

    #[test]
    fn a_trusted_proxy_names_the_client_from_the_right() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        // The client wrote a fake first entry; proxy 10.0.0.2 appended the real client, and
        // 10.0.0.1 appended 10.0.0.2.
        let headers = forwarded(&["1.2.3.4, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &headers, &trusted), ip("203.0.113.9"));
        assert_eq!(client_ip(ip("10.0.0.1"), &HeaderMap::new(), &trusted), ip("10.0.0.1"), "no header: the proxy");
        let garbled = forwarded(&["203.0.113.9, not-an-ip"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &garbled, &trusted), ip("10.0.0.1"), "a malformed hop proves nothing");
        let v6 = forwarded(&["2001:db8::5"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &v6, &trusted), ip("2001:db8::5"));
    }
}
