"""The explorer's scatter of input price against context window (comparisons/charts.py, _scatter.html)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from comparisons.charts import ScatterItem, log_ticks, scatter_chart
from tests.factories import create_model, create_offering

D = Decimal


def item(name: str, price: str | None, context: int | None) -> ScatterItem:
    return ScatterItem(
        name=name, url=f"/models/{name.lower()}/", price=None if price is None else D(price), context_window=context
    )


class TestLogTicks:
    @pytest.mark.parametrize(
        ("low", "high", "expected"),
        [
            ("0.05", "75", ["0.01", "0.1", "1", "10", "100"]),
            ("1", "1", ["1", "2", "5", "10"]),  # one value: one decade, with 2 and 5 inside it
            ("0.10", "0.40", ["0.1", "0.2", "0.5", "1"]),
            ("0.1", "10", ["0.1", "1", "10"]),  # exact powers of ten are their own ticks
            ("8000", "10000000", ["1000", "10000", "100000", "1000000", "10000000"]),
            ("128000", "200000", ["100000", "200000", "500000", "1000000"]),
            ("0.000075", "0.0003", ["0.00001", "0.0001", "0.001"]),
        ],
    )
    def test_ticks_are_powers_of_ten_covering_the_values(self, low, high, expected):
        assert log_ticks(D(low), D(high)) == tuple(D(e) for e in expected)

    @pytest.mark.parametrize(("low", "high"), [("0", "1"), ("-1", "1"), ("2", "1")])
    def test_a_log_axis_refuses_zero_negative_and_reversed_ranges(self, low, high):
        with pytest.raises(ValueError):
            log_ticks(D(low), D(high))


class TestScatterChart:
    def test_points_sit_on_log_scales_inside_the_plot(self):
        chart = scatter_chart([item("Cheap", "0.10", 10_000), item("Mid", "1", 100_000), item("Dear", "10", 1_000_000)])
        xs = [float(p.cx) for p in chart.points]
        ys = [float(p.cy) for p in chart.points]
        # Equal ratios are equal steps: 10x the context and 10x the price move by the same distance each time.
        assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)
        assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2], abs=0.2)
        assert chart.plot_left <= min(xs) and max(xs) <= chart.plot_right
        assert chart.plot_top <= min(ys) and max(ys) <= chart.plot_bottom
        assert ys[0] > ys[2]  # dearer is higher up
        assert [t.label for t in chart.y_ticks] == ["$0.10", "$1", "$10"]
        assert [t.label for t in chart.x_ticks] == ["10K", "100K", "1M"]

    def test_each_point_links_to_its_model_and_names_both_values(self):
        (point,) = scatter_chart([item("Alpha", "0.075", 128_000)]).points
        assert point.url == "/models/alpha/"
        assert point.label == "Alpha: $0.075 input per 1M tokens, 128K context"

    def test_missing_prices_and_context_windows_are_left_out_and_counted(self):
        chart = scatter_chart(
            [
                item("Priced", "1", 8_000),
                item("Unpriced", None, 8_000),
                item("Unpriced too", None, None),
                item("No context", "1", None),
                item("Free", "0", 8_000),
            ]
        )
        assert [p.name for p in chart.points] == ["Priced"]
        assert chart.not_plotted == (
            "2 models without a sourced price are not plotted.",
            "1 model without a sourced context window is not plotted.",
            "1 model priced at $0 is not plotted (a log scale has no zero).",
        )
        assert chart.title == "Input price against context window, 1 model"

    def test_one_model_without_a_price_reads_in_the_singular(self):
        chart = scatter_chart([item("Priced", "1", 8_000), item("Unpriced", None, 8_000)])
        assert chart.not_plotted == ("1 model without a sourced price is not plotted.",)

    def test_nothing_to_plot_is_no_chart(self):
        assert scatter_chart([]) is None
        assert scatter_chart([item("Unpriced", None, 8_000)]) is None


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
class TestExplorerScatter:
    @pytest.fixture
    def catalog(self):
        for i, (price, context) in enumerate([("0.10", 128_000), ("2.50", 1_000_000), ("15", 200_000)]):
            model = create_model(name=f"Model {i}", slug=f"model-{i}", context_window=context)
            create_offering(model=model, input_price=D(price), output_price=D(price) * 4)
        create_model(name="Unpriced", slug="unpriced", context_window=32_000)

    def test_the_results_fragment_htmx_swaps_carries_the_scatter(self, client, catalog):
        html = client.get("/models/", **HTMX).content.decode()
        assert "<html" not in html
        assert '<figure class="chart scatter-chart">' in html
        assert html.count('<a href="/models/model-') == 3 * 2  # each model: its table row and its point
        assert "1 model without a sourced price is not plotted." in html

    def test_the_scatter_follows_the_filters(self, client, catalog):
        html = client.get("/models/", {"max_input_price": "1"}, **HTMX).content.decode()
        points = re.findall(r'<a href="([^"]+)" aria-label="[^"]+"><circle', html)
        assert points == ["/models/model-0/"]

    def test_accessible_structure(self, client, catalog):
        html = client.get("/models/").content.decode()
        svg = html[html.index("<svg") : html.index("</svg>")]
        assert 'role="group" aria-labelledby="scatter-title" aria-describedby="scatter-desc"' in svg
        assert '<title id="scatter-title">' in svg and '<desc id="scatter-desc">' in svg
        links = re.findall(r"<a [^>]*>", svg)
        assert len(links) == 3 and all('aria-label="Model ' in link for link in links)
        assert "style=" not in svg  # the CSP allows no style attributes
        assert html.index("<table") < html.index("<svg")  # the table, the text alternative, comes first

    def test_no_scatter_when_nothing_can_be_plotted(self, client):
        create_model(name="Unpriced", context_window=32_000)
        assert "scatter-chart" not in client.get("/models/").content.decode()

    def test_point_labels_are_escaped(self, client):
        model = create_model(name='<script>alert("x")</script>', slug="hostile", context_window=8_000)
        create_offering(model=model, input_price=D("1"), output_price=D("2"))
        html = client.get("/models/").content.decode()
        assert "<script>alert" not in html
        assert 'aria-label="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;: $1.00 input' in html
