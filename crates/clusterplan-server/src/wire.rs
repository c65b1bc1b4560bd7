//! GeoJSON on the wire (RFC 7946): reading features sent by clients and writing stored ones
//! (clusters, zones) and the records shown beside them (publications). These shapes belong to
//! the HTTP API; the core knows none of them.

use std::borrow::Cow;

use chrono::SecondsFormat;
use clusterplan_core::crs::{transform_coords, transform_geometry};
use clusterplan_core::geometry::validate;
use clusterplan_core::zones::Zone;
use clusterplan_core::{Boundary, Cluster, ClusterAttrs, ClusterDraft, ClusterInput, Crs, CrsError, RawBoundary};
use clusterplan_store::Publication;
use geo_types::{Coord, MultiPolygon, Polygon};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::error::ApiError;

fn bad(detail: impl Into<String>) -> ApiError {
    ApiError::BadRequest { kind: "malformed-geojson", detail: detail.into() }
}

/// Media type of GeoJSON documents.
pub const GEOJSON: &str = "application/geo+json";

/// Reads a GeoJSON Feature (a request body, or a stored feature with a patch merged in) as a
/// cluster draft with coordinates in `crs`, measured in its planning CRS (`planning_crs` when
/// it names none): GeoJSON structure errors are 400s; every boundary and attribute problem is
/// listed in one 422.
pub fn cluster_draft(document: Value, crs: WireCrs, planning_crs: Crs) -> Result<ClusterDraft, ApiError> {
    let (input, mut raw) = parse_feature(document)?;
    crs.incoming(&mut raw)?;
    let boundary = validate(&raw);
    let attrs = ClusterAttrs::parse(input, planning_crs);
    match (boundary, attrs) {
        (Ok(boundary), Ok(attrs)) => ClusterDraft::new(attrs, boundary).map_err(|e| unmeasurable(&e)),
        (boundary, attrs) => Err(ApiError::InvalidFeature {
            geometry: boundary.err().unwrap_or_default(),
            fields: attrs.err().unwrap_or_default(),
        }),
    }
}

/// New properties for a stored cluster's boundary: what a merge patch that leaves `geometry`
/// alone makes of it. The boundary is the stored one, valid when it was written, so it is not
/// read back from GeoJSON, validated and measured again; only a change of planning CRS measures
/// it again. Attribute problems are the 422 [`cluster_draft`] gives.
pub fn properties_draft(
    properties: &Map<String, Value>,
    planning_crs: Crs,
    stored: &ClusterDraft,
) -> Result<ClusterDraft, ApiError> {
    let attrs = ClusterAttrs::parse(read_properties(properties)?, planning_crs)
        .map_err(|fields| ApiError::InvalidFeature { geometry: Vec::new(), fields })?;
    stored.with_attrs(attrs).map_err(|e| unmeasurable(&e))
}

fn unmeasurable(e: &CrsError) -> ApiError {
    ApiError::Unprocessable(format!("the boundary cannot be measured in its planning CRS: {e}"))
}

/// Parses a JSON document into attributes and a raw boundary.
///
/// GeoJSON structure errors are 400s; a geometry of the wrong type or attributes of the wrong
/// JSON type are 422s, since the document itself is well formed.
pub fn parse_feature(value: Value) -> Result<(ClusterInput, RawBoundary), ApiError> {
    let geojson =
        geojson::GeoJson::from_json_value(value).map_err(|e| bad(format!("body is not valid GeoJSON: {e}")))?;
    let feature = match geojson {
        geojson::GeoJson::Feature(f) => f,
        other => return Err(bad(format!("expected a GeoJSON Feature, got a {}", type_name(&other)))),
    };
    let geometry = feature
        .geometry
        .ok_or_else(|| ApiError::Unprocessable("the feature has no geometry; a boundary is required".into()))?;
    let raw = match geometry.value {
        geojson::Value::Polygon(p) => RawBoundary::Polygon(p),
        geojson::Value::MultiPolygon(m) => RawBoundary::MultiPolygon(m),
        other => {
            return Err(ApiError::Unprocessable(format!(
                "geometry type {} is not accepted; a boundary is a Polygon or MultiPolygon",
                other.type_name()
            )));
        }
    };
    let input = read_properties(&feature.properties.unwrap_or_default())?;
    Ok((input, raw))
}

