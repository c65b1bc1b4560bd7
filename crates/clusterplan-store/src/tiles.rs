//! Vector tiles (Mapbox Vector Tile 2.1) in the OGC `WebMercatorQuad` tile matrix set.
//!
//! PostGIS renders tiles itself (`ST_AsMVT`); the embedded store renders them here with
//! geozero's MVT encoder after an R*Tree prefilter, clipping with `geo`. Both carry the same
//! layer name, feature ids and attributes ([`cluster_tags`] and the PostGIS query list the same
//! columns with the same MVT value types).
//!
//! What one tile may cost is bounded the same way on both stores: boundaries are simplified to
//! the tile's resolution ([`SIMPLIFY_UNITS`]), and a tile holds at most [`MAX_TILE_FEATURES`]
//! features and [`MAX_TILE_VERTICES`] vertices: the largest features (by `area_ha`, then id)
//! are kept, and from the first one that does not fit on, the rest are left out. A dense layer
//! at a low zoom then shows its largest features, as a map at that scale would.

use chrono::SecondsFormat;
use clusterplan_core::crs::{transform_coords, transform_geometry};
use clusterplan_core::{Cluster, Crs};
use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, BoundingRect, Simplify};
use geo_types::{Coord, LineString, MultiPolygon, Polygon, Rect};
use geozero::ToMvt;
use geozero::mvt::{Message, TagsBuilder, Tile, TileValue, tile};

use crate::StoreError;

/// Tile coordinate space (units per tile side), as `ST_AsMVT` uses by default.
pub const EXTENT: u32 = 4096;
/// Geometry kept beyond each tile edge, in tile units, so that renderers draw no seams.
pub const BUFFER: u32 = 64;
/// Deepest zoom served (a tile is then about 2.4 m wide).
pub const MAX_ZOOM: u8 = 24;
/// Boundaries are simplified (Douglas–Peucker) with this distance tolerance, in tile units,
/// before they are snapped to the grid (PostGIS: `ST_Simplify` before `ST_AsMVTGeom`, which
/// makes its output valid; the embedded store: geo's `Simplify` after its clip): detail finer
/// than the grid is not drawn, and a dense low-zoom tile gets small to send. Plain
/// Douglas–Peucker, not `ST_SimplifyPreserveTopology`: on a zoom-8 tile of 3 300 features it
/// gave the same bytes at a third of the cost.
pub const SIMPLIFY_UNITS: f64 = 1.0;
/// At most this many features in one tile (the largest by area, then by id).
pub const MAX_TILE_FEATURES: usize = 10_000;
/// At most this many vertices in one tile, counted after clipping and snapping: with the
/// feature limit, this bounds a tile to about a megabyte whatever the data.
pub const MAX_TILE_VERTICES: usize = 250_000;
/// What one tile may hold: the largest features (by `area_ha`, then id) up to the first that
/// would exceed either limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileBudget {
    /// Features at most.
    pub features: usize,
    /// Vertices at most, counted after simplification, clipping and snapping.
    pub vertices: usize,
}

impl TileBudget {
    /// [`MAX_TILE_FEATURES`] and [`MAX_TILE_VERTICES`].
    pub const DEFAULT: TileBudget = TileBudget { features: MAX_TILE_FEATURES, vertices: MAX_TILE_VERTICES };
}

/// Half the width of the Web Mercator square, in metres.
const HALF_WORLD: f64 = 20_037_508.342_789_244;

/// One tile of `WebMercatorQuad`: zoom (tile matrix), column `x` (tileCol) and row `y`
/// (tileRow, from the north).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileId {
    /// Zoom level.
    pub z: u8,
    /// Column, from the west.
    pub x: u32,
    /// Row, from the north.
    pub y: u32,
}

impl TileId {
    /// A tile, or `None` when the zoom is beyond [`MAX_ZOOM`] or the row or column is outside it.
    pub fn new(z: u8, x: u32, y: u32) -> Option<Self> {
        let n = 1u64 << z.min(MAX_ZOOM);
        (z <= MAX_ZOOM && u64::from(x) < n && u64::from(y) < n).then_some(TileId { z, x, y })
    }

