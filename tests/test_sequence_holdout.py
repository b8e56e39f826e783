"""The sequence model's held-out stop: the split shares no step, and the networks kept are the best scored."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import indgan.sequence.model as sequence_model
from indgan import SequenceGAN
from indgan.sequence.game import HeldOutScore
from indgan.sequence.prepare import MIN_HELD_ENTITIES, MIN_HELD_WINDOWS, holdout_windows
from indgan.timegrid import window_starts

from .conftest import DATA

TAGS = ["xmeas_1", "xmeas_7", "xmeas_9", "xmeas_21", "xmv_10"]
TINY = dict(
    seq_len=12,
    hidden_dim=12,
    num_layers=2,
    iterations=150,
    pretrain_iterations=20,
    batch_size=32,
    time_budget=None,
    verbose=False,
)


def covered(starts: np.ndarray, seq_len: int) -> set:
    return set((starts[:, None] + np.arange(seq_len)).ravel().tolist())


@settings(max_examples=150, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 400), min_size=1, max_size=30),
    seq_len=st.integers(2, 30),
    stride=st.integers(1, 5),
    share=st.floats(0.01, 0.5),
    seed=st.integers(0, 3),
)
def test_held_out_windows_share_no_step_with_training(lengths, seq_len, stride, share, seed):
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    starts = window_starts(offsets, seq_len, stride)
    train, held = holdout_windows(starts, offsets, seq_len, False, share, seed)
    assert set(train.tolist()) <= set(starts.tolist()) and set(held.tolist()) <= set(starts.tolist())
    if len(held) == 0:
        assert np.array_equal(train, starts)  # nothing held out: every window trains
        return
    assert len(held) >= MIN_HELD_WINDOWS and len(train) >= len(held)
    assert not covered(train, seq_len) & covered(held, seq_len)  # no step is both trained on and scored
    entity = np.searchsorted(offsets, np.concatenate([train, held]), side="right") - 1
    ends = offsets[entity + 1]
    assert (np.concatenate([train, held]) + seq_len <= ends).all()  # no window crosses an entity
    if len(np.unique(entity)) >= MIN_HELD_ENTITIES:  # entities with windows: whole ones held out
        held_e = set((np.searchsorted(offsets, held, side="right") - 1).tolist())
        train_e = set((np.searchsorted(offsets, train, side="right") - 1).tolist())
        assert not held_e & train_e


def test_blocks_are_spread_over_a_long_log():
    offsets = np.array([0, 24_000])
    starts = window_starts(offsets, 24)
    train, held = holdout_windows(starts, offsets, 24, False, 0.1, 0)
    assert 0.08 < len(held) / len(starts) < 0.1  # a tenth of the blocks, less the windows across their edges
    assert 0.85 < len(train) / len(starts) < 0.9
    quarters = np.histogram(held, bins=4, range=(0, 24_000))[0]
    assert (quarters > 0).all()  # every quarter of the log has held-out history, not only its end


def test_short_logs_and_few_whole_entities_hold_nothing_out():
    offsets = np.array([0, 120, 240])  # two runs of one block each: too short to spare a block
    starts = window_starts(offsets, 12)
    assert len(holdout_windows(starts, offsets, 12, False, 0.1, 0)[1]) == 0
    whole = np.arange(10) * 50  # ten whole entities: none is held out
    assert len(holdout_windows(whole, np.arange(11) * 50, 50, True, 0.1, 0)[1]) == 0
    whole = np.arange(40) * 50  # 40 entities: 4 to hold out, too few to score
    assert len(holdout_windows(whole, np.arange(41) * 50, 50, True, 0.1, 0)[1]) == 0
    whole = np.arange(200) * 50
    train, held = holdout_windows(whole, np.arange(201) * 50, 50, True, 0.1, 0)
    assert len(held) == 20 and len(train) == 180 and not set(held) & set(train)


@pytest.fixture(scope="module")
def two_runs():
    """Normal run d00 and fault 5 (d05_te): 1,460 rows of 5 tags, 24 blocks of 10 windows."""
    tep = pd.read_parquet(DATA / "tep.parquet")
    runs = tep[tep.run.isin(["d00", "d05_te"])]
    return runs[["run", "fault", "time", *TAGS]].reset_index(drop=True)


def test_the_best_scored_networks_are_kept(two_runs, monkeypatch):
    """The score is scripted (3, 1, 2, ...) so that the second record is the best whatever the machine's numerics;
    the real score is still computed at every record, and the networks kept must be the second record's."""
    real_scores, states, made = [], [], []
    script = iter([3.0, 1.0, 2.0, 4.0, 5.0, 6.0])

    class Scripted(HeldOutScore):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

        def __call__(self, generator, recovery):
            real_scores.append(super().__call__(generator, recovery))
            states.append({k: v.clone() for k, v in [*generator.state_dict().items(), *recovery.state_dict().items()]})
            return next(script)

    monkeypatch.setattr(sequence_model, "HeldOutScore", Scripted)
    model = SequenceGAN(random_state=0, patience=1, **{**TINY, "iterations": 600}).fit(two_runs, condition="fault")
    info = model.fit_info_
    scores = [r["held_out_mmd"] for r in model.summary_.history]
    # patience 1: it stopped at the third record, the first that was not better than the best
    assert scores == [3.0, 1.0, 2.0] and info.stop_reason == "early stop" and model.summary_.steps == 150
    assert info.n_held_out >= MIN_HELD_WINDOWS and all(np.isfinite(real_scores)) and real_scores[0] > 0
    assert info.validation_score == 1.0 and info.best_iteration == 100
    # the generator and the recovery now are those of the second record, not the last ones
    kept = {k: v for k, v in [*model.generator_.state_dict().items(), *model.recovery_.state_dict().items()]}
    assert all(torch.equal(kept[k], states[1][k]) for k in kept)
    assert not all(torch.equal(kept[k], states[2][k]) for k in kept)
    assert HeldOutScore.__call__(made[0], model.generator_, model.recovery_) == pytest.approx(
        real_scores[1], rel=1e-5, abs=1e-7
    )
    assert "held out to choose the networks kept" in model.fit_lines()[0]
    assert "kept the networks of iteration 100" in model.training_lines()[1]


def test_the_score_tells_real_windows_from_noise(two_runs):
    """The held-out MMD is near 0 for real windows against real ones and large for shuffled steps."""
    model = SequenceGAN(random_state=0, validation_share=0.0, **TINY).fit(two_runs, condition="fault")
    assert model.fit_info_.n_held_out == 0 and model.fit_info_.validation_score is None
    x = torch.rand(200, 12, 3)
    x = torch.cumsum(x - 0.5, 1) / 5  # random walks: smooth windows
    ones = torch.ones_like(x)

    class Fixed:  # stands in for the generator and recovery: returns given windows
        def __init__(self, out):
            self.out = out

        def generate(self, z, c):
            return self.out, None

        def supervise(self, e, c):
            return e, None

    def identity(h):
        return h[..., :3], None

    score = HeldOutScore(model.nets_, x[:100], ones[:100], x[:100, :, :0], ones[:100, :, :1])
    same = score(Fixed(x[100:]), identity)
    shuffled = score(Fixed(x[100:, torch.randperm(12)]), identity)
    assert abs(same) < 0.02 and shuffled > 10 * max(abs(same), 1e-3)
