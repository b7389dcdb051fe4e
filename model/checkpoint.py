"""Checkpoints: the whole state of a :class:`model.RadicalisationModel` in one pickle-free ``.npz`` file.

:meth:`RadicalisationModel.save <model.RadicalisationModel.save>` writes, and
:meth:`RadicalisationModel.load <model.RadicalisationModel.load>` reads, a model at the end of a week so that
the loaded model, run on, gives results bit-identical to the model that was saved run on (and so to a run
straight through).

**Format** (version :data:`VERSION`). One ``.npz`` archive (numpy's zip of ``.npy`` arrays), read with
``np.load(path, allow_pickle=False)``: no entry is an object array, so nothing in a checkpoint is ever
unpickled. The entry ``__radsim__`` holds the metadata as UTF-8 JSON in a ``uint8`` array; every other entry is
a plain numeric array named by what it holds:

* ``town/<field>``: every array of :class:`model.town.Town` (the adjacency as ``town/adjacency/data``,
  ``.../indices``, ``.../indptr``, with its shape and scipy's sortedness flags in the metadata);
* ``state/<field>``: every array of :class:`model.state.ResidentState`;
* ``engine/removed`` (who is in prison; the engine's matrices are derived and rebuilt on load);
* ``model/<name>``: the counters kept as arrays (entries, exits, movement entries, key-figure trust, the
  delays before action);
* ``interventions/<k>/<attribute>`` and ``survey_interventions/<k>/<attribute>``: the run-time arrays of the
  interventions (whom they reached, care and release weeks, the memberships they added, ...).

The metadata (JSON; floats are written with ``repr`` and so read back exactly) hold the format name and version,
the parameters, the engine, mesa's ``steps`` and ``time``, the state of every random generator (``rng``,
``intervention_rng``, ``recruitment_rng``, ``mobility_rng`` with their ``SeedSequence`` and its count of spawned
children, and mesa's ``random.Random``), the interventions' fields and scalar run-time attributes, the attack and
act weeks, the scalar counters, this week's macro context and outcomes, and the DataCollector's rows so far.

Not saved: what a week rewrites before it reads it (this week's draws, recruiters' approaches and rule
modifiers) and what is derived from the rest (the engine's matrices, recruiters' rates, the Mesa agents of the
residents, which are made again when asked for).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any

import mesa
import numpy as np
import scipy.sparse as sp

from .engine import MacroContext
from .interventions import INTERVENTION_TYPES, Intervention, validate_interventions
from .parameters import Parameters
from .state import ResidentState
from .town import MembershipChange, Town

__all__ = ["FORMAT", "VERSION", "CheckpointError", "save_model", "load_model", "dumps", "loads", "read_checkpoint",
           "GENERATORS"]

FORMAT = "radsim-checkpoint"
"""The ``format`` entry of every checkpoint's metadata."""
VERSION = 1
"""The format version this code writes and reads."""
META = "__radsim__"
"""The npz entry with the JSON metadata."""
GENERATORS = ("rng", "intervention_rng", "recruitment_rng", "mobility_rng")
"""The model's numpy generators (attributes of the model), all saved with their SeedSequence."""
SPARSE_TYPES = {"csr_matrix": sp.csr_matrix, "csr_array": sp.csr_array}
DATACLASSES = {"MembershipChange": MembershipChange}
"""The dataclasses an intervention may hold at run time (only these are rebuilt on load)."""
Source = str | os.PathLike | IO[bytes]


class CheckpointError(ValueError):
    """A file that is not a radsim checkpoint, of another format version, or damaged (one-line message)."""


# --- values to JSON and arrays ---------------------------------------------------------------------------------

def _json_default(value: Any) -> Any:
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write a {type(value).__name__} into a checkpoint")


def _array(value: np.ndarray, key: str) -> np.ndarray:
    if value.dtype.hasobject:
        raise CheckpointError(f"{key}: an object array cannot be saved without pickle")
    return value


