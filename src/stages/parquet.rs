//! Signed records as Parquet: the `sign` stage's files, which the engines and the CLI share.
//!
//! One row a document, in the shape `crosscheck.batches.SIGNED` has in Python:
//!
//! ```text
//! message signed {
//!   required int32 doc;                      the document's number
//!   required binary summary (STRING);        its report line, as JSON
//!   optional int64 fingerprint;              hash of its whole token sequence
//!   required group tokens (LIST) { repeated group list { required int64 element; } }
//!   required group shingles (LIST) { repeated group list { required int64 element; } }
//! }
//! ```
//!
//! Hashes are u64 stored as i64 bit for bit. The file's key-value metadata holds, under
//! [`HEADER_KEY`], the same JSON header the stages' JSON files open with (settings, version,
//! collection size, shard); the reader hands it back for the caller to check. A file of any
//! other shape is refused with what differs, never read as something it is not.

use std::io::Write;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::column::reader::ColumnReader;
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::{SchemaDescriptor, Type};

use super::SignedRecord;
use crate::report::DocumentSummary;

/// The metadata key under which a file's header is kept.
pub const HEADER_KEY: &str = "crosscheck";

/// Documents a row group: small enough that a reader need not hold a shard's worth of one
/// column, large enough that pages compress well.
const ROWS_PER_GROUP: usize = 8192;

const SCHEMA: &str = "
message signed {
  required int32 doc;
  required binary summary (STRING);
  optional int64 fingerprint;
  required group tokens (LIST) { repeated group list { required int64 element; } }
  required group shingles (LIST) { repeated group list { required int64 element; } }
}";

fn schema() -> Arc<Type> {
    Arc::new(parse_message_type(SCHEMA).expect("the signed schema parses"))
}

/// Why a signed file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SignedError {
    /// The Parquet layer's own error (a truncated or corrupt file, say).
    #[error("{0}")]
    Parquet(#[from] ParquetError),
    /// A readable Parquet file of another shape.
    #[error("{0}")]
    Shape(String),
}

/// Writes `records` to `out` as a signed file with `header` in its metadata.
pub fn write_signed<W: Write + Send>(
    out: W,
    records: &[SignedRecord],
    header: &str,
) -> Result<(), ParquetError> {
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(vec![KeyValue::new(
            HEADER_KEY.to_string(),
            header.to_string(),
        )]))
        .build();
    let mut writer = SerializedFileWriter::new(out, schema(), Arc::new(properties))?;
    for group in records.chunks(ROWS_PER_GROUP) {
        let mut rows = writer.next_row_group()?;
        let mut column = 0;
        while let Some(mut writer) = rows.next_column()? {
            match column {
                0 => {
                    let docs: Vec<i32> = group.iter().map(|r| r.doc as i32).collect();
                    writer.typed::<Int32Type>().write_batch(&docs, None, None)?;
                }
                1 => {
                    let summaries: Vec<ByteArray> = group
                        .iter()
                        .map(|r| {
                            let json =
                                serde_json::to_vec(&r.summary).expect("a summary serializes");
                            ByteArray::from(json)
                        })
                        .collect();
                    writer
                        .typed::<ByteArrayType>()
                        .write_batch(&summaries, None, None)?;
                }
                2 => {
                    let values: Vec<i64> = group
                        .iter()
                        .filter_map(|r| r.fingerprint.map(|f| f as i64))
                        .collect();
                    let defined: Vec<i16> = group
                        .iter()
                        .map(|r| i16::from(r.fingerprint.is_some()))
                        .collect();
                    writer
                        .typed::<Int64Type>()
                        .write_batch(&values, Some(&defined), None)?;
                }
                3 => write_lists(&mut writer, group.iter().map(|r| r.tokens.as_slice()))?,
                4 => write_lists(&mut writer, group.iter().map(|r| r.shingles.as_slice()))?,
                _ => unreachable!("the signed schema has five columns"),
            }
            writer.close()?;
            column += 1;
        }
        rows.close()?;
    }
    writer.close()?;
    Ok(())
}

/// One required list of required int64 per row: a value's definition level is 1, an empty
/// list's one level 0; the first of a list repeats at 0, the rest at 1.
fn write_lists<'a>(
    writer: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    lists: impl Iterator<Item = &'a [u64]>,
) -> Result<(), ParquetError> {
    let (mut values, mut defined, mut repeated) = (Vec::new(), Vec::new(), Vec::new());
    for list in lists {
        if list.is_empty() {
            defined.push(0);
            repeated.push(0);
        }
        for (i, &v) in list.iter().enumerate() {
            values.push(v as i64);
            defined.push(1);
            repeated.push(i16::from(i > 0));
        }
    }
    writer
        .typed::<Int64Type>()
        .write_batch(&values, Some(&defined), Some(&repeated))?;
    Ok(())
}

