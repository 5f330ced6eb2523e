//! Figures for `tollgate lists update`: the bundled lists in the publishers' formats (the CSL
//! as consolidated.csv, OFAC's four CSVs, the UN XML) served by a local HTTP server on
//! 127.0.0.1, updated into a fresh list directory (download, full parse, row check, swap),
//! then updated again (every file answers 304), and the lists read back and indexed as a
//! server does before it swaps them in. Prints times; asserts nothing about them.
//!
//! cargo run --release -p tollgate-screen --example update_bench

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;
use tollgate_screen::load::{Format, BUNDLED};
use tollgate_screen::updater::{self, Outcome, Remote, Source, UpdateOptions};

fn serve(files: HashMap<String, Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let files = Arc::new(files);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let files = files.clone();
            std::thread::spawn(move || {
                let mut rd = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = rd.read_line(&mut line);
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut inm = None;
                loop {
                    let mut h = String::new();
                    if rd.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        if k.eq_ignore_ascii_case("if-none-match") {
                            inm = Some(v.trim().to_string());
                        }
                    }
                }
                let etag = format!("\"{}\"", path.len());
                let out = match files.get(&path) {
                    None => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_vec(),
                    Some(_) if inm.as_deref() == Some(etag.as_str()) => {
                        format!("HTTP/1.1 304 Not Modified\r\netag: {etag}\r\n\r\n").into_bytes()
                    }
                    Some(b) => {
                        let mut o = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\netag: {etag}\r\n\r\n",
                            b.len()
                        )
                        .into_bytes();
                        o.extend_from_slice(b);
                        o
                    }
                };
                let _ = stream.write_all(&out);
            });
        }
    });
    addr
}

fn bundled(name: &str) -> Vec<u8> {
    BUNDLED
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, b)| b.to_vec())
        .unwrap()
}

fn main() {
    let mut csl = Vec::new();
    flate2::read::GzDecoder::new(&bundled("csl.csv.gz")[..])
        .read_to_end(&mut csl)
        .unwrap();
    let mut files = HashMap::new();
    files.insert("/consolidated.csv".to_string(), csl);
    for (path, name) in [
        ("/ofac/SDN.CSV", "sdn.csv"),
        ("/ofac/ALT.CSV", "alt.csv"),
        ("/ofac/ADD.CSV", "add.csv"),
        ("/ofac/SDN_COMMENTS.CSV", "sdn_comments.csv"),
        ("/consolidated.xml", "UN_consolidated.xml"),
    ] {
        files.insert(path.to_string(), bundled(name));
    }
    let bytes: usize = files.values().map(Vec::len).sum();
    let base = serve(files);
    let remotes = |s: Source| -> Vec<Remote> {
        match s {
            Source::Csl => vec![Remote {
                format: Format::CslCsv,
                url: format!("{base}/consolidated.csv"),
            }],
            Source::Un => vec![Remote {
                format: Format::UnXml,
                url: format!("{base}/consolidated.xml"),
            }],
            _ => [
                (Format::OfacSdn, "SDN.CSV"),
                (Format::OfacAlt, "ALT.CSV"),
                (Format::OfacAdd, "ADD.CSV"),
                (Format::OfacComments, "SDN_COMMENTS.CSV"),
            ]
            .into_iter()
            .map(|(format, n)| Remote {
                format,
                url: format!("{base}/ofac/{n}"),
            })
            .collect(),
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lists");
    let sources = [Source::Csl, Source::Ofac, Source::Un];
    for round in [
        "first update (every file downloaded)",
        "second update (every file 304)",
    ] {
        let all = Instant::now();
        for s in sources {
            let t = Instant::now();
            let out = updater::update_from(&dir, s, &remotes(s), UpdateOptions::default()).unwrap();
            let what = match out {
                Outcome::Updated(_) => "updated",
                Outcome::NotModified(_) => "not modified",
            };
            println!(
                "  {:<4} {what:<12} {:>8.1} ms",
                s.name(),
                t.elapsed().as_secs_f64() * 1e3
            );
        }
        println!(
            "{round}: {:.2} s for {:.1} MB in 6 files",
            all.elapsed().as_secs_f64(),
            bytes as f64 / 1e6
        );
    }
    let t = Instant::now();
    let c = updater::load_current(&dir, Default::default()).unwrap();
    let read = t.elapsed();
    let s = tollgate_screen::Screener::build(c.files);
    println!(
        "reading the list directory (with the bundled files it does not replace): {:.2} s; indexing {} entities: {:.2} s (what a server does off the request path before the swap)",
        read.as_secs_f64(),
        s.len().0,
        (t.elapsed() - read).as_secs_f64()
    );
}
