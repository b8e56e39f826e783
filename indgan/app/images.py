"""The image jobs beyond fit (``indgan fit SOURCE --model image``): draw images, walk the latent space, a page of
the model, scores against real images."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..atomic import check_output
from .common import Lines, Say, input_paths, model_of


def sample_images(
    model, n: int = 64, *, label=None, output: str | Path, seed: int = 0, device: str = "auto", say: Say | None = None
) -> np.ndarray:
    """Draw ``n`` images (uint8 ``(n, channels, size, size)``) and write them as a PNG grid or an ``.npz``."""
    lines = Lines(say)
    check_output(output, input_paths(MODEL=model))
    from ..atomic import atomic_output
    from ..adapters.images import save_grid

    imgs = model_of(model, device).sample(n, conditions=label, random_state=seed)
    with atomic_output(output) as tmp:
        if str(output).lower().endswith(".npz"):
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, images=imgs)
        else:
            save_grid(imgs, tmp)
    lines(f"wrote {output}: {n} images of {imgs.shape[2]} x {imgs.shape[3]}" + (f", label {label}" if label else ""))
    return imgs


def interpolate(
    model,
    *,
    steps: int = 10,
    rows: int = 8,
    label=None,
    output: str | Path,
    seed: int = 0,
    device: str = "auto",
    say: Say | None = None,
) -> np.ndarray:
    """Latent walks: each of ``rows`` rows moves in ``steps`` equal steps from one ``z`` to another; a PNG grid."""
    lines = Lines(say)
    check_output(output, input_paths(MODEL=model))
    from ..atomic import atomic_output
    from ..adapters.images import save_grid

    imgs = model_of(model, device).interpolate(steps=steps, n=rows, labels=label, random_state=seed)
    with atomic_output(output) as tmp:
        save_grid(imgs, tmp, nrow=steps)
    lines(f"wrote {output}: {rows} walks of {steps} steps")
    return imgs


def image_report(model, *, output="report.html", png=None, seed: int = 0, say: Say | None = None):
    """An HTML page of an image GAN: samples, latent walks, training curves, the mode-collapse signal."""
    lines = Lines(say)
    check_output(output, input_paths(MODEL=model))
    check_output(png, input_paths(MODEL=model), "--png", folder_ok=True)
    from ..report import image_report as build
    from ..report.html import check_report_path

    check_report_path(output)
    result = build(model_of(model, "cpu"), output, png=png, random_state=seed)
    lines(f"wrote {result.path} ({result.n_plots} plots)" + (f" and {len(result.pngs)} PNGs to {png}" if png else ""))
    return result


def evaluate_images(
    model,
    source,
    *,
    size: int | None = None,
    n: int = 2000,
    classifier_epochs: int = 3,
    json_path=None,
    seed: int = 0,
    device: str = "auto",
    say: Say | None = None,
):
    """Score a model against ``source``'s real images (classifier Frechet distance, conditional accuracy,
    coverage); fashion-mnist uses its test split as held-out images, other sources are split 80/20."""
    lines = Lines(say)
    check_output(json_path, input_paths(MODEL=model), "--json")
    from ..adapters.images import load_images
    from ..metrics.images import evaluate_images as score

    loaded = model_of(model, device)
    if source == "fashion-mnist":
        train, test = load_images(source, size, "train"), load_images(source, size, "test")
    else:
        train, test = load_images(source, size).split(0.2, seed)
    result = score(loaded, train, test, n=n, classifier_epochs=classifier_epochs, random_state=seed)
    lines(str(result))
    if json_path:
        from ..atomic import atomic_output

        with atomic_output(json_path) as tmp:
            Path(tmp).write_text(json.dumps(result.to_dict(), indent=2))
        lines(f"wrote {json_path}")
    return result
