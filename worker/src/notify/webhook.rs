//! The HTTP client that delivers digest webhooks, and its guard against server-side
//! request forgery: webhook URLs are chosen by tenants, so unless
//! `WEBHOOK_ALLOW_PRIVATE_NETWORKS=1` the client refuses to reach loopback, private,
//! link-local (cloud metadata), shared, multicast and other non-public addresses —
//! checked on every address the name resolves to (in the resolver the connection uses,
//! so a DNS answer cannot change between the check and the connect) and on IP-literal
//! URLs; an IPv6 address that carries an IPv4 one (IPv4-mapped, IPv4-compatible, NAT64,
//! 6to4, Teredo) is judged by the IPv4 address it carries — and it never follows
//! redirects (a 3xx is a failed delivery).
//!
//! The proxy variables of the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`) are
//! ignored: a proxy resolves the name itself, out of the guard's reach. An operator who
//! needs one names it in `WEBHOOK_EGRESS_PROXY`; every delivery then goes through it, and
//! that proxy must enforce the egress policy for names (IP-literal URLs are still checked
//! here).

use crate::error::Error;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

/// Builds the webhook client: no redirects, no proxy from the environment, through
/// `egress_proxy` when one is given, and otherwise (unless `allow_private`) resolving
/// names to public addresses only.
///
/// # Errors
/// The TLS backend cannot be initialised, or `egress_proxy` is not a usable proxy URL.
pub fn client(
    timeout: Duration,
    allow_private: bool,
    egress_proxy: Option<&str>,
) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("AsyncStand-Webhook/", env!("CARGO_PKG_VERSION")));
    match egress_proxy {
        // Only the proxy's own name is resolved here; it resolves the receivers' names.
        Some(proxy) => {
            let proxy = reqwest::Proxy::all(proxy).map_err(|_| {
                Error::config(
                    "WEBHOOK_EGRESS_PROXY",
                    "not a proxy URL such as http://proxy.internal:3128",
                )
            })?;
            builder = builder.proxy(proxy);
        }
        None if !allow_private => builder = builder.dns_resolver(Arc::new(PublicOnly)),
        None => {}
    }
    builder
        .build()
        .map_err(|e| Error::config("webhook client", e.to_string()))
}

/// Refuses a URL whose host is an IP literal of a non-public network (the resolver is
/// not asked for those).
///
/// # Errors
/// [`Error::Webhook`] naming the rule, never the URL.
pub fn check_url(url: &str, allow_private: bool) -> Result<(), Error> {
    if allow_private {
        return Ok(());
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::Webhook(format!("unusable webhook URL: {e}")))?;
    let ip = parsed
        .host_str()
        .map(|host| host.trim_start_matches('[').trim_end_matches(']'))
        .and_then(|host| host.parse::<IpAddr>().ok());
    match ip {
        Some(ip) if !is_public(ip) => Err(Error::Webhook(
            "the webhook URL points to a non-public address".into(),
        )),
        _ => Ok(()),
    }
}

/// Resolves with the system resolver and keeps only public addresses.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| is_public(addr.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// True for addresses on the public internet.
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match embedded_ipv4(ip) {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(ip),
        },
    }
}

/// The IPv4 address an IPv6 address stands for, in the forms that reach it: an
/// IPv4-mapped (`::ffff:0:0/96`), IPv4-translated (`::ffff:0:0:0/96`) or IPv4-compatible
/// (`::/96`, which holds `::` and `::1` too) address, the NAT64 well-known prefix
/// (`64:ff9b::/96`), 6to4 (`2002::/16`, the IPv4 address in bits 16..48) and Teredo
/// (`2001::/32`, the client's address inverted in the last 32 bits).
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = ip.segments();
    let [.., a, b, c, d] = ip.octets();
    let low = Ipv4Addr::new(a, b, c, d);
    match segments {
        [0, 0, 0, 0, 0, 0xffff, _, _]
        | [0, 0, 0, 0, 0xffff, 0, _, _]
        | [0, 0, 0, 0, 0, 0, _, _]
        | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, high, low16, ..] => {
            Some(Ipv4Addr::from((u32::from(high) << 16) | u32::from(low16)))
        }
        [0x2001, 0, ..] => Some(Ipv4Addr::from(!u32::from(low))),
        _ => None,
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