/// Which of a signed file's columns to read (`doc` always is): a stage reads only what it
/// uses. A column not read is left empty in every record: a default summary, no fingerprint,
/// no tokens, no shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// The report lines.
    pub summary: bool,
    /// The fingerprints of the token sequences.
    pub fingerprint: bool,
    /// The distinct tokens.
    pub tokens: bool,
    /// The signatures.
    pub shingles: bool,
}

impl Columns {
    /// Every column.
    pub const ALL: Columns = Columns {
        summary: true,
        fingerprint: true,
        tokens: true,
        shingles: true,
    };
    /// None but `doc`; add the ones wanted.
    pub const DOC: Columns = Columns {
        summary: false,
        fingerprint: false,
        tokens: false,
        shingles: false,
    };
}

/// Reads the `columns` of a signed file: its header (`None` if it has none) and its records.
pub fn read_signed(
    file: std::fs::File,
    columns: Columns,
) -> Result<(Option<String>, Vec<SignedRecord>), SignedError> {
    let reader = SerializedFileReader::new(file)?;
    let metadata = reader.metadata().file_metadata();
    check_shape(metadata.schema_descr())?;
    let header = metadata
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|kv| kv.key == HEADER_KEY))
        .and_then(|kv| kv.value.clone());
    let mut records = Vec::with_capacity(metadata.num_rows().max(0) as usize);
    for g in 0..reader.num_row_groups() {
        let rows = reader.get_row_group(g)?;
        let count = rows.metadata().num_rows().max(0) as usize;
        let docs = read_column::<Int32Type>(rows.get_column_reader(0)?, count, false, false)?;
        let summaries = match columns.summary {
            true => {
                let reader = rows.get_column_reader(1)?;
                read_column::<ByteArrayType>(reader, count, false, false)?.values
            }
            false => Vec::new(),
        };
        let prints = match columns.fingerprint {
            true => Some(read_column::<Int64Type>(
                rows.get_column_reader(2)?,
                count,
                true,
                false,
            )?),
            false => None,
        };
        let list = |i: usize, wanted: bool| -> Result<Vec<Vec<u64>>, SignedError> {
            match wanted {
                true => lists(
                    &read_column::<Int64Type>(rows.get_column_reader(i)?, count, true, true)?,
                    count,
                ),
                false => Ok(vec![Vec::new(); count]),
            }
        };
        let mut tokens = list(3, columns.tokens)?.into_iter();
        let mut shingles = list(4, columns.shingles)?.into_iter();
        let mut print = prints.as_ref().map(|p| p.values.iter());
        for i in 0..count {
            let summary = match summaries.get(i) {
                Some(json) => serde_json::from_slice(json.data()).map_err(|e| {
                    SignedError::Shape(format!("row {}: summary: {e}", records.len()))
                })?,
                None => DocumentSummary::default(),
            };
            let fingerprint = match (&prints, &mut print) {
                (Some(prints), Some(print)) if prints.defined[i] != 0 => {
                    Some(*print.next().ok_or_else(|| short("fingerprint"))? as u64)
                }
                _ => None,
            };
            records.push(SignedRecord {
                doc: docs.values[i] as u32,
                summary,
                fingerprint,
                tokens: tokens.next().unwrap_or_default(),
                shingles: shingles.next().unwrap_or_default(),
            });
        }
    }
    Ok((header, records))
}

fn short(column: &str) -> SignedError {
    SignedError::Shape(format!("column {column} is shorter than its row count"))
}

/// Refuses a schema other than [`SCHEMA`], naming the first column that differs.
fn check_shape(theirs: &SchemaDescriptor) -> Result<(), SignedError> {
    let ours = SchemaDescriptor::new(schema());
    let describe = |s: &SchemaDescriptor| -> Vec<String> {
        s.columns()
            .iter()
            .map(|c| {
                format!(
                    "{} {} (levels {}/{})",
                    c.path().string(),
                    c.physical_type(),
                    c.max_def_level(),
                    c.max_rep_level()
                )
            })
            .collect()
    };
    let (t, o) = (describe(theirs), describe(&ours));
    if t == o {
        return Ok(());
    }
    let at = t.iter().zip(&o).position(|(t, o)| t != o);
    Err(SignedError::Shape(match at {
        Some(i) => format!("column {i} is {}, not {}", t[i], o[i]),
        None => format!("{} columns, not {}", t.len(), o.len()),
    }))
}

/// A column chunk read whole: its values and, where asked for, its levels.
struct Column<T> {
    values: Vec<T>,
    defined: Vec<i16>,
    repeated: Vec<i16>,
}

fn read_column<T: parquet::data_type::DataType>(
    reader: ColumnReader,
    rows: usize,
    levels: bool,
    lists: bool,
) -> Result<Column<T::T>, SignedError>
where
    T::T: Clone,
{
    let mut reader = T::get_column_reader(reader)
        .ok_or_else(|| SignedError::Shape("a column of another type".to_string()))?;
    let mut column = Column {
        values: Vec::new(),
        defined: Vec::new(),
        repeated: Vec::new(),
    };
    let mut read = 0;
    while read < rows {
        let (records, _, _) = reader.read_records(
            rows - read,
            levels.then_some(&mut column.defined),
            lists.then_some(&mut column.repeated),
            &mut column.values,
        )?;
        if records == 0 {
            return Err(SignedError::Shape(format!(
                "a column holds {read} rows of {rows}"
            )));
        }
        read += records;
    }
    if !levels && column.values.len() != rows {
        return Err(short("doc or summary"));
    }
    Ok(column)
}

