"""Response times of the main API endpoints on the imported catalog (models.dev tree + LiteLLM file, applied).

Prepare the database once (BENCH_DATABASE_URL, default llmref_api on 127.0.0.1), with DATABASE_URL pointing at it:
either from the committed snapshot of the same two catalogs (about 30 s)

    manage.py migrate
    manage.py import_catalog llmref catalog/snapshot/public-catalog.json.gz --apply-undisputed

or from the two files themselves:

    manage.py migrate
    manage.py import_catalog models.dev ../shared/data/models.dev --revision f3fc692299671838c7c65fd8126bf84d81a2e817
    manage.py shell -c "$APPROVE"
    manage.py import_catalog litellm ../shared/data/litellm/model_prices_and_context_window.json --revision v1.110.2
    manage.py shell -c "$APPROVE"

where APPROVE approves the newest submitted change set as a system reviewer (the importer is its author):

    from catalog.models import ChangeSet
    from catalog.review.services import changeset_approve, system_user
    cs = ChangeSet.objects.filter(state="submitted").latest("id")
    print(changeset_approve(changeset=cs, user=system_user("bench-reviewer", reviewer=True), acknowledge_warnings=True))

(On 2026-12-02 the LiteLLM set conflicted at apply on 6 of its 9,266 items, new batch/flex rows of two Gemini
offerings checked against the standard prices the same set raises; those items were dropped by hand.)

then `python benchmarks/api_at_import_size.py [N]`: it starts gunicorn as `make bench` does (2 sync workers,
production settings) on that database and requests each URL N times (default 20) one after another, printing the
median and the slowest, uncached (a cache-busting `_cb=` parameter the API ignores, so every request is computed)
and cached (the same URL again: the page cache answers). Loopback only; nothing is written.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/llmref_api")
os.environ.setdefault("BENCH_PORT", "8147")

import bench  # noqa: E402  (reads BENCH_* at import)

_server_env = bench.server_env


def server_env(database_url: str = bench.DATABASE_URL) -> dict[str, str]:
    # Loopback plain HTTP: production sits behind a TLS proxy, so the HTTPS redirect is not what is timed.
    # One client sends every request: the API's rate limit (300/m per client IP) is lifted for the run.
    return _server_env(database_url) | {"DJANGO_SECURE_SSL_REDIRECT": "0", "API_RATE_LIMIT": "1000000/s"}


bench.server_env = server_env


def timed(path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    status, _headers, body = bench.get(path)
    return (time.perf_counter() - started) * 1000, status, len(body)


def urls() -> list[tuple[str, str]]:
    """(label, path): much-listed models and a pair, as the imported catalog names them."""
    _, _, body = bench.get("/api/v1/models?sort=largest_context&per_page=1")
    total = int(bench.json.loads(body)["total"])
    model, other = "gpt-4o", "claude-sonnet-4-5"
    litellm_id = urllib.parse.quote("bedrock/us-east-1/anthropic.claude-3-5-haiku-20241022-v1:0", safe="")
    return [
        (f"models (page 1 of {total} models, 50 a page)", "/api/v1/models"),
        (
            "models, filtered + sorted, 100 a page",
            "/api/v1/models?capability=reasoning&sort=cheapest_input&per_page=100",
        ),
        (f"model {model}", f"/api/v1/models/{model}"),
        ("model kimi-k2-6 (the most offerings: 59)", "/api/v1/models/kimi-k2-6"),
        (f"model {model} as_of", f"/api/v1/models/{model}?as_of={datetime.date.today()}"),
        (f"compare {model} / {other}", f"/api/v1/compare/{model}/{other}"),
        (f"quote {model}", f"/api/v1/quote?model={model}&cached_percent=20"),
        ("resolve (LiteLLM Bedrock id)", f"/api/v1/resolve?source=litellm&id={litellm_id}"),
        ("resolve (unmatched: 404)", "/api/v1/resolve?source=openrouter&id=nobody/nothing-like-it"),
        ("provider openrouter", "/api/v1/providers/openrouter"),
        ("export litellm.json", "/api/v1/export/litellm.json"),
        ("export models.dev.json", "/api/v1/export/models.dev.json"),
        (f"model feed {model}", f"/models/{model}/changes/feed/"),
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(f"database {bench.DATABASE_URL}, {n} requests per row, one at a time", file=sys.stderr)
    with bench.Server():
        rows = []
        for label, path in urls():
            sep = "&" if "?" in path else "?"
            uncached = [timed(f"{path}{sep}_cb={i}-{time.time_ns()}") for i in range(n)]
            bench.get(path)
            cached = [timed(path) for _ in range(n)]
            statuses = {s for _, s, _ in uncached + cached}
            size = uncached[-1][2]
            rows.append((label, statuses, size, [t for t, _, _ in uncached], [t for t, _, _ in cached]))
            print(f"  {label}", file=sys.stderr, flush=True)
    print("| endpoint | status | body | uncached median ms | uncached max ms | cached median ms |")
    print("|---|---|---|---|---|---|")
    for label, statuses, size, uncached, cached in rows:
        print(
            f"| {label} | {'/'.join(map(str, sorted(statuses)))} | {size / 1024:,.0f} KiB | "
            f"{statistics.median(uncached):,.0f} | {max(uncached):,.0f} | {statistics.median(cached):,.1f} |"
        )


if __name__ == "__main__":
    main()
