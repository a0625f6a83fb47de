//! Reading an HSDS JSON feed as a stream of records, in bounded memory, whatever its size:
//!
//! * a JSON **array** (`[ {…}, {…} ]`, pretty-printed or not) is read element by element;
//! * **ndjson** (one JSON value per line) is read line by line;
//! * anything else is **one document** (an object, or a list page with `contents`), read whole.
//!
//! Arrays and pages inside a record are unpacked into their records. The reader runs on a
//! blocking thread and hands records over through a bounded channel, so at most a few hundred
//! records are in memory however large the file is.

use std::fs::File;
use std::io::{BufRead, BufReader, Read as _};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::Value;

use super::import::{Item, Problem};

/// What the reader hands over: a record, or a part of the file that is not a record.
pub enum Read {
    Item(Item),
    /// A line or element that could not be read (the rest of the file still can).
    Problem(Problem),
}

/// The most one record may take in memory: one ndjson line, or a file that is one document.
/// (Arrays and ndjson as a whole have no limit: they are read record by record.)
pub const MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;

/// Opens `path` if it is a regular file. A pipe, a device such as `/dev/zero` or a directory
/// is refused before it is opened: reading one can block for ever or never end.
pub fn open_regular(path: &Path) -> Result<File, String> {
    let cannot = |e: std::io::Error| format!("kan het bestand niet lezen: {e}");
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = File::open(path).map_err(cannot)?;
    // Asked again of what was opened: the name may point elsewhere by now.
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(file)
}

fn not_regular(meta: &std::fs::Metadata) -> String {
    let kind = meta.file_type();
    let what = if kind.is_dir() {
        "een map"
    } else {
        special_file(&kind)
    };
    format!(
        "dit is {what}, geen gewoon bestand; een import leest alleen een gewoon bestand (JSON \
         of ndjson) of een map met HSDS-CSV-bestanden"
    )
}

#[cfg(unix)]
fn special_file(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "een pipe (FIFO)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "een apparaat (zoals /dev/zero)"
    } else if kind.is_socket() {
        "een socket"
    } else {
        "geen bestand"
    }
}

#[cfg(not(unix))]
fn special_file(_: &std::fs::FileType) -> &'static str {
    "geen bestand"
}

/// Reads at most `limit` bytes and then fails, so that a file that grows while it is read
/// (or a size that was misreported) cannot take more memory than the limit allows.
pub struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R> Limited<R> {
    pub fn new(inner: R, limit: u64) -> Self {
        Self {
            inner,
            left: limit,
            limit,
        }
    }
}

impl<R: std::io::Read> std::io::Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more than allowed means too big; exactly the limit is fine.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(format!(
                    "het bestand is groter dan {} MB (of groeit terwijl het gelezen wordt); \
                     dat leest een import niet in één keer",
                    self.limit / 1_048_576
                ))),
            };
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Counts the bytes read from the file, for progress.
struct Counting {
    file: File,
    count: Arc<AtomicU64>,
}

impl std::io::Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const BUFFER: usize = 1 << 20;

