//! The outline of the tree: siblings of the same step fold into one line (a
//! batch run's 2,500 `case {n}` spans read as "`case {n}` × 2,500: retrieve →
//! chat → judge"), and a line budget, a cap on groups per parent and a depth cap
//! keep the outline bounded however wide or deep the trace is; what is left out
//! is counted in a "more" line, never dropped silently.

use std::collections::HashMap;

use app::model::StepKind;
use app::outline::{Outline, Row};

use super::model::{OutlineLine, ShapeStep};
use crate::domain::step::step_name;

/// Siblings of one step fold from this many on (two stay apart: a retry reads
/// better as its two attempts).
const FOLD_AT: usize = 3;

/// Bounds of the outline (the Markdown renderer may ask for fewer lines).
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub lines: usize,
    pub groups_per_parent: usize,
    pub depth: u32,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { lines: 120, groups_per_parent: 12, depth: 10 }
    }
}

/// The outline of `o`'s tree within `budget`.
pub fn outline(o: &Outline, budget: Budget) -> Vec<OutlineLine> {
    let mut tree = Tree { o, children: vec![Vec::new(); o.rows.len()], roots: Vec::new(), out: Vec::new(), budget };
    for (i, r) in o.rows.iter().enumerate() {
        match r.parent {
            Some(p) => tree.children[p as usize].push(i as u32),
            None => tree.roots.push(i as u32),
        }
    }
    let roots = std::mem::take(&mut tree.roots);
    tree.siblings(&roots, 0, "the trace");
    tree.out
}

struct Tree<'a> {
    o: &'a Outline,
    children: Vec<Vec<u32>>,
    roots: Vec<u32>,
    out: Vec<OutlineLine>,
    budget: Budget,
}

/// Siblings of one step and kind, in order of first appearance.
struct Group {
    step: String,
    kind: StepKind,
    members: Vec<u32>,
}

