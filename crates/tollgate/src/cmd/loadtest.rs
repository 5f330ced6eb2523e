//! `tollgate loadtest`: a reproducible HTTP load generator for the API (loopback only by default).
//! Keeps N keep-alive connections busy for a bounded time and prints throughput and latency
//! percentiles from an HDR histogram. Drives any method and body, e.g. POST export shipments
//! (`/v1/shipments/export`) or orders (`/v1/check`) with a bearer token, optionally with a fresh
//! `Idempotency-Key` per request.

use super::invalid;
use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Target URL (must be on a loopback address unless --allow-remote).
    #[arg(long)]
    url: String,
    /// HTTP method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// File whose content is sent as the JSON body.
    #[arg(long, conflicts_with = "body_inline")]
    body: Option<std::path::PathBuf>,
    /// The JSON body, inline.
    #[arg(long)]
    body_inline: Option<String>,
    /// Extra request header `Name: value` (repeatable).
    #[arg(long = "header")]
    headers: Vec<String>,
    /// Send a unique `Idempotency-Key` with every request (measures the keyed write path).
    #[arg(long)]
    idempotency_keys: bool,
    /// Records each request carries (e.g. shipments in a batch), to report records/s too.
    #[arg(long, default_value_t = 1)]
    items_per_request: u64,
    /// Bearer token.
    #[arg(long, env = "TOLLGATE_TOKEN")]
    token: Option<String>,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Seconds to run (bounded: at most 600).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Client worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Allow a non-loopback target.
    #[arg(long)]
    allow_remote: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let uri: hyper::Uri = args
        .url
        .parse()
        .map_err(|e| invalid(format!("--url: {e}")))?;
    let host = uri.host().unwrap_or_default().to_string();
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback && !args.allow_remote {
        return Err(invalid(format!(
            "--url: {host} is not a loopback address (pass --allow-remote to load another host)"
        )));
    }
    if args.seconds == 0 || args.seconds > 600 {
        return Err(invalid("--seconds: must be between 1 and 600"));
    }
    if args.connections == 0 || args.connections > 4096 {
        return Err(invalid("--connections: must be between 1 and 4096"));
    }
    let method: hyper::Method = args
        .method
        .to_uppercase()
        .parse()
        .map_err(|_| invalid(format!("--method: '{}'", args.method)))?;
    let body = match (&args.body, &args.body_inline) {
        (Some(p), _) => {
            Bytes::from(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?)
        }
        (None, Some(b)) => Bytes::from(b.clone()),
        (None, None) => Bytes::new(),
    };
    let mut headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)> = Vec::new();
    for h in &args.headers {
        let (k, v) = h
            .split_once(':')
            .ok_or_else(|| invalid(format!("--header: '{h}' is not 'Name: value'")))?;
        let name = hyper::header::HeaderName::from_bytes(k.trim().as_bytes())
            .map_err(|e| invalid(format!("--header: '{k}': {e}")))?;
        let value = hyper::header::HeaderValue::from_str(v.trim())
            .map_err(|e| invalid(format!("--header: '{v}': {e}")))?;
        headers.push((name, value));
    }
    if args.items_per_request == 0 {
        return Err(invalid("--items-per-request: must be at least 1"));
    }
    let keys = args.idempotency_keys;
    // Keys unique across runs and connections: process id, start time, connection, counter.
    let run_id = format!(
        "lt-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or_default()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    let (hist, ok, errors, status_err, elapsed) = rt.block_on(async move {
        let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_max_idle_per_host(args.connections)
                .build_http();
        let deadline = Instant::now() + Duration::from_secs(args.seconds);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for conn in 0..args.connections {
            let (client, uri, method, body, token, headers, run_id) = (
                client.clone(),
                uri.clone(),
                method.clone(),
                body.clone(),
                args.token.clone(),
                headers.clone(),
                run_id.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut h = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
                    .expect("histogram bounds");
                let (mut ok, mut err, mut bad) = (0u64, 0u64, 0u64);
                let mut n = 0u64;
                while Instant::now() < deadline {
                    n += 1;
                    let mut req = hyper::Request::builder()
                        .method(method.clone())
                        .uri(uri.clone())
                        .header("content-type", "application/json");
                    if let Some(t) = &token {
                        req = req.header("authorization", format!("Bearer {t}"));
                    }
                    for (k, v) in &headers {
                        req = req.header(k, v);
                    }
                    if keys {
                        req = req.header("idempotency-key", format!("{run_id}-{conn}-{n}"));
                    }
                    let Ok(req) = req.body(Full::new(body.clone())) else {
                        break;
                    };
                    let t0 = Instant::now();
                    match client.request(req).await {
                        Ok(resp) => {
                            let status = resp.status();
                            let _ = resp.into_body().collect().await;
                            let _ = h.record(t0.elapsed().as_micros().max(1) as u64);
                            if status.is_success() {
                                ok += 1;
                            } else {
                                bad += 1;
                            }
                        }
                        Err(_) => err += 1,
                    }
                }
                (h, ok, err, bad)
            }));
        }
        let mut all = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
            .expect("histogram bounds");
        let (mut ok, mut err, mut bad) = (0, 0, 0);
        for t in tasks {
            if let Ok((h, o, e, b)) = t.await {
                let _ = all.add(&h);
                ok += o;
                err += e;
                bad += b;
            }
        }
        (all, ok, err, bad, start.elapsed())
    });
    let secs = elapsed.as_secs_f64();
    println!(
        "{} {} for {:.1} s, {} connections, {} client threads",
        args.method.to_uppercase(),
        args.url,
        secs,
        args.connections,
        args.threads
    );
    println!(
        "requests: {} ok, {} non-2xx, {} errors",
        ok, status_err, errors
    );
    println!(
        "throughput: {:.0} requests/s",
        (ok + status_err) as f64 / secs
    );
    if args.items_per_request > 1 {
        println!(
            "records: {:.0}/s acknowledged ({} per request)",
            (ok * args.items_per_request) as f64 / secs,
            args.items_per_request
        );
    }
    println!(
        "latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms",
        hist.value_at_quantile(0.5) as f64 / 1000.0,
        hist.value_at_quantile(0.9) as f64 / 1000.0,
        hist.value_at_quantile(0.99) as f64 / 1000.0,
        hist.value_at_quantile(0.999) as f64 / 1000.0,
        hist.max() as f64 / 1000.0
    );
    if ok == 0 {
        anyhow::bail!("no successful request");
    }
    Ok(())
}
