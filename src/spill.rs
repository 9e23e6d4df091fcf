//! Records written once and read back by number, from memory or from a temporary file.
//!
//! A run over a collection larger than memory keeps its documents, their analyses and the
//! cross-check's sentences with figures here instead of in the heap: each is encoded as it is
//! made, and decoded again only when a stage needs it (every stage that looks at all documents
//! reads them in chunks; verification reads only the analyses of candidate pairs, and the
//! documents of those that pass its gate). The file is unlinked as soon as it is made, so
//! nothing is left behind, whatever happens to the process.
//!
//! The encoding is this module's own: little-endian integers and length-prefixed bytes, with
//! no versioning, since a spill file never outlives the run that wrote it.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::Prepared;
use crate::chrome::{Chrome, ChromeReason};
use crate::ingest::{Document, Format, Line};
use crate::text::{Analysis, Sentence, Token};

/// Records appended in order, numbered from 0.
///
/// A thread of its own writes them, so that the stages making them go on while the disk
/// catches up: at a million documents several gigabytes are spilled, more than the kernel
/// buffers before it makes a writer wait. The thread hands each buffer back once written, to
/// be filled again: buffers made afresh for each handoff came as new pages from the kernel,
/// zeroed, every time (at a million documents, reading and tokenizing took 1.42 million page
/// faults with them, 0.86 million without).
pub(crate) struct SpillWriter {
    /// Records not yet handed to the writing thread.
    pending: Vec<u8>,
    to_writer: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    /// Buffers the writing thread is done with.
    written: std::sync::mpsc::Receiver<Vec<u8>>,
    writer: Option<std::thread::JoinHandle<io::Result<File>>>,
    /// Where each record starts; one more entry than records, the last being the end.
    offsets: Vec<u64>,
    dir: PathBuf,
}

/// Bytes gathered before they go to the writing thread.
const HANDOFF_BYTES: usize = 8 << 20;

impl SpillWriter {
    /// A writer to an unlinked temporary file in `dir` (the system's temporary directory if
    /// `None`).
    pub(crate) fn new(dir: Option<&Path>) -> io::Result<SpillWriter> {
        let dir = dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let file = tempfile::tempfile_in(&dir)?;
        // A few handoffs in flight at most: the memory they hold stays small.
        let (to_writer, from_makers) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let (to_maker, written) = std::sync::mpsc::channel::<Vec<u8>>();
        let writer = std::thread::Builder::new()
            .name("crosscheck-spill".into())
            .spawn(move || {
                let mut out = BufWriter::with_capacity(1 << 20, file);
                for mut bytes in from_makers {
                    out.write_all(&bytes)?;
                    bytes.clear();
                    // The maker may be gone already, having finished or failed.
                    let _ = to_maker.send(bytes);
                }
                out.into_inner().map_err(|e| e.into_error())
            })?;
        Ok(SpillWriter {
            pending: Vec::new(),
            to_writer: Some(to_writer),
            written,
            writer: Some(writer),
            offsets: vec![0],
            dir,
        })
    }

    /// Appends one record; it is record number `self.len()` before the call.
    pub(crate) fn push(&mut self, record: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(record);
        let end = self.offsets.last().copied().unwrap_or(0) + record.len() as u64;
        self.offsets.push(end);
        if self.pending.len() >= HANDOFF_BYTES {
            self.hand_off()?;
        }
        Ok(())
    }

