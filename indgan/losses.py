"""Adversarial losses shared by every indgan model.

- ``"minimax"``: the original GAN game (Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014):
  the discriminator maximises ``log D(x) + log(1 - D(G(z)))``, the generator minimises
  ``log(1 - D(G(z)))``.
- ``"non-saturating"``: same discriminator; the generator maximises ``log D(G(z))`` instead, the variant the
  same paper recommends because it gives strong gradients early in training.
- ``"feature-matching"``: same discriminator; the generator matches the mean of the discriminator's
  intermediate features on real and generated batches (Salimans et al., "Improved Techniques for Training
  GANs", NeurIPS 2016, section 3.1).
- ``"least-squares"``: LSGAN (Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017): the
  discriminator's raw score is regressed to 1 on real and 0 on generated samples, ``0.5 * ((D(x) - 1)^2 +
  D(G(z))^2)`` (the objective halved, as CycleGAN trains its discriminators), the generator minimises
  ``(D(G(z)) - 1)^2``. CycleGAN's adversarial loss (Zhu et al., ICCV 2017, section 4).
- ``"denoising-feature-matching"``: the non-saturating game plus denoising feature matching (Warde-Farley and
  Bengio, "Improving Generative Adversarial Networks with Denoising Feature Matching", ICLR 2017, eq. 4): a
  denoising autoencoder ``r`` is trained on the discriminator's features ``phi(x)`` of real data (Gaussian
  corruption, squared error); the generator additionally minimises ``lambda_denoise * ||phi(G(z)) -
  r(phi(G(z)))||^2`` with ``r``'s output held fixed, i.e. it is pushed along ``r(phi) - phi``, which estimates the
  gradient of the log-density of real features (Alain and Bengio 2014). Every family gets it through the
  ``features`` sub-module of its critic (tabular rows, sequence latent steps, image feature maps, CycleGAN
  windows); see :class:`DenoisingFeatureMatching` for where it helps.
- ``"wgan-gp"``: Wasserstein critic with gradient penalty (Gulrajani et al., "Improved Training of
  Wasserstein GANs", NeurIPS 2017), the loss CTGAN uses. With PacGAN (Lin et al. 2018) the penalty is taken
  per pack of ``pac`` samples.

Every critic is an ``nn.Module`` with a ``features`` sub-module (input -> last hidden layer) and a ``head``
(hidden -> one score), so that feature matching can reach the features. Scores are logits: ``D(x)`` as a
probability is ``sigmoid(score)``.
"""

from __future__ import annotations

from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .errors import ConfigError

#: lambda_denoise of denoising feature matching (Warde-Farley and Bengio 2017), with lambda_adv = 1.
DFM_WEIGHT = 0.03


