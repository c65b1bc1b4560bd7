//! Boundary validation and area against a peer measured in the same run: `geo`'s own
//! `Validation::is_valid` on the same polygon (it checks less and reports no locations, so it
//! is the floor to compare with). Report the ratio of medians, not absolute times:
//! `cargo bench -p clusterplan-core --bench validate`.

use std::hint::black_box;

use clusterplan_core::geometry::validate;
use clusterplan_core::{Crs, RawBoundary, area};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use geo::Validation;

/// A closed, slightly wavy ring of `n` positions around Phú Hưng–Mỹ Thạnh.
fn ring(n: usize) -> Vec<Vec<f64>> {
    let mut positions: Vec<Vec<f64>> = (0..n - 1)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / (n - 1) as f64;
            let r = 0.004 * (1.0 + 0.05 * (7.0 * t).sin());
            vec![106.415 + r * t.cos(), 10.240 + r * t.sin()]
        })
        .collect();
    positions.push(positions[0].clone());
    positions
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    for n in [65, 1_000, 100_000] {
        let raw = RawBoundary::Polygon(vec![ring(n)]);
        let polygon =
            geo_types::Polygon::new(ring(n).iter().map(|p| geo_types::coord! { x: p[0], y: p[1] }).collect(), vec![]);
        group.bench_with_input(BenchmarkId::new("clusterplan", n), &raw, |b, raw| b.iter(|| validate(black_box(raw))));
        // geo's check grows quadratically here (≈ 14 ms at 1 000 vertices): the peer runs only
        // where it finishes in benchmark time.
        if n <= 1_000 {
            group.bench_with_input(BenchmarkId::new("geo_is_valid", n), &polygon, |b, p| {
                b.iter(|| black_box(p).is_valid());
            });
        }
    }
    group.finish();

    let boundary = validate(&RawBoundary::Polygon(vec![ring(1_000)])).expect("valid");
    c.bench_function("area/measure_tm3_1000", |b| {
        b.iter(|| area::measure(black_box(&boundary), Crs::VN2000_TM3_10545));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
