"""The explorer's results as CSV and JSON downloads, with its current filters."""

from __future__ import annotations

import csv
import io
import json

import pytest

from comparisons.exports import CSV_COLUMNS, spreadsheet_safe
from tests.factories import create_model, create_offering, create_organization

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


class TestExplorerExports:
    def test_csv_has_every_matching_model_with_the_filters_applied(self, client):
        meta = create_organization(slug="meta", name="Meta")
        create_offering(model=create_model(slug="llama", name="Llama", organization=meta), input_price="0.10")
        create_model(slug="other", name="Other")
        response = client.get("/models/export.csv?organization=meta&page=3")
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        (row,) = rows(response)
        assert list(row) == list(CSV_COLUMNS)
        assert (row["slug"], row["organization"], row["min_input_price"]) == ("llama", "Meta", "0.100000")
        assert row["url"] == "http://testserver/models/llama/"
        assert row["vision"] == ""  # not yet sourced: empty, not "false"

    def test_csv_neutralises_formulas(self, client):
        create_model(slug="evil", name='=HYPERLINK("http://evil.example","x")', family="+1", architecture="-")
        (row,) = rows(client.get("/models/export.csv"))
        assert row["name"].startswith("'=HYPERLINK")
        assert row["family"] == "'+1"

    @pytest.mark.parametrize(
        ("value", "cell"),
        [("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("-2", "'-2"), ("\tx", "'\tx"), ("ok", "ok"), (None, "")],
    )
    def test_spreadsheet_safe(self, value, cell):
        assert spreadsheet_safe(value) == cell

    def test_json_has_the_api_model_fields_and_says_what_was_ignored(self, client):
        create_offering(model=create_model(slug="a", context_window=200_000), input_price="1.5")
        create_model(slug="b", context_window=8_000)
        body = json.loads(client.get("/models/export.json?min_context=100000&sort=bogus").content)
        assert body["count"] == 1
        assert body["models"][0]["slug"] == "a"
        assert body["models"][0]["headline"]["min_input_price"] == "1.500000"
        assert [i["field"] for i in body["ignored"]] == ["Sort by"]

    def test_the_explorer_links_both_downloads_with_its_filters(self, client):
        create_model(slug="a", reasoning=True)
        html = client.get("/models/?capability=reasoning").content.decode()
        assert 'href="/models/export.csv?capability=reasoning"' in html
        assert 'href="/models/export.json?capability=reasoning"' in html

    @pytest.mark.parametrize("size", [1, 12])
    def test_queries_do_not_grow(self, client, django_assert_max_num_queries, size):
        for n in range(size):
            create_offering(model=create_model(slug=f"m-{n}"))
        with django_assert_max_num_queries(3):
            assert len(rows(client.get("/models/export.csv"))) == size
        with django_assert_max_num_queries(3):
            assert client.get("/models/export.json").json()["count"] == size
