//! How long a group commit waits for more writes: senders that send again as soon as they are
//! answered (a worker pool, a load generator) would otherwise split into two halves, one
//! committing while the other waits, and every commit would carry half of them. Both stores'
//! batchers ask [`Gathering`] how many writes to wait for before they commit: as many as the
//! last commit saw writers (the writes it carried plus those that arrived meanwhile), never for
//! a lone writer, and not at all right after a wait that ran out (a writer left, or the traffic
//! is not a loop). The wait itself is short and bounded by each store.

/// How many writes the next commit waits for.
#[derive(Debug, Default)]
pub(crate) struct Gathering {
    /// Writers the last commit saw: the writes it carried and those that arrived meanwhile.
    expected: usize,
    /// The last wait ran out before that many came: the next commit does not wait.
    ran_out: bool,
}

impl Gathering {
    /// Writes worth waiting for, with `taken` in hand (0: commit now).
    pub(crate) fn wait_for(&self, taken: usize) -> usize {
        if self.ran_out || taken >= self.expected { 0 } else { self.expected }
    }

    /// After a commit of `taken` writes was answered, with `queued` more waiting; `ran_out` when
    /// its wait ran out.
    pub(crate) fn after(&mut self, taken: usize, queued: usize, ran_out: bool) {
        *self = Gathering { expected: taken + queued, ran_out };
    }
}

#[cfg(test)]
mod tests {
    use super::Gathering;

    #[test]
    fn a_lone_writer_never_waits_and_a_half_commit_waits_for_every_writer() {
        let mut gathering = Gathering::default();
        assert_eq!(gathering.wait_for(1), 0, "the first write goes at once");
        gathering.after(1, 0, false);
        assert_eq!(gathering.wait_for(1), 0, "one writer: nothing to wait for");
        // Four answered while four more waited: eight writers, so four in hand wait for eight.
        gathering.after(4, 4, false);
        assert_eq!(gathering.wait_for(4), 8);
        assert_eq!(gathering.wait_for(8), 0, "all of them are in hand");
        // The wait ran out (a writer left): the next commit goes at once, then waiting resumes.
        gathering.after(6, 1, true);
        assert_eq!(gathering.wait_for(1), 0);
        gathering.after(7, 0, false);
        assert_eq!(gathering.wait_for(3), 7);
    }
}
