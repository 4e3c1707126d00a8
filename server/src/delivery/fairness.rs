//! How the delivery workers are shared between projects and their endpoints.
//!
//! - A project never has more than `--project-concurrency` attempts in flight, so however slow
//!   its receivers are, workers stay free for the other projects. Below that cap a project may
//!   borrow workers the others leave idle.
//! - An endpoint never has more than `--endpoint-concurrency` attempts in flight, and is only
//!   claimed for again once an eighth of its slots are free, so a busy endpoint's claims come in
//!   batches.
//! - Free workers go to the project with the fewest attempts in flight first (max-min
//!   fairness, ties in round-robin order), and within a project to its endpoints in
//!   round-robin; each endpoint sends its oldest due message first.
//!
//! This module only decides; the store finds due work ([`DueScan`] → [`DueWork`]) and claims
//! what was decided ([`Allocation`]), so any store gets the same policy.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::store::{Allocation, DueHead, DueScan, DueWork};

/// Most projects and endpoints one scan for due work looks at.
pub const SCAN_BUDGET: usize = 2_048;

/// The default per-project cap: three quarters of the workers (at least one), so a quarter
/// always stays for the other projects.
pub fn default_project_limit(workers: usize) -> usize {
    workers.saturating_sub(workers / 4).max(1)
}

/// Attempts in flight per project and endpoint, the caps, and where the round-robins stand.
#[derive(Debug)]
pub struct Fairness {
    project_limit: usize,
    endpoint_limit: usize,
    projects: HashMap<String, usize>,
    endpoints: HashMap<String, usize>,
    start_project: Option<String>,
    endpoint_cursors: HashMap<String, String>,
    /// Whether the last scan left out a project or endpoint at its cap: only then can a slot
    /// given back free due work the engine has not seen.
    left_out: bool,
}

impl Fairness {
    /// No attempt in flight; `project_limit` and `endpoint_limit` are the caps (at least 1).
    pub fn new(project_limit: usize, endpoint_limit: usize) -> Self {
        Fairness {
            project_limit: project_limit.max(1),
            endpoint_limit: endpoint_limit.max(1),
            projects: HashMap::new(),
            endpoints: HashMap::new(),
            start_project: None,
            endpoint_cursors: HashMap::new(),
            left_out: false,
        }
    }

    /// The cap of attempts in flight per endpoint.
    pub fn endpoint_limit(&self) -> usize {
        self.endpoint_limit
    }

    /// What the next scan for due work may take, with `room` free workers at `now_ms`.
    pub fn scan(&mut self, now_ms: i64, room: usize) -> DueScan {
        let scan = DueScan {
            now_ms,
            room,
            project_limit: self.project_limit,
            project_free: self.projects.iter().map(|(id, n)| (id.clone(), self.project_limit.saturating_sub(*n))).collect(),
            endpoint_limit: self.endpoint_limit,
            endpoint_free: self.endpoints.keys().map(|id| (id.clone(), self.endpoint_free(id))).collect(),
            start_project: self.start_project.clone(),
            endpoint_cursors: self.endpoint_cursors.clone(),
            budget: SCAN_BUDGET,
        };
        self.left_out = scan.project_free.values().chain(scan.endpoint_free.values()).any(|free| *free == 0);
        scan
    }

