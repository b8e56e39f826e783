import math

import pytest
import torch
from torch import nn

from indgan import ConfigError
from indgan.losses import AdversarialLoss
from indgan.training import resolve_device


class _Linear(nn.Module):
    def __init__(self, dim, scale=1.0):
        super().__init__()
        self.features = nn.Identity()
        self.head = nn.Linear(dim, 1, bias=False)
        with torch.no_grad():
            self.head.weight.zero_()
            self.head.weight[0, 0] = scale

    def forward(self, x):
        return self.head(self.features(x)).squeeze(1)


def test_gradient_penalty_zero_for_unit_gradient():
    critic = _Linear(4, scale=1.0)
    real, fake = torch.randn(8, 4), torch.randn(8, 4)
    assert AdversarialLoss("wgan-gp").gradient_penalty(critic, real, fake).item() == pytest.approx(0.0, abs=1e-6)
    critic2 = _Linear(4, scale=3.0)
    assert AdversarialLoss("wgan-gp").gradient_penalty(critic2, real, fake).item() == pytest.approx(4.0, rel=1e-5)


def test_minimax_and_non_saturating_match_their_formulas():
    critic = _Linear(1)
    fake = torch.tensor([[0.3], [-1.2]])
    d = torch.sigmoid(fake.squeeze(1))
    mm = AdversarialLoss("minimax").generator_loss(critic, fake)
    ns = AdversarialLoss("non-saturating").generator_loss(critic, fake)
    assert mm.item() == pytest.approx(torch.log(1 - d).mean().item(), rel=1e-5)
    assert ns.item() == pytest.approx((-torch.log(d)).mean().item(), rel=1e-5)
    loss, d_real, d_fake = AdversarialLoss("minimax").critic_loss(critic, torch.zeros(2, 1), torch.zeros(2, 1))
    assert d_real.item() == pytest.approx(0.5) and loss.item() == pytest.approx(2 * math.log(2), rel=1e-5)


def test_feature_matching_zero_on_same_batch():
    critic = _Linear(3)
    x = torch.randn(6, 3)
    assert AdversarialLoss("feature-matching").generator_loss(critic, x, x).item() == pytest.approx(0.0)


def test_unknown_loss_and_device():
    with pytest.raises(ConfigError):
        AdversarialLoss("hinge")
    with pytest.raises(ConfigError):
        resolve_device("not-a-device")
    assert resolve_device("cpu").type == "cpu"


def test_minimise_and_models_run_exactly_the_steps_asked_for():
    """An iteration count that is not a multiple of the logging interval is honoured (350 is 350, not 400)."""
    import numpy as np
    import pandas as pd

    from indgan import GANImputer
    from indgan.training import minimise

    w = nn.Parameter(torch.zeros(()))
    opt = torch.optim.SGD([w], lr=0.0)
    calls = []

    def loss():
        calls.append(1)
        return (w - 1) ** 2

    hist = minimise(loss, opt, 250, torch.device("cpu"), verbose=False, log_every=100)
    assert len(calls) == 250 and len(hist) == 3
    x = np.random.default_rng(0).normal(size=(60, 3))
    x[::7, 1] = np.nan
    imp = GANImputer(iterations=130, random_state=0).fit(pd.DataFrame(x, columns=list("abc")))
    assert imp.n_iterations_ == 130


def test_losses_are_objects_that_say_what_they_need():
    """Families ask the loss (needs_real, paired, probabilistic, wasserstein, per_cell), never its name; the command
    line offers the registry's names."""
    import re
    from pathlib import Path

    import indgan
    from indgan.cli import fit
    from indgan.losses import LOSSES, loss_class

    assert [AdversarialLoss(n).name for n in LOSSES] == list(LOSSES)
    assert loss_class("feature-matching").needs_real and not loss_class("minimax").needs_real
    assert (
        loss_class("wgan-gp").paired and loss_class("wgan-gp").wasserstein and not loss_class("wgan-gp").probabilistic
    )
    assert not loss_class("least-squares").probabilistic and loss_class("denoising-feature-matching").probabilistic
    assert {n for n, c in LOSSES.items() if c.per_cell} == {"minimax", "non-saturating"}
    with pytest.raises(ConfigError, match="unknown loss"):
        AdversarialLoss("hinge")
    option = next(p for p in fit.params if p.name == "loss")
    assert tuple(option.type.choices) == tuple(LOSSES)
    root = Path(indgan.__file__).parent
    named = [
        f"{p.relative_to(root)}:{i + 1}"
        for p in root.rglob("*.py")
        if p.name != "losses.py"
        for i, line in enumerate(p.read_text().splitlines())
        if re.search(r"\bloss\s*(==|!=|in \()\s*[\"(]", line)
    ]
    assert not named, named  # a family testing a loss by its name
