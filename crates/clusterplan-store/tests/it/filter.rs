//! CQL2 filters and sorts on both stores: every test exists as `gpkg::name` and `postgis::name`.
//!
//! Each filter of a corpus runs on the store (count, pages, sort) and is compared with the
//! Rust reference (`query::matches`, `query::compare`) over every stored feature: PostGIS runs
//! the filter wholly in SQL, the GeoPackage store as an SQL prefilter plus the exact test, and
//! both must give the reference's answer. A few filters also have answers written by hand, so
//! that the reference itself is checked.

use std::sync::Arc;

use clusterplan_core::cql2::{check_properties, parse};
use clusterplan_core::{Cluster, ClusterAttrs, ClusterDraft, ClusterInput, Crs};
use clusterplan_store::query::{compare, queryable_types};
use clusterplan_store::{ClusterQuery, Queryable, Selection, SortKey, Store, WriteContext};
use futures::TryStreamExt;

use crate::support::{draft_of, input, rect};

struct Spec {
    code: &'static str,
    name: &'static str,
    status: &'static str,
    planned: Option<f64>,
    notes: Option<&'static str>,
    craft_village: bool,
    lon: f64,
    lat: f64,
    size: f64,
}

/// Twelve clusters: names with and without diacritics and in both cases, NULL and set planned
/// areas and notes, both first statuses, one craft village, squares of three sizes on a grid.
const CORPUS: &[Spec] = &[
    Spec {
        code: "BT-01",
        name: "Phú Hưng–Mỹ Thạnh",
        status: "in_plan",
        planned: Some(50.0),
        notes: None,
        craft_village: false,
        lon: 106.36,
        lat: 10.23,
        size: 0.010,
    },
    Spec {
        code: "BT-02",
        name: "phú hưng nhỏ",
        status: "in_plan",
        planned: Some(10.0),
        notes: Some("ven sông"),
        craft_village: true,
        lon: 106.38,
        lat: 10.23,
        size: 0.004,
    },
    Spec {
        code: "BT-03",
        name: "An Hiệp",
        status: "established",
        planned: None,
        notes: None,
        craft_village: false,
        lon: 106.40,
        lat: 10.23,
        size: 0.020,
    },
    Spec {
        code: "BT-04",
        name: "Giao Long",
        status: "established",
        planned: Some(70.0),
        notes: Some("50%_done"),
        craft_village: false,
        lon: 106.36,
        lat: 10.26,
        size: 0.010,
    },
    Spec {
        code: "BT-05",
        name: "Thị trấn Giồng Trôm",
        status: "in_plan",
        planned: Some(25.5),
        notes: None,
        craft_village: false,
        lon: 106.38,
        lat: 10.26,
        size: 0.004,
    },
    Spec {
        code: "BT-06",
        name: "PHONG NẪM",
        status: "in_plan",
        planned: Some(25.5),
        notes: Some("a*b?[c] x"),
        craft_village: true,
        lon: 106.40,
        lat: 10.26,
        size: 0.020,
    },
    Spec {
        code: "BT-07",
        name: "Mỹ Thạnh An",
        status: "established",
        planned: Some(5.0),
        notes: None,
        craft_village: false,
        lon: 106.36,
        lat: 10.29,
        size: 0.010,
    },
    Spec {
        code: "BT-08",
        name: "Bình Phú",
        status: "in_plan",
        planned: None,
        notes: Some("Phú"),
        craft_village: false,
        lon: 106.38,
        lat: 10.29,
        size: 0.004,
    },
    Spec {
        code: "BT-09",
        name: "Sơn Đông",
        status: "in_plan",
        planned: Some(100.0),
        notes: None,
        craft_village: false,
        lon: 106.40,
        lat: 10.29,
        size: 0.020,
    },
    Spec {
        code: "BT-10",
        name: "Hữu Định",
        status: "established",
        planned: Some(40.0),
        notes: Some(""),
        craft_village: false,
        lon: 106.36,
        lat: 10.32,
        size: 0.010,
    },
    Spec {
        code: "BT-11",
        name: "Tân Thạch",
        status: "in_plan",
        planned: Some(60.0),
        notes: None,
        craft_village: true,
        lon: 106.38,
        lat: 10.32,
        size: 0.004,
    },
    Spec {
        code: "BT-12",
        name: "An Khánh",
        status: "established",
        planned: Some(30.0),
        notes: None,
        craft_village: false,
        lon: 106.40,
        lat: 10.32,
        size: 0.020,
    },
];

