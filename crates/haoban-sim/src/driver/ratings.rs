//! Ratings (好差评): the residents' own, decided by `haoban_feedback::rate` (a bad one
//! opens a follow-up), and the defaults the server's scheduler records each day for
//! delivered cases nobody rated.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use haoban_cases::Clock;
use haoban_feedback::{Channel, Level, Rated, Rating, Target, due_defaults, rate};
use haoban_store::history::Step;

use super::{DriveError, Driver, store_error};

impl Driver {
    pub(super) async fn rate(
        &mut self,
        target: Target,
        staff: String,
        rater: String,
        level: u8,
        channel: Channel,
    ) -> Result<(), DriveError> {
        let rating = Rating {
            center: self.center.clone(),
            target,
            level: Level::new(level)?,
            channel: Some(channel),
            staff,
            rater,
            at: self.clock.now(),
            on: self.today(),
        };
        let rated = rate(rating, &self.feedback, &self.model.calendar)?;
        self.recorded.entries += rated.drafts().len() as u64;
        if let Some(Step::Rate(rated)) = self.gather(Step::Rate(Box::new(rated))) {
            self.store
                .rate(&rated, None)
                .await
                .map_err(store_error("a rating"))?;
        }
        Ok(())
    }

    /// What the scheduler does each day: the default rating of every case delivered long
    /// enough ago that nobody rated.
    pub(super) async fn defaults(&mut self, at: DateTime<Utc>) -> Result<(), DriveError> {
        let today = self.today();
        let rule = self.feedback.defaults;
        if self.history.is_none() {
            let recorded = self
                .store
                .record_default_ratings(&self.center, today, &rule, at)
                .await
                .map_err(store_error("the day's default ratings"))?;
            self.recorded.entries += recorded.len() as u64;
            for rating in recorded {
                if let Target::Case { case } = &rating.target {
                    self.delivered.remove(case);
                }
            }
            return Ok(());
        }
        let delivered: Vec<_> = self
            .delivered
            .values()
            .map(|unrated| unrated.delivered.clone())
            .collect();
        for rating in due_defaults(&delivered, &BTreeSet::new(), &rule, today, at) {
            if let Target::Case { case } = &rating.target {
                self.delivered.remove(case);
            }
            self.recorded.entries += 1;
            self.gather(Step::Rate(Box::new(Rated {
                rating,
                follow_up: None,
            })));
        }
        Ok(())
    }
}
