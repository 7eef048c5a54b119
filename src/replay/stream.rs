//! One file sorted by time per agent, replayed as it is read: no sort, no rows kept.
//!
//! The reader checks the order as it goes ([`Streamer::push`]): each row of an agent
//! (a presence record, a work item, an event) must not start before the agent's
//! previous row, and none of its times may be before its own start. The rows go, in
//! batches, to one thread per core, each owning the agents whose number falls to it;
//! a thread holds an agent's rows stamped at or after the start of its latest row (a
//! presence record's end, a work item's close: a few per agent) and replays the rest,
//! so the order is exactly the sorter's. The first row out of order stops the stream:
//! the file is then read again through the external merge ([`super::record::Sorter`]).
//!
//! Memory: per agent its replay state and the rows held (bounded by agents, not by
//! events), plus up to six batches per thread in flight (48 KiB each: small, as a
//! long file fills every one of them and a short one few).

use super::agent::AgentReplay;
use super::read::{Agent, KnownStatus, Progress};
use super::record::{Names, Rec};
use super::report::{AgentResult, Totals};
use super::shared::{own_engines, Listed, Shared};
use crate::engine::Engine;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Rows handed to a thread at once (48 KiB).
const BATCH: usize = 1_024;
/// Batches waiting for each thread.
const QUEUED: usize = 4;

/// What a thread is sent: names and agents first seen since the last batch, then rows
/// (with whether each starts a row of the file).
struct Batch {
    names: Vec<Box<str>>,
    agents: Vec<(u32, Agent)>,
    rows: Vec<(Rec, bool)>,
}

/// What the rules and statuses are: read by every thread, changed by none.
pub(crate) struct Fixed {
    pub(crate) statuses: Vec<KnownStatus>,
    pub(crate) engines: [Engine; 2],
    pub(crate) window_ms: u64,
    pub(crate) with_reason: bool,
    pub(crate) progress: Arc<Progress>,
    /// Set when the file turns out not to be in order: the threads stop.
    pub(crate) stop: AtomicBool,
    pub(crate) listed: Arc<Listed>,
}

impl Fixed {
    fn shared<'a>(&'a self, names: &'a Names, engines: &'a [Engine; 2]) -> Shared<'a> {
        Shared {
            names,
            statuses: &self.statuses,
            engines,
            window_ms: self.window_ms,
            with_reason: self.with_reason,
            listed: &self.listed,
        }
    }
}

struct Shard {
    tx: SyncSender<Batch>,
    /// Batches the thread is done with, to fill again (the memory stays the reader's).
    spare: Receiver<Vec<(Rec, bool)>>,
    rows: Vec<(Rec, bool)>,
    names_sent: usize,
    agents_seen: usize,
}

/// The reading side: checks the order and hands rows to the threads.
pub(crate) struct Streamer {
    shards: Vec<Shard>,
    threads: Vec<JoinHandle<Vec<AgentResult>>>,
    fixed: Arc<Fixed>,
    /// Per agent, the start of its latest row (0: none yet).
    marks: Vec<u64>,
    /// Set by the first row out of order: nothing more is replayed.
    pub(crate) unsorted: bool,
}

impl Streamer {
    pub(crate) fn start(threads: usize, fixed: Fixed) -> Streamer {
        let fixed = Arc::new(fixed);
        let mut shards = Vec::new();
        let mut handles = Vec::new();
        let threads = threads.max(1);
        for _ in 0..threads {
            // Four batches waiting at most (192 KiB a thread): enough slack that a
            // thread does not idle while the reader is off the CPU, and the reader waits
            // for the replay, memory does not grow.
            let (tx, rx) = sync_channel(QUEUED);
            let (back, spare) = sync_channel(QUEUED + 2);
            shards.push(Shard {
                tx,
                spare,
                rows: Vec::with_capacity(BATCH),
                names_sent: 1, // "none", which every copy has
                agents_seen: 0,
            });
            let fixed = Arc::clone(&fixed);
            handles.push(std::thread::spawn(move || {
                replay_shard(rx, &back, threads, &fixed)
            }));
        }
        Streamer {
            shards,
            threads: handles,
            fixed,
            marks: Vec::new(),
            unsorted: false,
        }
    }

    /// Takes one row; `first` when it starts a row of the file.
    pub(crate) fn push(&mut self, rec: Rec, first: bool, names: &Names, agents: &[Agent]) {
        if self.unsorted {
            return;
        }
        let i = rec.agent as usize;
        if i >= self.marks.len() {
            self.marks.resize(i + 1, 0);
        }
        if rec.at < self.marks[i] {
            self.unsorted = true;
            self.fixed.stop.store(true, Ordering::Relaxed);
            return;
        }
        if first {
            self.marks[i] = rec.at;
        }
        let n = self.shards.len();
        let shard = &mut self.shards[i % n];
        shard.rows.push((rec, first));
        if shard.rows.len() >= BATCH {
            flush(shard, i % n, n, names, agents);
        }
    }

