//! Reading the exports: each reader turns its rows into [`Rec`]s for the sorter,
//! resolving users and statuses through [`Reading`] and counting every row it cannot
//! use in [`Problems`] (by reason, with its file and line) instead of stopping.
//!
//! - `csv_rows`: the CSV layer the two Salesforce exports share.
//! - `usp`: UserServicePresence; `agent_work`: AgentWork.
//! - `connect`: Amazon Connect agent event stream records (Kinesis or Firehose).
//! - `trace`: the generic trace `omnisync simulate` reads (its line reader is the one
//!   `simulate` streams with).
//! - `users`: the user map between Salesforce users and telephony agents.

pub(crate) mod agent_work;
pub(crate) mod connect;
mod csv_rows;
pub mod trace;
pub mod trace_time;
pub(crate) mod users;
pub(crate) mod usp;

#[cfg(test)]
mod tests;

use super::record::{Kind, Names, Rec, Sorter};
use super::stream::Streamer;
use crate::engine::AgentContext;
use crate::rules::{Catalog, CompiledRules};

use super::fast_map::FastMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub(crate) use super::read::{Agent, KnownStatus};
pub use super::read::{InputKind, Problem, Problems, Progress, Source};

/// Everything the readers share while reading.
pub(crate) struct Reading {
    pub(crate) names: Names,
    pub(crate) statuses: Vec<KnownStatus>,
    by_status_id: FastMap<String, u32>,
    by_status_name: FastMap<String, u32>,
    pub(crate) agents: Vec<Agent>,
    by_user: FastMap<String, u32>,
    by_telephony: FastMap<String, u32>,
    /// Whether a user map was given: then a row of anyone else is an unknown user.
    mapped: bool,
    pub(crate) sorter: Sorter,
    /// Set when the rows are replayed as read instead of sorted (one file in order).
    pub(crate) stream: Option<Streamer>,
    pub(crate) problems: Problems,
    seq: u64,
    /// Rows kept so far.
    pub(crate) rows: u64,
    /// Whether the reader marks where its rows start ([`Reading::begin_row`]); if not,
    /// every row it keeps is a row of the file.
    pub(crate) grouped: bool,
    row_first: bool,
}

/// The 15-character form of a Salesforce Id (the key users and statuses are found by).
fn id15(id: &str) -> Option<&str> {
    let id = id.trim();
    (matches!(id.len(), 15 | 18) && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| &id[..15])
}

impl Reading {
    /// Statuses come from the org's catalog and from the rules files (which carry Ids
    /// once compiled); the catalog wins.
    pub(crate) fn new(
        catalog: Option<&Catalog>,
        rules: &[&CompiledRules],
        sort_rows: usize,
    ) -> Reading {
        let mut reading = Reading {
            names: Names::new(),
            statuses: Vec::new(),
            by_status_id: FastMap::default(),
            by_status_name: FastMap::default(),
            agents: Vec::new(),
            by_user: FastMap::default(),
            by_telephony: FastMap::default(),
            mapped: false,
            sorter: Sorter::new(sort_rows),
            stream: None,
            problems: Problems::default(),
            seq: 0,
            rows: 0,
            grouped: false,
            row_first: false,
        };
        let from_catalog = catalog.into_iter().flat_map(|c| {
            c.statuses
                .iter()
                .map(|s| (s.id.as_str(), s.developer_name.as_str()))
        });
        let from_rules = rules.iter().flat_map(|r| {
            r.statuses
                .iter()
                .map(|s| (s.id.as_str(), s.developer_name.as_str()))
        });
        for (id, name) in from_catalog.chain(from_rules) {
            reading.know_status(id, name);
        }
        reading
    }

    fn know_status(&mut self, id: &str, name: &str) {
        if self.by_status_name.contains_key(name) {
            return;
        }
        let index = self.statuses.len() as u32;
        self.statuses.push(KnownStatus {
            id: id.to_string(),
            name: name.to_string(),
        });
        self.by_status_name.insert(name.to_string(), index);
        if let Some(key) = id15(id) {
            self.by_status_id.entry(key.to_string()).or_insert(index);
        }
    }

    /// A status by its Id (15 or 18 characters) or its DeveloperName.
    pub(crate) fn status(&self, id_or_name: &str) -> Option<u32> {
        id15(id_or_name)
            .and_then(|k| self.by_status_id.get(k))
            .or_else(|| self.by_status_name.get(id_or_name.trim()))
            .copied()
    }

