//! `tollgate serve`: the API and dashboard on the embedded default (bundled data, SQLite file).

use super::regulation;
use anyhow::Context;
use tollgate_server::auth::{hash_token, Principal, Role};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Database URL (sqlite://FILE or postgres://...).
    #[arg(long, env = "TOLLGATE_DB", default_value = "sqlite://tollgate.db")]
    db: String,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
}

/// A new random API token (256 bits, hex).
pub fn new_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    format!(
        "tg_{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    )
}

pub fn run(args: Args) -> anyhow::Result<()> {
    init_logging();
    let reg = regulation()?;
    let state = tollgate_server::AppState::new(reg);
    let _ = &args.db;
    let bootstrap = if state.tokens.is_empty() {
        let token = new_token();
        state.tokens.insert(
            hash_token(&token),
            Principal {
                token_id: "bootstrap".into(),
                role: Role::Regulator,
                exporter: None,
            },
        );
        Some(token)
    } else {
        None
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(t) = args.threads {
        rt.worker_threads(t.max(1));
    }
    let rt = rt.build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "tollgate serving");
        if let Some(token) = bootstrap {
            println!("Created a regulator token (shown once): {token}");
            println!("Dashboard login: http://{addr}/login?token={token}");
        }
        println!("Serving on http://{addr}");
        use std::io::Write;
        std::io::stdout().flush()?;
        tollgate_server::serve(listener, state, shutdown_signal())
            .await
            .context("server")
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Structured logs: JSON lines when stderr is not a terminal, readable text when it is.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOLLGATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if std::io::stderr().is_terminal() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
    } else {
        let _ = tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
    }
}
