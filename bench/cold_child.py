"""One fresh `archive query`, step by step, for bench/cold.py --phases.

    python bench/cold_child.py INDEX [QUERY] [--author A] [--from D] [--to D] [--sort S]

Runs what cli.query_command and search.search run, in their order, and prints one JSON object
{phase: [wall ms, CPU ms]}. Imports nothing before the archive but sys and time, so the import
phases are what `archive query` pays.
"""

import sys
import time


def main(index: str, argv: list[str]) -> None:
    marks = [(time.perf_counter(), time.process_time())]

    def mark() -> None:
        marks.append((time.perf_counter(), time.process_time()))

    import archive.cli  # noqa: F401

    mark()
    from archive import render
    from archive.search import find_versions, iter_hits, plan_search, run_plan, version_records

    mark()
    from archive.index import open_index
    from archive.models import SearchFilters

    query = argv[0] if argv and not argv[0].startswith("--") else None
    rest = argv[1:] if query is not None else argv
    opts = dict(zip(rest[::2], rest[1::2], strict=True))
    date_from = date_to = None
    if "--from" in opts or "--to" in opts:  # as the CLI: archive.dates only for a date bound
        from archive.dates import parse_date_bound

        date_from = parse_date_bound(opts["--from"])[0] if "--from" in opts else None
        date_to = parse_date_bound(opts["--to"])[1] if "--to" in opts else None
    filters = SearchFilters(
        authors=(opts["--author"],) if "--author" in opts else (),
        date_from=date_from,
        date_to=date_to,
        sort=opts.get("--sort"),
    )
    searcher = open_index(index).searcher()
    mark()
    plan = plan_search(searcher.schema, query, filters, searcher.reader())
    mark()
    _, ranked, _ = run_plan(searcher, plan, limit=10, page=1)
    mark()
    hits = list(iter_hits(searcher, plan, ranked, versions=False))
    mark()
    for hit, (_, docnum) in zip(hits, ranked, strict=True):
        stored = searcher.stored_fields(docnum)
        hit.versions = version_records(find_versions(searcher, docnum, stored))
    mark()
    terminal = render.Terminal.detect(None)
    for hit in hits:
        render.format_hit(hit, terminal=terminal)
    mark()
    import json

    names = ("import cli", "import search", "open index", "plan", "rank", "snippets",
             "versions", "render")  # fmt: skip
    phases = {
        name: [1000 * (b[0] - a[0]), 1000 * (b[1] - a[1])]
        for name, a, b in zip(names, marks[:-1], marks[1:], strict=True)
    }
    print(json.dumps(phases))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
