//! `tollgate serve`: the API and dashboard on the embedded default (bundled data, SQLite file),
//! or on PostgreSQL, where several nodes share one database and behave as one system.

use super::records::store_error;
use super::regulation;
use anyhow::Context;
use std::sync::Arc;
use tollgate_store::{Records, SqlStore, WriteCtx};

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
    /// Screen against the list files in DIR instead of the bundled lists.
    #[arg(long, value_name = "DIR")]
    lists: Option<std::path::PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    init_logging();
    let reg = Arc::new(regulation()?);
    let screener = Arc::new(match &args.lists {
        Some(dir) => tollgate_screen::Screener::from_dir(dir)
            .with_context(|| format!("loading the lists in {}", dir.display()))?,
        None => tollgate_screen::Screener::bundled().context("loading the bundled lists")?,
    });
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(t) = args.threads {
        rt.worker_threads(t.max(1));
    }
    let rt = rt.build()?;
    rt.block_on(async move {
        let store = SqlStore::connect(&args.db, reg.clone())
            .await
            .map_err(store_error)
            .with_context(|| format!("opening {}", redact(&args.db)))?;
        // An empty database gets one regulator token, decided under the store's audit lock so
        // that nodes starting together create one between them.
        let bootstrap = store
            .bootstrap_token(&WriteCtx::new("tollgate serve"))
            .await
            .map_err(store_error)?;
        let active = store
            .tokens()
            .await
            .map_err(store_error)?
            .iter()
            .filter(|t| t.revoked_at.is_none())
            .count();
        tracing::info!(db = %redact(&args.db), active_tokens = active, "records database open");
        let state = tollgate_server::AppState::shared(reg)
            .with_store(store)
            .with_screener(screener);
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "tollgate serving");
        if let Some(t) = bootstrap {
            let token = t.secret;
            println!(
                "Created a regulator token {} (shown once): {token}",
                t.token.id
            );
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

/// A database URL without its password, for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
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