fn draft(s: &Spec) -> ClusterDraft {
    let notes = s.notes.map(Into::into);
    let attrs = ClusterInput {
        planned_area_ha: s.planned,
        notes,
        craft_village: Some(s.craft_village),
        ..input(s.code, s.name, s.status)
    };
    draft_of(attrs, vec![rect(s.lon, s.lat, s.size, s.size)])
}

pub(crate) async fn seed(store: &dyn Store) -> Vec<Cluster> {
    let mut out = Vec::new();
    for spec in CORPUS {
        out.push(store.create_cluster(&draft(spec), &WriteContext::default()).await.expect("create"));
    }
    out
}

fn selection(filter: Option<&str>, sort: Vec<SortKey>) -> Option<Arc<Selection>> {
    let filter = filter.map(|text| {
        let expr = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        check_properties(&expr, &queryable_types()).unwrap_or_else(|p| panic!("{text:?}: {p:?}"))
    });
    Selection { filter, sort }.shared()
}

pub(crate) async fn codes(store: &dyn Store, query: ClusterQuery) -> Vec<String> {
    let page: Vec<Cluster> = store.stream_clusters(query).try_collect().await.expect("stream");
    page.iter().map(|c| c.data.attrs.code().to_owned()).collect()
}

/// What the reference says a query returns, in order, before paging.
pub(crate) fn reference(all: &[Cluster], query: &ClusterQuery) -> Vec<String> {
    let mut chosen: Vec<&Cluster> = all.iter().filter(|c| query.admits(c)).collect();
    chosen.sort_by(|a, b| compare(query.sort(), a, b));
    chosen.iter().map(|c| c.data.attrs.code().to_owned()).collect()
}

