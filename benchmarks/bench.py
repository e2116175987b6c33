"""`make bench`: every public page and fragment under wrk, cached / uncached / 304, at two catalog sizes.

For each size it recreates a PostgreSQL database (BENCH_DATABASE_URL with the size appended, default
llmref_bench_50 and llmref_bench_2000 on 127.0.0.1), migrates, writes a synthetic catalog (`generate_catalog`),
collects static files and starts gunicorn (2 workers, production settings: debug off, manifest static files) on
127.0.0.1:BENCH_PORT, the next size on the next port. Both servers run at once and are driven in turn, page by
page and mode by mode, with wrk from this process: 2 threads, BENCH_CONNECTIONS connections, BENCH_DURATION
seconds per measurement. Modes:

- cached: the same URL again and again (the page cache answers after the first request);
- uncached: a cache-busting query parameter the pages ignore (`_cb=`), so every request renders;
- 304: `If-None-Match` with the ETag the page sent.

It prints one Markdown table (requests/s, p50, p99, ratio to /healthz in the same run) and a few single-request
figures (sitemap time and memory, queries), and exits non-zero on any error or 5xx. Everything stays on loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
LUA = str(Path(__file__).resolve().parent / "wrk.lua")

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/llmref_bench")
PORT = int(os.environ.get("BENCH_PORT", "8020"))
DURATION = int(os.environ.get("BENCH_DURATION", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
# Uncached rows use fewer connections: 8 still keep both workers busy (the same requests/s), and the queue a
# slow page leaves behind when wrk stops (a sync worker answers every accepted request) stays short.
UNCACHED_CONNECTIONS = int(os.environ.get("BENCH_UNCACHED_CONNECTIONS", "8"))
STRESS_CONNECTIONS = 64
# models x providers. generate_catalog gives each model min(20, providers) offerings, so 20 providers at 50
# models keeps every model like one at 2,000 (20 offerings): what grows between the sizes is the catalog.
SIZES = [(int(m), int(p)) for m, p in (s.split("x") for s in os.environ.get("BENCH_SIZES", "50x20,2000x60").split(","))]
MODES = ("cached", "uncached", "304")
BASE = f"http://127.0.0.1:{PORT}"
HTMX = {"HX-Request": "true"}
RESULTS = {"HX-Target": "results"}
GZIP = {"Accept-Encoding": "gzip"}  # as crawlers ask for sitemaps


def server_env(database_url: str = DATABASE_URL) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LLMREF_", "REDIS_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DJANGO_LOG_LEVEL": "ERROR",
        # Plain http on loopback: production settings otherwise (a TLS proxy does the redirect in production).
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    return env


def manage(*args: str, database_url: str = DATABASE_URL) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=server_env(database_url), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def recreate_database(database_url: str = DATABASE_URL) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"refusing database name {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(database_url: str = DATABASE_URL) -> None:
    """Leave nothing behind: the benchmark database goes when the run ends, however it ends."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        return
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def prepare(models: int, providers: int, database_url: str = DATABASE_URL) -> str:
    recreate_database(database_url)
    manage("migrate", "--noinput", "-v0", database_url=database_url)
    started = time.monotonic()
    out = manage(
        "generate_catalog", "--models", str(models), "--providers", str(providers), "--seed", "1",
        database_url=database_url,
    )  # fmt: skip
    manage("collectstatic", "--noinput", "-v0", database_url=database_url)
    return f"{out.strip()} [wall {time.monotonic() - started:.1f} s incl. collectstatic]"


