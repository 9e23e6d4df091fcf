"""crosscheck's stages on Arrow record batches: what the Spark and Ray drivers map over.

Each function takes a ``pyarrow.RecordBatch`` (or ``Table``) of one stage's records and
returns a ``pyarrow.Table`` of the next; every one calls the Rust code that
``crosscheck report`` runs (``crosscheck._native``). Document numbers are int32, hashes int64
(the bits of Rust's u64). The schemas, as DDL strings for Spark and as Arrow schemas:
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _native

SOURCES = pa.schema(
    [
        ("order", pa.int32()),  # the file's place in crosscheck's reading order
        ("kind", pa.string()),  # "text", "html" or "jsonl" (one line of a corpus)
        ("path", pa.string()),
        ("id", pa.string()),  # a file's id; empty for a JSONL line (its record has one)
        ("record", pa.int64()),  # a JSONL line's 1-based number; null for a file
        ("data", pa.binary()),
    ]
)
PARSED = pa.schema(
    list(SOURCES) + [("parsed_id", pa.string()), ("warnings", pa.list_(pa.string()))]
)
DOCUMENTS = pa.schema(
    [
        ("number", pa.int32()),
        ("kind", pa.string()),
        ("path", pa.string()),
        ("id", pa.string()),
        ("record", pa.int64()),
        ("data", pa.binary()),
    ]
)
LINES = pa.schema([("line", pa.int64()), ("doc", pa.int32())])
SKETCHES = pa.schema(
    [("doc", pa.int32()), ("story", pa.list_(pa.int64())), ("whole", pa.list_(pa.int64()))]
)
SIGNED = pa.schema(
    [
        ("doc", pa.int32()),
        ("summary", pa.string()),
        ("fingerprint", pa.int64()),
        ("tokens", pa.list_(pa.int64())),
        ("shingles", pa.list_(pa.int64())),
    ]
)
POSTINGS = pa.schema(
    [("part", pa.int32()), ("shingle", pa.int64()), ("doc", pa.int32()), ("length", pa.int32())]
)
# tag 0: a pair record (a, b); tag 1: a document's kept shingles (a = doc, b = n);
# tag 2: a part's counts (postings, oversized).
DRAWN = pa.schema(
    [
        ("tag", pa.int8()),
        ("a", pa.int32()),
        ("b", pa.int32()),
        ("postings", pa.int64()),
        ("oversized", pa.int64()),
    ]
)
COUNTED = pa.schema(
    [
        ("a", pa.int32()),
        ("b", pa.int32()),
        ("shared", pa.int64()),
        ("length_a", pa.int32()),
        ("kept_a", pa.int32()),
        ("length_b", pa.int32()),
        ("kept_b", pa.int32()),
    ]
)
PAIRS = pa.schema([("a", pa.int32()), ("b", pa.int32())])
# A batch's verification (JSON) and its full duplicates (the edges of `components`).
VERIFIED = pa.schema(
    [("verification", pa.string()), ("full_a", pa.list_(pa.int32())), ("full_b", pa.list_(pa.int32()))]
)
EDGES = pa.schema([("a", pa.int32()), ("b", pa.int32())])
LABELS = pa.schema([("node", pa.int32()), ("root", pa.int32())])


def ddl(schema: pa.Schema) -> str:
    """The schema as Spark's DDL string."""
    names = {
        pa.int8(): "byte",
        pa.int32(): "int",
        pa.int64(): "long",
        pa.string(): "string",
        pa.binary(): "binary",
        pa.list_(pa.int64()): "array<long>",
        pa.list_(pa.int32()): "array<int>",
        pa.list_(pa.string()): "array<string>",
    }
    return ", ".join(f"{f.name} {names[f.type]}" for f in schema)


def _i64(column) -> bytes:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype="<i8").tobytes()


def _i32(column) -> bytes:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype="<i4").tobytes()


def _from_i64(data: bytes) -> pa.Array:
    return pa.array(np.frombuffer(data, dtype="<i8"), type=pa.int64())


def _from_i32(data: bytes) -> pa.Array:
    return pa.array(np.frombuffer(data, dtype="<i4"), type=pa.int32())


def _list(values: bytes, offsets: bytes) -> pa.Array:
    return pa.ListArray.from_arrays(_from_i32(offsets), _from_i64(values))


