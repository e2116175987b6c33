"""`make loadtest`: 64 connections over a mix of pages, fragments and API calls, then the same while publishing.

It recreates the PostgreSQL database BENCH_DATABASE_URL, writes a synthetic catalog (LOADTEST_SIZE, models x
providers, default 2000x60), starts gunicorn (2 sync workers, production settings, page cache on, no Redis)
on 127.0.0.1:BENCH_PORT like `make bench`, and runs:

1. throughput: wrk, LOADTEST_CONNECTIONS (64) connections for LOADTEST_DURATION (30) seconds over the mix
   (public pages, htmx fragments, /api/v1/ calls, a few uncached pages): 0 errors and 0 5xx required;
2. consistency: the same number of connections from a Python client (threads, http.client) for the same time
   while benchmarks/publish.py, a separate process, applies a price change set every second through the
   review workflow (an editor proposes and submits, another account approves and so applies) and logs each
   applied revision with the prices it set. Every answer's `X-Catalog-Revision` is recorded; on the pages and
   API answers that show a tracked price, the prices are parsed from the HTML or the JSON and must equal the
   prices of that revision (no page mixing old and new values). Each applied revision must be visible within
   the cache refresh interval: the lag is the time from the apply's commit to the first answer carrying it,
   and no request sent more than the interval after a commit may carry an older revision.

It prints the figures as Markdown, exits non-zero on any failure, stops gunicorn and the publisher and drops
the database. The API's per-client rate limit is lifted for the run (one client address sends everything).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  the database, server and wrk helpers of `make bench`

HERE = Path(__file__).resolve().parent
MIX_LUA = str(HERE / "wrk_mix.lua")
SIZE = tuple(int(n) for n in os.environ.get("LOADTEST_SIZE", "2000x60").split("x"))
DURATION = int(os.environ.get("LOADTEST_DURATION", "30"))
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", "64"))
REFRESH = float(os.environ.get("LLMREF_PAGE_CACHE_REVISION_TTL", "1"))
# A request sent this long after a commit may still be answered by a worker whose memo was read just before
# it: the refresh interval, plus the few milliseconds between the publisher's commit and its clock reading.
VISIBLE_WITHIN = REFRESH + 0.05
HTMX = {"HX-Request": "true"}
INPUT_CELL = re.compile(r'data-label="Input">\s*\$([0-9,]+\.[0-9]+) / 1M')


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    uncached: bool = False
    tracked: tuple[str, ...] = ()  # model slugs whose tracked price this answer shows
    kind: str = "html"  # html or json


def mix(slugs: list[str], provider: str) -> list[Target]:
    a, b, c = slugs[len(slugs) // 3], slugs[len(slugs) // 2], slugs[2 * len(slugs) // 3]
    pair = f"/compare/{a}-vs-{b}/"
    return [
        Target("home", "/"),
        Target("explorer", "/models/"),
        Target("explorer fragment", "/models/?reasoning=on&sort=price", HTMX | {"HX-Target": "results"}),
        Target("model page", f"/models/{a}/", tracked=(a,)),
        Target("model page, other", f"/models/{b}/", tracked=(b,)),
        Target("pair page", pair, tracked=(a, b)),
        Target("pair pricing fragment", pair + "?both=1", HTMX | {"HX-Target": "pricing-tables"}, tracked=(a, b)),
        Target("pair cost fragment", pair + "?in=1000000", HTMX | {"HX-Target": "cost-results"}),
        Target("3-model page", f"/compare/{a}-vs-{b}-vs-{c}/"),
        Target("compare index", "/compare/"),
        Target("picker search", "/compare/picker/?q=nova&for=a", HTMX),
        Target("providers", "/providers/"),
        Target("provider page", f"/providers/{provider}/"),
        Target("changes", "/changes/"),
        Target("sitemap index", "/sitemap.xml"),
        Target("API models", "/api/v1/models?per_page=20", kind="json"),
        Target("API model", f"/api/v1/models/{a}", tracked=(a,), kind="json"),
        Target("API model, other", f"/api/v1/models/{b}", tracked=(b,), kind="json"),
        Target("API compare", f"/api/v1/compare/{a}/{b}", kind="json"),
        Target("API providers", "/api/v1/providers", kind="json"),
        Target("model page, uncached", f"/models/{a}/", uncached=True, tracked=(a,)),
        Target("pair page, uncached", pair, uncached=True, tracked=(a, b)),
    ]


def mix_file(targets: list[Target]) -> str:
    lines = []
    for t in targets:
        fields = [t.path, *(f"{k}={v}" for k, v in t.headers.items())]
        lines.append(("!" if t.uncached else "") + "\t".join(fields))
    with tempfile.NamedTemporaryFile("w", suffix=".mix", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
    return handle.name


def throughput(targets: list[Target]) -> dict:
    path = mix_file(targets)
    try:
        args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "10s", "-s", MIX_LUA, bench.BASE]
        out = subprocess.run([*args, "--", path], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    data = json.loads(next(line for line in out.splitlines() if line.startswith("LOAD ")).removeprefix("LOAD "))
    bench.drain()
    data["errors"] = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return data


# -- the consistency run -------------------------------------------------------------------------------------


@dataclass
class Answer:
    label: str
    sent: float
    received: float
    status: int
    revision: int | None
    prices: dict[str, Decimal] | None  # tracked key -> amount, for answers that show tracked prices
    body_revision: int | None = None  # a JSON body's own catalog_revision, when it has one
    error: str = ""


def html_prices(body: str, keys: dict[str, tuple[str, str]]) -> dict[str, Decimal]:
    """key -> the input price in the tracked provider's row of the model's pricing table on this page."""
    found = {}
    for key, (name, provider) in keys.items():
        caption = body.find(f"<caption>{escape(name)} prices by provider</caption>")
        if caption < 0:
            continue
        table = body[caption : body.find("</table>", caption)]
        row = table.find(f'href="/providers/{provider}/"')
        cell = INPUT_CELL.search(table, row) if row >= 0 else None
        if cell is not None:
            found[key] = Decimal(cell.group(1).replace(",", ""))
    return found


def json_prices(data: object, keys: dict[str, tuple[str, str]]) -> dict[str, Decimal]:
    found = {}
    if isinstance(data, dict) and "offerings" in data:
        for key, (_name, provider) in keys.items():
            if not key.startswith(f"{data.get('slug')} "):
                continue
            for offering in data["offerings"]:
                if offering["provider"]["slug"] != provider:
                    continue
                for price in offering["prices"]:
                    if (price["dimension"], price["tier"], price["context_threshold"]) == ("input", "standard", 0):
                        found[key] = Decimal(str(price["usd_per_million"]))
    return found


class Client:
    """CONNECTIONS threads, each sending the mix in turn from its own offset until told to stop."""

    def __init__(self, targets: list[Target], tracked: dict[str, tuple[str, str]]):
        self.targets = targets
        self.tracked = tracked
        self.answers: list[Answer] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def keys_for(self, target: Target) -> dict[str, tuple[str, str]]:
        return {k: v for k, v in self.tracked.items() if k.split(" ", 1)[0] in target.tracked}

    def run(self, seconds: float) -> None:
        threads = [threading.Thread(target=self.worker, args=(n,), daemon=True) for n in range(CONNECTIONS)]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=30)

    def worker(self, n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", bench.PORT, timeout=30)
        position, counter, mine = n * 7, 0, []
        while not self.stop.is_set():
            target = self.targets[position % len(self.targets)]
            position += 1
            path = target.path
            if target.uncached:
                counter += 1
                path += ("&" if "?" in path else "?") + f"_cb={n}-{counter}"
            sent = time.time()
            try:
                connection.request("GET", path, headers=target.headers)
                response = connection.getresponse()
                body = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                mine.append(Answer(target.label, sent, time.time(), 0, None, None, error=repr(error)))
                continue
            received = time.time()
            revision = response.getheader("X-Catalog-Revision")
            answer = Answer(target.label, sent, received, response.status, int(revision) if revision else None, None)
            keys = self.keys_for(target)
            if response.status == 200 and (keys or target.kind == "json"):
                if target.kind == "json":
                    data = json.loads(body)
                    answer.prices = json_prices(data, keys) if keys else None
                    if isinstance(data, dict) and isinstance(data.get("catalog_revision"), int):
                        answer.body_revision = data["catalog_revision"]
                else:
                    answer.prices = html_prices(body.decode(), keys)
                if keys and set(answer.prices or {}) != set(keys):
                    answer.error = f"tracked prices not found (found {sorted(answer.prices or {})})"
            mine.append(answer)
        connection.close()
        with self.lock:
            self.answers.extend(mine)


def read_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def consistency(targets: list[Target], names: dict[str, str]) -> tuple[dict, list[str]]:
    log = Path(tempfile.mkdtemp()) / "published.jsonl"
    slugs = sorted({slug for t in targets for slug in t.tracked})
    env = bench.server_env() | {"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    publisher = subprocess.Popen(
        [bench.PY, str(HERE / "publish.py"), str(log), str(DURATION), *slugs],
        cwd=bench.ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not read_log(log):
            if publisher.poll() is not None or time.monotonic() > deadline:
                sys.exit("the publisher did not start")
            time.sleep(0.1)
        initial = read_log(log)[0]
        tracked = {key: (names[key.split(" ", 1)[0]], key.split(" ", 1)[1]) for key in initial["prices"]}
        client = Client(targets, tracked)
        client.run(DURATION)
        code = publisher.wait(timeout=DURATION + 60)
    finally:
        if publisher.poll() is None:
            publisher.kill()
            publisher.wait()
    bench.drain()
    return check(client.answers, read_log(log), code)


def check(answers: list[Answer], published: list[dict], publisher_code: int) -> tuple[dict, list[str]]:
    failures = []
    if publisher_code != 0:
        failures.append(f"the publisher exited with {publisher_code}")
    prices_at = {line["revision"]: {k: Decimal(v) for k, v in line["prices"].items()} for line in published}
    applied = [line for line in published if not line.get("initial")]
    errors = [a for a in answers if a.status == 0]
    server_errors = [a for a in answers if a.status >= 500]
    other = [a for a in answers if a.status > 0 and a.status != 200]
    unnamed = [a for a in answers if a.status == 200 and a.revision is None]
    mixed, unknown, checked = [], [], 0
    for a in answers:
        if a.prices and a.revision is not None:
            expected = prices_at.get(a.revision)
            if expected is None:
                unknown.append(a)
                continue
            checked += 1
            if any(expected[key] != amount for key, amount in a.prices.items()):
                mixed.append(a)
    body_mismatch = [a for a in answers if a.body_revision is not None and a.body_revision != a.revision]
    missing_prices = [a for a in answers if a.error.startswith("tracked")]
    lags, stale = [], 0
    for line in applied:
        committed = line["committed_at"]
        seen = [a.received for a in answers if a.revision is not None and a.revision >= line["revision"]]
        if seen:
            lags.append(min(seen) - committed)
        stale += sum(
            1
            for a in answers
            if a.revision is not None and a.revision < line["revision"] and a.sent > committed + VISIBLE_WITHIN
        )
    for name, found in (
        ("connection errors", errors),
        ("5xx answers", server_errors),
        ("answers other than 200", other),
        ("200 answers without X-Catalog-Revision", unnamed),
        ("answers whose prices are not their revision's", mixed),
        ("answers at a revision the publisher did not log", unknown),
        ("JSON answers whose catalog_revision differs from the header", body_mismatch),
        ("answers whose tracked prices could not be parsed", missing_prices),
    ):
        if found:
            sample = "; ".join(f"{a.label} r{a.revision} {a.status} {a.error or a.prices}" for a in found[:3])
            failures.append(f"{len(found)} {name} (e.g. {sample})")
    if stale:
        failures.append(f"{stale} answers carried an older revision more than {VISIBLE_WITHIN:.2f} s after a commit")
    if len(applied) < DURATION // 2:
        failures.append(f"only {len(applied)} change sets applied in {DURATION} s")
    if len(lags) < len(applied) - 1:  # the last one may land after the client stopped
        failures.append(f"{len(applied) - len(lags)} applied revisions were never seen")
    latencies = sorted(a.received - a.sent for a in answers if a.status)
    span = max(a.received for a in answers) - min(a.sent for a in answers) if answers else 1
    figures = {
        "answers": len(answers),
        "rps": len(answers) / span,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0,
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else 0,
        "applied": len(applied),
        "revisions_seen": len({a.revision for a in answers if a.revision is not None}),
        "checked": checked,
        "by_label": Counter(a.label for a in answers if a.prices),
        "lag_p50_ms": 1000 * statistics.median(lags) if lags else None,
        "lag_max_ms": 1000 * max(lags) if lags else None,
        "stale": stale,
        "errors": len(errors),
        "5xx": len(server_errors),
        "mixed": len(mixed),
    }
    return figures, failures


def model_names(slugs: set[str]) -> dict[str, str]:
    names = {}
    for slug in slugs:
        status, _, body = bench.get(f"/api/v1/models/{slug}")
        if status != 200:
            sys.exit(f"/api/v1/models/{slug} answered {status}")
        names[slug] = json.loads(body)["name"]
    return names


def render(size: tuple[int, int], prepared: str, load: dict, figures: dict, elapsed: float) -> str:
    models, providers = size
    rps = load["requests"] / (load["duration_us"] / 1e6)
    lag = (
        f"median {figures['lag_p50_ms']:.0f} ms, max {figures['lag_max_ms']:.0f} ms"
        if figures["lag_max_ms"] is not None
        else "not measured"
    )
    checked = ", ".join(f"{label} {n}" for label, n in sorted(figures["by_label"].items()))
    return "\n".join(
        [
            f"# make loadtest, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            "",
            f"Machine: {os.cpu_count()} cores, gunicorn 2 sync workers, production settings, PostgreSQL, page cache "
            f"on (per-process memory, no Redis), revision refresh interval {REFRESH:g} s; {models} models, "
            f"{providers} providers. {CONNECTIONS} connections for {DURATION} s per run over a mix of "
            "public pages, htmx fragments, API calls and two uncached pages.",
            "",
            "| run | requests | requests/s | p50 ms | p99 ms | errors | 5xx |",
            "|---|---|---|---|---|---|---|",
            f"| throughput (wrk) | {load['requests']} | {rps:.0f} | {load['p50_us'] / 1000:.1f} | "
            f"{load['p99_us'] / 1000:.1f} | {load['errors']} | {load['5xx']} |",
            f"| while publishing (Python client) | {figures['answers']} | {figures['rps']:.0f} | "
            f"{figures['p50_ms']:.1f} | {figures['p99_ms']:.1f} | {figures['errors']} | {figures['5xx']} |",
            "",
            f"- Published: {figures['applied']} change sets (one a second, each changing 2 models' prices through "
            f"propose, submit, approve by another account, apply); {figures['revisions_seen']} distinct revisions "
            "seen by the client.",
            f"- Consistency: {figures['checked']} answers showing tracked prices checked against their revision's "
            f"prices ({checked}): {figures['mixed']} mixed.",
            f"- Visibility: lag from an apply's commit to the first answer carrying its revision: {lag}; "
            f"{figures['stale']} answers sent more than {VISIBLE_WITHIN:.2f} s after a commit carried an older "
            "revision.",
            f"- Catalog: {prepared}",
            f"- Total run time {elapsed:.0f} s.",
        ]
    )


def main() -> int:
    if not bench.shutil.which("wrk"):
        sys.exit("wrk is not installed (make loadtest installs the Debian package)")
    started = time.monotonic()
    os.environ["API_RATE_LIMIT"] = "1000000/s"  # one client address sends every request
    failures: list[str] = []
    try:
        print(f"preparing {SIZE[0]} models / {SIZE[1]} providers", file=sys.stderr, flush=True)
        prepared = bench.prepare(*SIZE)
        with bench.Server():
            _, _, body = bench.get("/sitemap-models.xml")
            slugs = sorted(re.findall(r"/models/([-a-zA-Z0-9_]+)/</loc>", body.decode()))
            _, _, body = bench.get("/sitemap-providers.xml")
            provider = sorted(re.findall(r"/providers/([-a-zA-Z0-9_]+)/</loc>", body.decode()))[0]
            targets = mix(slugs, provider)
            for t in targets:
                status, _, _ = bench.get(t.path, t.headers)
                if status != 200:
                    failures.append(f"{t.label} {t.path} answered {status}")
            names = model_names({slug for t in targets for slug in t.tracked})
            print(f"throughput: wrk, {CONNECTIONS} connections, {DURATION} s", file=sys.stderr, flush=True)
            load = throughput(targets)
            if load["errors"] or load["5xx"]:
                failures.append(f"throughput run: {load['errors']} errors, {load['5xx']} 5xx")
            print(f"consistency: {CONNECTIONS} connections, {DURATION} s, publishing", file=sys.stderr, flush=True)
            figures, found = consistency(targets, names)
            failures += found
    finally:
        bench.drop_database()
    print(render(SIZE, prepared, load, figures, time.monotonic() - started))
    if failures:
        print("\nFAILURES:\n" + "\n".join(f"- {f}" for f in failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
