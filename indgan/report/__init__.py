"""Reports people look at: one self-contained HTML page (plotly, nothing fetched) plus PNGs for slides.

- :func:`synthetic_report`: synthetic against real data (``indgan report REAL SYNTHETIC``, ``indgan fit --report``);
- :func:`imputation_report`: where and how gaps were filled (``indgan impute ... --report fill.html``);
- :func:`image_report`: samples, latent walks and training of an image GAN (``indgan images report``).

The package splits like a model family: ``data.py`` computes what to plot (pandas/NumPy, the scores of
:mod:`indgan.metrics`), ``figures.py`` lays it out as plotly figures, ``html.py`` writes the page with jinja2 and
plotly's HTML writer, ``png.py`` redraws the figures with matplotlib, ``build.py`` puts a report together.
"""

from .build import Report, image_report, imputation_report, synthetic_report
from .data import minmax_indices

__all__ = ["Report", "image_report", "imputation_report", "minmax_indices", "synthetic_report"]
