"""Never lose a user's data: no output over an input, outputs complete or absent, distinct default names, and
options refused before any work."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from indgan.adapters.files import PartsWriter, write_table
from indgan.atomic import atomic_output, check_not_an_input, default_output
from indgan.cli import cli
from indgan.errors import DataError, ModelFileError
from indgan.persist import save_model_file


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)


def test_an_output_over_an_input_is_refused_before_any_work(small_parquet, tmp_path):
    before = _digest(small_parquet)
    r = _run(["fit", small_parquet, "-o", small_parquet, "--model", "tabular", "--epochs", "1", "--quiet"])
    assert r.exit_code != 0 and "that is the input DATA" in r.output and "Traceback" not in r.output
    assert _digest(small_parquet) == before
    r = _run(["impute", small_parquet, "-o", small_parquet])
    assert r.exit_code != 0 and "would destroy it" in r.output and _digest(small_parquet) == before
    folder = tmp_path / "hist"
    folder.mkdir()
    with pytest.raises(DataError, match="inside the input folder"):
        check_not_an_input(folder / "out.parquet", {"DATA": folder})
    check_not_an_input(tmp_path / "other.parquet", {"DATA": small_parquet, "--model": None})  # fine


def test_default_outputs_keep_the_whole_name():
    assert default_output("plant.2024-01.parquet", ".indgan") == default_output("x/plant.2024-01.csv", ".indgan")
    assert str(default_output("plant.2024-01.parquet", ".indgan")) == "plant.2024-01.indgan"
    assert str(default_output("plant.2024-02.parquet", ".indgan")) == "plant.2024-02.indgan"
    assert str(default_output("data.2024-01.csv", ".csv", "_filled")) == "data.2024-01_filled.csv"


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_an_interrupted_write_leaves_the_old_file(tmp_path, suffix, monkeypatch):
    path = tmp_path / f"out{suffix}"
    write_table(pd.DataFrame({"a": [1, 2, 3]}), path)
    before = _digest(path)

    def broken(self, target, *a, **k):
        open(target, "w").write("half a file")  # noqa: SIM115
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet" if suffix == ".parquet" else "to_csv", broken)
    with pytest.raises(KeyboardInterrupt):
        write_table(pd.DataFrame({"a": range(1000)}), path)
    assert _digest(path) == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no partial file left beside it


@pytest.mark.parametrize("target", ["out.parquet", "out.csv", "parts"])
def test_parts_are_written_whole_or_not_at_all(tmp_path, target):
    path = tmp_path / target
    with PartsWriter(path) as w:
        w.write(pd.DataFrame({"a": [1, 2]}))
    first = sorted(p.name for p in tmp_path.iterdir())
    snapshot = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError, match="stopped"):
        with PartsWriter(path) as w:
            w.write(pd.DataFrame({"a": [5, 6]}))
            raise RuntimeError("stopped half way")
    assert sorted(p.name for p in tmp_path.iterdir()) == first
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == snapshot
    with PartsWriter(path) as w:  # a complete write replaces the old output
        w.write(pd.DataFrame({"a": [7]}))
        w.write(pd.DataFrame({"a": [8]}))
    back = pd.read_parquet(path) if target != "out.csv" else pd.read_csv(path)
    assert back["a"].tolist() == [7, 8]


def test_atomic_output_replaces_only_when_complete(tmp_path):
    path = tmp_path / "m.bin"
    path.write_bytes(b"old")
    with pytest.raises(ValueError):
        with atomic_output(path) as tmp:
            tmp.write_bytes(b"new, but")
            raise ValueError
    assert path.read_bytes() == b"old"
    with atomic_output(path) as tmp:
        tmp.write_bytes(b"new")
    assert path.read_bytes() == b"new" and len(list(tmp_path.iterdir())) == 1


def test_a_model_file_that_cannot_be_written_is_one_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(ModelFileError, match="cannot write the model file"):
        save_model_file(blocker / "m.indgan", "TabularGAN", {}, {})


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "{data}", "--seed", str(2**64)], "--seed"),
        (["fit", "{data}", "--eval-rows", "-1"], "--eval-rows"),
        (["sample", "{data}", "--seed", "-3"], "--seed"),
    ],
)
def test_bad_options_are_refused_before_any_work(args, message, small_parquet):
    r = _run([str(small_parquet) if a == "{data}" else a for a in args])
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


@pytest.mark.parametrize(
    "odd, message",
    [
        ("extra", "has column\\(s\\) \\['extra'\\]"),
        ("text", "column 'tag0' is string"),
    ],
)
def test_a_folder_whose_files_disagree_is_refused(tmp_path, small, odd, message):
    from indgan import read_table

    folder = tmp_path / "hist"
    folder.mkdir()
    small.iloc[:300].to_parquet(folder / "a.parquet", index=False)
    other = small.iloc[300:].copy()
    if odd == "extra":
        other["extra"] = 1.0
    else:
        other["tag0"] = other["tag0"].astype(str)
    other.to_parquet(folder / "b.parquet", index=False)
    with pytest.raises(DataError, match=message):
        read_table(folder)
    r = _run(["fit", folder, "--model", "tabular", "--epochs", "1", "--quiet", "-o", tmp_path / "m.indgan"])
    assert r.exit_code != 0 and "b.parquet" in r.output and not (tmp_path / "m.indgan").exists()


@pytest.mark.parametrize("magnitude", [1e300, 1e-300])
def test_extreme_magnitudes_are_learned_like_any_other(small, magnitude):
    import warnings

    import numpy as np

    from indgan import TabularGAN

    from .conftest import TINY

    df = small[["tag0", "tag1", "tag5"]].copy()
    df["tag0"] = df["tag0"] * magnitude
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way
        out = TabularGAN(random_state=0, **TINY).fit(df).sample(500, random_state=0)
    v = out["tag0"].to_numpy(float) / magnitude
    real = df["tag0"].to_numpy(float) / magnitude
    assert np.isfinite(v).all() and len(np.unique(v)) > 50  # not only the training minimum and maximum
    assert real.min() - 1e-9 <= v.min() and v.max() <= real.max() + 1e-9


def test_a_time_grid_of_mostly_gap_is_said_and_an_absurd_one_refused(caplog):
    import numpy as np

    from indgan.timegrid import to_grid

    t = pd.to_datetime(["2024-01-01 00:00:00", "2024-01-01 00:00:01", "2024-01-01 00:00:02"])
    df = pd.DataFrame({"t": t.append(pd.DatetimeIndex(["2224-01-01"])), "x": np.arange(4.0)})
    with pytest.raises(DataError, match="the longest gap runs from 2024-01-01 00:00:02 to 2224-01-01"):
        to_grid(df, "t")
    minutes = pd.date_range("2024-01-01", periods=200, freq="1min")
    sparse = pd.DataFrame({"t": minutes.append(pd.DatetimeIndex(["2024-03-01"])), "x": np.arange(201.0)})
    with caplog.at_level("WARNING"):
        grid = to_grid(sparse, "t")
    assert "mostly gap" in caplog.text and grid.observed.sum() == 201


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc: a folder no user can create files in")
@pytest.mark.parametrize(
    "args",
    [
        ["fit", "{data}", "-o", "/proc/m.indgan", "--epochs", "1", "--quiet"],
        ["fit", "{data}", "--report", "/proc/r.html", "--epochs", "1", "--quiet", "-o", "{tmp}/m.indgan"],
        ["impute", "{data}", "-o", "{tmp}/f.parquet", "--save", "/proc/imp.indgan", "--iterations", "1"],
        ["impute", "{data}", "-o", "/proc/f.parquet", "--iterations", "1"],
        ["sample", "{model}", "-o", "/proc/s.csv"],
    ],
)
def test_an_unwritable_output_is_refused_before_any_work(args, small_parquet, tiny_model, tmp_path):
    """Read-only folders are checked by writing a probe file, so the check holds for root too (/proc refuses
    every user); nothing is trained first."""
    model = tiny_model.save(tmp_path / "tiny.indgan")
    r = _run([a.format(data=small_parquet, tmp=tmp_path, model=model) for a in args])
    assert r.exit_code == 1 and "cannot write in /proc" in r.output, r.output
    assert "model:" not in r.output and "rows x" not in r.output  # refused before reading or training
    assert not list(Path(tmp_path).glob("*.partial*"))


def test_an_existing_folder_as_a_file_output_is_refused_before_any_work(small_parquet, tmp_path):
    folder = tmp_path / "outdir"
    folder.mkdir()
    r = _run(["fit", small_parquet, "-o", folder, "--epochs", "1", "--quiet"])
    assert r.exit_code == 1 and "that is a folder" in r.output and "model:" not in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outdir"]  # no outdir.tmp left behind


def test_sample_streams_to_stdout_and_refuses_what_cannot_fit(tiny_model, tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    model = tiny_model.save(tmp_path / "tiny.indgan")
    r = _run(["sample", model, "-n", "25000", "--part-rows", "10000", "--seed", "1"])
    lines = r.stdout.splitlines()
    assert r.exit_code == 0 and len(lines) == 25001 and lines.count(lines[0]) == 1  # one header, every row
    r = _run(["sample", model, "-n", str(10**12)])
    assert r.exit_code == 1 and "1,000,000,000,000 rows" in r.output and not r.stdout.count("\n") > 1
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 10**6, 10**6))  # 1 MB free
    r = _run(["sample", model, "-n", "200000", "-o", tmp_path / "s.csv"])
    assert r.exit_code == 1 and "200,000 rows" in r.output and "1.0 MB free" in r.output
    assert not (tmp_path / "s.csv").exists()


def _holed_log(small):
    log = small[["timestamp", "tag0", "tag1", "tag5"]].iloc[:400].reset_index(drop=True)
    log.loc[np.random.default_rng(0).random(len(log)) < 0.1, "tag0"] = np.nan
    return log


def test_fit_and_impute_read_a_log_s_rows_by_one_rule(small, caplog):
    """Rows out of order are read in time order (a warning); repeated timestamps: the first row of each time is the
    log (a warning); a local-time export's repeated autumn hour is refused with the summer-time hint. The log
    model and the imputer say the same."""
    from indgan import GANImputer, LogGAN

    log = _holed_log(small)
    shuffled = log.sample(frac=1.0, random_state=0)
    repeats = pd.concat([log, log.iloc[[10, 20]].assign(tag0=np.nan, tag1=99.0)], ignore_index=True)
    tiny = dict(epochs=1, time_budget=None, batch_size=100, latent_dim=8, generator_dim=(16,), critic_dim=(16,))
    for fit in (lambda d: LogGAN(**tiny).fit(d), lambda d: GANImputer(iterations=2).fit(d)):
        caplog.clear()
        fit(shuffled)
        assert "go back in time" in caplog.text and "taken in time order" in caplog.text
        caplog.clear()
        fit(repeats)
        assert "2 row(s) repeat a timestamp" in caplog.text and "first row of each time" in caplog.text
    imp = GANImputer(iterations=2, random_state=0)
    out = imp.fit_transform(shuffled)
    assert out.index.equals(shuffled.index) and out["tag0"].notna().all()  # input order, every row filled
    out = imp.fit_transform(repeats)
    # a repeat's missing cell is what the first row of its time holds (observed or filled); its own cells stay
    np.testing.assert_array_equal(out["tag0"].iloc[-2:].to_numpy(), out["tag0"].iloc[[10, 20]].to_numpy())
    assert (out["tag1"].iloc[-2:] == 99.0).all()
    with pytest.raises(DataError, match="repeat a timestamp"):
        GANImputer(iterations=2, duplicate_times="error").fit(repeats)
    # local time, summer time ends: 02:00-02:55 twice, in file order
    times = pd.date_range("2024-10-27 00:00", "2024-10-27 02:55", freq="5min").strftime("%Y-%m-%d %H:%M").tolist()
    times += pd.date_range("2024-10-27 02:00", "2024-10-27 05:00", freq="5min").strftime("%Y-%m-%d %H:%M").tolist()
    local = pd.DataFrame({"time": times, "x": np.sin(np.arange(len(times)) / 5.0)})
    local.loc[5, "x"] = np.nan
    for fit in (lambda d: LogGAN(**tiny).fit(d), lambda d: GANImputer(iterations=2).fit(d)):
        with pytest.raises(DataError, match="summer time ends"):
            fit(local)


def test_every_command_names_its_output_with_output(small_parquet, tmp_path):
    """fit takes -o/--output like every other command (--out stays as the older name)."""
    for option in ("--output", "--out", "-o"):
        path = tmp_path / f"m{option.strip('-')}.indgan"
        r = _run(
            ["fit", small_parquet, option, path, "--model", "tabular", "--epochs", "1", "--quiet", "--eval-rows", "0"]
        )
        assert r.exit_code == 0 and path.is_file(), r.output