def _list_parts(column) -> tuple[bytes, bytes]:
    """A list<int64> column as (values, offsets), offsets from 0."""
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    offsets = np.asarray(column.offsets.to_numpy(), dtype="<i4")
    values = column.values.to_numpy(zero_copy_only=False)[offsets[0] : offsets[-1]]
    return np.asarray(values, dtype="<i8").tobytes(), (offsets - offsets[0]).tobytes()


def documents(batch) -> tuple:
    """A batch of DOCUMENTS rows as the native functions take them."""
    return (
        batch.column("number").to_pylist(),
        batch.column("kind").to_pylist(),
        batch.column("path").to_pylist(),
        batch.column("id").to_pylist(),
        batch.column("record").to_pylist(),
        batch.column("data").to_pylist(),
    )


def parse(batch, settings: str) -> pa.Table:
    """SOURCES -> PARSED: each row's document id (null when it makes none) and warnings."""
    kinds = batch.column("kind").to_pylist()
    paths = batch.column("path").to_pylist()
    records = batch.column("record").to_pylist()
    ids = [i or "" for i in batch.column("id").to_pylist()]
    data = batch.column("data").to_pylist()
    parsed, warnings = _native.parse(kinds, paths, ids, records, data, settings)
    columns = [batch.column(f.name) for f in SOURCES]
    columns += [pa.array(parsed, pa.string()), pa.array(warnings, pa.list_(pa.string()))]
    return pa.Table.from_arrays(columns, schema=PARSED)


def read_sources(files: list) -> pa.Table:
    """SOURCES rows of `files` ((path, id, kind) each, as `_native.list_inputs` lists them),
    read in this process: a text or HTML file whole, a JSONL corpus a line each (numbered from
    1, as crosscheck numbers a corpus's records)."""
    rows = {f.name: [] for f in SOURCES}

    def add(order, kind, path, ident, record, data):
        for name, value in zip(rows, (order, kind, path, ident, record, data)):
            rows[name].append(value)

    for order, (path, ident, kind) in enumerate(files):
        with open(path, "rb") as f:
            if kind != "jsonl":
                add(order, kind, path, ident, None, f.read())
                continue
            for number, line in enumerate(f, start=1):
                add(order, "jsonl", path, "", number, line.rstrip(b"\n"))
    return pa.table(rows, schema=SOURCES)


def number_documents(parsed: pa.Table) -> tuple:
    """PARSED rows, in any order -> DOCUMENTS in crosscheck's reading order, numbered from 0,
    their ids made unique as `report` makes them; with the parse warnings and the renaming
    warnings (JSON text each)."""
    parsed = parsed.take(pc.sort_indices(parsed, [("order", "ascending"), ("record", "ascending")]))
    read_warnings = [w for ws in parsed.column("warnings").to_pylist() for w in ws]
    kept = parsed.filter(pc.is_valid(parsed.column("parsed_id")))
    final_ids, numbers, dedupe_warnings = _native.dedupe(
        kept.column("parsed_id").to_pylist(),
        kept.column("path").to_pylist(),
        kept.column("record").to_pylist(),
    )
    docs = pa.Table.from_arrays(
        [
            pa.array(numbers, pa.int32()),
            kept.column("kind"),
            kept.column("path"),
            pa.array(final_ids, pa.string()),
            kept.column("record"),
            kept.column("data"),
        ],
        schema=DOCUMENTS,
    )
    return docs, read_warnings, list(dedupe_warnings)


def read_documents(paths: list, settings: str) -> tuple:
    """The collection under `paths` as DOCUMENTS, read and parsed in this process, with every
    warning of the walk, the reading and the renaming (JSON text each)."""
    files, walk_warnings = _native.list_inputs([str(p) for p in paths], settings)
    docs, read_warnings, dedupe_warnings = number_documents(parse(read_sources(files), settings))
    return docs, list(walk_warnings) + read_warnings + dedupe_warnings


def lines(batch, total: int, settings: str) -> pa.Table:
    """DOCUMENTS -> LINES."""
    line, doc = _native.lines(documents(batch), total, settings)
    return pa.Table.from_arrays([_from_i64(line), _from_i32(doc)], schema=LINES)