fn type_name(g: &geojson::GeoJson) -> &'static str {
    match g {
        geojson::GeoJson::Geometry(_) => "Geometry",
        geojson::GeoJson::Feature(_) => "Feature",
        geojson::GeoJson::FeatureCollection(_) => "FeatureCollection",
    }
}

/// Reads the writable properties; read-only ones (area, version, timestamps) sent back from
/// a GET are ignored, as are unknown ones.
fn read_properties(props: &Map<String, Value>) -> Result<ClusterInput, ApiError> {
    let mut problems = Vec::new();
    let mut text = |field: &'static str| match props.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            problems.push(clusterplan_core::FieldProblem { field, message: format!("{field} must be a string") });
            None
        }
    };
    let code = text("code");
    let name = text("name");
    let kind = text("kind");
    let status = text("status");
    let notes = text("notes");
    let planning_crs = text("planning_crs");
    let mut number = |field: &'static str, unit: &str| match props.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => {
            problems
                .push(clusterplan_core::FieldProblem { field, message: format!("{field} must be a number of {unit}") });
            None
        }
    };
    let planned_area_ha = number("planned_area_ha", "hectares");
    let wwtp_capacity_m3_day = number("wwtp_capacity_m3_day", "m³/day");
    let mut flag = |field: &'static str| match props.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            problems.push(clusterplan_core::FieldProblem { field, message: format!("{field} must be true or false") });
            None
        }
    };
    let craft_village = flag("craft_village");
    let mountainous = flag("mountainous");
    let roads_completed = flag("roads_completed");
    let water_completed = flag("water_completed");
    let wastewater_completed = flag("wastewater_completed");
    if problems.is_empty() {
        Ok(ClusterInput {
            code,
            name,
            kind,
            status,
            planned_area_ha,
            notes,
            planning_crs,
            craft_village,
            mountainous,
            roads_completed,
            water_completed,
            wastewater_completed,
            wwtp_capacity_m3_day,
        })
    } else {
        Err(ApiError::InvalidFeature { geometry: Vec::new(), fields: problems })
    }
}

/// The CRS of coordinates on the wire (OGC API - Features Part 2), with the axis order its
/// authority defines: latitude first for EPSG:4326 and EPSG:4756, east first otherwise
/// (CRS84, Web Mercator and the VN-2000 projected systems are all east, north).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireCrs(pub Crs);

impl Default for WireCrs {
    fn default() -> Self {
        WireCrs(Crs::Crs84)
    }
}