    /// Splits `room` workers over the endpoints with due work, and moves the round-robins on.
    pub fn allocate(&mut self, work: &DueWork, room: usize) -> Vec<Allocation> {
        let mut projects: Vec<Turn<'_>> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for head in &work.heads {
            let i = *index.entry(head.project_id.as_str()).or_insert_with(|| {
                let in_flight = self.projects.get(&head.project_id).copied().unwrap_or(0);
                projects.push(Turn {
                    load: in_flight,
                    room: self.project_limit.saturating_sub(in_flight),
                    heads: Vec::new(),
                    next: 0,
                    last: None,
                });
                projects.len() - 1
            });
            let left = head.due.min(self.endpoint_free(&head.endpoint_id));
            projects[i].heads.push((head, left, 0));
        }
        // Least loaded project first; equal loads in scan order, which rotates every round.
        let mut queue: BinaryHeap<Reverse<(usize, usize)>> =
            projects.iter().enumerate().filter(|(_, p)| p.has_work()).map(|(i, p)| Reverse((p.load, i))).collect();
        let mut left = room;
        while left > 0 {
            let Some(Reverse((_, i))) = queue.pop() else { break };
            let project = &mut projects[i];
            if project.give_one() {
                left -= 1;
                if project.has_work() {
                    queue.push(Reverse((project.load, i)));
                }
            }
        }
        let mut allocations = Vec::new();
        for project in &projects {
            for (head, _, given) in project.heads.iter().filter(|(_, _, given)| *given > 0) {
                allocations.push(Allocation {
                    project_id: head.project_id.clone(),
                    endpoint_id: head.endpoint_id.clone(),
                    count: *given,
                    endpoint_limit: self.endpoint_limit,
                });
            }
            if let Some(last) = project.last {
                let head = project.heads[last].0;
                self.endpoint_cursors.insert(head.project_id.clone(), head.endpoint_id.clone());
            }
        }
        self.advance(work);
        allocations
    }

    /// Takes a slot of the project and of the endpoint for one attempt, if both have one free.
    pub fn start(&mut self, project_id: &str, endpoint_id: &str) -> bool {
        let project = self.projects.get(project_id).copied().unwrap_or(0);
        let endpoint = self.endpoints.get(endpoint_id).copied().unwrap_or(0);
        if project >= self.project_limit || endpoint >= self.endpoint_limit {
            return false;
        }
        self.projects.insert(project_id.to_owned(), project + 1);
        self.endpoints.insert(endpoint_id.to_owned(), endpoint + 1);
        true
    }

    /// Gives back the slots taken by [`Fairness::start`]. True when the engine should look for
    /// due work again: its last scan left out a project or endpoint at its cap, whose work this
    /// may free. (Otherwise every due message it saw was claimed or is waiting on its timer.)
    pub fn finish(&mut self, project_id: &str, endpoint_id: &str) -> bool {
        release(&mut self.projects, project_id);
        release(&mut self.endpoints, endpoint_id);
        self.left_out
    }

    /// Attempts the endpoint may start now: none until an eighth of its slots are free.
    fn endpoint_free(&self, endpoint_id: &str) -> usize {
        let free = self.endpoint_limit.saturating_sub(self.endpoints.get(endpoint_id).copied().unwrap_or(0));
        if free < (self.endpoint_limit / 8).max(1) { 0 } else { free }
    }

    /// Where the next scan starts: where a scan that ran out of budget stopped, else one
    /// project further than this one.
    fn advance(&mut self, work: &DueWork) {
        match &work.stopped_at {
            Some((project, endpoint)) => {
                self.start_project = Some(project.clone());
                let served = work.heads.iter().any(|h| &h.project_id == project);
                if let (Some(endpoint), false) = (endpoint, served) {
                    self.endpoint_cursors.insert(project.clone(), endpoint.clone());
                }
            }
            None => {
                self.start_project = work.projects.get(1).cloned();
                let waiting: HashSet<&String> = work.projects.iter().collect();
                self.endpoint_cursors.retain(|project, _| waiting.contains(project));
            }
        }
    }
}

/// One project's share of a round: its load, room, and endpoints with what they may still take.
struct Turn<'a> {
    load: usize,
    room: usize,
    /// Due head, messages it may still take, messages given.
    heads: Vec<(&'a DueHead, usize, usize)>,
    /// Where the endpoint round-robin continues.
    next: usize,
    /// The endpoint given a message last.
    last: Option<usize>,
}

impl Turn<'_> {
    fn has_work(&self) -> bool {
        self.room > 0 && self.heads.iter().any(|(_, left, _)| *left > 0)
    }

    /// Gives one message to the next endpoint in turn that can take one.
    fn give_one(&mut self) -> bool {
        let n = self.heads.len();
        for step in 0..n {
            let i = (self.next + step) % n;
            let (_, left, given) = &mut self.heads[i];
            if *left > 0 {
                *left -= 1;
                *given += 1;
                self.load += 1;
                self.room -= 1;
                self.next = (i + 1) % n;
                self.last = Some(i);
                return true;
            }
        }
        false
    }
}

