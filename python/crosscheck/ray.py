"""crosscheck's report on Ray: the Rust stages mapped over blocks with Ray Data
(``map_batches``, ``groupby().map_groups``), the small reductions on the driver with pyarrow.

    python -m crosscheck.ray PATH... --output report.json [--local CPUS]

or, from Python, ``crosscheck.ray.report(paths)`` inside ``ray.init()``. The report is byte
for byte what ``crosscheck report --format json PATH...`` writes (tests: python/tests).
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _cli, _native
from . import batches as B


def _table(dataset) -> pa.Table:
    import ray

    tables = [t for t in ray.get(dataset.to_arrow_refs()) if t.num_rows]
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="default")


def report(paths: list, settings: dict | None = None, blocks: int = 0) -> str:
    """The report of the collection under `paths`, as JSON text in the schema of
    ``crosscheck report --format json``. Call inside ``ray.init()``."""
    import ray

    settings = json.dumps(settings or {})
    blocks = blocks or max(2, int(ray.available_resources().get("CPU", 2)) * 2)
    min_documents, _ = _native.knobs(settings)
    files, walk_warnings = _native.list_inputs([str(p) for p in paths], settings)
    sources = B.read_sources(files)

    def mapped(dataset, fn, *args):
        return dataset.map_batches(
            lambda batch: fn(batch, *args), batch_format="pyarrow", zero_copy_batch=True
        )

    # Ingest: parse, then make ids unique and number the documents by id (on the driver).
    parsed = _table(mapped(ray.data.from_arrow(sources).repartition(blocks), B.parse, settings))
    docs_table, read_warnings, dedupe_warnings = B.number_documents(parsed)
    total = docs_table.num_rows
    docs = ray.data.from_arrow(docs_table).repartition(blocks).materialize()

    # Chrome: short lines in enough documents; the holders' sketches; the unrelated test.
    lines = _table(mapped(docs, B.lines, total, settings))
    candidates = []
    if lines.num_rows:
        grouped = lines.group_by("line").aggregate([("doc", "distinct")])
        for line, holders in zip(
            grouped.column("line").to_pylist(), grouped.column("doc_distinct").to_pylist()
        ):
            if len(holders) >= min_documents:
                candidates.append((line, sorted(holders)))
    candidates.sort()
    holders = {d for _, hs in candidates for d in hs}
    sketched = _table(mapped(docs, B.sketches, total, candidates, holders, settings))
    recurring = _native.recurring(
        candidates,
        [(r["doc"], r["story"], r["whole"]) for r in sketched.to_pylist()] if sketched.num_rows else [],
        settings,
    )

    # Sign, then candidate search: postings grouped by range of shingle hashes.
    signed_ds = mapped(docs, B.sign, total, recurring, settings).materialize()
    signed = _table(signed_ds)
    postings = mapped(signed_ds, B.postings, blocks)
    drawn = _table(
        postings.groupby("part").map_groups(
            lambda t: B.draw(t, total, settings), batch_format="pyarrow"
        )
    )
    tag = drawn.column("tag")
    records = drawn.filter(pc.equal(tag, 0)).select(["a", "b"])
    counted = records.group_by(["a", "b"]).aggregate([("a", "count")])
    counted = counted.rename_columns(["a", "b", "shared"])
    kept_rows = drawn.filter(pc.equal(tag, 1))
    kept_by_doc = np.zeros(total, dtype=np.int64)
    np.add.at(kept_by_doc, kept_rows.column("a").to_numpy(), kept_rows.column("b").to_numpy())
    lengths = np.zeros(total, dtype=np.int64)
    lengths[signed.column("doc").to_numpy()] = pc.list_value_length(signed.column("shingles")).to_numpy()
    a = counted.column("a").to_numpy()
    b = counted.column("b").to_numpy()
    table = pa.table(
        {
            "a": pa.array(a, pa.int32()),
            "b": pa.array(b, pa.int32()),
            "shared": counted.column("shared").cast(pa.int64()),
            "length_a": pa.array(lengths[a], pa.int32()),
            "kept_a": pa.array(kept_by_doc[a], pa.int32()),
            "length_b": pa.array(lengths[b], pa.int32()),
            "kept_b": pa.array(kept_by_doc[b], pa.int32()),
        },
        schema=B.COUNTED,
    )
    found = _table(mapped(ray.data.from_arrow(table).repartition(blocks), B.candidates, settings)) if table.num_rows else B.PAIRS.empty_table()
    with_print = signed.filter(pc.is_valid(signed.column("fingerprint")))
    groups = with_print.group_by("fingerprint").aggregate([("doc", "list")])
    same_docs, same_prints = [], []
    for fingerprint, members in zip(
        groups.column("fingerprint").to_pylist(), groups.column("doc_list").to_pylist()
    ):
        if len(members) >= 2:
            same_docs += members
            same_prints += [fingerprint] * len(members)
    identical = B.identical(same_docs, same_prints, settings)
    pairs = pa.concat_tables([found.cast(B.PAIRS), identical]).group_by(["a", "b"]).aggregate([])
    pairs = pairs.take(pc.sort_indices(pairs, [("a", "ascending"), ("b", "ascending")]))
    stats = {
        "postings": int(pc.sum(drawn.column("postings")).as_py() or 0),
        "oversized_buckets": int(pc.sum(drawn.column("oversized")).as_py() or 0),
        "shingle_pairs": records.num_rows,
        "touched_pairs": counted.num_rows,
        "candidates": pairs.num_rows,
    }

    # Verify: each pair with both its documents; the document frequencies broadcast.
    tokens = pc.list_flatten(signed.column("tokens"))
    df = pa.table({"token": tokens}).group_by("token").aggregate([("token", "count")])
    df_columns = (B._i64(df.column("token")), B._i32(df.column("token_count")))
    by_number = docs_table.take(pc.sort_indices(docs_table, [("number", "ascending")]))

    def joined(chunk: pa.Table) -> pa.Table:
        # One block of pairs with both their documents: a block at a time, since all the pairs'
        # documents at once overflow an Arrow binary column (2 GB) at 100,000 documents.
        columns = {}
        for side in ("a", "b"):
            side_rows = by_number.take(chunk.column(side))
            for f in B.DOCUMENTS:
                columns[f"{side}_{f.name}"] = side_rows.column(f.name)
        return pa.table(columns)

    chunks = [joined(pairs.slice(k, 4096)) for k in range(0, pairs.num_rows, 4096)]
    verifications_table = (
        _table(mapped(ray.data.from_arrow(chunks), B.verify, total, recurring, df_columns, settings))
        if chunks
        else B.VERIFIED.empty_table()
    )
    verifications = verifications_table.column("verification").to_pylist()

    # Components of the full duplicates: union-find on the driver (8 bytes an edge).
    verified = verifications_table
    edges = pa.table(
        {
            "a": pc.list_flatten(verified.column("full_a")),
            "b": pc.list_flatten(verified.column("full_b")),
        }
    ).cast(B.EDGES) if verified.num_rows else B.EDGES.empty_table()
    labels = B.components(edges, total)

    warnings = list(walk_warnings) + read_warnings + list(dedupe_warnings)
    return B.assemble(
        docs_table,
        total,
        warnings,
        signed.select(["doc", "summary"]),
        df_columns,
        stats,
        verifications,
        recurring,
        settings,
        labels,
        paths,
    )


def main(argv=None) -> int:
    import ray

    args = _cli.parser("crosscheck.ray", __doc__, "blocks", "start a local Ray of N CPUs").parse_args(argv)
    if args.local:
        ray.init(
            num_cpus=args.local,
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            log_to_driver=False,
        )
    else:
        ray.init()
    ray.data.DataContext.get_current().enable_progress_bars = False
    _cli.write(args, report(args.paths, _cli.settings(args), args.blocks))
    ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(_cli.run(main))