impl WireCrs {
    /// Parses a `crs`, `bbox-crs` or `Content-Crs` value (`<…>` brackets allowed).
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let inner = text.trim().trim_start_matches('<').trim_end_matches('>');
        Crs::parse(inner).map(WireCrs).map_err(|_| ApiError::BadRequest {
            kind: "unsupported-crs",
            detail: format!("CRS {inner:?} is not supported; see the collection's `crs` list"),
        })
    }

    fn lat_first(self) -> bool {
        matches!(self.0, Crs::Epsg(4326 | 4756))
    }

    /// The value for a `Content-Crs` header.
    pub fn header_value(self) -> String {
        format!("<{}>", self.0.uri())
    }

    /// The `Content-Crs` header of an answer in this CRS.
    pub fn content_crs(self) -> axum::http::HeaderValue {
        axum::http::HeaderValue::from_str(&self.header_value())
            .unwrap_or_else(|_| axum::http::HeaderValue::from_static("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"))
    }

    /// A stored (WGS 84 lon/lat) geometry in this CRS and axis order.
    pub fn outgoing(self, multi: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, CrsError> {
        self.outgoing_cow(multi).map(Cow::into_owned)
    }

    /// [`Self::outgoing`], borrowing the stored geometry when the wire CRS is the stored one
    /// (CRS84, the default): most answers copy no coordinate.
    pub fn outgoing_cow(self, multi: &MultiPolygon<f64>) -> Result<Cow<'_, MultiPolygon<f64>>, CrsError> {
        if self.0 == Crs::Crs84 {
            return Ok(Cow::Borrowed(multi));
        }
        let mut out = multi.clone();
        transform_geometry(Crs::WGS84, self.0, &mut out)?;
        if self.lat_first() {
            use geo::MapCoordsInPlace;
            out.map_coords_in_place(|c| Coord { x: c.y, y: c.x });
        }
        Ok(Cow::Owned(out))
    }

    /// A geometry given in this CRS and axis order (a filter literal) as CRS84 lon/lat.
    pub fn geometry_to_crs84(self, geometry: &mut geo_types::Geometry<f64>) -> Result<(), CrsError> {
        if self.lat_first() {
            use geo::MapCoordsInPlace;
            geometry.map_coords_in_place(|c| Coord { x: c.y, y: c.x });
        }
        to_wgs84_by_part(self.0, geometry)
    }

    /// Brings positions sent in this CRS to WGS 84 lon/lat, before validation. Positions that
    /// are not two finite numbers are left for the validator to report.
    pub fn incoming(self, raw: &mut RawBoundary) -> Result<(), ApiError> {
        if self.0 == Crs::Crs84 {
            return Ok(());
        }
        let polygons: &mut Vec<Vec<Vec<Vec<f64>>>> = match raw {
            RawBoundary::Polygon(p) => return self.incoming_polygon(p),
            RawBoundary::MultiPolygon(ps) => ps,
        };
        polygons.iter_mut().try_for_each(|p| self.incoming_polygon(p))
    }

    fn incoming_polygon(self, polygon: &mut [Vec<Vec<f64>>]) -> Result<(), ApiError> {
        for position in polygon.iter_mut().flatten() {
            if position.len() < 2 || !position[0].is_finite() || !position[1].is_finite() {
                continue;
            }
            let (a, b) = (position[0], position[1]);
            let mut c = [if self.lat_first() { Coord { x: b, y: a } } else { Coord { x: a, y: b } }];
            transform_coords(self.0, Crs::WGS84, &mut c).map_err(|e| {
                ApiError::Unprocessable(format!("position ({a}, {b}) cannot be transformed from {}: {e}", self.0))
            })?;
            position[0] = c[0].x;
            position[1] = c[0].y;
        }
        Ok(())
    }

    /// A bbox given in this CRS (axis order included) as a WGS 84 lon/lat envelope. Edges are
    /// sampled, since a straight edge in a projected system is curved in degrees.
    pub fn bbox_to_wgs84(self, bbox: [f64; 4]) -> Result<[f64; 4], ApiError> {
        const STEPS: usize = 16;
        let [minx, miny, maxx, maxy] = if self.lat_first() { [bbox[1], bbox[0], bbox[3], bbox[2]] } else { bbox };
        if self.0 == Crs::Crs84 || self.0 == Crs::WGS84 {
            return Ok([minx, miny, maxx, maxy]);
        }
        let mut points: Vec<Coord<f64>> = (0..=STEPS)
            .flat_map(|i| {
                let share = i as f64 / STEPS as f64;
                let x = minx + (maxx - minx) * share;
                let y = miny + (maxy - miny) * share;
                [Coord { x, y: miny }, Coord { x, y: maxy }, Coord { x: minx, y }, Coord { x: maxx, y }]
            })
            .collect();
        transform_coords(self.0, Crs::WGS84, &mut points).map_err(|e| ApiError::BadRequest {
            kind: "invalid-parameter",
            detail: format!("bbox cannot be transformed from {}: {e}", self.0),
        })?;
        let fold =
            |f: fn(f64, f64) -> f64, start: f64, pick: fn(&Coord<f64>) -> f64| points.iter().map(pick).fold(start, f);
        Ok([
            fold(f64::min, f64::INFINITY, |c| c.x),
            fold(f64::min, f64::INFINITY, |c| c.y),
            fold(f64::max, f64::NEG_INFINITY, |c| c.x),
            fold(f64::max, f64::NEG_INFINITY, |c| c.y),
        ])
    }
}

