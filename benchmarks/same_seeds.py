"""Same seeds, fixed step counts: a refactor must give the same numbers as the tree before it.

Usage (one thread, so the two runs are bit-comparable)::

    git worktree add /tmp/before HEAD
    OMP_NUM_THREADS=1 python benchmarks/same_seeds.py /tmp/before   # the tree before
    OMP_NUM_THREADS=1 python benchmarks/same_seeds.py .             # this tree

Every line (scores and hashes of the sampled frames and images) must match.
"""

import hashlib
import pathlib
import sys
import time

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else ".")
import indgan
from indgan import TabularGAN, SequenceGAN, GANImputer, LogGAN, DCGAN, evaluate

print("indgan from", indgan.__file__)
torch.set_num_threads(1)
D = str(pathlib.Path(__file__).resolve().parents[1] / "examples" / "data") + "/"
plant = pd.read_parquet(D + "plant_logs.parquet")
tep = pd.read_parquet(D + "tep.parquet")


def h(df):
    return hashlib.sha1(
        pd.util.hash_pandas_object(df.reset_index(drop=True), index=False).values.tobytes()
    ).hexdigest()[:12]


t = time.perf_counter()
m = TabularGAN(epochs=20, time_budget=None, random_state=0, verbose=False).fit(plant)
s = m.sample(len(plant), random_state=1)
print(
    (
        f"tabular   {time.perf_counter() - t:6.1f} s  quality {evaluate(plant, s, temporal=False).quality_score:.4f}  "
        f"hash {h(s)}"
    )
)
t = time.perf_counter()
small = tep[tep["run"].isin(sorted(tep["run"].unique())[:4])]
q = SequenceGAN(seq_len=24, iterations=60, pretrain_iterations=60, time_budget=None, random_state=0, verbose=False).fit(
    small, condition="fault"
)
s = q.sample(sequences=4, steps=48, random_state=2)
print(
    f"sequence  {time.perf_counter() - t:6.1f} s  hash {h(s)}  mean {s.select_dtypes('number').to_numpy().mean():.6f}"
)
t = time.perf_counter()
rng = np.random.default_rng(0)
x = plant[["tag5", "tag6", "tag7", "tag8", "tag9"]].apply(pd.to_numeric, errors="coerce").to_numpy()[:1500]
xm = x.copy()
xm[rng.random(x.shape) < 0.2] = np.nan
imp = GANImputer(iterations=200, time_budget=None, random_state=0, verbose=False).fit(xm)
f = imp.transform(xm)
miss = np.isnan(xm) & ~np.isnan(x)
print(f"imputer   {time.perf_counter() - t:6.1f} s  rmse {np.sqrt(np.mean((f[miss] - x[miss]) ** 2)):.6f}")
t = time.perf_counter()
lg = LogGAN(epochs=15, time_budget=None, random_state=0, verbose=False).fit(plant)
s = lg.sample(random_state=3)
r = evaluate(plant, s)
print(
    (
        f"log       {time.perf_counter() - t:6.1f} s  rows {r.quality_score:.4f}  steps {r.temporal.step_change:.4f}  "
        f"hash {h(s)}"
    )
)
try:
    from indgan.adapters.images import digits
except ImportError:
    from indgan.images import digits
t = time.perf_counter()
data = digits(32)
g = DCGAN(epochs=1, time_budget=None, random_state=0, verbose=False).fit(data.images)
img = g.sample(16, random_state=4)
print(
    (
        f"image     {time.perf_counter() - t:6.1f} s  hash "
        f"{hashlib.sha1(np.ascontiguousarray(img).tobytes()).hexdigest()[:12]}"
    )
)
