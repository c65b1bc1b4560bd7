//! Coordinate reference systems: the ones clusterplan knows, with VN-2000 pinned to the
//! official QĐ 05/2007/QĐ-BTNMT transformation.
//!
//! PROJ, asked for `EPSG:4326 → EPSG:9210`, picks another VN-2000 transformation (EPSG:5194)
//! about 0.8 m away inside the Mekong delta. Every VN-2000 system is therefore defined here by
//! a PROJ string carrying the official seven parameters in PROJ's position-vector convention
//! (rotations negated from the coordinate-frame values of the decision).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use geo::MapCoordsInPlace;
use geo_types::Coord;
use proj::Proj;
use proj::wkt::WktVersion;

/// QĐ 05/2007/QĐ-BTNMT (= EPSG:6960) as PROJ `+towgs84` (position vector: rotations negated).
pub const VN2000_TOWGS84: &str =
    "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278";

/// Name of the pinned transformation, recorded with data that went through it.
pub const VN2000_TRANSFORMATION: &str = "QĐ 05/2007/QĐ-BTNMT (EPSG:6960), position-vector +towgs84";

/// VN-2000 TM-3 zones: EPSG code and central meridian in degrees (Circular 973/2001/TT-TCĐC).
const TM3_ZONES: &[(u32, f64)] = &[
    (5896, 102.0),
    (9205, 103.0),
    (9206, 104.0),
    (9207, 104.5),
    (9208, 104.75),
    (5897, 105.0),
    (9209, 105.5),
    (9210, 105.75),
    (9211, 106.0),
    (9212, 106.25),
    (9213, 106.5),
    (9214, 107.0),
    (9215, 107.25),
    (9216, 107.5),
    (5899, 107.75),
    (5898, 108.0),
    (9217, 108.25),
    (9218, 108.5),
];

/// A coordinate reference system clusterplan can read and write.
///
/// Coordinates handled by this module are always in east, north order (longitude first for
/// geographic systems), whatever the axis order an authority declares; swapping for wire
/// formats that demand it is the caller's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// WGS 84 longitude/latitude (`OGC:CRS84`, RFC 7946 GeoJSON).
    Crs84,
    /// A supported EPSG code.
    Epsg(u32),
}

/// Why a CRS could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    /// The identifier is not one of the supported systems.
    #[error("unsupported coordinate reference system {0:?}")]
    Unsupported(String),
    /// PROJ could not build or run the transformation.
    #[error("coordinate transformation failed: {0}")]
    Transform(String),
    /// A geometry lies outside the area the system is defined for, where its coordinates and
    /// the areas measured in it are distorted past use.
    #[error(
        "the boundary lies outside the area of use of {crs} ({}: longitude {:.2}° to {:.2}°, latitude {:.2}° to {:.2}°); \
         measure it in the planning CRS of its province",
        .area.name, .area.west, .area.east, .area.south, .area.north
    )]
    OutsideAreaOfUse {
        /// The system.
        crs: Crs,
        /// Its area of use.
        area: AreaOfUse,
    },
}

/// Where a system may be used: EPSG's area of use, in WGS 84 degrees.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaOfUse {
    /// EPSG's name of the area (`Vietnam - Hai Phong and Ho Chi Minh cities; Ben Tre, …`).
    pub name: String,
    /// Western bound, degrees east.
    pub west: f64,
    /// Southern bound, degrees north.
    pub south: f64,
    /// Eastern bound, degrees east.
    pub east: f64,
    /// Northern bound, degrees north.
    pub north: f64,
}

impl AreaOfUse {
    /// How far (degrees) a geometry may reach past the bounds: EPSG's boxes are drawn around
    /// provinces, and a site on a provincial border may cross them a little.
    pub const MARGIN_DEGREES: f64 = 0.1;

    /// Whether a box `[west, south, east, north]` (WGS 84 degrees) lies within the area,
    /// give or take [`AreaOfUse::MARGIN_DEGREES`].
    pub fn contains(&self, [west, south, east, north]: [f64; 4]) -> bool {
        let m = Self::MARGIN_DEGREES;
        west >= self.west - m && east <= self.east + m && south >= self.south - m && north <= self.north + m
    }
}

impl Crs {
    /// EPSG:4326, WGS 84 geographic.
    pub const WGS84: Crs = Crs::Epsg(4326);
    /// EPSG:9210, VN-2000 / TM-3 105-45 (Bến Tre and the southern provinces on 105°45′).
    pub const VN2000_TM3_10545: Crs = Crs::Epsg(9210);

