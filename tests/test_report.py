"""The HTML report (indgan.report): its data, its bad-input errors, the CLI, and the page in a real browser.

The browser test opens the generated page in headless Chromium (Debian's ``chromium``; ``.ci/run`` installs it)
and checks that every plot rendered and no script error occurred. It fails when Chromium is missing; set
``INDGAN_SKIP_BROWSER=1`` to skip it on purpose. Its screenshot is kept in ``$INDGAN_TEST_ARTIFACTS`` (default
``tests/artifacts/``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from indgan import DataError, GANImputer
from indgan.cli import cli
from indgan.report import data as rd
from indgan.report import figures as rf
from indgan.report import image_report, imputation_report, synthetic_report
from indgan.report.html import RENDERED_ATTRIBUTE

ARTIFACTS = Path(os.environ.get("INDGAN_TEST_ARTIFACTS") or Path(__file__).parent / "artifacts")


# ---------------------------------------------------------------------------------------------- report data
@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), min_size=1, max_size=3000), st.integers(1, 120))
def test_downsampling_keeps_every_bucket_extreme_and_gap(values, n_buckets):
    y = np.array(values)
    keep = rd.minmax_indices(y, n_buckets)
    assert np.all(np.diff(keep) > 0) and keep[0] == 0 and keep[-1] == len(y) - 1
    if len(y) <= 5 * n_buckets:
        assert len(keep) == len(y)
        return
    assert len(keep) <= 5 * n_buckets
    size = -(-len(y) // n_buckets)  # buckets of ceil(n / n_buckets) consecutive rows
    bucket = np.arange(len(y)) // size
    kept = np.zeros(len(y), bool)
    kept[keep] = True
    for b in range(bucket[-1] + 1):
        rows = bucket == b
        fin = rows & np.isfinite(y)
        if fin.any():  # the bucket's smallest and largest value are on the page
            assert np.nanmin(np.where(kept & fin, y, np.nan)) == y[fin].min()
            assert np.nanmax(np.where(kept & fin, y, np.nan)) == y[fin].max()
        if (rows & ~np.isfinite(y)).any():  # a gap still breaks the line
            assert (kept & rows & ~np.isfinite(y)).any()


def test_a_million_row_trend_stays_small():
    rng = np.random.default_rng(0)
    n = 1_000_000
    x = pd.date_range("2020-01-01", periods=n, freq="1s").to_numpy()
    y = np.cumsum(rng.normal(size=n))
    y[123_456] = 1e4  # a one-sample spike must survive downsampling
    fig = rf.trend_figure(
        [("real", x, {"a": y}, rf.REAL), ("synthetic", x, {"a": y[::-1].copy()}, rf.SYNTHETIC)], ["a"]
    )
    assert len(fig.to_json()) < 400_000
    assert max(np.max(np.asarray(t.y, dtype=np.float64)) for t in fig.data) == 1e4


def test_choose_tags_largest_variance_then_worst_never_flat():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({f"t{i}": rng.normal(0, i + 1, 200) for i in range(8)})
    df["flat"] = 3.0
    df["empty"] = np.nan
    tags = list(df.columns)
    assert rd.choose_tags(df, tags, k=3, worst=None) == ["t7", "t6", "t5"]
    chosen = rd.choose_tags(df, tags, k=4, worst=["flat", "empty", "t0", "t1", "t7"])
    assert chosen == ["t7", "t6", "t0", "t1"]  # 2 by variance, then the 2 worst that vary
    assert "flat" not in rd.choose_tags(df, tags, k=20) and len(rd.choose_tags(df, tags, k=20)) == 8


def test_status_rates_segments_and_spread(small, tiny_model):
    syn = tiny_model.sample(400, random_state=0)
    schema = tiny_model.schema_
    rates = rd.status_rates(schema.view(small), schema.view(syn), schema)
    bad = rates[(rates.tag == "tag70") & (rates.status == "Bad")].iloc[0]
    assert bad.real == pytest.approx((small["tag70"] == "Bad").mean())
    assert bad.synthetic == pytest.approx((syn["tag70"] == "Bad").mean())
    a, b, labels, cut = rd.condition_segments(["x", "x", "y", "y", "y", "x"])
    assert a.tolist() == [0, 2, 5] and b.tolist() == [1, 4, 5] and labels == ["x", "y", "x"] and not cut
    assert rd.condition_segments(list("abababab"), max_segments=3)[3]
    df = pd.DataFrame({"a": np.arange(100.0)})
    assert rd.spread_ratio(df, df * 0.01, ["a"]) == pytest.approx(0.01)


def test_training_curves_mark_the_balance_only_for_probabilities():
    hist = [
        {"epoch": k, "generator_loss": 1.0 / k, "critic_loss": 0.5, "extra_loss": 0.0, "d_real": 0.6, "d_fake": 0.4}
        for k in range(1, 6)
    ]
    prob = rf.training_figure(hist, "non-saturating")
    wgan = rf.training_figure(hist, "wgan-gp")
    halves = [s for s in prob.layout.shapes if s.type == "line" and s.y0 == s.y1 == 0.5]
    assert len(halves) == 1 and not [s for s in wgan.layout.shapes if s.type == "line"]
    assert {t.name for t in prob.data} == {"generator loss", "discriminator loss", "D(x), real", "D(G(z)), generated"}
    pre = rf.pretrain_figure({"embedding": [1.0, 0.5, 0.2], "supervised": [0.3, 0.1], "condition_classifier": []})
    assert [t.name for t in pre.data] == ["embedding", "supervised"] and rf.pretrain_figure({}) is None


# ---------------------------------------------------------------------------------------------- the reports
@pytest.fixture(scope="module")
def page(tmp_path_factory, small, tiny_model):
    """A synthetic-against-real report of the small plant-log slice (fitted model, PNGs too)."""
    folder = tmp_path_factory.mktemp("report")
    syn = tiny_model.sample(len(small), random_state=0)
    result = synthetic_report(small, syn, folder / "report.html", model=tiny_model)
    return result, syn


def test_report_is_one_self_contained_page(page):
    result, _ = page
    html = result.path.read_text()
    assert result.n_plots >= 6
    assert html.count(f"'{RENDERED_ATTRIBUTE}'") == result.n_plots  # one render marker per plot
    assert _external_references(html) == []  # plotly.js embedded, nothing fetched
    assert "Plotly.newPlot" in html and len(html) > 4e6  # ... it is in the page (about 4.8 MB of it)
    for words in (
        "quality score (all pairs)",
        "quality score (default thresholds)",
        "diagnostic score",
        "step-change score",
        "autocorrelation error",
        "Training",
        "Distributions",
        "Pairs",
    ):
        assert words in html, words
    assert result.path.stat().st_size < 10e6


def _external_references(html: str) -> list[str]:
    """Resources the page would fetch: scripts, styles, images or frames with a non-data URL."""
    found = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for k, v in attrs:
                if (
                    k in ("src", "href")
                    and v
                    and not v.startswith(("data:", "#"))
                    and tag in ("script", "link", "img", "iframe")
                ):
                    found.append(f"{tag} {v}")

    P().feed(html)
    return found


def test_different_columns_are_named_and_the_common_ones_reported(tmp_path, small, tiny_model):
    syn = tiny_model.sample(300, random_state=1).drop(columns=["tag95"]).assign(extra=1.0)
    result = synthetic_report(small, syn, tmp_path / "r.html")
    assert len(result.notes) == 1
    assert "only in real: tag95" in result.notes[0] and "only in synthetic: extra" in result.notes[0]
    html = result.path.read_text()
    assert "only in real: tag95" in html and result.n_plots >= 4


def test_bad_input_gives_one_line_errors(tmp_path, small, tiny_model, small_parquet):
    syn = tiny_model.sample(50, random_state=1)
    with pytest.raises(DataError, match="synthetic: the table has no rows"):
        synthetic_report(small, syn.iloc[:0], tmp_path / "r.html")
    with pytest.raises(DataError, match="no column in common"):
        synthetic_report(small, pd.DataFrame({"zzz": [1.0, 2.0]}), tmp_path / "r.html")
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(DataError, match="is a file, not a folder"):
        synthetic_report(small, syn, blocker / "r.html")
    with pytest.raises(DataError, match="ending in .html"):
        synthetic_report(small, syn, tmp_path / "r.parquet")
    # the CLI: exit status 1 and one line naming the file, before any work
    empty = tmp_path / "empty.csv"
    small.iloc[:0].to_csv(empty, index=False)
    r = CliRunner().invoke(cli, ["report", str(small_parquet), str(empty), "-o", str(tmp_path / "x.html")])
    assert r.exit_code == 1 and r.output.startswith("Error:") and len(r.output.strip().splitlines()) == 1, r.output
    assert "empty.csv" in r.output
    r = CliRunner().invoke(cli, ["report", str(small_parquet), str(small_parquet), "-o", str(blocker / "x.html")])
    assert r.exit_code == 1 and "afile is a file, not a folder" in r.output and len(r.output.strip().splitlines()) == 1


def test_cli_report_and_fit_report(tmp_path, small_parquet):
    model = tmp_path / "m.indgan"
    r = CliRunner().invoke(
        cli,
        [
            "fit",
            str(small_parquet),
            "--out",
            str(model),
            "--model",
            "tabular",
            "--epochs",
            "1",
            "--batch-size",
            "100",
            "--quiet",
            "--eval-rows",
            "200",
            "--report",
        ],
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "report.html").exists() and "wrote " + str(tmp_path / "report.html") in r.output
    syn = tmp_path / "syn.parquet"
    assert CliRunner().invoke(cli, ["sample", str(model), "-n", "200", "-o", str(syn)]).exit_code == 0
    out = tmp_path / "deep" / "page.html"
    r = CliRunner().invoke(
        cli,
        [
            "report",
            str(small_parquet),
            str(syn),
            "--model-file",
            str(model),
            "-o",
            str(out),
            "--png",
            str(tmp_path / "png"),
        ],
    )
    assert r.exit_code == 0, r.output
    n = int(re.search(r"(\d+) plots", r.output).group(1))
    pngs = sorted((tmp_path / "png").glob("*.png"))
    assert out.exists() and n >= 6 and len(pngs) == n  # a PNG of every figure
    from PIL import Image

    for p in pngs:
        with Image.open(p) as im:
            assert im.format == "PNG" and im.size[0] == 1300 and len(im.getcolors(1 << 20) or range(99)) > 8, p


def test_imputation_report_marks_fills_bands_and_open_gaps(tmp_path):
    t = np.arange(400)
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=400, freq="1min"),
            "a": np.sin(2 * np.pi * t / 100) + rng.normal(0, 0.05, 400),
            "b": np.cos(2 * np.pi * t / 100) + rng.normal(0, 0.05, 400),
        }
    )
    holed = df.copy()
    holed.loc[50:55, "a"] = np.nan
    holed.loc[200:229, "a"] = np.nan  # longer than max_gap: left open
    holed.loc[300:303, "b"] = np.nan
    imp = GANImputer(iterations=20, random_state=0, seq_len=32, max_gap=10).fit(holed)
    filled = imp.transform(holed)
    result = imputation_report(holed, filled, imp, tmp_path / "fill.html", n_draws=4)
    html = result.path.read_text()
    assert result.n_plots >= 4 and "Left open" in html and "1 outage(s) longer than max_gap" in html
    assert "10 filled" in html  # 6 cells of a and 4 of b; the 30 of the open outage stay missing
    figs = {i.name: i.figure for s in _sections_of(result) for i in s}
    trend = figs["filled_gaps"]
    bands = [tr for tr in trend.data if tr.fill == "toself"]
    assert len(bands) == 2  # one band trace per tag with filled cells
    assert any(sh.fillcolor.startswith("rgba(90,90,90") for sh in trend.layout.shapes)  # the open outage shaded
    markers = [tr for tr in trend.data if tr.name == "filled"]
    assert sorted(len(m.x) for m in markers) == [4, 6]


def _sections_of(result):
    return [[i for i in s.items if i.kind == "figure"] for s in result.sections]


def test_image_report(tmp_path):
    from indgan import ConditionalDCGAN
    from indgan.adapters.images import digits

    model = ConditionalDCGAN(features=8, epochs=1, batch_size=64, time_budget=None, random_state=0, verbose=False).fit(
        digits(28)
    )
    result = image_report(model, tmp_path / "img.html", walks=3, steps=5)
    html = result.path.read_text()
    images = [tr for figs in _sections_of(result) for i in figs for tr in i.figure.data if tr.type == "image"]
    assert result.n_plots == 3 and len(images) == 2 and "Mode-collapse signal" in html
    assert all(tr.source.startswith("data:image/png;base64,") for tr in images)  # embedded, not linked
    with pytest.raises(DataError):
        image_report(model, tmp_path / "img.txt")


# ---------------------------------------------------------------------------------------------- a real browser
def _chromium() -> str | None:
    if os.environ.get("INDGAN_SKIP_BROWSER") == "1":
        pytest.skip("INDGAN_SKIP_BROWSER=1: the browser test is skipped on purpose")
    for name in (os.environ.get("INDGAN_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    pytest.fail(
        "no Chromium found for the browser test: install Debian's chromium (apt-get install chromium; "
        ".ci/run does), point INDGAN_CHROMIUM at a Chrome, or set INDGAN_SKIP_BROWSER=1 to skip it on purpose."
    )


def _headless(binary: str, url: str, *extra: str) -> subprocess.CompletedProcess:
    """One headless Chromium run on ``url`` with a fresh profile; console messages go to stderr. (--dump-dom and
    --screenshot are separate runs: together they sometimes hang at exit.)"""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="indgan-chromium-") as profile:
        args = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--run-all-compositor-stages-before-draw",
            *extra,
            url,
        ]
        return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


class _Plots(HTMLParser):
    """Per plot div (``id="plot-N"``): whether it carries the render marker and holds plotly's ``main-svg``."""

    def __init__(self):
        super().__init__()
        self.plots, self.stack = {}, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div":
            pid = a.get("id") or ""
            if re.fullmatch(r"plot-\d+", pid):
                self.plots[pid] = {"rendered": a.get(RENDERED_ATTRIBUTE) == "1", "svg": 0}
                self.stack.append(pid)
            else:
                self.stack.append(None)
        elif tag == "svg" and "main-svg" in (a.get("class") or ""):
            for pid in reversed(self.stack):
                if pid:
                    self.plots[pid]["svg"] += 1
                    break

    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            self.stack.pop()


