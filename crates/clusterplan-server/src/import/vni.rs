//! VNI-Windows, the legacy Vietnamese text of the VNI fonts, still common in provincial
//! archives: the bytes of Windows-1252 letters drawn as Vietnamese. A marked vowel is written
//! as its base letter followed by a byte that draws the marks (`a` + `ù` is á, `o` + `à` is ồ);
//! a few letters are one byte of their own (`ö` is ư, `ô` is ơ, `ñ` is đ, `ì` is ì). Decoding
//! turns each mark byte into combining marks and puts the text in NFC. Bytes 0x80–0xFF that
//! VNI does not use are not VNI text.

/// The bytes that draw marks over the letter before them, in their lower-case and upper-case
/// forms (the upper-case byte is the lower-case one less 0x20), as combining marks.
pub(super) const MARKS: [(u8, &str); 17] = [
    (0xF9, "\u{301}"),        // ù: sắc (acute)
    (0xF8, "\u{300}"),        // ø: huyền (grave)
    (0xFB, "\u{309}"),        // û: hỏi (hook above)
    (0xF5, "\u{303}"),        // õ: ngã (tilde)
    (0xEF, "\u{323}"),        // ï: nặng (dot below)
    (0xE2, "\u{302}"),        // â: circumflex (â ê ô)
    (0xE1, "\u{302}\u{301}"), // á: ấ ế ố
    (0xE0, "\u{302}\u{300}"), // à: ầ ề ồ
    (0xE5, "\u{302}\u{309}"), // å: ẩ ể ổ
    (0xE3, "\u{302}\u{303}"), // ã: ẫ ễ ỗ
    (0xE4, "\u{302}\u{323}"), // ä: ậ ệ ộ
    (0xEA, "\u{306}"),        // ê: breve (ă)
    (0xE9, "\u{306}\u{301}"), // é: ắ
    (0xE8, "\u{306}\u{300}"), // è: ằ
    (0xFA, "\u{306}\u{309}"), // ú: ẳ
    (0xFC, "\u{306}\u{303}"), // ü: ẵ
    (0xEB, "\u{306}\u{323}"), // ë: ặ
];

/// The bytes that are letters of their own: lower case, and upper case at the byte less 0x20.
pub(super) const LETTERS: [(u8, char, char); 9] = [
    (0xF6, 'ư', 'Ư'),
    (0xF4, 'ơ', 'Ơ'),
    (0xF1, 'đ', 'Đ'),
    (0xED, 'í', 'Í'),
    (0xEC, 'ì', 'Ì'),
    (0xE6, 'ỉ', 'Ỉ'),
    (0xF3, 'ĩ', 'Ĩ'),
    (0xF2, 'ị', 'Ị'),
    (0xEE, 'ỵ', 'Ỵ'),
];

/// What one byte of VNI text stands for: combining marks, a letter, or nothing VNI uses.
pub(super) fn byte(b: u8) -> Option<Drawn> {
    if b < 0x80 {
        return Some(Drawn::Letter(char::from(b)));
    }
    let lower = if (0xC0..0xE0).contains(&b) { b + 0x20 } else { b };
    if let Some((_, marks)) = MARKS.iter().find(|(code, _)| *code == lower) {
        return Some(Drawn::Marks(marks));
    }
    LETTERS
        .iter()
        .find(|(code, _, _)| *code == lower)
        .map(|&(_, small, capital)| Drawn::Letter(if lower == b { small } else { capital }))
}

/// One byte's meaning.
pub(super) enum Drawn {
    Letter(char),
    Marks(&'static str),
}
