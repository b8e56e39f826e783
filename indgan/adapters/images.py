"""Reading and writing images for the image GANs: Fashion-MNIST (Debian), scikit-learn's digits, a folder of images,
an .npz; PNG grids.

Every source becomes an :class:`ImageData`: ``images`` uint8 ``(n, channels, height, width)`` (0-255),
``labels`` int64 ``(n,)`` or None, and the class names. The image GANs take 28 x 28, 32 x 32 and 64 x 64
images; other sizes are resized when ``size`` is given (bilinear, with antialiasing) and refused otherwise.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import DataError

SIZES = (28, 32, 64)
FASHION_DIR = Path(os.environ.get("INDGAN_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")


@dataclass
class ImageData:
    """Images ``(n, channels, height, width)`` uint8, labels ``(n,)`` int64 or None, class names."""

    images: np.ndarray
    labels: np.ndarray | None
    classes: list[str]
    source: str = ""

    def __len__(self) -> int:
        return len(self.images)

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(channels, height, width)``."""
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    def split(self, test_share: float = 0.2, seed: int = 0) -> tuple[ImageData, ImageData]:
        """A stratified (by label) random train/test split."""
        rng = np.random.default_rng(seed)
        idx = rng.permutation(len(self))
        n_test = int(round(test_share * len(self)))
        te, tr = np.sort(idx[:n_test]), np.sort(idx[n_test:])
        lab = self.labels
        return (
            ImageData(self.images[tr], None if lab is None else lab[tr], self.classes, self.source),
            ImageData(self.images[te], None if lab is None else lab[te], self.classes, self.source),
        )


def resize(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 ``(n, c, h, w)`` -> uint8 ``(n, c, size, size)`` (bilinear, antialiased)."""
    if images.shape[-2:] == (size, size):
        return images
    out = []
    for a in range(0, len(images), 4096):
        t = torch.from_numpy(images[a : a + 4096]).float()
        t = F.interpolate(t, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
        out.append(t.round().clamp(0, 255).to(torch.uint8).numpy())
    return np.concatenate(out)


def _fit_size(images: np.ndarray, size: int | None, source: str) -> np.ndarray:
    if size is not None:
        if size not in SIZES:
            raise DataError(f"--size {size}: the image GANs make {', '.join(map(str, SIZES))}-pixel images.")
        return resize(images, size)
    h, w = images.shape[-2:]
    if h != w or h not in SIZES:
        raise DataError(
            f"{source}: images are {h} x {w}; the image GANs take {', '.join(map(str, SIZES))} "
            "pixels square. Give --size (size=...) to resize them."
        )
    return images


def _read_idx(path: Path, offset: int) -> np.ndarray:
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def fashion_mnist(split: str = "train") -> ImageData:
    """Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from Debian's ``dataset-fashion-mnist`` package: 60,000
    training or 10,000 test images of 28 x 28, ten classes (MIT/Expat licence).

    Raises
    ------
    DataError
        If the package's files are not there (``apt-get install dataset-fashion-mnist``, or set
        ``INDGAN_FASHION_MNIST`` to a folder holding the four ``*-ubyte.gz`` files).
    """
    prefix = {"train": "train", "test": "t10k"}[split]
    img, lab = FASHION_DIR / f"{prefix}-images-idx3-ubyte.gz", FASHION_DIR / f"{prefix}-labels-idx1-ubyte.gz"
    if not img.exists() or not lab.exists():
        raise DataError(
            f"Fashion-MNIST not found in {FASHION_DIR}: install Debian's package "
            "(sudo apt-get install dataset-fashion-mnist), or set INDGAN_FASHION_MNIST to the folder "
            "with its *-ubyte.gz files."
        )
    images = _read_idx(img, 16).reshape(-1, 1, 28, 28).copy()
    labels = _read_idx(lab, 8).astype(np.int64)
    return ImageData(images, labels, list(FASHION_CLASSES), f"fashion-mnist:{split}")


def digits(size: int = 32) -> ImageData:
    """scikit-learn's handwritten digits (1,797 images of 8 x 8, ten classes), scaled to 0-255 and resized to
    ``size`` pixels (a DCGAN size)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    images = (d.images * (255.0 / 16.0)).round().astype(np.uint8)[:, None]
    return ImageData(resize(images, size), d.target.astype(np.int64), [str(i) for i in range(10)], "digits")


