"""The application layer: what each ``indgan`` command does, as functions of frames, paths and URLs that return
result objects (the model, scores, paths written, and every line the job said). The command line
(:mod:`indgan.cli`) only parses options, calls one of these and prints; the Python API and the command line do the
same thing by the same code.

=====================  ========================================  ==========================================
command                job                                       returns
=====================  ========================================  ==========================================
``indgan fit``         :func:`fit`                               :class:`~indgan.app.fit.FitResult`
``indgan sample``      :func:`sample`                            :class:`~indgan.app.sample.SampleResult`
``indgan scenario``    :func:`scenario`                          :class:`~indgan.app.sample.ScenarioResult`
``indgan impute``      :func:`impute` (file, folder, database)   :class:`~indgan.app.impute.ImputeResult`
``impute --undo``      :func:`undo`                              :class:`~indgan.adapters.sql.UndoReport`
``indgan evaluate``    :func:`evaluate`                          an evaluation report
``indgan report``      :func:`report`                            the report's result (path, plots)
``indgan info``        :func:`info`                              :class:`~indgan.app.evaluate.ModelInfo`
``indgan upsample``    :func:`upsample`                          :class:`~indgan.app.transform.TransformResult`
``indgan translate``   :func:`translate`                         :class:`~indgan.app.transform.TransformResult`
``indgan images ...``  :mod:`indgan.app.images`                  images, reports, scores
=====================  ========================================  ==========================================

Each job takes ``say``, a function called with each line it reports (``click.echo`` on the command line; by
default the lines are logged at INFO on ``indgan.app``), and checks every output before any work.
"""

from .database import impute_table, undo_run
from .evaluate import evaluate, info, report
from .fit import fit
from .impute import impute, undo
from .sample import sample, scenario
from .transform import translate, upsample

__all__ = [
    "fit",
    "sample",
    "scenario",
    "impute",
    "undo",
    "impute_table",
    "undo_run",
    "evaluate",
    "report",
    "info",
    "upsample",
    "translate",
]
