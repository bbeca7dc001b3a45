//! The 24-hour area's hardware, as a pluggable hook: the door that opens for a resident
//! identified at it, and the cabinets' compartment locks. The default writes to the log,
//! with the ID number masked; a deployment plugs in its controllers' drivers.

use std::sync::Mutex;

use async_trait::async_trait;
use haoban_hall::Compartment;

#[async_trait]
pub trait Devices: Send + Sync {
    /// Opens `door` for the resident whose masked ID number is `visitor`.
    async fn open_door(&self, door: &str, visitor: &str);
    /// Unlocks one compartment of a pickup cabinet.
    async fn open_compartment(&self, compartment: &Compartment);
}

pub struct LogDevices;

#[async_trait]
impl Devices for LogDevices {
    async fn open_door(&self, door: &str, visitor: &str) {
        tracing::info!(%door, %visitor, "door opened");
    }

    async fn open_compartment(&self, compartment: &Compartment) {
        tracing::info!(compartment = %compartment.label(), "compartment opened");
    }
}

/// Keeps what was opened, for tests.
#[derive(Default)]
pub struct MemoryDevices {
    opened: Mutex<Vec<String>>,
}

impl MemoryDevices {
    /// `door:<name>` and `compartment:<label>`, in order.
    pub fn opened(&self) -> Vec<String> {
        self.opened
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn push(&self, what: String) {
        self.opened
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what);
    }
}

#[async_trait]
impl Devices for MemoryDevices {
    async fn open_door(&self, door: &str, _visitor: &str) {
        self.push(format!("door:{door}"));
    }

    async fn open_compartment(&self, compartment: &Compartment) {
        self.push(format!("compartment:{}", compartment.label()));
    }
}