    /// Sends the pending records to the writing thread, and goes on in a buffer it has
    /// written, if there is one.
    fn hand_off(&mut self) -> io::Result<()> {
        let next = self
            .written
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(2 * HANDOFF_BYTES));
        let bytes = std::mem::replace(&mut self.pending, next);
        let sent = self.to_writer.as_ref().map(|to| to.send(bytes));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread stopped: it met an error, which joining it gives.
            _ => Err(self
                .join()
                .err()
                .unwrap_or_else(|| io::ErrorKind::BrokenPipe.into())),
        }
    }

    /// Waits for the writing thread to end, with the file it wrote.
    fn join(&mut self) -> io::Result<File> {
        self.to_writer = None;
        match self.writer.take().map(|w| w.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the spill writer panicked")),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    /// Records written so far.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Ends writing; the records can now be read.
    pub(crate) fn finish(mut self) -> io::Result<Spill> {
        self.hand_off()?;
        let file = self.join()?;
        Ok(Spill {
            file,
            offsets: std::mem::take(&mut self.offsets),
            dir: std::mem::take(&mut self.dir),
        })
    }
}

/// Records written by a [`SpillWriter`], read back by number from any thread.
pub(crate) struct Spill {
    file: File,
    offsets: Vec<u64>,
    dir: PathBuf,
}

impl Spill {
    /// What `decode` makes of record `index`, whole.
    pub(crate) fn decode<T>(&self, index: usize, decode: impl FnOnce(&[u8]) -> T) -> T {
        let (start, end) = (self.offsets[index], self.offsets[index + 1]);
        self.decode_range(start, (end - start) as usize, decode)
    }

    /// What `decode` makes of the first `len` bytes of record `index` (at most the record).
    pub(crate) fn decode_prefix<T>(
        &self,
        index: usize,
        len: usize,
        decode: impl FnOnce(&[u8]) -> T,
    ) -> T {
        let (start, end) = (self.offsets[index], self.offsets[index + 1]);
        self.decode_range(start, len.min((end - start) as usize), decode)
    }

    /// Reads `len` bytes from `start` into the thread's [`READ_BUFFER`], which `decode` sees.
    ///
    /// Every record read back is decoded at once into values of its own, so the bytes need not
    /// outlive the call. Read into a vector of their own, zeroed first, the million's 30 GB read
    /// back were also 30 GB written with zeros and taken from and given back to the allocator.
    fn decode_range<T>(&self, start: u64, len: usize, decode: impl FnOnce(&[u8]) -> T) -> T {
        // Taken, not borrowed, in case `decode` reads another record; a larger record than the
        // buffer keeps gets a buffer of its own.
        let kept = len <= KEPT_READ_BYTES;
        let mut buffer = if kept { READ_BUFFER.take() } else { Vec::new() };
        if buffer.len() < len {
            buffer.resize(len, 0);
        }
        let bytes = &mut buffer[..len];
        if let Err(error) = read_exact_at(&self.file, bytes, start) {
            // The file was written by this process a moment ago; failing to read it back is
            // the machine failing (disk gone, file truncated by someone else), not an input
            // problem that a warning could describe, and it can happen deep inside any stage.
            // So the run unwinds to its entry point, which returns it as an error.
            ReadBackFailed {
                dir: self.dir.clone(),
                error,
            }
            .raise();
        }
        let out = decode(bytes);
        if kept {
            READ_BUFFER.set(buffer);
        }
        out
    }
}

thread_local! {
    /// The bytes of the last record [`Spill::decode_range`] read on this thread, kept to read
    /// the next into.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The largest buffer a thread keeps between reads: a record larger than this (a document of
/// more than a megabyte, rare in news) is read into a buffer made for it.
const KEPT_READ_BYTES: usize = 1 << 20;

/// A spill file that could not be read back: unwound from wherever a stage read it, without
/// the panic hook's message (it is no bug), and caught by [`returning_read_failures`].
pub(crate) struct ReadBackFailed {
    pub(crate) dir: PathBuf,
    pub(crate) error: io::Error,
}

impl ReadBackFailed {
    fn raise(self) -> ! {
        std::panic::resume_unwind(Box::new(self))
    }
}

/// Runs `f`, turning a [`ReadBackFailed`] unwound from inside it into an error; any other
/// panic goes on unwinding.
pub(crate) fn returning_read_failures<T>(f: impl FnOnce() -> T) -> Result<T, ReadBackFailed> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| match payload
        .downcast::<ReadBackFailed>(
    ) {
        Ok(failed) => *failed,
        Err(other) => std::panic::resume_unwind(other),
    })
}

#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
pub(crate) fn read_exact_at(file: &File, mut bytes: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        match file.seek_read(bytes, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                bytes = &mut bytes[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Appends values to a record.
#[derive(Default)]
pub(crate) struct Encoder(pub(crate) Vec<u8>);

impl Encoder {
    pub(crate) fn u8(&mut self, x: u8) {
        self.0.push(x);
    }
    pub(crate) fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    pub(crate) fn bytes(&mut self, x: &[u8]) {
        self.u64(x.len() as u64);
        self.0.extend_from_slice(x);
    }
    pub(crate) fn strings(&mut self, xs: &[String]) {
        self.u64(xs.len() as u64);
        for x in xs {
            self.bytes(x.as_bytes());
        }
    }
    pub(crate) fn u64s(&mut self, xs: &[u64]) {
        self.u64(xs.len() as u64);
        self.0.reserve(xs.len() * 8);
        for &x in xs {
            self.u64(x);
        }
    }
}

/// Reads values back in the order they were encoded.
pub(crate) struct Decoder<'a>(&'a [u8]);

impl<'a> Decoder<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Decoder(bytes)
    }
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
    pub(crate) fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }
    pub(crate) fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().expect("4 bytes"))
    }
    pub(crate) fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take(8).try_into().expect("8 bytes"))
    }
    pub(crate) fn bytes(&mut self) -> &'a [u8] {
        let n = self.u64() as usize;
        self.take(n)
    }
    pub(crate) fn string(&mut self) -> String {
        String::from_utf8(self.bytes().to_vec()).expect("a spilled string is UTF-8")
    }
    pub(crate) fn strings(&mut self) -> Vec<String> {
        (0..self.u64()).map(|_| self.string()).collect()
    }
    pub(crate) fn u64s(&mut self) -> Vec<u64> {
        let n = self.u64() as usize;
        self.take(n * 8)
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect()
    }
}

