//! CQL2 filters (OGC 21-065r2), the language of OGC API - Features Part 3 `filter=`.
//!
//! [`parse`] (CQL2 text) and [`parse_json`] (CQL2 JSON) read a filter with the `cql2` crate,
//! the reference implementation behind the standard's examples, and turn its tree into an
//! [`Expr`] whose every node is typed; [`check_properties`] holds it against the collection's
//! queryables and resolves what depends on their types; [`evaluate`] decides it for one feature
//! in Rust. The tree keeps structure and values apart so that SQL builders can translate it into
//! parameterised SQL: property names are to be looked up in the queryables and mapped to
//! columns, literal values ([`Literal`], LIKE patterns, geometries, instants) are to be bound as
//! parameters, and nothing in the tree is text meant to be spliced into SQL.
//!
//! # What is understood
//!
//! Every conformance class of CQL2 but custom functions: *basic-cql2* (`AND`, `OR`, `NOT`,
//! comparisons, `IS [NOT] NULL`), *advanced-comparison-operators* (`LIKE`, `BETWEEN`, `IN`),
//! *case-insensitive-comparison* and *accent-insensitive-comparison* (`CASEI`, `ACCENTI`: `ư` →
//! `u`, `đ` → `d`, see [`strip_accents`]), *basic-spatial-functions(-plus)* and
//! *spatial-functions* (`S_INTERSECTS`, `S_EQUALS`, `S_DISJOINT`, `S_TOUCHES`, `S_WITHIN`,
//! `S_OVERLAPS`, `S_CROSSES`, `S_CONTAINS` between properties and `POINT`, …,
//! `GEOMETRYCOLLECTION`, `BBOX` literals), *temporal-functions* (`T_AFTER` … `T_STARTS` between
//! instants, dates and `INTERVAL`s with `..` for an open end), *array-functions* (`A_EQUALS`,
//! `A_CONTAINS`, `A_CONTAINEDBY`, `A_OVERLAPS`; clusterplan has no array property, so only lists
//! of literals can be related), *property-property* comparisons and *arithmetic* (`+ - * / % DIV
//! ^`). A name followed by `(` that is none of these is refused: no custom function is offered.
//!
//! Geometry literals are in CRS84 (longitude first), as CQL2 requires when no filter CRS is
//! given; a `Z` value is dropped, since predicates are evaluated in two dimensions. String
//! literals are normalised to Unicode NFC, the form in which clusterplan stores names, so that
//! `'Phú%'` typed with combining marks finds `Phú Hưng`. A date compared with a timestamp
//! stands for its whole UTC day.
//!
//! # Limits
//!
//! Input longer than [`MAX_INPUT_BYTES`], nesting of parentheses deeper than [`MAX_DEPTH`] and
//! more than [`MAX_OPERATORS`] operators are parse errors, found by a scan of the text before it
//! is parsed, so that no filter can exhaust the stack; the text grammar may take at most
//! [`MAX_PARSER_STEPS`], so that none can take long (its backtracking is exponential in the
//! depth of parentheses around an error).

mod ast;
mod check;
mod convert;
mod eval;
mod fold;
mod time;

pub use ast::{
    ArithOp, ArrayArg, ArrayOp, CompareOp, End, Expr, Fold, GeomArg, LikePattern, LikeToken, Literal, Scalar,
    SpatialOp, TemporalOp, TimeArg, TimeBound, TimeWritten,
};
pub use check::{PropertyType, check_properties};
pub use eval::{Value, evaluate};
pub use fold::{accent_translation, strip_accents};
pub use time::{day_bounds, parse_instant};

/// The longest filter text [`parse`] accepts, in bytes (64 KiB).
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// The deepest nesting of parentheses (and of JSON arrays and objects) that [`parse`] and
/// [`parse_json`] accept.
pub const MAX_DEPTH: usize = 64;

/// The most operators (`AND`, `OR`, `NOT`, comparisons, arithmetic signs; a `-` before a digit
/// is a number's sign) a filter text may hold.
pub const MAX_OPERATORS: usize = 4096;

/// Why a filter could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub(crate) String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// Reads a CQL2 text filter.
///
/// # Errors
///
/// A [`ParseError`] naming what is wrong: the syntax (with the place), an operator used with the
/// wrong operands, a function that is not offered, or one of the limits.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    let operators = prescan(text, b'(', b')')?;
    limit_parser_steps();
    let read = || {
        let parsed = cql2::parse_text(text).map_err(|e| ParseError(syntax_message(&e.to_string())))?;
        convert::condition(&parsed, 0)
    };
    // A text of few operators cannot make a tree deep enough to need more than the caller's stack.
    if operators <= INLINE_PARSE_OPERATORS { read() } else { on_deep_stack(read) }
}

