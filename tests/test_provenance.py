"""Every result says what made it: version, git commit, command line, configuration hash, input hashes, seeds
(run, compare, sweep, sensitivity, calibrate, validate)."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from experiments.examples import example_path

RADSIM = [sys.executable, "-m", "experiments"]
ROOT = Path(__file__).resolve().parents[1]


def radsim(*args, cwd):
    res = subprocess.run([*RADSIM, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    return res


def check_record(record: dict, command: list[str]) -> None:
    assert record["radsim_version"] and record["command_line"] == ["radsim", *command]
    assert len(record["config_sha256"]) == 64 and record["environment"]["numpy"] and record["environment"]["python"]
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:                       # a checkout: the commit the code ran from
        assert record["git"]["commit"] == head.stdout.strip() and isinstance(record["git"]["dirty"], bool)


def test_run_json_holds_the_provenance_and_the_same_configuration_hashes_alike(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('[scenario]\nname = "p"\nsteps = 3\nseed = 9\n[parameters]\nn_residents = 300\n')
    command = ["run", "s.toml", "--out", "a"]
    radsim(*command, cwd=tmp_path)
    radsim("run", "s.toml", "--out", "b", cwd=tmp_path)
    run_a = json.loads((tmp_path / "a" / "run.json").read_text())
    a, b = run_a["provenance"], json.loads((tmp_path / "b" / "run.json").read_text())["provenance"]
    check_record({**a, "radsim_version": run_a["radsim_version"], "environment": run_a["environment"]}, command)
    assert a["inputs"] == {"s.toml": hashlib.sha256(scenario.read_bytes()).hexdigest()} and a["seeds"] == 9
    assert a["config_sha256"] == b["config_sha256"]
    radsim("run", "s.toml", "--seed", "10", "--out", "c", cwd=tmp_path)
    assert json.loads((tmp_path / "c" / "run.json").read_text())["provenance"]["config_sha256"] != a["config_sha256"]


def test_a_comparison_writes_its_provenance(tmp_path):
    command = ["compare", "combined.toml", "--replications", "2", "--residents", "300", "--steps", "60",
               "--workers", "1", "--out", "cmp"]
    radsim(*command, cwd=tmp_path)
    record = json.loads((tmp_path / "cmp" / "provenance.json").read_text())
    check_record(record, command)
    path = str(example_path("combined.toml"))
    assert record["inputs"] == {path: hashlib.sha256(Path(path).read_bytes()).hexdigest()}
    assert len(record["seeds"]) == 2 and record["configuration"]["replications"] == 2


def test_a_sweep_records_every_invocation(tmp_path):
    (tmp_path / "sw.toml").write_text('[sweep]\nname = "p"\ndesign = "grid"\ngrid_levels = 2\nreplications = 1\n'
                                      'seed = 1\nsteps = 5\noutcomes = ["phase_1"]\n[uncertainties]\n'
                                      'segregation = { low = 0.2, high = 0.8 }\n[constants]\nn_residents = 200\n')
    command = ["sweep", "sw.toml", "--out", "s", "--workers", "1"]
    radsim(*command, cwd=tmp_path)
    radsim(*command, cwd=tmp_path)                 # resumes: nothing to do, one more invocation on record
    records = json.loads((tmp_path / "s" / "provenance.json").read_text())
    assert len(records) == 2 and records[0]["config_sha256"] == records[1]["config_sha256"]
    for record in records:
        check_record(record, command)
        assert record["seeds"]["base_seed"] == 1
        assert record["inputs"] == {"sw.toml": hashlib.sha256((tmp_path / "sw.toml").read_bytes()).hexdigest()}


def test_validate_writes_its_provenance(tmp_path, monkeypatch):
    import experiments.validation as validation
    from experiments.cli import main

    tiny = validation.Settings(n_residents=300, steps=60, replications=2, check3_n_residents=300)
    monkeypatch.setattr(validation, "QUICK", tiny)            # the checks of --quick, on a tiny town
    command = ["validate", "--quick", "--workers", "1", "--out", str(tmp_path / "v")]
    assert main(command) == 0
    record = json.loads((tmp_path / "v" / "provenance.json").read_text())
    check_record(record, command)
    assert record["seeds"]["bases"] == validation.SEED_BASES and record["seeds"]["replications"] == 2
    assert record["configuration"]["n_residents"] == 300 and "workers" not in record["configuration"]
    assert record["inputs"] == {}


def test_sensitivity_and_calibrate_write_their_provenance(tmp_path):
    (tmp_path / "m.toml").write_text('[sweep]\nname = "m"\ndesign = "morris"\nsamples = 2\nseed = 4\nsteps = 4\n'
                                     'outcomes = ["phase_1"]\n[uncertainties]\nsegregation = { low = 0.2, high = 0.8 }'
                                     '\n[constants]\nn_residents = 150\n')
    command = ["sensitivity", "m.toml", "--out", "s", "--workers", "1"]
    record = recorded(tmp_path, command, "indices_provenance.json")
    assert record["seeds"]["base_seed"] == 4 and record["configuration"]["design"] == "morris"
    assert json.loads((tmp_path / "s" / "provenance.json").read_text())[0]["command_line"] == ["radsim", *command]

    (tmp_path / "c.toml").write_text('[calibration]\nname = "c"\nsamples = 10\naccept = 0.2\nseed = 6\nsteps = 4\n'
                                     '[targets]\nphase_1 = 5\n[free]\nsegregation = { low = 0.2, high = 0.8 }\n'
                                     '[constants]\nn_residents = 150\n')
    calibration = recorded(tmp_path, ["calibrate", "c.toml", "--out", "c", "--workers", "1"], "provenance.json")
    assert calibration["seeds"]["base_seed"] == 6 and calibration["configuration"]["targets"] == {"phase_1": 5.0}
    assert calibration["config_sha256"] != record["config_sha256"]


def recorded(cwd: Path, command: list[str], name: str) -> dict:
    """Run ``command`` (its input file second, its --out third) and return the provenance record ``name``
    it wrote, checked for the common fields and the hash of the input file."""
    radsim(*command, cwd=cwd)
    record = json.loads((cwd / command[3] / name).read_text())
    check_record(record, command)
    assert record["inputs"] == {command[1]: hashlib.sha256((cwd / command[1]).read_bytes()).hexdigest()}
    return record
