//! Recurring problems (举一反三): which problems of a round are alike across its units, and which
//! problem a later inspection finds again in a unit after the task rectifying it was closed
//! (整改不到位).
//!
//! How alike two problems are is the Jaccard similarity of the pairs of adjacent characters of
//! their titles and facts. Character pairs are the usual measure for Chinese text without a
//! dictionary: two write-ups of one finding share most of their pairs, whatever words a
//! tokeniser would cut. For a round's thousands of problems the similarity is estimated by
//! MinHash, and only problems that share a band of their signatures (locality-sensitive
//! hashing) are compared, so a round is grouped in one pass instead of pair by pair; a unit's
//! few dozen problems are compared exactly.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::id::Id;

/// How many hashes a signature has.
const HASHES: usize = 64;
/// The signature is cut into bands of [`ROWS`] hashes; problems sharing a whole band are
/// compared. With 32 bands of 2, two problems 40 % alike share a band with a probability of
/// 99.5 %, two problems 10 % alike with 27 %.
const ROWS: usize = 2;
/// How alike two problems of a round must be to be one cluster: the same finding in other
/// words, not merely the same heading.
pub const CLUSTER_MIN: f32 = 0.4;
/// How alike a later problem must be to an earlier, closed one to count as found again.
pub const RECUR_MIN: f32 = 0.4;
/// How many leads one LSH bucket keeps: a member unlike all of them is left to the other bands.
/// It bounds the comparisons of a bucket that many generated or boilerplate problems share.
const LEADS_PER_BUCKET: usize = 8;

/// The character pairs of a text: letters and digits only (CJK characters are letters), so
/// punctuation, spaces and line breaks neither join nor split a pair.
pub fn shingles(text: &str) -> HashSet<u64> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    chars
        .windows(2)
        .map(|w| (u64::from(u32::from(w[0])) << 32) | u64::from(u32::from(w[1])))
        .collect()
}

/// Leaves out of every set the pairs that more than a quarter of the sets have (and at least
/// three of them): the phrasing that every write-up of a round or a unit shares (经个别谈话……
/// 了解, 不够到位) says nothing of what was found, and would make unlike problems look alike.
pub fn drop_common(sets: &mut [HashSet<u64>]) {
    let mut df: HashMap<u64, usize> = HashMap::new();
    for set in sets.iter() {
        for s in set {
            *df.entry(*s).or_default() += 1;
        }
    }
    let n = sets.len();
    let common: HashSet<u64> = df
        .into_iter()
        .filter(|(_, k)| *k >= 3 && *k * 4 > n)
        .map(|(s, _)| s)
        .collect();
    if common.is_empty() {
        return;
    }
    for set in sets.iter_mut() {
        set.retain(|s| !common.contains(s));
    }
}

/// The exact Jaccard similarity of two sets of pairs: 0 when either is empty.
pub fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count();
    let union = a.len() + b.len() - common;
    common as f32 / union as f32
}

/// SplitMix64: a fixed, well-mixed hash of a number, the same on every machine and run.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A MinHash signature: for each of [`HASHES`] hash functions, the least hash of the pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature([u64; HASHES]);

impl Signature {
    pub fn of(shingles: &HashSet<u64>) -> Signature {
        let mut min = [u64::MAX; HASHES];
        for s in shingles {
            let base = mix(*s);
            for (i, m) in min.iter_mut().enumerate() {
                let h = mix(base ^ SEEDS[i]);
                if h < *m {
                    *m = h;
                }
            }
        }
        Signature(min)
    }

    /// The estimated Jaccard similarity: the share of hash functions whose least hash agrees.
    pub fn similarity(&self, other: &Signature) -> f32 {
        if self.0[0] == u64::MAX || other.0[0] == u64::MAX {
            return 0.0;
        }
        let same = self
            .0
            .iter()
            .zip(other.0.iter())
            .filter(|(a, b)| a == b)
            .count();
        same as f32 / HASHES as f32
    }

    fn band(&self, b: usize) -> (usize, [u64; ROWS]) {
        let mut key = [0; ROWS];
        key.copy_from_slice(&self.0[b * ROWS..(b + 1) * ROWS]);
        (b, key)
    }
}

/// The seeds of the hash functions, fixed so that signatures compare across runs.
const SEEDS: [u64; HASHES] = {
    let mut s = [0u64; HASHES];
    let mut i = 0;
    let mut x: u64 = 0x5851_F42D_4C95_7F2D;
    while i < HASHES {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        s[i] = x;
        i += 1;
    }
    s
};

