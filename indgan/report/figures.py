"""The report's plotly figures, built from the arrays of :mod:`indgan.report.data` (no computation on the data
here beyond laying it out). Real is blue, synthetic orange, filled cells red throughout."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..losses import LOSSES
from .data import DEFAULT_BUCKETS, downsample

REAL, SYNTHETIC, FILLED, OBSERVED = "#1f77b4", "#ff7f0e", "#d62728", "#1f77b4"
PALETTE = [
    "rgba(31,119,180,0.16)",
    "rgba(44,160,44,0.18)",
    "rgba(214,39,40,0.16)",
    "rgba(148,103,189,0.18)",
    "rgba(140,86,75,0.18)",
    "rgba(227,119,194,0.18)",
    "rgba(127,127,127,0.18)",
    "rgba(188,189,34,0.2)",
    "rgba(23,190,207,0.18)",
    "rgba(255,127,14,0.16)",
]


def _layout(fig: go.Figure, height: int, title: str | None = None) -> go.Figure:
    # the legend on top of the page area (container coordinates), above the subplot titles
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 20, "t": 100 if title else 75, "b": 40},
        template="plotly_white",
        legend={"orientation": "h", "yref": "container", "yanchor": "top", "y": 1.0 if not title else 0.93, "x": 0},
        title={"text": title, "y": 0.98, "yanchor": "top"} if title else None,
    )
    return fig


def _x(x) -> tuple[np.ndarray, bool]:
    """Plot coordinates of ``x``: datetimes as float milliseconds since the epoch (what a plotly date axis reads;
    sent as a compact typed array instead of one ISO string per point), and whether they are dates."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.datetime64):
        ms = x.astype("datetime64[ms]")
        out = ms.astype(np.int64).astype(np.float64)
        out[np.isnat(ms)] = np.nan
        return out, True
    return x, False


def _y(y) -> np.ndarray:
    """Values as float32 (half the bytes of float64; NaN kept as a gap)."""
    return np.asarray(y, dtype=np.float32)


def _grid(n: int, cols: int = 3) -> tuple[int, int]:
    cols = max(1, min(cols, n))
    return -(-n // cols), cols


def training_figure(history: list[dict], loss: str, extra_name: str = "extra") -> go.Figure:
    """Generator and critic losses per record (left) and the mean ``D(x)``, ``D(G(z))`` (right; the 0.5 of the
    equilibrium marked for the probabilistic losses; raw critic scores for WGAN-GP).

    Parameters
    ----------
    history : list of dict
        :attr:`indgan.training.TrainingSummary.history`.
    """
    h = pd.DataFrame(history)
    prob = loss in LOSSES and LOSSES[loss].probabilistic  # D(x), D(G(z)) are probabilities (0.5 at equilibrium)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            f"losses ({loss})",
            "D(x) and D(G(z))" + ("" if prob else " (critic scores: WGAN-GP has no 0.5 balance)"),
        ),
    )
    x = h["epoch"] if "epoch" in h else np.arange(1, len(h) + 1)
    fig.add_trace(go.Scatter(x=x, y=h["generator_loss"], name="generator loss", line={"color": SYNTHETIC}), 1, 1)
    fig.add_trace(go.Scatter(x=x, y=h["critic_loss"], name="discriminator loss", line={"color": REAL}), 1, 1)
    if "extra_loss" in h and np.any(np.abs(h["extra_loss"].to_numpy(np.float64)) > 0):
        fig.add_trace(
            go.Scatter(x=x, y=h["extra_loss"], name=extra_name, line={"color": "#2ca02c", "dash": "dot"}), 1, 1
        )
    fig.add_trace(go.Scatter(x=x, y=h["d_real"], name="D(x), real", line={"color": REAL, "dash": "dash"}), 1, 2)
    fig.add_trace(
        go.Scatter(x=x, y=h["d_fake"], name="D(G(z)), generated", line={"color": SYNTHETIC, "dash": "dash"}), 1, 2
    )
    if prob:
        fig.add_hline(y=0.5, line={"color": "#555", "dash": "dot"}, annotation_text="0.5", row=1, col=2)
    fig.update_xaxes(title_text="record (epoch or 100 steps)")
    return _layout(fig, 380)


