"""CycleGAN's game (Zhu, Park, Isola, Efros, ICCV 2017, section 3): the losses of one training step, for the shared
:class:`~indgan.training.AdversarialTrainer`. It receives the networks and the windows, never the estimator.

With ``G: A -> B``, ``F: B -> A`` and discriminators ``D_A``, ``D_B`` (:mod:`indgan.cyclegan.networks`):

- adversarial: ``D_B`` tells real windows of B from ``G(a)``, ``D_A`` real windows of A from ``F(b)``, with the
  shared losses (:mod:`indgan.losses`; CycleGAN's is least squares, ``"least-squares"``). The discriminators see
  generated windows through a **history** of the last ``pool_size`` generated windows (Shrivastava et al.,
  "Learning from Simulated and Unsupervised Images through Adversarial Training", CVPR 2017, as CycleGAN does:
  half of each batch drawn from the history, pool of 50);
- cycle consistency: ``lambda * (|F(G(a)) - a|_1 + |G(F(b)) - b|_1)``, lambda 10;
- identity: ``identity * lambda * (|G(b) - b|_1 + |F(a) - a|_1)``, 0.5 lambda (section 5.2: keeps what needs no
  translating as it is);
- beyond the paper, **variability**: each direction adds filtered noise (per tag and shared between tags)
  (:meth:`~indgan.cyclegan.networks.CycleGenerators.variability`) to what the discriminators and the spectral term
  see, and the cycle and identity losses are taken on the deterministic translation (noise cannot be undone, so
  a cycle loss on noisy windows would only push the variability to 0); ``spectral_weight`` x the log spectral
  distance (:func:`~indgan.training.log_spectral_distance`) between the translated and the real target windows,
  per tag: how much and how fast each tag varies in the target regime.

The L1 distances are taken in the tags' standardised units over observed cells, so a tag in kPa and one in % count
alike. Sampled-and-held tags (analysers) are held in the translated windows at the source window's update phase
before any discriminator sees them (:func:`~indgan.timegrid.apply_sample_hold`), so a staircase is not a giveaway.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..losses import AdversarialLoss
from ..timegrid import apply_sample_hold
from ..training import log_spectral_distance
from .networks import CycleDiscriminators, CycleGenerators
from .prepare import DomainWindows


class WindowHistory:
    """The history of generated windows (CycleGAN's image pool): ``query(batch)`` returns a batch of the same shape
    in which each window is, with probability 1/2 once the history is full, swapped for a stored older one (the new
    one takes its place). Vectorised; kept on the device."""

    def __init__(self, size: int):
        self.size = size
        self.store: Tensor | None = None

    def query(self, fake: Tensor) -> Tensor:
        fake = fake.detach()
        if self.size == 0:
            return fake
        if self.store is None or len(self.store) < self.size:
            room = self.size - (0 if self.store is None else len(self.store))
            add = fake[:room]
            self.store = add.clone() if self.store is None else torch.cat([self.store, add])
            return fake
        n = fake.shape[0]
        swap = torch.rand(n, device=fake.device) < 0.5
        slot = torch.randint(self.size, (n,), device=fake.device)
        out = torch.where(swap[:, None, None], self.store[slot], fake)
        self.store[slot[swap]] = fake[swap]
        return out


def masked_l1(a: Tensor, b: Tensor, mask: Tensor, scale: Tensor) -> Tensor:
    """Mean ``|a - b| / scale`` over the observed cells (``mask``), shapes ``(batch, T, n_tags)``,
    ``scale (n_tags,)``."""
    return ((a - b).abs() / scale * mask).sum() / mask.sum().clamp_min(1.0)


class CycleGANGame:
    """CycleGAN's game (see the module docstring) with its own critic and generator losses (the trainer's hooks
    ``critic_loss(critic, loss)`` and ``generator_loss(critic, loss)``).

    Parameters
    ----------
    generators : CycleGenerators
    data : DomainWindows
    batch : int
        Windows of each domain per step.
    cycle_weight : float, default 10
        lambda.
    identity_weight : float, default 0.5
        The identity loss' weight as a share of lambda.
    pool_size : int, default 50
    held : list of dict
        The sample-and-hold groups (``columns``, ``period``).
    stochastic : bool, default True
        Add each direction's variability (see the module docstring).
    spectral_weight : float, default 1.0
        Weight of the spectral term (0: none).
    """

    def __init__(
        self,
        generators: CycleGenerators,
        data: DomainWindows,
        batch: int,
        cycle_weight: float = 10.0,
        identity_weight: float = 0.5,
        pool_size: int = 50,
        held: list | None = None,
        stochastic: bool = True,
        spectral_weight: float = 1.0,
    ):
        self.gens, self.data, self.batch = generators, data, batch
        self.stochastic, self.spectral_weight = stochastic, spectral_weight
        self.cycle_weight, self.identity_weight = cycle_weight, identity_weight
        self.pools = {"a": WindowHistory(pool_size), "b": WindowHistory(pool_size)}
        self.held = held or []
        self._fakes: dict | None = None

    def hold(self, x: Tensor, phase: Tensor) -> Tensor:
        """Translated windows ``(batch, T, n_tags)`` with each sample-and-hold group held at ``phase``
        ``(batch, n_groups)``."""
        for k, g in enumerate(self.held):
            x = apply_sample_hold(x, g["columns"], g["period"], phase[:, k])
        return x

    def _noise(self, x: Tensor) -> Tensor | None:
        if not self.stochastic:
            return None
        return torch.randn(x.shape[0], x.shape[1], self.gens.noise_channels, device=x.device, dtype=x.dtype)

    def _critic_input(self, x: Tensor, mask: Tensor, ctx: Tensor) -> Tensor:
        return self.gens.inputs(x, mask, ctx)

    def _draw(self):
        return self.data.draw("a", self.batch), self.data.draw("b", self.batch)

    def critic_loss(self, critic: CycleDiscriminators, loss: AdversarialLoss) -> tuple[Tensor, Tensor, Tensor]:
        """Both discriminators' losses, summed; ``d_real``/``d_fake`` averaged over the two."""
        (xa, ma, ca, pa), (xb, mb, cb, pb) = self._draw()
        fakes, self._fakes = self._fakes, None
        if fakes is None:  # the first step, or a second critic step: translate this batch
            with torch.no_grad():
                fakes = {
                    "b": (self.hold(self.gens.translate(xa, ma, ca, "b", self._noise(xa)), pa), ma, ca),
                    "a": (self.hold(self.gens.translate(xb, mb, cb, "a", self._noise(xb)), pb), mb, cb),
                }
        fb, mfb, cfb = fakes["b"]
        fa, mfa, cfa = fakes["a"]
        fb = self.pools["b"].query(self._critic_input(fb, mfb, cfb))
        fa = self.pools["a"].query(self._critic_input(fa, mfa, cfa))
        la, ra, ga = loss.critic_loss(critic.d_a, self._critic_input(xa, ma, ca), fa)
        lb, rb, gb = loss.critic_loss(critic.d_b, self._critic_input(xb, mb, cb), fb)
        return la + lb, (ra + rb) / 2, (ga + gb) / 2

    def generator_loss(self, critic: CycleDiscriminators, loss: AdversarialLoss) -> tuple[Tensor, Tensor]:
        """``(adversarial, cycle + identity)`` of both generators on a batch of each domain."""
        (xa, ma, ca, pa), (xb, mb, cb, pb) = self._draw()
        g, s = self.gens, self.gens.scale
        det_b, noisy_b = g.translate_pair(xa, ma, ca, "b", self._noise(xa))
        det_a, noisy_a = g.translate_pair(xb, mb, cb, "a", self._noise(xb))
        det_b, det_a = self.hold(det_b, pa), self.hold(det_a, pb)
        fake_b = det_b if noisy_b is None else self.hold(noisy_b, pa)
        fake_a = det_a if noisy_a is None else self.hold(noisy_a, pb)
        adv = loss.generator_loss(
            critic.d_b, self._critic_input(fake_b, ma, ca), self._critic_input(xb, mb, cb)
        ) + loss.generator_loss(critic.d_a, self._critic_input(fake_a, mb, cb), self._critic_input(xa, ma, ca))
        cycle = masked_l1(g.translate(det_b, ma, ca, "a"), xa, ma, s) + masked_l1(
            g.translate(det_a, mb, cb, "b"), xb, mb, s
        )
        extra = self.cycle_weight * cycle
        if self.spectral_weight:
            extra = extra + self.spectral_weight * (  # per tag (the log ratio needs no standardising)
                log_spectral_distance(fake_b * ma, xb * mb, dim=1) + log_spectral_distance(fake_a * mb, xa * ma, dim=1)
            )
        if self.identity_weight:
            identity = masked_l1(g.translate(xb, mb, cb, "b"), xb, mb, s) + masked_l1(
                g.translate(xa, ma, ca, "a"), xa, ma, s
            )
            extra = extra + self.identity_weight * self.cycle_weight * identity
        self._fakes = {"b": (fake_b.detach(), ma, ca), "a": (fake_a.detach(), mb, cb)}
        self.last_cycle = cycle.detach()
        return adv, extra