/// A group of alike problems: indexes into the items clustered, the lead first, each with how
/// alike it is to the lead (the lead 1.0).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub members: Vec<(usize, f32)>,
}

/// Groups the items whose signatures are at least [`CLUSTER_MIN`] alike. Each group is led by
/// its first item in the order given; an item joins the group of the first lead it is alike
/// to in any band it shares, so every member is alike to its group's lead (groups are not
/// chains of pairs drifting from the subject). Only groups of two or more are returned, in the
/// order of their leads.
pub fn cluster(items: &[Signature]) -> Vec<Group> {
    // For each item: the index of its lead, and how alike it is to it.
    let mut lead_of: Vec<Option<(usize, f32)>> = vec![None; items.len()];
    let mut buckets: HashMap<(usize, [u64; ROWS]), Vec<usize>> = HashMap::new();
    for (i, sig) in items.iter().enumerate() {
        if sig.0[0] == u64::MAX {
            continue; // no text to compare
        }
        let found = (0..HASHES / ROWS).find_map(|b| {
            buckets.get(&sig.band(b))?.iter().find_map(|l| {
                let s = items[*l].similarity(sig);
                (s >= CLUSTER_MIN).then_some((*l, s))
            })
        });
        if found.is_none() {
            // A lead of its own: it joins the buckets later items are compared in.
            for b in 0..HASHES / ROWS {
                let leads = buckets.entry(sig.band(b)).or_default();
                if leads.len() < LEADS_PER_BUCKET {
                    leads.push(i);
                }
            }
        }
        lead_of[i] = Some(found.unwrap_or((i, 1.0)));
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of_lead: HashMap<usize, usize> = HashMap::new();
    for (i, l) in lead_of.iter().enumerate() {
        let Some((lead, sim)) = *l else { continue };
        let g = *group_of_lead.entry(lead).or_insert_with(|| {
            groups.push(Group {
                members: Vec::new(),
            });
            groups.len() - 1
        });
        groups[g].members.push((i, sim));
    }
    groups.retain(|g| g.members.len() > 1);
    groups
}

/// A unit's problem as the recurrence check reads it.
#[derive(Debug, Clone)]
pub struct UnitProblem {
    pub id: Id,
    pub inspection_id: Id,
    /// The day the problem's inspection went on site (or was planned to; for one moved in
    /// from its ledger, its feedback day).
    pub inspected_on: Option<jiff::civil::Date>,
    pub text: String,
    /// A task rectifying it that was closed (销号), and the day it was closed.
    pub closed: Option<(Id, jiff::civil::Date)>,
}

/// A problem found again: `problem` of a later inspection is like `earlier`, whose task was
/// closed before that inspection went on site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recurrence {
    pub problem: Id,
    pub inspection_id: Id,
    pub earlier: Id,
    pub earlier_task: Id,
    pub closed_on: jiff::civil::Date,
    pub similarity: f32,
}

/// The recurrences among one unit's problems: each later problem against every earlier one of
/// another inspection whose task was closed before the later inspection went on site, compared
/// exactly, without the phrasing common to the unit's write-ups ([`drop_common`]). A later
/// problem like several earlier ones is recorded against each.
pub fn recurrences(problems: &[UnitProblem]) -> Vec<Recurrence> {
    let mut sets: Vec<HashSet<u64>> = problems.iter().map(|p| shingles(&p.text)).collect();
    drop_common(&mut sets);
    let mut out = Vec::new();
    for (i, later) in problems.iter().enumerate() {
        let Some(on) = later.inspected_on else {
            continue;
        };
        for (j, earlier) in problems.iter().enumerate() {
            let Some((task, closed_on)) = earlier.closed else {
                continue;
            };
            if earlier.inspection_id == later.inspection_id || closed_on >= on {
                continue;
            }
            let similarity = jaccard(&sets[i], &sets[j]);
            if similarity >= RECUR_MIN {
                out.push(Recurrence {
                    problem: later.id,
                    inspection_id: later.inspection_id,
                    earlier: earlier.id,
                    earlier_task: task,
                    closed_on,
                    similarity,
                });
            }
        }
    }
    out
}

