//! The filter tree: structure (`Expr`, operators) kept apart from values (`Literal`,
//! `LikePattern`, geometries), and a canonical CQL2 text rendering of it.

use std::fmt::{self, Display, Formatter, Write as _};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use geo_types::{Coord, Geometry, LineString, Polygon};

/// A parsed CQL2 filter: a condition.
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
    /// `left op right` between two values of one type.
    Compare {
        /// The left operand.
        left: Scalar,
        /// The comparison.
        op: CompareOp,
        /// The right operand.
        right: Scalar,
    },
    /// `value [NOT] LIKE 'pattern'`; `CASEI`/`ACCENTI` of the pattern are applied to it when
    /// the filter is read.
    Like {
        /// The string matched.
        value: Scalar,
        /// The pattern, with `%`, `_` and escapes resolved.
        pattern: LikePattern,
    },
    /// `value [NOT] BETWEEN low AND high`, bounds included.
    Between {
        /// The value tested.
        value: Scalar,
        /// The lower bound.
        low: Scalar,
        /// The upper bound; `low > high` matches nothing, as in SQL.
        high: Scalar,
    },
    /// `value [NOT] IN (v1, v2, …)`; the list is never empty.
    In {
        /// The value tested.
        value: Scalar,
        /// The items, in the order written.
        list: Vec<Scalar>,
    },
    /// `value IS [NOT] NULL`; a property that a feature lacks counts as NULL.
    IsNull {
        /// The value tested (a geometry property too).
        value: Scalar,
    },
    /// `S_…(left, right)`: two geometries related (CRS84, two dimensions).
    Spatial {
        /// The relation, read "left *op* right".
        op: SpatialOp,
        /// The first geometry.
        left: GeomArg,
        /// The second geometry.
        right: GeomArg,
    },
    /// `T_…(left, right)`: two instants or intervals related.
    Temporal {
        /// The relation, read "left *op* right".
        op: TemporalOp,
        /// The first operand.
        left: TimeArg,
        /// The second operand.
        right: TimeArg,
    },
    /// `A_…(left, right)`: two arrays related.
    Array {
        /// The relation, read "left *op* right".
        op: ArrayOp,
        /// The first array.
        left: ArrayArg,
        /// The second array.
        right: ArrayArg,
    },
}

/// A value in a condition: a property, a literal, or a function of them.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A property of the feature, by name.
    Property(String),
    /// A literal.
    Literal(Literal),
    /// `CASEI(…)` or `ACCENTI(…)` of a string that is not a literal (literals are folded when the
    /// filter is read).
    Fold(Fold, Box<Scalar>),
    /// `left op right` on numbers.
    Arith(ArithOp, Box<Scalar>, Box<Scalar>),
}

impl Scalar {
    /// The property it names, if it is one.
    #[must_use]
    pub fn property(&self) -> Option<&str> {
        match self {
            Self::Property(name) => Some(name),
            _ => None,
        }
    }

    /// Every property it reads.
    pub fn properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Self::Property(name) => out.push(name),
            Self::Literal(_) => {}
            Self::Fold(_, inner) => inner.properties(out),
            Self::Arith(_, left, right) => {
                left.properties(out);
                right.properties(out);
            }
        }
    }
}

/// `CASEI` or `ACCENTI`: a string compared without regard to case or to accents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fold {
    /// `CASEI`: lower case.
    Case,
    /// `ACCENTI`: accents removed (`ư` → `u`, `đ` → `d`).
    Accent,
}

impl Fold {
    /// The CQL2 function name.
    #[must_use]
    pub fn cql2_name(self) -> &'static str {
        match self {
            Self::Case => "CASEI",
            Self::Accent => "ACCENTI",
        }
    }

    /// The folded text, as both stores compute it.
    #[must_use]
    pub fn apply(self, text: &str) -> String {
        match self {
            Self::Case => text.to_lowercase(),
            Self::Accent => super::fold::strip_accents(text),
        }
    }
}

/// An arithmetic operator on numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`: the remainder, with the dividend's sign.
    Mod,
    /// `DIV`: the quotient truncated towards zero.
    IntDiv,
    /// `^`
    Pow,
}

impl ArithOp {
    /// The operator as written in CQL2.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Mod => "%",
            Self::IntDiv => "DIV",
            Self::Pow => "^",
        }
    }

    /// The result on two numbers; `None` (NULL) where it is undefined (division by zero, a
    /// negative number to a fractional power) or not finite.
    #[must_use]
    pub fn apply(self, a: f64, b: f64) -> Option<f64> {
        let result = match self {
            Self::Add => a + b,
            Self::Sub => a - b,
            Self::Mul => a * b,
            Self::Div | Self::Mod | Self::IntDiv if b == 0.0 => return None,
            Self::Div => a / b,
            // As SQL computes it from float8 operations (not C's exact fmod).
            Self::Mod => a - b * (a / b).trunc(),
            Self::IntDiv => (a / b).trunc(),
            Self::Pow if a < 0.0 && b.fract() != 0.0 => return None,
            Self::Pow if a == 0.0 && b < 0.0 => return None,
            Self::Pow => a.powf(b),
        };
        result.is_finite().then_some(result)
    }
}

