//! How long a group commit waits for more writes: senders that send again as soon as they are
//! answered (a worker pool, a load generator) would otherwise split into two halves, one
//! committing while the other waits, and every commit would carry half of them. Both stores'
//! batchers ask [`Gathering`] how many writes to wait for before they commit: as many as the
//! last commit saw writers (the writes it carried plus those that arrived meanwhile), never for
//! a lone writer. A wait that runs out (a writer left, the traffic is not a loop, or intake is
//! held back elsewhere) means waiting does not pay right now: the next 1, 2, 4, … up to
//! [`MAX_SKIP`] commits go at once, and a wait that fills ends that. The wait itself is short
//! and bounded by each store.

/// Most commits that go at once after waits ran out.
pub(crate) const MAX_SKIP: u32 = 64;

/// How the last commit's wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Waited {
    /// It did not wait.
    No,
    /// The writes it waited for came.
    Filled,
    /// The time ran out first.
    RanOut,
}

/// How many writes the next commit waits for.
#[derive(Debug, Default)]
pub(crate) struct Gathering {
    /// Writers the last commit saw: the writes it carried and those that arrived meanwhile.
    expected: usize,
    /// Commits still to go at once after a wait ran out.
    skip: u32,
    /// How many commits the last wait that ran out made go at once.
    backoff: u32,
}

impl Gathering {
    /// Writes worth waiting for, with `taken` in hand (0: commit now).
    pub(crate) fn wait_for(&self, taken: usize) -> usize {
        if self.skip > 0 || taken >= self.expected { 0 } else { self.expected }
    }

    /// After a commit of `taken` writes was answered, with `queued` more that arrived during it;
    /// `waited` says how its wait ended.
    pub(crate) fn after(&mut self, taken: usize, queued: usize, waited: Waited) {
        self.expected = taken + queued;
        match waited {
            Waited::No => self.skip = self.skip.saturating_sub(1),
            Waited::Filled => (self.skip, self.backoff) = (0, 0),
            Waited::RanOut => {
                self.backoff = (self.backoff * 2).clamp(1, MAX_SKIP);
                self.skip = self.backoff;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Gathering, MAX_SKIP, Waited};

    #[test]
    fn a_lone_writer_never_waits_and_a_half_commit_waits_for_every_writer() {
        let mut gathering = Gathering::default();
        assert_eq!(gathering.wait_for(1), 0, "the first write goes at once");
        gathering.after(1, 0, Waited::No);
        assert_eq!(gathering.wait_for(1), 0, "one writer: nothing to wait for");
        // Four answered while four more came: eight writers, so four in hand wait for eight.
        gathering.after(4, 4, Waited::No);
        assert_eq!(gathering.wait_for(4), 8);
        assert_eq!(gathering.wait_for(8), 0, "all of them are in hand");
        gathering.after(8, 0, Waited::Filled);
        assert_eq!(gathering.wait_for(5), 8);
    }

    #[test]
    fn waits_that_run_out_make_ever_more_commits_go_at_once_until_one_fills() {
        let mut gathering = Gathering::default();
        let mut at_once = Vec::new();
        for _ in 0..3 {
            gathering.after(6, 2, Waited::RanOut);
            let mut n = 0;
            while gathering.wait_for(1) == 0 {
                gathering.after(6, 2, Waited::No);
                n += 1;
            }
            at_once.push(n);
        }
        assert_eq!(at_once, vec![1, 2, 4], "1, 2, 4 commits without a wait after each wait that ran out");
        gathering.after(8, 0, Waited::Filled);
        gathering.after(6, 2, Waited::RanOut);
        assert_eq!(gathering.skip, 1, "a wait that filled starts the count again");
        for _ in 0..20 {
            gathering.after(6, 2, Waited::RanOut);
        }
        assert_eq!(gathering.skip, MAX_SKIP);
    }
}