/// Reads `path` and calls `emit` for every record, in file order. `emit` returns `false` to
/// stop early (its receiver is gone). `Err` means the file could not be read (on), with where.
pub fn stream_json_file(
    path: &Path,
    bytes_read: Arc<AtomicU64>,
    emit: &mut dyn FnMut(Read) -> bool,
) -> Result<(), Problem> {
    let file = path.display().to_string();
    let fail = |place: String, message: String| Problem {
        file: file.clone(),
        place,
        field: "-".into(),
        message,
    };
    let open = || -> Result<BufReader<Counting>, Problem> {
        bytes_read.store(0, Ordering::Relaxed);
        let handle = open_regular(path).map_err(|message| fail("file".into(), message))?;
        Ok(BufReader::with_capacity(
            BUFFER,
            Counting {
                file: handle,
                count: bytes_read.clone(),
            },
        ))
    };
    let io = |e: std::io::Error| fail("file".into(), format!("cannot read: {e}"));

    let mut reader = open()?;
    let Some(first) = first_significant_byte(&mut reader).map_err(io)? else {
        return Err(fail("file".into(), "the file is empty".into()));
    };
    if first == b'[' {
        return stream_array(&file, reader, emit);
    }

    // ndjson if the first non-empty line is a JSON value on its own; else one document.
    let mut line = String::new();
    let mut line_no = 0usize;
    loop {
        line.clear();
        let n = read_line(&mut reader, &mut line)
            .map_err(|e| fail(format!("line {}", line_no + 1), format!("cannot read: {e}")))?;
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        if !line.trim().is_empty() {
            break;
        }
    }
    let first_value = match serde_json::from_str::<Value>(&line) {
        Ok(value) => value,
        Err(_) => {
            // One document over several lines (or not JSON at all): read it whole.
            let reader = Limited::new(open()?, MAX_RECORD_BYTES);
            let value: Value = serde_json::from_reader(reader).map_err(|e| {
                if e.is_io() {
                    return fail("file".into(), e.to_string());
                }
                fail(
                    format!("line {}, column {}", e.line(), e.column()),
                    format!("not valid JSON: {e}"),
                )
            })?;
            for item in unpack(&file, "$", value) {
                if !emit(Read::Item(item)) {
                    break;
                }
            }
            return Ok(());
        }
    };
    for item in unpack(&file, &format!("line {line_no}"), first_value) {
        if !emit(Read::Item(item)) {
            return Ok(());
        }
    }
    loop {
        line.clear();
        let n = match read_line(&mut reader, &mut line) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                return Err(fail(format!("line {}", line_no + 1), e.to_string()));
            }
            Err(e) => {
                emit(Read::Problem(fail(
                    format!("line {}", line_no + 1),
                    format!("cannot read: {e}"),
                )));
                // A line that is not UTF-8 was consumed; the next one may be fine.
                line_no += 1;
                continue;
            }
        };
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        if line.trim().is_empty() {
            continue;
        }
        let reads: Vec<Read> = match serde_json::from_str::<Value>(&line) {
            Ok(value) => unpack(&file, &format!("line {line_no}"), value)
                .into_iter()
                .map(Read::Item)
                .collect(),
            Err(e) => vec![Read::Problem(fail(
                format!("line {line_no}, column {}", e.column()),
                format!("not valid JSON: {e}"),
            ))],
        };
        for read in reads {
            if !emit(read) {
                return Ok(());
            }
        }
    }
}

/// Reads one line as UTF-8; a line that is not is consumed and reported as an error. A line
/// longer than [`MAX_RECORD_BYTES`] ends the read (an error of kind `FileTooLarge`).
fn read_line(reader: &mut impl BufRead, line: &mut String) -> std::io::Result<usize> {
    let mut bytes = Vec::new();
    let n = reader
        .by_ref()
        .take(MAX_RECORD_BYTES + 1)
        .read_until(b'\n', &mut bytes)?;
    if n as u64 > MAX_RECORD_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "een regel is langer dan {} MB; dat leest een import niet in één keer",
                MAX_RECORD_BYTES / 1_048_576
            ),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            line.push_str(&text);
            Ok(n)
        }
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the line is not UTF-8 text",
        )),
    }
}

/// Skips a byte-order mark and whitespace; the first other byte (not consumed), or `None`.
fn first_significant_byte(reader: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    let mut at_start = true;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        if at_start && buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            reader.consume(3);
            at_start = false;
            continue;
        }
        at_start = false;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let byte = buf[i];
                reader.consume(i);
                return Ok(Some(byte));
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// Visits the top-level array element by element (never holding the whole array).
struct ArrayVisitor<'a> {
    file: &'a str,
    emit: &'a mut dyn FnMut(Read) -> bool,
}

impl<'de> Visitor<'de> for ArrayVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of HSDS records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while let Some(value) = seq.next_element::<Value>()? {
            for item in unpack(self.file, &format!("$[{i}]"), value) {
                if !(self.emit)(Read::Item(item)) {
                    return Ok(());
                }
            }
            i += 1;
        }
        Ok(())
    }
}

fn stream_array(
    file: &str,
    reader: BufReader<Counting>,
    emit: &mut dyn FnMut(Read) -> bool,
) -> Result<(), Problem> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    (&mut de)
        .deserialize_seq(ArrayVisitor { file, emit })
        .and_then(|()| de.end())
        .map_err(|e| Problem {
            file: file.into(),
            place: format!("line {}, column {}", e.line(), e.column()),
            field: "-".into(),
            message: format!("not valid JSON: {e}"),
        })
}