    /// `[minx, miny, maxx, maxy]` in EPSG:3857 metres.
    pub fn mercator_bounds(self) -> [f64; 4] {
        let size = 2.0 * HALF_WORLD / f64::from(1u32 << self.z.min(MAX_ZOOM));
        let minx = -HALF_WORLD + f64::from(self.x) * size;
        let maxy = HALF_WORLD - f64::from(self.y) * size;
        [minx, maxy - size, minx + size, maxy]
    }

    /// The simplification tolerance of this tile in EPSG:3857 metres ([`SIMPLIFY_UNITS`]).
    pub fn simplify_tolerance(self) -> f64 {
        let [minx, _, maxx, _] = self.mercator_bounds();
        (maxx - minx) / f64::from(EXTENT) * SIMPLIFY_UNITS
    }

    /// The tile with its buffer as a WGS 84 lon/lat envelope, for index prefilters.
    pub(crate) fn lonlat_envelope(self) -> Result<[f64; 4], StoreError> {
        let [minx, miny, maxx, maxy] = self.mercator_bounds();
        let margin = (maxx - minx) * f64::from(BUFFER) / f64::from(EXTENT);
        let clamp = |v: f64| v.clamp(-HALF_WORLD, HALF_WORLD);
        let mut corners = [
            Coord { x: clamp(minx - margin), y: clamp(miny - margin) },
            Coord { x: clamp(maxx + margin), y: clamp(maxy + margin) },
        ];
        transform_coords(Crs::Epsg(3857), Crs::WGS84, &mut corners).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok([corners[0].x, corners[0].y, corners[1].x, corners[1].y])
    }
}

/// One attribute of a cluster in a tile: its name, the PostGIS expression that selects it in
/// [`cluster_tile_sql`], and its value as the Rust encoder writes it. Values follow `ST_AsMVT`'s
/// types (non-negative integers as `uint`, `float8` as `double`, text as `string`; NULLs left
/// out), so both stores write the same tiles. The id is the feature id, not an attribute.
pub(crate) struct TileField {
    name: &'static str,
    /// The `TileJSON` type of the value: `String` or `Number`.
    kind: &'static str,
    sql: &'static str,
    value: fn(&Cluster) -> Option<TileValue>,
}

/// The attributes of clusters in tiles, in order: the one list both stores' tiles follow.
pub(crate) const CLUSTER_TILE_FIELDS: &[TileField] = &[
    TileField {
        name: "code",
        kind: "String",
        sql: "code",
        value: |c| Some(TileValue::Str(c.data.attrs.code().to_owned())),
    },
    TileField {
        name: "name",
        kind: "String",
        sql: "name",
        value: |c| Some(TileValue::Str(c.data.attrs.name().to_owned())),
    },
    TileField {
        name: "kind",
        kind: "String",
        sql: "kind",
        value: |c| Some(TileValue::Str(c.data.attrs.kind().code().to_owned())),
    },
    TileField {
        name: "status",
        kind: "String",
        sql: "status",
        value: |c| Some(TileValue::Str(c.data.attrs.status().code().to_owned())),
    },
    TileField {
        name: "planned_area_ha",
        kind: "Number",
        sql: "planned_area_ha",
        value: |c| c.data.attrs.planned_area_ha().map(TileValue::Double),
    },
    TileField {
        name: "area_ha",
        kind: "Number",
        sql: "area_ha",
        value: |c| Some(TileValue::Double(c.data.area.projected_ha)),
    },
    TileField {
        name: "geodesic_area_ha",
        kind: "Number",
        sql: "geodesic_area_ha",
        value: |c| Some(TileValue::Double(c.data.area.geodesic_ha)),
    },
    TileField {
        name: "planning_crs",
        kind: "String",
        sql: "planning_crs",
        value: |c| Some(TileValue::Str(c.data.attrs.planning_crs().to_string())),
    },
    TileField { name: "version", kind: "Number", sql: "version", value: |c| Some(TileValue::Uint(c.version as u64)) },
    TileField {
        name: "updated_at",
        kind: "String",
        sql: "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated_at",
        value: |c| Some(TileValue::Str(c.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true))),
    },
];

