//! The filter tree: structure (`Expr`, operators) kept apart from values (`Literal`,
//! `LikePattern`, geometries), and a canonical CQL2 text rendering of it.

use std::fmt::{self, Display, Formatter, Write as _};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use geo_types::{Coord, Geometry, LineString, Polygon};

/// A parsed CQL2 filter.
///
/// `And` and `Or` hold two or more operands (a chain `a AND b AND c` is one `And`). Property
/// names are as written in the filter, to be looked up in the queryables; a SQL builder maps them
/// to columns and binds every value as a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `TRUE` or `FALSE` standing as a predicate of its own (`filter=true`).
    Bool(bool),
    /// All operands hold.
    And(Vec<Expr>),
    /// At least one operand holds.
    Or(Vec<Expr>),
    /// The operand does not hold (unknown stays unknown, as in SQL).
    Not(Box<Expr>),
    /// `prop op value`; a filter written `value op prop` is stored with the operator flipped.
    Compare {
        /// The property on the left.
        prop: String,
        /// The comparison.
        op: CompareOp,
        /// The literal on the right.
        value: Literal,
    },
    /// `left op right` between two properties of the same type (`planned_area_ha < area_ha`).
    CompareProperties {
        /// The property on the left.
        left: String,
        /// The comparison.
        op: CompareOp,
        /// The property on the right.
        right: String,
    },
    /// `prop [NOT] LIKE 'pattern'`: case- and accent-sensitive pattern match.
    Like {
        /// The string property matched.
        prop: String,
        /// The pattern, with `%`, `_` and escapes resolved.
        pattern: LikePattern,
        /// `NOT LIKE`.
        negated: bool,
    },
    /// `prop [NOT] BETWEEN low AND high`, bounds included (numbers only, as in CQL2).
    Between {
        /// The number property tested.
        prop: String,
        /// The lower bound.
        low: f64,
        /// The upper bound; `low > high` matches nothing, as in SQL.
        high: f64,
        /// `NOT BETWEEN`.
        negated: bool,
    },
    /// `prop [NOT] IN (v1, v2, …)`; the list is never empty.
    In {
        /// The property tested.
        prop: String,
        /// The literals, in the order written.
        values: Vec<Literal>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `prop IS [NOT] NULL`; a property that a feature lacks counts as NULL.
    IsNull {
        /// The property tested.
        prop: String,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// `S_…(prop, geometry)`: the property's geometry related to a literal (CRS84, two
    /// dimensions). A filter written `S_…(geometry, prop)` is stored with the relation turned
    /// round (`S_WITHIN(literal, prop)` becomes `Contains`).
    Spatial {
        /// The relation, read "property *op* geometry".
        op: SpatialOp,
        /// The geometry property.
        prop: String,
        /// The literal; a `BBOX` is a polygon (two across the antimeridian).
        geometry: Geometry<f64>,
    },
}

/// A binary comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written in CQL2 and in SQL (`=`, `<>`, `<`, `<=`, `>`, `>=`).
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }

    /// The operator with its operands swapped: `5 < x` is `x > 5`.
    #[must_use]
    pub fn flipped(self) -> Self {
        match self {
            Self::Eq => Self::Eq,
            Self::Ne => Self::Ne,
            Self::Lt => Self::Gt,
            Self::Le => Self::Ge,
            Self::Gt => Self::Lt,
            Self::Ge => Self::Le,
        }
    }

    /// Whether an ordering of left against right satisfies the operator.
    #[must_use]
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Self::Eq => ordering == Equal,
            Self::Ne => ordering != Equal,
            Self::Lt => ordering == Less,
            Self::Le => ordering != Greater,
            Self::Gt => ordering == Greater,
            Self::Ge => ordering != Less,
        }
    }
}

/// A spatial relation between a geometry property and a geometry literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpatialOp {
    /// `S_INTERSECTS`: the geometries share at least one point.
    Intersects,
    /// `S_WITHIN`: the property lies inside the literal.
    Within,
    /// `S_CONTAINS`: the property contains the literal.
    Contains,
    /// `S_DISJOINT`: the geometries share no point.
    Disjoint,
}