/// Each of `items` encoded by `encode`, in parallel, in order.
pub(crate) fn encode_all<T: Sync>(items: &[T], encode: fn(&T, &mut Encoder)) -> Vec<Vec<u8>> {
    use rayon::prelude::*;
    items
        .par_iter()
        .map(|item| {
            let mut out = Encoder::default();
            encode(item, &mut out);
            out.0
        })
        .collect()
}

/// Encodes a document but for its id and path, which the run keeps in memory.
pub(crate) fn encode_document(document: &Document, out: &mut Encoder) {
    out.u8(match document.format {
        Format::Text => 0,
        Format::Html => 1,
        Format::Jsonl => 2,
    });
    out.u64(document.record.map_or(0, |r| r + 1));
    out.bytes(document.text.as_bytes());
    out.u64(document.lines.len() as u64);
    for line in &document.lines {
        out.u32(line.start);
        out.u32(line.end);
        out.u32(line.number);
        out.u8(line.markup_chrome as u8);
    }
    if document.meta.is_empty() {
        out.bytes(b"");
    } else {
        let meta = serde_json::to_vec(&document.meta).expect("a JSON map serializes");
        out.bytes(&meta);
    }
}

/// Decodes what [`encode_document`] wrote, giving it its id and path back.
pub(crate) fn decode_document(bytes: &[u8], id: String, path: PathBuf) -> Document {
    let mut d = Decoder::new(bytes);
    let format = match d.u8() {
        0 => Format::Text,
        1 => Format::Html,
        _ => Format::Jsonl,
    };
    let record = d.u64().checked_sub(1);
    let text = d.string();
    let n = d.u64() as usize;
    let lines = (0..n)
        .map(|_| Line {
            start: d.u32(),
            end: d.u32(),
            number: d.u32(),
            markup_chrome: d.u8() != 0,
        })
        .collect();
    let meta = match d.bytes() {
        b"" => Map::new(),
        json => match serde_json::from_slice::<Value>(json) {
            Ok(Value::Object(map)) => map,
            _ => unreachable!("spilled metadata is the JSON map written"),
        },
    };
    Document {
        id,
        path,
        record,
        format,
        text,
        lines,
        meta,
    }
}

const REASONS: [ChromeReason; 7] = [
    ChromeReason::Markup,
    ChromeReason::Rule,
    ChromeReason::Menu,
    ChromeReason::Repeated,
    ChromeReason::Recurring,
    ChromeReason::Related,
    ChromeReason::Neighbour,
];

/// Encodes a document's chrome and analysis, tokens first so that [`decode_tokens`] can read
/// them alone.
pub(crate) fn encode_prepared(prepared: &Prepared, out: &mut Encoder) {
    let analysis = &prepared.analysis;
    out.u64s(&analysis.tokens);
    out.u64s(&analysis.keys);
    out.u64(analysis.sentences.len() as u64);
    for s in &analysis.sentences {
        for x in [
            s.lines.0,
            s.lines.1,
            s.start.0,
            s.start.1,
            s.end.0,
            s.end.1,
            s.tokens.start,
            s.tokens.end,
        ] {
            out.u32(x);
        }
    }
    out.u64(prepared.chrome.reasons.len() as u64);
    for reason in &prepared.chrome.reasons {
        out.u8(reason.map_or(0, |r| {
            REASONS
                .iter()
                .position(|&x| x == r)
                .expect("every reason is listed") as u8
                + 1
        }));
    }
}

