"""Image GANs (DCGAN, conditional DCGAN), image data sources, scores and the `indgan images` commands."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from indgan import ConditionalDCGAN, DCGAN
from indgan.errors import ConditionError, ConfigError, DataError
from indgan.metrics.images import evaluate_images, frechet_distance, train_classifier
from indgan.adapters.images import digits, load_images, save_grid
from indgan.image.networks import DCGANDiscriminator, DCGANGenerator


@pytest.mark.parametrize("size", [28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_generator_and_discriminator_shapes(size, channels):
    g = DCGANGenerator(100 + 10, channels, size, features=8)
    d = DCGANDiscriminator(channels + 10, size, features=8)
    x = g(torch.randn(5, 110))
    assert x.shape == (5, channels, size, size)
    assert x.min() >= -1 and x.max() <= 1
    assert d(torch.cat([x, torch.zeros(5, 10, size, size)], 1)).shape == (5, 1)
    assert d.features(torch.zeros(2, channels + 10, size, size)).shape[0] == 2


@pytest.fixture(scope="module")
def digit_data():
    return digits(28).split(0.2, seed=0)


@pytest.fixture(scope="module")
def conditional(digit_data):
    train, _ = digit_data
    return ConditionalDCGAN(features=16, epochs=25, batch_size=64, random_state=0, verbose=False).fit(train)


def test_conditional_samples_are_recognised_as_their_label(conditional, digit_data):
    train, test = digit_data
    clf = train_classifier(train, epochs=4, random_state=0)
    assert (clf.predict(test.images) == test.labels).mean() > 0.85
    labels = np.repeat(np.arange(10), 30)
    fake = conditional.sample(300, labels=labels, random_state=1)
    assert fake.dtype == np.uint8 and fake.shape == (300, 1, 28, 28)
    acc = (clf.predict(fake) == labels).mean()
    assert acc > 0.3, acc  # chance is 0.1
    history = conditional.summary_.history
    assert len(history) == 25 and {"d_real", "d_fake", "generator_loss", "critic_loss"} <= set(history[0])
    info = conditional.fit_info_
    assert 0 <= info.coverage <= 1 and info.diversity > 0.3
    report = evaluate_images(conditional, train, test, n=300, classifier=clf)
    assert report.conditional_accuracy == pytest.approx(acc, abs=0.1)
    assert report.frechet > report.frechet_floor >= 0


def test_save_load_and_seeds_round_trip(conditional, tmp_path):
    path = conditional.save(tmp_path / "digits.indgan")
    again = ConditionalDCGAN.load(path, device="cpu")
    np.testing.assert_array_equal(
        again.sample(16, labels=3, random_state=5), conditional.sample(16, labels=3, random_state=5)
    )
    assert not np.array_equal(
        conditional.sample(16, labels=3, random_state=5), conditional.sample(16, labels=3, random_state=6)
    )
    with pytest.raises(Exception, match="ConditionalDCGAN"):
        DCGAN.load(path)
    walk = again.interpolate(steps=6, n=2, labels=4, random_state=0)
    assert walk.shape == (12, 1, 28, 28)
    # small steps in z, small changes: neighbours in a walk are closer than the two ends
    w = walk.reshape(2, 6, -1).astype(float)
    assert np.abs(w[:, 1:] - w[:, :-1]).mean() < np.abs(w[:, -1] - w[:, 0]).mean()


def test_unconditional_dcgan_rgb_and_seeds():
    rng = np.random.default_rng(0)
    imgs = np.zeros((64, 3, 32, 32), np.uint8)
    imgs[:, 0] = rng.integers(100, 255, (64, 1, 1))  # red squares of varying brightness
    a = DCGAN(features=8, epochs=2, batch_size=16, random_state=3, verbose=False).fit(imgs)
    b = DCGAN(features=8, epochs=2, batch_size=16, random_state=3, verbose=False).fit(imgs)
    np.testing.assert_array_equal(a.sample(4, random_state=0), b.sample(4, random_state=0))
    assert a.sample(4).shape == (4, 3, 32, 32)
    with pytest.raises(ConditionError, match="not conditional"):
        a.sample(4, labels=1)


def test_bad_input(tmp_path, conditional):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="no image files"):
        load_images(empty)
    from PIL import Image

    mixed = tmp_path / "mixed" / "cats"
    mixed.mkdir(parents=True)
    Image.new("L", (28, 28)).save(mixed / "a.png")
    Image.new("L", (32, 32)).save(mixed / "b.png")
    with pytest.raises(DataError, match="different sizes.*--size"):
        load_images(tmp_path / "mixed")
    data = load_images(tmp_path / "mixed", size=32)
    assert data.images.shape == (2, 1, 32, 32) and data.classes == ["cats"] and list(data.labels) == [0, 0]
    with pytest.raises(ConditionError, match="unknown label 12"):
        conditional.sample(4, labels=12)
    with pytest.raises(ConfigError, match="not both"):
        conditional.sample(4, conditions=1, labels=1)
    np.testing.assert_array_equal(  # labels= is another name for conditions=
        conditional.sample(4, conditions=[1, 2, 3, 1], random_state=0),
        conditional.sample(4, labels=[1, 2, 3, 1], random_state=0),
    )
    with pytest.raises(DataError, match="images is a path .*load_images"):
        DCGAN(epochs=1).fit(tmp_path / "mixed")  # models take data in memory
    with pytest.raises(DataError, match="needs a label"):
        ConditionalDCGAN(epochs=1).fit(np.zeros((8, 1, 28, 28), np.uint8))
    with pytest.raises(DataError, match="expected"):
        DCGAN(epochs=1).fit(np.zeros((8, 1, 30, 30), np.uint8))
    with pytest.raises(DataError, match="no such file"):
        load_images(tmp_path / "nope")


def test_npz_grid_and_frechet(tmp_path):
    imgs = (np.random.default_rng(0).random((10, 28, 28)) * 255).astype(np.uint8)
    np.savez(tmp_path / "x.npz", images=imgs, labels=np.arange(10) % 2 + 5)
    data = load_images(tmp_path / "x.npz")
    assert (
        data.images.shape == (10, 1, 28, 28) and list(np.unique(data.labels)) == [0, 1] and data.classes == ["5", "6"]
    )
    path = save_grid(data.images, tmp_path / "grid.png", nrow=5)
    from PIL import Image

    assert Image.open(path).size == (5 * 30 + 2, 2 * 30 + 2)
    a = np.random.default_rng(1).normal(size=(500, 4))
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-6)
    assert frechet_distance(a, a + 1.0) == pytest.approx(4.0, rel=0.05)


def test_cli_images(tmp_path):
    from click.testing import CliRunner

    from indgan.cli import cli

    run = CliRunner().invoke
    model = tmp_path / "digits.indgan"
    res = run(
        cli,
        [
            "images",
            "fit",
            "digits",
            "--conditional",
            "--size",
            "28",
            "--epochs",
            "2",
            "--features",
            "8",
            "-o",
            str(model),
            "-q",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "ConditionalDCGAN" in res.output and "D(G(z))" in res.output and "class coverage" in res.output
    res = run(cli, ["images", "sample", str(model), "--label", "7", "-n", "16", "-o", str(tmp_path / "grid.png")])
    assert res.exit_code == 0 and (tmp_path / "grid.png").exists(), res.output
    res = run(cli, ["images", "sample", str(model), "--label", "11", "-n", "4", "-o", str(tmp_path / "g.png")])
    assert res.exit_code == 1 and "unknown label '11'" in res.output
    res = run(cli, ["images", "interpolate", str(model), "--steps", "5", "-o", str(tmp_path / "walk.png")])
    assert res.exit_code == 0 and (tmp_path / "walk.png").exists(), res.output
    res = run(
        cli, ["images", "evaluate", str(model), "digits", "--size", "28", "-n", "200", "--classifier-epochs", "1"]
    )
    assert res.exit_code == 0 and "conditional accuracy" in res.output and "Frechet" in res.output, res.output
    res = run(cli, ["images", "fit", str(tmp_path / "none"), "-q"])
    assert res.exit_code == 1 and "no such file" in res.output


def test_the_best_held_out_generator_is_kept(digit_data, monkeypatch):
    """A tenth of the images (of every label alike) is held out and scored after every epoch; the score is scripted
    (3, 1, 2, ...) so that epoch 2 is the best whatever the machine's numerics, and its generator must be kept."""
    import indgan.image.model as image_model

    train, _ = digit_data
    real_scores, states = [], []
    script = iter([3.0, 1.0, 2.0, 4.0, 5.0])

    class Scripted(image_model.KernelMMD):
        def __call__(self, fake):
            real_scores.append(super().__call__(fake))
            return next(script)

    monkeypatch.setattr(image_model, "KernelMMD", Scripted)
    model = ConditionalDCGAN(features=16, epochs=30, batch_size=64, patience=1, random_state=0, verbose=False)
    original = model._held_out_stop

    def recording(*args):
        stop = original(*args)
        score = stop.score

        def score_and_keep(generator):
            states.append({k: v.clone() for k, v in generator.state_dict().items()})
            return score(generator)

        stop.score = score_and_keep
        return stop

    monkeypatch.setattr(model, "_held_out_stop", recording)
    model.fit(train)
    info = model.fit_info_
    assert [h["held_out_mmd"] for h in model.summary_.history] == [3.0, 1.0, 2.0]
    assert info.stop_reason == "early stop" and info.validation_score == 1.0 and info.best_epoch == 2
    assert info.n_images == len(train) and info.n_held_out == sum(round(0.1 * c) for c in np.bincount(train.labels))
    assert all(np.isfinite(real_scores)) and real_scores[0] > 0  # the real score is computed every epoch
    kept = model.generator_.state_dict()
    assert all(torch.equal(kept[k], states[1][k]) for k in kept)  # epoch 2's generator, not the last one
    assert not all(torch.equal(kept[k], states[2][k]) for k in kept)
    assert "kept the generator of epoch 2" in model.training_lines()[1]
    assert ConditionalDCGAN(validation_share=0, epochs=1, verbose=False).fit(train).fit_info_.validation_score is None
