//! Decisions per second on one core, for the golden scenario orders (no screening: the hits are
//! given), cycling through every scenario so each branch of the engine is in the mix.
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

// The binary's allocator (crates/tollgate/src/main.rs), so the figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tollgate_core::{NaiveDate, Order, Regulation, Screening};

fn bench(c: &mut Criterion) {
    let reg = Regulation::bundled().expect("bundled data loads");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut orders = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    for p in paths {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
        let o = Order::from_value(&v["order"], &reg.catalog, &reg.countries).expect("order");
        let as_of: NaiveDate = v["as_of"].as_str().expect("as_of").parse().expect("date");
        // Scenarios that expect a refusal are not decisions. TOLLGATE_BENCH_ONLY=catalog keeps
        // the orders of catalog chips (no inline specs to classify per decision).
        let inline = v["order"]["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|i| i.get("specs").is_some()));
        let catalog_only = std::env::var("TOLLGATE_BENCH_ONLY").is_ok_and(|x| x == "catalog");
        if v["expect"].get("error_field").is_none() && !(catalog_only && inline) {
            orders.push((o, as_of));
        }
    }
    let none = Screening::default();
    let mut g = c.benchmark_group("decide");
    g.throughput(Throughput::Elements(orders.len() as u64));
    g.bench_function(
        format!("{} scenario orders, decision only", orders.len()),
        |b| {
            b.iter(|| {
                let mut n = 0usize;
                for (o, d) in &orders {
                    let dec = reg.decide(black_box(o), Some(*d), &none).expect("decides");
                    n += dec.verdict as usize;
                }
                n
            })
        },
    );
    g.bench_function(
        format!("{} scenario orders, decision + reasons text", orders.len()),
        |b| {
            b.iter(|| {
                let mut n = 0usize;
                for (o, d) in &orders {
                    let dec = reg.decide(black_box(o), Some(*d), &none).expect("decides");
                    n += dec.reasons().len();
                }
                n
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