    /// Adds an agent from the user map.
    pub(crate) fn map_user(&mut self, user_id: &str, telephony: &[&str], context: AgentContext) {
        self.mapped = true;
        let Some(key) = id15(user_id) else { return };
        let index = *self.by_user.entry(key.to_string()).or_insert_with(|| {
            self.agents.push(Agent {
                name: crate::rules::salesforce_id::to_18(user_id).unwrap_or_default(),
                context: AgentContext::default(),
            });
            self.agents.len() as u32 - 1
        });
        let agent = &mut self.agents[index as usize];
        agent.context = AgentContext {
            user_id: Some(agent.name.clone()),
            ..context
        };
        for t in telephony.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            self.by_telephony.insert(t.to_string(), index);
        }
    }

    /// The agent of a Salesforce UserId: with a user map, only the users it names.
    pub(crate) fn user(&mut self, user_id: &str) -> Option<u32> {
        let key = id15(user_id)?;
        if let Some(&i) = self.by_user.get(key) {
            return Some(i);
        }
        if self.mapped {
            return None;
        }
        let name = crate::rules::salesforce_id::to_18(user_id)?;
        self.agents.push(Agent {
            context: AgentContext {
                user_id: Some(name.clone()),
                ..AgentContext::default()
            },
            name,
        });
        let i = self.agents.len() as u32 - 1;
        self.by_user.insert(key.to_string(), i);
        Some(i)
    }

    /// The agent of a telephony record: its ARN, the agent Id at the end of it, or
    /// its username, as the user map gives them. With no user map each agent Id is
    /// an agent of its own.
    pub(crate) fn telephony_agent(&mut self, arn: &str, username: Option<&str>) -> Option<u32> {
        let agent_id = arn.rsplit('/').next().unwrap_or(arn);
        for key in [Some(arn), Some(agent_id), username].into_iter().flatten() {
            if let Some(&i) = self.by_telephony.get(key) {
                return Some(i);
            }
        }
        if self.mapped || agent_id.is_empty() {
            return None;
        }
        self.agents.push(Agent {
            name: agent_id.to_string(),
            context: AgentContext::default(),
        });
        let i = self.agents.len() as u32 - 1;
        self.by_telephony.insert(agent_id.to_string(), i);
        Some(i)
    }

    /// The agent a trace line names (`agent`), by UserId or telephony key; a trace
    /// without names is one agent.
    pub(crate) fn trace_agent(&mut self, name: Option<&str>) -> Option<u32> {
        let name = name.unwrap_or("trace");
        if let Some(i) = id15(name).and_then(|k| self.by_user.get(k)) {
            return Some(*i);
        }
        if let Some(&i) = self.by_telephony.get(name) {
            return Some(i);
        }
        if id15(name).is_some() {
            return self.user(name);
        }
        if self.mapped {
            return None;
        }
        self.agents.push(Agent {
            name: name.to_string(),
            context: AgentContext::default(),
        });
        let i = self.agents.len() as u32 - 1;
        self.by_telephony.insert(name.to_string(), i);
        Some(i)
    }

    /// [`Reading::push`] for a reader: (agent, at, kind, a, b, x); a disk error as a
    /// problem's reason and detail.
    pub(crate) fn push_row(
        &mut self,
        (agent, at, kind, a, b, x): (u32, u64, Kind, u32, u32, u64),
    ) -> Result<(), (&'static str, String)> {
        self.push(agent, at, kind, a, b, x)
            .map_err(|e| ("unreadable file", e.to_string()))
    }

    /// A row of the file starts: the next row kept is its first (its start, which the
    /// order of a sorted file is by; the rest of its times are not before it).
    pub(crate) fn begin_row(&mut self) {
        self.row_first = true;
    }

    /// Whether reading can stop: the file turned out not in order for streaming.
    pub(crate) fn abandoned(&self) -> bool {
        self.stream.as_ref().is_some_and(|s| s.unsorted)
    }

    /// Keeps one row for the sorter, or hands it to the stream.
    pub(crate) fn push(
        &mut self,
        agent: u32,
        at: u64,
        kind: Kind,
        a: u32,
        b: u32,
        x: u64,
    ) -> io::Result<()> {
        self.seq += 1;
        self.rows += 1;
        let rec = Rec {
            agent,
            at,
            seq: self.seq,
            kind,
            a,
            b,
            x,
        };
        match &mut self.stream {
            Some(stream) => {
                let first = !self.grouped || std::mem::take(&mut self.row_first);
                stream.push(rec, first, &self.names, &self.agents);
                Ok(())
            }
            None => self.sorter.push(rec),
        }
    }
}