    /// Every supported system, for capability documents.
    pub fn supported() -> Vec<Crs> {
        let mut all =
            vec![Crs::Crs84, Crs::Epsg(4326), Crs::Epsg(3857), Crs::Epsg(4756), Crs::Epsg(3405), Crs::Epsg(3406)];
        all.extend(TM3_ZONES.iter().map(|&(code, _)| Crs::Epsg(code)));
        all
    }

    /// A supported EPSG code.
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        let known = matches!(code, 4326 | 3857 | 4756 | 3405 | 3406) || tm3_central_meridian(code).is_some();
        if known { Ok(Crs::Epsg(code)) } else { Err(CrsError::Unsupported(format!("EPSG:{code}"))) }
    }

    /// Parses `EPSG:9210`, `CRS84`, `OGC:CRS84` or an OGC URI
    /// (`http://www.opengis.net/def/crs/EPSG/0/9210`, `…/OGC/1.3/CRS84`).
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let t = text.trim();
        let unsupported = || CrsError::Unsupported(t.to_owned());
        let lower = t.to_ascii_lowercase();
        if matches!(lower.as_str(), "crs84" | "ogc:crs84" | "urn:ogc:def:crs:ogc:1.3:crs84")
            || lower.ends_with("/def/crs/ogc/1.3/crs84")
            || lower.ends_with("/def/crs/ogc/0/crs84")
        {
            return Ok(Crs::Crs84);
        }
        let code = if let Some(rest) = lower.strip_prefix("epsg:") {
            rest
        } else if let Some(idx) = lower.find("/def/crs/epsg/") {
            lower[idx + "/def/crs/epsg/".len()..].rsplit('/').next().ok_or_else(unsupported)?
        } else if let Some(rest) = lower.strip_prefix("urn:ogc:def:crs:epsg:") {
            rest.rsplit(':').next().ok_or_else(unsupported)?
        } else {
            return Err(unsupported());
        };
        let code: u32 = code.parse().map_err(|_| unsupported())?;
        Crs::from_epsg(code).map_err(|_| unsupported())
    }

    /// The OGC URI of the system (`http://www.opengis.net/def/crs/EPSG/0/9210`).
    pub fn uri(self) -> String {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84".to_owned(),
            Crs::Epsg(code) => format!("http://www.opengis.net/def/crs/EPSG/0/{code}"),
        }
    }

    /// The EPSG code, when there is one (`CRS84` has none; it is 4326 with lon/lat order).
    pub fn epsg(self) -> Option<u32> {
        match self {
            Crs::Crs84 => None,
            Crs::Epsg(code) => Some(code),
        }
    }

    /// Whether coordinates are degrees (longitude, latitude).
    pub fn is_geographic(self) -> bool {
        matches!(self, Crs::Crs84 | Crs::Epsg(4326 | 4756))
    }

    /// Whether the system is a VN-2000 projected one (TM-3 or UTM), fit for legal areas.
    pub fn is_vn2000_projected(self) -> bool {
        matches!(self, Crs::Epsg(3405 | 3406)) || self.epsg().and_then(tm3_central_meridian).is_some()
    }

    /// Central meridian of a VN-2000 TM-3 zone.
    pub fn tm3_central_meridian(self) -> Option<f64> {
        self.epsg().and_then(tm3_central_meridian)
    }

    /// The VN-2000 TM-3 zone whose central meridian is nearest to a longitude.
    ///
    /// Only a fallback: the zone of a dataset is a fact of the dataset (provinces chose their
    /// meridians), so callers should store it rather than derive it.
    pub fn nearest_tm3_zone(lon: f64) -> Crs {
        let (code, _) = TM3_ZONES
            .iter()
            .min_by(|a, b| (a.1 - lon).abs().total_cmp(&(b.1 - lon).abs()))
            .copied()
            .unwrap_or((9210, 105.75));
        Crs::Epsg(code)
    }

    /// A short human name.
    pub fn name(self) -> String {
        match self {
            Crs::Crs84 => "WGS 84 (CRS84, lon/lat)".to_owned(),
            Crs::Epsg(4326) => "WGS 84".to_owned(),
            Crs::Epsg(3857) => "WGS 84 / Pseudo-Mercator".to_owned(),
            Crs::Epsg(4756) => "VN-2000".to_owned(),
            Crs::Epsg(3405) => "VN-2000 / UTM zone 48N".to_owned(),
            Crs::Epsg(3406) => "VN-2000 / UTM zone 49N".to_owned(),
            Crs::Epsg(code) => match tm3_central_meridian(code) {
                Some(cm) => {
                    let minutes = ((cm.fract()) * 60.0).round() as u32;
                    format!("VN-2000 / TM-3 {}-{minutes:02}", cm.trunc() as u32)
                }
                None => format!("EPSG:{code}"),
            },
        }
    }

    /// EPSG's area of use of the system, read from PROJ's database (`None` for the global
    /// systems and where the database names none). The pinned definitions of
    /// [`Crs::proj_definition`] carry no area, so it is read for the EPSG code.
    pub fn area_of_use(self) -> Option<AreaOfUse> {
        static AREAS: std::sync::LazyLock<std::sync::Mutex<HashMap<Crs, Option<AreaOfUse>>>> =
            std::sync::LazyLock::new(Default::default);
        let code = self.epsg().filter(|_| !self.is_geographic() && self != Crs::Epsg(3857))?;
        let mut areas = AREAS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        areas
            .entry(self)
            .or_insert_with(|| {
                let crs = Proj::new(&format!("EPSG:{code}")).ok()?;
                let (Some(area), name) = crs.area_of_use().ok()? else { return None };
                Some(AreaOfUse {
                    name: name.unwrap_or_else(|| self.name()),
                    west: area.west,
                    south: area.south,
                    east: area.east,
                    north: area.north,
                })
            })
            .clone()
    }

    /// Refuses a box (west, south, east, north in WGS 84 degrees) that leaves the system's area
    /// of use (with [`AreaOfUse::MARGIN_DEGREES`]): figures measured there are distorted past use.
    pub fn check_area_of_use(self, bbox: [f64; 4]) -> Result<(), CrsError> {
        match self.area_of_use() {
            Some(area) if !area.contains(bbox) => Err(CrsError::OutsideAreaOfUse { crs: self, area }),
            _ => Ok(()),
        }
    }

    /// The system as OGC WKT 1 (GDAL's flavour, one line), as a Shapefile's `.prj` carries it:
    /// VN-2000 systems with the pinned `TOWGS84`, so that GDAL and QGIS transform exported files
    /// exactly as clusterplan does.
    pub fn wkt1(self) -> Result<String, CrsError> {
        let proj = Proj::new(&self.proj_definition()).map_err(|e| CrsError::Transform(e.to_string()))?;
        let wkt = proj.as_wkt(Some(WktVersion::Wkt1_Gdal), None).map_err(|e| CrsError::Transform(e.to_string()))?;
        // PROJ indents one node per line; no quoted name spans a line.
        Ok(wkt.lines().map(str::trim).collect())
    }

    /// The system a Shapefile's `.prj` (ESRI or OGC WKT 1) describes, among those served:
    /// WGS 84, Web Mercator, and VN-2000 geographic, TM-3 (scale 0.9999, by central meridian)
    /// and UTM 48/49. VN-2000 is recognised by its datum name or by the pinned `TOWGS84`; a
    /// system this cannot place is `None` (the caller asks for it to be declared).
    pub fn from_wkt(wkt: &str) -> Option<Crs> {
        let text = wkt.to_ascii_lowercase().replace(['-', ' '], "_");
        let vn2000 = ["vn_2000", "vn2000", "vietnam_2000", "viet_nam_2000"].iter().any(|n| text.contains(n))
            || text.contains("towgs84[_191.9");
        let wgs84 = text.contains("wgs_1984") || text.contains("wgs_84") || text.contains("wgs84");
        if text.starts_with("geogcs") || text.starts_with("geogcrs") {
            return if vn2000 {
                Some(Crs::Epsg(4756))
            } else if wgs84 {
                Some(Crs::Crs84)
            } else {
                None
            };
        }
        if !text.starts_with("projcs") {
            return None;
        }
        if text.contains("mercator_auxiliary_sphere")
            || text.contains("pseudo_mercator")
            || text.contains("popular_visualisation")
        {
            return Some(Crs::Epsg(3857));
        }
        if !vn2000 || !text.contains("transverse_mercator") {
            return None;
        }
        let parameter = |name: &str| -> Option<f64> {
            let start = text.find(&format!("parameter[\"{name}\","))? + name.len() + 13;
            text[start..].split(']').next()?.trim().parse().ok()
        };
        let (meridian, scale) = (parameter("central_meridian")?, parameter("scale_factor")?);
        if (parameter("false_easting")? - 500_000.0).abs() > 0.001 {
            return None;
        }
        if (scale - 0.9999).abs() < 1e-9 {
            TM3_ZONES.iter().find(|(_, cm)| (cm - meridian).abs() < 1e-9).map(|&(code, _)| Crs::Epsg(code))
        } else if (scale - 0.9996).abs() < 1e-9 {
            match meridian {
                m if (m - 105.0).abs() < 1e-9 => Some(Crs::Epsg(3405)),
                m if (m - 111.0).abs() < 1e-9 => Some(Crs::Epsg(3406)),
                _ => None,
            }
        } else {
            None
        }
    }

    /// The PROJ definition used for this system, with VN-2000 pinned to QĐ 05/2007.
    pub fn proj_definition(self) -> String {
        match self {
            Crs::Crs84 | Crs::Epsg(4326) => "+proj=longlat +datum=WGS84 +no_defs +type=crs".to_owned(),
            Crs::Epsg(3857) => "EPSG:3857".to_owned(),
            Crs::Epsg(4756) => format!("+proj=longlat +ellps=WGS84 +towgs84={VN2000_TOWGS84} +no_defs +type=crs"),
            Crs::Epsg(3405) => utm(48),
            Crs::Epsg(3406) => utm(49),
            Crs::Epsg(code) => {
                let cm = tm3_central_meridian(code).unwrap_or(105.75);
                format!(
                    "+proj=tmerc +lat_0=0 +lon_0={cm} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 \
                     +towgs84={VN2000_TOWGS84} +units=m +no_defs +type=crs"
                )
            }
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Crs84 => f.write_str("OGC:CRS84"),
            Crs::Epsg(code) => write!(f, "EPSG:{code}"),
        }
    }
}

