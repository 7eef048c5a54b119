//! What the readers keep of a row: a fixed-size [`Rec`] (40 bytes), its strings
//! replaced by numbers ([`Names`]), so that rows can be sorted by agent and time in a
//! bounded buffer and spilled to disk ([`Sorter`]) whatever the size of the history.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

/// What a row says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Kind {
    /// A UserServicePresence record ends (`StatusEndDate`).
    OmniEnd = 0,
    /// A UserServicePresence record starts: status `a`.
    OmniStart = 1,
    /// Trace: login with status `a`.
    Login = 2,
    /// Trace: status `a`, reason name `b` (0: none).
    Status = 3,
    Logout = 4,
    /// The phone is in state name `a` (repeats are dropped per agent later).
    Phone = 5,
    /// Work `x` (a hash of its Id), channel name `a` (0: none), weight `b` (f32 bits;
    /// NaN when the source gives none: no workload is derived).
    WorkAssigned = 6,
    WorkAccepted = 7,
    WorkDeclined = 8,
    WorkClosed = 9,
    /// Trace: workload; capacity `a` and previous `b` as f32 bits, new `x` as f64 bits.
    Workload = 10,
    /// UserServicePresence `ConfiguredCapacity` `a` (f32 bits).
    Capacity = 11,
}

impl Kind {
    fn from_u8(n: u8) -> Kind {
        match n {
            0 => Kind::OmniEnd,
            1 => Kind::OmniStart,
            2 => Kind::Login,
            3 => Kind::Status,
            4 => Kind::Logout,
            5 => Kind::Phone,
            6 => Kind::WorkAssigned,
            7 => Kind::WorkAccepted,
            8 => Kind::WorkDeclined,
            9 => Kind::WorkClosed,
            10 => Kind::Workload,
            _ => Kind::Capacity,
        }
    }
}

/// One row, as sorted and spilled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rec {
    pub(crate) agent: u32,
    pub(crate) at: u64,
    /// Input order: rows of one agent at the same time keep it.
    pub(crate) seq: u64,
    pub(crate) kind: Kind,
    pub(crate) a: u32,
    pub(crate) b: u32,
    pub(crate) x: u64,
}

const REC_BYTES: usize = 40;

impl Rec {
    /// Agent, then time; at one time a presence record's end before the next one's
    /// start (so a change of status is not read as a logout and a login), then input
    /// order.
    pub(crate) fn key(&self) -> Key {
        (self.agent, self.at, self.kind != Kind::OmniEnd, self.seq)
    }

    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let mut b = [0u8; REC_BYTES];
        b[0..4].copy_from_slice(&self.agent.to_le_bytes());
        b[4] = self.kind as u8;
        b[8..16].copy_from_slice(&self.at.to_le_bytes());
        b[16..24].copy_from_slice(&self.seq.to_le_bytes());
        b[24..28].copy_from_slice(&self.a.to_le_bytes());
        b[28..32].copy_from_slice(&self.b.to_le_bytes());
        b[32..40].copy_from_slice(&self.x.to_le_bytes());
        out.write_all(&b)
    }

    fn read(input: &mut impl Read) -> io::Result<Option<Rec>> {
        let mut b = [0u8; REC_BYTES];
        match input.read_exact(&mut b) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let u64_at = |i: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[i..i + 8]);
            u64::from_le_bytes(x)
        };
        Ok(Some(Rec {
            agent: u32_at(0),
            kind: Kind::from_u8(b[4]),
            at: u64_at(8),
            seq: u64_at(16),
            a: u32_at(24),
            b: u32_at(28),
            x: u64_at(32),
        }))
    }
}

/// Strings numbered once: status and state names, channels, reasons. 0 is "none".
#[derive(Debug, Default)]
pub(crate) struct Names {
    index: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Names {
    pub(crate) fn new() -> Names {
        let mut names = Names::default();
        names.names.push("".into());
        names
    }

    pub(crate) fn id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        i
    }

    /// The names numbered from `from` on (for a thread's copy).
    pub(crate) fn since(&self, from: usize) -> &[Box<str>] {
        self.names.get(from..).unwrap_or_default()
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |n| n)
    }
}