/// The most operators of a text parsed on the caller's own stack.
const INLINE_PARSE_OPERATORS: usize = 256;

/// The most steps (rule attempts) the CQL2 text grammar may take for one filter. The grammar
/// backtracks: text that fails deep inside parentheses (`((((((x`) costs twice as many steps per
/// level, and without a bound 30 levels would take hours. A valid filter of 1 200 conditions
/// takes under a million steps (the server reads at most 256); reaching the bound costs about
/// 15 ms (release build).
pub const MAX_PARSER_STEPS: usize = 1_000_000;

/// Sets [`MAX_PARSER_STEPS`] for the `pest` parser (a process-wide setting), once.
fn limit_parser_steps() {
    static SET: std::sync::Once = std::sync::Once::new();
    SET.call_once(|| pest::set_call_limit(std::num::NonZeroUsize::new(MAX_PARSER_STEPS)));
}

/// Reads a CQL2 JSON filter.
///
/// # Errors
///
/// As [`parse`].
pub fn parse_json(text: &str) -> Result<Expr, ParseError> {
    prescan(text, b'[', b']')?;
    prescan(text, b'{', b'}')?;
    // serde_json nests at most 128 levels, so the tree stays shallow enough for any stack.
    let parsed = cql2::parse_json(text).map_err(|e| ParseError(format!("not CQL2 JSON: {e}")))?;
    convert::condition(&parsed, 0)
}

/// Runs a parse on a thread of its own with a stack far larger than any filter within the
/// limits needs: the parser and its tree are recursive, and a chain of operators makes a deep
/// tree.
fn on_deep_stack(parse: impl FnOnce() -> Result<Expr, ParseError> + Send) -> Result<Expr, ParseError> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("cql2-parse".into())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, parse)
            .map_err(|e| ParseError(format!("the filter could not be read now: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(ParseError("the filter could not be read".into())))
    })
}

/// The parsing thread's stack (reserved, not used unless a filter needs it).
const PARSE_STACK_BYTES: usize = 64 * 1024 * 1024;

/// The parser's message on one line: `--> 1:5` and the caret picture folded into "at 1:5".
fn syntax_message(raw: &str) -> String {
    let mut place = None;
    let mut expected = None;
    for line in raw.lines() {
        let line = line.trim();
        if let Some(at) = line.strip_prefix("-->") {
            place = Some(at.trim().to_owned());
        } else if let Some(rest) = line.strip_prefix("= ") {
            expected = Some(rest.to_owned());
        }
    }
    if expected.as_deref() == Some("call limit reached") {
        return format!(
            "the filter is too intricate to read within {MAX_PARSER_STEPS} parser steps (deep parentheses around \
             an error cost the most)"
        );
    }
    // The grammar's rule names, where a value was due, in words.
    let value_due = expected.as_deref().is_some_and(|e| e.contains("Identifier") && e.contains("SingleQuotedString"));
    let expected = if value_due {
        Some(
            "expected a value: a property, a number, a 'string', TRUE or FALSE, a geometry, a function or ( … )".into(),
        )
    } else {
        expected
    };
    match (place, expected) {
        (Some(place), Some(expected)) => format!("syntax error at {place} (line:column): {expected}"),
        (Some(place), None) => format!("syntax error at {place} (line:column)"),
        _ => format!("syntax error: {}", raw.lines().next().unwrap_or_default()),
    }
}

/// Refuses text over the limits before a recursive parser sees it: its length, the nesting of
/// `open`/`close` outside quoted strings, and the number of operators, which it returns.
fn prescan(text: &str, open: u8, close: u8) -> Result<usize, ParseError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ParseError(format!("the filter is longer than {MAX_INPUT_BYTES} bytes")));
    }
    let (mut depth, mut operators) = (0usize, 0usize);
    let mut quote: Option<u8> = None;
    let mut word = String::new();
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            continue;
        }
        if b.is_ascii_alphabetic() {
            word.push(b.to_ascii_lowercase() as char);
            continue;
        }
        if matches!(word.as_str(), "and" | "or" | "not" | "like" | "in" | "between" | "is" | "div") {
            operators += 1;
        }
        word.clear();
        match b {
            b'\'' | b'"' => quote = Some(b),
            _ if b == open => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ParseError(format!("the filter nests parentheses deeper than {MAX_DEPTH}")));
                }
            }
            _ if b == close => depth = depth.saturating_sub(1),
            b'-' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {}
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'=' | b'<' | b'>' | b'!' => operators += 1,
            _ => {}
        }
        if operators > MAX_OPERATORS {
            return Err(ParseError(format!("the filter holds more than {MAX_OPERATORS} operators")));
        }
    }
    Ok(operators)
}

#[cfg(test)]
mod tests;