def pretrain_figure(pretrain: dict) -> go.Figure | None:
    """TimeGAN's non-adversarial phases: the mean loss of each record of each phase (log scale)."""
    items = [(k, v) for k, v in (pretrain or {}).items() if v]
    if not items:
        return None
    fig = go.Figure()
    for k, v in items:
        fig.add_trace(go.Scatter(x=np.arange(1, len(v) + 1), y=v, name=k.replace("_", " ")))
    fig.update_yaxes(type="log", title_text="loss")
    fig.update_xaxes(title_text="record (100 steps)")
    return _layout(fig, 320)


def distribution_figure(
    hist, tags: list[str], scores: dict | None = None, cols: int = 3, names: tuple[str, str] = ("real", "synthetic")
) -> go.Figure:
    """Real and synthetic densities of ``tags`` (one panel each; the title carries the column-shape score);
    ``names`` labels the two sides."""
    tags = [t for t in tags if t in hist.edges]
    rows, cols = _grid(len(tags), cols)
    titles = [f"{t}" + (f"  (shape {scores[t]:.2f})" if scores and t in scores else "") for t in tags]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=min(0.3 / rows + 0.04, 0.12))
    for i, t in enumerate(tags):
        r, c = i // cols + 1, i % cols + 1
        e = hist.edges[t]
        mid = (e[:-1] + e[1:]) / 2
        fig.add_trace(
            go.Scatter(
                x=mid,
                y=hist.real[t],
                name=names[0],
                legendgroup="real",
                showlegend=i == 0,
                line={"color": REAL, "shape": "hvh"},
                fill="tozeroy",
                fillcolor="rgba(31,119,180,0.2)",
            ),
            r,
            c,
        )
        fig.add_trace(
            go.Scatter(
                x=mid,
                y=hist.synthetic[t],
                name=names[1],
                legendgroup="synthetic",
                showlegend=i == 0,
                line={"color": SYNTHETIC, "shape": "hvh"},
            ),
            r,
            c,
        )
    return _layout(fig, 60 + 210 * rows)


def status_figure(rates: pd.DataFrame, max_bars: int = 40) -> go.Figure:
    """Share of rows holding each historian status string, real against synthetic."""
    r = rates.head(max_bars)
    label = r["tag"] + ": " + r["status"]
    fig = go.Figure(
        [
            go.Bar(x=label, y=r["real"], name="real", marker_color=REAL),
            go.Bar(x=label, y=r["synthetic"], name="synthetic", marker_color=SYNTHETIC),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="share of rows", tickformat=".1%")
    return _layout(fig, 360)


def trend_figure(
    series: list[tuple[str, np.ndarray, dict, str]], tags: list[str], n_buckets: int = DEFAULT_BUCKETS, shading=None
) -> go.Figure:
    """Trends of ``tags``, one panel each, one line per entry of ``series`` ``(name, x, {tag: y}, colour)``, each
    line cut to :func:`indgan.report.data.minmax_indices` (at most ``5 * n_buckets`` points).

    ``shading``: ``(x_start, x_end, labels)`` of condition segments, drawn as bands behind every panel, one
    colour per value (the scenario's condition schedule).
    """
    fig = make_subplots(
        rows=len(tags),
        cols=1,
        shared_xaxes=True,
        subplot_titles=tags,
        vertical_spacing=min(0.06, 0.3 / max(len(tags), 1)),
    )
    dates = False
    for i, t in enumerate(tags):
        for name, x, ys, colour in series:
            if t not in ys:
                continue
            xd, yd = downsample(x, ys[t], n_buckets)
            xd, dates = _x(xd)
            fig.add_trace(
                go.Scatter(
                    x=xd,
                    y=_y(yd),
                    name=name,
                    legendgroup=name,
                    showlegend=i == 0,
                    mode="lines",
                    line={"color": colour, "width": 1.2},
                    connectgaps=False,
                ),
                i + 1,
                1,
            )
    if dates:
        fig.update_xaxes(type="date")
    if shading is not None:
        x0, x1, labels = shading
        x0, x1 = _x(x0)[0].tolist(), _x(x1)[0].tolist()
        colours = {v: PALETTE[k % len(PALETTE)] for k, v in enumerate(dict.fromkeys(labels))}
        shapes = [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": a,
                "x1": b,
                "y0": 0,
                "y1": 1,
                "fillcolor": colours[v],
                "line_width": 0,
                "layer": "below",
            }
            for a, b, v in zip(x0, x1, labels)
        ]
        fig.update_layout(shapes=shapes)
        for v, col in colours.items():  # a legend entry per condition value
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=f"condition {v}",
                    marker={"size": 12, "symbol": "square", "color": _alpha(col, 0.5)},
                    legendgroup="cond",
                ),
                1,
                1,
            )
    return _layout(fig, 80 + 170 * len(tags))


