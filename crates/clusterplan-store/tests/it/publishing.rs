//! Publishing behaviour of both stores (change stamps, vector tiles): every test exists twice,
//! as `gpkg::name` on a fresh GeoPackage file and `postgis::name` on a fresh PostGIS database.

use std::collections::BTreeMap;
use std::sync::Arc;

use clusterplan_core::{ClusterDraft, ClusterInput};
use clusterplan_store::{CollectionMeta, Layer, Store, TileBudget, TileId, WriteContext, ZoneQuery};
use futures::TryStreamExt;
use geozero::mvt::{Message, Tile, TileValue, tile};

use crate::support::{input, small, zone};

fn draft(code: &str, lon: f64, lat: f64, planned: Option<f64>) -> ClusterDraft {
    small(ClusterInput { planned_area_ha: planned, ..input(code, "Phú Hưng–Mỹ Thạnh", "in_plan") }, lon, lat)
}

/// The `WebMercatorQuad` tile holding a point.
fn tile_at(z: u8, lon: f64, lat: f64) -> TileId {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    TileId::new(z, x, y).expect("tile in range")
}

fn decode(bytes: &[u8]) -> tile::Layer {
    let mut tile = Tile::decode(bytes).expect("a valid MVT");
    assert_eq!(tile.layers.len(), 1);
    tile.layers.remove(0)
}

/// A feature's attributes as (key, value) in encoded order.
fn attributes(layer: &tile::Layer, feature: &tile::Feature) -> Vec<(String, TileValue)> {
    feature
        .tags
        .chunks(2)
        .map(|kv| {
            let value = TileValue::try_from(layer.values[kv[1] as usize].clone()).expect("value");
            (layer.keys[kv[0] as usize].clone(), value)
        })
        .collect()
}

fn ctx() -> WriteContext {
    WriteContext { author: Some("tester".into()), ..WriteContext::default() }
}

async fn every_committed_write_changes_the_stamp(store: Arc<dyn Store>) {
    let s0 = store.clusters_stamp(Layer::Draft).await.expect("stamp");
    let a = store.create_cluster(&draft("A", 106.40, 10.23, None), &ctx()).await.expect("create");
    let s1 = store.clusters_stamp(Layer::Draft).await.expect("stamp");
    assert_ne!(s0, s1);
    store.update_cluster(a.id, Some(a.version), &draft("A", 106.41, 10.23, None), &ctx()).await.expect("update");
    let s2 = store.clusters_stamp(Layer::Draft).await.expect("stamp");
    assert_ne!(s1, s2);
    // A refused (stale) write changes nothing, the stamp included.
    assert!(store.update_cluster(a.id, Some(1), &draft("A", 106.5, 10.3, None), &ctx()).await.is_err());
    assert_eq!(store.clusters_stamp(Layer::Draft).await.expect("stamp"), s2);
    store.delete_cluster(a.id, None, &ctx()).await.expect("delete");
    assert_ne!(store.clusters_stamp(Layer::Draft).await.expect("stamp"), s2);
}

async fn tiles_carry_ids_and_the_same_attributes_on_both_stores(store: Arc<dyn Store>) {
    let a = store.create_cluster(&draft("BT-1", 106.40, 10.23, Some(30.0)), &ctx()).await.expect("create");
    let b = store.create_cluster(&draft("BT-2", 106.402, 10.231, None), &ctx()).await.expect("create");
    let bytes = store
        .cluster_tile(tile_at(14, 106.4025, 10.232), "clusters", Layer::Draft)
        .await
        .expect("tile")
        .expect("not empty");
    let layer = decode(&bytes);
    assert_eq!(layer.name, "clusters");
    assert_eq!(layer.extent, Some(4096));
    let ids: Vec<_> = layer.features.iter().map(|f| f.id).collect();
    assert_eq!(ids, vec![Some(a.id as u64), Some(b.id as u64)]);
    let first = attributes(&layer, &layer.features[0]);
    let expected: Vec<(String, TileValue)> = vec![
        ("code".into(), TileValue::Str("BT-1".into())),
        ("name".into(), TileValue::Str("Phú Hưng–Mỹ Thạnh".into())),
        ("kind".into(), TileValue::Str("cluster".into())),
        ("status".into(), TileValue::Str("in_plan".into())),
        ("planned_area_ha".into(), TileValue::Double(30.0)),
        ("area_ha".into(), TileValue::Double(a.data.area.projected_ha)),
        ("geodesic_area_ha".into(), TileValue::Double(a.data.area.geodesic_ha)),
        ("planning_crs".into(), TileValue::Str("EPSG:9210".into())),
        ("version".into(), TileValue::Uint(1)),
        ("updated_at".into(), TileValue::Str(a.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))),
    ];
    assert_eq!(first, expected);
    let second: BTreeMap<_, _> = attributes(&layer, &layer.features[1]).into_iter().collect();
    assert!(!second.contains_key("planned_area_ha"), "NULLs are left out: {second:?}");
    for feature in &layer.features {
        assert_eq!(feature.r#type, Some(tile::GeomType::Polygon as i32));
        assert!(feature.geometry.len() >= 9, "a ring: MoveTo, LineTo ×n, ClosePath");
    }
}