/// Transforms a geometry to WGS 84 part by part: geo's in-place transform of a whole
/// `Geometry` recurses through collections at the type level, past the compiler's limit.
fn to_wgs84_by_part(from: Crs, geometry: &mut geo_types::Geometry<f64>) -> Result<(), CrsError> {
    use geo_types::Geometry as G;
    let to = Crs::WGS84;
    match geometry {
        G::Point(g) => transform_geometry(from, to, g),
        G::Line(g) => transform_geometry(from, to, g),
        G::LineString(g) => transform_geometry(from, to, g),
        G::Polygon(g) => transform_geometry(from, to, g),
        G::MultiPoint(g) => transform_geometry(from, to, g),
        G::MultiLineString(g) => transform_geometry(from, to, g),
        G::MultiPolygon(g) => transform_geometry(from, to, g),
        G::Rect(g) => transform_geometry(from, to, g),
        G::Triangle(g) => transform_geometry(from, to, g),
        G::GeometryCollection(parts) => parts.0.iter_mut().try_for_each(|part| to_wgs84_by_part(from, part)),
    }
}

/// The `coordinates` of a MultiPolygon, serialised straight from geo's types: no tree of
/// JSON values, one allocation-free pass over the vertices.
struct Coordinates<'a>(&'a MultiPolygon<f64>);

struct PolygonCoordinates<'a>(&'a Polygon<f64>);

struct RingCoordinates<'a>(&'a geo_types::LineString<f64>);

impl Serialize for Coordinates<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.0.iter().map(PolygonCoordinates))
    }
}

impl Serialize for PolygonCoordinates<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(std::iter::once(self.0.exterior()).chain(self.0.interiors()).map(RingCoordinates))
    }
}

impl Serialize for RingCoordinates<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.coords().map(|c| (c.x, c.y)))
    }
}

/// A GeoJSON geometry member.
#[derive(Serialize)]
struct GeometryOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: Coordinates<'a>,
}

/// A GeoJSON Feature with typed parts.
#[derive(Serialize)]
struct FeatureOut<'a, P> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: i64,
    geometry: GeometryOut<'a>,
    properties: P,
}

/// The one geometry type of every layer, as the collections, queryables and schemas declare
/// it: GDAL takes a layer's type from its first page, and a layer mixing Polygon and
/// MultiPolygon stops `ogr2ogr -f FlatGeobuf` and makes GPKG exports warn.
pub const GEOMETRY_TYPE: &str = "MultiPolygon";

/// GeoJSON geometry of a boundary in a wire CRS: always a MultiPolygon (one part or more),
/// see [`GEOMETRY_TYPE`]. Clients may send either a Polygon or a MultiPolygon.
pub fn geometry_json(boundary: &Boundary, crs: WireCrs) -> Result<Value, CrsError> {
    let multi = crs.outgoing_cow(boundary.as_multi_polygon())?;
    to_value(&GeometryOut { kind: GEOMETRY_TYPE, coordinates: Coordinates(&multi) })
}

/// A stored cluster as a GeoJSON Feature, coordinates in `crs`.
pub fn feature_json(c: &Cluster, crs: WireCrs) -> Result<Value, CrsError> {
    let multi = crs.outgoing_cow(c.data.boundary.as_multi_polygon())?;
    to_value(&feature_out(c, &multi, None))
}