def acf_figure(acf_real: np.ndarray, acf_syn: np.ndarray, tags: list[str], cols: int = 3) -> go.Figure:
    """Autocorrelation against lag for each tag, real and synthetic."""
    rows, cols = _grid(len(tags), cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=tags, vertical_spacing=min(0.3 / rows + 0.04, 0.12))
    lags = np.arange(1, acf_real.shape[0] + 1)
    for i, t in enumerate(tags):
        r, c = i // cols + 1, i % cols + 1
        fig.add_trace(
            go.Scatter(
                x=lags, y=acf_real[:, i], name="real", legendgroup="real", showlegend=i == 0, line={"color": REAL}
            ),
            r,
            c,
        )
        fig.add_trace(
            go.Scatter(
                x=lags,
                y=acf_syn[:, i],
                name="synthetic",
                legendgroup="synthetic",
                showlegend=i == 0,
                line={"color": SYNTHETIC},
            ),
            r,
            c,
        )
    fig.update_yaxes(range=[-1.05, 1.05])
    return _layout(fig, 60 + 210 * rows)


def acf_error_figure(per_tag: pd.DataFrame, max_bars: int = 60) -> go.Figure:
    """Per tag the mean |ACF difference| (lags 1..12) and one minus the step-change score, worst first."""
    d = per_tag.sort_values("autocorrelation_error", ascending=False).head(max_bars)
    fig = go.Figure(
        [
            go.Bar(
                x=d["tag"], y=d["autocorrelation_error"], name="autocorrelation error (0 best)", marker_color=SYNTHETIC
            ),
            go.Bar(x=d["tag"], y=1.0 - d["step_change"], name="1 - step-change score (0 best)", marker_color=REAL),
        ]
    )
    fig.update_layout(barmode="group")
    return _layout(fig, 340)


def daily_figure(prof_real: pd.DataFrame, prof_syn: pd.DataFrame, tags: list[str], cols: int = 3) -> go.Figure:
    """Mean per hour of the day with the 10-90 % band, real and synthetic."""
    rows, cols = _grid(len(tags), cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=tags, vertical_spacing=min(0.3 / rows + 0.04, 0.12))
    for i, t in enumerate(tags):
        r, c = i // cols + 1, i % cols + 1
        for name, prof, colour, fill in (
            ("real", prof_real, REAL, "rgba(31,119,180,0.15)"),
            ("synthetic", prof_syn, SYNTHETIC, "rgba(255,127,14,0.15)"),
        ):
            if t not in prof.columns.get_level_values(0):
                continue
            h = prof.index.to_numpy()
            fig.add_trace(
                go.Scatter(
                    x=h, y=prof[(t, "q90")], line={"width": 0}, showlegend=False, legendgroup=name, hoverinfo="skip"
                ),
                r,
                c,
            )
            fig.add_trace(
                go.Scatter(
                    x=h,
                    y=prof[(t, "q10")],
                    line={"width": 0},
                    fill="tonexty",
                    fillcolor=fill,
                    showlegend=False,
                    legendgroup=name,
                    hoverinfo="skip",
                ),
                r,
                c,
            )
            fig.add_trace(
                go.Scatter(
                    x=h, y=prof[(t, "mean")], name=name, legendgroup=name, showlegend=i == 0, line={"color": colour}
                ),
                r,
                c,
            )
    fig.update_xaxes(range=[0, 23], dtick=6, title_text="hour of day")
    return _layout(fig, 60 + 220 * rows)


def heatmap_figure(names: list[str], corr_real: np.ndarray, corr_syn: np.ndarray) -> go.Figure:
    """Correlation heatmaps: real, synthetic (shared scale -1..1) and synthetic minus real."""
    fig = make_subplots(
        rows=1, cols=3, subplot_titles=("real", "synthetic", "synthetic - real"), horizontal_spacing=0.06
    )
    z = [_y(corr_real), _y(corr_syn), _y(corr_syn - corr_real)]
    for k in range(3):
        fig.add_trace(
            go.Heatmap(
                z=z[k],
                x=names,
                y=names,
                coloraxis="coloraxis" if k < 2 else "coloraxis2",
                hovertemplate="%{y} / %{x}: %{z}<extra></extra>",
            ),
            1,
            k + 1,
        )
    fig.update_layout(
        coloraxis={
            "colorscale": "RdBu",
            "cmin": -1,
            "cmax": 1,
            "reversescale": True,
            "colorbar": {"x": 0.64, "len": 0.9, "title": "r"},
        },
        coloraxis2={"colorscale": "PiYG", "cmin": -1, "cmax": 1, "colorbar": {"x": 1.0, "len": 0.9, "title": "diff"}},
    )
    fig.update_yaxes(autorange="reversed", showticklabels=len(names) <= 40)
    fig.update_xaxes(showticklabels=len(names) <= 40)
    return _layout(fig, 460)


