import os

import numba
import pytest
from hypothesis import settings

from experiments.examples import example_path
from experiments.scenario import load_scenario

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=15, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest -n 2 runs two test processes on the machine's cores: one numba thread each, as a sweep's workers
    # run, instead of two processes each waking threads on both cores (tests that compare thread counts ask
    # for all threads with the ``all_threads`` fixture)
    numba.set_num_threads(1)


@pytest.fixture
def all_threads():
    """numba's threads for this test: all of them (``NUMBA_NUM_THREADS``), then back to what they were."""
    before = numba.get_num_threads()
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    yield numba.get_num_threads()
    numba.set_num_threads(before)


def breeding_ground(**overrides):
    """The parameters of the shipped scenario ``high_breeding_ground.toml`` (a neighbourhood where residents
    join radical groups and act), as keyword arguments of ``RadicalisationModel``; ``overrides`` replace some.

    At the fitted defaults (the national prevalence, about 3 members per 100,000 residents) a test town of a
    few thousand residents almost never has a member, so tests of the mechanisms of phases 2 and 3 use this.
    """
    return {**load_scenario(example_path("high_breeding_ground.toml")).given_parameters(), **overrides}
