"""The command line the Spark and Ray drivers share."""

from __future__ import annotations

import argparse
import json
import sys


def parser(prog: str, doc: str, tasks: str, local: str) -> argparse.ArgumentParser:
    """The drivers' arguments; `tasks` names their flag for tasks a stage (--partitions,
    --blocks), `local` says what --local N starts."""
    p = argparse.ArgumentParser(prog=prog, description=doc.strip().splitlines()[0])
    p.add_argument("paths", nargs="+", help="files, directories or JSONL corpora")
    p.add_argument("-o", "--output", help="write the JSON report here (default: stdout)")
    p.add_argument(f"--{tasks}", type=int, default=0, help=f"{tasks} of each stage")
    p.add_argument("--local", type=int, metavar="N", help=local)
    p.add_argument(
        "--memory",
        default="6g",
        help="with --local on Spark: the JVM's memory (default 6g; 10g or more past a few hundred thousand documents)",
    )
    p.add_argument("--settings", default="{}", help='JSON, such as {"max_words": 1000}')
    p.add_argument(
        "--parquet",
        metavar="DIR",
        help="also write the report's tables (documents, pairs, clusters, conflicts) as Parquet",
    )
    return p


class EngineError(Exception):
    """The engine failed a job (out of memory, a lost worker): not a problem in the input."""


def run(main) -> int:
    """`main()`, with a problem in the input or the settings told in one line, exit code 2;
    an engine's failure in one line too (its log above has the rest), exit code 1."""
    try:
        return main()
    except (ValueError, OSError) as error:
        print(f"crosscheck: {error}", file=sys.stderr)
        return 2
    except EngineError as error:
        print(f"crosscheck: {error}", file=sys.stderr)
        return 1


def settings(args) -> dict:
    return json.loads(args.settings)


def write(args, report: str) -> None:
    """The report to --output, or to standard output; its tables to --parquet."""
    if args.parquet:
        from .batches import write_results

        write_results(report, args.parquet, args.settings)
    if args.output:
        with open(args.output, "w") as f:
            f.write(report)
    else:
        sys.stdout.write(report)