def imputation_figure(
    x,
    observed: dict,
    filled: dict,
    lower: dict,
    upper: dict,
    tags: list[str],
    open_gaps: dict | None = None,
    n_buckets: int = DEFAULT_BUCKETS,
) -> go.Figure:
    """Each tag's trend with the filled cells highlighted and the spread of multiple imputations as a band.

    Parameters
    ----------
    x : numpy.ndarray
        ``(n_rows,)`` time (or row number) of every row.
    observed : dict
        ``{tag: (n_rows,) float}`` the observed values (NaN where missing), drawn downsampled.
    filled : dict
        ``{tag: (positions, values)}`` the filled cells.
    lower, upper : dict
        ``{tag: (n_filled,)}`` the 5th and 95th percentiles of the draws at those cells (or None).
    open_gaps : dict, optional
        ``{tag: [(x_start, x_end), ...]}`` outages left missing (longer than ``max_gap``): shaded grey.
    """
    fig = make_subplots(
        rows=len(tags),
        cols=1,
        shared_xaxes=True,
        subplot_titles=tags,
        vertical_spacing=min(0.06, 0.3 / max(len(tags), 1)),
    )
    x, dates = _x(x)
    shapes = []
    for i, t in enumerate(tags):
        xd, yd = downsample(x, observed[t], n_buckets)
        fig.add_trace(
            go.Scatter(
                x=xd,
                y=_y(yd),
                mode="lines",
                name="observed",
                legendgroup="obs",
                showlegend=i == 0,
                line={"color": OBSERVED, "width": 1.1},
                connectgaps=False,
            ),
            i + 1,
            1,
        )
        pos, val = filled[t]
        if len(pos):
            keep = pos if len(pos) <= 20 * n_buckets else pos[np.linspace(0, len(pos) - 1, 20 * n_buckets).astype(int)]
            sel = np.searchsorted(pos, keep)
            xs = x[keep]
            if lower.get(t) is not None:
                bx, by = _band(xs, np.asarray(lower[t])[sel], np.asarray(upper[t])[sel], keep)
                fig.add_trace(
                    go.Scatter(
                        x=bx,
                        y=by,
                        mode="lines",
                        line={"width": 0},
                        fill="toself",
                        fillcolor="rgba(214,39,40,0.3)",
                        name="5-95 % of the draws",
                        legendgroup="band",
                        showlegend=i == 0,
                        hoverinfo="skip",
                    ),
                    i + 1,
                    1,
                )
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=_y(np.asarray(val)[sel]),
                    mode="markers",
                    name="filled",
                    legendgroup="fill",
                    showlegend=i == 0,
                    marker={"color": FILLED, "size": 4},
                ),
                i + 1,
                1,
            )
        for a, b in (open_gaps or {}).get(t, []):
            a, b = (float(v) for v in _x([a, b])[0])
            yref = "y domain" if i == 0 else f"y{i + 1} domain"
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": yref,
                    "x0": a,
                    "x1": b,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": "rgba(90,90,90,0.25)",
                    "line_width": 0,
                    "layer": "below",
                }
            )
    if dates:
        fig.update_xaxes(type="date")
    if shapes:
        fig.update_layout(shapes=shapes)
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name="left open (longer than --max-gap)",
                marker={"size": 12, "symbol": "square", "color": "rgba(90,90,90,0.5)"},
            ),
            1,
            1,
        )
    return _layout(fig, 80 + 180 * len(tags))


def _alpha(rgba: str, a: float) -> str:
    """``rgba(r,g,b,x)`` with its alpha set to ``a``."""
    return rgba.rsplit(",", 1)[0] + f",{a})"


