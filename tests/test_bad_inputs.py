"""The bad-input battery (issue 17): every subcommand and every file format, one bad input a case.

Each case writes its input files into a fresh folder, runs ``radsim`` there and asserts the rules of the
project for bad input: exit code 2, exactly one line on stderr that names the field (the case's expected
text; besides the plain progress lines of :data:`PROGRESS_LINE` before it), no traceback, and nothing left behind (the folder holds exactly what it held before; no ``--out``
folder, no temporary folder beside it).

The command runs in a child process. To keep some 200 cases fast, a server process per test worker imports
the CLI once and forks a fresh child for every case, which calls :func:`experiments.cli.main` with the
case's arguments, its own folder as working directory and its stdout and stderr in files: the same code as
``python -m experiments``, without paying the imports every time.
:func:`test_the_forked_child_answers_like_a_fresh_process` holds the two equal.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]

SERVER = r"""
import json, os, signal, sys, time
import experiments.cli as cli
for name in ("experiments.compare", "experiments.sweep", "experiments.calibrate", "experiments.sensitivity",
             "experiments.sweep_plots", "experiments.validation", "experiments.bench", "experiments.pyramid",
             "experiments.attitude_action", "experiments.survey_persistence", "pyarrow.parquet"):
    __import__(name)                      # what the commands import when they start: once, here
