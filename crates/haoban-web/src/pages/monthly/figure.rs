//! The figures of a member's line that can be opened down to their events: each has a
//! name for the address (`?figure=accepted`) and knows, from the list's row, its number
//! and the sequence numbers of the process record it was counted from.

use haoban_insight::{Dimension, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// All work counted for quantity: the four below.
    Quantity,
    Accepted,
    NotAccepted,
    Decided,
    Tickets,
    /// The cases accepted by the member and decided this month: acceptance and decision.
    Efficiency,
    /// The acceptances whose items' value points were summed.
    Value,
    /// Ratings and unresolved bad ratings together.
    Evaluation,
    Ratings,
    Unresolved,
    /// Faults: supplements and upheld complaints.
    Quality,
    Supplements,
    Upheld,
    /// The first event of each day the record shows the member at work.
    Days,
}

impl Figure {
    pub const ALL: [Figure; 14] = [
        Figure::Quantity,
        Figure::Accepted,
        Figure::NotAccepted,
        Figure::Decided,
        Figure::Tickets,
        Figure::Efficiency,
        Figure::Value,
        Figure::Evaluation,
        Figure::Ratings,
        Figure::Unresolved,
        Figure::Quality,
        Figure::Supplements,
        Figure::Upheld,
        Figure::Days,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Figure::Quantity => "quantity",
            Figure::Accepted => "accepted",
            Figure::NotAccepted => "not_accepted",
            Figure::Decided => "decided",
            Figure::Tickets => "tickets",
            Figure::Efficiency => "efficiency",
            Figure::Value => "value",
            Figure::Evaluation => "evaluation",
            Figure::Ratings => "ratings",
            Figure::Unresolved => "unresolved",
            Figure::Quality => "quality",
            Figure::Supplements => "supplements",
            Figure::Upheld => "upheld",
            Figure::Days => "days",
        }
    }

    pub fn parse(text: &str) -> Option<Figure> {
        Figure::ALL.into_iter().find(|f| f.slug() == text)
    }

    /// The figure a dimension's score opens to.
    pub fn of(dimension: Dimension) -> Figure {
        match dimension {
            Dimension::Quantity => Figure::Quantity,
            Dimension::Efficiency => Figure::Efficiency,
            Dimension::Value => Figure::Value,
            Dimension::Evaluation => Figure::Evaluation,
            Dimension::Quality => Figure::Quality,
        }
    }

    /// The index of its labels in `MonthlyMsgs::figures`.
    pub fn index(self) -> usize {
        Figure::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    /// The number the list shows for it.
    pub fn count(self, row: &Row) -> u32 {
        let f = &row.figures;
        match self {
            Figure::Quantity => f.quantity.total,
            Figure::Accepted => f.quantity.accepted.count,
            Figure::NotAccepted => f.quantity.not_accepted.count,
            Figure::Decided => f.quantity.decided.count,
            Figure::Tickets => f.quantity.tickets.count,
            Figure::Efficiency => f.efficiency.cases.len() as u32,
            Figure::Value => f.value.cases.len() as u32,
            Figure::Evaluation => f.evaluation.count + f.evaluation.unresolved.len() as u32,
            Figure::Ratings => f.evaluation.count,
            Figure::Unresolved => f.evaluation.unresolved.len() as u32,
            Figure::Quality => f.quality.faults,
            Figure::Supplements => f.quality.supplements.count,
            Figure::Upheld => f.quality.upheld_complaints.count,
            Figure::Days => row.days_on_duty.record.len() as u32,
        }
    }

    /// The events it was counted from, in the record's order, each once.
    pub fn seqs(self, row: &Row) -> Vec<u64> {
        let f = &row.figures;
        let q = &f.quantity;
        let mut seqs: Vec<u64> = match self {
            Figure::Quantity => [&q.accepted, &q.not_accepted, &q.decided, &q.tickets]
                .into_iter()
                .flat_map(|c| c.seqs.iter().copied())
                .collect(),
            Figure::Accepted => q.accepted.seqs.clone(),
            Figure::NotAccepted => q.not_accepted.seqs.clone(),
            Figure::Decided => q.decided.seqs.clone(),
            Figure::Tickets => q.tickets.seqs.clone(),
            Figure::Efficiency => f
                .efficiency
                .cases
                .iter()
                .flat_map(|c| [c.accepted_seq, c.decided_seq])
                .collect(),
            Figure::Value => f.value.cases.iter().map(|c| c.seq).collect(),
            Figure::Evaluation => Figure::Ratings
                .seqs(row)
                .into_iter()
                .chain(Figure::Unresolved.seqs(row))
                .collect(),
            Figure::Ratings => f.evaluation.ratings.iter().map(|r| r.seq).collect(),
            Figure::Unresolved => f
                .evaluation
                .unresolved
                .iter()
                .flat_map(|u| std::iter::once(u.opened_seq).chain(u.appeal_seq))
                .collect(),
            Figure::Quality => f
                .quality
                .supplements
                .seqs
                .iter()
                .chain(&f.quality.upheld_complaints.seqs)
                .copied()
                .collect(),
            Figure::Supplements => f.quality.supplements.seqs.clone(),
            Figure::Upheld => f.quality.upheld_complaints.seqs.clone(),
            Figure::Days => row.days_on_duty.record.iter().map(|d| d.seq).collect(),
        };
        seqs.sort_unstable();
        seqs.dedup();
        seqs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_reads_back_from_its_name() {
        for figure in Figure::ALL {
            assert_eq!(Figure::parse(figure.slug()), Some(figure));
            assert_eq!(Figure::ALL[figure.index()], figure);
        }
        assert_eq!(Figure::parse("Quantity"), None);
    }
}