/// A stored cluster as the body of a GeoJSON answer.
pub fn feature_body(c: &Cluster, crs: WireCrs) -> Result<Vec<u8>, CrsError> {
    let mut out = Vec::new();
    write_feature(&mut out, c, FeatureOptions { crs, properties: None })?;
    Ok(out)
}

/// How a feature is written: the CRS of its coordinates, and the properties kept (`None`: all).
#[derive(Debug, Clone, Copy, Default)]
pub struct FeatureOptions<'a> {
    pub crs: WireCrs,
    pub properties: Option<&'a [String]>,
}

/// Appends a stored cluster as a GeoJSON Feature to `out`: what item pages stream, written
/// straight from the cluster (no intermediate JSON tree).
pub fn write_feature(out: &mut Vec<u8>, c: &Cluster, options: FeatureOptions<'_>) -> Result<(), CrsError> {
    let multi = options.crs.outgoing_cow(c.data.boundary.as_multi_polygon())?;
    to_writer(out, &feature_out(c, &multi, options.properties))
}

/// Appends a typed feature to `out`. Writing into a Vec fails only for a non-finite number,
/// which no stored value is.
fn to_writer<T: Serialize>(out: &mut Vec<u8>, value: &T) -> Result<(), CrsError> {
    serde_json::to_writer(out, value).map_err(|e| CrsError::Transform(e.to_string()))
}

/// A cluster as a typed GeoJSON Feature, its boundary already in the wire CRS.
fn feature_out<'a>(
    c: &'a Cluster,
    multi: &'a MultiPolygon<f64>,
    keep: Option<&'a [String]>,
) -> FeatureOut<'a, ClusterProperties<'a>> {
    FeatureOut {
        kind: "Feature",
        id: c.id,
        geometry: GeometryOut { kind: GEOMETRY_TYPE, coordinates: Coordinates(multi) },
        properties: ClusterProperties { cluster: c, keep },
    }
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, CrsError> {
    serde_json::to_value(value).map_err(|e| CrsError::Transform(e.to_string()))
}

/// A stored cluster's GeoJSON properties (no geometry: nothing to transform).
pub fn cluster_properties(c: &Cluster) -> Value {
    // Serialising these values into a JSON value cannot fail.
    serde_json::to_value(ClusterProperties { cluster: c, keep: None }).unwrap_or_default()
}

/// One property value of a cluster.
#[derive(Serialize)]
#[serde(untagged)]
enum Property<'a> {
    Text(&'a str),
    Owned(String),
    OptionalText(Option<&'a str>),
    Number(f64),
    OptionalNumber(Option<f64>),
    Integer(i64),
    Flag(bool),
}

/// A cluster's properties, in the order the wire and the schemas list them; `keep` selects
/// (`properties=`).
struct ClusterProperties<'a> {
    cluster: &'a Cluster,
    keep: Option<&'a [String]>,
}

impl ClusterProperties<'_> {
    fn entries(&self) -> [(&'static str, Property<'_>); 18] {
        let c = self.cluster;
        let a = &c.data.attrs;
        let flags = a.flags();
        [
            ("code", Property::Text(a.code())),
            ("name", Property::Text(a.name())),
            ("kind", Property::Text(a.kind().code())),
            ("status", Property::Text(a.status().code())),
            ("planned_area_ha", Property::OptionalNumber(a.planned_area_ha())),
            ("area_ha", Property::Number(round(c.data.area.projected_ha, 4))),
            ("geodesic_area_ha", Property::Number(round(c.data.area.geodesic_ha, 4))),
            ("planning_crs", Property::Owned(a.planning_crs().to_string())),
            ("notes", Property::OptionalText(a.notes())),
            ("craft_village", Property::Flag(flags.craft_village)),
            ("mountainous", Property::Flag(flags.mountainous)),
            ("roads_completed", Property::Flag(flags.roads_completed)),
            ("water_completed", Property::Flag(flags.water_completed)),
            ("wastewater_completed", Property::Flag(flags.wastewater_completed)),
            ("wwtp_capacity_m3_day", Property::OptionalNumber(a.wwtp_capacity_m3_day())),
            ("version", Property::Integer(c.version)),
            ("created_at", Property::Owned(c.created_at.to_rfc3339_opts(SecondsFormat::Millis, true))),
            ("updated_at", Property::Owned(c.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true))),
        ]
    }
}

