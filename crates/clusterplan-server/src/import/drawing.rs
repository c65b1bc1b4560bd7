//! CAD drawings (DXF), as surveyors hand boundaries over: every closed polyline
//! (`LWPOLYLINE`, `POLYLINE`, or one whose last vertex is its first; arcs drawn as bulges become
//! vertices) and every hatch (its largest boundary path the outline, paths inside it holes; see
//! [`super::hatch`]) of the chosen layer (all layers unless `layer`) is a boundary; a hatch
//! drawn over a closed polyline of its layer (an associative hatch) is that polyline,
//! not a second boundary. Boundaries are in the declared system or the planning CRS (CAD X is
//! the easting). A drawing carries no attributes: a boundary gets its layer, the text
//! (`TEXT`, `MTEXT`) written inside it as `name`, and `code` as declared (`code=`, numbered
//! `-1`, `-2`, … when there are several) or `DXF-<n>`; what it lacks is kept from the cluster
//! with its code.

use clusterplan_core::Crs;
use dxf::entities::EntityType;
use geo::{Area, Contains};
use geo_types::{Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};

use super::hatch::{self, with_bulges};
use super::{BadFile, Dataset, Options, SourceFeature, bad, boundary};

/// ASCII DXF starts with group code 0 and `SECTION` (maybe after 999 comments); binary DXF
/// with its sentinel.
pub(super) fn is_dxf(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"AutoCAD Binary DXF") {
        return true;
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
    let mut lines = head.lines().map(str::trim);
    matches!((lines.next(), lines.next()), (Some("0"), Some("SECTION")) | (Some("999"), Some(_)))
        && head.contains("SECTION")
}

pub(super) fn read(bytes: &[u8], options: &Options) -> Result<Dataset, BadFile> {
    let drawing = dxf::Drawing::load(&mut std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable DXF drawing: {e}")))?;
    let on_layer = |layer: &str| options.layer.as_ref().is_none_or(|wanted| wanted.eq_ignore_ascii_case(layer));
    let mut rings: Vec<(String, Vec<Vec<Coord<f64>>>)> = Vec::new();
    let mut texts: Vec<(Point<f64>, String)> = Vec::new();
    let mut layers: Vec<String> = Vec::new();
    for entity in drawing.entities() {
        let layer = &entity.common.layer;
        let vertices: Option<(bool, Vec<Coord<f64>>, Vec<f64>)> = match &entity.specific {
            EntityType::LwPolyline(p) => Some((
                p.is_closed(),
                p.vertices.iter().map(|v| Coord { x: v.x, y: v.y }).collect(),
                p.vertices.iter().map(|v| v.bulge).collect(),
            )),
            EntityType::Polyline(p) => Some((
                p.is_closed(),
                p.vertices().map(|v| Coord { x: v.location.x, y: v.location.y }).collect(),
                p.vertices().map(|v| v.bulge).collect(),
            )),
            EntityType::Text(t) => {
                texts.push((Point::new(t.location.x, t.location.y), t.value.trim().to_owned()));
                None
            }
            EntityType::MText(t) => {
                texts.push((Point::new(t.insertion_point.x, t.insertion_point.y), t.text.trim().to_owned()));
                None
            }
            _ => None,
        };
        let Some((closed, mut coords, mut bulges)) = vertices else { continue };
        if !layers.contains(layer) {
            layers.push(layer.clone());
        }
        let repeats = coords.len() > 3 && coords.first() == coords.last();
        if !(closed || repeats) || !on_layer(layer) {
            continue;
        }
        if repeats {
            coords.pop();
            bulges.pop();
        }
        rings.push((layer.clone(), vec![with_bulges(&coords, &bulges)]));
    }
    for hatch in hatch::read(bytes).map_err(|e| bad(format!("the drawing's {e}")))? {
        if !layers.contains(&hatch.layer) {
            layers.push(hatch.layer.clone());
        }
        let drawn = |ring: &Vec<Coord<f64>>| {
            rings.iter().any(|(layer, other)| *layer == hatch.layer && other.len() == 1 && same_ring(&other[0], ring))
        };
        if on_layer(&hatch.layer) && !hatch.rings.iter().any(drawn) {
            rings.push((hatch.layer, hatch.rings));
        }
    }
    if rings.is_empty() {
        let which = options.layer.as_ref().map_or_else(String::new, |l| format!(" on layer {l:?}"));
        return Err(bad(format!(
            "the drawing has no closed polyline or hatch{which} (its layers with them: {})",
            layers.join(", ")
        )));
    }
    let crs = options.crs.or(options.planning_crs).unwrap_or(Crs::VN2000_TM3_10545);
    let several = rings.len() > 1;
    let mut fields = vec!["code".to_owned(), "layer".to_owned()];
    let features = rings
        .into_iter()
        .enumerate()
        .map(|(n, (layer, paths))| {
            let code = match (&options.code, several) {
                (Some(code), false) => code.clone(),
                (Some(code), true) => format!("{code}-{}", n + 1),
                (None, _) => format!("DXF-{}", n + 1),
            };
            let mut properties = Map::new();
            properties.insert("code".into(), Value::String(code));
            properties.insert("layer".into(), Value::String(layer));
            let shape = shape(paths);
            if let Some((_, text)) = texts.iter().find(|(at, text)| !text.is_empty() && shape.contains(at)) {
                properties.insert("name".into(), Value::String(text.clone()));
                if !fields.iter().any(|f| f == "name") {
                    fields.push("name".into());
                }
            }
            let geometry = if shape.0.iter().any(|p| p.exterior().0.len() < 4) {
                Err(format!("polyline {} has fewer than 3 vertices", n + 1))
            } else {
                boundary(Some(Geometry::MultiPolygon(shape)), crs)
            };
            SourceFeature { properties, geometry, cut: Vec::new() }
        })
        .collect();
    Ok(Dataset { format: "DXF", crs, encoding: None, fields, features, axis_order: None, partial: true })
}

/// The polygons of one outline's rings: the largest first, each ring inside an earlier polygon
/// a hole of it, any other an outline of its own.
fn shape(paths: Vec<Vec<Coord<f64>>>) -> MultiPolygon<f64> {
    // Each ring as a polygon of its own, largest first.
    let mut outlines: Vec<Polygon<f64>> = paths
        .into_iter()
        .map(|mut coords| {
            if let Some(&first) = coords.first() {
                coords.push(first);
            }
            Polygon::new(LineString(coords), Vec::new())
        })
        .collect();
    outlines.sort_by(|a, b| b.unsigned_area().total_cmp(&a.unsigned_area()));
    let mut polygons: Vec<(Polygon<f64>, Polygon<f64>)> = Vec::new();
    for ring in outlines {
        let first = ring.exterior().0.first().copied();
        match first.and_then(|first| polygons.iter_mut().find(|(outline, _)| outline.contains(&first))) {
            Some((_, outer)) => outer.interiors_push(ring.into_inner().0),
            None => polygons.push((ring.clone(), ring)),
        }
    }
    MultiPolygon(polygons.into_iter().map(|(_, polygon)| polygon).collect())
}

/// Whether two rings have the same vertices (within a millimetre in the drawing's units of
/// metres), whatever vertex they start at and whichever way they run.
fn same_ring(a: &[Coord<f64>], b: &[Coord<f64>]) -> bool {
    let near = |p: &Coord<f64>, q: &Coord<f64>| (p.x - q.x).abs() < 1e-3 && (p.y - q.y).abs() < 1e-3;
    a.len() == b.len() && a.iter().all(|p| b.iter().any(|q| near(p, q)))
}