def _script_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line and re.search(r"Uncaught|Error", line)]


def test_every_plot_renders_in_a_real_browser_without_script_errors(page):
    binary = _chromium()
    result, _ = page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url = result.path.resolve().as_uri()
    dom = _headless(binary, url, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    parser = _Plots()
    parser.feed(dom.stdout)
    assert len(parser.plots) == result.n_plots, (len(parser.plots), result.n_plots)
    for pid, p in parser.plots.items():
        assert p["rendered"], f"{pid}: Plotly.newPlot did not finish"
        assert p["svg"] >= 1, f"{pid}: no main-svg element: the plot did not draw"
    assert _script_errors(dom.stderr) == []
    shot = ARTIFACTS / "report.png"
    if shot.exists():
        shot.unlink()
    r = _headless(binary, url, "--window-size=1400,6000", f"--screenshot={shot}")
    assert r.returncode == 0 and shot.exists() and shot.stat().st_size > 50_000, r.stderr[-2000:]
    assert _script_errors(r.stderr) == []


def test_the_browser_check_catches_a_script_error(tmp_path):
    binary = _chromium()
    broken = tmp_path / "broken.html"  # a page whose script fails: the check above must see it
    broken.write_text(
        "<!DOCTYPE html><html><body><div id='plot-1'></div><script>notAFunction();</script></body></html>"
    )
    dom = _headless(binary, broken.resolve().as_uri(), "--dump-dom")
    assert any("notAFunction" in line for line in _script_errors(dom.stderr)), dom.stderr[-3000:]
    parser = _Plots()
    parser.feed(dom.stdout)
    assert parser.plots == {"plot-1": {"rendered": False, "svg": 0}}
