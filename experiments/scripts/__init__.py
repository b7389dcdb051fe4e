"""Developer tools, not researcher commands (those are ``radsim`` subcommands). Each runs with click:

- ``python -m experiments.scripts.odd``: regenerate the parameter table in docs/ODD.md from the code (``make odd``);
- ``python -m experiments.scripts.sweep_throughput``: runs per second of many small sweep runs, with and without Dask.
"""
