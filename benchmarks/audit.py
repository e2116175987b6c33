"""`make audit`: Lighthouse's four scores for every kind of page, on mobile and on desktop, against gunicorn with
production settings.

It builds a fresh SQLite database in a temporary folder (AUDIT_DATABASE_URL to use another), migrates, loads the
demo catalog, adds a submitted change set and a signed-in reviewer session (for the admin review page), collects
static files and starts gunicorn (2 workers; debug off, manifest static files, the strict CSP) on
127.0.0.1:AUDIT_PORT (default 8030). Lighthouse (npm `lighthouse`: LIGHTHOUSE, default .tools/npm; Chromium at
CHROME_PATH, default /usr/bin/chromium) then audits each page with its mobile (default) and desktop presets, one
run at a time. AUDIT_PAGES (page names below, comma-separated) audits only those.

Two production settings are off because Lighthouse speaks plain http to 127.0.0.1: the https redirect and the
Secure flag on cookies. Targets: 100 for accessibility, best practices and SEO, at least 95 for performance on
mobile. The SEO target does not apply to the 404 page and the admin pages (an error status and `Disallow: /admin/`
are what they should have). The table is printed, with each audit that kept a score below its target (the JSON
reports stay in .artifacts/lighthouse/); the exit status is 1 if any target is missed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
LIGHTHOUSE = os.environ.get("LIGHTHOUSE", str(ROOT / ".tools" / "npm" / "node_modules" / ".bin" / "lighthouse"))
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PORT = int(os.environ.get("AUDIT_PORT", "8030"))
BASE = f"http://127.0.0.1:{PORT}"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "bp", "seo": "seo"}
REPORTS = ROOT / ".artifacts" / "lighthouse"  # each run's JSON report, to read what kept a score down


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    indexable: bool = True  # the SEO target applies
    staff: bool = False
    status: int = 200


PAGES = [
    Page("home", "/"),
    Page("explorer", "/models/"),
    Page("explorer, filtered", "/models/?capability=vision&license_kind=proprietary&sort=newest"),
    Page("pair", "/compare/llama-3-2-1b-vs-o4-mini/"),
    Page("3 models", "/compare/claude-3-opus-vs-gpt-4o-vs-llama-3-2-1b/"),
    Page("4 models", "/compare/claude-sonnet-4-5-vs-gemini-2-5-pro-vs-gpt-4o-vs-llama-3-2-1b/"),
    Page("model", "/models/o4-mini/"),
    Page("provider", "/providers/openai-api/"),
    Page("changes", "/changes/"),
    Page("404", "/models/no-such-model/", indexable=False, status=404),
    Page("admin sign-in", "/admin/login/", indexable=False),
    Page("admin review", "", indexable=False, staff=True),  # path: the change set made below
]

# Run inside `manage.py shell`: a submitted change set and a reviewer's verified session; prints both.
SETUP = """
import datetime
import json
from decimal import Decimal
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from catalog.models import Offering, Price, Source
from catalog.review.services import EDITORS_GROUP, REVIEWERS_GROUP, ProposedChange, changeset_propose