/// The attributes of a cluster tile and their `TileJSON` types (`String`, `Number`), in the
/// order tiles carry them: what a tileset's `vector_layers` describe.
pub fn cluster_tile_fields() -> impl Iterator<Item = (&'static str, &'static str)> {
    CLUSTER_TILE_FIELDS.iter().map(|f| (f.name, f.kind))
}

/// A cluster's attributes in a tile, as [`CLUSTER_TILE_FIELDS`] lists them.
pub(crate) fn cluster_tags(c: &Cluster) -> Vec<(&'static str, TileValue)> {
    CLUSTER_TILE_FIELDS.iter().filter_map(|f| (f.value)(c).map(|v| (f.name, v))).collect()
}

/// One tile of a PostGIS clusters table in one statement: index prefilter on the buffered tile
/// envelope, simplification to the tile's resolution, clipping and quantising by
/// `ST_AsMVTGeom` (once per feature: the CTE is materialised, so the `IS NOT NULL` test does
/// not clip again), the largest features within a [`TileBudget`], encoding by `ST_AsMVT` in id
/// order, attributes as
/// [`CLUSTER_TILE_FIELDS`] lists them, `id` as the feature id. Parameters: z, x, y, layer
/// name, simplification tolerance (metres), feature limit, vertex limit.
pub(crate) fn cluster_tile_sql(table: &str) -> String {
    let fields = CLUSTER_TILE_FIELDS.iter().map(|f| f.sql).collect::<Vec<_>>().join(", ");
    let names = CLUSTER_TILE_FIELDS.iter().map(|f| f.name).collect::<Vec<_>>().join(", ");
    format!(
        "WITH rows AS MATERIALIZED ( \
           SELECT id, ST_AsMVTGeom(ST_Simplify(ST_Transform(geom, 3857), $5), \
                          ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom, \
                  {fields} \
           FROM {table} \
           WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)), \
         largest AS ( \
           SELECT *, sum(ST_NPoints(geom)) OVER (ORDER BY area_ha DESC, id ROWS UNBOUNDED PRECEDING) AS vertices \
           FROM rows WHERE geom IS NOT NULL ORDER BY area_ha DESC, id LIMIT $6), \
         kept AS ( \
           SELECT id, geom, {names} FROM largest WHERE vertices <= $7 ORDER BY id) \
         SELECT coalesce(ST_AsMVT(kept.*, $4, 4096, 'geom', 'id'), ''::bytea) FROM kept"
    )
}

/// Encodes clusters (already prefiltered by envelope, and given largest first: by `area_ha`
/// descending, then id) as one MVT layer in id order, within the budget; `None` when no
/// geometry falls in the tile.
pub(crate) fn encode_clusters(
    tile_id: TileId,
    layer: &str,
    budget: TileBudget,
    largest_first: impl IntoIterator<Item = Cluster>,
) -> Result<Option<Vec<u8>>, StoreError> {
    let bounds = tile_id.mercator_bounds();
    let mut kept = Vec::new();
    let mut vertices = 0;
    for cluster in largest_first {
        let Some(shape) = tile_geometry(cluster.data.boundary.as_multi_polygon(), bounds)? else { continue };
        vertices += geo::CoordsIter::coords_count(&shape);
        if kept.len() == budget.features || vertices > budget.vertices {
            break;
        }
        // What the tile needs of a feature, not its full boundary.
        kept.push((cluster.id, cluster_tags(&cluster), shape));
    }
    if kept.is_empty() {
        return Ok(None);
    }
    kept.sort_unstable_by_key(|(id, _, _)| *id);
    let mut tags = TagsBuilder::new();
    let mut features = Vec::with_capacity(kept.len());
    for (id, values, shape) in kept {
        let mut feature = geo_types::Geometry::MultiPolygon(shape)
            .to_mvt_unscaled()
            .map_err(|e| StoreError::Corrupt(format!("MVT encoding: {e}")))?;
        feature.id = Some(id as u64);
        for (key, value) in values {
            let (k, v) = tags.insert_ref(key, value);
            feature.tags.extend([k, v]);
        }
        features.push(feature);
    }
    let (keys, values) = tags.into_tags();
    let layer = tile::Layer {
        version: 2,
        name: layer.to_owned(),
        features,
        keys,
        values: values.into_iter().map(Into::into).collect(),
        extent: Some(EXTENT),
    };
    Ok(Some(Tile { layers: vec![layer] }.encode_to_vec()))
}

