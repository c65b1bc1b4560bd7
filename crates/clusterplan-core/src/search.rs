//! Text folding for search: Vietnamese names found without diacritics or case.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text for matching: lower case, diacritics removed, `đ` → `d`
/// ("Phú Hưng–Mỹ Thạnh" → "phu hung–my thanh").
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn vietnamese_names_fold_to_plain_lower_case() {
        assert_eq!(fold("Phú Hưng–Mỹ Thạnh"), "phu hung–my thanh");
        assert_eq!(fold("ĐỒNG Khởi"), "dong khoi");
    }
}