/// How many runs of one size are merged into one run of the next size: at most
/// `FAN - 1` runs of each size are ever waiting, so files open at once and memory stay
/// bounded however long the history (each row is written about log16(runs) times).
const FAN: usize = 16;

/// Sorts rows by agent and time in a buffer of `capacity` rows; a full buffer is
/// sorted and written to a run file, runs are merged sixteen at a time into larger
/// ones, and the rest are merged on reading. Memory is the buffer (40 bytes a row)
/// plus 64 KiB per run being merged.
pub(crate) struct Sorter {
    buffer: Vec<Rec>,
    capacity: usize,
    /// Run files and their level (a level-n run holds FAN^n buffers).
    runs: Vec<(PathBuf, u32)>,
    spills: usize,
    dir: Option<PathBuf>,
    pub(crate) rows: u64,
}

impl Sorter {
    pub(crate) fn new(capacity: usize) -> Sorter {
        Sorter {
            buffer: Vec::new(),
            capacity: capacity.max(1),
            runs: Vec::new(),
            spills: 0,
            dir: None,
            rows: 0,
        }
    }

    pub(crate) fn push(&mut self, rec: Rec) -> io::Result<()> {
        self.rows += 1;
        self.buffer.push(rec);
        if self.buffer.len() >= self.capacity {
            self.spill()?;
        }
        Ok(())
    }

    /// How many times the buffer was written to disk (0: the rows fitted in memory).
    pub(crate) fn spilled_runs(&self) -> usize {
        self.spills
    }

    fn run_path(&mut self) -> io::Result<PathBuf> {
        let dir = match &self.dir {
            Some(dir) => dir.clone(),
            None => {
                let dir = std::env::temp_dir().join(format!(
                    "omnisync-replay-{}-{:p}",
                    std::process::id(),
                    self
                ));
                std::fs::create_dir_all(&dir)?;
                self.dir = Some(dir.clone());
                dir
            }
        };
        self.spills += 1;
        Ok(dir.join(format!("run-{}", self.spills)))
    }

    /// Merges the last FAN runs while they are all of one level.
    fn cascade(&mut self) -> io::Result<()> {
        while self.runs.len() >= FAN {
            let level = self.runs[self.runs.len() - 1].1;
            let tail = &self.runs[self.runs.len() - FAN..];
            if tail.iter().any(|(_, l)| *l != level) {
                return Ok(());
            }
            let paths: Vec<PathBuf> = tail.iter().map(|(p, _)| p.clone()).collect();
            let path = self.run_path()?;
            let mut out = BufWriter::with_capacity(1 << 16, File::create(&path)?);
            for rec in Merge::open(&paths)? {
                rec?.write(&mut out)?;
            }
            out.flush()?;
            for p in &paths {
                std::fs::remove_file(p)?;
            }
            self.runs.truncate(self.runs.len() - FAN);
            self.runs.push((path, level + 1));
        }
        Ok(())
    }

    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort_unstable_by_key(Rec::key);
        let path = self.run_path()?;
        let mut out = BufWriter::with_capacity(1 << 16, File::create(&path)?);
        for rec in &self.buffer {
            rec.write(&mut out)?;
        }
        out.flush()?;
        self.buffer.clear();
        self.runs.push((path, 0));
        self.cascade()
    }

    /// Every row, sorted by agent and time.
    pub(crate) fn finish(mut self) -> io::Result<Sorted> {
        if self.runs.is_empty() {
            let mut buffer = std::mem::take(&mut self.buffer);
            buffer.sort_unstable_by_key(Rec::key);
            return Ok(Sorted::Memory(buffer.into_iter()));
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        self.buffer = Vec::new();
        let paths: Vec<PathBuf> = self.runs.iter().map(|(p, _)| p.clone()).collect();
        Ok(Sorted::Merge {
            merge: Merge::open(&paths)?,
            _dir: TempDir(self.dir.take()),
        })
    }
}

/// Runs merged into one order.
pub(crate) struct Merge {
    readers: Vec<RunReader>,
    heap: BinaryHeap<Reverse<(Key, usize)>>,
}