def _band(x, lo, hi, rows) -> tuple[list, list]:
    """One closed polygon per run of consecutive ``rows`` (a gap), separated by None, for ``fill="toself"``:
    along ``hi`` and back along ``lo``, widened by half a step at each end so that a one-cell gap shows too."""
    x = np.asarray(x, dtype=np.float64)
    step = np.median(np.diff(x)) if len(x) > 1 else 1.0
    half = 0.5 * (step if np.isfinite(step) and step > 0 else 1.0)
    cuts = np.flatnonzero(np.diff(rows) > 1) + 1
    bx, by = [], []
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(rows)]):
        xs, low, h = x[a:b], lo[a:b], hi[a:b]
        if bx:
            bx.append(None)
            by.append(None)
        bx += [xs[0] - half, *xs, xs[-1] + half, xs[-1] + half, *xs[::-1], xs[0] - half]
        by += [h[0], *h, h[-1], low[-1], *low[::-1], low[0]]
    return [None if v is None else float(v) for v in bx], [None if v is None else float(v) for v in by]


def filled_counts_figure(counts: pd.Series, left: pd.Series | None = None, max_bars: int = 60) -> go.Figure:
    """Filled (and left open) cells per tag, most first."""
    c = counts.sort_values(ascending=False).head(max_bars)
    bars = [go.Bar(x=c.index, y=c.to_numpy(), name="filled", marker_color=FILLED)]
    if left is not None and left.sum() > 0:
        bars.append(
            go.Bar(x=c.index, y=left.reindex(c.index).fillna(0).to_numpy(), name="left open", marker_color="#7f7f7f")
        )
    fig = go.Figure(bars)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="cells")
    return _layout(fig, 320)


def image_figure(images: np.ndarray, nrow: int, title: str | None = None) -> go.Figure:
    """A grid of images ``(n, channels, h, w)`` uint8, ``nrow`` per row, embedded as one PNG."""
    from PIL import Image

    n, ch, h, w = images.shape
    rows = -(-n // nrow)
    pad = 2
    grid = np.full((rows * (h + pad) + pad, nrow * (w + pad) + pad, ch), 255, np.uint8)
    for k in range(n):
        r, c = divmod(k, nrow)
        grid[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = images[
            k
        ].transpose(1, 2, 0)
    img = Image.fromarray(grid[..., 0] if ch == 1 else grid, mode="L" if ch == 1 else "RGB").convert("RGB")
    scale = max(1, 560 // max(grid.shape[:2]))
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    fig = go.Figure(go.Image(source=src))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, min(80 + img.height, 900), title)


def gap_zoom_figure(panels: list[tuple], cols: int = 3) -> go.Figure:
    """A close look at one filled gap per tag: ``panels`` of ``(title, x, observed, filled_x, filled_y, lower,
    upper)`` (the window's time, observed values with NaN in the gap, the filled cells and their 5-95 % band)."""
    rows, cols = _grid(len(panels), cols)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=[p[0] for p in panels], vertical_spacing=min(0.3 / rows + 0.05, 0.14)
    )
    dates = False
    for i, (title, x, obs, fx, fy, lo, hi) in enumerate(panels):
        r, c = i // cols + 1, i % cols + 1
        x, dates = _x(x)
        fx = _x(fx)[0]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=_y(obs),
                mode="lines+markers",
                name="observed",
                legendgroup="obs",
                showlegend=i == 0,
                line={"color": OBSERVED, "width": 1.2},
                marker={"size": 3},
            ),
            r,
            c,
        )
        if lo is not None and len(fx):
            bx, by = _band(fx, np.asarray(lo), np.asarray(hi), np.arange(len(fx)))
            fig.add_trace(
                go.Scatter(
                    x=bx,
                    y=by,
                    mode="lines",
                    line={"width": 0},
                    fill="toself",
                    fillcolor="rgba(214,39,40,0.3)",
                    name="5-95 % of the draws",
                    legendgroup="band",
                    showlegend=i == 0,
                    hoverinfo="skip",
                ),
                r,
                c,
            )
        fig.add_trace(
            go.Scatter(
                x=fx,
                y=_y(fy),
                mode="lines+markers",
                name="filled",
                legendgroup="fill",
                showlegend=i == 0,
                line={"color": FILLED, "width": 1, "dash": "dot"},
                marker={"color": FILLED, "size": 5},
            ),
            r,
            c,
        )
    if dates:
        fig.update_xaxes(type="date")
    return _layout(fig, 60 + 230 * rows)
