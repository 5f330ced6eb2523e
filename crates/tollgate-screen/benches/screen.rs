//! Single-query latency against all shipped lists together (`cargo bench -p tollgate-screen`).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use tollgate_screen::{Query, Screener};

fn bench(c: &mut Criterion) {
    let s = Screener::bundled().expect("bundled lists");
    let cases = [
        ("exact", "BANCO NACIONAL DE CUBA"),
        ("typo", "Aerocaribean Airlnes"),
        ("legal_form", "Anglo Caribbean Company Limited"),
        ("person_order", "Gennady Timchenko"),
        ("cyrillic", "Рособоронэкспорт"),
        ("chinese", "丹东鸿祥实业发展有限公司"),
        ("negative", "Hewlett Packard Enterprise Company"),
    ];
    let mut g = c.benchmark_group("screen");
    for (name, q) in cases {
        g.bench_function(name, |b| b.iter(|| s.screen(black_box(&Query::name(q)))));
    }
    g.finish();
    c.bench_function("build_bundled", |b| {
        b.iter(|| Screener::bundled().expect("bundled"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