/// A value as records: arrays and list pages (`contents` + `total_items`) unpacked.
pub fn unpack(file: &str, place: &str, value: Value) -> Vec<Item> {
    match value {
        Value::Array(list) => list
            .into_iter()
            .enumerate()
            .flat_map(|(i, v)| unpack(file, &format!("{place}[{i}]"), v))
            .collect(),
        Value::Object(mut map)
            if map.contains_key("total_items")
                && matches!(map.get("contents"), Some(Value::Array(_))) =>
        {
            let Some(Value::Array(list)) = map.remove("contents") else {
                unreachable!("checked above")
            };
            list.into_iter()
                .enumerate()
                .map(|(i, v)| Item {
                    file: file.into(),
                    place: format!("{place}.contents[{i}]"),
                    value: v,
                    kind: None,
                })
                .collect()
        }
        other => vec![Item {
            file: file.into(),
            place: place.into(),
            value: other,
            kind: None,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<(String, Value)>, Vec<String>, Option<Problem>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feed.json");
        std::fs::write(&path, text).unwrap();
        let (mut items, mut problems) = (Vec::new(), Vec::new());
        let bytes = Arc::new(AtomicU64::new(0));
        let result = stream_json_file(&path, bytes.clone(), &mut |r| {
            match r {
                Read::Item(i) => items.push((i.place, i.value)),
                Read::Problem(p) => problems.push(p.place),
            }
            true
        });
        if result.is_ok() {
            assert_eq!(bytes.load(Ordering::Relaxed), text.len() as u64);
        }
        (items, problems, result.err())
    }

    #[test]
    fn arrays_are_read_element_by_element_with_their_places() {
        let (items, problems, error) = read(" \n[{\"a\": 1},\n {\"b\": [2]}, [{\"c\": 3}]]\n");
        assert!(problems.is_empty() && error.is_none());
        let places: Vec<&str> = items.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(places, ["$[0]", "$[1]", "$[2][0]"]);
        assert_eq!(items[1].1["b"][0], 2);
    }

    #[test]
    fn a_broken_array_stops_with_the_line_and_keeps_what_came_before() {
        let (items, _, error) = read("[{\"a\": 1},\n{\"b\": }]");
        assert_eq!(items.len(), 1);
        let error = error.unwrap();
        assert!(error.place.starts_with("line 2"), "{error}");
        assert!(error.message.contains("not valid JSON"), "{error}");
    }

    #[test]
    fn ndjson_is_read_line_by_line_and_a_bad_line_is_one_problem() {
        let (items, problems, error) = read("{\"a\": 1}\n\n{\"b\": \n{\"c\": 3}\r\n\u{feff}");
        assert!(error.is_none());
        let places: Vec<&str> = items.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(places, ["line 1", "line 4"]);
        assert_eq!(problems.len(), 2, "line 3 and the stray byte-order mark");
        assert!(problems[0].starts_with("line 3"), "{problems:?}");
    }

    #[test]
    fn one_document_and_a_page_are_read_whole() {
        let (items, _, error) = read("{\n \"id\": \"x\",\n \"name\": \"n\"\n}\n");
        assert!(error.is_none());
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].0, "$");
        let (items, _, _) = read("{\"total_items\": 2, \"contents\": [{\"a\": 1}, {\"b\": 2}]}");
        let places: Vec<&str> = items.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(places, ["line 1.contents[0]", "line 1.contents[1]"]);
    }

    #[test]
    fn more_than_the_limit_is_refused_even_when_the_size_said_less() {
        use std::io::Read as _;
        let mut text = String::new();
        Limited::new(&b"0123456789"[..], 10)
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "0123456789", "exactly the limit is fine");
        let error = Limited::new(&b"0123456789a"[..], 10)
            .read_to_string(&mut String::new())
            .unwrap_err();
        assert!(error.to_string().contains("groeit terwijl"), "{error}");
    }

    #[test]
    fn only_regular_files_are_opened() {
        let error = open_regular(Path::new("/dev/zero")).unwrap_err();
        assert!(error.contains("apparaat"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let error = open_regular(dir.path()).unwrap_err();
        assert!(error.contains("een map"), "{error}");
        let (_, _, error) = read_path(Path::new("/dev/zero"));
        assert!(error.unwrap().message.contains("geen gewoon bestand"));
    }

    fn read_path(path: &Path) -> (usize, usize, Option<Problem>) {
        let (mut items, mut problems) = (0, 0);
        let result = stream_json_file(path, Arc::new(AtomicU64::new(0)), &mut |r| {
            match r {
                Read::Item(_) => items += 1,
                Read::Problem(_) => problems += 1,
            }
            true
        });
        (items, problems, result.err())
    }

    #[test]
    fn empty_and_garbage_files_are_refused_with_a_place() {
        let (_, _, error) = read("  \n ");
        assert!(error.unwrap().message.contains("empty"));
        let (items, _, error) = read("{\"id\": \"x\", \"name\": ");
        assert!(items.is_empty());
        let error = error.unwrap();
        assert!(error.place.starts_with("line 1"), "{error}");
        assert!(error.message.contains("not valid JSON"), "{error}");
        let (_, _, error) = read("\0\0\0\0");
        assert!(error.unwrap().message.contains("not valid JSON"));
    }
}