/// A similarity as the per cent shown beside it.
pub fn per_cent(similarity: f32) -> i16 {
    (similarity * 100.0).round().clamp(0.0, 100.0) as i16
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const A: &str =
        "执行干部选拔任用有关规定不够到位，干部人事档案日常管理不规范，部分档案材料不齐全";
    const A2: &str = "干部选拔任用有关规定执行不够到位，干部人事档案管理不规范，个别档案材料不齐全";
    const B: &str = "对直属单位资金项目监管不够严格，重大项目资金拨付和验收把关不严";

    #[test]
    fn pairs_skip_punctuation_and_the_same_words_are_one_set() {
        assert_eq!(shingles("干部，档案"), shingles("干部档案"));
        assert_eq!(shingles("干部档案").len(), 3);
        assert!(shingles("。").is_empty());
        assert_eq!(jaccard(&shingles(A), &shingles(A)), 1.0);
        assert_eq!(jaccard(&shingles(""), &shingles(A)), 0.0);
    }

    #[test]
    fn phrasing_most_write_ups_share_is_left_out_and_what_two_share_is_kept() {
        let boiler = "经个别谈话、受理来信来访和调阅有关文件资料了解";
        let texts = [
            format!("{boiler}，{A}"),
            format!("{boiler}，{A2}"),
            format!("{boiler}，{B}"),
            format!("{boiler}，领导机关党建工作不够深入"),
        ];
        let mut sets: Vec<HashSet<u64>> = texts.iter().map(|t| shingles(t)).collect();
        let before = jaccard(&sets[2], &sets[3]);
        drop_common(&mut sets);
        assert!(
            sets.iter()
                .all(|s| !s.contains(&shingles("个别").into_iter().next().unwrap()))
        );
        assert!(jaccard(&sets[2], &sets[3]) < before);
        assert!(
            jaccard(&sets[0], &sets[1]) > 0.4,
            "{}",
            jaccard(&sets[0], &sets[1])
        );
        // Two sets alone keep everything: nothing is common to three.
        let mut two = vec![shingles(A), shingles(A2)];
        drop_common(&mut two);
        assert_eq!(two[0], shingles(A));
    }

    #[test]
    fn the_estimate_follows_the_exact_similarity() {
        let (a, a2, b) = (shingles(A), shingles(A2), shingles(B));
        let exact = jaccard(&a, &a2);
        assert!(exact > 0.4, "{exact}");
        let est = Signature::of(&a).similarity(&Signature::of(&a2));
        assert!((est - exact).abs() < 0.2, "estimated {est}, exact {exact}");
        assert!(Signature::of(&a).similarity(&Signature::of(&b)) < 0.2);
        assert_eq!(Signature::of(&a), Signature::of(&shingles(A)));
        assert_eq!(
            Signature::of(&HashSet::new()).similarity(&Signature::of(&a)),
            0.0
        );
    }

    #[test]
    fn alike_problems_are_one_group_led_by_the_first_and_a_lone_one_is_none() {
        let items: Vec<Signature> = [B, A, "", A2, A]
            .iter()
            .map(|t| Signature::of(&shingles(t)))
            .collect();
        let groups = cluster(&items);
        assert_eq!(groups.len(), 1);
        let ids: Vec<usize> = groups[0].members.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, vec![1, 3, 4]);
        assert_eq!(groups[0].members[0].1, 1.0);
        assert_eq!(groups[0].members[2].1, 1.0);
        assert!(cluster(&[]).is_empty());
    }

    #[test]
    fn a_problem_found_again_after_its_task_was_closed_is_a_recurrence() {
        let (first, second) = (Id::new(), Id::new());
        let task = Id::new();
        let p = |insp: Id, on: Option<jiff::civil::Date>, text: &str, closed| UnitProblem {
            id: Id::new(),
            inspection_id: insp,
            inspected_on: on,
            text: text.into(),
            closed,
        };
        let earlier = p(
            first,
            Some(date(2016, 9, 1)),
            A,
            Some((task, date(2018, 3, 1))),
        );
        let again = p(second, Some(date(2019, 9, 18)), A2, None);
        let other = p(second, Some(date(2019, 9, 18)), B, None);
        let got = recurrences(&[earlier.clone(), again.clone(), other]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].problem, again.id);
        assert_eq!(got[0].earlier, earlier.id);
        assert_eq!(got[0].earlier_task, task);
        assert!(got[0].similarity >= RECUR_MIN);

        // Not while the task was still open when the later team went in, nor within one
        // inspection.
        let late = UnitProblem {
            closed: Some((task, date(2019, 10, 1))),
            ..earlier.clone()
        };
        assert!(recurrences(&[late, again.clone()]).is_empty());
        let same = UnitProblem {
            inspection_id: first,
            ..again
        };
        assert!(recurrences(&[earlier, same]).is_empty());
    }
}
