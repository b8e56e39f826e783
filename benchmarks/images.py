"""Image benchmark: the conditional DCGAN on Fashion-MNIST (Debian's ``dataset-fashion-mnist``).

Run from the repository root (``sudo apt-get install dataset-fashion-mnist`` first)::

    python benchmarks/images.py [--epochs 10] [--minutes 15] [--features 64] [--out fashion.indgan]

Trains ``ConditionalDCGAN`` on the 60,000 training images, stopping after ``--epochs`` or when the next
epoch would pass ``--minutes`` of training, then prints seconds per epoch, the classifier Fréchet distance of
2,000 samples against the 10,000 test images and of real training images against them (the floor), and the
conditional accuracy (a small classifier trained once on the real training images calls a sample generated for
label k "k"), per label and on average, with the classifier's own accuracy on the test images as the ceiling.
It writes ``grid.png`` (one row per label) to look at. Target on a 2-core CPU: conditional accuracy >= 0.85
within 15 minutes of training.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indgan import ConditionalDCGAN  # noqa: E402
from indgan.metrics.images import evaluate_images, train_classifier  # noqa: E402
from indgan.adapters.images import load_images, save_grid  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--features", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="fashion.indgan")
    ap.add_argument("--grid", default="grid.png")
    ap.add_argument(
        "--defaults",
        action="store_true",
        help="train at ConditionalDCGAN's defaults (the auto time budget, grown with the images) instead of "
        "--epochs within --minutes",
    )
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    train, test = load_images("fashion-mnist", split="train"), load_images("fashion-mnist", split="test")
    print(
        f"Fashion-MNIST: {len(train)} training, {len(test)} test images of 28 x 28; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        flush=True,
    )
    t0 = time.perf_counter()
    if args.defaults:  # what `indgan images fit fashion-mnist --conditional` does
        model = ConditionalDCGAN(random_state=args.seed, verbose=True).fit(train)
        epochs = model.summary_.epochs
        print(f"defaults: {epochs} epochs in the auto time budget", flush=True)
    else:  # one epoch first, to know how many fit in the time budget
        probe = ConditionalDCGAN(
            epochs=1,
            time_budget=None,
            features=args.features,
            batch_size=args.batch_size,
            random_state=args.seed,
            verbose=False,
        ).fit(train)
        per_epoch = probe.summary_.seconds
        epochs = max(1, min(args.epochs, int(args.minutes * 60 // per_epoch)))
        print(f"one epoch: {per_epoch:.1f} s -> {epochs} epochs within {args.minutes:g} min", flush=True)
        model = ConditionalDCGAN(
            epochs=epochs,
            time_budget=None,
            features=args.features,
            batch_size=args.batch_size,
            random_state=args.seed,
            verbose=True,
        ).fit(train)
    fit_s = model.summary_.seconds
    model.save(args.out)
    for h in model.summary_.history:
        print(
            f"  epoch {h['epoch']:2d}: G {h['generator_loss']:.3f}  D {h['critic_loss']:.3f}  "
            f"D(x) {h['d_real']:.3f}  D(G(z)) {h['d_fake']:.3f}  {h['seconds']:.1f} s"
        )
    clf = train_classifier(train, epochs=3, random_state=args.seed)
    report = evaluate_images(model, train, test, n=2000, classifier=clf, random_state=args.seed)
    print(f"training: {fit_s:.0f} s ({fit_s / epochs:.1f} s per epoch)")
    print(report)
    print(f"mode-collapse signal: coverage {model.fit_info_.coverage:.2f}, diversity {model.fit_info_.diversity:.2f}")
    grid = model.sample(100, labels=np.repeat(np.arange(10), 10), random_state=args.seed)
    save_grid(grid, args.grid, nrow=10)
    print(f"wrote {args.grid} (row k: label k = {', '.join(model.classes_)})")
    print(
        f"target: conditional accuracy >= 0.85 within {args.minutes:g} min: "
        f"{'met' if report.conditional_accuracy >= 0.85 and fit_s <= args.minutes * 60 else 'NOT met'}"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"fit_s": fit_s, "epochs": epochs, "probe_s": time.perf_counter() - t0, **report.to_dict()}, indent=2
            )
        )


if __name__ == "__main__":
    main()