def sketches(batch, total: int, candidates: list, holders: set, settings: str) -> pa.Table:
    """DOCUMENTS -> SKETCHES of the documents among `holders`."""
    keep = pa.array([n in holders for n in batch.column("number").to_pylist()])
    batch = batch.filter(keep)
    rows = _native.sketches(documents(batch), total, candidates, settings) if len(batch) else []
    return pa.Table.from_pylist(
        [{"doc": d, "story": s, "whole": w} for d, s, w in rows], schema=SKETCHES
    )


def sign(batch, total: int, recurring: list, settings: str) -> pa.Table:
    """DOCUMENTS -> SIGNED."""
    doc, summaries, prints, tokens, shingles = _native.sign(
        documents(batch), total, recurring, settings
    )
    return pa.Table.from_arrays(
        [
            _from_i32(doc),
            pa.array(summaries, pa.string()),
            pa.array(prints, pa.int64()),
            _list(*tokens),
            _list(*shingles),
        ],
        schema=SIGNED,
    )


def postings(batch, parts: int) -> pa.Table:
    """SIGNED -> POSTINGS, each with its part of the shingle hashes."""
    values, offsets = _list_parts(batch.column("shingles"))
    part, shingle, doc, length = _native.postings(_i32(batch.column("doc")), values, offsets, parts)
    return pa.Table.from_arrays(
        [_from_i32(part), _from_i64(shingle), _from_i32(doc), _from_i32(length)],
        schema=POSTINGS,
    )


def draw(table: pa.Table, total: int, settings: str) -> pa.Table:
    """POSTINGS holding whole buckets (a partition of whole parts) -> DRAWN."""
    a, b, kept_doc, kept_n, count, oversized = _native.draw(
        _i64(table.column("shingle")),
        _i32(table.column("doc")),
        _i32(table.column("length")),
        total,
        settings,
    )
    pairs, kept = len(a) // 4, len(kept_doc) // 4
    zeros = lambda n: pa.array(np.zeros(n, dtype="<i8"), pa.int64())  # noqa: E731
    parts = [
        pa.Table.from_arrays(
            [pa.array(np.zeros(pairs, "i1"), pa.int8()), _from_i32(a), _from_i32(b), zeros(pairs), zeros(pairs)],
            schema=DRAWN,
        ),
        pa.Table.from_arrays(
            [pa.array(np.ones(kept, "i1"), pa.int8()), _from_i32(kept_doc), _from_i32(kept_n), zeros(kept), zeros(kept)],
            schema=DRAWN,
        ),
        pa.Table.from_pylist(
            [{"tag": 2, "a": 0, "b": 0, "postings": count, "oversized": oversized}], schema=DRAWN
        ),
    ]
    return pa.concat_tables(parts)


def candidates(batch, settings: str) -> pa.Table:
    """COUNTED -> PAIRS: the counted pairs that are candidates."""
    mask = _native.candidate_mask(
        _i64(batch.column("shared")),
        _i32(batch.column("length_a")),
        _i32(batch.column("kept_a")),
        _i32(batch.column("length_b")),
        _i32(batch.column("kept_b")),
        settings,
    )
    keep = pa.array(np.frombuffer(mask, dtype="u1").astype(bool))
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    return table.select(["a", "b"]).filter(keep).cast(PAIRS)


def identical(docs: list, fingerprints: list, settings: str) -> pa.Table:
    """Pairs of identical bodies among documents whose fingerprints are shared."""
    a, b = _native.identical(
        np.asarray(docs, "<i4").tobytes(), np.asarray(fingerprints, "<i8").tobytes(), settings
    )
    return pa.Table.from_arrays([_from_i32(a), _from_i32(b)], schema=PAIRS)


def verify(batch, total: int, recurring: list, df: tuple, settings: str) -> pa.Table:
    """Rows of a pair and both its documents (columns a_*, b_*) -> VERIFIED."""
    by_number = {}
    for side in ("a", "b"):
        for row in zip(*[batch.column(f"{side}_{f.name}").to_pylist() for f in DOCUMENTS]):
            by_number[row[0]] = row
    rows = [by_number[n] for n in sorted(by_number)]
    columns = tuple(list(c) for c in zip(*rows)) if rows else ([], [], [], [], [], [])
    tokens, counts = df
    out = _native.verify(
        _i32(batch.column("a_number")),
        _i32(batch.column("b_number")),
        columns,
        total,
        recurring,
        tokens,
        counts,
        settings,
    )
    a, b = _native.full_duplicates(out)
    row = {
        "verification": out,
        "full_a": np.frombuffer(a, "<i4").tolist(),
        "full_b": np.frombuffer(b, "<i4").tolist(),
    }
    return pa.Table.from_pylist([row], schema=VERIFIED)