async fn tiles_are_empty_away_from_features_and_show_an_edit_at_once(store: Arc<dyn Store>) {
    let a = store.create_cluster(&draft("BT-1", 106.40, 10.23, None), &ctx()).await.expect("create");
    let here = tile_at(15, 106.4025, 10.232);
    let elsewhere = tile_at(15, 106.0, 21.0);
    assert!(store.cluster_tile(elsewhere, "clusters", Layer::Draft).await.expect("tile").is_none());
    assert!(store.cluster_tile(here, "clusters", Layer::Draft).await.expect("tile").is_some());
    // Moved far away (north, inside EPSG:9210's area of use): the old tile is empty in the very
    // next read, the new one shows it.
    store.update_cluster(a.id, Some(1), &draft("BT-1", 106.0, 21.0, None), &ctx()).await.expect("move");
    assert!(store.cluster_tile(here, "clusters", Layer::Draft).await.expect("tile").is_none());
    let moved =
        decode(&store.cluster_tile(elsewhere, "clusters", Layer::Draft).await.expect("tile").expect("not empty"));
    let attrs: BTreeMap<_, _> = attributes(&moved, &moved.features[0]).into_iter().collect();
    assert_eq!(attrs["version"], TileValue::Uint(2));
}

async fn a_feature_larger_than_the_tile_is_clipped_to_the_buffer(store: Arc<dyn Store>) {
    store.create_cluster(&draft("BT-1", 106.40, 10.23, None), &ctx()).await.expect("create");
    // At zoom 19 a tile is ~75 m wide; the 550 m square covers it entirely.
    let inner = tile_at(19, 106.4025, 10.232);
    let layer = decode(&store.cluster_tile(inner, "clusters", Layer::Draft).await.expect("tile").expect("not empty"));
    let geometry = &layer.features[0].geometry;
    // MoveTo(1) + 2 params, LineTo(3) + 6 params, ClosePath: one clipped square.
    assert_eq!(geometry.len(), 11, "{geometry:?}");
    assert_eq!((geometry[0], geometry[3], geometry[10]), (9, 26, 15), "{geometry:?}");
    let (mut x, mut y) = (0i64, 0i64);
    let unzig = |v: u32| i64::from((v >> 1) as i32 ^ -((v & 1) as i32));
    for pair in [&geometry[1..3], &geometry[4..6], &geometry[6..8], &geometry[8..10]] {
        x += unzig(pair[0]);
        y += unzig(pair[1]);
        assert!((-64..=4160).contains(&x) && (-64..=4160).contains(&y), "({x}, {y}) outside the buffer");
    }
}

async fn collection_metadata_round_trips_and_changes_the_stamp(store: Arc<dyn Store>) {
    assert_eq!(store.collection_meta("clusters").await.expect("meta"), CollectionMeta::default());
    let before = store.clusters_stamp(Layer::Draft).await.expect("stamp");
    let meta = CollectionMeta {
        title: Some("Cụm công nghiệp Bến Tre".into()),
        description: None,
        license: Some("CC-BY-4.0".into()),
        attribution: Some("Sở Công Thương Bến Tre".into()),
        keywords: vec!["CCN".into(), "Bến Tre".into()],
        updated_at: None,
    };
    let stored = store.put_collection_meta("clusters", &meta).await.expect("put");
    assert!(stored.updated_at.is_some());
    assert_eq!(CollectionMeta { updated_at: None, ..stored.clone() }, meta);
    assert_eq!(store.collection_meta("clusters").await.expect("meta"), stored);
    assert_ne!(store.clusters_stamp(Layer::Draft).await.expect("stamp"), before, "collection documents show it");
    let replaced = store
        .put_collection_meta("clusters", &CollectionMeta { keywords: vec![], ..meta.clone() })
        .await
        .expect("put again");
    assert!(replaced.keywords.is_empty() && replaced.title == meta.title);
}