/// A geometry operand of a spatial function.
#[derive(Debug, Clone, PartialEq)]
pub enum GeomArg {
    /// A geometry property, by name.
    Property(String),
    /// A literal in CRS84; a `BBOX` is a polygon (two across the antimeridian).
    Literal(Geometry<f64>),
}

/// One end of a temporal operand.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeBound {
    /// A timestamp property, by name.
    Property(String),
    /// An instant.
    Instant(DateTime<Utc>),
    /// `..`: unbounded (before everything as a start, after everything as an end).
    Open,
}

/// An operand of a temporal function: an instant or an interval, both ends included. A date
/// stands for its whole UTC day (`DATE('2025-06-30')` is 00:00 to 23:59:59.999999).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeArg {
    /// Where it starts.
    pub start: TimeBound,
    /// Where it ends (the same as `start` for an instant).
    pub end: TimeBound,
    /// How it was written, for the canonical text.
    pub written: TimeWritten,
}

/// How a temporal operand was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeWritten {
    /// A property or `TIMESTAMP('…')`.
    Instant,
    /// `DATE('…')`.
    Date,
    /// `INTERVAL(…, …)`.
    Interval,
}

/// A temporal relation (Allen's interval algebra, as OGC 21-065r2 defines it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum TemporalOp {
    After,
    Before,
    Contains,
    Disjoint,
    During,
    Equals,
    FinishedBy,
    Finishes,
    Intersects,
    Meets,
    MetBy,
    OverlappedBy,
    Overlaps,
    StartedBy,
    Starts,
}

impl TemporalOp {
    /// Every relation.
    pub const ALL: [Self; 15] = [
        Self::After,
        Self::Before,
        Self::Contains,
        Self::Disjoint,
        Self::During,
        Self::Equals,
        Self::FinishedBy,
        Self::Finishes,
        Self::Intersects,
        Self::Meets,
        Self::MetBy,
        Self::OverlappedBy,
        Self::Overlaps,
        Self::StartedBy,
        Self::Starts,
    ];

    /// The CQL2 function name (`T_AFTER`, …).
    #[must_use]
    pub fn cql2_name(self) -> &'static str {
        match self {
            Self::After => "T_AFTER",
            Self::Before => "T_BEFORE",
            Self::Contains => "T_CONTAINS",
            Self::Disjoint => "T_DISJOINT",
            Self::During => "T_DURING",
            Self::Equals => "T_EQUALS",
            Self::FinishedBy => "T_FINISHEDBY",
            Self::Finishes => "T_FINISHES",
            Self::Intersects => "T_INTERSECTS",
            Self::Meets => "T_MEETS",
            Self::MetBy => "T_METBY",
            Self::OverlappedBy => "T_OVERLAPPEDBY",
            Self::Overlaps => "T_OVERLAPS",
            Self::StartedBy => "T_STARTEDBY",
            Self::Starts => "T_STARTS",
        }
    }

    /// The relation named by a CQL2 function name, in any case.
    #[must_use]
    pub fn from_cql2_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.cql2_name().eq_ignore_ascii_case(name))
    }

    /// The relation as conditions on the operands' ends, all of which must hold (`Disjoint`
    /// is the negation of `Intersects`, see [`TemporalOp::negated`]).
    #[must_use]
    pub fn conditions(self) -> &'static [(End, CompareOp, End)] {
        use CompareOp::{Eq, Ge, Gt, Le, Lt};
        use End::{LeftEnd as LE, LeftStart as LS, RightEnd as RE, RightStart as RS};
        match self {
            Self::After => &[(LS, Gt, RE)],
            Self::Before => &[(LE, Lt, RS)],
            Self::Contains => &[(LS, Lt, RS), (LE, Gt, RE)],
            Self::During => &[(LS, Gt, RS), (LE, Lt, RE)],
            Self::Equals => &[(LS, Eq, RS), (LE, Eq, RE)],
            Self::FinishedBy => &[(LS, Lt, RS), (LE, Eq, RE)],
            Self::Finishes => &[(LS, Gt, RS), (LE, Eq, RE)],
            Self::Intersects | Self::Disjoint => &[(LS, Le, RE), (LE, Ge, RS)],
            Self::Meets => &[(LE, Eq, RS)],
            Self::MetBy => &[(LS, Eq, RE)],
            Self::OverlappedBy => &[(RS, Lt, LS), (LS, Lt, RE), (RE, Lt, LE)],
            Self::Overlaps => &[(LS, Lt, RS), (RS, Lt, LE), (LE, Lt, RE)],
            Self::StartedBy => &[(LS, Eq, RS), (LE, Gt, RE)],
            Self::Starts => &[(LS, Eq, RS), (LE, Lt, RE)],
        }
    }

    /// Whether the relation holds when its [`TemporalOp::conditions`] do not all hold.
    #[must_use]
    pub fn negated(self) -> bool {
        self == Self::Disjoint
    }
}