fn release(counts: &mut HashMap<String, usize>, id: &str) {
    if let Some(n) = counts.get_mut(id) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            counts.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(project: &str, endpoint: &str, due: usize) -> DueHead {
        DueHead { project_id: project.into(), endpoint_id: endpoint.into(), due }
    }

    fn work(heads: Vec<DueHead>) -> DueWork {
        let mut projects: Vec<String> = Vec::new();
        for h in &heads {
            if !projects.contains(&h.project_id) {
                projects.push(h.project_id.clone());
            }
        }
        DueWork { heads, projects, ..Default::default() }
    }

    fn given(allocations: &[Allocation], endpoint: &str) -> usize {
        allocations.iter().filter(|a| a.endpoint_id == endpoint).map(|a| a.count).sum()
    }

    #[test]
    fn a_busy_project_is_capped_and_the_idle_one_is_served_first() {
        let mut fair = Fairness::new(6, 2);
        for e in ["a1", "a2", "a3"] {
            assert!(fair.start("a", e) && fair.start("a", e));
        }
        assert!(!fair.start("a", "a4"), "project a is at its cap of 6");
        let scan = fair.scan(0, 2);
        assert_eq!(scan.free_for_project("a"), 0);
        assert_eq!(scan.free_for_project("b"), 6);
        assert_eq!(scan.free_for_endpoint("a1"), 0);
        let got = fair.allocate(&work(vec![head("a", "a4", 5), head("b", "b1", 1)]), 2);
        assert_eq!(given(&got, "a4"), 0, "a project at its cap gets nothing");
        assert_eq!(given(&got, "b1"), 1);
    }

    #[test]
    fn free_workers_go_to_the_least_loaded_project_then_round_robin() {
        let mut fair = Fairness::new(100, 100);
        for _ in 0..4 {
            assert!(fair.start("a", "a1"));
        }
        let heads = vec![head("a", "a1", 50), head("a", "a2", 50), head("b", "b1", 50), head("b", "b2", 50)];
        let got = fair.allocate(&work(heads), 10);
        // b catches up to a's 4 in flight, then both share the rest equally.
        assert_eq!(given(&got, "b1") + given(&got, "b2"), 7);
        assert_eq!(given(&got, "a1") + given(&got, "a2"), 3);
        assert!(given(&got, "b1").abs_diff(given(&got, "b2")) <= 1, "endpoints of b take turns: {got:?}");
    }

    #[test]
    fn endpoints_take_turns_across_rounds() {
        let mut fair = Fairness::new(100, 100);
        let heads = || work(vec![head("a", "e1", 9), head("a", "e2", 9), head("a", "e3", 9)]);
        let first = fair.allocate(&heads(), 1);
        assert_eq!(first[0].endpoint_id, "e1");
        assert_eq!(fair.scan(0, 1).endpoint_cursors.get("a").map(String::as_str), Some("e1"));
        // The store starts the next scan after e1; the allocation follows its order.
        let next = fair.allocate(&work(vec![head("a", "e2", 9), head("a", "e3", 9), head("a", "e1", 9)]), 1);
        assert_eq!(next[0].endpoint_id, "e2");
    }

    #[test]
    fn an_endpoint_is_claimed_again_once_an_eighth_of_its_slots_are_free() {
        let mut fair = Fairness::new(1_000, 16);
        for _ in 0..15 {
            assert!(fair.start("a", "e"));
        }
        assert_eq!(fair.scan(0, 8).free_for_endpoint("e"), 0, "one free slot of 16 is less than an eighth");
        fair.finish("a", "e");
        assert_eq!(fair.scan(0, 8).free_for_endpoint("e"), 2);
        for _ in 0..14 {
            fair.finish("a", "e");
        }
        assert!(fair.scan(0, 8).endpoint_free.is_empty() && fair.scan(0, 8).project_free.is_empty());
    }

    #[test]
    fn a_finished_attempt_asks_for_a_scan_only_when_the_last_scan_left_work_out_at_a_cap() {
        let mut fair = Fairness::new(10, 1);
        assert!(fair.start("a", "e1"));
        fair.scan(0, 8);
        assert!(fair.finish("a", "e1"), "e1 was at its cap when the engine last looked: its work may be waiting");
        fair.scan(0, 8);
        assert!(fair.start("a", "e1"));
        assert!(!fair.finish("a", "e1"), "the last scan left nothing out: no new scan is needed");
    }

    #[test]
    fn the_scan_rotates_and_resumes_where_its_budget_ran_out() {
        let mut fair = Fairness::new(10, 10);
        fair.allocate(&DueWork { projects: vec!["p1".into(), "p2".into(), "p3".into()], ..Default::default() }, 4);
        assert_eq!(fair.scan(0, 4).start_project.as_deref(), Some("p2"));
        let stopped = DueWork { stopped_at: Some(("p3".into(), Some("e7".into()))), ..Default::default() };
        fair.allocate(&stopped, 4);
        let scan = fair.scan(0, 4);
        assert_eq!(scan.start_project.as_deref(), Some("p3"));
        assert_eq!(scan.endpoint_cursors.get("p3").map(String::as_str), Some("e7"));
    }

    #[test]
    fn the_default_project_cap_leaves_a_quarter_of_the_workers() {
        assert_eq!(default_project_limit(512), 384);
        assert_eq!(default_project_limit(8), 6);
        assert_eq!(default_project_limit(1), 1);
    }
}
