"""Audits of every kind of page on the demo catalog, by the real tools.

- axe-core (vendored: tests/e2e/vendor/axe.min.js) in Chromium finds no violation of any impact, in light and
  dark mode, at 1280 and 375 px;
- no page is wider than the screen at 375 and 320 px;
- screenshots of each page at 1280 and 375 px, light and dark, are saved to .artifacts/screenshots/ (gitignored)
  for people to look at;
- the Nu HTML Checker (vnu.jar from npm, run with Java; `make test` installs it into .tools/) finds no error in
  the HTML of the same pages, all checked in one run.

Pages: home, explorer (with and without filters), pair page, 3-model and 4-model pages, model page, provider page,
/changes/, a 404, the admin sign-in page and the admin review page of a submitted change set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from catalog.demo import load_demo_catalog
from catalog.models import ChangeSet, Offering
from catalog.review.services import REVIEWERS_GROUP
from tests.auth_support import sign_in
from tests.catalog.workflow_support import create_editor, create_user, recreate_groups, submitted_price_change

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / ".tools/npm/node_modules/vnu-jar/build/dist/vnu.jar"))
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"
WIDTHS = (1280, 375)
SCHEMES = ("light", "dark")
NARROWEST = 320


@dataclass(frozen=True)
class AuditPage:
    name: str
    path: str
    staff: bool = False  # seen signed in as a reviewer
    status: int = 200


def audited_pages(review_path: str) -> list[AuditPage]:
    return [
        AuditPage("home", "/"),
        AuditPage("explorer", "/models/"),
        AuditPage("explorer-filtered", "/models/?capability=vision&license_kind=proprietary&sort=newest"),
        AuditPage("pair", "/compare/llama-3-2-1b-vs-o4-mini/"),
        AuditPage("three-models", "/compare/claude-3-opus-vs-gpt-4o-vs-llama-3-2-1b/"),
        AuditPage("four-models", "/compare/claude-sonnet-4-5-vs-gemini-2-5-pro-vs-gpt-4o-vs-llama-3-2-1b/"),
        AuditPage("model", "/models/o4-mini/"),
        AuditPage("provider", "/providers/openai-api/"),
        AuditPage("changes", "/changes/"),
        AuditPage("not-found", "/models/no-such-model/", status=404),
        AuditPage("admin-login", "/admin/login/"),
        AuditPage("admin-review", review_path, staff=True),  # last: the browser stays signed in
    ]


def require(tool: str, present: bool) -> None:
    """Skip when an audit tool is missing, except in CI (E2E_REQUIRED=1), where it fails the run."""
    if present:
        return
    message = f"{tool} is missing: `make test` installs it (npm and Java needed)."
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def demo_site() -> Iterator[tuple[list[AuditPage], User]]:
    """The demo catalog, plus a submitted price change for the review page and a reviewer to see it."""
    recreate_groups()  # the flush after an earlier transactional test removed the data-migration groups
    load_demo_catalog()
    editor = create_editor("audit-editor")
    offering = Offering.objects.get(model__slug="o4-mini", provider__slug="openai-api")
    changeset: ChangeSet = submitted_price_change(editor=editor, offering=offering, price="0.99")
    reviewer = create_user("audit-reviewer", REVIEWERS_GROUP)
    yield audited_pages(changeset.get_admin_url()), reviewer


AXE_RUN = """async () => {
  // Every rule axe runs by default, plus target-size (WCAG 2.2 AA; off by default in axe, on in Lighthouse).
  const result = await axe.run(document, {resultTypes: ["violations"], rules: {"target-size": {enabled: true}}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(
      (n) => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n").slice(1, 3).join(" ")
    ),
  }));
}"""


def start_nu_check(pages: list[AuditPage], staff: Client, folder: Path) -> subprocess.Popen:
    """Fetch each page's HTML with the test client and start one Nu HTML Checker run over all of them."""
    require("Java", shutil.which("java") is not None)
    require(f"vnu.jar ({VNU_JAR})", VNU_JAR.exists())
    anonymous = Client()
    for audited in pages:
        response = (staff if audited.staff else anonymous).get(audited.path)
        assert response.status_code == audited.status, audited.path
        assert response["Content-Type"].startswith("text/html"), audited.path
        html = response.content.decode()
        assert not re.search(r"\shx-", html), f"{audited.path}: hx-* attributes are not valid HTML (use data-hx-*)"
        (folder / f"{audited.name}.html").write_text(html)
    files = sorted(folder.glob("*.html"))
    # --exit-zero-always: the JSON report, not the exit code, says what is wrong.
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always"]
    command += map(str, files)
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def nu_errors(run: subprocess.Popen) -> list[str]:
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr or stdout
    messages = json.loads(stderr or stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m.get('message')} {m.get('extract', '')!r}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]


def test_pages_pass_axe_and_the_nu_checker_fit_narrow_screens_and_are_photographed(
    browser, live_server, demo_site, tmp_path
):
    """One test, so the demo catalog loads once and the Nu checker (Java) runs while the browser works."""
    if connection.vendor != "sqlite":
        pytest.skip("The markup does not depend on the database: audited once, on SQLite (CI runs both).")
    pages, reviewer = demo_site
    staff = sign_in(Client(), reviewer)
    nu_run = start_nu_check(pages, staff, tmp_path)
    axe_source = AXE.read_text()
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": staff.cookies[settings.SESSION_COOKIE_NAME].value}
    cookie["url"] = live_server.url
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    problems: dict[str, object] = {}
    for scheme in SCHEMES:
        for width in WIDTHS:
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": width, "height": 900}, color_scheme=scheme
            )
            page = context.new_page()
            errors: list[str] = []

            def on_console(message, errors=errors) -> None:
                # A 404 page logs its own status as a failed load: that one is the point of the page.
                not_found = message.location.get("url", "").endswith("/models/no-such-model/")
                if message.type == "error" and not not_found:
                    errors.append(f"{message.location.get('url')}: {message.text}")

            page.on("console", on_console)
            for audited in pages:  # the staff pages come last: the browser stays signed in after them
                where = f"{audited.name} {width}px {scheme}"
                if audited.staff:
                    context.add_cookies([cookie])
                response = page.goto(audited.path)
                assert response is not None and response.status == audited.status, where
                page.evaluate(axe_source)
                if violations := page.evaluate(AXE_RUN):
                    problems[f"axe {where}"] = violations
                if (wide := page.evaluate("document.documentElement.scrollWidth")) > width:
                    problems[f"overflow {where}"] = f"{wide} px wide"
                if width == min(WIDTHS):
                    page.set_viewport_size({"width": NARROWEST, "height": 900})
                    if (wide := page.evaluate("document.documentElement.scrollWidth")) > NARROWEST:
                        problems[f"overflow {audited.name} {NARROWEST}px {scheme}"] = f"{wide} px wide"
                    page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=SCREENSHOTS / f"{audited.name}-{width}-{scheme}.png", full_page=True)
            if errors:
                problems[f"console {width}px {scheme}"] = errors
            context.close()
    if errors := nu_errors(nu_run):
        problems["Nu HTML Checker"] = errors
    assert problems == {}, json.dumps(problems, indent=1)