/// An end of one of a temporal function's operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum End {
    LeftStart,
    LeftEnd,
    RightStart,
    RightEnd,
}

impl End {
    /// This end of the operands, and whether it is a start (for `..`).
    #[must_use]
    pub fn of<'a>(self, left: &'a TimeArg, right: &'a TimeArg) -> (&'a TimeBound, bool) {
        match self {
            Self::LeftStart => (&left.start, true),
            Self::LeftEnd => (&left.end, false),
            Self::RightStart => (&right.start, true),
            Self::RightEnd => (&right.end, false),
        }
    }
}

/// An array relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArrayOp {
    /// `A_EQUALS`: the same items.
    Equals,
    /// `A_CONTAINS`: every item of the right is in the left.
    Contains,
    /// `A_CONTAINEDBY`: every item of the left is in the right.
    ContainedBy,
    /// `A_OVERLAPS`: an item in both.
    Overlaps,
}

impl ArrayOp {
    /// The CQL2 function name.
    #[must_use]
    pub fn cql2_name(self) -> &'static str {
        match self {
            Self::Equals => "A_EQUALS",
            Self::Contains => "A_CONTAINS",
            Self::ContainedBy => "A_CONTAINEDBY",
            Self::Overlaps => "A_OVERLAPS",
        }
    }

    /// The relation named by a CQL2 function name, in any case.
    #[must_use]
    pub fn from_cql2_name(name: &str) -> Option<Self> {
        [Self::Equals, Self::Contains, Self::ContainedBy, Self::Overlaps]
            .into_iter()
            .find(|op| op.cql2_name().eq_ignore_ascii_case(name))
    }
}

/// An operand of an array function.
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayArg {
    /// A property, by name (none of clusterplan's queryables is an array).
    Property(String),
    /// A list of values.
    Items(Vec<Scalar>),
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

/// A spatial relation between two geometries (the DE-9IM predicates of OGC Simple Features).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpatialOp {
    /// `S_INTERSECTS`: the geometries share at least one point.
    Intersects,
    /// `S_WITHIN`: the left lies inside the right.
    Within,
    /// `S_CONTAINS`: the left contains the right.
    Contains,
    /// `S_DISJOINT`: the geometries share no point.
    Disjoint,
    /// `S_EQUALS`: the same point set.
    Equals,
    /// `S_TOUCHES`: boundaries meet, interiors do not.
    Touches,
    /// `S_OVERLAPS`: same dimension, interiors overlap, neither contains the other.
    Overlaps,
    /// `S_CROSSES`: interiors meet in a lower dimension.
    Crosses,
}

impl SpatialOp {
    /// Every relation.
    pub const ALL: [Self; 8] = [
        Self::Intersects,
        Self::Within,
        Self::Contains,
        Self::Disjoint,
        Self::Equals,
        Self::Touches,
        Self::Overlaps,
        Self::Crosses,
    ];

    /// The CQL2 function name (`S_INTERSECTS`, …).
    #[must_use]
    pub fn cql2_name(self) -> &'static str {
        match self {
            Self::Intersects => "S_INTERSECTS",
            Self::Within => "S_WITHIN",
            Self::Contains => "S_CONTAINS",
            Self::Disjoint => "S_DISJOINT",
            Self::Equals => "S_EQUALS",
            Self::Touches => "S_TOUCHES",
            Self::Overlaps => "S_OVERLAPS",
            Self::Crosses => "S_CROSSES",
        }
    }

    /// The PostGIS function deciding it.
    #[must_use]
    pub fn postgis_name(self) -> &'static str {
        match self {
            Self::Intersects => "ST_Intersects",
            Self::Within => "ST_Within",
            Self::Contains => "ST_Contains",
            Self::Disjoint => "ST_Disjoint",
            Self::Equals => "ST_Equals",
            Self::Touches => "ST_Touches",
            Self::Overlaps => "ST_Overlaps",
            Self::Crosses => "ST_Crosses",
        }
    }

    /// Whether the geometries' envelopes meet wherever it holds (all but `Disjoint`).
    #[must_use]
    pub fn needs_meeting(self) -> bool {
        self != Self::Disjoint
    }

    /// The relation named by a CQL2 function name, in any case.
    #[must_use]
    pub fn from_cql2_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.cql2_name().eq_ignore_ascii_case(name))
    }
}

