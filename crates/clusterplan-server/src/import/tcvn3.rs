//! TCVN 5712:1993 (VN1; the TCVN3 "ABC" fonts use its subset VN3), the legacy Vietnamese
//! single-byte text of many provincial archives: the character each byte stands for. Bytes
//! 0x00–0x7F are ASCII except the capitals VN1 puts among the control codes; 0xB0–0xB4 are
//! the combining tone marks (text is put in NFC after decoding). The table is checked against
//! the C library's `iconv -f TCVN5712-1` by the tests.

/// Bytes 0x80–0xFF.
pub(super) const HIGH: [char; 128] = [
    '\u{C0}', '\u{1EA2}', '\u{C3}', '\u{C1}', '\u{1EA0}', '\u{1EB6}', '\u{1EAC}', '\u{C8}', '\u{1EBA}', '\u{1EBC}',
    '\u{C9}', '\u{1EB8}', '\u{1EC6}', '\u{CC}', '\u{1EC8}', '\u{128}', '\u{CD}', '\u{1ECA}', '\u{D2}', '\u{1ECE}',
    '\u{D5}', '\u{D3}', '\u{1ECC}', '\u{1ED8}', '\u{1EDC}', '\u{1EDE}', '\u{1EE0}', '\u{1EDA}', '\u{1EE2}', '\u{D9}',
    '\u{1EE6}', '\u{168}', '\u{A0}', '\u{102}', '\u{C2}', '\u{CA}', '\u{D4}', '\u{1A0}', '\u{1AF}', '\u{110}',
    '\u{103}', '\u{E2}', '\u{EA}', '\u{F4}', '\u{1A1}', '\u{1B0}', '\u{111}', '\u{1EB0}', '\u{300}', '\u{309}',
    '\u{303}', '\u{301}', '\u{323}', '\u{E0}', '\u{1EA3}', '\u{E3}', '\u{E1}', '\u{1EA1}', '\u{1EB2}', '\u{1EB1}',
    '\u{1EB3}', '\u{1EB5}', '\u{1EAF}', '\u{1EB4}', '\u{1EAE}', '\u{1EA6}', '\u{1EA8}', '\u{1EAA}', '\u{1EA4}',
    '\u{1EC0}', '\u{1EB7}', '\u{1EA7}', '\u{1EA9}', '\u{1EAB}', '\u{1EA5}', '\u{1EAD}', '\u{E8}', '\u{1EC2}',
    '\u{1EBB}', '\u{1EBD}', '\u{E9}', '\u{1EB9}', '\u{1EC1}', '\u{1EC3}', '\u{1EC5}', '\u{1EBF}', '\u{1EC7}', '\u{EC}',
    '\u{1EC9}', '\u{1EC4}', '\u{1EBE}', '\u{1ED2}', '\u{129}', '\u{ED}', '\u{1ECB}', '\u{F2}', '\u{1ED4}', '\u{1ECF}',
    '\u{F5}', '\u{F3}', '\u{1ECD}', '\u{1ED3}', '\u{1ED5}', '\u{1ED7}', '\u{1ED1}', '\u{1ED9}', '\u{1EDD}', '\u{1EDF}',
    '\u{1EE1}', '\u{1EDB}', '\u{1EE3}', '\u{F9}', '\u{1ED6}', '\u{1EE7}', '\u{169}', '\u{FA}', '\u{1EE5}', '\u{1EEB}',
    '\u{1EED}', '\u{1EEF}', '\u{1EE9}', '\u{1EF1}', '\u{1EF3}', '\u{1EF7}', '\u{1EF9}', '\u{FD}', '\u{1EF5}',
    '\u{1ED0}',
];

/// The capitals VN1 puts among the control codes.
pub(super) const LOW: [(u8, char); 12] = [
    (0x01, '\u{DA}'),
    (0x02, '\u{1EE4}'),
    (0x04, '\u{1EEA}'),
    (0x05, '\u{1EEC}'),
    (0x06, '\u{1EEE}'),
    (0x11, '\u{1EE8}'),
    (0x12, '\u{1EF0}'),
    (0x13, '\u{1EF2}'),
    (0x14, '\u{1EF6}'),
    (0x15, '\u{1EF8}'),
    (0x16, '\u{DD}'),
    (0x17, '\u{1EF4}'),
];
