//! A recursive-descent parser for CQL2 text, one token of lookahead (two where a word may
//! start a function call).
//!
//! ```text
//! filter    = or END
//! or        = and { OR and }
//! and       = factor { AND factor }
//! factor    = NOT factor | primary
//! primary   = "(" or ")" | TRUE | FALSE | spatial | prop tail | literal compareOp prop
//! tail      = compareOp (literal | prop) | [NOT] LIKE string | [NOT] BETWEEN number AND number
//!           | [NOT] IN "(" literal { "," literal } ")" | IS [NOT] NULL
//! spatial   = S_fn "(" (prop "," geometry | geometry "," prop) ")"
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, Rect,
};

use super::ast::{Expr, LikePattern, Literal, SpatialOp};
use super::lex::{Lexer, Tok, Token};
use super::{MAX_DEPTH, MAX_INPUT_BYTES};

/// Why a filter could not be read: where, what would have been acceptable, and what was there.
///
/// Displays as "expected ')' at 23, found end of input", fit for a 400 answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} at {offset}, found {found}")]
pub struct ParseError {
    /// Byte offset into the filter text where the problem starts.
    pub offset: usize,
    /// What would have been acceptable there.
    pub expected: String,
    /// What was there instead (the text of the token, or "end of input").
    pub found: String,
}

impl ParseError {
    pub(super) fn new(offset: usize, expected: impl Into<String>, found: impl Into<String>) -> Self {
        Self { offset, expected: expected.into(), found: found.into() }
    }
}

/// Reads a CQL2 text filter (see the [module documentation](super) for what is understood).
///
/// Fails on the first problem, with its byte offset; input over
/// [`MAX_INPUT_BYTES`](super::MAX_INPUT_BYTES) or nested deeper than
/// [`MAX_DEPTH`](super::MAX_DEPTH) is refused the same way.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ParseError::new(
            MAX_INPUT_BYTES,
            format!("a filter of at most {MAX_INPUT_BYTES} bytes"),
            format!("{} bytes", text.len()),
        ));
    }
    let mut parser = Parser::new(text)?;
    let expr = parser.or()?;
    if parser.tok.kind != Tok::End {
        return Err(parser.unexpected("AND, OR or the end of the filter"));
    }
    Ok(expr)
}

const EXPECTED_PREDICATE: &str = "a predicate (a property, a literal, '(', NOT, TRUE, FALSE, \
                                  S_INTERSECTS, S_WITHIN, S_CONTAINS or S_DISJOINT)";
const EXPECTED_LITERAL: &str = "a literal (a string, a number, TRUE, FALSE, DATE('…') or TIMESTAMP('…'))";
const EXPECTED_TAIL: &str = "a comparison operator, LIKE, BETWEEN, IN or IS";