impl Serialize for ClusterProperties<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in self.entries() {
            if self.keep.is_none_or(|keep| keep.iter().any(|k| k == name)) {
                map.serialize_entry(name, &value)?;
            }
        }
        map.end()
    }
}

/// A zone as a GeoJSON Feature.
pub fn zone_json(z: &Zone, crs: WireCrs) -> Result<Value, ApiError> {
    let multi = crs.outgoing_cow(z.data.boundary.as_multi_polygon()).map_err(ApiError::internal)?;
    to_value(&zone_out(z, &multi)).map_err(ApiError::internal)
}

/// Appends a stored zone as a GeoJSON Feature to `out`, written straight from the zone (no
/// intermediate JSON tree), as [`write_feature`] writes a cluster.
pub fn write_zone(out: &mut Vec<u8>, z: &Zone, crs: WireCrs) -> Result<(), CrsError> {
    let multi = crs.outgoing_cow(z.data.boundary.as_multi_polygon())?;
    to_writer(out, &zone_out(z, &multi))
}

/// A stored zone as the body of a GeoJSON answer.
pub fn zone_body(z: &Zone, crs: WireCrs) -> Result<Vec<u8>, CrsError> {
    let mut out = Vec::new();
    write_zone(&mut out, z, crs)?;
    Ok(out)
}

/// A zone as a typed GeoJSON Feature, its boundary already in the wire CRS.
fn zone_out<'a>(z: &'a Zone, multi: &'a MultiPolygon<f64>) -> FeatureOut<'a, ZoneProperties<'a>> {
    let a = &z.data.attrs;
    FeatureOut {
        kind: "Feature",
        id: z.id,
        geometry: GeometryOut { kind: GEOMETRY_TYPE, coordinates: Coordinates(multi) },
        properties: ZoneProperties {
            cluster_id: a.cluster_id(),
            land_use: a.land_use().code(),
            label: a.label(),
            leasable: a.leasable(),
            leased: a.leased(),
            tenant: a.tenant(),
            area_ha: round(z.data.area.projected_ha, 4),
            geodesic_area_ha: round(z.data.area.geodesic_ha, 4),
            version: z.version,
            created_at: z.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            updated_at: z.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        },
    }
}

/// A zone's GeoJSON properties.
#[derive(Serialize)]
struct ZoneProperties<'a> {
    cluster_id: i64,
    land_use: &'static str,
    label: Option<&'a str>,
    leasable: bool,
    leased: bool,
    tenant: Option<&'a str>,
    area_ha: f64,
    geodesic_area_ha: f64,
    version: i64,
    created_at: String,
    updated_at: String,
}

/// A publication of the layer.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicationDoc {
    /// Its number, counting from 1.
    pub seq: i64,
    /// When it was made (RFC 3339).
    pub published_at: String,
    /// Who made it.
    pub author: Option<String>,
    /// Why.
    pub note: Option<String>,
    /// How many features the published layer holds.
    pub feature_count: u64,
}

impl From<&Publication> for PublicationDoc {
    fn from(p: &Publication) -> Self {
        PublicationDoc {
            seq: p.seq,
            published_at: p.published_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            author: p.author.clone(),
            note: p.note.clone(),
            feature_count: p.feature_count,
        }
    }
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}