async fn publishing_snapshots_the_draft_and_later_edits_stay_draft(store: Arc<dyn Store>) {
    let here = tile_at(15, 106.4025, 10.232);
    assert!(store.last_publication().await.expect("last").is_none());
    assert_eq!(store.clusters_stamp(Layer::Published).await.expect("stamp"), 0);
    let a = store.create_cluster(&draft("BT-1", 106.40, 10.23, None), &ctx()).await.expect("create");
    assert!(
        store.cluster_tile(here, "clusters", Layer::Published).await.expect("tile").is_none(),
        "nothing published yet"
    );
    let draft_stamp = store.clusters_stamp(Layer::Draft).await.expect("stamp");

    let first = store.publish_clusters(Some("Quyết định 1998"), &ctx()).await.expect("publish");
    assert_eq!((first.seq, first.feature_count), (1, 1));
    assert_eq!(first.note.as_deref(), Some("Quyết định 1998"));
    assert_eq!(first.author.as_deref(), Some("tester"));
    assert_eq!(store.last_publication().await.expect("last"), Some(first.clone()));
    assert_eq!(store.clusters_stamp(Layer::Published).await.expect("stamp"), 1);
    assert_ne!(store.clusters_stamp(Layer::Draft).await.expect("stamp"), draft_stamp, "collection documents change");
    let published = decode(&store.cluster_tile(here, "clusters", Layer::Published).await.expect("tile").expect("tile"));
    assert_eq!(published.features[0].id, Some(a.id as u64));

    // A draft edit (moved away) and a new draft feature: the published layer does not move.
    store.update_cluster(a.id, Some(1), &draft("BT-1", 106.0, 21.0, None), &ctx()).await.expect("move");
    store.create_cluster(&draft("BT-2", 106.402, 10.231, None), &ctx()).await.expect("create");
    let still = decode(&store.cluster_tile(here, "clusters", Layer::Published).await.expect("tile").expect("tile"));
    assert_eq!(still, published);
    assert_eq!(store.clusters_stamp(Layer::Published).await.expect("stamp"), 1);
    let draft_tile = decode(&store.cluster_tile(here, "clusters", Layer::Draft).await.expect("tile").expect("tile"));
    assert_eq!(draft_tile.features.len(), 1, "the draft has BT-2 here, BT-1 moved");

    let second = store.publish_clusters(None, &ctx()).await.expect("publish");
    assert_eq!((second.seq, second.feature_count), (2, 2));
    let now = decode(&store.cluster_tile(here, "clusters", Layer::Published).await.expect("tile").expect("tile"));
    assert_eq!(now, draft_tile);
}

async fn a_full_tile_keeps_the_largest_features_in_id_order(store: Arc<dyn Store>) {
    use crate::support::{draft_of, rect};
    // Three clusters in one zoom-12 tile: the middle one (by id) is the largest, the last the
    // smallest.
    let sized = |code: &str, lon: f64, w: f64| draft_of(input(code, code, "in_plan"), vec![rect(lon, 10.23, w, 0.004)]);
    let a = store.create_cluster(&sized("M", 106.400, 0.006), &ctx()).await.expect("a");
    let b = store.create_cluster(&sized("L", 106.410, 0.009), &ctx()).await.expect("b");
    let c = store.create_cluster(&sized("S", 106.420, 0.003), &ctx()).await.expect("c");
    let here = tile_at(12, 106.41, 10.232);
    let ids = |bytes: Option<Vec<u8>>| -> Vec<u64> {
        bytes.map(|b| decode(&b).features.iter().filter_map(|f| f.id).collect()).unwrap_or_default()
    };
    let within = |features, vertices| {
        let store = store.clone();
        async move {
            ids(store
                .cluster_tile_within(here, "clusters", Layer::Draft, TileBudget { features, vertices })
                .await
                .expect("tile"))
        }
    };
    let all = vec![a.id as u64, b.id as u64, c.id as u64];
    assert_eq!(ids(store.cluster_tile(here, "clusters", Layer::Draft).await.expect("tile")), all);
    assert_eq!(within(3, 1000).await, all);
    // Two features: the two largest, still in id order.
    assert_eq!(within(2, 1000).await, [a.id as u64, b.id as u64]);
    assert_eq!(within(1, 1000).await, [b.id as u64]);
    // Each rectangle is 5 vertices in the tile: 14 vertices hold the two largest, and the
    // smallest is left out although it would fit alone (the largest first, up to the first
    // that does not fit).
    assert_eq!(within(10, 15).await, all);
    assert_eq!(within(10, 14).await, [a.id as u64, b.id as u64]);
    assert_eq!(within(10, 4).await, Vec::<u64>::new());
}