editor = User.objects.create_user("audit-editor", is_staff=True)
editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
reviewer = User.objects.create_user("audit-reviewer", is_staff=True)
reviewer.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
device = TOTPDevice.objects.create(user=reviewer, name="audit", confirmed=True)
offering = Offering.objects.get(model__slug="o4-mini", provider__slug="openai-api")
row = Price.objects.get(offering=offering, dimension="input", tier="standard", context_threshold=0)
source = Source.objects.create(
    url="https://example.com/audit-pricing", title="Audit pricing page", retrieved_on=datetime.date.today()
)
change = ProposedChange("update", Price, values={"usd_per_million": Decimal("0.99")}, target=row, source=source)
changeset = changeset_propose(user=editor, change=change).changeset
changeset.submit(user=editor, summary="Audit: o4-mini input price")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(reviewer.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = reviewer.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.save()
cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
print(json.dumps({"review": changeset.get_admin_url(), "cookie": cookie}))
"""


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LLMREF_", "REDIS_URL", "DATABASE_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "audit-only-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DJANGO_LOG_LEVEL": "ERROR",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # Lighthouse speaks http to loopback
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
    }
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def status_of(path: str) -> int:
    try:
        with urllib.request.urlopen(BASE + path, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_for_server() -> bool:
    for _ in range(100):
        try:
            if status_of("/healthz") == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def lighthouse(url: str, desktop: bool, cookie: str, out: Path, error_status: bool = False) -> dict:
    command = [
        LIGHTHOUSE,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking",
    ]
    if desktop:
        command.append("--preset=desktop")
    if error_status:  # the 404 page: audit it anyway
        command.append("--ignore-status-code")
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    run = subprocess.run(
        command, env={**os.environ, "CHROME_PATH": CHROME_PATH}, capture_output=True, text=True, check=False
    )
    if run.returncode != 0 or not out.exists():
        sys.exit(f"lighthouse failed on {url}:\n{run.stderr[-2000:]}")
    return json.loads(out.read_text())


def below_target(report: dict, category: str, page: Page) -> list[str]:
    """The scored audits of a category that kept its score down (title and value). On an error page, Chrome's
    console message about the page's own status is what the page is for, so that one is left out."""
    audits = report["audits"]
    found = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if not ref.get("weight", 0) or audit.get("score") is None or audit["score"] >= 1:
            continue
        if ref["id"] == "errors-in-console" and page.status != 200 and _only_own_status(audit, report):
            continue
        found.append(f"{audit['title']} ({audit.get('displayValue') or audit['score']})")
    return found


def _only_own_status(audit: dict, report: dict) -> bool:
    items = (audit.get("details") or {}).get("items") or []
    page_url = report.get("finalDisplayedUrl") or report.get("requestedUrl")
    return bool(items) and all(
        (item.get("sourceLocation") or {}).get("url", item.get("url")) == page_url
        and "status of 404" in item.get("description", "")
        for item in items
    )


def targets(page: Page, desktop: bool) -> dict[str, int]:
    wanted = {"performance": 95 if not desktop else 0, "accessibility": 100, "best-practices": 100, "seo": 100}
    if not page.indexable:
        wanted["seo"] = 0
    return wanted


def audit_page(page: Page, path: str, form: str, cookie: str, misses: list[str], notes: set[str]) -> dict[str, int]:
    """One Lighthouse run: the four scores; what falls short of a target goes to `misses` (or, for the error
    page's own status only, to `notes`)."""
    desktop = form == "desktop"
    out = REPORTS / f"{re.sub(r'[^a-z0-9]+', '-', page.name.lower()).strip('-')}-{form}.json"
    report = lighthouse(BASE + path, desktop, cookie if page.staff else "", out, error_status=page.status != 200)
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    for category, target in targets(page, desktop).items():
        if scores[category] >= target:
            continue
        if reasons := below_target(report, category, page):
            misses.append(f"{page.name} ({form}) {category} {scores[category]} < {target}: " + "; ".join(reasons))
        else:
            notes.add(f"{page.name}: {category} {scores[category]}, only for its own status")
    return scores


def main() -> int:
    if not Path(LIGHTHOUSE).exists():
        sys.exit(f"{LIGHTHOUSE} is missing: `make audit` installs it (npm).")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="llmref-audit-") as folder:
        database_url = os.environ.get("AUDIT_DATABASE_URL", f"sqlite:///{folder}/audit.sqlite3")
        env = server_env(database_url)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo_catalog")
        made = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        manage(env, "collectstatic", "--noinput", "-v0")
        server = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{PORT}", "--log-level", "error"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            if not wait_for_server():
                sys.exit("gunicorn did not answer /healthz")
            REPORTS.mkdir(parents=True, exist_ok=True)
            rows, misses, notes = [], [], set()
            only = {name.strip() for name in os.environ.get("AUDIT_PAGES", "").split(",") if name.strip()}
            for page in PAGES:
                if only and page.name not in only:
                    continue
                path = made["review"] if page.staff else page.path
                scores = {}
                for form in ("mobile", "desktop"):
                    scores[form] = audit_page(page, path, form, made["cookie"], misses, notes)
                rows.append((page, path, scores))
                print(f"  {page.name}: mobile {scores['mobile']} desktop {scores['desktop']}", file=sys.stderr)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
    print(render(rows, time.monotonic() - started))
    for note in sorted(notes):
        print(f"Note: {note} (Chrome logs a 404 response as a console error).")
    if misses:
        print("\nBelow target:")
        for miss in misses:
            print(f"- {miss}")
        return 1
    print("\nEvery target met.")
    return 0


def render(rows, elapsed: float) -> str:
    head = " | ".join(f"{form} {SHORT[c]}" for form in ("mobile", "desktop") for c in CATEGORIES)
    lines = [
        f"Lighthouse {lighthouse_version()} (Chromium {CHROME_PATH}), gunicorn 2 workers, production settings, demo "
        f"catalog; {elapsed:.0f} s",
        "",
        f"| page | {head} |",
        "|---|" + "---:|" * (2 * len(CATEGORIES)),
    ]
    for page, path, scores in rows:
        cells = [str(scores[form][c]) for form in ("mobile", "desktop") for c in CATEGORIES]
        lines.append(f"| {page.name} (`{path}`) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def lighthouse_version() -> str:
    run = subprocess.run([LIGHTHOUSE, "--version"], capture_output=True, text=True, check=False)
    return run.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