fn utm(zone: u32) -> String {
    format!("+proj=utm +zone={zone} +ellps=WGS84 +towgs84={VN2000_TOWGS84} +units=m +no_defs +type=crs")
}

fn tm3_central_meridian(code: u32) -> Option<f64> {
    TM3_ZONES.iter().find(|(c, _)| *c == code).map(|&(_, cm)| cm)
}

thread_local! {
    // `Proj` is neither Send nor Sync and costly to build (it opens proj.db): one per thread
    // and pair of systems.
    static TRANSFORMS: RefCell<HashMap<(Crs, Crs), Proj>> = RefCell::new(HashMap::new());
}

/// Transforms coordinates in place from one system to another (east/north order both sides).
pub fn transform_coords(from: Crs, to: Crs, coords: &mut [Coord<f64>]) -> Result<(), CrsError> {
    if same_system(from, to) || coords.is_empty() {
        return Ok(());
    }
    with_transform(from, to, |proj| {
        proj.convert_array(coords).map(|_| ()).map_err(|e| CrsError::Transform(e.to_string()))
    })?;
    if coords.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
        return Err(CrsError::Transform(format!("coordinates fall outside the domain of {to}")));
    }
    Ok(())
}

/// Transforms a whole geometry in place.
pub fn transform_geometry<G: MapCoordsInPlace<f64>>(from: Crs, to: Crs, geometry: &mut G) -> Result<(), CrsError> {
    if same_system(from, to) {
        return Ok(());
    }
    with_transform(from, to, |proj| {
        geometry.try_map_coords_in_place(|c| {
            let (x, y) = proj.convert((c.x, c.y)).map_err(|e| CrsError::Transform(e.to_string()))?;
            if x.is_finite() && y.is_finite() {
                Ok(Coord { x, y })
            } else {
                Err(CrsError::Transform(format!("coordinates fall outside the domain of {to}")))
            }
        })
    })
}

fn same_system(a: Crs, b: Crs) -> bool {
    let norm = |c: Crs| if c == Crs::Crs84 { Crs::Epsg(4326) } else { c };
    norm(a) == norm(b)
}

fn with_transform<R>(from: Crs, to: Crs, f: impl FnOnce(&Proj) -> Result<R, CrsError>) -> Result<R, CrsError> {
    TRANSFORMS.with(|cell| {
        let mut cache = cell.borrow_mut();
        let proj = match cache.entry((from, to)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                Proj::new_known_crs(&from.proj_definition(), &to.proj_definition(), None)
                    .map_err(|e| CrsError::Transform(e.to_string()))?,
            ),
        };
        f(proj)
    })
}

#[cfg(test)]
mod tests;