    /// Every row read: the tallies of every agent, or `None` when the file was not in
    /// order (the threads stop at once; what they replayed is dropped).
    pub(crate) fn finish(mut self, names: &Names, agents: &[Agent]) -> Option<Totals> {
        let n = self.shards.len();
        let unsorted = self.unsorted;
        for (s, mut shard) in self.shards.drain(..).enumerate() {
            if !unsorted {
                flush(&mut shard, s, n, names, agents);
            }
            // Dropping the sender ends the thread's loop.
        }
        let mut totals = Totals::default();
        for handle in self.threads.drain(..) {
            handle.join().ok()?.into_iter().for_each(|r| totals.add(r));
        }
        (!unsorted).then_some(totals)
    }
}

fn flush(shard: &mut Shard, s: usize, n: usize, names: &Names, agents: &[Agent]) {
    let new_names = names.since(shard.names_sent).to_vec();
    shard.names_sent += new_names.len();
    let new_agents = (shard.agents_seen..agents.len())
        .filter(|i| i % n == s)
        .map(|i| (i as u32, agents[i].clone()))
        .collect();
    shard.agents_seen = agents.len();
    let fresh = shard
        .spare
        .try_recv()
        .unwrap_or_else(|_| Vec::with_capacity(BATCH));
    let rows = std::mem::replace(&mut shard.rows, fresh);
    let _ = shard.tx.send(Batch {
        names: new_names,
        agents: new_agents,
        rows,
    });
}

/// A row held until no row of its agent can come before it, in the sorter's order.
struct Held(Rec);

impl PartialEq for Held {
    fn eq(&self, other: &Held) -> bool {
        self.0.key() == other.0.key()
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Held) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Held {
    fn cmp(&self, other: &Held) -> std::cmp::Ordering {
        self.0.key().cmp(&other.0.key())
    }
}

struct Replaying {
    held: BinaryHeap<Reverse<Held>>,
    replay: AgentReplay,
}

/// One thread: the agents `agent % threads == its number`, replayed row by row.
fn replay_shard(
    rx: Receiver<Batch>,
    back: &SyncSender<Vec<(Rec, bool)>>,
    threads: usize,
    fixed: &Fixed,
) -> Vec<AgentResult> {
    let mut names = Names::new();
    let engines = own_engines(&fixed.engines);
    // By agent number / threads: the agent, and its replay once a row of it came.
    // Boxed: an agent's replay (its engines, loops and tallies) is a few kilobytes, and
    // the list grows as agents are seen; moving every replay at each growth was a
    // tenth of a UserServicePresence run.
    let mut agents: Vec<Option<(Agent, Option<Box<Replaying>>)>> = Vec::new();
    let mut results = Vec::new();
    for batch in rx {
        if fixed.stop.load(Ordering::Relaxed) {
            return results;
        }
        for name in &batch.names {
            names.id(name);
        }
        let shared = fixed.shared(&names, &engines);
        for (i, agent) in batch.agents {
            let slot = i as usize / threads;
            if slot >= agents.len() {
                agents.resize_with(slot + 1, || None);
            }
            agents[slot] = Some((agent, None));
        }
        // Each agent's rows of the batch one after the other (in their order): its
        // state stays in the cache instead of every row reaching for another agent's.
        // (By agent and input order: no buffer, unlike a stable sort.)
        let mut rows = batch.rows;
        rows.sort_unstable_by_key(|(rec, _)| (rec.agent, rec.seq));
        for (rec, first) in rows.drain(..) {
            let Some(Some((agent, replaying))) = agents.get_mut(rec.agent as usize / threads)
            else {
                continue;
            };
            let a = replaying.get_or_insert_with(|| {
                Box::new(Replaying {
                    held: BinaryHeap::new(),
                    replay: AgentReplay::new(agent, &shared),
                })
            });
            if first {
                while a.held.peek().is_some_and(|Reverse(h)| h.0.at < rec.at) {
                    if let Some(Reverse(Held(r))) = a.held.pop() {
                        a.replay.push(&r, &shared);
                    }
                }
            }
            a.held.push(Reverse(Held(rec)));
        }
        let _ = back.try_send(rows);
    }
    if fixed.stop.load(Ordering::Relaxed) {
        return results;
    }
    let shared = fixed.shared(&names, &engines);
    for (_, replaying) in agents.into_iter().flatten() {
        let Some(replaying) = replaying else {
            continue;
        };
        let Replaying {
            mut held,
            mut replay,
        } = *replaying;
        while let Some(Reverse(Held(r))) = held.pop() {
            replay.push(&r, &shared);
        }
        results.push(replay.finish());
        fixed.progress.agents_done.fetch_add(1, Ordering::Relaxed);
    }
    results
}