impl Merge {
    fn open(paths: &[PathBuf]) -> io::Result<Merge> {
        let mut readers = Vec::new();
        let mut heap = BinaryHeap::new();
        for (i, path) in paths.iter().enumerate() {
            let mut reader = BufReader::with_capacity(1 << 16, File::open(path)?);
            let head = Rec::read(&mut reader)?;
            if let Some(rec) = &head {
                heap.push(Reverse((rec.key(), i)));
            }
            readers.push((reader, head));
        }
        Ok(Merge { readers, heap })
    }
}

impl Iterator for Merge {
    type Item = io::Result<Rec>;

    fn next(&mut self) -> Option<io::Result<Rec>> {
        let Reverse((_, i)) = self.heap.pop()?;
        let (reader, head) = &mut self.readers[i];
        let rec = head.take()?;
        match Rec::read(reader) {
            Ok(Some(next)) => {
                self.heap.push(Reverse((next.key(), i)));
                *head = Some(next);
            }
            Ok(None) => {}
            Err(e) => return Some(Err(e)),
        }
        Some(Ok(rec))
    }
}

/// Removes the run files when the merge is done with them.
pub(crate) struct TempDir(Option<PathBuf>);

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Drop for Sorter {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

type RunReader = (BufReader<File>, Option<Rec>);
pub(crate) type Key = (u32, u64, bool, u64);

/// The sorted rows: from memory, or merged from the run files (removed after).
pub(crate) enum Sorted {
    Memory(std::vec::IntoIter<Rec>),
    Merge { merge: Merge, _dir: TempDir },
}

impl Iterator for Sorted {
    type Item = io::Result<Rec>;

    fn next(&mut self) -> Option<io::Result<Rec>> {
        match self {
            Sorted::Memory(rows) => rows.next().map(Ok),
            Sorted::Merge { merge, .. } => merge.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(agent: u32, at: u64, seq: u64) -> Rec {
        Rec {
            agent,
            at,
            seq,
            kind: Kind::Phone,
            a: 1,
            b: 2,
            x: 3,
        }
    }

    #[test]
    fn spilled_runs_merge_into_one_order() {
        let mut sorter = Sorter::new(1024);
        let mut x = 7u64;
        for seq in 0..10_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            sorter.push(rec((x % 5) as u32, x % 1000, seq)).unwrap();
        }
        assert!(sorter.spilled_runs() >= 9);
        // 9 buffers of 1,024 and a last one: fewer than FAN runs, no cascade yet.
        assert_eq!(sorter.runs.len(), 9);
        let all: Vec<Rec> = sorter.finish().unwrap().map(Result::unwrap).collect();
        assert_eq!(all.len(), 10_000);
        assert!(all.windows(2).all(|w| w[0].key() < w[1].key()));
        assert_eq!((all[0].a, all[0].b, all[0].x), (1, 2, 3));
    }

    #[test]
    fn runs_cascade_into_larger_ones_and_stay_few() {
        let mut sorter = Sorter::new(10);
        for seq in 0..5_000u64 {
            sorter
                .push(rec((seq % 7) as u32, (seq * 7919) % 1000, seq))
                .unwrap();
        }
        // 500 buffers: 1 run of 256, 15 of 16, 4 single ones.
        assert_eq!(sorter.runs.len(), 1 + 15 + 4);
        let all: Vec<Rec> = sorter.finish().unwrap().map(Result::unwrap).collect();
        assert_eq!(all.len(), 5_000);
        assert!(all.windows(2).all(|w| w[0].key() < w[1].key()));
    }

    #[test]
    fn a_presence_end_sorts_before_a_start_at_the_same_time() {
        let mut sorter = Sorter::new(1024);
        let mut start = rec(0, 10, 0);
        start.kind = Kind::OmniStart;
        let mut end = rec(0, 10, 1);
        end.kind = Kind::OmniEnd;
        sorter.push(start).unwrap();
        sorter.push(end).unwrap();
        let kinds: Vec<Kind> = sorter.finish().unwrap().map(|r| r.unwrap().kind).collect();
        assert_eq!(kinds, [Kind::OmniEnd, Kind::OmniStart]);
    }
}
