//! Classifies the whole catalog under every regulation pack.
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use tollgate_core::classify::classify;
use tollgate_core::Regulation;

fn bench(c: &mut Criterion) {
    let reg = Regulation::bundled().expect("bundled data loads");
    let chips: Vec<_> = reg
        .catalog
        .chips()
        .iter()
        .filter(|c| !c.specs.dense_tops.is_empty())
        .collect();
    let packs = reg.packs.all();
    let mut g = c.benchmark_group("classify");
    g.throughput(Throughput::Elements((chips.len() * packs.len()) as u64));
    g.bench_function(
        format!(
            "catalog ({} chips) x all packs ({})",
            chips.len(),
            packs.len()
        ),
        |b| {
            b.iter(|| {
                let mut n = 0usize;
                for p in packs {
                    for chip in &chips {
                        let c =
                            classify(p, &chip.specs, &chip.id, Some(&chip.id), p.effective, false);
                        n += c.controlled as usize;
                    }
                }
                black_box(n)
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
