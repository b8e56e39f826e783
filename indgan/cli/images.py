"""``indgan images ...``: DCGAN and the conditional DCGAN (:mod:`indgan.app.images`). ``indgan images fit`` is
kept for a release as another name of ``indgan fit SOURCE --model image``."""

from __future__ import annotations

from pathlib import Path

import click

from ..budget import describe_auto
from ..losses import LOSSES
from .group import SEED, cli, setup_logging


@cli.group()
def images():
    """Image GANs: DCGAN and the conditional DCGAN (fit, sample, interpolate, report, evaluate)."""


@images.command("fit")
@click.argument("source")
@click.option(
    "--output",
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path),
    help="Model file [default: SOURCE name + .indgan]; --out is the older name.",
)
@click.option("--conditional", is_flag=True, help="Conditional GAN: learn one generator for every label.")
@click.option("--size", type=click.Choice(["28", "32", "64"]), help="Resize images to this many pixels square.")
@click.option(
    "--epochs", type=click.IntRange(min=1), help="Most passes over the images [default: as the time budget allows]."
)
@click.option(
    "--time-budget",
    help="How long training may take: seconds or a duration (90s, 10m, 1h) [default: "
    f"{describe_auto()}; with --epochs and no budget, exactly that many epochs].",
)
@click.option("--batch-size", type=int, default=128, show_default=True)
@click.option(
    "--features", type=int, default=64, show_default=True, help="Feature maps of the first/last layer (DCGAN's 64)."
)
@click.option("--loss", type=click.Choice(tuple(LOSSES)), default="non-saturating", show_default=True)
@click.option("--critic-steps", type=int, default=1, show_default=True, help="Discriminator steps per generator step.")
@click.option("--device", default="auto", show_default=True)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--quiet", "-q", is_flag=True)
def images_fit(source, out, conditional, size, quiet, **options):
    """Train a DCGAN (or with --conditional a conditional DCGAN) on SOURCE: fashion-mnist (Debian's
    dataset-fashion-mnist), digits (scikit-learn), a folder of images (class sub-folders as labels) or an .npz.
    The same as indgan fit SOURCE --model image."""
    from ..app.fit import fit

    setup_logging()
    fit(
        source,
        output=out,
        model="image",
        conditional=conditional or None,
        size=int(size) if size else None,
        verbose=not quiet,
        say=click.echo,
        eval_rows=0,
        **options,
    )


@images.command("sample")
@click.argument("model_path", type=click.Path(path_type=Path))
@click.option("-n", type=int, default=64, show_default=True, help="Number of images.")
@click.option("--label", help="Class to draw (index or name; conditional models).")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), required=True, help="PNG grid, or .npz for the arrays."
)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--device", default="auto", show_default=True)
def images_sample(model_path, n, label, output, seed, device):
    """Draw N images from a trained image GAN, as a PNG grid or an .npz of uint8 arrays."""
    from ..app.images import sample_images

    sample_images(model_path, n, label=label, output=output, seed=seed, device=device, say=click.echo)


@images.command("interpolate")
@click.argument("model_path", type=click.Path(path_type=Path))
@click.option("--steps", type=int, default=10, show_default=True, help="Images per walk.")
@click.option("--rows", type=int, default=8, show_default=True, help="Number of walks (grid rows).")
@click.option("--label", help="Class of every walk (conditional models) [default: one drawn per walk].")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--device", default="auto", show_default=True)
def images_interpolate(model_path, steps, rows, label, output, seed, device):
    """Latent walk: each row moves in equal steps from one z to another."""
    from ..app.images import interpolate

    interpolate(
        model_path, steps=steps, rows=rows, label=label, output=output, seed=seed, device=device, say=click.echo
    )


@images.command("report")
@click.argument("model_path", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("report.html"), show_default=True)
@click.option(
    "--png", "png_dir", type=click.Path(path_type=Path), help="Also write every figure as a PNG into this folder."
)
@click.option("--seed", type=SEED, default=0, show_default=True)
def images_report(model_path, output, png_dir, seed):
    """An HTML page of an image GAN: samples, latent walks, training curves, the mode-collapse signal."""
    from ..app.images import image_report

    image_report(model_path, output=output, png=png_dir, seed=seed, say=click.echo)


@images.command("evaluate")
@click.argument("model_path", type=click.Path(path_type=Path))
@click.argument("source")
@click.option("--size", type=click.Choice(["28", "32", "64"]), help="Resize the real images (as for fit).")
@click.option("-n", type=int, default=2000, show_default=True, help="Generated images to score.")
@click.option("--classifier-epochs", type=int, default=3, show_default=True)
@click.option(
    "--output", "-o", "--json", "json_path", type=click.Path(path_type=Path), help="Write the scores as JSON."
)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--device", default="auto", show_default=True)
def images_evaluate(model_path, source, size, n, classifier_epochs, json_path, seed, device):
    """Score a model against SOURCE's real images: classifier Frechet distance, conditional accuracy, coverage.

    fashion-mnist uses its test split as held-out images; other sources are split 80/20."""
    from ..app.images import evaluate_images

    evaluate_images(
        model_path,
        source,
        size=int(size) if size else None,
        n=n,
        classifier_epochs=classifier_epochs,
        json_path=json_path,
        seed=seed,
        device=device,
        say=click.echo,
    )