const FILTERS: &[&str] = &[
    "TRUE",
    "FALSE",
    "status = 'in_plan'",
    "status <> 'in_plan'",
    "planned_area_ha > 25.5",
    "planned_area_ha >= 25.5 AND planned_area_ha < 70",
    "NOT planned_area_ha > 25.5",
    "planned_area_ha IS NULL",
    "notes IS NOT NULL",
    "notes = ''",
    "name LIKE 'Phú%'",
    "name LIKE '%phú%'",
    "name NOT LIKE 'Phú%'",
    "name LIKE '_n %'",
    "notes LIKE '50\\%\\_%'",
    "name LIKE 'PHONG%'",
    "name LIKE 'phong%'",
    "notes LIKE '%*%'",
    "notes LIKE 'a*b?[c]%'",
    "notes LIKE '_*_?[c] _'",
    "notes NOT LIKE '%[%'",
    "NOT name LIKE '%Phú%' AND planned_area_ha > 5",
    "name > 'M' AND name < 'T'",
    "planned_area_ha BETWEEN 10 AND 50",
    "planned_area_ha NOT BETWEEN 10 AND 50",
    "code IN ('BT-01', 'BT-03', 'BT-99')",
    "code NOT IN ('BT-01', 'BT-03')",
    "craft_village = TRUE",
    "craft_village = FALSE AND status = 'established'",
    "version = 1 AND updated_at > TIMESTAMP('2000-01-01T00:00:00Z')",
    "updated_at < TIMESTAMP('2000-01-01T00:00:00Z')",
    "planned_area_ha < area_ha",
    "S_INTERSECTS(geometry, BBOX(106.355, 10.225, 106.385, 10.265))",
    "S_INTERSECTS(geometry, POINT(106.405 10.24))",
    "S_WITHIN(geometry, POLYGON((106.35 10.22, 106.395 10.22, 106.395 10.30, 106.35 10.30, 106.35 10.22)))",
    "S_CONTAINS(geometry, POINT(106.41 10.30))",
    "S_DISJOINT(geometry, BBOX(106.355, 10.225, 106.385, 10.265))",
    "S_INTERSECTS(geometry, LINESTRING(106.35 10.235, 106.45 10.235)) AND status = 'in_plan'",
    "S_INTERSECTS(geometry, BBOX(106.355, 10.225, 106.385, 10.265)) OR name LIKE 'An%'",
    "NOT S_INTERSECTS(geometry, BBOX(106.355, 10.225, 106.385, 10.265)) AND planned_area_ha > 20",
    "(status = 'in_plan' OR craft_village = TRUE) AND NOT (notes IS NULL OR planned_area_ha < 20)",
    // Case- and accent-insensitive comparison: ICU's lower case and one table of accents in
    // PostgreSQL, the same in Rust.
    "CASEI(name) LIKE CASEI('PHÚ%')",
    "ACCENTI(name) LIKE ACCENTI('%phu hung%')",
    "ACCENTI(CASEI(name)) = ACCENTI(CASEI('PHU HUNG–MY THANH'))",
    "ACCENTI(CASEI(name)) LIKE '%hiep%' OR CASEI(code) IN ('bt-05', 'bt-06')",
    "CASEI(name) > 'm' AND CASEI(name) < 'q'",
    "CASEI(notes) IS NULL",
    // Arithmetic in float8, NULL where there is no value (division by zero).
    "planned_area_ha * 2 > area_ha + 10",
    "planned_area_ha / (version - 1) > 0 OR planned_area_ha / (version - 1) IS NULL",
    "planned_area_ha % 3 = 1 OR planned_area_ha DIV 7 = 4",
    "2 ^ version = 2 AND (0 - 1) ^ (planned_area_ha / 4) > 0",
    "(0 - 1) ^ (planned_area_ha / 4) IS NULL",
    "planned_area_ha BETWEEN area_ha - 100 AND area_ha * 10",
    "-planned_area_ha < -20",
    // Dates against timestamps (the whole day), temporal functions with open ends.
    "updated_at >= DATE('2000-01-01') AND created_at <> DATE('1999-01-01')",
    "updated_at = DATE('1999-01-01') OR updated_at IN (DATE('2000-01-01'), TIMESTAMP('2001-01-01T00:00:00Z'))",
    "T_AFTER(updated_at, DATE('2000-01-01'))",
    "T_BEFORE(updated_at, INTERVAL('2000-01-01', '..'))",
    "T_DURING(created_at, INTERVAL('2000-01-01', '..'))",
    "T_INTERSECTS(INTERVAL(created_at, updated_at), INTERVAL('..', '2000-01-01'))",
    "T_EQUALS(created_at, updated_at)",
    "T_STARTS(INTERVAL(created_at, '..'), INTERVAL(created_at, '..'))",
    "T_STARTEDBY(INTERVAL(created_at, '..'), created_at)",
    "T_FINISHEDBY(INTERVAL('..', updated_at), updated_at) AND T_METBY(INTERVAL(created_at, '..'), INTERVAL('..', created_at))",
    "T_DISJOINT(updated_at, TIMESTAMP('2000-01-01T00:00:00Z'))",
    "T_CONTAINS(INTERVAL('..', '..'), updated_at) AND NOT T_OVERLAPS(INTERVAL('..', created_at), updated_at)",
    // The other spatial relations, and a geometry related to itself.
    "S_TOUCHES(geometry, POINT(106.36 10.235))",
    "S_TOUCHES(geometry, BBOX(106.35, 10.22, 106.36, 10.24))",
    "S_EQUALS(geometry, POLYGON((106.36 10.23, 106.37 10.23, 106.37 10.24, 106.36 10.24, 106.36 10.23)))",
    "S_OVERLAPS(geometry, BBOX(106.365, 10.235, 106.375, 10.245))",
    "S_CROSSES(geometry, LINESTRING(106.35 10.235, 106.45 10.235))",
    "S_INTERSECTS(geometry, geometry) AND NOT S_DISJOINT(geometry, geometry)",
    // Lists of literals, decided when checked.
    "A_OVERLAPS(('a'), ('a', 'b')) AND status = 'in_plan'",
    "A_EQUALS(('a', 'b'), ('b', 'a')) OR craft_village = TRUE",
];