impl SpatialOp {
    /// The CQL2 function name (`S_INTERSECTS`, …).
    #[must_use]
    pub fn cql2_name(self) -> &'static str {
        match self {
            Self::Intersects => "S_INTERSECTS",
            Self::Within => "S_WITHIN",
            Self::Contains => "S_CONTAINS",
            Self::Disjoint => "S_DISJOINT",
        }
    }

    /// The relation with its operands swapped (`Within` ↔ `Contains`).
    #[must_use]
    pub fn flipped(self) -> Self {
        match self {
            Self::Within => Self::Contains,
            Self::Contains => Self::Within,
            other => other,
        }
    }

    /// The relation named by a CQL2 function name, in any case.
    #[must_use]
    pub fn from_cql2_name(name: &str) -> Option<Self> {
        [Self::Intersects, Self::Within, Self::Contains, Self::Disjoint]
            .into_iter()
            .find(|op| op.cql2_name().eq_ignore_ascii_case(name))
    }
}

/// A scalar literal in a comparison or `IN` list.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'text'`, escapes resolved, in Unicode NFC.
    String(String),
    /// A finite number (CQL2 does not tell integers from decimals).
    Number(f64),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// `DATE('2025-06-30')`.
    Date(NaiveDate),
    /// `TIMESTAMP('2025-06-30T00:00:00Z')`, in UTC.
    Timestamp(DateTime<Utc>),
}

impl Literal {
    /// What kind of value this is, with an article, for messages ("a string", "a date").
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::String(_) => "a string",
            Self::Number(_) => "a number",
            Self::Bool(_) => "a boolean",
            Self::Date(_) => "a date",
            Self::Timestamp(_) => "a timestamp",
        }
    }
}

/// One element of a LIKE pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LikeToken {
    /// A character that must be present as it is (including an escaped `%`, `_` or `\`).
    Char(char),
    /// `_`: exactly one character.
    AnyOne,
    /// `%`: any run of characters, including none.
    AnyMany,
}

/// A LIKE pattern: `%` matches any run of characters, `_` one character, and `\` makes the
/// next `%`, `_` or `\` literal (a `\` before anything else is itself literal).
///
/// Matching is by Unicode scalar value, case- and accent-sensitive, as CQL2 requires without
/// `CASEI`/`ACCENTI`. For SQL, [`LikePattern::sql_pattern`] gives a pattern meant for
/// `LIKE ? ESCAPE '\'` (mind that SQLite's `LIKE` ignores ASCII case unless told otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LikePattern {
    tokens: Vec<LikeToken>,
}

impl LikePattern {
    /// Reads a pattern written with CQL2's `%`, `_` and `\` conventions.
    #[must_use]
    pub fn new(pattern: &str) -> Self {
        let mut tokens = Vec::with_capacity(pattern.len());
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '%' => LikeToken::AnyMany,
                '_' => LikeToken::AnyOne,
                '\\' => match chars.peek() {
                    Some(&next @ ('%' | '_' | '\\')) => {
                        chars.next();
                        LikeToken::Char(next)
                    }
                    _ => LikeToken::Char('\\'),
                },
                c => LikeToken::Char(c),
            });
        }
        Self { tokens }
    }

    /// The pattern's elements, for builders that translate it to another syntax.
    #[must_use]
    pub fn tokens(&self) -> &[LikeToken] {
        &self.tokens
    }

    /// The pattern in canonical form: every literal `%`, `_` and `\` escaped with `\`. This is
    /// both valid CQL2 and the value to bind for SQL `LIKE ? ESCAPE '\'` (PostgreSQL, SQLite).
    #[must_use]
    pub fn sql_pattern(&self) -> String {
        let mut out = String::with_capacity(self.tokens.len());
        for token in &self.tokens {
            match *token {
                LikeToken::AnyMany => out.push('%'),
                LikeToken::AnyOne => out.push('_'),
                LikeToken::Char(c @ ('%' | '_' | '\\')) => {
                    out.push('\\');
                    out.push(c);
                }
                LikeToken::Char(c) => out.push(c),
            }
        }
        out
    }

    /// Whether `text` matches the whole pattern.
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        // Greedy matching with one backtrack point per `%`: the classic wildcard algorithm,
        // at worst proportional to pattern length times text length, never exponential.
        let text: Vec<char> = text.chars().collect();
        let pattern = &self.tokens;
        let (mut t, mut p) = (0, 0);
        let mut backtrack: Option<(usize, usize)> = None;
        while t < text.len() {
            match pattern.get(p) {
                Some(LikeToken::AnyMany) => {
                    backtrack = Some((p, t));
                    p += 1;
                }
                Some(LikeToken::AnyOne) => {
                    p += 1;
                    t += 1;
                }
                Some(LikeToken::Char(c)) if *c == text[t] => {
                    p += 1;
                    t += 1;
                }
                _ => match backtrack {
                    Some((star, matched)) => {
                        p = star + 1;
                        t = matched + 1;
                        backtrack = Some((star, matched + 1));
                    }
                    None => return false,
                },
            }
        }
        pattern[p..].iter().all(|token| *token == LikeToken::AnyMany)
    }
}