async fn boundaries_are_simplified_to_the_tile_resolution(store: Arc<dyn Store>) {
    use crate::support::{draft_of, input};
    let tile = tile_at(12, 106.41, 10.232);
    let [minx, _, maxx, maxy] = tile.mercator_bounds();
    let unit = (maxx - minx) / 4096.0;
    // A point given in units of the tile (y down), as WGS 84.
    let lonlat = |ux: f64, uy: f64| {
        let (x, y) = (minx + ux * unit, maxy - uy * unit);
        let r = 6_378_137.0;
        vec![(x / r).to_degrees(), (y / r).sinh().atan().to_degrees()]
    };
    // A rectangle whose south edge zigzags by 0.9 units every 2 units across a grid line: the
    // grid alone would keep every tooth (y rounds to 2000, then 2001), the simplification
    // (1 unit) keeps none.
    let mut ring = vec![lonlat(1000.0, 1000.0)];
    for i in 0..=1000 {
        let y = if i % 2 == 0 { 2000.05 } else { 2000.95 };
        ring.push(lonlat(1000.0 + 2.0 * f64::from(i), y));
    }
    ring.push(lonlat(3000.0, 1000.0));
    ring.push(lonlat(1000.0, 1000.0));
    let draft = draft_of(input("ZIGZAG", "Zigzag", "in_plan"), vec![ring]);
    assert!(draft.boundary.as_multi_polygon().0[0].exterior().0.len() > 1000);
    store.create_cluster(&draft, &ctx()).await.expect("create");
    let layer = decode(&store.cluster_tile(tile, "clusters", Layer::Draft).await.expect("tile").expect("not empty"));
    let geometry = &layer.features[0].geometry;
    // MoveTo + 2, LineTo + 2 per vertex, ClosePath: a handful of vertices, not a thousand.
    assert!(geometry.len() < 40, "{} commands and parameters: {geometry:?}", geometry.len());
}

/// The ids of a layer's zones, in id order.
async fn zone_ids(store: &dyn Store, layer: Layer) -> Vec<i64> {
    let all = ZoneQuery { bbox: None, cluster_id: None, limit: 100, offset: 0, cursor: None, layer };
    let zones: Vec<_> = store.stream_zones(all).try_collect().await.expect("zones");
    assert_eq!(store.count_zones(&all).await.expect("count"), zones.len() as u64);
    zones.iter().map(|z| z.id).collect()
}

async fn one_publication_makes_clusters_and_their_zones_public(store: Arc<dyn Store>) {
    let c = store.create_cluster(&draft("PH-MT", 106.0, 10.0, None), &ctx()).await.expect("cluster");
    let a = store.create_zone(&zone(c.id, 106.001, 0.001, None), &ctx()).await.expect("zone");
    assert_eq!(zone_ids(&*store, Layer::Draft).await, [a.id]);
    assert!(zone_ids(&*store, Layer::Published).await.is_empty(), "nothing published yet");
    assert!(store.zones_at(106.0015, 10.0015, Layer::Published).await.expect("at").is_empty());
    assert_eq!(store.zone_extent(Layer::Published).await.expect("extent"), None);

    store.publish_clusters(None, &ctx()).await.expect("publish");
    assert_eq!(zone_ids(&*store, Layer::Published).await, [a.id]);
    let here = store.zones_at(106.0015, 10.0015, Layer::Published).await.expect("at");
    assert_eq!(here.len(), 1);
    assert_eq!((here[0].id, here[0].version), (a.id, a.version));
    assert_eq!(here[0].data.attrs.land_use().code(), "IND");
    let extent = store.zone_extent(Layer::Published).await.expect("extent").expect("zones");
    // The GeoPackage's R*Tree keeps 32-bit floats, rounded outwards.
    let near = |got: [f64; 4], want: [f64; 4]| got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-4);
    assert!(near(extent, [106.001, 10.001, 106.002, 10.002]), "{extent:?}");

    // Draft edits stay draft: a second zone, the first one moved; the bbox query of the
    // published layer still finds the zone where it was published.
    let b = store.create_zone(&zone(c.id, 106.003, 0.001, None), &ctx()).await.expect("zone");
    store.update_zone(a.id, Some(a.version), &zone(c.id, 106.0002, 0.0005, None), &ctx()).await.expect("move");
    assert_eq!(zone_ids(&*store, Layer::Published).await, [a.id]);
    let at_old = ZoneQuery {
        bbox: Some([106.0014, 10.0014, 106.0016, 10.0016]),
        cluster_id: None,
        limit: 10,
        offset: 0,
        cursor: None,
        layer: Layer::Published,
    };
    assert_eq!(store.count_zones(&at_old).await.expect("count"), 1);
    assert!(store.zones_at(106.0035, 10.0015, Layer::Published).await.expect("at").is_empty());
    assert_eq!(store.zones_at(106.0035, 10.0015, Layer::Draft).await.expect("at").len(), 1);

    // The next publication replaces the zones' snapshot whole: a deleted zone leaves it.
    store.delete_zone(a.id, None, &ctx()).await.expect("delete");
    store.publish_clusters(None, &ctx()).await.expect("publish");
    assert_eq!(zone_ids(&*store, Layer::Published).await, [b.id]);
    assert!(store.zones_at(106.0015, 10.0015, Layer::Published).await.expect("at").is_empty());
    assert_eq!(store.zones_at(106.0035, 10.0015, Layer::Published).await.expect("at").len(), 1);
}

