//! Visitors the first window has seen: looked up by ID number, registered once.

use chrono::{DateTime, Utc};
use haoban_cases::IdNumber;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitorError {
    #[error("{0}")]
    IdNumber(String),
    #[error("a name has 1 to 40 characters")]
    Name,
    #[error(
        "`{0}` is not a phone number: 11 digits starting with 1, or a landline like 021-12345678"
    )]
    Phone(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visitor {
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub registered_at: DateTime<Utc>,
}

impl Visitor {
    /// A visitor from what was typed at the desk, each field checked.
    pub fn new(
        id_number: &str,
        name: &str,
        phone: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Visitor, VisitorError> {
        let id =
            IdNumber::parse(id_number.trim()).map_err(|e| VisitorError::IdNumber(e.to_string()))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
            return Err(VisitorError::Name);
        }
        let phone = match phone.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) if is_phone(p) => Some(p.to_owned()),
            Some(p) => return Err(VisitorError::Phone(p.to_owned())),
        };
        Ok(Visitor {
            id_number: id.as_ref().to_owned(),
            name: name.to_owned(),
            phone,
            registered_at: at,
        })
    }
}

fn is_phone(text: &str) -> bool {
    let mobile =
        text.len() == 11 && text.starts_with('1') && text.bytes().all(|b| b.is_ascii_digit());
    let landline = match text.split_once('-') {
        Some((area, local)) => {
            (3..=4).contains(&area.len())
                && area.starts_with('0')
                && (7..=8).contains(&local.len())
                && area
                    .bytes()
                    .chain(local.bytes())
                    .all(|b| b.is_ascii_digit())
        }
        None => false,
    };
    mobile || landline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_checked() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let ok = Visitor::new(" 11010519491231002x ", " 王阿姨 ", Some("13812345678"), at).unwrap();
        assert_eq!(
            (ok.id_number.as_str(), ok.name.as_str()),
            ("11010519491231002X", "王阿姨")
        );
        assert!(Visitor::new("110105194912310021", "王", None, at).is_err());
        assert_eq!(
            Visitor::new("11010519491231002X", " ", None, at),
            Err(VisitorError::Name)
        );
        assert!(Visitor::new("11010519491231002X", "王", Some("021-6543210"), at).is_ok());
        assert!(matches!(
            Visitor::new("11010519491231002X", "王", Some("12345"), at),
            Err(VisitorError::Phone(_))
        ));
    }
}
