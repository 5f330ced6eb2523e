//! The README's tour, run as written: every command of its code block, in order, through a shell
//! with the real binary first on `PATH`, in a temporary directory laid out like the repository
//! root (a copy of `examples/`, so the records land in a fresh `tollgate.db`). Each command's
//! exit status and key output are checked; a command added to the tour without a check here
//! fails the test, so the README cannot drift from what the binary does.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The commands of the README's tour block: comments dropped, `\` continuations joined.
fn tour_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let start = readme
        .find("## A short tour of the CLI")
        .expect("README has its tour section");
    let rest = &readme[start..];
    let open = rest.find("\n```\n").expect("the tour's code block") + 5;
    let body = &rest[open..];
    let body = &body[..body.find("\n```").expect("the tour's code block ends")];
    let mut cmds = Vec::new();
    let mut pending = String::new();
    for line in body.lines() {
        let line = line.trim_end();
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        let full = format!("{pending}{line}");
        pending.clear();
        let cmd = strip_comment(&full).trim().to_string();
        if !cmd.is_empty() {
            cmds.push(cmd);
        }
    }
    cmds
}

/// The command without its trailing `# comment` (a `#` outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read examples/") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy an example file");
        }
    }
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn run_shell(dir: &Path, bin_dir: &Path, cmd: &str) -> Run {
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("TOLLGATE_DB")
        .env_remove("TOLLGATE_DATA")
        .env_remove("TOLLGATE_LISTS")
        .env("TOLLGATE_ACTOR", "tour-test")
        .output()
        .expect("run sh");
    Run {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn has(r: &Run, cmd: &str, needles: &[&str]) {
    for n in needles {
        assert!(
            r.out.contains(n),
            "`{cmd}`: stdout lacks {n:?}:\n{}\n(stderr: {})",
            r.out,
            r.err
        );
    }
}

fn json(r: &Run, cmd: &str) -> Value {
    serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("`{cmd}`: not JSON ({e}):\n{}", r.out))
}

/// What each tour command must do, by the command's first words. Returns false when no check
/// is written for the command.
fn check(cmd: &str, r: &Run, dir: &Path) -> bool {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    match cmd {
        c if c.starts_with("tollgate classify H200 --as-of 2026-02-01") => {
            has(
                r,
                c,
                &[
                    "nvidia-h200-sxm",
                    "2026-01-15",
                    "15832",
                    "3A090.a",
                    "Reasons:",
                    "15 CFR",
                ],
            );
        }
        c if c.starts_with("tollgate classify nvidia-h200-sxm --json") => {
            let v = json(r, c);
            assert_eq!(v["chip"], "nvidia-h200-sxm", "{c}");
            assert_eq!(v["tpp"], 15832, "{c}");
            assert_eq!(v["eccn"], "3A090.a", "{c}");
            assert!(
                v["reasons"].as_array().is_some_and(|a| !a.is_empty()),
                "{c}"
            );
        }
        c if c.starts_with("tollgate classify --specs examples/acme-x1.json") => {
            has(r, c, &["Acme X1", "15832", "3A090.a"]);
        }
        c if c.starts_with("tollgate classify H200 --system") => {
            has(r, c, &["4A090.a"]);
        }
        c if c.starts_with("tollgate chips --vendor amd") => {
            has(r, c, &["amd-mi300x", "amd-mi325x"]);
            assert!(
                !r.out.contains("nvidia-"),
                "`{c}` lists another vendor:\n{}",
                r.out
            );
        }
        "tollgate regs" => has(r, cmd, &["2022-10-07", "2026-01-15"]),
        c if c.starts_with("tollgate regs show 2026-02-01") => {
            has(r, c, &["Pack 2026-01-15"]);
        }
        c if c.starts_with("tollgate regs diff 2024-06-01 2026-02-01") => {
            has(
                r,
                c,
                &["2024-06-01 (pack 2024-04-04) -> 2026-02-01 (pack 2026-01-15)"],
            );
        }
        c if c.starts_with("tollgate screen \"Banco Nacional de Cuba\"") => {
            has(r, c, &["SDN", "306", "BANCO NACIONAL DE CUBA"]);
        }
        c if c.starts_with("tollgate screen --batch examples/customers.csv > results.csv") => {
            let csv = read("results.csv");
            let mut lines = csv.lines();
            let head = lines.next().unwrap_or("");
            assert_eq!(
                head, "name,country,address,customer_ref,match_id,match_name,match_list,score",
                "{c}"
            );
            let rows: Vec<&str> = lines.collect();
            let input_rows = read("examples/customers.csv").lines().count() - 1;
            assert_eq!(rows.len(), input_rows, "{c}: one output row per input row");
            assert!(
                rows.iter().any(
                    |l| l.starts_with("Banco Nacional de Cuba,CU,,CUST-002,306,")
                        && l.contains(",SDN,")
                ),
                "{c}: {csv}"
            );
            assert!(
                rows.iter()
                    .any(|l| l.starts_with("Example Cloud Co.,") && l.ends_with(",,,,")),
                "{c}: an unlisted name has four empty match fields: {csv}"
            );
        }
        "tollgate lists" => has(r, cmd, &["bundled", "sdn.csv", "entity_list.json"]),
        "tollgate check examples/order.json" => {
            has(
                r,
                cmd,
                &[
                    "PO-2026-0001",
                    "Verdict: license_required (case_by_case)",
                    "china_volume_cap_50pct",
                ],
            );
        }
        c if c.starts_with("tollgate check examples/order.json --explain") => {
            has(
                r,
                c,
                &[
                    "Verdict: license_required (case_by_case)",
                    "Reasons:",
                    "742.6-a6-destination",
                    "15 CFR 742.6(a)(6)(iii)",
                ],
            );
        }
        c if c
            .starts_with("tollgate check examples/order.json --compare 2024-06-01,2026-02-01") =>
        {
            has(
                r,
                c,
                &[
                    "license_required (presumption_of_denial)",
                    "license_required (case_by_case)",
                    "The verdict changed.",
                ],
            );
        }
        c if c.starts_with("tollgate check --batch examples/orders.jsonl > decisions.jsonl") => {
            let out = read("decisions.jsonl");
            let orders = read("examples/orders.jsonl");
            let decisions: Vec<Value> = out
                .lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{c}: {e}: {l}")))
                .collect();
            let ids: Vec<String> = orders
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    serde_json::from_str::<Value>(l).expect("an example order")["id"]
                        .as_str()
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            let got: Vec<&str> = decisions
                .iter()
                .map(|d| d["order"].as_str().unwrap_or(""))
                .collect();
            assert_eq!(got, ids, "{c}: one decision per order, in input order");
            let verdicts: Vec<&str> = decisions
                .iter()
                .map(|d| d["verdict"].as_str().unwrap_or(""))
                .collect();
            assert_eq!(
                verdicts,
                [
                    "license_required",
                    "no_license_required",
                    "license_required",
                    "license_required",
                    "prohibited",
                    "license_exception"
                ],
                "{c}"
            );
        }
        c if c.starts_with("tollgate check examples/order.json --record") => {
            has(r, c, &["Verdict: license_required (case_by_case)"]);
            assert!(r.err.contains("recorded as decision 1"), "{c}: {}", r.err);
            assert!(dir.join("tollgate.db").is_file(), "{c}: ./tollgate.db");
        }
        c if c.starts_with(
            "tollgate customer add --name \"Example Cloud Co., Ltd.\" --country CN",
        ) =>
        {
            assert_eq!(r.out.trim(), "C-000001", "{c}");
        }
        c if c.starts_with("tollgate customer approve C-000001 --kyc-until 2027-01-31") => {
            has(r, c, &["C-000001", "approved", "2027-01-31"]);
        }
        c if c.starts_with("tollgate licence add --number L-1") => {
            has(
                r,
                c,
                &[
                    "licence L-1",
                    "nvidia-h200-sxm",
                    "remaining 1000",
                    "remaining 31000000.00",
                ],
            );
        }
        c if c.starts_with(
            "tollgate ship domestic --exporter nvidia --chip H200 --quantity 5000",
        ) =>
        {
            has(r, c, &["5000 units of nvidia-h200-sxm"]);
        }
        c if c.starts_with("tollgate ship export --licence L-1 --quantity 100") => {
            has(
                r,
                c,
                &[
                    "100 units of nvidia-h200-sxm",
                    "C-000001",
                    "duty accrued 775000.00",
                ],
            );
        }
        c if c.starts_with("tollgate cap --exporter nvidia --chip H200") => {
            has(
                r,
                c,
                &[
                    "US end-use units:     5000",
                    "China+Macau units:    100",
                    "allowed China+Macau:  2500",
                    "headroom:             2400",
                ],
            );
        }
        c if c.starts_with("tollgate duty statement --exporter nvidia --quarter 2026Q1") => {
            has(
                r,
                c,
                &[
                    "accrued              775000.00",
                    "outstanding          775000.00",
                ],
            );
        }
        c if c.starts_with("tollgate audit verify") => {
            has(r, c, &["audit log intact"]);
        }
        c if c.starts_with("tollgate token create --role exporter --exporter nvidia") => {
            assert!(r.out.trim_start().starts_with("tg_"), "{c}: {}", r.out);
            assert!(r.err.contains("exporter token"), "{c}: {}", r.err);
        }
        _ => return false,
    }
    true
}

#[test]
fn the_readme_tour_works_as_written() {
    let cmds = tour_commands();
    assert!(
        cmds.len() >= 25,
        "the tour has {} commands: {cmds:#?}",
        cmds.len()
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    copy_dir(&repo_root().join("examples"), &dir.join("examples"));
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_tollgate"));
    let bin_dir = bin.parent().expect("the binary's directory");

    let mut unchecked = Vec::new();
    for cmd in &cmds {
        assert!(
            cmd.starts_with("tollgate "),
            "a tour line that is not a tollgate command: {cmd}"
        );
        let r = run_shell(dir, bin_dir, cmd);
        assert_eq!(
            r.code, 0,
            "`{cmd}` exited {}:\nstdout: {}\nstderr: {}",
            r.code, r.out, r.err
        );
        if !check(cmd, &r, dir) {
            unchecked.push(cmd.clone());
        }
    }
    assert!(
        unchecked.is_empty(),
        "tour commands without a check in tests/tour_cli.rs: {unchecked:#?}"
    );
}

#[test]
fn the_tour_parser_reads_continuations_and_comments() {
    assert_eq!(
        strip_comment("tollgate lists   # versions"),
        "tollgate lists   "
    );
    assert_eq!(
        strip_comment("tollgate screen \"A # B\" --country CU # hits"),
        "tollgate screen \"A # B\" --country CU "
    );
    let cmds = tour_commands();
    assert!(cmds
        .iter()
        .any(|c| c.starts_with("tollgate licence add") && c.contains("--valid-until 2027-01-31")));
    assert!(cmds.iter().all(|c| !c.contains('#')));
}