async fn every_filter_answers_as_the_reference_does(store: Arc<dyn Store>) {
    let all = seed(store.as_ref()).await;
    for text in FILTERS {
        let query = ClusterQuery { selection: selection(Some(text), Vec::new()), ..ClusterQuery::ALL };
        let expected = reference(&all, &query);
        assert_eq!(codes(store.as_ref(), query.clone()).await, expected, "{text}");
        assert_eq!(store.count_clusters(&query).await.expect("count"), expected.len() as u64, "count of {text}");
        // Paging applies after the filter.
        let second = ClusterQuery { limit: 2, offset: 1, ..query.clone() };
        let want: Vec<String> = expected.iter().skip(1).take(2).cloned().collect();
        assert_eq!(codes(store.as_ref(), second).await, want, "second page of {text}");
        // With a bbox as well.
        let boxed = ClusterQuery { bbox: Some([106.35, 10.22, 106.395, 10.275]), ..query };
        assert_eq!(codes(store.as_ref(), boxed.clone()).await, reference(&all, &boxed), "{text} in a bbox");
    }
}

async fn answers_written_by_hand(store: Arc<dyn Store>) {
    seed(store.as_ref()).await;
    let cases: &[(&str, &[&str])] = &[
        ("name LIKE 'Phú%'", &["BT-01"]),
        ("name LIKE '%hú%'", &["BT-01", "BT-02", "BT-08"]),
        ("notes LIKE '50\\%\\_%'", &["BT-04"]),
        // Case-sensitive, and `*`, `?`, `[` are ordinary characters.
        ("name LIKE 'phú%'", &["BT-02"]),
        ("notes LIKE 'a*b?[c]%'", &["BT-06"]),
        ("notes LIKE '%?%' OR notes LIKE '%*'", &["BT-06"]),
        ("planned_area_ha IS NULL", &["BT-03", "BT-08"]),
        // NULL is neither in nor out of a range.
        ("NOT planned_area_ha > 30", &["BT-02", "BT-05", "BT-06", "BT-07", "BT-12"]),
        ("S_INTERSECTS(geometry, POINT(106.405 10.24))", &["BT-03"]),
        ("S_WITHIN(geometry, BBOX(106.35, 10.22, 106.395, 10.27))", &["BT-01", "BT-02", "BT-04", "BT-05"]),
        ("craft_village = TRUE AND status = 'in_plan'", &["BT-02", "BT-06", "BT-11"]),
    ];
    for (text, want) in cases {
        let query = ClusterQuery { selection: selection(Some(text), Vec::new()), ..ClusterQuery::ALL };
        assert_eq!(codes(store.as_ref(), query).await, *want, "{text}");
    }
}

