//! A progress bar on standard error while days are simulated: drawn only when standard
//! error is a terminal, and a final line in any case.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::driver::Recorded;

pub struct Progress {
    label: String,
    total: u32,
    started: Instant,
    drawn: Option<Instant>,
    terminal: bool,
}

const WIDTH: usize = 30;

impl Progress {
    /// A bar for `total` days, titled `label` (e.g. "seeding").
    pub fn new(label: &str, total: u32) -> Progress {
        Progress {
            label: label.to_owned(),
            total: total.max(1),
            started: Instant::now(),
            drawn: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Cases recorded per second since the start.
    pub fn rate(&self, recorded: &Recorded) -> f64 {
        recorded.cases as f64 / self.elapsed().as_secs_f64().max(1e-9)
    }

    /// Redraws the bar (at most ten times a second) after `day`.
    pub fn update(&mut self, day: NaiveDate, recorded: &Recorded) {
        if !self.terminal {
            return;
        }
        if self
            .drawn
            .is_some_and(|at| at.elapsed() < Duration::from_millis(100))
            && recorded.days < self.total
        {
            return;
        }
        self.drawn = Some(Instant::now());
        let done = (recorded.days.min(self.total) as usize * WIDTH) / self.total as usize;
        let bar: String = "█".repeat(done) + &"░".repeat(WIDTH - done);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{} {bar} {}/{} days  {day}  {} cases  {:.0} cases/s",
            self.label,
            recorded.days,
            self.total,
            thousands(recorded.cases),
            self.rate(recorded)
        );
        let _ = err.flush();
    }

    /// Clears the bar and prints the final line.
    pub fn finish(&self, recorded: &Recorded) -> String {
        let line = format!(
            "{}: {} days, {} cases, {} record entries in {:.1} s ({} cases/s)",
            self.label,
            recorded.days,
            thousands(recorded.cases),
            thousands(recorded.entries),
            self.elapsed().as_secs_f64(),
            thousands(self.rate(recorded).round() as u64)
        );
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r\x1b[2K");
        }
        let _ = writeln!(err, "{line}");
        line
    }
}

/// 120000 as 120,000.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(120_000), "120,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
