//! `ACCENTI`: accents removed by one table of letters, which the Rust evaluator applies
//! character by character and PostgreSQL applies with `translate(text, from, to)`, so that both
//! stores fold alike.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// The letters that lose their accents: every precomposed letter of Latin-1, Latin Extended-A
/// and -B and Latin Extended Additional (where Vietnamese's `ắ`, `ự`, … are) whose canonical
/// decomposition is a base letter and combining marks, plus `đ`/`Đ` (a letter of its own, read
/// as `d` by Vietnamese speakers who type without accents). Combining marks themselves (text not
/// in NFC) are removed.
struct Table {
    pairs: Vec<(char, char)>,
    map: HashMap<char, char>,
    marks: Vec<char>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut pairs = vec![('đ', 'd'), ('Đ', 'D')];
        let letters = ('\u{C0}'..='\u{24F}').chain('\u{1E00}'..='\u{1EFF}');
        for c in letters {
            let mut parts = Vec::new();
            decompose_canonical(c, |p| parts.push(p));
            if let [base, rest @ ..] = parts.as_slice()
                && !rest.is_empty()
                && rest.iter().all(|m| is_combining_mark(*m))
                && base.is_alphabetic()
            {
                pairs.push((c, *base));
            }
        }
        let marks = ('\u{300}'..='\u{36F}').collect();
        let map = pairs.iter().copied().collect();
        Table { pairs, map, marks }
    })
}

/// `text` without accents.
#[must_use]
pub fn strip_accents(text: &str) -> String {
    let table = table();
    text.chars()
        .filter(|c| !is_combining_mark(*c) || !table.marks.contains(c))
        .map(|c| table.map.get(&c).copied().unwrap_or(c))
        .collect()
}

/// The `from` and `to` arguments of SQL's `translate` that do what [`strip_accents`] does:
/// each accented letter to its base, combining marks (at the end of `from`, with nothing
/// opposite them in `to`) removed. Built once.
#[must_use]
pub fn accent_translation() -> (&'static str, &'static str) {
    static STRINGS: OnceLock<(String, String)> = OnceLock::new();
    let (from, to) = STRINGS.get_or_init(|| {
        let table = table();
        let mut from: String = table.pairs.iter().map(|(c, _)| *c).collect();
        let to: String = table.pairs.iter().map(|(_, c)| *c).collect();
        from.extend(table.marks.iter());
        (from, to)
    });
    (from, to)
}
