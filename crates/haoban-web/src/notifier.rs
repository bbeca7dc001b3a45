//! How residents are told things (sign-in codes, supplement requests): a pluggable hook.
//! The default writes to the log, with the ID number masked.

use std::sync::Mutex;

use async_trait::async_trait;

#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends `message` to the resident with ID number `to`.
    async fn send(&self, to: &str, message: &str);
}

pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn send(&self, to: &str, message: &str) {
        let to = haoban_cases::IdNumber::parse(to)
            .map_or_else(|_| "unknown".to_owned(), |id| id.masked());
        tracing::info!(%to, %message, "notification");
    }
}

/// Keeps what was sent, for tests.
#[derive(Default)]
pub struct MemoryNotifier {
    sent: Mutex<Vec<(String, String)>>,
}

impl MemoryNotifier {
    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl Notifier for MemoryNotifier {
    async fn send(&self, to: &str, message: &str) {
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((to.to_owned(), message.to_owned()));
    }
}
