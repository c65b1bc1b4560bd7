//! The tokenizer: produces one token at a time, so that errors come out in the order of the
//! text.

use unicode_normalization::UnicodeNormalization;

use super::ast::CompareOp;
use super::parse::ParseError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok<'a> {
    /// An unquoted identifier or keyword, as written.
    Word(&'a str),
    /// A double-quoted property name, without the quotes.
    Quoted(&'a str),
    /// A single-quoted string, escapes resolved, in NFC.
    Str(String),
    /// A finite number, sign included.
    Num(f64),
    LParen,
    RParen,
    Comma,
    Op(CompareOp),
    /// A character that starts no token; the parser says what it expected instead.
    Other(char),
    End,
}

/// A token and the byte range of its text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token<'a> {
    pub kind: Tok<'a>,
    pub start: usize,
    pub end: usize,
}

pub(super) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_word_part(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':')
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Self { src, pos: 0 }
    }

    /// A lexer that starts at byte `pos` (a token boundary), for looking ahead.
    pub(super) fn starting_at(src: &'a str, pos: usize) -> Self {
        Self { src, pos }
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.src.get(at..).and_then(|rest| rest.chars().next())
    }

    fn byte_at(&self, at: usize) -> Option<u8> {
        self.src.as_bytes().get(at).copied()
    }

    fn digit_at(&self, at: usize) -> bool {
        self.byte_at(at).is_some_and(|b| b.is_ascii_digit())
    }

    /// Whether a number starts at `at`: a digit, or a sign or point followed by one.
    fn number_starts(&self, at: usize) -> bool {
        match self.byte_at(at) {
            Some(b'0'..=b'9') => true,
            Some(b'.') => self.digit_at(at + 1),
            Some(b'+' | b'-') => self.digit_at(at + 1) || (self.byte_at(at + 1) == Some(b'.') && self.digit_at(at + 2)),
            _ => false,
        }
    }

    pub(super) fn next_token(&mut self) -> Result<Token<'a>, ParseError> {
        while let Some(c) = self.char_at(self.pos) {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
        let start = self.pos;
        let Some(c) = self.char_at(start) else {
            return Ok(Token { kind: Tok::End, start, end: start });
        };
        let kind = match c {
            '(' | ')' | ',' | '=' => {
                self.pos += 1;
                match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    ',' => Tok::Comma,
                    _ => Tok::Op(CompareOp::Eq),
                }
            }
            '<' | '>' => self.angle(c),
            '\'' => self.string(start)?,
            '"' => self.quoted(start)?,
            _ if self.number_starts(start) => self.number(start)?,
            _ if is_word_start(c) => {
                let len = self.src[start..].find(|c: char| !is_word_part(c)).unwrap_or(self.src.len() - start);
                self.pos = start + len;
                Tok::Word(&self.src[start..self.pos])
            }
            _ => {
                self.pos += c.len_utf8();
                Tok::Other(c)
            }
        };
        Ok(Token { kind, start, end: self.pos })
    }

    fn angle(&mut self, first: char) -> Tok<'a> {
        self.pos += 1;
        let second = self.byte_at(self.pos);
        let (op, len) = match (first, second) {
            ('<', Some(b'>')) => (CompareOp::Ne, 1),
            ('<', Some(b'=')) => (CompareOp::Le, 1),
            ('<', _) => (CompareOp::Lt, 0),
            (_, Some(b'=')) => (CompareOp::Ge, 1),
            _ => (CompareOp::Gt, 0),
        };
        self.pos += len;
        Tok::Op(op)
    }

    /// `'…'` with `''` and `\'` standing for a quote; every other character, a lone `\`
    /// included, stands for itself, except NUL (U+0000): no store compares it alike (PostgreSQL
    /// refuses it in text, SQLite keeps it), so a literal holding one is an error.
    fn string(&mut self, start: usize) -> Result<Tok<'a>, ParseError> {
        let mut text = String::new();
        let mut at = start + 1;
        loop {
            match self.char_at(at) {
                None => {
                    return Err(ParseError::new(start, "a closing ' for this string", "end of input"));
                }
                Some('\0') => {
                    return Err(ParseError::new(at, "a character of text", "a NUL character (U+0000)"));
                }
                Some('\'' | '\\') if self.byte_at(at + 1) == Some(b'\'') => {
                    text.push('\'');
                    at += 2;
                }
                Some('\'') => break,
                Some(c) => {
                    text.push(c);
                    at += c.len_utf8();
                }
            }
        }
        self.pos = at + 1;
        Ok(Tok::Str(text.nfc().collect()))
    }

    /// `"any name"`: a property name that is not a plain identifier.
    fn quoted(&mut self, start: usize) -> Result<Tok<'a>, ParseError> {
        let body = start + 1;
        let Some(len) = self.src[body..].find('"') else {
            return Err(ParseError::new(start, "a closing \" for this property name", "end of input"));
        };
        if len == 0 {
            return Err(ParseError::new(start, "a property name", "\"\""));
        }
        self.pos = body + len + 1;
        Ok(Tok::Quoted(&self.src[body..body + len]))
    }

    /// `[+-] digits [. digits] [E [+-] digits]`, or starting at the point; a number running
    /// into letters (`5km`, `1e`) is an error rather than two tokens.
    fn number(&mut self, start: usize) -> Result<Tok<'a>, ParseError> {
        let mut at = start;
        if matches!(self.byte_at(at), Some(b'+' | b'-')) {
            at += 1;
        }
        while self.digit_at(at) {
            at += 1;
        }
        if self.byte_at(at) == Some(b'.') {
            at += 1;
            while self.digit_at(at) {
                at += 1;
            }
        }
        if matches!(self.byte_at(at), Some(b'e' | b'E')) {
            let mut exp = at + 1;
            if matches!(self.byte_at(exp), Some(b'+' | b'-')) {
                exp += 1;
            }
            if self.digit_at(exp) {
                while self.digit_at(exp) {
                    exp += 1;
                }
                at = exp;
            }
        }
        let mut end = at;
        while self.char_at(end).is_some_and(is_word_part) {
            end += 1;
        }
        let text = &self.src[start..end];
        self.pos = end;
        if end != at {
            return Err(ParseError::new(start, "a number", text));
        }
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Tok::Num(n)),
            _ => Err(ParseError::new(start, "a finite number", text)),
        }
    }
}
