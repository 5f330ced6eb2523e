//! The `tollgate` binary: parses arguments and wires the library crates together.
//! No rule of the regulation lives here; each subcommand lives in its own module under `cmd/`.

mod cmd;

// The server and batch commands allocate many small values per request; mimalloc's per-thread
// free lists cut that cost well below glibc malloc's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "tollgate",
    version,
    about = "Export-control compliance engine for advanced AI accelerators"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Classify a chip (catalog id, alias or inline specs) under the regulation in force on a date.
    Classify(cmd::classify::Args),
    /// List the chip catalog.
    Chips(cmd::chips::Args),
    /// List the regulation packs, show one, or show what changed between two dates.
    Regs(cmd::regs::Args),
    /// Screen a party name (or a CSV batch) against the restricted-party lists.
    Screen(cmd::screen::Args),
    /// Show the loaded screening lists and their versions, or import a newer list file.
    Lists(cmd::lists::Args),
    /// Decide an export order (or a JSON-lines batch) under the regulation in force.
    Check(cmd::check::Args),
    /// Serve the HTTP API and dashboard.
    Serve(cmd::serve::Args),
    /// Load-test the HTTP API (bounded in time; loopback targets only by default).
    Loadtest(cmd::loadtest::Args),
    /// Customers and their vetting (KYC / remote-access attestation).
    Customer(cmd::customer::Args),
    /// Licences: add, show limits, drawn and remaining.
    Licence(cmd::licence::Args),
    /// Record US end-use (domestic) and export shipments.
    Ship(cmd::ship::Args),
    /// The China+Macau volume cap of an exporter and chip.
    Cap(cmd::cap::Args),
    /// The Section 232 duty ledger: payments and quarterly statements.
    Duty(cmd::duty::Args),
    /// The tamper-evident audit log.
    Audit(cmd::audit::Args),
    /// API tokens: create one for a role (printed once, stored hashed).
    Token(cmd::token::Args),
}

/// A command whose output is piped into `head` (or any reader that stops early) ends quietly,
/// as Unix tools do, instead of panicking on the broken pipe: the default SIGPIPE action is
/// restored (Rust's runtime ignores the signal). Not for the server, whose writes to a client
/// that went away must stay errors it handles.
fn quiet_on_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up before any thread exists; restoring a signal's default
    // disposition has no other effect on the process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_) | Command::Loadtest(_)) {
        quiet_on_broken_pipe();
    }
    let result = match cli.command {
        Command::Classify(args) => cmd::classify::run(args),
        Command::Chips(args) => cmd::chips::run(args),
        Command::Regs(args) => cmd::regs::run(args),
        Command::Screen(args) => cmd::screen::run(args),
        Command::Lists(args) => cmd::lists::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Loadtest(args) => cmd::loadtest::run(args),
        Command::Customer(args) => cmd::customer::run(args),
        Command::Licence(args) => cmd::licence::run(args),
        Command::Ship(args) => cmd::ship::run(args),
        Command::Cap(args) => cmd::cap::run(args),
        Command::Duty(args) => cmd::duty::run(args),
        Command::Audit(args) => cmd::audit::run(args),
        Command::Token(args) => cmd::token::run(args),
    };
    cmd::finish(result)
}
