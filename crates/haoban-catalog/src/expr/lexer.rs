//! Turns condition source into tokens with character spans.

use super::ast::Span;
use super::parser::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Int(String),
    Decimal(String),
    Str(String),
    Ident(String),
    True,
    False,
    In,
    Not,
    Minus,
    Star,
    Slash,
    Percent,
    Plus,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    AndAnd,
    OrOr,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    End,
}

impl Token {
    pub fn describe(&self) -> String {
        match self {
            Token::Int(s) | Token::Decimal(s) => format!("number `{s}`"),
            Token::Str(_) => "a string".to_owned(),
            Token::Ident(s) => format!("`{s}`"),
            Token::End => "the end of the condition".to_owned(),
            other => format!("`{}`", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Token::True => "true",
            Token::False => "false",
            Token::In => "in",
            Token::Not => "!",
            Token::Minus => "-",
            Token::Star => "*",
            Token::Slash => "/",
            Token::Percent => "%",
            Token::Plus => "+",
            Token::Lt => "<",
            Token::Le => "<=",
            Token::Gt => ">",
            Token::Ge => ">=",
            Token::EqEq => "==",
            Token::Ne => "!=",
            Token::AndAnd => "&&",
            Token::OrOr => "||",
            Token::LParen => "(",
            Token::RParen => ")",
            Token::LBracket => "[",
            Token::RBracket => "]",
            Token::Comma => ",",
            Token::Int(_) | Token::Decimal(_) | Token::Str(_) | Token::Ident(_) | Token::End => "",
        }
    }
}

pub fn tokenize(source: &str) -> Result<Vec<(Token, Span)>, ParseError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let token = if c.is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                Token::Decimal(chars[start..i].iter().collect())
            } else {
                Token::Int(chars[start..i].iter().collect())
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match word.as_str() {
                "true" => Token::True,
                "false" => Token::False,
                "in" => Token::In,
                _ => Token::Ident(word),
            }
        } else if c == '"' || c == '\'' {
            let (text, next) = string_literal(&chars, i)?;
            i = next;
            Token::Str(text)
        } else {
            let next = chars.get(i + 1).copied();
            let (token, width) = match (c, next) {
                ('<', Some('=')) => (Token::Le, 2),
                ('>', Some('=')) => (Token::Ge, 2),
                ('=', Some('=')) => (Token::EqEq, 2),
                ('!', Some('=')) => (Token::Ne, 2),
                ('&', Some('&')) => (Token::AndAnd, 2),
                ('|', Some('|')) => (Token::OrOr, 2),
                ('<', _) => (Token::Lt, 1),
                ('>', _) => (Token::Gt, 1),
                ('!', _) => (Token::Not, 1),
                ('-', _) => (Token::Minus, 1),
                ('*', _) => (Token::Star, 1),
                ('/', _) => (Token::Slash, 1),
                ('%', _) => (Token::Percent, 1),
                ('+', _) => (Token::Plus, 1),
                ('(', _) => (Token::LParen, 1),
                (')', _) => (Token::RParen, 1),
                ('[', _) => (Token::LBracket, 1),
                (']', _) => (Token::RBracket, 1),
                (',', _) => (Token::Comma, 1),
                ('=', _) => {
                    return Err(ParseError::new(
                        Span::new(i, i + 1),
                        "unexpected `=`; comparison is written `==`",
                    ));
                }
                ('&', _) | ('|', _) => {
                    return Err(ParseError::new(
                        Span::new(i, i + 1),
                        format!("unexpected `{c}`; logical operators are `&&` and `||`"),
                    ));
                }
                _ => {
                    return Err(ParseError::new(
                        Span::new(i, i + 1),
                        format!("unexpected character `{c}`"),
                    ));
                }
            };
            i += width;
            token
        };
        tokens.push((token, Span::new(start, i)));
    }
    tokens.push((Token::End, Span::new(chars.len(), chars.len())));
    Ok(tokens)
}

/// Reads a quoted string starting at `chars[open]`; returns its value and the index after it.
fn string_literal(chars: &[char], open: usize) -> Result<(String, usize), ParseError> {
    let quote = chars[open];
    let mut value = String::new();
    let mut i = open + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(ParseError::new(
                Span::new(open, open + 1),
                "string is not closed",
            ));
        };
        if c == quote {
            return Ok((value, i + 1));
        }
        if c == '\n' {
            return Err(ParseError::new(
                Span::new(open, open + 1),
                "string is not closed before the end of the line",
            ));
        }
        if c != '\\' {
            value.push(c);
            i += 1;
            continue;
        }
        let escape = chars.get(i + 1).copied();
        let (decoded, width) = match escape {
            Some('\\') => ('\\', 2),
            Some('"') => ('"', 2),
            Some('\'') => ('\'', 2),
            Some('n') => ('\n', 2),
            Some('t') => ('\t', 2),
            Some('r') => ('\r', 2),
            Some(marker @ ('u' | 'U')) => {
                let width = if marker == 'u' { 4 } else { 8 };
                let hex: String = chars
                    .get(i + 2..i + 2 + width)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                let code = Some(&hex)
                    .filter(|h| h.len() == width && h.chars().all(|c| c.is_ascii_hexdigit()))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32);
                match code {
                    Some(decoded) => (decoded, 2 + width),
                    None => {
                        return Err(ParseError::new(
                            Span::new(i, (i + 2 + width).min(chars.len())),
                            "invalid unicode escape; write \\u and four hex digits or \\U and eight",
                        ));
                    }
                }
            }
            _ => {
                return Err(ParseError::new(
                    Span::new(i, (i + 2).min(chars.len())),
                    "unknown escape in string",
                ));
            }
        };
        value.push(decoded);
        i += width;
    }
}