/// Words with a meaning in CQL2 text; a property with such a name is written in double quotes
/// when a filter is rendered back to text.
pub(super) const KEYWORDS: &[&str] = &[
    "AND",
    "OR",
    "NOT",
    "LIKE",
    "BETWEEN",
    "IN",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "DATE",
    "TIMESTAMP",
    "INTERVAL",
    "BBOX",
    "POINT",
    "LINESTRING",
    "POLYGON",
    "MULTIPOINT",
    "MULTILINESTRING",
    "MULTIPOLYGON",
    "GEOMETRYCOLLECTION",
    "CASEI",
    "ACCENTI",
    "DIV",
];

/// Whether a word is written without quotes: an ASCII identifier that is not a keyword or a
/// function name.
fn is_bare_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts_well
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':'))
        && !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(name))
        && !name.get(..2).is_some_and(|p| ["S_", "T_", "A_"].iter().any(|prefix| prefix.eq_ignore_ascii_case(p)))
}

struct Prop<'a>(&'a str);

impl Display for Prop<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_bare_identifier(self.0) { f.write_str(self.0) } else { write!(f, "\"{}\"", self.0) }
    }
}

/// `text` as a CQL2 character literal. A quote is `''`, except right after a backslash: CQL2
/// reads `\'` as an escaped quote too, so `\''` would be read as a quote and the end of the
/// literal; there the quote is written `\'` (`\\'` reads as a backslash and a quote). The
/// lexer never yields a text ending in a backslash, so the closing quote is never taken for one.
fn write_quoted(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    f.write_char('\'')?;
    let mut after_backslash = false;
    for c in text.chars() {
        match c {
            '\'' if after_backslash => f.write_str("\\'")?,
            '\'' => f.write_str("''")?,
            c => f.write_char(c)?,
        }
        after_backslash = c == '\\';
    }
    f.write_char('\'')
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(s) => write_quoted(f, s),
            Self::Number(n) => write!(f, "{n}"),
            Self::Bool(true) => f.write_str("TRUE"),
            Self::Bool(false) => f.write_str("FALSE"),
            Self::Date(d) => write!(f, "DATE('{}')", d.format("%Y-%m-%d")),
            Self::Timestamp(t) => write!(f, "TIMESTAMP('{}')", t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        }
    }
}

impl Display for LikePattern {
    /// The canonical pattern as a CQL2 string literal.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_quoted(f, &self.sql_pattern())
    }
}

fn not(negated: bool) -> &'static str {
    if negated { "NOT " } else { "" }
}

fn join(f: &mut Formatter<'_>, items: &[Expr], separator: &str) -> fmt::Result {
    f.write_char('(')?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        write!(f, "{item}")?;
    }
    f.write_char(')')
}