async fn sorts_put_nulls_last_and_break_ties_by_id(store: Arc<dyn Store>) {
    let all = seed(store.as_ref()).await;
    let key = |by, descending| SortKey { by, descending };
    let sorts = [
        vec![key(Queryable::PlannedAreaHa, false)],
        vec![key(Queryable::PlannedAreaHa, true)],
        vec![key(Queryable::Name, false)],
        vec![key(Queryable::Status, true), key(Queryable::Name, false)],
        vec![key(Queryable::Notes, false)],
        vec![key(Queryable::CraftVillage, true), key(Queryable::AreaHa, true)],
    ];
    for sort in sorts {
        let query = ClusterQuery { selection: selection(None, sort.clone()), ..ClusterQuery::ALL };
        let expected = reference(&all, &query);
        assert_eq!(codes(store.as_ref(), query.clone()).await, expected, "{sort:?}");
        let page = ClusterQuery { limit: 3, offset: 2, ..query.clone() };
        assert_eq!(codes(store.as_ref(), page).await, expected[2..5], "page of {sort:?}");
        let filtered =
            ClusterQuery { selection: selection(Some("status = 'in_plan'"), sort.clone()), ..ClusterQuery::ALL };
        assert_eq!(codes(store.as_ref(), filtered.clone()).await, reference(&all, &filtered), "filtered {sort:?}");
    }
    let by_planned =
        ClusterQuery { selection: selection(None, vec![key(Queryable::PlannedAreaHa, true)]), ..ClusterQuery::ALL };
    let got = codes(store.as_ref(), by_planned).await;
    assert_eq!(got[..2], ["BT-09", "BT-04"]);
    assert_eq!(got[10..], ["BT-03", "BT-08"], "NULLs last, by id");
    // Code point order: capitals before small letters, "Ú" after "z".
    let by_name = ClusterQuery { selection: selection(None, vec![key(Queryable::Name, false)]), ..ClusterQuery::ALL };
    let got = codes(store.as_ref(), by_name).await;
    assert_eq!(got.first().map(String::as_str), Some("BT-03"), "An Hiệp first");
    assert_eq!(got.last().map(String::as_str), Some("BT-02"), "phú hưng nhỏ (small p) last");
}

async fn as_of_reads_filter_and_sort_the_past(store: Arc<dyn Store>) {
    let all = seed(store.as_ref()).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let before = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // Rename BT-01 afterwards: the past still has its old name.
    let first = &all[0];
    let attrs = ClusterAttrs::parse(
        ClusterInput { planned_area_ha: Some(50.0), ..input("BT-01", "Đổi tên", "in_plan") },
        Crs::VN2000_TM3_10545,
    )
    .expect("attrs");
    let renamed = ClusterDraft::new(attrs, first.data.boundary.clone()).expect("draft");
    store.update_cluster(first.id, Some(1), &renamed, &WriteContext::default()).await.expect("update");

    let query = ClusterQuery {
        selection: selection(Some("name LIKE 'Phú%'"), vec![SortKey { by: Queryable::Code, descending: true }]),
        ..ClusterQuery::ALL
    };
    let past: Vec<Cluster> = store.stream_clusters_as_of(query.clone(), before).try_collect().await.expect("as of");
    assert_eq!(past.iter().map(|c| c.data.attrs.code()).collect::<Vec<_>>(), ["BT-01"]);
    assert_eq!(store.count_clusters_as_of(&query, before).await.expect("count"), 1);
    assert!(codes(store.as_ref(), query).await.is_empty(), "today BT-01 has another name");
    let sorted = ClusterQuery {
        selection: selection(Some("status = 'established'"), vec![SortKey { by: Queryable::Name, descending: true }]),
        ..ClusterQuery::ALL
    };
    let past: Vec<Cluster> = store.stream_clusters_as_of(sorted.clone(), before).try_collect().await.expect("as of");
    let got: Vec<&str> = past.iter().map(|c| c.data.attrs.code()).collect();
    assert_eq!(got, reference(&all, &sorted));
}

use clusterplan_store::store_suite as suite;

suite!(
    every_filter_answers_as_the_reference_does,
    answers_written_by_hand,
    sorts_put_nulls_last_and_break_ties_by_id,
    as_of_reads_filter_and_sort_the_past,
);