/// Decodes what [`encode_prepared`] wrote.
pub(crate) fn decode_prepared(bytes: &[u8]) -> Prepared {
    let mut d = Decoder::new(bytes);
    let tokens = d.u64s();
    let keys = d.u64s();
    let n = d.u64() as usize;
    let sentences = (0..n)
        .map(|_| {
            let mut x = [0u32; 8];
            for v in &mut x {
                *v = d.u32();
            }
            Sentence {
                lines: (x[0], x[1]),
                start: (x[2], x[3]),
                end: (x[4], x[5]),
                tokens: x[6]..x[7],
            }
        })
        .collect();
    let n = d.u64() as usize;
    let reasons = (0..n)
        .map(|_| match d.u8() {
            0 => None,
            k => Some(REASONS[k as usize - 1]),
        })
        .collect();
    Prepared {
        chrome: Chrome { reasons },
        analysis: Analysis {
            tokens,
            sentences,
            keys,
        },
    }
}

/// The tokens of an encoded [`Prepared`], from a prefix of its record at least
/// [`tokens_prefix`] long.
pub(crate) fn decode_tokens(bytes: &[u8]) -> Vec<Token> {
    Decoder::new(bytes).u64s()
}

/// How many bytes of a [`Prepared`] record hold its tokens, given their count.
pub(crate) fn tokens_prefix(tokens: usize) -> usize {
    8 + tokens * 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_across_many_handoffs_come_back_whole() {
        // Empty and tiny records, and ones larger than a handoff, so that records start and
        // end anywhere in the buffers the writing thread takes and hands back to be refilled.
        let lengths = [0, 1, 4095, 100_000, HANDOFF_BYTES + 4099, 7, 3 << 20];
        let records: Vec<Vec<u8>> = (0..40)
            .map(|k| {
                let len = lengths[k % lengths.len()];
                (0..len).map(|i| (i * 31 + k) as u8).collect()
            })
            .collect();
        let mut writer = SpillWriter::new(None).unwrap();
        for record in &records {
            writer.push(record).unwrap();
        }
        assert_eq!(writer.len(), records.len());
        let spill = writer.finish().unwrap();
        // Backwards, whole and by prefix: reads at any offset, of any length.
        for (k, record) in records.iter().enumerate().rev() {
            assert!(
                spill.decode(k, |bytes| bytes == record),
                "record {k} came back changed"
            );
            let prefix = spill.decode_prefix(k, 5, <[u8]>::to_vec);
            assert_eq!(prefix, record[..record.len().min(5)]);
        }
    }

    #[test]
    fn documents_and_analyses_come_back_as_written() {
        let mut html = Document::from_html(
            "page.html".into(),
            "dir/page.html".into(),
            "<nav>Home</nav><p>Troops arrived.</p>\n<p>More than 10 came.</p>",
        );
        html.meta.insert("title".into(), Value::from("A héadline"));
        let mut jsonl = Document::from_text("r1", "c.jsonl", "One line.\n\nTwo, with 3 figures 4.");
        jsonl.format = Format::Jsonl;
        jsonl.record = Some(7);
        let mut writer = SpillWriter::new(None).unwrap();
        let documents = [html, jsonl];
        let mut analyses = Vec::new();
        for document in &documents {
            let chrome = crate::chrome::detect_alone(document);
            let analysis = crate::text::analyze_document(document, &chrome);
            analyses.push(Prepared { chrome, analysis });
        }
        for (document, prepared) in documents.iter().zip(&analyses) {
            let mut out = Encoder::default();
            encode_document(document, &mut out);
            writer.push(&out.0).unwrap();
            let mut out = Encoder::default();
            encode_prepared(prepared, &mut out);
            writer.push(&out.0).unwrap();
        }
        assert_eq!(writer.len(), 4);
        let spill = writer.finish().unwrap();
        for (k, (document, prepared)) in documents.iter().zip(&analyses).enumerate() {
            let back = spill.decode(2 * k, |bytes| {
                decode_document(bytes, document.id.clone(), document.path.clone())
            });
            assert_eq!(back.text, document.text);
            assert_eq!(back.lines, document.lines);
            assert_eq!(back.meta, document.meta);
            assert_eq!(
                (back.record, back.format),
                (document.record, document.format)
            );
            let again = spill.decode(2 * k + 1, decode_prepared);
            assert_eq!(again.chrome, prepared.chrome);
            assert_eq!(again.analysis.tokens, prepared.analysis.tokens);
            assert_eq!(again.analysis.sentences, prepared.analysis.sentences);
            assert_eq!(again.analysis.keys, prepared.analysis.keys);
            let n = prepared.analysis.tokens.len();
            let tokens = spill.decode_prefix(2 * k + 1, tokens_prefix(n), decode_tokens);
            assert_eq!(tokens, prepared.analysis.tokens);
        }
        assert!(documents[0].lines.iter().any(|l| l.markup_chrome));
        assert!(analyses[0].chrome.count() > 0, "the nav line is chrome");
    }
}