def components(edges: pa.Table, total: int) -> pa.Table:
    """EDGES -> LABELS on one node (union-find): each document of a component of two or more,
    with the component's smallest document."""
    node, root = _native.components(_i32(edges.column("a")), _i32(edges.column("b")), total)
    return pa.Table.from_arrays([_from_i32(node), _from_i32(root)], schema=LABELS)


def assemble(
    docs: pa.Table | None,
    total: int,
    warnings: list,
    summaries: pa.Table,
    df: tuple,
    stats: dict,
    verifications: list,
    recurring: list,
    settings: str,
    labels: pa.Table | None = None,
    paths: list | None = None,
) -> str:
    """Everything above -> the report, as `crosscheck report --format json` gives it.
    `docs`: every document (DOCUMENTS), or None with `paths`, the local paths the collection
    was read from, for the Rust code to read it again (spilled to disk past 1 GB, as `report`
    does) rather than have every document pass through Python. `summaries`: the `doc` and
    `summary` columns of SIGNED; `df`: the document frequency of every token, as (token,
    count) columns in `verify`'s form."""
    summaries = summaries.combine_chunks()
    tokens, counts = df
    report = _native.assemble(
        None if docs is None else documents(docs),
        total,
        warnings,
        (_i32(summaries.column("doc")), summaries.column("summary").to_pylist()),
        (tokens, counts),
        json.dumps(stats),
        verifications,
        recurring,
        None if labels is None else (_i32(labels.column("node")), _i32(labels.column("root"))),
        settings,
        None if paths is None else [str(p) for p in paths],
    )
    return report  # JSON text, byte for byte what `crosscheck report --format json` writes


# The sign stage's files, which the CLI (`crosscheck stage sign`, `stage pairs`, ...) and this
# module share: `sign-I-of-N.parquet`, one row a document, the header `crosscheck stage`
# writes kept in the file's metadata, checked by whoever reads the file.
SIGN_HEADER_KEY = b"crosscheck"
_hashes = pa.list_(pa.field("element", pa.int64(), nullable=False))
SIGN_FILE = pa.schema(
    [
        pa.field("doc", pa.int32(), nullable=False),
        pa.field("summary", pa.string(), nullable=False),
        pa.field("fingerprint", pa.int64()),
        pa.field("tokens", _hashes, nullable=False),
        pa.field("shingles", _hashes, nullable=False),
    ]
)


def write_signed(table: pa.Table, directory: str, shard: tuple, total: int, settings: str) -> str:
    """SIGNED rows of shard (index, count) of a collection of `total` documents, as the file
    `crosscheck stage sign --shard INDEX/COUNT` writes in its work directory `directory`.
    Written whole under another name, then renamed: a retried task replaces it. Gives its path."""
    import os

    import pyarrow.parquet as pq

    index, count = shard
    header = _native.sign_header(settings, total, index, count)
    name = f"sign-{index}-of-{count}.parquet"
    path = os.path.join(directory, name)
    partial = os.path.join(directory, f".{name}.{os.getpid()}.partial")
    table = table.cast(SIGN_FILE).replace_schema_metadata({SIGN_HEADER_KEY: header.encode()})
    pq.write_table(table, partial, compression="snappy")
    os.replace(partial, path)
    return path