async fn zone_tiles_carry_land_use_and_follow_their_layer(store: Arc<dyn Store>) {
    let here = tile_at(16, 106.0015, 10.0015);
    let c = store.create_cluster(&draft("PH-MT", 106.0, 10.0, None), &ctx()).await.expect("cluster");
    let (draft0, published0) = (
        store.zones_stamp(Layer::Draft).await.expect("stamp"),
        store.zones_stamp(Layer::Published).await.expect("stamp"),
    );
    assert_eq!(published0, 0);
    let z = store.create_zone(&zone(c.id, 106.001, 0.001, None), &ctx()).await.expect("zone");
    assert_ne!(store.zones_stamp(Layer::Draft).await.expect("stamp"), draft0, "a zone write changes the stamp");
    assert!(store.zone_tile(here, "zones", Layer::Published).await.expect("tile").is_none(), "not published yet");
    let layer = decode(&store.zone_tile(here, "zones", Layer::Draft).await.expect("tile").expect("not empty"));
    assert_eq!(layer.name, "zones");
    assert_eq!(layer.features.iter().map(|f| f.id).collect::<Vec<_>>(), [Some(z.id as u64)]);
    let expected: Vec<(String, TileValue)> = vec![
        ("cluster_id".into(), TileValue::Uint(c.id as u64)),
        ("land_use".into(), TileValue::Str("IND".into())),
        ("label".into(), TileValue::Str("CN-01".into())),
        ("leasable".into(), TileValue::Bool(true)),
        ("leased".into(), TileValue::Bool(false)),
        ("area_ha".into(), TileValue::Double(z.data.area.projected_ha)),
        ("version".into(), TileValue::Uint(1)),
        ("updated_at".into(), TileValue::Str(z.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))),
    ];
    assert_eq!(attributes(&layer, &layer.features[0]), expected);

    store.publish_clusters(None, &ctx()).await.expect("publish");
    assert_eq!(store.zones_stamp(Layer::Published).await.expect("stamp"), 1);
    let published = decode(&store.zone_tile(here, "zones", Layer::Published).await.expect("tile").expect("tile"));
    assert_eq!(published, layer);
    // A draft edit moves the draft tile's zone out; the published tile keeps it.
    store.update_zone(z.id, Some(1), &zone(c.id, 106.003, 0.001, None), &ctx()).await.expect("move");
    assert!(store.zone_tile(here, "zones", Layer::Draft).await.expect("tile").is_none());
    assert_eq!(
        decode(&store.zone_tile(here, "zones", Layer::Published).await.expect("tile").expect("tile")),
        published
    );
    // Zones are not clusters: the cluster tile of the same place holds the cluster only.
    let clusters = decode(&store.cluster_tile(here, "clusters", Layer::Published).await.expect("tile").expect("tile"));
    assert_eq!(clusters.features.iter().map(|f| f.id).collect::<Vec<_>>(), [Some(c.id as u64)]);
}

use clusterplan_store::store_suite as suite;

suite!(
    every_committed_write_changes_the_stamp,
    tiles_carry_ids_and_the_same_attributes_on_both_stores,
    tiles_are_empty_away_from_features_and_show_an_edit_at_once,
    a_feature_larger_than_the_tile_is_clipped_to_the_buffer,
    collection_metadata_round_trips_and_changes_the_stamp,
    publishing_snapshots_the_draft_and_later_edits_stay_draft,
    a_full_tile_keeps_the_largest_features_in_id_order,
    boundaries_are_simplified_to_the_tile_resolution,
    one_publication_makes_clusters_and_their_zones_public,
    zone_tiles_carry_land_use_and_follow_their_layer,
);