def _encode(value: Any, key: str, arrays: dict[str, np.ndarray]) -> dict:
    """One run-time attribute as JSON, its arrays into ``arrays`` under ``key``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"json": value}
    if isinstance(value, np.generic):
        return {"scalar": value.item(), "dtype": value.dtype.str}
    if isinstance(value, np.ndarray):
        arrays[key] = _array(value, key)
        return {"array": key}
    if dataclasses.is_dataclass(value) and type(value).__name__ in DATACLASSES:
        return {"dataclass": type(value).__name__,
                "fields": {f.name: _encode(getattr(value, f.name), f"{key}/{f.name}", arrays)
                           for f in dataclasses.fields(value)}}
    raise CheckpointError(f"{key}: a {type(value).__name__} cannot be saved in a checkpoint")


def _decode(entry: dict, arrays: Any) -> Any:
    if "json" in entry:
        return entry["json"]
    if "scalar" in entry:
        return np.dtype(entry["dtype"]).type(entry["scalar"])
    if "array" in entry:
        return arrays[entry["array"]]
    cls = DATACLASSES[entry["dataclass"]]
    return cls(**{name: _decode(e, arrays) for name, e in entry["fields"].items()})


def _generator_state(g: np.random.Generator) -> dict:
    bg = g.bit_generator
    seq = getattr(bg, "seed_seq", None)
    seed = None
    if isinstance(seq, np.random.SeedSequence):
        entropy = seq.entropy
        seed = {"entropy": entropy if entropy is None or isinstance(entropy, int) else [int(x) for x in entropy],
                "spawn_key": [int(x) for x in seq.spawn_key], "pool_size": int(seq.pool_size),
                "n_children_spawned": int(seq.n_children_spawned)}
    return {"bit_generator": type(bg).__name__, "state": bg.state, "seed_seq": seed}


def _generator(entry: dict) -> np.random.Generator:
    cls = getattr(np.random, entry["bit_generator"], None)
    if not (isinstance(cls, type) and issubclass(cls, np.random.BitGenerator)):
        raise CheckpointError(f"unknown bit generator {entry['bit_generator']!r}")
    s = entry["seed_seq"]
    seq = None if s is None else np.random.SeedSequence(s["entropy"], spawn_key=tuple(s["spawn_key"]),
                                                          pool_size=s["pool_size"],
                                                          n_children_spawned=s["n_children_spawned"])
    bg = cls(seq)
    bg.state = entry["state"]
    return np.random.Generator(bg)


def _sparse_meta(a: Any, key: str, arrays: dict[str, np.ndarray]) -> dict:
    kind = type(a).__name__
    if kind not in SPARSE_TYPES:
        raise CheckpointError(f"{key}: a {kind} cannot be saved in a checkpoint")
    for part in ("data", "indices", "indptr"):
        arrays[f"{key}/{part}"] = getattr(a, part)
    flags = {name: a.__dict__.get(name) for name in ("_has_sorted_indices", "_has_canonical_format")}
    return {"sparse": kind, "shape": list(a.shape), "flags": flags}


def _sparse(entry: dict, key: str, arrays: Any) -> Any:
    data, indices, indptr = (arrays[f"{key}/{p}"] for p in ("data", "indices", "indptr"))
    a = SPARSE_TYPES[entry["sparse"]]((data, indices, indptr), shape=tuple(entry["shape"]))
    a.data, a.indices, a.indptr = data, indices, indptr        # exactly these arrays and dtypes
    for name in ("_has_sorted_indices", "_has_canonical_format"):
        a.__dict__.pop(name, None)
        if entry["flags"][name] is not None:
            a.__dict__[name] = entry["flags"][name]            # scipy's cached flags choose its code paths
    return a


def _intervention_private(iv: Intervention, key: str, arrays: dict[str, np.ndarray]) -> dict:
    return {name: _encode(value, f"{key}/{name}", arrays)
            for name, value in (iv.__pydantic_private__ or {}).items()}


def _restore_private(iv: Intervention, private: dict, arrays: Any) -> None:
    for name, entry in private.items():
        iv.__pydantic_private__[name] = _decode(entry, arrays)


# --- save ----------------------------------------------------------------------------------------------------

def checkpoint_parts(model: Any) -> tuple[dict, dict[str, np.ndarray]]:
    """The metadata (JSON-able) and the arrays of ``model``'s checkpoint."""
    arrays: dict[str, np.ndarray] = {}
    town: dict[str, Any] = {}
    for f in dataclasses.fields(model.town):
        if f.name.startswith("_"):                       # caches, rebuilt when asked for
            continue
        value = getattr(model.town, f.name)
        key = f"town/{f.name}"
        if sp.issparse(value):
            town[f.name] = _sparse_meta(value, key, arrays)
        elif isinstance(value, np.ndarray):
            arrays[key] = _array(value, key)
            town[f.name] = {"array": key}
        else:
            town[f.name] = _encode(value, key, arrays)
    for name, value in model.state.as_dict().items():
        arrays[f"state/{name}"] = _array(value, f"state/{name}")
    arrays["engine/removed"] = model.engine.removed
    for name in ("entries", "exits", "movement_entries", "key_figure_trust"):
        arrays[f"model/{name}"] = getattr(model, name)
    arrays["model/action_delays"] = np.asarray(model.action_delays, dtype=np.int64)
    interventions = []
    for k, iv in enumerate(model.interventions):
        if INTERVENTION_TYPES.get(getattr(iv, "type", None)) is not type(iv):
            raise CheckpointError(f"interventions[{k}]: a {type(iv).__name__} is not an intervention type a "
                                  "checkpoint can rebuild")
        spec = {**iv.model_dump(mode="json", exclude_unset=True), "type": iv.type}
        interventions.append({"spec": spec, "private": _intervention_private(iv, f"interventions/{k}", arrays)})
    survey = [{"type": type(iv).__name__, "private": _intervention_private(iv, f"survey_interventions/{k}", arrays)}
              for k, iv in enumerate(model.survey_interventions)]
    dc = model.datacollector
    meta = {
        "format": FORMAT, "version": VERSION,
        "engine": model.engine_name, "precision": model.precision, "collect": bool(model.collect),
        "params": model.params.model_dump(mode="json"),
        "mesa": {"steps": int(model.steps), "time": float(model.time), "running": bool(model.running),
                 "agent_id_counter": int(model.agent_id_counter), "seed": model._seed,
                 "initial_rng_state": model._rng, "random": list(model.random.getstate())},
        "generators": {name: _generator_state(getattr(model, name)) for name in GENERATORS},
        "town": town,
        "interventions": interventions, "survey_interventions": survey,
        "attack_weeks": [int(w) for w in model.attack_weeks],
        "act_weeks": [[int(w) for w in weeks] for weeks in model.act_weeks],
        "counters": {"weeks_in_action": int(model.weeks_in_action), "mobility_ties": int(model.mobility_ties),
                     "cost_total": float(model.cost_total)},
        "macro": dataclasses.asdict(model.macro),
        "summary": model.summary, "outcomes": model.outcomes(),
        "datacollector": {"model_vars": dc.model_vars, "collection_steps": list(getattr(dc, "_collection_steps", []))},
    }
    for key, value in arrays.items():
        _array(value, key)
    return meta, arrays


