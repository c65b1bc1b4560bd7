//! Text as the core keeps it: Unicode NFC.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// `text` in Unicode NFC. Text already in NFC (what the stores hold, and what most clients
/// send) is copied as it is, after a quick check, instead of being decomposed and composed
/// again: decoding a page of stored features spent a tenth of its time recomposing names.
pub fn nfc(text: &str) -> String {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.to_owned(),
        IsNormalized::No | IsNormalized::Maybe => text.nfc().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::nfc;

    #[test]
    fn text_comes_out_composed_whatever_its_form() {
        let composed = "Phú Hưng – Mỹ Thạnh, Giồng Trôm";
        let decomposed: String = unicode_normalization::UnicodeNormalization::nfd(composed).collect();
        assert_ne!(decomposed, composed);
        assert_eq!(nfc(&decomposed), composed);
        assert_eq!(nfc(composed), composed);
        // A mark after a composed letter may compose further ("Maybe" in the quick check).
        assert_eq!(nfc("A\u{30A}"), "Å");
        assert_eq!(nfc(""), "");
    }
}