impl Display for Expr {
    /// Canonical CQL2 text: every `AND`/`OR` group in parentheses, keywords in capitals,
    /// strings with `''` escapes. Parsing the text gives back an equal tree.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(true) => f.write_str("TRUE"),
            Self::Bool(false) => f.write_str("FALSE"),
            Self::And(items) => join(f, items, " AND "),
            Self::Or(items) => join(f, items, " OR "),
            Self::Not(inner) => write!(f, "NOT {inner}"),
            Self::Compare { prop, op, value } => {
                write!(f, "{} {} {value}", Prop(prop), op.symbol())
            }
            Self::CompareProperties { left, op, right } => {
                write!(f, "{} {} {}", Prop(left), op.symbol(), Prop(right))
            }
            Self::Like { prop, pattern, negated } => write!(f, "{} {}LIKE {pattern}", Prop(prop), not(*negated)),
            Self::Between { prop, low, high, negated } => {
                write!(f, "{} {}BETWEEN {low} AND {high}", Prop(prop), not(*negated))
            }
            Self::In { prop, values, negated } => {
                write!(f, "{} {}IN (", Prop(prop), not(*negated))?;
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{value}")?;
                }
                f.write_char(')')
            }
            Self::IsNull { prop, negated } => write!(f, "{} IS {}NULL", Prop(prop), not(*negated)),
            Self::Spatial { op, prop, geometry } => {
                write!(f, "{}({}, ", op.cql2_name(), Prop(prop))?;
                write_wkt(f, geometry)?;
                f.write_char(')')
            }
        }
    }
}

fn write_coords(f: &mut Formatter<'_>, coords: impl IntoIterator<Item = Coord<f64>>) -> fmt::Result {
    f.write_char('(')?;
    for (i, c) in coords.into_iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{} {}", c.x, c.y)?;
    }
    f.write_char(')')
}

fn write_line(f: &mut Formatter<'_>, line: &LineString<f64>) -> fmt::Result {
    write_coords(f, line.0.iter().copied())
}

fn write_polygon(f: &mut Formatter<'_>, polygon: &Polygon<f64>) -> fmt::Result {
    f.write_char('(')?;
    write_line(f, polygon.exterior())?;
    for ring in polygon.interiors() {
        f.write_str(", ")?;
        write_line(f, ring)?;
    }
    f.write_char(')')
}

fn write_list<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    mut write: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    f.write_char('(')?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write(f, item)?;
    }
    f.write_char(')')
}

/// Writes a geometry as WKT (two dimensions). Lines, rectangles and triangles, which WKT lacks,
/// are written as the line string or polygon they stand for.
fn write_wkt(f: &mut Formatter<'_>, geometry: &Geometry<f64>) -> fmt::Result {
    match geometry {
        Geometry::Point(p) => {
            f.write_str("POINT")?;
            write_coords(f, [p.0])
        }
        Geometry::Line(l) => {
            f.write_str("LINESTRING")?;
            write_coords(f, [l.start, l.end])
        }
        Geometry::LineString(l) => {
            f.write_str("LINESTRING")?;
            write_line(f, l)
        }
        Geometry::Polygon(p) => {
            f.write_str("POLYGON")?;
            write_polygon(f, p)
        }
        Geometry::MultiPoint(m) => {
            f.write_str("MULTIPOINT")?;
            write_list(f, &m.0, |f, p| write_coords(f, [p.0]))
        }
        Geometry::MultiLineString(m) => {
            f.write_str("MULTILINESTRING")?;
            write_list(f, &m.0, write_line)
        }
        Geometry::MultiPolygon(m) => {
            f.write_str("MULTIPOLYGON")?;
            write_list(f, &m.0, write_polygon)
        }
        Geometry::GeometryCollection(c) => {
            f.write_str("GEOMETRYCOLLECTION")?;
            write_list(f, &c.0, write_wkt)
        }
        Geometry::Rect(r) => {
            f.write_str("POLYGON")?;
            write_polygon(f, &r.to_polygon())
        }
        Geometry::Triangle(t) => {
            f.write_str("POLYGON")?;
            write_polygon(f, &t.to_polygon())
        }
    }
}