for line in sys.stdin:
    case = json.loads(line)
    pid = os.fork()
    if pid == 0:                          # the child: one command, as `python -m experiments ARGS` runs it
        code = 1
        try:
            os.chdir(case["cwd"])
            for fd, name in ((1, "stdout"), (2, "stderr")):
                os.dup2(os.open(case[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            code = cli.main(case["argv"])
        except SystemExit as err:
            code = err.code if isinstance(err.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code if isinstance(code, int) else 1)
    deadline = time.monotonic() + case["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            rc = "timeout"
            break
        time.sleep(0.005)
    print(json.dumps({"rc": rc}), flush=True)
"""


class Radsim:
    """A server process that runs radsim commands in forked children (see the module docstring)."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "OPENBLAS_NUM_THREADS": "1",
               "PYTHONWARNINGS": "ignore::DeprecationWarning"}      # fork of an idle process: no BLAS threads
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, cwd=ROOT, env=env)

    def __call__(self, argv: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
        logs = cwd.parent / f"{cwd.name}.logs"
        logs.mkdir()
        case = {"argv": argv, "cwd": str(cwd), "stdout": str(logs / "stdout"), "stderr": str(logs / "stderr"),
                "timeout": timeout}
        self.proc.stdin.write(json.dumps(case) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        assert answer, "the radsim server died"
        rc = json.loads(answer)["rc"]
        return subprocess.CompletedProcess(argv, rc, (logs / "stdout").read_text(errors="replace"),
                                           (logs / "stderr").read_text(errors="replace"))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def radsim():
    server = Radsim()
    yield server
    server.close()


# ---------------------------------------------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class Case:
    """One bad input: a command (``argv``) run in a folder holding ``files``; stderr must contain ``expect``."""

    id: str
    group: str                        # subcommand or file format, for the counts
    argv: list[str]
    expect: str | list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    setup: str | None = None          # name of a function below that prepares the folder further
    xfail: str | None = None

    def param(self):
        marks = [pytest.mark.xfail(strict=True, reason=self.xfail)] if self.xfail else []
        return pytest.param(self, id=f"{self.group}:{self.id}", marks=marks)


CASES: list[Case] = []


def case(id, group, argv, expect, files=None, **kw) -> None:
    CASES.append(Case(id, group, list(argv), expect, dict(files or {}), **kw))


# --- scenario TOML (radsim run) -----------------------------------------------------------------------------------

def scenario(id, text, expect, command="run", extra=(), **kw):
    case(id, "scenario TOML", [command, "s.toml", *extra, "--out", "out"] if command == "run"
         else [command, "s.toml", *extra], expect, {"s.toml": text}, **kw)


TOWN = "[scenario]\nsteps = 10\n[parameters]\nn_residents = 100\n"
"""A valid small scenario to add one bad part to: 100 residents in one neighbourhood, backgrounds 0 to 2."""


def intervention(id, body, expect, **kw):
    scenario(f"intervention-{id}", TOWN + "[[interventions]]\n" + body, expect, **kw)


scenario("steps-true", "[scenario]\nsteps = true\n", "steps: must be an integer, not a boolean (got True)")
scenario("steps-string", '[scenario]\nsteps = "5"\n', "steps: must be an integer, not a string (got '5')")
scenario("steps-zero", "[scenario]\nsteps = 0\n", "steps: 0 is out of range; allowed range 1 to 100000")
scenario("steps-negative", "[scenario]\nsteps = -3\n", "steps: -3 is out of range; allowed range 1 to 100000")
scenario("steps-too-many", "[scenario]\nsteps = 100001\n", "steps: 100001 is out of range; allowed range 1 to 100000")
scenario("steps-fraction", "[scenario]\nsteps = 5.5\n", "steps: must be an integer, not a decimal number (got 5.5)")
scenario("steps-float", "[scenario]\nsteps = 5.0\n", "steps: must be an integer")
scenario("seed-negative", "[scenario]\nseed = -1\n", "seed: -1 is out of range; allowed range 0 to")
scenario("seed-string", '[scenario]\nseed = "42"\n', "seed: must be an integer, not a string")
scenario("seed-bool", "[scenario]\nseed = false\n", "seed: must be an integer, not a boolean")
scenario("name-number", "[scenario]\nname = 5\n", "name: must be a string, not an integer (got 5)")
scenario("description-list", "[scenario]\ndescription = ['a']\n", "description: must be a string, not a list")
scenario("empty-file", "", "the file is empty; expected [scenario], [parameters], [survey] and [[interventions]]")
scenario("only-comments", "# nothing here\n\n", "s.toml: the file is empty")
scenario("scenario-not-a-table", "scenario = 3\n", "scenario: must be a table [scenario] (got 3)")
scenario("parameters-not-a-table", "parameters = 3\n", "parameters: must be a table [parameters] (got 3)")
scenario("unknown-table", "[extra]\na = 1\n",
         "unknown table 'extra' (expected [scenario], [parameters], [survey] and [[interventions]])")
scenario("unknown-scenario-key", "[scenario]\nsteps = 5\nspeed = 2\n", "unknown key 'speed'")
scenario("malformed", "[parameters\nx = 1\n", "malformed TOML")
scenario("not-utf8", b"[scenario]\nname = '\xff\xfe'\n", "not a UTF-8 text file")
scenario("n-residents-bool", "[parameters]\nn_residents = true\n",
         "parameters.n_residents: must be an integer, not a boolean (got True); allowed range 10 to 50000000")
scenario("n-residents-string", '[parameters]\nn_residents = "500"\n', "parameters.n_residents: must be an integer")
scenario("n-residents-float", "[parameters]\nn_residents = 500.0\n", "parameters.n_residents: must be an integer")
scenario("n-residents-small", "[parameters]\nn_residents = -4\n",
         "parameters.n_residents: -4 is out of range; allowed range 10 to 50000000")
scenario("segregation-string", '[parameters]\nsegregation = "0.5"\n',
         "parameters.segregation: must be a number, not a string (got '0.5'); allowed range 0.0 to 1.0")
scenario("segregation-bool", "[parameters]\nsegregation = true\n",
         "parameters.segregation: must be a number, not a boolean")
scenario("segregation-nan", "[parameters]\nsegregation = nan\n",
         "parameters.segregation: nan is out of range; allowed range 0.0 to 1.0")
scenario("segregation-inf", "[parameters]\nsegregation = inf\n", "parameters.segregation: inf is out of range")
scenario("share-above-one", "[parameters]\nradical_family_share = 1.5\n",
         "parameters.radical_family_share: 1.5 is out of range; allowed range 0.0 to 1.0")
scenario("minority-shares-sum", "[parameters]\nminority_shares = [0.5, 0.6]\n",
         "parameters.minority_shares: the shares must sum to less than 1")
scenario("minority-shares-string", '[parameters]\nminority_shares = "0.1"\n',
         "parameters.minority_shares: must be a list, not a string")
scenario("minority-shares-bool", "[parameters]\nminority_shares = [true]\n",
         "parameters.minority_shares[0]: must be a number, not a boolean")
scenario("minority-shares-negative", "[parameters]\nminority_shares = [-0.1]\n",
         "parameters.minority_shares: each share must be between 0 and 1")
scenario("attack-weeks-negative", "[parameters]\nattack_weeks = [-1]\n",
         "parameters.attack_weeks: weeks must be 0 or later")
scenario("attack-weeks-fraction", "[parameters]\nattack_weeks = [1.5]\n",
         "parameters.attack_weeks[0]: must be an integer")
scenario("hysteresis", "[parameters]\nhysteresis = 0.4\nsensitivity_threshold = 0.3\n",
         "parameters.hysteresis: must not exceed sensitivity_threshold")
scenario("unknown-parameter", "[parameters]\ncolour = 'red'\n", "unknown parameter 'parameters.colour'")
scenario("markup-in-key", '[parameters]\n"a[/x]" = 1\n', "unknown parameter 'parameters.a[/x]'")
scenario("markup-in-key-bold", '[parameters]\n"[bold]b" = 1\n', "unknown parameter 'parameters.[bold]b'")
case("markup-in-file-name", "scenario TOML", ["run", "a[/x].toml", "--out", "out"],
     "a[/x].toml: unknown parameter 'parameters.a[/x]'", {"a[/x].toml": '[parameters]\n"a[/x]" = 1\n'})
case("markup-in-missing-file-name", "scenario TOML", ["run", "q[/x].toml", "--out", "out"],
     "scenario file not found: q[/x].toml")
case("missing-file", "scenario TOML", ["run", "missing.toml", "--out", "out"], "scenario file not found: missing.toml")
case("folder-as-file", "scenario TOML", ["run", "d", "--out", "out"], "'d' is a directory", setup="folder_d")

intervention("unknown-type", 'type = "magic"\n', "interventions[0].type: unknown intervention 'magic'")
intervention("missing-type", "intensity = 0.5\n", "interventions[0]: missing 'type'")
intervention("type-number", "type = 3\n", "interventions[0]")
intervention("intensity-range", 'type = "inclusion_policy"\nintensity = 1.5\n',
             "interventions[0].intensity: 1.5 is out of range; allowed range 0.0 to 1.0")
intervention("intensity-string", 'type = "inclusion_policy"\nintensity = "high"\n',
             "interventions[0].intensity: must be a number, not a string (got 'high'); allowed range 0.0 to 1.0")
intervention("intensity-bool", 'type = "inclusion_policy"\nintensity = true\n',
             "interventions[0].intensity: must be a number, not a boolean")
intervention("start-bool", 'type = "inclusion_policy"\nstart = true\n',
             "interventions[0].start: must be an integer, not a boolean")
intervention("start-negative", 'type = "inclusion_policy"\nstart = -1\n',
             "interventions[0].start: -1 is out of range; allowed range 0 to 100000")
intervention("start-after-end", 'type = "inclusion_policy"\nstart = 300\n',
             "interventions[0].start: week 300 is after the end of the run (steps = 10)")
intervention("duration-zero", 'type = "inclusion_policy"\nduration = 0\n',
             "interventions[0].duration: 0 is out of range; allowed range 1 to 100000")
intervention("cost-negative", 'type = "inclusion_policy"\ncost = -1\n',
             "interventions[0].cost: -1 is out of range; allowed range 0.0 to")
intervention("arm-number", 'type = "inclusion_policy"\narm = 5\n',
             "interventions[0].arm: must be a string, not an integer")
intervention("bool-as-integer", 'type = "intergroup_contact"\ncommon_goal = 1\n',
             "interventions[0].common_goal: must be true or false, not an integer (got 1)")
intervention("bool-as-string", 'type = "intergroup_contact"\ncommon_goal = "yes"\n',
             "interventions[0].common_goal: must be true or false, not a string")
intervention("int-as-float", 'type = "intergroup_contact"\nties_per_resident = 2.0\n',
             "interventions[0].ties_per_resident: must be an integer, not a decimal number (got 2.0); "
             "allowed range 1 to 20")
intervention("coefficient-range", 'type = "intergroup_contact"\ncommon_goal_weight = 11\n',
             "interventions[0].common_goal_weight: 11 is out of range; allowed range 0.0 to 10.0")
intervention("unknown-key", 'type = "inclusion_policy"\nstrength = 1\n', "unknown key 'interventions[0].strength'")
intervention("target-background-5", 'type = "inclusion_policy"\ntarget = { backgrounds = [5] }\n',
             "interventions[0].target.backgrounds: background 5 does not exist; this town has backgrounds 0 to 2")
intervention("target-background-9", 'type = "inclusion_policy"\ntarget = { backgrounds = [9] }\n',
             "interventions[0].target.backgrounds[0]: 9 is out of range; allowed range 0 to 8")
intervention("target-background-float", 'type = "inclusion_policy"\ntarget = { backgrounds = [1.0] }\n',
             "interventions[0].target.backgrounds[0]: must be an integer, not a decimal number (got 1.0)")
intervention("target-backgrounds-empty", 'type = "inclusion_policy"\ntarget = { backgrounds = [] }\n',
             "interventions[0].target.backgrounds: the list is empty, so the intervention reaches nobody")
intervention("target-neighbourhood-999", 'type = "inclusion_policy"\ntarget = { neighbourhoods = [999] }\n',
             "interventions[0].target.neighbourhoods: neighbourhood 999 does not exist; "
             "this town has neighbourhood 0 only")
intervention("target-neighbourhoods-empty", 'type = "inclusion_policy"\ntarget = { neighbourhoods = [] }\n',
             "interventions[0].target.neighbourhoods: the list is empty")
intervention("target-count-zero", 'type = "inclusion_policy"\ntarget = { count = 0 }\n',
             "interventions[0].target.count: 0 reaches nobody")
intervention("target-share-zero", 'type = "inclusion_policy"\ntarget = { share = 0.0 }\n',
             "interventions[0].target.share: 0.0 reaches nobody")
intervention("target-share-rounds-to-nobody", 'type = "inclusion_policy"\ntarget = { share = 0.001 }\n',
             "interventions[0].target.share: 0.001 reaches nobody in a town of 100 residents")
intervention("target-share-bool", 'type = "inclusion_policy"\ntarget = { share = true }\n',
             "interventions[0].target.share: must be a number, not a boolean")
intervention("target-ages", 'type = "inclusion_policy"\ntarget = { min_age = 30, max_age = 20 }\n',
             "interventions[0].target.min_age: must not exceed max_age")
intervention("target-not-a-table", 'type = "inclusion_policy"\ntarget = 3\n',
             "interventions[0].target: must be a table, not an integer")
intervention("second-intervention", 'type = "inclusion_policy"\n[[interventions]]\ntype = "key_figures"\n'
             'target = { backgrounds = [3] }\n', "interventions[1].target.backgrounds: background 3 does not exist")
scenario("interventions-not-a-list", "interventions = 3\n" + TOWN,
         "interventions: must be a list, not an integer (got 3)")
scenario("interventions-of-numbers", "interventions = [1, 2]\n", "interventions[0]")

# --- command-line options of run ----------------------------------------------------------------------------------

def options(id, group, argv, expect, **kw):
    case(id, group, argv, expect, **kw)


options("steps-zero", "run", ["run", "--steps", "0", "--out", "out"],
        "'--steps': 0 is out of range; allowed range 1 to 100000")
options("steps-word", "run", ["run", "--steps", "many", "--out", "out"], "'--steps': 'many' is not a valid integer")
options("residents-small", "run", ["run", "--residents", "5", "--out", "out"],
        "'--residents': 5 is out of range; allowed range 10 to 50000000")
options("seed-negative", "run", ["run", "--seed", "-1", "--out", "out"], "'--seed': -1 is out of range")
options("unknown-option", "run", ["run", "--frobnicate"], "No such option '--frobnicate'")
options("out-unwritable", "run", ["run", "--steps", "2", "--out", "/proc/x/run"], "/proc/x")
options("out-is-a-file", "run", ["run", "--steps", "2", "--out", "f"], "exists and is not a folder", files={"f": "x"})
options("markup-name-out-unwritable", "run", ["run", "n.toml", "--out", "/proc/x"], "/proc/x",
        files={"n.toml": '[scenario]\nname = "n[/x]"\nsteps = 2\n[parameters]\nn_residents = 50\n'})
options("nobody-eligible", "run", ["run", "s.toml", "--out", "out"],
        "interventions[0].target: no resident of this town is eligible",
        files={"s.toml": TOWN + "[[interventions]]\ntype = 'inclusion_policy'\n"
                                "target = { min_age = 100, max_age = 120 }\n"})
options("two-scenarios", "run", ["run", "demo.toml", "demo.toml"], "Got unexpected extra argument")

# --- survey CSV -------------------------------------------------------------------------------------------------

SURVEY_TOML = "[scenario]\nsteps = 5\n[survey]\ncsv = \"figures.csv\"\n"
HEADER = "name,residents,minority_share_1,young_discrimination,young_trust,young_uncertainty,key_figure_share\n"


def survey_csv(id, text, expect, command="run", **kw):
    argv = ["run", "s.toml", "--out", "out"] if command == "run" else [command, "s.toml", "--replications", "1"]
    case(id, "survey CSV", argv, expect, {"s.toml": SURVEY_TOML, "figures.csv": text}, **kw)


survey_csv("residents-zero", HEADER + "A,0,0.1,0.2,0.5,0.3,0\n",
           "line 2 (A), column residents: 0 is out of range; allowed range 1 to")
survey_csv("residents-word", HEADER + "A,many,0.1,0.2,0.5,0.3,0\n",
           "line 2 (A), column residents: 'many' is not an integer")
survey_csv("residents-fraction", HEADER + "A,10.5,0.1,0.2,0.5,0.3,0\n", "column residents: '10.5' is not an integer")
survey_csv("residents-bool", HEADER + "A,true,0.1,0.2,0.5,0.3,0\n", "column residents: 'true' is not an integer")
survey_csv("share-above-one", HEADER + "A,100,1.5,0.2,0.5,0.3,0\n",
           "column minority_share_1: 1.5 is out of range; allowed range 0.0 to 1.0")
survey_csv("shares-sum", "name,residents,minority_share_1,minority_share_2\nA,100,0.6,0.6\n",
           "column minority_share_1 ..: the shares sum to 1.2")
survey_csv("trust-range", HEADER + "A,100,0.1,0.2,2,0.3,0\n",
           "column young_trust: 2.0 is out of range; allowed range 0.0 to 1.0")
survey_csv("key-figures-negative", HEADER + "A,100,0.1,0.2,0.5,0.3,-0.1\n",
           "column key_figure_share: -0.1 is out of range")
survey_csv("nan", HEADER + "A,100,nan,0.2,0.5,0.3,0\n", "column minority_share_1: 'nan' is not a number")
survey_csv("inf", HEADER + "A,100,0.1,inf,0.5,0.3,0\n", "column young_discrimination: 'inf' is not a number")
survey_csv("empty-share", HEADER + "A,100,,0.2,0.5,0.3,0\n", "column minority_share_1: empty")
survey_csv("cells", HEADER + "A,100,0.1\n", "line 2: 3 cells, but the header has 7 columns")
survey_csv("unknown-column", "name,residents,happiness\nA,100,1\n", "unknown column 'happiness'")
survey_csv("markup-column", "name,residents,[/x]\nA,100,1\n", "unknown column '[/x]'")
survey_csv("no-residents-column", "name,minority_share_1\nA,0.1\n", "missing column 'residents'")
survey_csv("duplicate-column", "name,residents,residents\nA,100,100\n", "column 'residents' appears twice")
survey_csv("minority-gap", "name,residents,minority_share_2\nA,100,0.1\n", "missing minority_share_1")
survey_csv("empty-file", "", "figures.csv: empty; expected a header row")
survey_csv("header-only", HEADER, "no neighbourhood rows after the header")
survey_csv("duplicate-name", HEADER + "A,100,0.1,,,,0\nA,50,0.1,,,,0\n", "column name: 'A' is also on line 2")
survey_csv("not-utf8", b"name,residents\n\xff,100\n", "figures.csv: not a UTF-8 text file")
case("missing", "survey CSV", ["run", "s.toml", "--out", "out"], "survey file not found", {"s.toml": SURVEY_TOML})
survey_csv("persistence-bad-share", HEADER + "A,100,1.5,0.2,0.5,0.3,0\n",
           "column minority_share_1: 1.5 is out of range", command="survey-persistence")

# --- the [survey] table of a scenario ------------------------------------------------------------------------------

def survey_table(id, body, expect, **kw):
    scenario(f"survey-{id}", body + "[scenario]\nsteps = 5\n", expect, **kw)


INLINE = "[[survey.neighbourhoods]]\nresidents = 100\nminority_shares = [0.2]\n"
survey_table("not-a-table", "survey = 3\n", "survey: must be a table [survey] (got 3)")
survey_table("unknown-key", "[survey]\ncolour = 1\n", "unknown key 'survey.colour'")
survey_table("neither", "[survey]\nkey_figure_visibility = 0.1\n", "survey: give either csv")
survey_table("both", '[survey]\ncsv = "f.csv"\n' + INLINE, "survey: give either csv")
survey_table("csv-number", "[survey]\ncsv = 5\n", "survey.csv: must be a file name (got 5)")
survey_table("visibility-string", '[survey]\ncsv = "f.csv"\nkey_figure_visibility = "0.2"\n',
             "survey.key_figure_visibility: must be a number, not a string (got '0.2'); allowed range 0.0 to 1.0")
survey_table("intensity-range", "[survey]\nkey_figure_intensity = 2\n" + INLINE,
             "survey.key_figure_intensity: 2 is out of range; allowed range 0.0 to 1.0")
survey_table("residents-bool", "[[survey.neighbourhoods]]\nresidents = true\n",
             "survey.neighbourhoods[0].residents: must be an integer, not a boolean")
survey_table("residents-zero", "[[survey.neighbourhoods]]\nresidents = 0\n",
             "survey.neighbourhoods[0].residents: 0 is out of range; allowed range 1 to 50000000")
survey_table("residents-missing", "[[survey.neighbourhoods]]\nname = 'A'\n",
             "survey.neighbourhoods[0].residents: missing")
survey_table("share-string", "[[survey.neighbourhoods]]\nresidents = 100\nminority_shares = ['0.2']\n",
             "survey.neighbourhoods[0].minority_shares[0]: must be a number, not a string")
survey_table("shares-mismatch", INLINE + "[[survey.neighbourhoods]]\nresidents = 100\nminority_shares = [0.1, 0.1]\n",
             "survey.neighbourhoods[1].minority_shares: 2 shares, but neighbourhoods[0] has 1")
survey_table("no-neighbourhoods", "[survey]\nneighbourhoods = []\n", "survey.neighbourhoods: give at least 1 (got 0)")
survey_table("twice", "[parameters]\nsurvey = 1\n" + INLINE, "survey: give it once")
survey_table("shares-also-given", "[parameters]\nminority_shares = [0.5]\n" + INLINE,
             "parameters.minority_shares: set by the survey")
survey_table("target-neighbourhood",
             INLINE + "[[interventions]]\ntype = 'inclusion_policy'\ntarget = { neighbourhoods = [1] }\n",
             "interventions[0].target.neighbourhoods: neighbourhood 1 does not exist; "
             "this town has neighbourhood 0 only")

# --- compare -------------------------------------------------------------------------------------------------------

options("no-interventions", "compare", ["compare", "s.toml", "--out", "out"],
        "s.toml: no [[interventions]] to compare with the baseline", files={"s.toml": TOWN})
options("replications-zero", "compare", ["compare", "combined.toml", "--replications", "0", "--out", "out"],
        "'--replications': 0 is out of range; allowed range 1 to 10000")
options("workers-1000", "compare", ["compare", "combined.toml", "--workers", "1000", "--out", "out"],
        "'--workers': 1000 is out of range; allowed range 1 to")
options("workers-zero", "compare", ["compare", "combined.toml", "--workers", "0", "--out", "out"],
        "'--workers': 0 is out of range")
options("steps-zero", "compare", ["compare", "combined.toml", "--steps", "0", "--out", "out"],
        "'--steps': 0 is out of range")
options("bad-scenario", "compare", ["compare", "s.toml", "--out", "out"],
        "s.toml: steps: must be an integer, not a boolean", files={"s.toml": "[scenario]\nsteps = true\n"})
options("bad-target", "compare", ["compare", "s.toml", "--out", "out"],
        "interventions[0].target.backgrounds: background 5 does not exist",
        files={"s.toml": TOWN + "[[interventions]]\ntype = 'inclusion_policy'\ntarget = { backgrounds = [5] }\n"})
options("steps-before-start", "compare", ["compare", "combined.toml", "--steps", "10", "--out", "out"],
        "command line: interventions[0].start: week 52 is after the end of the run (steps = 10)")
options("residents-reach-nobody", "compare", ["compare", "key_figures.toml", "--residents", "10", "--out", "out"],
        "command line: interventions[0].target.share: 0.02 reaches nobody in a town of 10 residents")
options("nobody-eligible", "compare", ["compare", "contact.toml", "--residents", "10", "--out", "out"],
        "interventions[0].target: no resident of this town is eligible")
options("out-unwritable", "compare", ["compare", "combined.toml", "--out", "/proc/x/compare"], "/proc/x")
options("missing-scenario", "compare", ["compare"], "Missing argument 'SCENARIO'")

# --- sweep TOML ---------------------------------------------------------------------------------------------------

LEVER = "[levers]\nmemberships_mean = { values = [1, 2] }\n"
RANGE = "[uncertainties]\nsegregation = { low = 0.1, high = 0.5 }\n"


def sweep(id, text, expect, command="sweep", extra=(), **kw):
    case(id, "sweep TOML", [command, "w.toml", "--out", "out", *extra], expect, {"w.toml": text}, **kw)


sweep("constant-out-of-range", LEVER + "[constants]\nn_residents = 5\n",
      "constants.n_residents: 5 is out of range; allowed range 10 to 50000000")
sweep("constant-bool", LEVER + "[constants]\nn_residents = true\n",
      "constants.n_residents: must be an integer, not a boolean")
sweep("constant-string", LEVER + "[constants]\nsegregation = '0.5'\n",
      "constants.segregation: must be a number, not a string")
sweep("constant-unknown", LEVER + "[constants]\ncolour = 1\n", "unknown parameter 'constants.colour'")
sweep("constant-also-varied", LEVER + "[constants]\nmemberships_mean = 1.0\n",
      "constants.memberships_mean: also varied as levers.memberships_mean")
sweep("constants-not-a-table", "constants = 3\n" + LEVER, "constants: must be a table, not an integer (got 3)")
sweep("factor-unknown", "[uncertainties]\ncolour = { low = 0, high = 1 }\n", "uncertainties.colour: unknown parameter")
sweep("factor-out-of-range", "[uncertainties]\nsegregation = { low = 0.2, high = 1.5 }\n",
      "uncertainties.segregation: 1.5 is out of range; allowed range 0.0 to 1.0")
sweep("factor-low-above-high", "[uncertainties]\nsegregation = { low = 0.8, high = 0.2 }\n",
      "uncertainties.segregation: low 0.8 is above high 0.2")
sweep("factor-empty-range", "[uncertainties]\nsegregation = { low = 0.5, high = 0.5 }\n",
      "uncertainties.segregation: the range is empty")
sweep("factor-nan", "[uncertainties]\nsegregation = { low = nan, high = 0.5 }\n",
      "uncertainties.segregation.low: must be a finite number")
sweep("factor-string", "[uncertainties]\nsegregation = { low = 0.1, high = '0.5' }\n",
      "uncertainties.segregation.high: must be a number, not a string")
sweep("factor-bool-value", "[levers]\nmemberships_mean = { values = [true] }\n",
      "levers.memberships_mean.values[0]: must be a number, not a boolean")
sweep("factor-empty-values", "[levers]\nmemberships_mean = { values = [] }\n",
      "levers.memberships_mean.values: the list is empty")
sweep("factor-fraction-for-integer", "[levers]\nneighbour_degree = { values = [2, 2.5] }\n",
      "levers.neighbour_degree.values: 2.5 is not an integer")
sweep("factor-not-a-table", "[uncertainties]\nsegregation = 0.5\n",
      "uncertainties.segregation: must be a table, not a decimal number")
sweep("factor-both", "[levers]\nsegregation = { low = 0.1, high = 0.5, values = [0.2] }\n",
      "levers.segregation: give either low and high, or values")
sweep("factor-unknown-key", "[levers]\nsegregation = { lo = 0.1 }\n", "unknown key 'levers.segregation.lo'")
sweep("uncertainty-and-lever", RANGE + "[levers]\nsegregation = { values = [0.2] }\n",
      "levers.segregation: also listed as an uncertainty")
sweep("no-factors", "[sweep]\nname = 'x'\n", "uncertainties: give at least one uncertainty or lever")
sweep("sobol-not-power-of-two", "[sweep]\ndesign = 'sobol'\nsamples = 100\n" + RANGE,
      "samples: 100 is not a power of two, which a Sobol design needs; use 64 or 128")
sweep("sobol-values", "[sweep]\ndesign = 'sobol'\n" + LEVER, "design: sobol needs ranges")
sweep("morris-one", "[sweep]\ndesign = 'morris'\nsamples = 1\n" + RANGE,
      "samples: 1 trajectory is too few for a Morris design")
sweep("design-unknown", "[sweep]\ndesign = 'random'\n" + LEVER,
      "design: 'random' is not one of 'grid', 'lhs', 'sobol' or 'morris'")
sweep("outcome-unknown", "[sweep]\noutcomes = ['happiness']\n" + LEVER, "outcomes: unknown outcome 'happiness'")
sweep("outcomes-string", "[sweep]\noutcomes = 'phase_1'\n" + LEVER, "outcomes: must be a list, not a string")
sweep("timeseries-unknown", "[sweep]\ntimeseries = ['mood']\n" + LEVER, "timeseries: unknown outcome 'mood'")
sweep("steps-zero", "[sweep]\nsteps = 0\n" + LEVER, "steps: 0 is out of range; allowed range 1 to 100000")
sweep("steps-bool", "[sweep]\nsteps = true\n" + LEVER, "steps: must be an integer, not a boolean")
sweep("samples-string", "[sweep]\nsamples = '16'\n" + LEVER, "samples: must be an integer, not a string")
sweep("replications-zero", "[sweep]\nreplications = 0\n" + LEVER,
      "replications: 0 is out of range; allowed range 1 to 10000")
sweep("batch-size-float", "[sweep]\nbatch_size = 2.0\n" + LEVER, "batch_size: must be an integer, not a decimal number")
sweep("grid-levels-one", "[sweep]\ngrid_levels = 1\n" + LEVER, "grid_levels: 1 is out of range; allowed range 2 to 100")
sweep("seed-negative", "[sweep]\nseed = -1\n" + LEVER, "seed: -1 is out of range")
sweep("unknown-key", "[sweep]\nspeed = 3\n" + LEVER, "unknown key 'speed'")
sweep("unknown-table", "[extra]\na = 1\n" + LEVER,
      "unknown table 'extra' (expected [sweep], [uncertainties], [levers], [constants], [tied], [contrast])")
sweep("sweep-not-a-table", "sweep = 3\n" + LEVER, "sweep: must be a table [sweep] (got 3)")
sweep("empty-file", "", "w.toml: the file is empty")
sweep("malformed", "[sweep\n", "malformed TOML")
sweep("markup-in-factor", '[levers]\n"[/x]" = { values = [1] }\n', "levers.[/x]: unknown parameter")
case("missing-file", "sweep TOML", ["sweep", "nosuch.toml", "--out", "out"], "sweep file not found: nosuch.toml")
options("workers-1000", "sweep", ["sweep", "membership_grid.toml", "--out", "out", "--workers", "1000"],
        "'--workers': 1000 is out of range; allowed range 1 to")
options("workers-zero", "sweep", ["sweep", "membership_grid.toml", "--out", "out", "--workers", "0"],
        "'--workers': 0 is out of range")
options("workers-word", "sweep", ["sweep", "membership_grid.toml", "--out", "out", "--workers", "two"],
        "'--workers': 'two' is not a valid integer")
options("scheduler-no-address", "sweep", ["sweep", "membership_grid.toml", "--out", "out", "--scheduler", "nohost"],
        "'--scheduler': 'nohost' is not an address like tcp://host:8786")
options("scheduler-unreachable", "sweep",
        ["sweep", "membership_grid.toml", "--out", "out", "--scheduler", "tcp://127.0.0.1:9"],
        "'--scheduler': cannot reach tcp://127.0.0.1:9")
options("out-missing", "sweep", ["sweep", "membership_grid.toml"], "Missing option '--out'")
options("out-unwritable", "sweep", ["sweep", "membership_grid.toml", "--out", "/proc/x/sweep"], "/proc/x")

# --- sensitivity ----------------------------------------------------------------------------------------------------

sweep("lhs-without-method", "[sweep]\ndesign = 'lhs'\n" + RANGE,
      "design: the sweep has design 'lhs'; sensitivity needs sobol or morris",
      command="sensitivity")
sweep("method-sobol-100", "[sweep]\ndesign = 'lhs'\nsamples = 100\n" + RANGE, "samples: 100 is not a power of two",
      command="sensitivity",
      extra=["--method", "sobol"])
sweep("method-on-values", "[sweep]\n" + LEVER, "design: sobol needs ranges", command="sensitivity",
      extra=["--method", "sobol"])
sweep("constant", "[sweep]\ndesign = 'morris'\n" + RANGE + "[constants]\nn_residents = 5\n",
      "constants.n_residents: 5 is out of range",
      command="sensitivity")
sweep("method-morris-one", "[sweep]\ndesign = 'lhs'\nsamples = 1\n" + RANGE, "samples: 1 trajectory is too few",
      command="sensitivity", extra=["--method", "morris"])
case("sensitivity-missing-file", "sweep TOML", ["sensitivity", "nosuch.toml", "--out", "out"],
     "sweep file not found: nosuch.toml")
options("method-unknown", "sensitivity", ["sensitivity", "drivers_sobol.toml", "--out", "out", "--method", "fast"],
        "'--method': 'fast' is not one of 'sobol', 'morris'")
options("workers-1000", "sensitivity", ["sensitivity", "drivers_sobol.toml", "--out", "out", "--workers", "1000"],
        "'--workers': 1000 is out of range")
options("out-unwritable", "sensitivity", ["sensitivity", "drivers_sobol.toml", "--out", "/proc/x/s"], "/proc/x")

# --- calibration TOML ---------------------------------------------------------------------------------------------

FREE = "[free]\nsegregation = { low = 0.1, high = 0.5 }\n"


def calibration(id, text, expect, extra=(), **kw):
    case(id, "calibration TOML", ["calibrate", "c.toml", "--out", "out", *extra], expect, {"c.toml": text}, **kw)


calibration("target-nan", "[targets]\nphase_1 = nan\n" + FREE, "targets.phase_1: must be a finite number (got nan)")
calibration("target-inf", "[targets]\nphase_1 = inf\n" + FREE, "targets.phase_1: must be a finite number")
calibration("target-negative", "[targets]\nphase_1 = -1\n" + FREE, "targets.phase_1: -1.0 is below 0")
calibration("target-share-above-one", "[targets]\nmean_trust = 1.5\n" + FREE, "targets.mean_trust: 1.5 is above 1")
calibration("target-more-than-residents", "[targets]\nphase_1 = 5000\n" + FREE,
            "targets.phase_1: 5000.0 is more than the town's 2000 residents")
calibration("target-string", "[targets]\nmean_trust = '0.5'\n" + FREE,
            "targets.mean_trust: must be a number, not a string")
calibration("target-bool", "[targets]\nmean_trust = true\n" + FREE,
            "targets.mean_trust: must be a number, not a boolean")
calibration("target-unknown", "[targets]\nhappiness = 1\n" + FREE, "targets.happiness: unknown outcome")
calibration("no-targets", FREE, "targets: give at least one target outcome")
calibration("no-free", "[targets]\nphase_1 = 1\n", "free: give at least one free parameter")
calibration("free-values", "[targets]\nphase_1 = 1\n[free]\nsegregation = { values = [0.1, 0.2] }\n",
            "free.segregation: give a range")
calibration("free-unknown", "[targets]\nphase_1 = 1\n[free]\ncolour = { low = 0, high = 1 }\n",
            "free.colour: unknown parameter")
calibration("free-out-of-range", "[targets]\nphase_1 = 1\n[free]\nsegregation = { low = 0.1, high = 2 }\n",
            "free.segregation: 2.0 is out of range; allowed range 0.0 to 1.0")
calibration("free-nan", "[targets]\nphase_1 = 1\n[free]\nsegregation = { low = nan, high = 0.5 }\n",
            "free.segregation.low: must be a finite number")
calibration("constant-out-of-range", "[targets]\nphase_1 = 1\n" + FREE + "[constants]\nn_residents = 5\n",
            "constants.n_residents: 5 is out of range; allowed range 10 to 50000000")
calibration("constant-also-free", "[targets]\nphase_1 = 1\n" + FREE + "[constants]\nsegregation = 0.3\n",
            "constants.segregation: also varied as free.segregation")
calibration("accept-zero", "[calibration]\naccept = 0\n[targets]\nphase_1 = 1\n" + FREE, "accept: 0 is out of range")
calibration("accept-above-one", "[calibration]\naccept = 1.5\n[targets]\nphase_1 = 1\n" + FREE,
            "accept: 1.5 is out of range")
calibration("too-few-kept", "[calibration]\nsamples = 10\naccept = 0.1\n[targets]\nphase_1 = 1\n" + FREE,
            "keeps fewer than 2 draws")
calibration("samples-bool", "[calibration]\nsamples = true\n[targets]\nphase_1 = 1\n" + FREE,
            "samples: must be an integer, not a boolean")
calibration("adjust-number", "[calibration]\nadjust = 1\n[targets]\nphase_1 = 1\n" + FREE,
            "adjust: must be true or false, not an integer")
calibration("calibration-not-a-table", "calibration = 3\n[targets]\nphase_1 = 1\n" + FREE,
            "calibration: must be a table [calibration]")
calibration("unknown-table", "[extra]\n[targets]\nphase_1 = 1\n" + FREE, "unknown table 'extra'")
calibration("empty-file", "", "c.toml: the file is empty")
case("missing-file", "calibration TOML", ["calibrate", "nosuch.toml", "--out", "out"],
     "calibration file not found: nosuch.toml")
options("workers-1000", "calibrate", ["calibrate", "trust_discrimination.toml", "--out", "out", "--workers", "1000"],
        "'--workers': 1000 is out of range")
options("out-unwritable", "calibrate", ["calibrate", "trust_discrimination.toml", "--out", "/proc/x/c"], "/proc/x")
options("out-missing", "calibrate", ["calibrate", "trust_discrimination.toml"], "Missing option '--out'")

# --- plot ---------------------------------------------------------------------------------------------------------

options("no-results", "plot", ["plot", "d"], "DIR: d holds no sweep, comparison or run (no sweep.json", setup="folder_d")
options("missing-folder", "plot", ["plot", "nosuch"], "DIR: nosuch does not exist")
options("folder-is-a-file", "plot", ["plot", "f"], "'f' is a file", files={"f": "x"})
options("no-finished-runs", "plot", ["plot", "d"], "no finished runs", setup="sweep_without_results")
options("outcome-unknown", "plot", ["plot", "d", "--outcome", "happiness"], "--outcome: 'happiness' was not recorded",
        setup="finished_sweep")
options("x-unknown", "plot", ["plot", "d", "--x", "colour"], "--x/--y: 'colour' is not a factor of this sweep",
        setup="finished_sweep")
options("markup-outcome", "plot", ["plot", "d", "--outcome", "[/x]"], "--outcome: '[/x]' was not recorded",
        setup="finished_sweep")
options("missing-argument", "plot", ["plot"], "Missing argument 'DIR'")
options("damaged-record", "plot", ["plot", "d"], "d/sweep.json: damaged", setup="damaged_sweep_record")
options("not-a-record", "plot", ["plot", "d"], "d/sweep.json: not a sweep record", setup="foreign_sweep_record")
options("comparison-without-trajectories", "plot", ["plot", "d"],
        "DIR: d holds a comparison without trajectories.parquet", files={"d/comparison.csv": "arm\nbaseline\n",
                                                                           "d/runs.csv": "arm\nbaseline\n"})
options("x-of-a-run", "plot", ["plot", "d", "--x", "segregation"], "--x/--y: d holds a run, which has no factors",
        setup="finished_run")
options("run-outcome-unknown", "plot", ["plot", "d", "--outcome", "happiness"],
        "--outcome: 'happiness' was not recorded; one of phase_0", setup="finished_run")
options("damaged-timeseries", "plot", ["plot", "d"], "d/timeseries.parquet: not a readable Parquet table",
        files={"d/run.json": "{}", "d/timeseries.parquet": "not parquet"})

# --- export -------------------------------------------------------------------------------------------------------

options("missing-folder", "export", ["export", "nosuch", "--format", "csv"], "DIR: nosuch does not exist")
options("folder-is-a-file", "export", ["export", "f", "--format", "csv"], "DIR: f is not a folder", files={"f": "x"})
options("no-tables", "export", ["export", "d", "--format", "csv"], "DIR: d holds no tables", setup="folder_d")
options("format-missing", "export", ["export", "d"], "Missing option '--format'", setup="folder_d")
options("format-unknown", "export", ["export", "d", "--format", "xml"], "'--format': 'xml' is not one of",
        setup="folder_d")
options("missing-argument", "export", ["export", "--format", "csv"], "Missing argument 'DIR'")
options("damaged-parquet", "export", ["export", "d", "--format", "csv"],
        "d/results.parquet: not a readable Parquet table", files={"d/results.parquet": "not parquet"})
options("damaged-parquet-part", "export", ["export", "d", "--format", "csv"],
        "d/results.parquet: not a readable Parquet table", setup="damaged_sweep_part")
options("malformed-csv", "export", ["export", "d", "--format", "parquet"], "d/runs.csv: malformed CSV",
        files={"d/runs.csv": "a,b\n1,2\n1,2,3,4\n"})
options("empty-csv", "export", ["export", "d", "--format", "parquet"], "d/runs.csv: the file is empty",
        files={"d/runs.csv": ""})
options("not-utf8-csv", "export", ["export", "d", "--format", "parquet"], "d/runs.csv: not a UTF-8 text file",
        files={"d/runs.csv": b"name\n\xff\xfe\n"})
options("out-is-a-file", "export", ["export", "d", "--format", "parquet", "--out", "f"], "exists and is not a folder",
        files={"d/runs.csv": "a\n1\n", "f": "x"})
options("out-unwritable", "export", ["export", "d", "--format", "parquet", "--out", "/proc/x/e"], "/proc/x",
        files={"d/runs.csv": "a\n1\n"})

# --- the other commands -------------------------------------------------------------------------------------------

options("replications-one", "validate", ["validate", "--replications", "1", "--out", "out"],
        "'--replications': 1 is out of range; allowed range 2 to 1000")
options("workers-1000", "validate", ["validate", "--quick", "--workers", "1000", "--out", "out"],
        "'--workers': 1000 is out of range")
options("workers-word", "validate", ["validate", "--workers", "all", "--out", "out"],
        "'--workers': 'all' is not a valid integer")
options("out-unwritable", "validate", ["validate", "--quick", "--out", "/proc/x/v"], "/proc/x")
options("quick-with-value", "validate", ["validate", "--quick=yes", "--out", "out"], "--quick")

options("replications-zero", "pyramid", ["pyramid", "--replications", "0"],
        "'--replications': 0 is out of range; allowed range 1 to 1000")
options("residents-small", "pyramid", ["pyramid", "--residents", "5"], "'--residents': 5 is out of range")
options("steps-zero", "pyramid", ["pyramid", "--steps", "0"], "'--steps': 0 is out of range; allowed range 1 to 100000")
options("seed-word", "pyramid", ["pyramid", "--seed", "x"], "'--seed': 'x' is not a valid integer")

options("replications-zero", "attitude-action", ["attitude-action", "--replications", "0"],
        "'--replications': 0 is out of range")
options("residents-small", "attitude-action", ["attitude-action", "--residents", "5"],
        "'--residents': 5 is out of range")
options("steps-before-the-arms", "attitude-action", ["attitude-action", "--steps", "52"],
        "'--steps': 52 is out of range; allowed range 53 to 100000")
options("residents-too-few-for-key-figures", "attitude-action", ["attitude-action", "--residents", "50"],
        "'--residents': 50 is out of range; allowed range 100 to 50000000")
options("workers-1000", "attitude-action", ["attitude-action", "--workers", "1000"],
        "'--workers': 1000 is out of range")

options("replications-zero", "survey-persistence", ["survey-persistence", "--replications", "0"],
        "'--replications': 0 is out of range")
options("steps-zero", "survey-persistence", ["survey-persistence", "--steps", "0"], "'--steps': 0 is out of range")
options("no-survey", "survey-persistence", ["survey-persistence", "s.toml", "--replications", "1"], "survey",
        files={"s.toml": TOWN})
options("bad-scenario", "survey-persistence", ["survey-persistence", "s.toml"], "s.toml: steps: must be an integer",
        files={"s.toml": "[scenario]\nsteps = true\n"})
options("missing-scenario", "survey-persistence", ["survey-persistence", "nosuch.toml"],
        "scenario file not found: nosuch.toml")

options("quick-and-stretch", "bench", ["bench", "--quick", "--stretch", "--out", "out"],
        "--quick and --stretch: choose one")
options("out-unwritable", "bench", ["bench", "--quick", "--out", "/proc/x/b"], "/proc/x")
options("out-is-a-file", "bench", ["bench", "--quick", "--out", "f"], "exists and is not a folder", files={"f": "x"})
options("unknown-option", "bench", ["bench", "--fast"], "No such option '--fast'")

options("kind-unknown", "examples", ["examples", "--kind", "movies"], "'--kind': 'movies' is not one of")
options("extra-argument", "examples", ["examples", "demo.toml"], "Got unexpected extra argument (demo.toml)")
options("unknown-option", "params", ["params", "--json"], "No such option '--json'")
options("extra-argument", "params", ["params", "n_residents"], "Got unexpected extra argument (n_residents)")
options("unknown-command", "radsim", ["frobnicate"], "No such command 'frobnicate'")
options("markup-command", "radsim", ["[/x]"], "No such command '[/x]'")

options("port-above-range", "dashboard", ["dashboard", "--port", "70000"],
        "'--port': 70000 is out of range; allowed range 0 to 65535")
options("port-negative", "dashboard", ["dashboard", "--port", "-1"], "'--port': -1 is out of range")
options("port-word", "dashboard", ["dashboard", "--port", "http"], "'--port': 'http' is not a valid integer")
options("unknown-option", "dashboard", ["dashboard", "--speed", "20"], "No such option '--speed'")
options("one-town-with-value", "dashboard", ["dashboard", "--one-town=yes"], "--one-town")
options("port-occupied", "dashboard", ["dashboard", "--port", "{busy_port}"],
        "--port: port {busy_port} on 127.0.0.1 is in use",
        setup="busy_port")


# ---------------------------------------------------------------------------------------------------------------
# set-ups that need more than files
# ---------------------------------------------------------------------------------------------------------------

def folder_d(folder: Path, context: dict) -> None:
    (folder / "d").mkdir()


def sweep_without_results(folder: Path, context: dict) -> None:
    (folder / "d").mkdir()
    (folder / "d" / "sweep.json").write_text(json.dumps(
        {"name": "s", "uncertainties": {"segregation": {}}, "levers": {}, "outcomes": ["phase_1"]}))


def finished_sweep(folder: Path, context: dict) -> None:
    sweep_without_results(folder, context)
    parts = folder / "d" / "results.parquet"
    parts.mkdir()
    pd.DataFrame({"run_id": [0, 1], "point": [0, 1], "replication": [0, 0], "seed": [1, 2],
                  "segregation": [0.1, 0.5], "phase_1": [3, 5]}).to_parquet(parts / "part-000000000-1-1.parquet")


def damaged_sweep_part(folder: Path, context: dict) -> None:
    finished_sweep(folder, context)
    (folder / "d" / "results.parquet" / "part-000000002-1-1.parquet").write_text("not parquet")


def finished_run(folder: Path, context: dict) -> None:
    (folder / "d").mkdir()
    (folder / "d" / "run.json").write_text("{}")
    pd.DataFrame({"step": [0, 1], "phase_0": [9, 8], "phase_1": [1, 2], "phase_2": [0, 0], "phase_3": [0, 0],
                  "mean_trust": [0.6, 0.61]}).to_parquet(folder / "d" / "timeseries.parquet")


def damaged_sweep_record(folder: Path, context: dict) -> None:
    finished_sweep(folder, context)
    (folder / "d" / "sweep.json").write_text("{bad")


def foreign_sweep_record(folder: Path, context: dict) -> None:
    finished_sweep(folder, context)
    (folder / "d" / "sweep.json").write_text('{"name": "not ours"}')


def busy_port(folder: Path, context: dict) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    context["busy_port"] = str(sock.getsockname()[1])
    context["close"] = sock.close


PROGRESS_LINE = re.compile(r"^[a-z-]+: \d+(/\d+)? [a-z ]+, (\d+%, )?[\d a-z]+ elapsed")
"""A plain progress line (``compare: 1/40 runs, 2%, 12 s elapsed, ...``): stderr in a file gets them while a command
works, so a bad input found only while working (a target that nobody reaches in a later replication's town)
comes after a few of them."""


def everything(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("c", [c.param() for c in CASES])
def test_bad_input(radsim, tmp_path, c: Case):
    folder = tmp_path / "case"
    folder.mkdir()
    for name, content in c.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    context: dict = {}
    if c.setup:
        globals()[c.setup](folder, context)
    try:
        before = everything(folder)
        argv = [a.format(**context) for a in c.argv]
        res = radsim(argv, folder, timeout=30)
    finally:
        context.get("close", lambda: None)()
    lines = [line for line in res.stderr.strip().splitlines() if not PROGRESS_LINE.match(line)]
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == 2, (res.returncode, res.stderr, res.stdout[-500:])
    assert len(lines) == 1, res.stderr
    for text in [c.expect] if isinstance(c.expect, str) else c.expect:
        assert text.format(**context) in lines[0], lines[0]
    assert everything(folder) == before, "left behind: " + ", ".join(sorted(everything(folder) - before))


def test_the_battery_is_at_least_100_cases_across_every_subcommand_and_format():
    groups = {c.group for c in CASES}
    assert len(CASES) >= 100
    assert {"scenario TOML", "survey CSV", "sweep TOML", "calibration TOML", "run", "compare", "sweep", "sensitivity",
            "plot", "export", "calibrate", "validate", "pyramid", "attitude-action", "survey-persistence", "bench",
            "examples", "params", "dashboard"} <= groups
    assert len({c.id + c.group for c in CASES}) == len(CASES), "two cases share an id"


def test_the_forked_child_answers_like_a_fresh_process(radsim, tmp_path):
    """The battery's server gives what ``python -m experiments`` gives, for a few cases."""
    for k, c in enumerate(c for c in CASES if c.id in ("steps-true", "workers-1000", "target-nan")):
        folder = tmp_path / f"c{k}"
        folder.mkdir()
        for name, content in c.files.items():
            (folder / name).write_text(content)
        fresh = subprocess.run([sys.executable, "-m", "experiments", *c.argv], capture_output=True, text=True,
                               cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"})
        forked = radsim(c.argv, folder)
        assert (forked.returncode, forked.stderr) == (fresh.returncode, fresh.stderr)


def test_targets_are_checked_against_the_built_town():
    """What only the built town tells (who is eligible at week 0) is checked when the model is built."""
    from model import RadicalisationModel
    from model.errors import ParameterError

    with pytest.raises(ParameterError, match=r"interventions\[0\]\.target: no resident of this town is eligible"):
        RadicalisationModel(n_residents=100, rng=1, interventions=[
            {"type": "inclusion_policy", "target": {"min_age": 110, "max_age": 120}}])
    with pytest.raises(ParameterError, match=r"interventions\[0\]\.target\.share: 0\.01 of the \d+ eligible residents"):
        RadicalisationModel(n_residents=100, rng=1, interventions=[
            {"type": "inclusion_policy", "target": {"min_age": 12, "max_age": 27, "share": 0.01}}])
    with pytest.raises(ParameterError, match=r"background 3 does not exist; this town has backgrounds 0 to 2"):
        RadicalisationModel(n_residents=100, rng=1, interventions=[
            {"type": "inclusion_policy", "target": {"backgrounds": [3]}}])
    # a default target adapts to the town: all minority backgrounds, of which this town has two
    m = RadicalisationModel(n_residents=100, rng=1, interventions=[{"type": "nationality_stripping"}])
    assert m.interventions[0].target.backgrounds == [1, 2, 3, 4, 5, 6, 7, 8]


def test_the_neighbourhoods_the_parameters_promise_are_those_of_the_town():
    from model import RadicalisationModel

    for n, size in ((100, 1000), (2000, 1000), (2600, 500), (5000, 20_000), (3000, 20)):
        m = RadicalisationModel(n_residents=n, residents_per_neighbourhood=size, rng=3)
        assert m.params.n_neighbourhoods == m.town.n_neighbourhoods, (n, size)


def test_strict_types_keep_valid_python_inputs():
    """Ints where floats are expected and numpy floats stay valid from Python; a list must be a list."""
    import numpy as np

    from model.errors import ParameterError
    from model.parameters import Parameters

    p = Parameters.create(segregation=1, societal_discrimination=np.float64(0.2), minority_shares=[0.1, 0.05])
    assert p.segregation == 1.0 and p.societal_discrimination == 0.2 and p.minority_shares == [0.1, 0.05]
    with pytest.raises(ParameterError, match="minority_shares: must be a list, not a tuple"):
        Parameters.create(minority_shares=(0.1, 0.05))


FORMATS = ("scenario TOML", "survey CSV", "sweep TOML", "calibration TOML")


def counts() -> tuple[dict[str, int], dict[str, int]]:
    """Cases per subcommand (the command run) and per file format (printed in the closing note of issue 17)."""
    commands: dict[str, int] = {}
    formats: dict[str, int] = {}
    for c in CASES:
        command = c.argv[0] if c.group != "radsim" else "radsim (no such command)"
        commands[command] = commands.get(command, 0) + 1
        if c.group in FORMATS:
            formats[c.group] = formats.get(c.group, 0) + 1
    return commands, formats


if __name__ == "__main__":
    for title, table in zip(("subcommand", "file format"), counts()):
        print(f"cases per {title}:")
        for name, n in sorted(table.items(), key=lambda kv: -kv[1]):
            print(f"{n:5d}  {name}")
    print(f"{len(CASES):5d}  in all, {sum(1 for c in CASES if c.xfail)} of them marked xfail")