impl Tree<'_> {
    fn row(&self, i: u32) -> &Row {
        &self.o.rows[i as usize]
    }

    /// Spans in the subtree of row `i` (itself included) and how many failed.
    fn subtree(&self, i: u32) -> (u32, u32) {
        let r = self.row(i);
        let range = i as usize..=i as usize + r.descendants as usize;
        (r.descendants + 1, self.o.rows[range].iter().filter(|r| r.error).count() as u32)
    }

    fn subtrees(&self, rows: impl Iterator<Item = u32>) -> (u32, u32) {
        rows.map(|i| self.subtree(i)).fold((0, 0), |(s, e), (s2, e2)| (s + s2, e + e2))
    }

    fn more(&mut self, depth: u32, rows: impl Iterator<Item = u32>, under: &str) {
        let (spans, errors) = self.subtrees(rows);
        if spans > 0 {
            self.out.push(OutlineLine::More { depth, spans, errors, under: under.to_string() });
        }
    }

    fn siblings(&mut self, rows: &[u32], depth: u32, under: &str) {
        let mut groups = self.group(rows);
        if groups.len() > self.budget.groups_per_parent {
            // Keep the groups most worth reading (time, failures), in their order.
            let weight = |t: &Tree, g: &Group| -> i64 {
                let time: i64 = g.members.iter().map(|&m| t.row(m).duration_ns).sum();
                let errors = t.subtrees(g.members.iter().copied()).1 as i64;
                time.saturating_add(errors.saturating_mul(i64::MAX / 1_000_000))
            };
            let mut ranked: Vec<(i64, usize)> = groups.iter().enumerate().map(|(i, g)| (weight(self, g), i)).collect();
            ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut keep: Vec<usize> = ranked.iter().take(self.budget.groups_per_parent).map(|&(_, i)| i).collect();
            keep.sort_unstable();
            let dropped: Vec<u32> = groups
                .iter()
                .enumerate()
                .filter(|(i, _)| keep.binary_search(i).is_err())
                .flat_map(|(_, g)| g.members.iter().copied())
                .collect();
            groups = groups.into_iter().enumerate().filter(|(i, _)| keep.binary_search(i).is_ok()).map(|(_, g)| g).collect();
            self.emit(groups, depth, under);
            self.more(depth, dropped.into_iter(), under);
        } else {
            self.emit(groups, depth, under);
        }
    }

    fn emit(&mut self, groups: Vec<Group>, depth: u32, under: &str) {
        let mut rest = groups.into_iter();
        while let Some(g) = rest.next() {
            if self.out.len() >= self.budget.lines {
                let left: Vec<u32> = g.members.into_iter().chain(rest.flat_map(|g| g.members)).collect();
                self.more(depth, left.into_iter(), under);
                return;
            }
            if g.members.len() >= FOLD_AT {
                let line = self.fold(&g, depth);
                self.out.push(line);
                continue;
            }
            for (n, &m) in g.members.iter().enumerate() {
                if self.out.len() >= self.budget.lines {
                    self.more(depth, g.members[n..].iter().copied(), under);
                    break;
                }
                self.span(m, depth);
            }
        }
    }

    fn span(&mut self, i: u32, depth: u32) {
        let r = &self.o.rows[i as usize];
        self.out.push(OutlineLine::Span {
            depth,
            span_id: r.span_id.clone(),
            name: r.name.clone(),
            kind: r.kind,
            duration_ns: r.duration_ns,
            error: r.error,
            message: r.message.clone(),
            descendants: r.descendants,
        });
        let name = r.name.clone();
        let children = std::mem::take(&mut self.children[i as usize]);
        if depth + 1 >= self.budget.depth {
            self.more(depth + 1, children.iter().copied(), &name);
        } else {
            self.siblings(&children, depth + 1, &name);
        }
        self.children[i as usize] = children;
    }

    fn group(&self, rows: &[u32]) -> Vec<Group> {
        let mut at: HashMap<(StepKind, String), usize> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        for &i in rows {
            let r = self.row(i);
            let key = (r.kind, step_name(&r.name));
            match at.get(&key) {
                Some(&g) => groups[g].members.push(i),
                None => {
                    at.insert(key.clone(), groups.len());
                    groups.push(Group { step: key.1, kind: key.0, members: vec![i] });
                }
            }
        }
        groups
    }

    fn fold(&self, g: &Group, depth: u32) -> OutlineLine {
        let durations = sorted(g.members.iter().map(|&m| self.row(m).duration_ns));
        let slowest = g.members.iter().copied().max_by_key(|&m| (self.row(m).duration_ns, std::cmp::Reverse(m))).unwrap_or(g.members[0]);
        let first_error = g.members.iter().find_map(|&m| {
            let r = self.row(m);
            (m as usize..=m as usize + r.descendants as usize).find(|&j| self.o.rows[j].error).map(|j| self.o.rows[j].span_id.clone())
        });
        let (spans, errors) = self.subtrees(g.members.iter().copied());
        OutlineLine::Group {
            depth,
            step: g.step.clone(),
            kind: g.kind,
            count: g.members.len() as u32,
            p50_ns: quantile(&durations, 0.5),
            max_ns: durations.last().copied().unwrap_or(0),
            errors,
            shape: self.shape(&g.members),
            spans,
            slowest_span_id: self.row(slowest).span_id.clone(),
            first_error_span_id: first_error,
        }
    }

    /// The members' children, position by position, for the members with the most
    /// common number of children; alternatives at a position read as their common
    /// first words and `*` (`chat gpt-4o-mini`, `chat claude-3-5-haiku` → `chat *`).
    fn shape(&self, members: &[u32]) -> Vec<ShapeStep> {
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for &m in members {
            *counts.entry(self.children[m as usize].len()).or_default() += 1;
        }
        let Some((&n, _)) = counts.iter().max_by_key(|&(n, c)| (*c, std::cmp::Reverse(*n))) else { return Vec::new() };
        if n == 0 || n > 8 {
            return Vec::new();
        }
        let alike: Vec<&Vec<u32>> = members.iter().map(|&m| &self.children[m as usize]).filter(|c| c.len() == n).collect();
        (0..n)
            .map(|p| {
                let mut names: Vec<String> = alike.iter().map(|c| step_name(&self.row(c[p]).name)).collect();
                names.sort_unstable();
                names.dedup();
                let durations = sorted(alike.iter().map(|c| self.row(c[p]).duration_ns));
                ShapeStep { step: common_words(&names), p50_ns: quantile(&durations, 0.5), max_ns: durations.last().copied().unwrap_or(0) }
            })
            .collect()
    }
}

fn sorted(values: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut v: Vec<i64> = values.collect();
    v.sort_unstable();
    v
}

/// Nearest-rank quantile of sorted values.
fn quantile(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// One name, or the words several names start with followed by `*`.
fn common_words(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => {
            let words: Vec<&str> = first.split(' ').collect();
            let common =
                rest.iter().fold(words.len(), |n, name| words.iter().zip(name.split(' ')).take(n).take_while(|(a, b)| *a == b).count());
            if common == 0 { format!("{first} | …") } else { format!("{} *", words[..common].join(" ")) }
        }
    }
}

#[cfg(test)]
pub(super) fn common_words_for_tests(names: &[&str]) -> String {
    common_words(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
}
