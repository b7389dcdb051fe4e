"""Interruptions and I/O failures: one line, nothing half-written, and a sweep that resumes to the same results.

Each test drives ``radsim`` in its own process group, as a terminal would: Ctrl-C is
SIGINT to the whole group (client and workers), kill -9 is SIGKILL to one process or
to all of them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.runner import TEMPORARY_OWNER

RADSIM = [sys.executable, "-m", "experiments"]

SWEEP = """
[sweep]
name = "interruptions"
design = "lhs"
samples = 24
replications = 2
seed = 3
steps = 156
batch_size = 2
outcomes = ["phase_1", "phase_2", "entered_phase_2", "mean_trust"]

[uncertainties]
societal_discrimination = { low = 0.1, high = 0.5 }

[constants]
n_residents = 1500
"""

CALIBRATION = """
[calibration]
name = "interruptions"
samples = 40
accept = 0.25
seed = 2
steps = 104
batch_size = 2

[targets]
phase_1 = 90

[free]
societal_discrimination = { low = 0.1, high = 0.5 }

[constants]
n_residents = 1200
"""

from test_bad_inputs import PROGRESS_LINE


def message_lines(err: str) -> list[str]:
    """The lines of ``err`` that are not plain progress lines (printed when stderr is not a terminal)."""
    return [line for line in err.strip().splitlines() if not PROGRESS_LINE.match(line)]


def start(*args: str, cwd: Path) -> subprocess.Popen:
    """``radsim ARGS`` in a new process group, with SIGINT at its default (pytest's workers may ignore it)."""
    return subprocess.Popen([*RADSIM, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*RADSIM, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def wait_for_parts(out: Path, at_least: int, proc: subprocess.Popen, timeout: float = 240.0) -> None:
    """Wait until ``at_least`` result parts are written (the sweep is under way); fail if it ends first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if len(list((out / "results.parquet").glob("part-*.parquet"))) >= at_least:
            return
        assert proc.poll() is None, f"the command ended before it could be interrupted: {proc.stderr.read()}"
        time.sleep(0.05)
    raise AssertionError("no results appeared")


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def dask_workers(pid: int) -> list[int]:
    """The Dask worker processes of a local cluster started by process ``pid``."""
    found = []
    for child in children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            found.append(child)
    return found


def results_without_timing(out: Path) -> pd.DataFrame:
    from experiments.sweep import read_results

    return read_results(out).drop(columns=["wall_seconds"]).sort_values("run_id").reset_index(drop=True)


def raw_run_ids(out: Path) -> list[int]:
    """Every run id in every part file, duplicates included."""
    parts = sorted((out / "results.parquet").glob("part-*.parquet"))
    return sorted(pd.concat([pd.read_parquet(p, columns=["run_id"]) for p in parts]).run_id.tolist())


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "sweep.toml").write_text(SWEEP)
    res = run("sweep", "sweep.toml", "--out", "whole", "--workers", "2", cwd=folder)
    assert res.returncode == 0, res.stderr
    return folder, results_without_timing(folder / "whole")


@pytest.mark.slow
def test_ctrl_c_during_a_sweep_prints_one_line_and_the_same_command_resumes(uninterrupted):
    folder, expected = uninterrupted
    proc = start("sweep", "sweep.toml", "--out", "ctrl_c", "--workers", "2", cwd=folder)
    wait_for_parts(folder / "ctrl_c", 2, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert len(message_lines(err)) == 1 and "interrupted" in err and "Traceback" not in err, err
    res = run("sweep", "sweep.toml", "--out", "ctrl_c", "--workers", "2", cwd=folder)
    assert res.returncode == 0, res.stderr
    pd.testing.assert_frame_equal(results_without_timing(folder / "ctrl_c"), expected)
    assert raw_run_ids(folder / "ctrl_c") == sorted(expected.run_id.tolist())      # none lost, none twice


@pytest.mark.slow
def test_a_sweep_survives_kill_9_of_a_worker_mid_batch(uninterrupted):
    folder, expected = uninterrupted
    proc = start("sweep", "sweep.toml", "--out", "worker_killed", "--workers", "2", cwd=folder)
    wait_for_parts(folder / "worker_killed", 1, proc)
    workers = dask_workers(proc.pid)
    assert workers, "no Dask worker process found"
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    pd.testing.assert_frame_equal(results_without_timing(folder / "worker_killed"), expected)
    assert raw_run_ids(folder / "worker_killed") == sorted(expected.run_id.tolist())


@pytest.mark.slow
def test_kill_9_of_a_whole_sweep_then_the_same_command_loses_and_repeats_nothing(uninterrupted):
    folder, expected = uninterrupted
    out = folder / "all_killed"
    proc = start("sweep", "sweep.toml", "--out", "all_killed", "--workers", "2", cwd=folder)
    wait_for_parts(out, 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    (out / "results.parquet" / ".part-000000999-999999999-1.parquet.tmp").write_bytes(b"half")  # as if killed mid-write
    res = run("sweep", "sweep.toml", "--out", "all_killed", "--workers", "2", cwd=folder)
    assert res.returncode == 0, res.stderr
    assert "already done" in res.stdout and "(0 already done)" not in res.stdout, res.stdout
    pd.testing.assert_frame_equal(results_without_timing(out), expected)
    assert raw_run_ids(out) == sorted(expected.run_id.tolist())
    assert not list((out / "results.parquet").glob(".*.tmp")), "a half-written part was left behind"


@pytest.mark.slow
def test_kill_9_of_a_calibration_then_the_same_command_gives_the_same_fit(tmp_path):
    (tmp_path / "cal.toml").write_text(CALIBRATION)
    res = run("calibrate", "cal.toml", "--out", "whole", "--workers", "2", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    proc = start("calibrate", "cal.toml", "--out", "killed", "--workers", "2", cwd=tmp_path)
    wait_for_parts(tmp_path / "killed" / "prior", 2, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert not (tmp_path / "killed" / "fitted.csv").exists()
    res = run("calibrate", "cal.toml", "--out", "killed", "--workers", "2", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    whole, resumed = (pd.read_csv(tmp_path / name / "fitted.csv") for name in ("whole", "killed"))
    pd.testing.assert_frame_equal(resumed, whole)
    assert raw_run_ids(tmp_path / "killed" / "prior") == raw_run_ids(tmp_path / "whole" / "prior")


def test_ctrl_c_during_a_run_prints_one_line_and_writes_nothing(tmp_path):
    proc = start("run", "demo.toml", "--out", "out", cwd=tmp_path)
    time.sleep(3.0)                          # importing and building the town; the run takes several seconds more
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and len(message_lines(err)) == 1 and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == [], "an interrupted run left something behind"


def test_a_ctrl_c_swallowed_where_it_was_raised_still_stops_the_run(tmp_path, monkeypatch, capsys):
    """SIGINT can land while numba's compiler runs a C callback, where Python swallows the exception the handler
    raises (and prints "Exception ignored ..." with a traceback). The command must still stop with 130 and one line."""
    from experiments import cli
    from model.model import RadicalisationModel

    original_step = RadicalisationModel.step

    def step_with_a_swallowed_ctrl_c(self):
        if self.steps == 5:
            try:
                cli._interrupt(signal.SIGINT, None)
            except BaseException:
                pass
        original_step(self)

    monkeypatch.setattr(RadicalisationModel, "step", step_with_a_swallowed_ctrl_c)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["run", "demo.toml", "--residents", "400", "--steps", "20", "--out", "out"])
    err = capsys.readouterr().err
    assert code == 130 and "interrupted" in err and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == [], "an interrupted run left something behind"


def dead_pid() -> int:
    """The id of a process that has ended."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_temporaries_of_a_killed_run_are_removed_by_the_next_run_into_the_same_place(tmp_path):
    killed = tmp_path / ".out.abc12345"          # what kill -9 during the write leaves beside --out
    killed.mkdir()
    (killed / TEMPORARY_OWNER).write_text(str(dead_pid()))
    (killed / "timeseries.parquet").write_bytes(b"partial")
    older = tmp_path / ".out.zz999999"           # no owner file
    older.mkdir()
    running = tmp_path / ".out.live0000"         # a run that is still writing: left alone
    running.mkdir()
    (running / TEMPORARY_OWNER).write_text(str(os.getppid()))
    res = run("run", "--residents", "300", "--steps", "3", "--out", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert not killed.exists() and not older.exists() and running.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["phases.png", "run.json", "timeseries.parquet"]


@pytest.mark.parametrize("command", [["run", "demo.toml"], ["compare", "combined.toml"], ["sweep", "drivers_lhs.toml"],
                                     ["calibrate", "trust_discrimination.toml"], ["bench", "--quick"],
                                     ["validate", "--quick"], ["sensitivity", "drivers_sobol.toml"]])
def test_an_output_folder_that_cannot_be_written_is_one_line_before_any_work(command, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for out, words in [("/proc/radsim-test", "cannot write in /proc"), (str(blocker / "sub"), "is not a folder"),
                       (str(blocker), "exists and is not a folder")]:
        res = run(*command, "--out", out, cwd=tmp_path)
        assert res.returncode == 2, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1 and words in res.stderr and out in res.stderr, res.stderr
        assert "Traceback" not in res.stderr and res.stdout == ""          # nothing ran: no headline
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_text_with_brackets_is_printed_as_it_is(tmp_path):
    (tmp_path / "s.toml").write_text('[scenario]\nname = "town [/x] and [bold]more[/bold]"\nsteps = 2\n'
                                     "[parameters]\nn_residents = 200\n")
    res = run("run", "s.toml", "--out", "o", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "town [/x] and [bold]more[/bold]" in res.stdout
    res = run("run", "no [/x] such [red]file.toml", cwd=tmp_path)
    assert res.returncode == 2 and "no [/x] such [red]file.toml" in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


def test_ctrl_c_stops_the_dashboard_with_one_line(tmp_path):
    proc = start("dashboard", "--port", "0", cwd=tmp_path)
    line = proc.stdout.readline()                  # "radsim dashboard at http://127.0.0.1:PORT (Ctrl-C stops it)"
    assert "radsim dashboard at http://127.0.0.1:" in line, line
    time.sleep(4.0)                                # the server is up
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip().splitlines() == ["interrupted: the dashboard stopped"], err
