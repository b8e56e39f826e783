"""Scores for the image GANs, with a small classifier trained on the real training images.

- **Classifier Fréchet distance**: the Fréchet distance between Gaussians fitted to the penultimate-layer
  features of real held-out images and of generated images (the construction of Heusel et al.'s FID, 2017,
  in the feature space of :class:`ImageClassifier` instead of Inception-v3, whose weights cannot be
  downloaded here; numbers are therefore not comparable with published FIDs). The same distance between
  real training and real held-out images is printed as the floor.
- **Conditional accuracy**: for a conditional model, the share of images generated for label ``k`` that the
  classifier calls ``k``, per label and on average; the classifier's accuracy on real held-out images is the
  ceiling.
- **Coverage**: the share of classes the classifier finds in at least a quarter of their real frequency
  among unconditional samples (a mode-collapse signal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ..errors import DataError
from ..adapters.images import ImageData
from ..stats import frechet_distance
from ..training import resolve_device, seed_everything


class ImageClassifier(nn.Module):
    """Two convolution blocks and a 128-unit feature layer: uint8 images ``(n, c, h, w)`` -> class logits.
    ``features`` gives the 128-dimensional penultimate layer used by the Fréchet distance."""

    def __init__(self, channels: int, size: int, n_classes: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * (size // 4) ** 2, 128),
            nn.ReLU(),
        )
        self.head = nn.Linear(128, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    @staticmethod
    def _scale(images: np.ndarray, device) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(images)).to(device).float() / 127.5 - 1.0

    @torch.no_grad()
    def _run(self, images: np.ndarray, fn) -> np.ndarray:
        self.eval()
        dev = next(self.parameters()).device
        return np.concatenate(
            [fn(self._scale(images[a : a + 2048], dev)).cpu().numpy() for a in range(0, len(images), 2048)]
        )

    def features(self, images: np.ndarray) -> np.ndarray:
        """``(n, 128)`` float32 penultimate-layer features of uint8 images."""
        return self._run(images, self.body)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """``(n,)`` predicted class indices."""
        return self._run(images, lambda x: self.head(self.body(x)).argmax(1))


def train_classifier(
    data: ImageData,
    epochs: int = 3,
    batch_size: int = 128,
    device: str = "auto",
    random_state: int | None = 0,
    verbose: bool = False,
) -> ImageClassifier:
    """Train :class:`ImageClassifier` on labelled real images (Adam 1e-3, cross-entropy).

    Raises
    ------
    DataError
        If the images have no labels.
    """
    if data.labels is None:
        raise DataError(
            f"{data.source}: the images have no labels; the classifier needs class sub-folders or 'labels' in the .npz."
        )
    seed_everything(random_state)
    dev = resolve_device(device)
    c, h, _ = data.shape
    n_classes = int(data.labels.max()) + 1
    clf = ImageClassifier(c, h, n_classes).to(dev)
    opt = torch.optim.Adam(clf.parameters(), lr=1e-3)
    x = torch.from_numpy(data.images).to(dev)
    y = torch.from_numpy(data.labels).to(dev)
    clf.train()
    for _ in tqdm(range(epochs), desc="classifier", disable=not verbose, unit="epoch"):
        perm = torch.randperm(len(x), device=dev)
        for a in range(0, len(x), batch_size):
            idx = perm[a : a + batch_size]
            loss = nn.functional.cross_entropy(clf(x[idx].float() / 127.5 - 1.0), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    clf.eval()
    return clf


@dataclass
class ImageReport:
    """Scores of a fitted image GAN (see the module docstring)."""

    frechet: float
    frechet_floor: float
    classifier_accuracy: float
    conditional_accuracy: float | None = None
    per_label: dict = field(default_factory=dict)
    coverage: float | None = None
    n_samples: int = 0

    def __str__(self) -> str:
        lines = [
            f"classifier Frechet distance, samples vs real held-out: {self.frechet:.2f} "
            f"(real training vs real held-out: {self.frechet_floor:.2f})",
            f"classifier accuracy on real held-out images: {self.classifier_accuracy:.3f}",
        ]
        if self.conditional_accuracy is not None:
            lines.append(f"conditional accuracy (samples for label k called k): {self.conditional_accuracy:.3f}")
            lines.append("  " + ", ".join(f"{k}: {v:.2f}" for k, v in self.per_label.items()))
        if self.coverage is not None:
            lines.append(f"class coverage of samples: {self.coverage:.2f}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def evaluate_images(
    model,
    train: ImageData,
    test: ImageData,
    n: int = 2000,
    classifier: ImageClassifier | None = None,
    classifier_epochs: int = 3,
    random_state: int = 0,
    verbose: bool = False,
) -> ImageReport:
    """Score ``model`` (a fitted :class:`~indgan.image.DCGAN` or ``ConditionalDCGAN``) against real
    images: ``train`` trains the classifier (unless one is given), ``test`` is the held-out reference.

    Raises
    ------
    DataError
        Unlabelled images, or images of another size or channel count than the model's.
    """
    if train.shape != (model.channels_, model.size_, model.size_) or test.shape != train.shape:
        raise DataError(
            f"the model makes {model.channels_} x {model.size_} x {model.size_} images; the real ones are "
            f"{' x '.join(map(str, test.shape))} (give the same --size as for fit)."
        )
    clf = classifier or train_classifier(
        train, epochs=classifier_epochs, device=str(model.device_), random_state=random_state, verbose=verbose
    )
    rng = np.random.default_rng(random_state)
    ref = test.images[rng.choice(len(test), min(n, len(test)), replace=False)]
    floor_imgs = train.images[rng.choice(len(train), min(n, len(train)), replace=False)]
    f_ref = clf.features(ref)
    acc = float((clf.predict(test.images) == test.labels).mean())
    report = ImageReport(
        frechet=0.0,
        frechet_floor=frechet_distance(clf.features(floor_imgs), f_ref),
        classifier_accuracy=acc,
        n_samples=n,
    )
    if model.conditional:
        k = model.n_classes_
        per = max(1, n // k)
        labels = np.repeat(np.arange(k), per)
        fake = model.sample(len(labels), labels=labels, random_state=random_state)
        pred = clf.predict(fake)
        report.per_label = {
            model.classes_[i] if i < len(model.classes_) else str(i): float((pred[labels == i] == i).mean())
            for i in range(k)
        }
        report.conditional_accuracy = float((pred == labels).mean())
    else:
        fake = model.sample(n, random_state=random_state)
        pred = clf.predict(fake)
        want = np.bincount(train.labels, minlength=int(train.labels.max()) + 1) / len(train)
        got = np.bincount(pred, minlength=len(want)) / len(pred)
        report.coverage = float(((got >= 0.25 * want) & (want > 0)).sum() / (want > 0).sum())
    report.frechet = frechet_distance(clf.features(fake), f_ref)
    return report