def save_model(model: Any, target: Source) -> None:
    """Write ``model``'s checkpoint to ``target`` (a path, written atomically, or a binary file object)."""
    meta, arrays = checkpoint_parts(model)
    text = json.dumps(meta, default=_json_default, allow_nan=True)
    arrays = {META: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}
    if not isinstance(target, (str, os.PathLike)):
        np.savez(target, **arrays)
        return
    path = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- load ----------------------------------------------------------------------------------------------------

def _name(source: Source) -> str:
    return str(source) if isinstance(source, (str, os.PathLike)) else "checkpoint"


def read_checkpoint(source: Source) -> tuple[dict, Any]:
    """The metadata and arrays of a checkpoint, checked to be a radsim checkpoint of this version."""
    where = _name(source)
    try:
        arrays = np.load(source, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        if isinstance(err, FileNotFoundError):
            raise CheckpointError(f"{where}: no such file") from None
        raise CheckpointError(f"{where}: not a radsim checkpoint (not an .npz archive)") from None
    if not isinstance(arrays, np.lib.npyio.NpzFile):
        raise CheckpointError(f"{where}: not a radsim checkpoint (a single .npy array, not an .npz archive)")
    try:
        if META not in arrays.files:
            raise CheckpointError(f"{where}: not a radsim checkpoint (no {META} metadata entry)")
        meta = json.loads(arrays[META].tobytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        arrays.close()
        if isinstance(err, CheckpointError):
            raise
        raise CheckpointError(f"{where}: not a radsim checkpoint (its metadata is not JSON)") from None
    meta = meta if isinstance(meta, dict) else {}
    problem = None
    if meta.get("format") != FORMAT:
        problem = f"{where}: not a radsim checkpoint (format {meta.get('format')!r}, expected {FORMAT!r})"
    elif meta.get("version") != VERSION:
        problem = (f"{where}: radsim checkpoint format version {meta.get('version')!r}; this radsim reads "
                   f"version {VERSION} only")
    if problem:
        arrays.close()
        raise CheckpointError(problem)
    return meta, arrays


def load_model(cls: type, source: Source) -> Any:
    """A model of class ``cls`` (a :class:`model.RadicalisationModel`) in the state saved in ``source``."""
    meta, npz = read_checkpoint(source)
    try:
        with npz:
            arrays = {name: npz[name] for name in npz.files}
        return _rebuild(cls, meta, arrays)
    except (KeyError, TypeError, IndexError) as err:
        raise CheckpointError(f"{_name(source)}: a damaged radsim checkpoint ({type(err).__name__}: {err})") from None


def _rebuild(cls: type, meta: dict, arrays: dict[str, np.ndarray]) -> Any:
    ms = meta["mesa"]
    m = cls.__new__(cls)
    mesa.Model.__init__(m, rng=ms["seed"])
    m._rng = ms["initial_rng_state"]
    version, internal, gauss = ms["random"]
    m.random.setstate((version, tuple(internal), gauss))
    generators = {name: _generator(meta["generators"][name]) for name in GENERATORS}
    m.rng = generators.pop("rng")
    for name, g in generators.items():
        setattr(m, name, g)
    m.params = Parameters.create(**meta["params"])
    m.interventions = validate_interventions([iv["spec"] for iv in meta["interventions"]])
    for iv, saved in zip(m.interventions, meta["interventions"]):
        _restore_private(iv, saved["private"], arrays)
    m.engine_name = meta["engine"]
    m.precision = meta.get("precision", "float64")
    town = {}
    for name, entry in meta["town"].items():
        key = f"town/{name}"
        town[name] = _sparse(entry, key, arrays) if "sparse" in entry else _decode(entry, arrays)
    m.town = Town(**town)
    m.state = ResidentState(**{f.name: arrays[f"state/{f.name}"] for f in dataclasses.fields(ResidentState)})
    m._assemble(meta["collect"])
    survey = meta["survey_interventions"]
    if [type(iv).__name__ for iv in m.survey_interventions] != [s["type"] for s in survey]:
        raise CheckpointError("a damaged radsim checkpoint (its survey interventions do not match its survey)")
    for iv, saved in zip(m.survey_interventions, survey):
        _restore_private(iv, saved["private"], arrays)
    removed = arrays["engine/removed"]
    if removed.any():
        m.engine.removed[:] = removed
        m.engine.rebuild_network()
    for name in ("entries", "exits", "movement_entries", "key_figure_trust"):
        setattr(m, name, arrays[f"model/{name}"])
    m.action_delays = arrays["model/action_delays"].tolist()
    m.attack_weeks = list(meta["attack_weeks"])
    m.act_weeks = tuple(list(w) for w in meta["act_weeks"])
    for name, value in meta["counters"].items():
        setattr(m, name, value)
    m.macro = MacroContext(**meta["macro"])
    m._summary, m._outcome_values = meta["summary"], meta["outcomes"]
    m._outcomes_week = int(meta["mesa"]["steps"])     # saving computed them for the week it saved
    dc = meta["datacollector"]
    m.datacollector.model_vars = {name: list(values) for name, values in dc["model_vars"].items()}
    if hasattr(m.datacollector, "_collection_steps"):
        m.datacollector._collection_steps = list(dc["collection_steps"])
    _set_time(m, ms["steps"], ms["time"])
    m.running = ms["running"]
    m.agent_id_counter = ms["agent_id_counter"]
    return m


def _set_time(m: mesa.Model, steps: int, time: float) -> None:
    """Put mesa's clock at ``time`` with ``steps`` done, the next step due one time unit later."""
    schedule = m._default_schedule
    schedule.stop()
    m._event_list.compact()
    m.steps, m.time = steps, time
    schedule.schedule = dataclasses.replace(schedule.schedule, start=time + schedule.schedule.interval)
    schedule._execution_count = steps
    schedule.start()


def dumps(model: Any) -> bytes:
    """``model``'s checkpoint as bytes (the same format as a file)."""
    buffer = io.BytesIO()
    save_model(model, buffer)
    return buffer.getvalue()


def loads(cls: type, data: bytes) -> Any:
    """A model from the bytes of :func:`dumps`."""
    return load_model(cls, io.BytesIO(data))

