"""Static PNG images of the report's figures, for slides and papers (``indgan report ... --png DIR``).

plotly's own static export (kaleido) needs a Chrome it downloads or finds at run time; indgan draws the same
figures with matplotlib instead, offline and without a browser. The figures are the report's plotly figures,
redrawn from their traces: lines, markers, filled bands, steps, bars, heatmaps, images, shaded condition bands
and the 0.5 marks, each subplot where plotly puts it. Interactive parts (hover, zoom) have no counterpart.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError, DataError

_LEFT, _WIDTH, _BOTTOM, _HEIGHT = 0.07, 0.9, 0.07, 0.82
_CMAPS = {"coloraxis": "RdBu_r", "coloraxis2": "PiYG"}


def _matplotlib():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ConfigError(
            "--png needs matplotlib (pip install 'indgan[report]' or pip install matplotlib); the HTML report does not."
        ) from None
    return Figure, FigureCanvasAgg


def _colour(c, default="#444444"):
    """A plotly colour string (``#rrggbb``, ``rgb(...)``, ``rgba(...)``) as matplotlib's RGBA tuple."""
    if c is None:
        return default
    if isinstance(c, str):
        m = re.fullmatch(r"rgba?\(([^)]*)\)", c.replace(" ", ""))
        if m:
            parts = [float(p) for p in m.group(1).split(",")]
            rgb = [p / 255.0 for p in parts[:3]]
            return (*rgb, parts[3] if len(parts) > 3 else 1.0)
    return c


def _values(v):
    """Trace coordinates as a NumPy array (None -> NaN / NaT)."""
    if v is None:
        return None
    arr = np.asarray(v)
    if arr.dtype == object:
        s = pd.Series(list(arr))
        if s.map(lambda e: isinstance(e, (pd.Timestamp, np.datetime64))).any():
            return pd.to_datetime(s).to_numpy()
        return pd.to_numeric(s, errors="coerce").to_numpy(np.float64)
    return arr


def _axis_key(name: str, letter: str) -> str:
    return letter + "axis" + name[1:]


def _dates(x, layout, xname: str):
    """Numbers on a plotly date axis are milliseconds since the epoch: as datetime64 for matplotlib."""
    if x is not None and layout[_axis_key(xname, "x")].type == "date" and x.dtype.kind in "fiu":
        return x.astype(np.float64).astype("datetime64[ms]")
    return x


def figure_to_png(fig, path, width: int = 1300, dpi: int = 100) -> Path:
    """Draw the plotly figure ``fig`` with matplotlib into the PNG file ``path`` (``width`` pixels wide, the
    plotly figure's height).

    Raises
    ------
    ConfigError
        matplotlib is not installed.
    """
    Figure, FigureCanvasAgg = _matplotlib()
    layout = fig.layout
    height = int(layout.height or 450)
    mfig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(mfig)
    axes: dict = {}

    def axis(xname: str, yname: str):
        key = (xname, yname)
        if key not in axes:
            xl, yl = layout[_axis_key(xname, "x")], layout[_axis_key(yname, "y")]
            xd = xl.domain if xl.domain else (0.0, 1.0)
            yd = yl.domain if yl.domain else (0.0, 1.0)
            ax = mfig.add_axes(
                [
                    _LEFT + xd[0] * _WIDTH,
                    _BOTTOM + yd[0] * _HEIGHT,
                    (xd[1] - xd[0]) * _WIDTH * 0.96,
                    (yd[1] - yd[0]) * _HEIGHT * 0.9,
                ]
            )
            ax.tick_params(labelsize=7)
            if xl.title and xl.title.text:
                ax.set_xlabel(xl.title.text, fontsize=8)
            if yl.title and yl.title.text:
                ax.set_ylabel(yl.title.text, fontsize=8)
            if yl.type == "log":
                ax.set_yscale("log")
            if yl.range is not None:
                ax.set_ylim(*yl.range)
            if xl.range is not None and xl.type != "date":
                ax.set_xlim(*xl.range)
            axes[key] = ax
        return axes[key]

    handles: dict = {}
    previous_y: dict = {}
    bars: dict = {}
    for tr in fig.data:
        xname, yname = getattr(tr, "xaxis", None) or "x", getattr(tr, "yaxis", None) or "y"
        ax = axis(xname, yname)
        kind = tr.type
        label = tr.name if (getattr(tr, "showlegend", None) is not False and tr.name) else None
        if kind in ("scatter", "scattergl"):
            x, y = _dates(_values(tr.x), layout, xname), _values(tr.y)
            if x is None or y is None or len(y) == 0 or (y.dtype.kind == "f" and np.isnan(y).all() and tr.fill is None):
                if label and tr.marker is not None and tr.marker.color is not None:  # a legend-only entry
                    handles.setdefault(label, ax.scatter([], [], marker="s", color=_colour(tr.marker.color)))
                continue
            line = tr.line
            colour = _colour(
                line.color
                if line is not None and line.color
                else (tr.marker.color if tr.marker is not None and isinstance(tr.marker.color, str) else None)
            )
            if tr.fill == "toself":  # closed polygons separated by gaps (the bands of filled gaps)
                yy = y.astype(np.float64)
                cuts = np.flatnonzero(~np.isfinite(yy))
                for a, b in zip(np.r_[0, cuts + 1], np.r_[cuts, len(yy)]):
                    if b - a > 2:
                        h = ax.fill(x[a:b], yy[a:b], color=_colour(tr.fillcolor, "#cccccc"), linewidth=0)[0]
                        if label:
                            handles.setdefault(label, h)
                previous_y[ax] = y
                continue
            if tr.fill in ("tozeroy", "tonexty"):
                base = previous_y.get(ax) if tr.fill == "tonexty" else np.zeros_like(y, dtype=np.float64)
                if base is not None and len(base) == len(y):
                    ok = np.isfinite(y.astype(np.float64)) & np.isfinite(base.astype(np.float64))
                    h = ax.fill_between(
                        x,
                        base.astype(np.float64),
                        y.astype(np.float64),
                        where=ok,
                        color=_colour(tr.fillcolor, "#cccccc"),
                        linewidth=0,
                        step="mid" if line is not None and line.shape == "hvh" else None,
                    )
                    if label:
                        handles.setdefault(label, h)
            mode = tr.mode or "lines"
            width_px = line.width if line is not None and line.width is not None else 1.5
            if "lines" in mode and width_px > 0:
                style = {"dash": "--", "dot": ":", "dashdot": "-."}.get(line.dash if line is not None else None, "-")
                (h,) = ax.plot(
                    x,
                    y,
                    color=colour,
                    linewidth=width_px * 0.8,
                    linestyle=style,
                    drawstyle="steps-mid" if line is not None and line.shape == "hvh" else "default",
                )
                if label:
                    handles.setdefault(label, h)
            if "markers" in mode:
                mc = tr.marker.color if tr.marker is not None and isinstance(tr.marker.color, str) else colour
                size = tr.marker.size if tr.marker is not None and tr.marker.size is not None else 5
                h = ax.scatter(x, y, s=size**2 * 0.6, color=_colour(mc), zorder=3)
                if label:
                    handles.setdefault(label, h)
            previous_y[ax] = y
        elif kind == "bar":
            bars.setdefault(ax, []).append((tr, label))
        elif kind == "heatmap":
            z = np.asarray(tr.z, dtype=np.float64)
            ca = tr.coloraxis or "coloraxis"
            cax = layout[ca] if ca in layout else None  # noqa: SIM401 (a plotly layout has no .get)
            lo = cax.cmin if cax is not None and cax.cmin is not None else np.nanmin(z)
            hi = cax.cmax if cax is not None and cax.cmax is not None else np.nanmax(z)
            im = ax.imshow(z, cmap=_CMAPS.get(ca, "viridis"), vmin=lo, vmax=hi, aspect="auto", interpolation="nearest")
            names = list(tr.x) if tr.x is not None else []
            if 0 < len(names) <= 40:
                ax.set_xticks(range(len(names)), names, rotation=90, fontsize=5)
                ax.set_yticks(range(len(names)), names, fontsize=5)
            else:
                ax.set_xticks([])
                ax.set_yticks([])
            mfig.colorbar(im, ax=ax, fraction=0.04, pad=0.01)
        elif kind == "image":
            from PIL import Image

            src = tr.source or ""
            if src.startswith("data:image"):
                img = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
                ax.imshow(np.asarray(img.convert("RGB")), interpolation="nearest")
            ax.set_axis_off()
    for ax, items in bars.items():
        cats = list(dict.fromkeys(c for tr, _ in items for c in list(tr.x)))
        pos = {c: i for i, c in enumerate(cats)}
        stacked = layout.barmode == "stack"
        w = 0.8 if stacked else 0.8 / len(items)
        bottom = np.zeros(len(cats))
        for k, (tr, label) in enumerate(items):
            xi = np.array([pos[c] for c in tr.x], dtype=np.float64)
            y = np.asarray(tr.y, dtype=np.float64)
            colour = _colour(tr.marker.color if tr.marker is not None else None)
            if stacked:
                h = ax.bar(xi, y, w, bottom=bottom[xi.astype(int)], color=colour)
                bottom[xi.astype(int)] += y
            else:
                h = ax.bar(xi - 0.4 + w * (k + 0.5), y, w, color=colour)
            if label:
                handles.setdefault(label, h)
        ax.set_xticks(range(len(cats)), cats, rotation=90, fontsize=6 if len(cats) > 20 else 7)
    _shapes(layout, axes)
    groups: dict = {}  # panels whose x axes plotly matches share their range
    for (xn, _), ax in axes.items():
        groups.setdefault(layout[_axis_key(xn, "x")].matches or xn, []).append(ax)
    for group in groups.values():
        if len(group) > 1:
            lims = np.array([ax.get_xlim() for ax in group])
            for ax in group:
                ax.set_xlim(lims[:, 0].min(), lims[:, 1].max())
    for ann in layout.annotations or ():
        if ann.xref == "paper" and ann.yref == "paper" and ann.text:
            mfig.text(_LEFT + ann.x * _WIDTH, _BOTTOM + ann.y * _HEIGHT, ann.text, ha="center", va="bottom", fontsize=9)
    if layout.title and layout.title.text:
        mfig.suptitle(layout.title.text, fontsize=11)
    if handles:
        mfig.legend(
            list(handles.values()),
            list(handles.keys()),
            loc="upper left",
            ncol=min(len(handles), 6),
            fontsize=8,
            frameon=False,
            bbox_to_anchor=(_LEFT, 1.0),
        )
    path = Path(path)
    mfig.savefig(path, format="png")
    return path


def _shapes(layout, axes: dict) -> None:
    """Rectangles (condition bands, open gaps) and horizontal lines (the 0.5 mark) of ``layout``."""
    for sh in layout.shapes or ():
        xref, yref = sh.xref or "x", sh.yref or "y"
        xname = xref.replace(" domain", "")
        if sh.type == "rect":
            if yref == "paper":  # a band across the whole figure (the shared-x panels of a trend)
                targets = list(axes.values())
            else:
                yname = yref.replace(" domain", "")
                targets = [ax for (_, yn), ax in axes.items() if yn == yname]
            x0, x1 = _dates(_values([sh.x0, sh.x1]), layout, xname)
            for ax in targets:
                ax.axvspan(x0, x1, color=_colour(sh.fillcolor, "#dddddd"), linewidth=0, zorder=0)
        elif sh.type == "line" and sh.y0 == sh.y1:
            yname = yref.replace(" domain", "")
            for (_, yn), ax in axes.items():
                if yn == yname:
                    ax.axhline(sh.y0, color="#555555", linestyle=":", linewidth=1)


def write_pngs(figures: list[tuple[str, object]], folder) -> list[Path]:
    """Each ``(name, plotly figure)`` as ``folder/NN_name.png``.

    Raises
    ------
    DataError
        The folder cannot be created or written.
    ConfigError
        matplotlib is not installed.
    """
    _matplotlib()
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"{folder}: cannot create the PNG folder ({exc.strerror or exc}); choose another --png."
        ) from None
    out = []
    for k, (name, fig) in enumerate(figures, 1):
        safe = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "figure"
        try:
            out.append(figure_to_png(fig, folder / f"{k:02d}_{safe}.png"))
        except OSError as exc:
            raise DataError(f"{folder}: cannot write {k:02d}_{safe}.png ({exc.strerror or exc}).") from None
    return out