/// A scalar literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'text'`, in Unicode NFC.
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
const KEYWORDS: &[&str] = &[
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
    "EMPTY",
];

/// Whether a word is written without quotes: an ASCII identifier that is not a keyword or a
/// function name.
fn is_bare_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    starts_well
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':'))
        && !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(name))
        && !name.get(..2).is_some_and(|p| ["S_", "T_", "A_"].iter().any(|prefix| prefix.eq_ignore_ascii_case(p)))
}

struct Prop<'a>(&'a str);

impl Display for Prop<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_bare_identifier(self.0) { f.write_str(self.0) } else { write!(f, "\"{}\"", self.0.replace('"', "\"\"")) }
    }
}

/// `text` as a CQL2 character literal, a quote written `''`.
fn write_quoted(f: &mut Formatter<'_>, text: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in text.chars() {
        if c == '\'' {
            f.write_str("''")?;
        } else {
            f.write_char(c)?;
        }
    }
    f.write_char('\'')
}

fn write_instant(f: &mut Formatter<'_>, t: &DateTime<Utc>) -> fmt::Result {
    write!(f, "'{}'", t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(s) => write_quoted(f, s),
            Self::Number(n) => write!(f, "{n}"),
            Self::Bool(true) => f.write_str("TRUE"),
            Self::Bool(false) => f.write_str("FALSE"),
            Self::Date(d) => write!(f, "DATE('{}')", d.format("%Y-%m-%d")),
            Self::Timestamp(t) => {
                f.write_str("TIMESTAMP(")?;
                write_instant(f, t)?;
                f.write_char(')')
            }
        }
    }
}

impl Display for LikePattern {
    /// The canonical pattern as a CQL2 string literal.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_quoted(f, &self.sql_pattern())
    }
}

impl Display for Scalar {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Property(name) => write!(f, "{}", Prop(name)),
            Self::Literal(literal) => write!(f, "{literal}"),
            Self::Fold(fold, inner) => write!(f, "{}({inner})", fold.cql2_name()),
            Self::Arith(op, left, right) => write!(f, "({left} {} {right})", op.symbol()),
        }
    }
}

impl Display for GeomArg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Property(name) => write!(f, "{}", Prop(name)),
            Self::Literal(geometry) => write_wkt(f, geometry),
        }
    }
}

impl Display for TimeBound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Property(name) => write!(f, "{}", Prop(name)),
            Self::Instant(t) => write_instant(f, t),
            Self::Open => f.write_str("'..'"),
        }
    }
}

impl Display for TimeArg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.written, &self.start) {
            (TimeWritten::Date, TimeBound::Instant(t)) => write!(f, "DATE('{}')", t.format("%Y-%m-%d")),
            (TimeWritten::Instant, TimeBound::Property(name)) => write!(f, "{}", Prop(name)),
            (TimeWritten::Instant, TimeBound::Instant(t)) => {
                f.write_str("TIMESTAMP(")?;
                write_instant(f, t)?;
                f.write_char(')')
            }
            _ => write!(f, "INTERVAL({}, {})", self.start, self.end),
        }
    }
}

impl Display for ArrayArg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Property(name) => write!(f, "{}", Prop(name)),
            Self::Items(items) => write_list(f, items, |f, item| write!(f, "{item}")),
        }
    }
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
    /// Canonical CQL2 text: every `AND`/`OR` group and every arithmetic operation in
    /// parentheses, keywords in capitals, strings with `''` escapes. Parsing the text gives back
    /// an equal tree.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(true) => f.write_str("TRUE"),
            Self::Bool(false) => f.write_str("FALSE"),
            Self::And(items) => join(f, items, " AND "),
            Self::Or(items) => join(f, items, " OR "),
            Self::Not(inner) => write!(f, "NOT ({inner})"),
            Self::Compare { left, op, right } => write!(f, "{left} {} {right}", op.symbol()),
            Self::Like { value, pattern } => write!(f, "{value} LIKE {pattern}"),
            Self::Between { value, low, high } => write!(f, "{value} BETWEEN {low} AND {high}"),
            Self::In { value, list } => {
                write!(f, "{value} IN ")?;
                write_list(f, list, |f, item| write!(f, "{item}"))
            }
            Self::IsNull { value } => write!(f, "{value} IS NULL"),
            Self::Spatial { op, left, right } => write!(f, "{}({left}, {right})", op.cql2_name()),
            Self::Temporal { op, left, right } => write!(f, "{}({left}, {right})", op.cql2_name()),
            Self::Array { op, left, right } => write!(f, "{}({left}, {right})", op.cql2_name()),
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
