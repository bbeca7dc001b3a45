//! Texts shown to people: Chinese required, English optional.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    Zh,
    En,
}

impl Locale {
    pub fn parse(code: &str) -> Option<Locale> {
        match code {
            "zh" => Some(Locale::Zh),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::Zh => "zh",
            Locale::En => "en",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    pub zh: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Text {
    /// The text in `locale`, falling back to Chinese where no English was written.
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => self.en.as_deref().unwrap_or(&self.zh),
            Locale::Zh => &self.zh,
        }
    }
}
