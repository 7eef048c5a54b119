//! The CSV layer of the Salesforce exports: a header row of API field names (as
//! `sf data export bulk` and `sf data query --result-format csv` write them), then one
//! record per row. Columns are found by name, so their order and any extra ones do not
//! matter.

use super::{read_error, Reading};
use csv::{ByteRecord, ReaderBuilder};
use std::io::BufRead;

/// One row's fields by column.
pub(crate) struct Row<'a> {
    record: &'a ByteRecord,
}

impl Row<'_> {
    /// The field of column `i`, trimmed; `None` when absent or empty.
    pub(crate) fn get(&self, i: Option<usize>) -> Option<&str> {
        let field = self.record.get(i?)?;
        std::str::from_utf8(field)
            .ok()
            .map(str::trim)
            .filter(|f| !f.is_empty())
    }
}

/// The index of the first of `names` that the header has.
pub(crate) fn column(header: &ByteRecord, names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| header.iter().position(|h| h == n.as_bytes()))
}

/// Reads every row of `input`, calling `each` with the header and the row; rows
/// `each` refuses are counted by the reason it gives. Returns false when the file
/// could not be read to its end.
pub(crate) fn read<C>(
    input: Box<dyn BufRead + Send>,
    gzip: bool,
    file: &str,
    reading: &mut Reading,
    setup: impl FnOnce(&ByteRecord) -> Result<C, String>,
    mut each: impl FnMut(&C, &Row<'_>, &mut Reading) -> Result<(), (&'static str, String)>,
) -> bool {
    let mut csv = ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(1 << 18)
        .from_reader(input);
    let header = match csv.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let reason = match e.kind() {
                csv::ErrorKind::Io(io) => read_error(gzip, io),
                _ => "unreadable row",
            };
            reading.problems.add(reason, file, 1, &e.to_string());
            return false;
        }
    };
    let columns = match setup(&header) {
        Ok(columns) => columns,
        Err(why) => {
            reading.problems.add("missing column", file, 1, &why);
            return false;
        }
    };
    let mut record = ByteRecord::new();
    reading.grouped = true;
    let complete = loop {
        if reading.abandoned() {
            break false;
        }
        match csv.read_byte_record(&mut record) {
            Ok(false) => break true,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                let row = Row { record: &record };
                reading.begin_row();
                if let Err((reason, detail)) = each(&columns, &row, reading) {
                    reading.problems.add(reason, file, line, &detail);
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                match e.kind() {
                    csv::ErrorKind::Io(io) => {
                        reading
                            .problems
                            .add(read_error(gzip, io), file, line, &io.to_string());
                        break false;
                    }
                    _ => reading
                        .problems
                        .add("unreadable row", file, line, &e.to_string()),
                }
            }
        }
    };
    reading.grouped = false;
    complete
}