def get(path: str, headers: dict[str, str] | None = None, base: str = BASE) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Server:
    def __init__(self, port: int = PORT, database_url: str = DATABASE_URL):
        self.port, self.database_url = port, database_url
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "--log-level", "error"],
            cwd=ROOT,
            env=server_env(self.database_url),
            start_new_session=True,
        )
        for _ in range(100):
            try:
                if get("/healthz", base=self.base)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.__exit__()
        sys.exit("gunicorn did not answer /healthz")

    def __exit__(self, *exc) -> None:
        # The whole process group (its own session): the master and every worker, even if the master hangs.
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait()


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def drain(base: str = BASE) -> None:
    """Wait until the workers have answered what wrk left queued (a sync worker finishes every accepted request)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(base + "/healthz")
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not drain within 120 s")


def wrk(path: str, mode: str, headers: dict[str, str], connections: int = CONNECTIONS, base: str = BASE) -> Result:
    print(f"  {mode:8} {base}{path}", file=sys.stderr, flush=True)
    args = ["wrk", "-t2", f"-c{connections}", f"-d{DURATION}s", "--timeout", "10s", "-s", LUA, base, "--", path, mode]
    args += [f"{k}={v}" for k, v in headers.items()]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    drain(base)
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Result(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        requests=data["requests"],
    )


def pages(base: str = BASE) -> list[tuple[str, str, dict[str, str]]]:
    """(label, path, headers) of every public page and fragment, from the live catalog's URLs."""
    _, _, body = get("/sitemap-models.xml", base=base)
    slugs = sorted(re.findall(r"/models/([-a-zA-Z0-9_]+)/</loc>", body.decode()))
    _, _, body = get("/sitemap-providers.xml", base=base)
    provider = sorted(re.findall(r"/providers/([-a-zA-Z0-9_]+)/</loc>", body.decode()))[0]
    _, _, body = get("/changes/", base=base)
    changeset = re.search(r'href="/changes/(\d+)/"', body.decode()).group(1)
    a, b, c = slugs[len(slugs) // 3], slugs[len(slugs) // 2], slugs[2 * len(slugs) // 3]
    pair = f"/compare/{a}-vs-{b}/"
    return [
        ("home", "/", {}),
        ("explorer", "/models/", {}),
        (
            "explorer fragment (htmx)",
            "/models/?capability=reasoning&sort=cheapest_input",
            HTMX | {"HX-Target": "results"},
        ),
        ("model page", f"/models/{a}/", {}),
        ("pair page", pair, {}),
        ("pair pricing fragment (htmx)", pair + "?both=1", HTMX | {"HX-Target": "pricing-tables"}),
        ("pair cost fragment (htmx)", pair + "?in=1000000", HTMX | {"HX-Target": "cost-results"}),
        ("3-model page", f"/compare/{a}-vs-{b}-vs-{c}/", {}),
        ("compare index", "/compare/", {}),
        ("picker search (htmx)", "/compare/picker/?q=nova&for=a", HTMX),
        ("providers", "/providers/", {}),
        ("provider page", f"/providers/{provider}/", {}),
        ("changes", "/changes/", {}),
        ("change set", f"/changes/{changeset}/", {}),
        ("changes feed", "/changes/feed/", {}),
        ("sitemap index", "/sitemap.xml", GZIP),
        ("sitemap models", "/sitemap-models.xml", GZIP),
        ("sitemap pairs, page 1", "/sitemap-comparisons.xml", GZIP),
        ("robots.txt", "/robots.txt", {}),
    ]


PROBE = r"""
import json, time, tracemalloc
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
settings.PAGE_CACHE_ENABLED = False
client = Client(HTTP_HOST="127.0.0.1")
out = {}
for label, path in json.loads(PATHS):
    client.get(path)
    times = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        count = len(queries)  # now: every request clears the connection's query log (request_started)
    peak = None
    if label.startswith("sitemap"):  # memory is a target for the sitemaps; tracemalloc slows what it traces
        tracemalloc.start()
        client.get(path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    out[label] = {"status": response.status_code, "ms": sorted(times)[1], "queries": count,
                  "peak_mib": None if peak is None else peak / 2**20, "kib": len(response.content) / 1024}
print("PROBE " + json.dumps(out))
"""


def probe(paths: list[tuple[str, str]], database_url: str = DATABASE_URL) -> dict:
    """Single uncached requests in one process: time, queries, peak Python memory (tracemalloc)."""
    code = PROBE.replace("PATHS", repr(json.dumps(paths)))
    out = manage("shell", "-c", code, database_url=database_url)
    return json.loads(next(line for line in out.splitlines() if line.startswith("PROBE ")).removeprefix("PROBE "))


def sites() -> list[tuple[int, int, str, int]]:
    """(models, providers, database URL, port) of each size: one database and one server each."""
    parts = urlsplit(DATABASE_URL)
    return [
        (models, providers, urlunsplit(parts._replace(path=f"{parts.path}_{models}")), PORT + k)
        for k, (models, providers) in enumerate(SIZES)
    ]


def main() -> int:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (make bench installs the Debian package)")
    started = time.monotonic()
    table: dict[tuple[str, str], dict[int, Result]] = {}
    baseline: dict[int, Result] = {}
    notes: list[str] = []
    failures: list[str] = []
    probes: dict[int, dict] = {}
    try:
        measure(table, baseline, notes, failures, probes)
    finally:
        for _, _, database_url, _ in sites():
            drop_database(database_url)
    for (label, mode), by_size in table.items():
        for models, result in by_size.items():
            if result.errors:
                failures.append(f"{label} {mode} at {models} models: {result.errors} errors")

    print(render(table, baseline, probes, notes, time.monotonic() - started))
    if failures:
        print("\nFAILURES:\n" + "\n".join(failures))
        return 1
    return 0


def measure(table, baseline, notes, failures, probes) -> None:
    """Both sizes served at once (a database and a gunicorn each), measured in turn page by page and mode by
    mode: a drift of the machine's speed during the run moves both sizes' figures alike, so the ratios
    between them hold."""
    for models, providers, database_url, _ in sites():
        print(f"preparing {models} models / {providers} providers", file=sys.stderr, flush=True)
        notes.append(f"{models} models: {prepare(models, providers, database_url)}")
    with contextlib.ExitStack() as stack:
        servers = {models: stack.enter_context(Server(port, url)) for models, _, url, port in sites()}
        targets = {models: pages(server.base) for models, server in servers.items()}
        for models, server in servers.items():
            for label, path, headers in targets[models]:
                status, _, _ = get(path, headers, base=server.base)
                if status != 200:
                    failures.append(f"{label} {path} at {models} models answered {status}")
            baseline[models] = wrk("/healthz", "cached", {}, base=server.base)
        labels = [label for label, _, _ in targets[SIZES[0][0]]]
        for index, label in enumerate(labels):
            etags = {}
            for models, server in servers.items():
                _, path, headers = targets[models][index]
                _, response_headers, _ = get(path, headers, base=server.base)  # warm: cached mode measures hits
                etags[models] = response_headers.get("ETag", "")
            for mode in MODES:
                for models, server in servers.items():
                    _, path, headers = targets[models][index]
                    extra = {"If-None-Match": etags[models]} if mode == "304" else {}
                    connections = UNCACHED_CONNECTIONS if mode == "uncached" else CONNECTIONS
                    result = wrk(path, mode, headers | extra, connections=connections, base=server.base)
                    table[(label, mode)] = table.get((label, mode), {}) | {models: result}
        for models, server in servers.items():
            pair = next(path for label, path, _ in targets[models] if label == "pair page")
            for label, path in (("/healthz", "/healthz"), ("pair page, cached", pair)):
                result = wrk(path, "cached", {}, connections=STRESS_CONNECTIONS, base=server.base)
                notes.append(
                    f"{models} models, {STRESS_CONNECTIONS} connections, {label}: {result.rps:.0f} req/s, "
                    f"{result.requests} requests, {result.errors} errors"
                )
                if result.errors:
                    failures.append(f"{label} at {STRESS_CONNECTIONS} connections: {result.errors} errors")
    # Single requests: each size probed twice, in turn; the faster of the two medians is the page's cost.
    for _ in range(2):
        for models, _, database_url, _ in sites():
            paths = [(label, path) for label, path, headers in targets[models] if "HX-Request" not in headers]
            result = probe(paths, database_url)
            for label, figures in result.items():
                best = probes.setdefault(models, {}).get(label)
                if best is None or figures["ms"] < best["ms"]:
                    probes[models][label] = figures


def render(table, baseline, probes, notes, elapsed: float) -> str:
    sizes = [m for m, _ in SIZES]
    head = ["page", "mode"]
    for m in sizes:
        head += [f"{m}: req/s", f"{m}: x healthz", f"{m}: p50 ms", f"{m}: p99 ms"]
    lines = [
        f"# make bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"gunicorn 2 sync workers, wrk 2 threads x {CONNECTIONS} connections ({UNCACHED_CONNECTIONS} for uncached "
        f"rows) x {DURATION} s per row, PostgreSQL, production settings. Ratios are to `/healthz` in the same run "
        "at the same size.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    row = ["/healthz", "baseline"]
    for m in sizes:
        r = baseline[m]
        row += [f"{r.rps:.0f}", "1.00", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}"]
    lines.append("| " + " | ".join(row) + " |")
    for (label, mode), by_size in table.items():
        row = [label, mode]
        for m in sizes:
            r = by_size[m]
            row += [f"{r.rps:.0f}", f"{r.rps / baseline[m].rps:.2f}", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}"]
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "Single uncached requests in one process (Django test client, page cache off, uncompressed; the lower of",
        "two medians of 3, the sizes probed in turn; peak Python memory by tracemalloc in a fourth request, for the",
        "sitemaps only):",
        "",
    ]
    head = ["page"] + [f"{m}: {k}" for m in sizes for k in ("ms", "queries", "peak MiB", "KiB")]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label in probes[sizes[0]]:
        row = [label]
        for m in sizes:
            p = probes[m][label]
            peak = "" if p["peak_mib"] is None else f"{p['peak_mib']:.1f}"
            row += [f"{p['ms']:.1f}", str(p["queries"]), peak, f"{p['kib']:.0f}"]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", *[f"- {note}" for note in notes], f"- total run time {elapsed:.0f} s"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
