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
    /// Screen against the list files in DIR instead of the bundled lists (never reloaded).
    #[arg(long, value_name = "DIR")]
    lists: Option<std::path::PathBuf>,
    #[command(flatten)]
    current: super::screen::CurrentLists,
    /// Download current lists into the list directory on this schedule (e.g. 6h, 30m, 1d), as
    /// `tollgate lists update --source all` does, and swap them in without a restart.
    #[arg(long, value_name = "INTERVAL")]
    refresh_lists: Option<String>,
}

/// How often the server looks at the list directory's state for lists updated by anyone (the
/// CLI, this server's refresh, another node through the database).
const LIST_POLL: std::time::Duration = std::time::Duration::from_secs(2);

pub fn run(args: Args) -> anyhow::Result<()> {
    init_logging();
    let reg = Arc::new(regulation()?);
    let refresh = args
        .refresh_lists
        .as_deref()
        .map(tollgate_server::lists::parse_interval)
        .transpose()
        .map_err(|e| super::invalid(format!("--refresh-lists: {e}")))?;
    if refresh.is_some() && args.lists.is_some() {
        return Err(super::invalid(
            "--refresh-lists: not with --lists DIR (exactly those files); the refresh updates the list directory (--lists-dir)",
        ));
    }
    let max_age = args.current.max_age();
    let list_dir = args.current.dir();
    let (screener, fingerprint, source) = match &args.lists {
        Some(dir) => (
            tollgate_screen::Screener::exact(dir, max_age, Default::default())
                .with_context(|| format!("loading the lists in {}", dir.display()))?,
            String::new(),
            tollgate_server::lists::ListSource::Exact(dir.clone()),
        ),
        None => {
            let c = tollgate_screen::updater::load_current(&list_dir, Default::default())
                .context("loading the lists")?;
            let fp = c.fingerprint.clone();
            (
                tollgate_screen::Screener::build(c.files)
                    .with_freshness(tollgate_screen::freshness::Freshness::new(c.ages, max_age)),
                fp,
                tollgate_server::lists::ListSource::Current {
                    dir: list_dir.clone(),
                    max_age_days: max_age,
                },
            )
        }
    };
    let screener = Arc::new(screener);
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
        let state = tollgate_server::AppState::shared(reg).with_store(store);
        state.lists.swap(screener, fingerprint);
        state.lists.set_source(source);
        if let Some(w) = state
            .lists
            .screener()
            .and_then(|s| s.warnings().into_iter().next())
        {
            tracing::warn!(code = %w.code, "{}", w.message);
        }

        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        let addr = listener.local_addr()?;
        // Several nodes on one PostgreSQL database screen with the list version it names.
        let versions = if is_postgres(&args.db) {
            Some(
                tollgate_store::list_versions::ListVersions::connect(&args.db)
                    .await
                    .map_err(store_error)
                    .context("opening the list versions")?,
            )
        } else {
            None
        };
        let node = format!("tollgate serve {addr} (pid {})", std::process::id());
        spawn_list_tasks(&state, refresh, versions, node).await;
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

/// How often a node on PostgreSQL reads the list version the database names.
const LIST_SYNC_POLL: std::time::Duration = std::time::Duration::from_secs(3);

pub fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The list tasks: a watcher that swaps in new lists when the list directory changes; on
/// PostgreSQL the follower of the database's list version (one look before serving, so a node
/// starts on the agreed version); with `--refresh-lists` the scheduled update from the
/// publishers, published to the database.
async fn spawn_list_tasks(
    state: &tollgate_server::AppState,
    refresh: Option<std::time::Duration>,
    versions: Option<tollgate_store::list_versions::ListVersions>,
    node: String,
) {
    use tollgate_server::lists::{follow_once, ListSource};
    let ListSource::Current { dir, .. } = state.lists.list_source() else {
        return;
    };
    let lists = state.lists.clone();
    if let Some(lv) = &versions {
        let _g = lists.ops.lock().await;
        let st = follow_once(&lists, lv, &dir, &node).await;
        if let Some(e) = &st.error {
            tracing::warn!(error = %e, "following the database's list version");
        }
        lists.set_sync(st);
        let (lists, lv, dir, node) = (lists.clone(), lv.clone(), dir.clone(), node.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(LIST_SYNC_POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let _g = lists.ops.lock().await;
                let st = follow_once(&lists, &lv, &dir, &node).await;
                if let Some(e) = &st.error {
                    tracing::warn!(error = %e, "following the database's list version");
                }
                lists.set_sync(st);
            }
        });
    }
    {
        let lists = lists.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(LIST_POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let l = lists.clone();
                match tokio::task::spawn_blocking(move || l.reload_if_changed()).await {
                    Ok(Ok(true)) => tracing::info!("new screening lists swapped in"),
                    Ok(Ok(false)) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "reading the list directory"),
                    Err(e) => tracing::warn!(error = %e, "list reload task"),
                }
            }
        });
    }
    let Some(every) = refresh else {
        return;
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _g = lists.ops.lock().await;
            let d = dir.clone();
            let updated = match tokio::task::spawn_blocking(move || refresh_once(&d)).await {
                Ok(u) => u,
                Err(e) => {
                    tracing::warn!(error = %e, "list refresh task");
                    continue;
                }
            };
            if let Some(lv) = &versions {
                for s in updated {
                    match tollgate_server::lists::publish(lv, &dir, s, &node).await {
                        Ok(()) => tracing::info!(source = s.name(), "list version published"),
                        Err(e) => {
                            tracing::warn!(source = s.name(), error = %e, "publishing the list version")
                        }
                    }
                }
            }
            let l = lists.clone();
            let _ = tokio::task::spawn_blocking(move || l.reload_if_changed()).await;
        }
    });
}

/// One scheduled refresh: every source `lists update --source all` takes; a refused download
/// leaves the version in use (logged).
fn refresh_once(dir: &std::path::Path) -> Vec<tollgate_screen::updater::Source> {
    use tollgate_screen::updater::{self, Outcome, Source, UpdateOptions};
    let mut sources = vec![Source::Csl, Source::Ofac, Source::Un];
    if updater::read_state(dir, Source::OpenSanctions).is_some() {
        sources.push(Source::OpenSanctions);
    }
    let mut updated = Vec::new();
    for s in sources {
        match updater::update(dir, s, UpdateOptions::default()) {
            Ok(Outcome::Updated(st)) => {
                updated.push(s);
                for f in &st.files {
                    tracing::info!(source = s.name(), file = %f.file, rows = f.rows, as_of = %f.as_of, sha256 = %f.sha256, url = %f.url, "list updated");
                }
            }
            Ok(Outcome::NotModified(_)) => {
                tracing::info!(source = s.name(), "list not modified")
            }
            Err(e) => tracing::warn!(source = s.name(), error = %e, "list update refused"),
        }
    }
    updated
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