/// Splits a list column back into one list a row.
fn lists(column: &Column<i64>, rows: usize) -> Result<Vec<Vec<u64>>, SignedError> {
    let mut out: Vec<Vec<u64>> = Vec::with_capacity(rows);
    let mut values = column.values.iter();
    for (&def, &rep) in column.defined.iter().zip(&column.repeated) {
        if rep == 0 {
            out.push(Vec::new());
        }
        if def == 1 {
            let value = values.next().ok_or_else(|| short("list"))?;
            let list = out
                .last_mut()
                .ok_or_else(|| SignedError::Shape("a list repeats before it starts".into()))?;
            list.push(*value as u64);
        }
    }
    if out.len() != rows {
        return Err(SignedError::Shape(format!(
            "a list column holds {} rows of {rows}",
            out.len()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(doc: u32, tokens: Vec<u64>, shingles: Vec<u64>) -> SignedRecord {
        SignedRecord {
            doc,
            summary: DocumentSummary {
                id: format!("doc-{doc}"),
                path: "corpus.jsonl".into(),
                record: Some(u64::from(doc) + 1),
                words: 40 + doc,
                lines: 3,
                boilerplate_lines: doc % 2,
                fingerprint: format!("{:016x}", u64::from(doc) * 7919),
                meta: serde_json::Map::new(),
            },
            fingerprint: (!doc.is_multiple_of(3)).then_some(u64::MAX - u64::from(doc)),
            tokens,
            shingles,
        }
    }

    #[test]
    fn signed_records_come_back_as_written_with_their_header() {
        // Empty lists at the start, middle and end of a row group; hashes above i64::MAX;
        // more rows than one row group holds.
        let mut records = vec![
            record(0, vec![], vec![]),
            record(1, vec![1, u64::MAX, 3], vec![]),
            record(2, vec![], vec![9, 1 << 63]),
        ];
        for doc in 3..(ROWS_PER_GROUP as u32 + 50) {
            let n = u64::from(doc % 5);
            records.push(record(
                doc,
                (0..n).collect(),
                (0..n * 2).map(|x| x * 31).collect(),
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sign.parquet");
        write_signed(std::fs::File::create(&path).unwrap(), &records, "{\"h\":1}").unwrap();
        let (header, read) =
            read_signed(std::fs::File::open(&path).unwrap(), Columns::ALL).unwrap();
        assert_eq!(header.as_deref(), Some("{\"h\":1}"));
        assert_eq!(read.len(), records.len());
        for (a, b) in read.iter().zip(&records) {
            assert_eq!(a.doc, b.doc);
            assert_eq!(a.summary, b.summary);
            assert_eq!(a.fingerprint, b.fingerprint);
            assert_eq!(a.tokens, b.tokens);
            assert_eq!(a.shingles, b.shingles);
        }
    }

    #[test]
    fn columns_not_asked_for_are_left_empty() {
        let records = vec![
            record(1, vec![1, 2], vec![3]),
            record(2, vec![4], vec![5, 6]),
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sign.parquet");
        write_signed(std::fs::File::create(&path).unwrap(), &records, "{}").unwrap();
        let shingles = Columns {
            shingles: true,
            ..Columns::DOC
        };
        let (_, read) = read_signed(std::fs::File::open(&path).unwrap(), shingles).unwrap();
        let got: Vec<_> = read
            .iter()
            .map(|r| (r.doc, r.shingles.clone(), r.tokens.len(), r.fingerprint))
            .collect();
        assert_eq!(got, [(1, vec![3], 0, None), (2, vec![5, 6], 0, None)]);
        assert!(read.iter().all(|r| r.summary == DocumentSummary::default()));
    }

    #[test]
    fn a_parquet_file_of_another_shape_is_refused_by_column() {
        let other = Arc::new(
            parse_message_type("message other { required int32 doc; required int64 summary; }")
                .unwrap(),
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.parquet");
        let file = std::fs::File::create(&path).unwrap();
        let writer = SerializedFileWriter::new(file, other, Default::default()).unwrap();
        writer.close().unwrap();
        let error = read_signed(std::fs::File::open(&path).unwrap(), Columns::ALL).unwrap_err();
        assert_eq!(
            error.to_string(),
            "column 1 is summary INT64 (levels 0/0), not summary BYTE_ARRAY (levels 0/0)"
        );
    }

    #[test]
    fn a_truncated_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sign.parquet");
        let records = vec![record(1, vec![1, 2], vec![3])];
        write_signed(std::fs::File::create(&path).unwrap(), &records, "{}").unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(read_signed(std::fs::File::open(&path).unwrap(), Columns::ALL).is_err());
    }
}