def from_folder(folder: Path, size: int | None = None) -> ImageData:
    """PNG/JPEG/... files of a folder; with class sub-folders, each sub-folder is a label (sorted names).
    Grayscale images stay one channel; anything else becomes RGB.

    Raises
    ------
    DataError
        No image in the folder, an unreadable file, or images of different sizes without ``size``.
    """
    from PIL import Image, UnidentifiedImageError

    folder = Path(folder)
    subdirs = sorted(p for p in folder.iterdir() if p.is_dir())
    if subdirs:
        groups = [(d.name, sorted(p for p in d.rglob("*") if p.suffix.lower() in SUFFIXES)) for d in subdirs]
        groups = [(name, files) for name, files in groups if files]
    else:
        groups = [("", sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES))]
    files = [(i, f) for i, (_, fs) in enumerate(groups) for f in fs]
    if not files:
        raise DataError(f"{folder}: no image files ({', '.join(SUFFIXES)}) found, in it or in class sub-folders.")
    pics, sizes = [], {}
    for _, f in files:
        try:
            with Image.open(f) as im:
                im.load()
                pics.append(im.convert("L") if im.mode in ("L", "1", "I;16", "I") else im.convert("RGB"))
        except (UnidentifiedImageError, OSError) as exc:
            raise DataError(f"{f}: not a readable image ({exc}).") from None
        sizes.setdefault(pics[-1].size, f)
    if len(sizes) > 1 and size is None:
        (s1, f1), (s2, f2) = list(sizes.items())[:2]
        raise DataError(
            f"{folder}: images of different sizes ({f1.name} is {s1[0]} x {s1[1]}, {f2.name} is "
            f"{s2[0]} x {s2[1]}); give --size (28, 32 or 64) to resize them all."
        )
    rgb = any(p.mode == "RGB" for p in pics)
    if size is not None:
        pics = [p.resize((size, size), Image.BILINEAR) for p in pics]
    arrs = [np.asarray(p.convert("RGB") if rgb else p, dtype=np.uint8) for p in pics]
    images = np.stack(arrs)
    images = images.transpose(0, 3, 1, 2) if rgb else images[:, None]
    labels = np.array([i for i, _ in files], np.int64) if subdirs else None
    classes = [name for name, _ in groups] if subdirs else []
    return ImageData(_fit_size(images, size, str(folder)), labels, classes, str(folder))


def from_npz(path: Path, size: int | None = None) -> ImageData:
    """An ``.npz`` with ``images`` (or ``x``/``X``): ``(n, h, w)``, ``(n, h, w, c)`` or ``(n, c, h, w)``,
    uint8 0-255 or floats in [0, 1]; optional ``labels`` (or ``y``) ``(n,)`` integers."""
    with np.load(path, allow_pickle=False) as z:
        key = next((k for k in ("images", "x", "X") if k in z), None)
        if key is None:
            raise DataError(f"{path}: no 'images' (or 'x') array; it holds {', '.join(z.files) or 'nothing'}.")
        images = z[key]
        lab_key = next((k for k in ("labels", "y") if k in z), None)
        labels = z[lab_key].astype(np.int64) if lab_key else None
    if images.ndim == 3:
        images = images[:, None]
    elif images.ndim == 4 and images.shape[-1] in (1, 3) and images.shape[1] not in (1, 3):
        images = images.transpose(0, 3, 1, 2)
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise DataError(
            f"{path}: images of shape {images.shape}; expected (n, h, w), (n, h, w, c) or (n, c, h, w) "
            "with 1 or 3 channels."
        )
    if images.dtype != np.uint8:
        images = np.clip(np.round(images.astype(np.float64) * (255.0 if images.max() <= 1.0 else 1.0)), 0, 255).astype(
            np.uint8
        )
    if labels is not None and len(labels) != len(images):
        raise DataError(f"{path}: {len(labels)} labels for {len(images)} images.")
    if len(images) == 0:
        raise DataError(f"{path}: no images.")
    classes = [str(c) for c in np.unique(labels)] if labels is not None else []
    if labels is not None:  # labels -> 0..k-1 in sorted order
        labels = np.searchsorted(np.unique(labels), labels).astype(np.int64)
    return ImageData(_fit_size(images, size, str(path)), labels, classes, str(path))


def load_images(source: str | Path, size: int | None = None, split: str = "train") -> ImageData:
    """``"fashion-mnist"``, ``"digits"``, a folder (class sub-folders as labels) or an ``.npz`` file.

    Raises
    ------
    DataError
    """
    name = str(source)
    if name == "fashion-mnist":
        data = fashion_mnist(split)
        return ImageData(_fit_size(data.images, size, name), data.labels, data.classes, data.source)
    if name == "digits":
        return digits(size or 32)
    path = Path(name)
    if not path.exists():
        raise DataError(
            f"{name}: no such file or folder (sources: fashion-mnist, digits, a folder of images, an .npz)."
        )
    if path.is_dir():
        return from_folder(path, size)
    if path.suffix.lower() == ".npz":
        return from_npz(path, size)
    raise DataError(f"{name}: give a folder of images or an .npz file.")


def save_grid(images: np.ndarray, path: str | Path, nrow: int | None = None, padding: int = 2) -> Path:
    """Write uint8 images ``(n, c, h, w)`` as one PNG grid (``nrow`` images per row; default about square)."""
    from PIL import Image

    n, c, h, w = images.shape
    nrow = nrow or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / nrow))
    grid = np.full((c, rows * (h + padding) + padding, nrow * (w + padding) + padding), 255, np.uint8)
    for i in range(n):
        r, k = divmod(i, nrow)
        y, x = padding + r * (h + padding), padding + k * (w + padding)
        grid[:, y : y + h, x : x + w] = images[i]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid[0] if c == 1 else grid.transpose(1, 2, 0)).save(path)
    return path