class AdversarialLoss:
    """An adversarial loss: ``AdversarialLoss(name, ...)`` gives the loss of that name (:data:`LOSSES`: a class per
    loss, each saying what the families must provide for it: :attr:`needs_real`, :attr:`paired`,
    :attr:`probabilistic`, :attr:`wasserstein`, :attr:`per_cell`; no family tests a loss by its name).

    Parameters
    ----------
    name : str
        The loss; see the module docstring.
    gp_weight : float, default 10
        Weight of the gradient penalty (``"wgan-gp"`` only).
    pac : int, default 1
        Samples per pack of a PacGAN critic; the gradient penalty is taken per pack.
    gp_every : int, default 1
        Lazy regularisation (Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR
        2020, section 3.1): the gradient penalty is computed on every ``gp_every``-th critic loss only, with
        its weight multiplied by ``gp_every``. The penalty's double backward pass is about a third of a
        CTGAN step on a CPU; with ``gp_every=4`` the plant logs' TabularGAN fit took 88 s instead of 110 s
        at the same quality (0.925 against 0.922, 150 epochs).
    denoise_weight : float, default 0.03
        ``lambda_denoise`` of ``"denoising-feature-matching"`` (:class:`DenoisingFeatureMatching`). With that
        loss every :meth:`critic_loss` call also takes one step of the critic's denoiser (kept in
        :attr:`denoisers`, one per critic, made on first use; not saved with a model: it only shapes training).

    ``critic_loss`` returns ``(loss, d_real, d_fake)`` where ``d_real``/``d_fake`` are the batch means of
    ``D(x)`` and ``D(G(z))``: probabilities for the probabilistic losses (0.5 each at the equilibrium the
    original paper describes), raw critic scores for ``"wgan-gp"`` and ``"least-squares"`` (targets 1 and 0).
    GAIN's per-cell game (:meth:`cell_critic_loss`) takes the losses with :attr:`per_cell` only.

    Raises
    ------
    ConfigError
        An unknown name or a bad ``gp_every``.
    """

    #: The loss's name (``--loss``).
    name: ClassVar[str] = ""
    #: The generator loss needs the real batch (feature matching).
    needs_real: ClassVar[bool] = False
    #: The critic loss needs real and generated batches of one size (the gradient penalty interpolates them).
    paired: ClassVar[bool] = False
    #: D(x) is a probability (the score through a sigmoid); else a raw critic score.
    probabilistic: ClassVar[bool] = True
    #: A Wasserstein critic: its loss is unbounded, so a threshold on it (TimeGAN's) means nothing.
    wasserstein: ClassVar[bool] = False
    #: Has GAIN's per-cell form.
    per_cell: ClassVar[bool] = False

    def __new__(cls, name: str = "wgan-gp", *args, **kwargs):
        if cls is AdversarialLoss:
            if name not in LOSSES:
                raise ConfigError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}.")
            cls = LOSSES[name]
        return super().__new__(cls)

    def __init__(
        self,
        name: str = "wgan-gp",
        gp_weight: float = 10.0,
        pac: int = 1,
        gp_every: int = 1,
        denoise_weight: float = DFM_WEIGHT,
    ):
        if isinstance(gp_every, bool) or not isinstance(gp_every, int) or gp_every < 1:
            raise ConfigError(f"gp_every must be a positive integer, got {gp_every!r}.")
        self.gp_weight = gp_weight
        self.pac = pac
        self.gp_every = gp_every
        self._calls = 0
        #: One denoiser per critic (a CycleGAN has two), made on the first critic loss
        #: (``"denoising-feature-matching"``).
        self.denoise_weight = float(denoise_weight)
        self.denoisers: dict[int, DenoisingFeatureMatching] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            LOSSES[cls.name] = cls

    def denoiser(self, critic: nn.Module, features: Tensor) -> DenoisingFeatureMatching:
        """The denoising autoencoder of ``critic``'s features (made on first use, on their device)."""
        key = id(critic)
        dae = self.denoisers.get(key)
        if dae is None:
            dae = self.denoisers[key] = DenoisingFeatureMatching(features.shape[-1], self.denoise_weight).to(
                features.device
            )
        return dae

    def critic_loss(self, critic: nn.Module, real: Tensor, fake: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Loss of the discriminator / critic on a real and a (detached) generated batch ``(batch, dim)``: the
        cross-entropy of the original game, unless the loss says otherwise."""
        return _cross_entropy(critic(real), critic(fake))

    def generator_loss(self, critic: nn.Module, fake: Tensor, real: Tensor | None = None) -> Tensor:
        """Loss of the generator on a generated batch (``real`` is needed when :attr:`needs_real`)."""
        raise NotImplementedError

    def gradient_penalty(self, critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        """``E[(||grad D(x_hat)|| - 1)^2]`` at random points between real and fake packs; inputs may be
        ``(batch, dim)`` rows or ``(batch, seq_len, dim)`` sequences (one norm per pack)."""
        pac = self.pac
        n = real.shape[0]
        alpha = torch.rand(n // pac, 1, device=real.device).repeat_interleave(pac, 0)
        alpha = alpha.reshape((n,) + (1,) * (real.dim() - 1))
        x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        score = critic(x_hat)
        (grad,) = torch.autograd.grad(score.sum(), x_hat, create_graph=True)
        norm = grad.reshape(n // pac, -1).norm(2, dim=1)
        return ((norm - 1) ** 2).mean()

    # ------------------------------------------------------------------ per-cell game (GAIN)
    def cell_critic_loss(self, scores: Tensor, observed: Tensor, weight: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """GAIN's discriminator loss (Yoon, Jordon, van der Schaar, ICML 2018): per-cell logits ``scores``
        that a cell was observed, against the mask ``observed`` (1 observed / 0 imputed), over the cells
        ``weight`` selects (those whose hint gives nothing away). Same shape for all three.

        Returns ``(loss, d_real, d_fake)``: the loss and the mean ``D`` on observed and on imputed cells."""
        if not self.probabilistic:
            raise ConfigError(f"loss {self.name!r} has no per-cell form; GAIN uses minimax or non-saturating.")
        n = weight.sum().clamp_min(1.0)
        bce = observed * F.softplus(-scores) + (1 - observed) * F.softplus(scores)
        loss = (bce * weight).sum() / n
        p = torch.sigmoid(scores).detach()
        d_real = (p * observed).sum() / observed.sum().clamp_min(1.0)
        d_fake = (p * (1 - observed)).sum() / (1 - observed).sum().clamp_min(1.0)
        return loss, d_real, d_fake

    def cell_generator_loss(self, scores: Tensor, observed: Tensor, weight: Tensor) -> Tensor:
        """GAIN's adversarial generator loss on the imputed cells (``observed == 0``) that ``weight``
        selects: ``log(1 - D)`` for minimax, ``-log D`` for non-saturating (GAIN's published form)."""
        raise ConfigError(f"loss {self.name!r} has no per-cell form; GAIN uses minimax or non-saturating.")


def _cross_entropy(s_real: Tensor, s_fake: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """The original game's critic loss ``-log D(x) - log(1 - D(G(z)))`` on logits, and the mean D of each side."""
    loss = F.softplus(-s_real).mean() + F.softplus(s_fake).mean()
    return loss, torch.sigmoid(s_real).mean().detach(), torch.sigmoid(s_fake).mean().detach()


#: ``{name: loss class}`` of every loss (filled as the classes below are defined); ``--loss`` offers these names.
LOSSES: dict[str, type[AdversarialLoss]] = {}


class WGANGP(AdversarialLoss):
    """Wasserstein critic with gradient penalty (Gulrajani et al., NeurIPS 2017), CTGAN's loss."""

    name = "wgan-gp"
    paired = True
    probabilistic = False
    wasserstein = True

    def critic_loss(self, critic, real, fake):
        s_real = critic(real)
        s_fake = critic(fake)
        loss = s_fake.mean() - s_real.mean()
        if self._calls % self.gp_every == 0:
            loss = loss + self.gp_weight * self.gp_every * self.gradient_penalty(critic, real, fake)
        self._calls += 1
        return loss, s_real.mean().detach(), s_fake.mean().detach()

    def generator_loss(self, critic, fake, real=None):
        return -critic(fake).mean()


class Minimax(AdversarialLoss):
    """The original game (Goodfellow et al., NeurIPS 2014): the generator minimises ``log(1 - D(G(z)))``."""

    name = "minimax"
    per_cell = True

    def generator_loss(self, critic, fake, real=None):
        return -F.softplus(critic(fake)).mean()  # log(1 - D(G(z)))

    def cell_generator_loss(self, scores, observed, weight):
        w = (1 - observed) * weight
        return -(F.softplus(scores) * w).sum() / w.sum().clamp_min(1.0)


class NonSaturating(AdversarialLoss):
    """The same game; the generator maximises ``log D(G(z))`` (the same paper's recommendation)."""

    name = "non-saturating"
    per_cell = True

    def generator_loss(self, critic, fake, real=None):
        return F.softplus(-critic(fake)).mean()  # -log D(G(z))

    def cell_generator_loss(self, scores, observed, weight):
        w = (1 - observed) * weight
        return (F.softplus(-scores) * w).sum() / w.sum().clamp_min(1.0)


class FeatureMatching(AdversarialLoss):
    """The generator matches the mean of the critic's features on real and generated batches (Salimans et al.,
    NeurIPS 2016, section 3.1)."""

    name = "feature-matching"
    needs_real = True

    def generator_loss(self, critic, fake, real=None):
        if real is None:
            raise ValueError("feature matching needs the real batch")
        f_real = critic.features(real).mean(dim=0).detach()
        f_fake = critic.features(fake).mean(dim=0)
        return F.mse_loss(f_fake, f_real, reduction="sum")


class LeastSquares(AdversarialLoss):
    """LSGAN (Mao et al., ICCV 2017), CycleGAN's adversarial loss: scores regressed to 1 (real) and 0 (generated)."""

    name = "least-squares"
    probabilistic = False

    def critic_loss(self, critic, real, fake):
        s_real = critic(real)
        s_fake = critic(fake)
        loss = 0.5 * (((s_real - 1) ** 2).mean() + (s_fake**2).mean())
        return loss, s_real.mean().detach(), s_fake.mean().detach()

    def generator_loss(self, critic, fake, real=None):
        return ((critic(fake) - 1) ** 2).mean()


class DenoisingFeatureMatchingLoss(AdversarialLoss):
    """The non-saturating game plus denoising feature matching (Warde-Farley and Bengio, ICLR 2017, eq. 4)."""

    name = "denoising-feature-matching"

    def critic_loss(self, critic, real, fake):
        s_real = critic(real)
        s_fake = critic(fake)
        with torch.no_grad():  # one denoiser step on the real features (no gradient to the critic)
            f_real = critic.features(real)
        self.denoiser(critic, f_real).train_step(f_real)
        return _cross_entropy(s_real, s_fake)

    def generator_loss(self, critic, fake, real=None):
        f_fake = critic.features(fake)
        return F.softplus(-critic(fake)).mean() + self.denoiser(critic, f_fake).generator_loss(f_fake)


def loss_class(name: str) -> type[AdversarialLoss]:
    """The class of a loss name.

    Raises
    ------
    ConfigError
        An unknown name, listing the known ones.
    """
    if name not in LOSSES:
        raise ConfigError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}.")
    return LOSSES[name]


class DenoisingFeatureMatching(nn.Module):
    """The denoiser of denoising feature matching (Warde-Farley and Bengio, ICLR 2017, section 3 and eq. 4).

    ``r`` is a fully connected denoising autoencoder on the discriminator's features ``phi`` ``(..., dim)`` (the
    last axis; a sequence critic's per-step features are denoised step by step). It is trained on the features
    of real data, corrupted by Gaussian noise of standard deviation ``noise`` times each feature's spread in the
    batch, to minimise ``||r(phi + eps) - phi||^2``; its own Adam optimiser runs one step per discriminator step
    (:meth:`train_step`, called from :meth:`AdversarialLoss.critic_loss`). For a small corruption ``r(phi) - phi``
    is proportional to the score ``d log p(phi) / d phi`` of the real features (Alain and Bengio, JMLR 2014), so
    the generator's term ``weight * ||phi(G(z)) - sg[r(phi(G(z)))]||^2`` (``sg``: the target is held fixed,
    summed over features, averaged over samples and steps) moves generated features towards where real features
    are dense: a gradient that, unlike the discriminator's, does not vanish when the discriminator wins, and
    that points at the modes of the real data rather than at its mean (plain feature matching).

    Where it helps (``benchmarks/cyclegan.py``, one run, 2-core CPU, seed 0): the paper reports better samples on
    CIFAR-10, STL-10 and ImageNet, data with many modes. Here, on **images** (the conditional DCGAN on
    scikit-learn's digits, 28 x 28, 30 epochs; Fashion-MNIST is not installed) it made the difference between a
    generator that ignores its label and one that draws it: conditional accuracy 0.98 against 0.26
    (non-saturating) and 0.15 (feature matching), classifier Frechet distance 109 against 198 and 518 (real
    held-out: 20). On **rows** of the plant logs (TabularGAN with these losses instead of its WGAN-GP default,
    20 epochs) it changed nothing measurable: sdmetrics quality 0.812 against 0.811 (non-saturating) and 0.814 (feature
    matching). It
    costs a second pass of the discriminator's features and the denoiser's step: 2x the non-saturating fit time on
    the digits, 1.3x on the rows.

    Parameters
    ----------
    dim : int
        Features per sample (the last axis of ``critic.features(x)``).
    weight : float, default 0.03
        ``lambda_denoise`` (the paper's, with ``lambda_adv = 1``).
    hidden : int, optional
        Units of the two hidden layers; default ``min(1024, max(64, dim))`` (the paper's denoisers are deeper,
        1024 units wide).
    noise : float, default 1.0
        Corruption, in units of each feature's standard deviation over the real batch (the paper: sigma 1).
    lr : float, default 1e-3
        Adam's step for the denoiser.
    """

    def __init__(
        self, dim: int, weight: float = DFM_WEIGHT, hidden: int | None = None, noise: float = 1.0, lr: float = 1e-3
    ):
        super().__init__()
        width = hidden or min(1024, max(64, dim))
        self.net = nn.Sequential(
            nn.Linear(dim, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, dim)
        )
        self.weight, self.noise = float(weight), float(noise)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=lr)
        self.steps = 0
        self._last = None

    def forward(self, features: Tensor) -> Tensor:
        return self.net(features)

    def denoising_loss(self, features: Tensor) -> Tensor:
        """``||r(phi + eps) - phi||^2`` on (detached) real features ``(..., dim)``, summed over features and
        averaged over the rest."""
        flat = features.reshape(-1, features.shape[-1])
        spread = flat.std(0, keepdim=True).clamp_min(1e-3) if flat.shape[0] > 1 else torch.ones_like(flat[:1])
        noisy = flat + self.noise * spread * torch.randn_like(flat)
        return ((self.net(noisy) - flat) ** 2).sum(-1).mean()

    def train_step(self, features: Tensor) -> Tensor:
        """One Adam step of the denoiser on real features; returns the loss (detached, on the device)."""
        loss = self.denoising_loss(features.detach())
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.steps += 1
        self._last = loss.detach()
        return self._last

    def generator_loss(self, features: Tensor) -> Tensor:
        """``weight * ||phi - sg[r(phi)]||^2`` of generated features ``(..., dim)``; its gradient moves ``phi``
        along ``r(phi) - phi``. The denoiser's weights get no gradient."""
        flat = features.reshape(-1, features.shape[-1])
        with torch.no_grad():
            target = self.net(flat)
        return self.weight * ((flat - target) ** 2).sum(-1).mean()
