"""The report page: one self-contained HTML file written with a jinja2 template.

plotly's JavaScript is embedded once in the page (:func:`plotly.offline.get_plotlyjs`), so the page opens
offline in any browser and fetches nothing; each figure is plotly's own ``to_html`` fragment. The only script
indgan adds is plotly's ``post_script`` hook: once ``Plotly.newPlot`` has drawn a figure, its ``<div>`` gets the
attribute ``data-indgan-rendered``, which is how the browser test knows every plot rendered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..errors import DataError

#: Set on a plot's div by plotly's post_script once the plot is drawn (checked by the browser test).
RENDERED_ATTRIBUTE = "data-indgan-rendered"
_POST_SCRIPT = f"document.getElementById('{{plot_id}}').setAttribute('{RENDERED_ATTRIBUTE}', '1');"

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
 body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1280px;
        padding: 0 24px 48px; color: #222; }
 h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 2em; }
 .meta { color: #666; font-size: 0.9em; }
 nav a { margin-right: 1em; }
 table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
 th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 10px; text-align: left; vertical-align: top; }
 td.num { text-align: right; font-variant-numeric: tabular-nums; }
 .note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 6px 12px; margin: 0.6em 0; }
 .caption { color: #555; font-size: 0.9em; margin: 0.2em 0 1.2em; }
 details summary { cursor: pointer; color: #1f5fa0; }
</style>
<script type="text/javascript">{{ plotlyjs | safe }}</script>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">{{ subtitle }} &middot; written by indgan {{ version }} on {{ when }}</p>
<nav>{% for s in sections %}<a href="#{{ s.anchor }}">{{ s.title }}</a>{% endfor %}</nav>
{% for s in sections %}
<section id="{{ s.anchor }}">
<h2>{{ s.title }}</h2>
{% if s.intro %}<p>{{ s.intro }}</p>{% endif %}
{% for item in s.items %}
{% if item.kind == "note" %}<p class="note">{{ item.text }}</p>
{% elif item.kind == "text" %}<p>{{ item.text }}</p>
{% elif item.kind == "table" %}
{% if item.collapsed %}<details><summary>{{ item.caption }}</summary>{% endif %}
<table><thead><tr>{% for h in item.header %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in item.rows %}<tr>{% for cell, num in row %}<td{% if num %} class=(
    "num"
){% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% if item.collapsed %}</details>{% elif item.caption %}<p class="caption">{{ item.caption }}</p>{% endif %}
{% elif item.kind == "figure" %}
{{ item.html | safe }}
{% if item.caption %}<p class="caption">{{ item.caption }}</p>{% endif %}
{% endif %}
{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""


@dataclass
class Item:
    """One thing on the page: ``kind`` is ``figure`` (``figure`` a plotly figure), ``table`` (``header``,
    ``rows``), ``text`` or ``note`` (``text``)."""

    kind: str
    text: str = ""
    figure: object = None
    name: str = ""
    caption: str = ""
    header: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    collapsed: bool = False
    html: str = ""


@dataclass
class Section:
    """A titled part of the page."""

    title: str
    intro: str = ""
    items: list[Item] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "".join(ch if ch.isalnum() else "-" for ch in self.title.lower())

    def figure(self, fig, name: str, caption: str = "") -> None:
        if fig is not None:
            self.items.append(Item("figure", figure=fig, name=name, caption=caption))

    def table(self, df: pd.DataFrame, caption: str = "", collapsed: bool = False, digits: int = 4) -> None:
        rows = []
        for rec in df.itertuples(index=False):
            row = []
            for v in rec:
                num = isinstance(v, (int, float)) and not isinstance(v, bool)
                if isinstance(v, float):
                    v = "" if math.isnan(v) else f"{v:.{digits}f}"
                row.append((v, num))
            rows.append(row)
        self.items.append(Item("table", header=list(df.columns), rows=rows, caption=caption, collapsed=collapsed))

    def text(self, text: str) -> None:
        self.items.append(Item("text", text=text))

    def note(self, text: str) -> None:
        self.items.append(Item("note", text=text))

    def figures(self) -> list[Item]:
        return [i for i in self.items if i.kind == "figure"]


def check_report_path(path, suffixes=(".html", ".htm")) -> Path:
    """Refuse a report path that cannot be written, before any work: a wrong suffix, a folder in the way, or a
    folder that cannot be written to.

    Raises
    ------
    DataError
        Naming the path and what to do.
    """
    import os

    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise DataError(f"{path}: a report is an HTML page; give a path ending in .html.")
    if path.is_dir():
        raise DataError(f"{path}: is a folder; give the report's file name, e.g. {path / 'report.html'}.")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise DataError(f"{path}: {parent} is a file, not a folder; choose another output path.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DataError(f"{path}: the folder {parent} is not writable; choose another output path.")
    if path.exists() and not os.access(path, os.W_OK):
        raise DataError(f"{path}: the file exists and is not writable; choose another output path.")
    return path


def render(sections: list[Section], title: str, subtitle: str = "") -> str:
    """The page as a string (every figure rendered by plotly's HTML writer, plotly.js embedded once)."""
    import jinja2
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    from .._version import __version__

    k = 0
    for s in sections:
        for item in s.figures():
            k += 1
            item.html = pio.to_html(
                item.figure,
                full_html=False,
                include_plotlyjs=False,
                div_id=f"plot-{k}",
                post_script=_POST_SCRIPT,
                config={"displaylogo": False, "responsive": True},
            )
    env = jinja2.Environment(autoescape=True)
    return env.from_string(_TEMPLATE).render(
        title=title,
        subtitle=subtitle,
        sections=[s for s in sections if s.items],
        plotlyjs=get_plotlyjs(),
        version=__version__,
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_page(sections: list[Section], path, title: str, subtitle: str = "") -> Path:
    """Write the page to ``path`` (parent folders created).

    Raises
    ------
    DataError
        The file cannot be written (naming it and the reason).
    """
    path = Path(path)
    text = render(sections, title, subtitle)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DataError(
            f"{path}: cannot write the report ({exc.strerror or exc}); choose another output path."
        ) from None
    return path


def n_plots(sections: list[Section]) -> int:
    """Plots on the page."""
    return sum(len(s.figures()) for s in sections if s.items)