/// Words that can never be a property name without double quotes.
const RESERVED: &[&str] = &["AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE"];

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn is_geometry_keyword(word: &str) -> bool {
    ["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

/// One argument of a spatial function.
enum SpatialArg {
    Prop(String),
    Geometry(Geometry<f64>),
}

struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    tok: Token<'a>,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Result<Self, ParseError> {
        let mut lexer = Lexer::new(src);
        let tok = lexer.next_token()?;
        Ok(Self { src, lexer, tok, depth: 0 })
    }

    /// Moves to the next token and hands back the current one.
    fn advance(&mut self) -> Result<Token<'a>, ParseError> {
        let next = self.lexer.next_token()?;
        Ok(std::mem::replace(&mut self.tok, next))
    }

    /// The token after the current one; `None` if it fails to lex (its error comes when it is
    /// reached).
    fn peek(&self) -> Option<Tok<'a>> {
        Lexer::starting_at(self.src, self.tok.end).next_token().ok().map(|token| token.kind)
    }

    fn next_is_lparen(&self) -> bool {
        self.peek() == Some(Tok::LParen)
    }

    fn describe(&self, token: &Token<'_>) -> String {
        match token.kind {
            Tok::End => "end of input".to_owned(),
            Tok::LParen | Tok::RParen | Tok::Comma | Tok::Op(_) => {
                format!("'{}'", &self.src[token.start..token.end])
            }
            Tok::Other(c) if c.is_alphabetic() => {
                format!("'{c}' (property names with non-ASCII letters go in double quotes)")
            }
            Tok::Other(c) => format!("'{c}'"),
            Tok::Word(_) | Tok::Quoted(_) | Tok::Str(_) | Tok::Num(_) => {
                let text = &self.src[token.start..token.end];
                match text.char_indices().nth(40) {
                    Some((cut, _)) => format!("{}…", &text[..cut]),
                    None => text.to_owned(),
                }
            }
        }
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        ParseError::new(self.tok.start, expected, self.describe(&self.tok))
    }

    fn is_kw(&self, keyword: &str) -> bool {
        matches!(self.tok.kind, Tok::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    fn eat_kw(&mut self, keyword: &str) -> Result<bool, ParseError> {
        if self.is_kw(keyword) {
            self.advance()?;
            return Ok(true);
        }
        Ok(false)
    }

    fn expect_kw(&mut self, keyword: &str) -> Result<(), ParseError> {
        if self.eat_kw(keyword)? {
            return Ok(());
        }
        Err(self.unexpected(keyword))
    }

    /// Consumes `(`, `)` or `,`, or fails saying `expected`.
    fn expect(&mut self, kind: &Tok<'_>, expected: &str) -> Result<Token<'a>, ParseError> {
        if std::mem::discriminant(&self.tok.kind) == std::mem::discriminant(kind) {
            return self.advance();
        }
        Err(self.unexpected(expected))
    }

    /// Goes one level deeper (parenthesis or `NOT` at `offset`), within [`MAX_DEPTH`].
    fn enter(&mut self, offset: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(
                offset,
                format!("nesting of at most {MAX_DEPTH} levels"),
                format!("level {}", self.depth),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let first = self.and()?;
        if !self.is_kw("OR") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("OR")? {
            items.push(self.and()?);
        }
        Ok(Expr::Or(items))
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let first = self.factor()?;
        if !self.is_kw("AND") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("AND")? {
            items.push(self.factor()?);
        }
        Ok(Expr::And(items))
    }

    fn factor(&mut self) -> Result<Expr, ParseError> {
        if !self.is_kw("NOT") {
            return self.primary();
        }
        self.enter(self.tok.start)?;
        self.advance()?;
        let inner = self.factor()?;
        self.depth -= 1;
        Ok(Expr::Not(Box::new(inner)))
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        match self.tok.kind {
            Tok::LParen => {
                self.enter(self.tok.start)?;
                self.advance()?;
                let inner = self.or()?;
                self.expect(&Tok::RParen, "')'")?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Quoted(name) => {
                self.advance()?;
                self.tail(name.to_owned())
            }
            Tok::Word(word) => self.word_primary(word),
            Tok::Num(_) | Tok::Str(_) => {
                let value = self.literal()?;
                self.literal_first(value)
            }
            _ => Err(self.unexpected(EXPECTED_PREDICATE)),
        }
    }

    /// A predicate starting with a word: a boolean, a spatial function, a literal written
    /// before its property, or a property.
    fn word_primary(&mut self, word: &'a str) -> Result<Expr, ParseError> {
        let is = |k: &str| word.eq_ignore_ascii_case(k);
        if is("TRUE") || is("FALSE") {
            self.advance()?;
            if matches!(self.tok.kind, Tok::Op(_)) {
                return self.literal_first(Literal::Bool(is("TRUE")));
            }
            return Ok(Expr::Bool(is("TRUE")));
        }
        if is_reserved(word) {
            return Err(self.unexpected(EXPECTED_PREDICATE));
        }
        if !self.next_is_lparen() {
            self.advance()?;
            return self.tail(word.to_owned());
        }
        if let Some(op) = SpatialOp::from_cql2_name(word) {
            return self.spatial(op);
        }
        if is("DATE") || is("TIMESTAMP") {
            let value = self.literal()?;
            return self.literal_first(value);
        }
        Err(ParseError::new(self.tok.start, EXPECTED_PREDICATE, format!("{word}(…), which is not supported")))
    }

    /// What follows a property name.
    fn tail(&mut self, prop: String) -> Result<Expr, ParseError> {
        if let Tok::Op(op) = self.tok.kind {
            self.advance()?;
            if self.at_property() {
                let right = self.property()?;
                return Ok(Expr::CompareProperties { left: prop, op, right });
            }
            let value = self.literal()?;
            return Ok(Expr::Compare { prop, op, value });
        }
        if self.eat_kw("IS")? {
            let negated = self.eat_kw("NOT")?;
            self.expect_kw("NULL")?;
            return Ok(Expr::IsNull { prop, negated });
        }
        let negated = self.eat_kw("NOT")?;
        if self.eat_kw("LIKE")? {
            return self.like(prop, negated);
        }
        if self.eat_kw("BETWEEN")? {
            let low = self.number()?;
            self.expect_kw("AND")?;
            let high = self.number()?;
            return Ok(Expr::Between { prop, low, high, negated });
        }
        if self.eat_kw("IN")? {
            return self.in_list(prop, negated);
        }
        Err(self.unexpected(if negated { "LIKE, BETWEEN or IN" } else { EXPECTED_TAIL }))
    }

    fn like(&mut self, prop: String, negated: bool) -> Result<Expr, ParseError> {
        if !matches!(self.tok.kind, Tok::Str(_)) {
            return Err(self.unexpected("a pattern string such as 'Phú%'"));
        }
        let Tok::Str(pattern) = self.advance()?.kind else { unreachable!("checked to be a string") };
        Ok(Expr::Like { prop, pattern: LikePattern::new(&pattern), negated })
    }

    fn in_list(&mut self, prop: String, negated: bool) -> Result<Expr, ParseError> {
        self.expect(&Tok::LParen, "'(' opening the IN list")?;
        let mut values = vec![self.literal()?];
        while matches!(self.tok.kind, Tok::Comma) {
            self.advance()?;
            values.push(self.literal()?);
        }
        self.expect(&Tok::RParen, "',' or ')'")?;
        Ok(Expr::In { prop, values, negated })
    }

    /// `literal op prop`, stored as `prop flipped-op literal`.
    fn literal_first(&mut self, value: Literal) -> Result<Expr, ParseError> {
        let Tok::Op(op) = self.tok.kind else {
            return Err(self.unexpected("a comparison operator"));
        };
        self.advance()?;
        let prop = self.property()?;
        Ok(Expr::Compare { prop, op: op.flipped(), value })
    }

    /// Whether the current token is a property name (not a literal or a function call).
    fn at_property(&self) -> bool {
        match self.tok.kind {
            Tok::Quoted(_) => true,
            Tok::Word(word) => !is_reserved(word) && !self.next_is_lparen(),
            _ => false,
        }
    }

    fn property(&mut self) -> Result<String, ParseError> {
        match self.tok.kind {
            Tok::Quoted(name) => {
                self.advance()?;
                Ok(name.to_owned())
            }
            Tok::Word(word) if !is_reserved(word) && !self.next_is_lparen() => {
                self.advance()?;
                Ok(word.to_owned())
            }
            _ => Err(self.unexpected("a property name")),
        }
    }

    fn literal(&mut self) -> Result<Literal, ParseError> {
        match self.tok.kind {
            Tok::Str(_) | Tok::Num(_) => match self.advance()?.kind {
                Tok::Str(s) => Ok(Literal::String(s)),
                Tok::Num(n) => Ok(Literal::Number(n)),
                _ => unreachable!("checked to be a string or number"),
            },
            Tok::Word(w) if w.eq_ignore_ascii_case("TRUE") || w.eq_ignore_ascii_case("FALSE") => {
                self.advance()?;
                Ok(Literal::Bool(w.eq_ignore_ascii_case("TRUE")))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("DATE") && self.next_is_lparen() => {
                let expected = "a date such as '2025-06-30'";
                let (text, at, found) = self.temporal_string(expected)?;
                parse_date(&text).map(Literal::Date).ok_or_else(|| ParseError::new(at, expected, found))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("TIMESTAMP") && self.next_is_lparen() => {
                let expected = "a timestamp such as '2025-06-30T00:00:00Z'";
                let (text, at, found) = self.temporal_string(expected)?;
                DateTime::parse_from_rfc3339(&text)
                    .map(|t| Literal::Timestamp(t.with_timezone(&Utc)))
                    .map_err(|_| ParseError::new(at, expected, found))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("NULL") => {
                Err(ParseError::new(self.tok.start, EXPECTED_LITERAL, "NULL (test for it with IS NULL)"))
            }
            Tok::Word(w) if !is_reserved(w) && !self.next_is_lparen() => Err(ParseError::new(
                self.tok.start,
                EXPECTED_LITERAL,
                format!("property {w} (only literals may stand here)"),
            )),
            _ => Err(self.unexpected(EXPECTED_LITERAL)),
        }
    }

    /// `DATE('…')` or `TIMESTAMP('…')` from the keyword on: the string, its offset and its
    /// text as written (for an error about its content).
    fn temporal_string(&mut self, expected: &str) -> Result<(String, usize, String), ParseError> {
        self.advance()?;
        self.expect(&Tok::LParen, "'('")?;
        if !matches!(self.tok.kind, Tok::Str(_)) {
            return Err(self.unexpected(expected));
        }
        let found = self.describe(&self.tok);
        let token = self.advance()?;
        self.expect(&Tok::RParen, "')'")?;
        let Tok::Str(text) = token.kind else { unreachable!("checked to be a string") };
        Ok((text, token.start, found))
    }

    fn number(&mut self) -> Result<f64, ParseError> {
        match self.tok.kind {
            Tok::Num(n) => {
                self.advance()?;
                Ok(n)
            }
            _ => Err(self.unexpected("a number")),
        }
    }

    /// `S_…(a, b)` from the function name on: one property and one geometry literal.
    fn spatial(&mut self, op: SpatialOp) -> Result<Expr, ParseError> {
        self.advance()?;
        self.expect(&Tok::LParen, "'('")?;
        let first = self.spatial_arg()?;
        self.expect(&Tok::Comma, "','")?;
        let second_at = self.tok.start;
        let second = self.spatial_arg()?;
        self.expect(&Tok::RParen, "')'")?;
        match (first, second) {
            (SpatialArg::Prop(prop), SpatialArg::Geometry(geometry)) => Ok(Expr::Spatial { op, prop, geometry }),
            (SpatialArg::Geometry(geometry), SpatialArg::Prop(prop)) => {
                Ok(Expr::Spatial { op: op.flipped(), prop, geometry })
            }
            (SpatialArg::Prop(_), SpatialArg::Prop(prop)) => Err(ParseError::new(
                second_at,
                "a geometry literal",
                format!("property {prop} (relating two properties is not supported)"),
            )),
            (SpatialArg::Geometry(_), SpatialArg::Geometry(_)) => {
                Err(ParseError::new(second_at, "a property name", "a second geometry literal"))
            }
        }
    }

    /// A property, or a geometry literal: a WKT keyword not followed by `,` or `)` (a property
    /// may be called `point`), or `BBOX(`.
    fn spatial_arg(&mut self) -> Result<SpatialArg, ParseError> {
        if let Tok::Word(word) = self.tok.kind {
            let literal = if is_geometry_keyword(word) {
                !matches!(self.peek(), Some(Tok::Comma | Tok::RParen))
            } else {
                word.eq_ignore_ascii_case("BBOX") && self.next_is_lparen()
            };
            if literal {
                return self.geometry().map(SpatialArg::Geometry);
            }
        }
        match self.tok.kind {
            Tok::Word(_) | Tok::Quoted(_) => self.property().map(SpatialArg::Prop),
            _ => Err(self.unexpected("a property name or a geometry literal")),
        }
    }

    /// A WKT geometry or `BBOX(…)`, from its keyword on.
    fn geometry(&mut self) -> Result<Geometry<f64>, ParseError> {
        let keyword = match self.advance()?.kind {
            Tok::Word(w) => w.to_ascii_uppercase(),
            _ => unreachable!("called on a geometry keyword"),
        };
        if keyword == "BBOX" {
            return self.bbox();
        }
        self.eat_kw("Z")?;
        Ok(match keyword.as_str() {
            "POINT" => Geometry::Point(self.point_text()?),
            "LINESTRING" => Geometry::LineString(self.line_text(2)?),
            "POLYGON" => Geometry::Polygon(self.polygon_text()?),
            "MULTIPOINT" => Geometry::MultiPoint(MultiPoint(self.list(Self::multipoint_member)?)),
            "MULTILINESTRING" => Geometry::MultiLineString(MultiLineString(self.list(|p| p.line_text(2))?)),
            "MULTIPOLYGON" => Geometry::MultiPolygon(MultiPolygon(self.list(Self::polygon_text)?)),
            _ => Geometry::GeometryCollection(GeometryCollection(self.list(Self::collection_member)?)),
        })
    }

    /// `( item {, item} )`.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Result<T, ParseError>) -> Result<Vec<T>, ParseError> {
        self.expect(&Tok::LParen, "'('")?;
        let mut items = vec![item(self)?];
        while matches!(self.tok.kind, Tok::Comma) {
            self.advance()?;
            items.push(item(self)?);
        }
        self.expect(&Tok::RParen, "',' or ')'")?;
        Ok(items)
    }

    /// `x y` or `x y z` (z dropped).
    fn coord(&mut self) -> Result<Coord<f64>, ParseError> {
        let x = self.number()?;
        let y = self.number()?;
        if matches!(self.tok.kind, Tok::Num(_)) {
            self.advance()?;
        }
        Ok(Coord { x, y })
    }

    fn point_text(&mut self) -> Result<Point<f64>, ParseError> {
        self.expect(&Tok::LParen, "'('")?;
        let c = self.coord()?;
        self.expect(&Tok::RParen, "')'")?;
        Ok(Point(c))
    }

    /// A member of `MULTIPOINT`: `(x y)` as CQL2 writes it, or a bare `x y` as much WKT does.
    fn multipoint_member(&mut self) -> Result<Point<f64>, ParseError> {
        if matches!(self.tok.kind, Tok::LParen) {
            return self.point_text();
        }
        self.coord().map(Point)
    }

    fn line_text(&mut self, min: usize) -> Result<LineString<f64>, ParseError> {
        let at = self.tok.start;
        let coords = self.list(Self::coord)?;
        if coords.len() < min {
            return Err(ParseError::new(
                at,
                format!("at least {min} positions"),
                format!("{} position{}", coords.len(), if coords.len() == 1 { "" } else { "s" }),
            ));
        }
        Ok(LineString(coords))
    }

    fn ring(&mut self) -> Result<LineString<f64>, ParseError> {
        let at = self.tok.start;
        let ring = self.line_text(4)?;
        if ring.0.first() != ring.0.last() {
            return Err(ParseError::new(at, "a closed ring (last position equal to the first)", "an open ring"));
        }
        Ok(ring)
    }

    fn polygon_text(&mut self) -> Result<Polygon<f64>, ParseError> {
        let mut rings = self.list(Self::ring)?.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
        Ok(Polygon::new(exterior, rings.collect()))
    }

    /// A member of `GEOMETRYCOLLECTION`: any WKT geometry but another collection.
    fn collection_member(&mut self) -> Result<Geometry<f64>, ParseError> {
        match self.tok.kind {
            Tok::Word(w) if is_geometry_keyword(w) && !w.eq_ignore_ascii_case("GEOMETRYCOLLECTION") => self.geometry(),
            _ => Err(self.unexpected("a POINT, LINESTRING, POLYGON or MULTI… geometry")),
        }
    }

    /// `BBOX(west, south, east, north)` or with elevations
    /// `BBOX(west, south, min, east, north, max)`; west > east crosses the antimeridian.
    fn bbox(&mut self) -> Result<Geometry<f64>, ParseError> {
        let at = self.tok.start;
        let numbers = self.list(Self::number)?;
        let ([west, south, east, north] | [west, south, _, east, north, _]) = numbers[..] else {
            return Err(ParseError::new(at, "4 or 6 numbers in BBOX", format!("{} numbers", numbers.len())));
        };
        if south > north {
            return Err(ParseError::new(
                at,
                "a BBOX whose south bound is not above its north bound",
                format!("south {south}, north {north}"),
            ));
        }
        let rect = |w: f64, e: f64| Rect::new(Coord { x: w, y: south }, Coord { x: e, y: north }).to_polygon();
        Ok(if west <= east {
            Geometry::Polygon(rect(west, east))
        } else {
            Geometry::MultiPolygon(MultiPolygon(vec![rect(west, 180.0), rect(-180.0, east)]))
        })
    }
}

/// `YYYY-MM-DD`, exactly (chrono alone would also take a one-digit month).
fn parse_date(text: &str) -> Option<NaiveDate> {
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}
