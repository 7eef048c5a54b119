//! The text the readers get from a file, whatever its size and form.

use super::*;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;

/// A file of many inflated chunks in two gzip members (as appended uploads are) reads
/// back whole and in order: the chunks go back to the inflating thread and are
/// filled again, never handed to the reader twice nor lost.
#[test]
fn a_gzip_file_of_many_chunks_reads_back_whole_and_in_order() {
    let text: String = (0..60_000).map(|i| format!("line {i:08}\n")).collect();
    assert!(text.len() > 4 * CHUNK);
    let (a, b) = text.split_at(text.len() / 3);
    let mut bytes = Vec::new();
    for part in [a, b] {
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(part.as_bytes()).expect("in memory");
        bytes.extend(gz.finish().expect("in memory"));
    }
    let path = std::env::temp_dir().join(format!("omnisync-chunks-{}.gz", std::process::id()));
    std::fs::write(&path, &bytes).expect("a scratch file");
    let progress = Arc::default();
    let (mut input, gzip) = open(&Source::File(path.clone()), &progress).expect("the file opens");
    let mut back = String::new();
    input.read_to_string(&mut back).expect("the text reads");
    let _ = std::fs::remove_file(&path);
    assert!(gzip);
    assert!(back == text, "{} bytes back of {}", back.len(), text.len());
    assert_eq!(progress.text.load(Ordering::Relaxed), text.len() as u64);
}