def read_signed(path: str, settings: str, total: int | None = None) -> pa.Table:
    """The SIGNED rows of a sign file (from `crosscheck stage sign` or `write_signed`), refused
    with ValueError, naming the file and what differs, if it was made with other settings, by
    another crosscheck, or of a collection of other than `total` documents."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    header = (table.schema.metadata or {}).get(SIGN_HEADER_KEY)
    _native.check_sign_header(path, header.decode() if header else None, settings, total)
    if table.schema.remove_metadata() != SIGN_FILE:
        raise ValueError(f"{path}: not a crosscheck sign file: its columns are {table.schema.names}")
    return table.replace_schema_metadata(None).cast(SIGNED)


# Results as Parquet: the report's tables, each file carrying the settings it was made with.
SETTINGS_KEY = b"crosscheck.settings"
VERSION_KEY = b"crosscheck.version"


def _effective(settings: str) -> str:
    """The settings as the files record them: every knob, defaults filled in."""
    return _native.settings_json(settings)


def result_tables(report: str) -> dict:
    """The report (JSON text) as tables: documents, pairs, clusters, conflicts."""
    r = json.loads(report)
    documents = pa.Table.from_pylist(
        [
            {k: d.get(k) for k in ("id", "path", "record", "words", "lines", "boilerplate_lines", "fingerprint")}
            for d in r["documents"]
        ],
        schema=pa.schema(
            [
                ("id", pa.string()),
                ("path", pa.string()),
                ("record", pa.int64()),
                ("words", pa.int64()),
                ("lines", pa.int64()),
                ("boilerplate_lines", pa.int64()),
                ("fingerprint", pa.string()),
            ]
        ),
    )
    pairs = pa.Table.from_pylist(
        [
            {
                "a": p["a"],
                "b": p["b"],
                "kind": p["kind"],
                "similarity": p["similarity"],
                "coverage_a": p["coverage_a"],
                "coverage_b": p["coverage_b"],
                "agreement": p.get("agreement"),
                "passages": json.dumps(p["passages"]),
            }
            for p in r["pairs"]
        ],
        schema=pa.schema(
            [
                ("a", pa.string()),
                ("b", pa.string()),
                ("kind", pa.string()),
                ("similarity", pa.float64()),
                ("coverage_a", pa.float64()),
                ("coverage_b", pa.float64()),
                ("agreement", pa.float64()),
                ("passages", pa.string()),  # JSON, as in the report
            ]
        ),
    )
    clusters = pa.Table.from_pylist(
        [
            {"cluster": k, "members": c["members"], "original": c.get("original"), "evidence": c["evidence"]}
            for k, c in enumerate(r["clusters"])
        ],
        schema=pa.schema(
            [
                ("cluster", pa.int64()),
                ("members", pa.list_(pa.string())),
                ("original", pa.string()),
                ("evidence", pa.string()),
            ]
        ),
    )
    side = lambda c, s: {f"{s}_{k}": c[s][k] for k in ("doc", "line", "text", "value", "sentence")}  # noqa: E731
    conflicts = pa.Table.from_pylist(
        [
            {"kind": c["kind"], **side(c, "a"), **side(c, "b"), "confidence": c["confidence"], "evidence": c.get("evidence")}
            for c in r["conflicts"]
        ],
        schema=pa.schema(
            [("kind", pa.string())]
            + [(f"{s}_{k}", pa.int64() if k == "line" else pa.string()) for s in "ab" for k in ("doc", "line", "text", "value", "sentence")]
            + [("confidence", pa.float64()), ("evidence", pa.string())]
        ),
    )
    return {"documents": documents, "pairs": pairs, "clusters": clusters, "conflicts": conflicts}


def write_results(report: str, directory: str, settings: str) -> list:
    """The report's tables as Parquet files in `directory` (documents.parquet, ...), each with
    the settings and crosscheck's version in its metadata. Gives the paths written."""
    import os

    import pyarrow.parquet as pq

    os.makedirs(directory, exist_ok=True)
    metadata = {SETTINGS_KEY: _effective(settings).encode(), VERSION_KEY: _native.__version__.encode()}
    written = []
    for name, table in result_tables(report).items():
        path = os.path.join(directory, f"{name}.parquet")
        pq.write_table(table.replace_schema_metadata(metadata), path)
        written.append(path)
    return written


def read_result(path: str, settings: str) -> pa.Table:
    """A table `write_results` wrote, refused (ValueError naming the file and the first setting
    that differs) if it was made with other settings or another crosscheck."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = table.schema.metadata or {}
    if VERSION_KEY not in meta or SETTINGS_KEY not in meta:
        raise ValueError(f"{path}: not written by crosscheck (no settings in its metadata)")
    if meta[VERSION_KEY].decode() != _native.__version__:
        raise ValueError(f"{path}: made by crosscheck {meta[VERSION_KEY].decode()}, this is {_native.__version__}")
    theirs, ours = json.loads(meta[SETTINGS_KEY]), json.loads(_effective(settings))
    for key in sorted(set(theirs) | set(ours)):
        if theirs.get(key) != ours.get(key):
            raise ValueError(f"{path}: made with other settings: {key} is {theirs.get(key)!r} there, {ours.get(key)!r} here")
    return table