/// A WGS 84 boundary in integer tile coordinates (y down), clipped to the tile and its
/// buffer, exterior rings with positive area as MVT requires; `None` when nothing is left.
fn tile_geometry(
    boundary: &MultiPolygon<f64>,
    [minx, miny, maxx, maxy]: [f64; 4],
) -> Result<Option<MultiPolygon<f64>>, StoreError> {
    let mut shape = boundary.clone();
    transform_geometry(Crs::WGS84, Crs::Epsg(3857), &mut shape).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let (sx, sy) = (f64::from(EXTENT) / (maxx - minx), f64::from(EXTENT) / (maxy - miny));
    geo::MapCoordsInPlace::map_coords_in_place(&mut shape, |c| Coord { x: (c.x - minx) * sx, y: (maxy - c.y) * sy });
    let low = -f64::from(BUFFER);
    let high = f64::from(EXTENT + BUFFER);
    let clip = Rect::new(Coord { x: low, y: low }, Coord { x: high, y: high });
    let inside = shape
        .bounding_rect()
        .is_some_and(|b| b.min().x >= low && b.min().y >= low && b.max().x <= high && b.max().y <= high);
    let clipped = if inside { shape } else { shape.intersection(&clip.to_polygon()) };
    // Detail finer than the grid is not drawn. Douglas–Peucker after the clip, which then
    // never meets a ring the simplification crossed; rings it collapses are dropped below.
    let simplified = clipped.simplify(SIMPLIFY_UNITS);
    let snapped: Vec<Polygon<f64>> = simplified
        .orient(Direction::Default)
        .0
        .into_iter()
        .filter_map(|p| {
            let (exterior, interiors) = p.into_inner();
            let exterior = snap_ring(&exterior)?;
            let interiors = interiors.iter().filter_map(snap_ring).collect();
            Some(Polygon::new(exterior, interiors))
        })
        .collect();
    Ok((!snapped.is_empty()).then_some(MultiPolygon(snapped)))
}

/// Rounds a ring to the integer grid and drops repeated points; `None` when it collapses.
fn snap_ring(ring: &LineString<f64>) -> Option<LineString<f64>> {
    let mut coords: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let c = Coord { x: c.x.round(), y: c.y.round() };
        if coords.last() != Some(&c) {
            coords.push(c);
        }
    }
    let ring = LineString(coords);
    (ring.0.len() >= 4 && Polygon::new(ring.clone(), vec![]).unsigned_area() > 0.0).then_some(ring)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_bounds_follow_web_mercator_quad() {
        let world = TileId::new(0, 0, 0).expect("tile").mercator_bounds();
        assert!((world[0] + HALF_WORLD).abs() < 1e-6 && (world[3] - HALF_WORLD).abs() < 1e-6);
        // Row 0 is the northernmost row.
        let ne = TileId::new(1, 1, 0).expect("tile").mercator_bounds();
        assert!(ne[0].abs() < 1e-6 && ne[1].abs() < 1e-6);
        assert!(TileId::new(1, 2, 0).is_none() && TileId::new(25, 0, 0).is_none());
    }

    #[test]
    fn collapsed_rings_are_dropped() {
        let tiny = LineString::from(vec![(0.1, 0.1), (0.2, 0.1), (0.2, 0.2), (0.1, 0.1)]);
        assert!(snap_ring(&tiny).is_none());
        let square = LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]);
        assert_eq!(snap_ring(&square).map(|r| r.0.len()), Some(5));
    }
}
