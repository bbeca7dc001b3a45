//! Where "now" comes from, so that every other module can be handed a fixed time in tests.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

pub trait Clock {
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in a time zone (a catalog's, for pre-review).
    fn today_in(&self, zone: Tz) -> NaiveDate {
        self.now().with_timezone(&zone).date_naive()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        #[allow(clippy::disallowed_methods)] // the one place the system clock is read
        Utc::now()
    }
}