/// For IPv6 addresses that carry no IPv4 address: global unicast (`2000::/3`) outside
/// the documentation and benchmarking blocks. Everything else — loopback, unspecified,
/// unique local `fc00::/7`, link-local `fe80::/10`, multicast, the local-use NAT64 prefix
/// `64:ff9b:1::/48`, discard-only `100::/64` — is not public.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, third, ..] = ip.segments();
    (first & 0xe000) == 0x2000
        // Documentation 2001:db8::/32 and 3fff::/20.
        && !(first == 0x2001 && second == 0x0db8)
        && !(first == 0x3fff && second < 0x1000)
        // Benchmarking 2001:2::/48.
        && !(first == 0x2001 && second == 0x0002 && third == 0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn public(ip: &str) -> bool {
        is_public(ip.parse().unwrap())
    }

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "100::1",
            "2001:db8::1",
            "3fff::1",
            "2001:2::1",
        ] {
            assert!(!public(private), "{private}");
        }
        for public_ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
        ] {
            assert!(public(public_ip), "{public_ip}");
        }
    }

    #[test]
    fn ipv4_mapped_and_translated_addresses_are_judged_by_their_ipv4_address() {
        for private in [
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::ffff:0:127.0.0.1",
            "::ffff:0:192.168.0.1",
        ] {
            assert!(!public(private), "{private}");
        }
        assert!(public("::ffff:93.184.216.34"));
        assert!(public("::ffff:0:93.184.216.34"));
    }

    #[test]
    fn ipv4_compatible_addresses_are_judged_by_their_ipv4_address() {
        for private in [
            "::127.0.0.1",
            "::10.0.0.1",
            "::169.254.169.254",
            "::0.0.0.2",
        ] {
            assert!(!public(private), "{private}");
        }
        assert!(public("::93.184.216.34"));
    }

    #[test]
    fn nat64_addresses_are_judged_by_their_ipv4_address() {
        for private in [
            "64:ff9b::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::192.168.1.1",
            // The local-use NAT64 prefix, 64:ff9b:1::/48, never reaches the internet.
            "64:ff9b:1::5db8:d822",
        ] {
            assert!(!public(private), "{private}");
        }
        assert!(public("64:ff9b::93.184.216.34"));
    }

    #[test]
    fn sixtofour_addresses_are_judged_by_their_ipv4_address() {
        for private in [
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2002:c0a8:101::1",
            "2002:a00:1::",
        ] {
            assert!(!public(private), "{private}");
        }
        assert!(public("2002:5db8:d822::1"));
    }

    #[test]
    fn teredo_addresses_are_judged_by_their_client_ipv4_address() {
        // Client 127.0.0.1 (stored inverted: 80ff:fffe), server 65.54.227.120.
        assert!(!public("2001:0:4136:e378:8000:63bf:80ff:fffe"));
        // Client 169.254.169.254.
        assert!(!public("2001:0:4136:e378:8000:63bf:5601:5601"));
        // Client 93.184.216.34.
        assert!(public("2001:0:4136:e378:8000:63bf:a247:27dd"));
    }

    #[test]
    fn ip_literal_urls_of_private_networks_are_refused_unless_allowed() {
        for refused in [
            "http://127.0.0.1:8080/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest",
            "http://[::ffff:7f00:1]/hook",
            "http://[::127.0.0.1]/hook",
            "http://[64:ff9b::a9fe:a9fe]/latest",
            "http://[2002:a9fe:a9fe::]/latest",
        ] {
            assert!(check_url(refused, false).is_err(), "{refused}");
        }
        assert!(check_url("https://hooks.example.com/x", false).is_ok());
        assert!(check_url("http://127.0.0.1:8080/hook", true).is_ok());
    }

    /// A local HTTP server answering every request with `response`; records the request
    /// heads it got.
    struct Server {
        addr: SocketAddr,
        requests: Arc<Mutex<Vec<String>>>,
    }

    impl Server {
        async fn start(response: String) -> Server {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let requests = Arc::new(Mutex::new(Vec::new()));
            let log = Arc::clone(&requests);
            tokio::spawn(async move {
                while let Ok((mut socket, _)) = listener.accept().await {
                    let mut head = Vec::new();
                    let mut buf = [0_u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    log.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&head).into_owned());
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                }
            });
            Server { addr, requests }
        }

        fn requests(&self) -> Vec<String> {
            self.requests.lock().unwrap().clone()
        }
    }

    const OK: &str = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

    #[tokio::test]
    async fn the_client_refuses_names_that_resolve_to_loopback() {
        let receiver = Server::start(OK.into()).await;
        let url = format!("http://localhost:{}/hook", receiver.addr.port());
        // Reachable when private networks are allowed: the refusal below is the guard's.
        let open = client(Duration::from_secs(2), true, None).unwrap();
        assert!(open.post(&url).send().await.unwrap().status().is_success());
        assert_eq!(receiver.requests().len(), 1);

        let guarded = client(Duration::from_secs(2), false, None).unwrap();
        let err = guarded.post(&url).send().await.unwrap_err();
        assert!(err.is_connect() || err.is_request(), "{err:?}");
        assert_eq!(
            receiver.requests().len(),
            1,
            "the guarded client got through"
        );
    }

    #[tokio::test]
    async fn a_redirect_to_a_private_address_is_not_followed() {
        let target = Server::start(OK.into()).await;
        let redirecting = Server::start(format!(
            "HTTP/1.1 302 Found\r\nlocation: http://{}/latest/meta-data\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            target.addr
        ))
        .await;
        // Private networks allowed, so only the redirect policy stands in the way.
        let client = client(Duration::from_secs(2), true, None).unwrap();
        let response = client
            .post(format!("http://{}/hook", redirecting.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::FOUND);
        assert!(!response.status().is_success(), "a 3xx fails the delivery");
        assert_eq!(redirecting.requests().len(), 1);
        assert!(target.requests().is_empty(), "the redirect was followed");
    }

    #[tokio::test]
    async fn an_egress_proxy_named_in_the_settings_carries_every_delivery() {
        let proxy = Server::start(OK.into()).await;
        let client = client(
            Duration::from_secs(2),
            false,
            Some(&format!("http://{}", proxy.addr)),
        )
        .unwrap();
        let response = client
            .post("http://hooks.example.invalid/standups")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        let requests = proxy.requests();
        assert_eq!(requests.len(), 1);
        assert!(
            requests[0].starts_with("POST http://hooks.example.invalid/standups HTTP/1.1"),
            "{requests:?}"
        );
        assert!(super::client(Duration::from_secs(2), false, Some("not a url")).is_err());
    }

    const PROXY_PROBE: &str = "notify::webhook::tests::proxy_environment_probe";

    /// Run by [`the_client_ignores_proxy_environment_variables`] in a child process whose
    /// environment names a proxy (the environment is process-wide, so the parent never
    /// changes its own).
    #[tokio::test]
    #[ignore = "run in a child process by the_client_ignores_proxy_environment_variables"]
    async fn proxy_environment_probe() {
        for allow_private in [false, true] {
            let client = client(Duration::from_secs(2), allow_private, None).unwrap();
            for url in [
                "http://hooks.example.invalid/standups",
                "https://hooks.example.invalid/standups",
            ] {
                // `.invalid` never resolves: without a proxy the request fails here.
                assert!(client.post(url).send().await.is_err(), "{url}");
            }
        }
    }

    #[tokio::test]
    async fn the_client_ignores_proxy_environment_variables() {
        let proxy = Server::start(OK.into()).await;
        let proxy_url = format!("http://{}", proxy.addr);
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child
            .args([PROXY_PROBE, "--exact", "--ignored", "--nocapture"])
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .env_remove("REQUEST_METHOD");
        for var in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            child.env(var, &proxy_url);
        }
        let output = tokio::task::spawn_blocking(move || child.output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "probe failed: {stdout}");
        assert!(
            stdout.contains("1 passed"),
            "the probe did not run: {stdout}"
        );
        assert_eq!(
            proxy.requests(),
            Vec::<String>::new(),
            "the client went through the proxy of the environment"
        );
    }
}