/// Counts bytes through a reader into a shared counter.
struct Counting<R> {
    inner: R,
    counter: Arc<Progress>,
    stored: bool,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let counter = if self.stored {
            &self.counter.stored
        } else {
            &self.counter.text
        };
        counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens an export as its text: gzip (by its magic bytes) is inflated as read,
/// members one after the other as concatenated uploads have them, on a thread of its
/// own so that inflating and parsing overlap. A file and bytes in memory are read
/// alike.
pub(crate) fn open(
    source: &Source,
    progress: &Arc<Progress>,
) -> io::Result<(Box<dyn BufRead + Send>, bool)> {
    match source {
        Source::File(path) => open_reader(File::open(path)?, progress),
        Source::Bytes { bytes, .. } => open_reader(io::Cursor::new(Arc::clone(bytes)), progress),
    }
}

fn open_reader(
    stored: impl Read + Send + 'static,
    progress: &Arc<Progress>,
) -> io::Result<(Box<dyn BufRead + Send>, bool)> {
    let mut stored = BufReader::with_capacity(
        1 << 16,
        Counting {
            inner: stored,
            counter: Arc::clone(progress),
            stored: true,
        },
    );
    let gzip = stored.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let text: Box<dyn Read + Send> = if gzip {
        Box::new(Inflated::spawn(flate2::bufread::MultiGzDecoder::new(
            stored,
        )))
    } else {
        Box::new(stored)
    };
    let counted = Counting {
        inner: text,
        counter: Arc::clone(progress),
        stored: false,
    };
    Ok((Box::new(BufReader::with_capacity(1 << 18, counted)), gzip))
}

/// Bytes of text inflated at once, and how many such chunks exist: one being filled,
/// the rest waiting for the reader or in its hands. They go back and forth, so the
/// memory is theirs whatever the length of the file (and as much for a day as for a
/// month: a queue that only fills when the file is long would make memory grow with it).
const CHUNK: usize = 1 << 17;
const CHUNKS: usize = 4;

/// Text inflated on another thread, handed over in chunks of [`CHUNK`] bytes that the
/// reader hands back once read; a read error arrives in a chunk's place.
struct Inflated {
    chunks: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    back: std::sync::mpsc::SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Inflated {
    fn spawn(mut inner: impl Read + Send + 'static) -> Inflated {
        let (tx, rx) = std::sync::mpsc::sync_channel(CHUNKS - 2);
        let (back, spare) = std::sync::mpsc::sync_channel::<Vec<u8>>(CHUNKS);
        for _ in 1..CHUNKS {
            let _ = back.send(Vec::new());
        }
        std::thread::spawn(move || loop {
            // A chunk the reader is done with (the first few start empty).
            let Ok(mut chunk) = spare.recv() else { return };
            chunk.resize(CHUNK, 0);
            let mut filled = 0;
            let result = loop {
                match inner.read(&mut chunk[filled..]) {
                    Ok(0) => break Ok(()),
                    Ok(n) => {
                        filled += n;
                        if filled == chunk.len() {
                            break Ok(());
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            chunk.truncate(filled);
            let end = filled == 0 || result.is_err();
            if filled > 0 && tx.send(Ok(chunk)).is_err() {
                return;
            }
            if let Err(e) = result {
                let _ = tx.send(Err(e));
            }
            if end {
                return;
            }
        });
        Inflated {
            chunks: rx,
            back,
            chunk: Vec::new(),
            at: 0,
        }
    }
}

impl Read for Inflated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.chunk.len() {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    let done = std::mem::replace(&mut self.chunk, chunk);
                    // Back to the inflating thread (gone once the file ends).
                    let _ = self.back.try_send(done);
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The reason to give a read error part-way: a gzip file cut short, or the disk.
pub(crate) fn read_error(gzip: bool, e: &io::Error) -> &'static str {
    if gzip {
        "truncated gzip"
    } else {
        let _ = e;
        "unreadable file"
    }
}

/// A 64-bit FNV-1a hash: work Ids become numbers (a collision would merge two works
/// of one agent; at 2^-64 a pair, never in practice).
pub(crate) fn hash(text: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
