"""Synthetic applicant populations for a product's data dictionary, with outcomes from a hidden truth.

Steps: CheckedSpec -> SampleModel (each field's plan, from its `distribution` declaration or defaults by
type, unit and range; sample_plan.py) -> chunks of `Applicants` (latent risk, fraud rings) -> one column
per field, in draw order (sample_fields.py) -> outcome columns drawn from the hidden risk model:

- `bad_flag` (1 = went M3+, over 90 days past due, within 12 months),
- `max_dpd_12m` (longest days past due in those 12 months; above 90 exactly when bad),
- `loss_given_default` (share of the exposure lost if this applicant defaults),
- `fraud_flag` (1 = a fraud-ring member who went bad: took the money and never repaid),
- `true_pd_12m` (the hidden probability `bad_flag` was drawn from; post-loan ageing draws from it; a
  bank's own data has no such column).

Rows are generated in chunks of `CHUNK_ROWS`, each drawn from streams seeded by (seed, chunk, name),
so a population depends only on the spec, the number of rows and the seed (not on how it is written).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from product_specs import CheckedSpec, load_checked
from product_specs.sections import FieldType
from validation.data.applicant_model import (
    FIT_ROWS,
    FIT_SEED,
    Applicants,
    Column,
    Truth,
    calibrate,
    outcomes,
    probabilities,
)
from validation.data.conditions import Evaluator
from validation.data.network import compute as network_compute
from validation.data.network import key_fields, network_fields
from validation.data.sample_fields import draw_field
from validation.data.sample_plan import SampleModel

__all__ = ["generate", "iter_chunks", "write", "default_sample", "outcome_probabilities", "visible_risk",
           "OUTCOME_COLUMNS",
           "CHUNK_ROWS", "DEFAULT_ROWS", "DEFAULT_SEED"]

CHUNK_ROWS = 50_000
DEFAULT_ROWS = 20_000
DEFAULT_SEED = 7
OUTCOME_COLUMNS = ("bad_flag", "max_dpd_12m", "loss_given_default", "fraud_flag", "true_pd_12m")
_GENERATOR_MODULES = ("sample_data.py", "sample_fields.py", "sample_plan.py", "marginals.py", "conditions.py",
                      "applicant_model.py", "network.py")

Progress = Callable[[int, int], None]


def generate(checked: CheckedSpec, rows: int, seed: int = DEFAULT_SEED, progress: Progress | None = None
             ) -> pd.DataFrame:
    """A synthetic population of `rows` applicants for the product, with outcome columns.

    `progress(done, total)` is called after each chunk.
    """
    frames = list(iter_chunks(checked, rows, seed, progress))
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def iter_chunks(checked: CheckedSpec, rows: int, seed: int = DEFAULT_SEED, progress: Progress | None = None
                ) -> Iterator[pd.DataFrame]:
    """The population of `generate`, as frames of at most CHUNK_ROWS rows (at least one frame)."""
    if rows < 0 or seed < 0:
        raise ValueError("rows and seed must not be negative")
    model = SampleModel(checked)
    starts = range(0, rows, CHUNK_ROWS) if rows else [0]
    rules = Evaluator()
    try:
        truth, intercept = _truth(model, rules)
        for chunk, start in enumerate(starts):
            n = min(CHUNK_ROWS, rows - start)
            pop, columns = _draw(model, rules, n, seed, chunk, start)
            pd_true = probabilities(pop, truth, intercept, columns)
            for name, values in outcomes(pop, pd_true).items():
                columns.setdefault(name, values)
            yield pd.DataFrame(columns)
            if progress is not None:
                progress(start + n, rows)
    finally:
        rules.close()


def outcome_probabilities(checked: CheckedSpec, rows: int, seed: int = DEFAULT_SEED, rings: bool = True
                          ) -> np.ndarray:
    """The hidden probability of going bad of each applicant `generate(checked, rows, seed)` makes, in row
    order: a function of the applicant's observed fields, fraud-ring membership and noise. `bad_flag` is
    drawn from exactly these probabilities. `rings=False` leaves ring membership out: the credit truth, the
    ground truth a scorecard of the fields is judged against (only network data shows membership)."""
    model = SampleModel(checked)
    rules = Evaluator()
    try:
        truth, intercept = _truth(model, rules)
        out = []
        for chunk, start in enumerate(range(0, rows, CHUNK_ROWS)):
            pop, columns = _draw(model, rules, min(CHUNK_ROWS, rows - start), seed, chunk, start)
            out.append(probabilities(pop, truth, intercept, columns, rings))
    finally:
        rules.close()
    return np.concatenate(out) if out else np.zeros(0)


def visible_risk(checked: CheckedSpec, rows: int, seed: int, fields: list[str]) -> np.ndarray:
    """The hidden risk as only `fields` show it, for each applicant `generate(checked, rows, seed)` makes:
    the best linear prediction of the latent risk from those fields (fitted on the generator's internal
    draw, as the truth is). Ranked against `bad_flag`, it is the ceiling of any model that reads only
    those fields (a scorecard cannot read booleans, for one), where `outcome_probabilities` is the
    ceiling of a model that reads them all."""
    model = SampleModel(checked)
    rules = Evaluator()
    try:
        pop, columns = _draw(model, rules, FIT_ROWS, FIT_SEED, 0, 0)
        kinds = {f.name: ("number" if f.type in (FieldType.INTEGER, FieldType.NUMBER) else "level")
                 for f in model.spec.fields if f.name in set(fields)}
        truth = Truth.fit({n: columns[n] for n in kinds}, kinds, pop.risk)
        out = []
        for chunk, start in enumerate(range(0, rows, CHUNK_ROWS)):
            _, drawn = _draw(model, rules, min(CHUNK_ROWS, rows - start), seed, chunk, start)
            out.append(truth.risk({n: drawn[n] for n in kinds}))
    finally:
        rules.close()
    return np.concatenate(out) if out else np.zeros(0)


def write(checked: CheckedSpec, path: str | Path, rows: int, seed: int = DEFAULT_SEED,
          progress: Progress | None = None) -> Path:
    """Generate a population chunk by chunk into a Parquet (.parquet, .pq) or CSV (.csv) file.

    The file appears complete or not at all (written beside, then renamed).
    """
    path = Path(path)
    kind = _file_kind(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        chunks = iter_chunks(checked, rows, seed, progress)
        if kind == "parquet":
            _write_parquet(chunks, tmp)
        else:
            for i, frame in enumerate(chunks):
                frame.to_csv(tmp, mode="w" if i == 0 else "a", header=i == 0, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def default_sample(product_id: str, folder: Path, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> Path:
    """The default sample of a catalog product: generated into `folder` on first use, then read from there.

    The file name carries a key of the spec and of this generator's code, so a changed product or
    generator never reuses a stale file.
    """
    from product_specs.catalog import catalog_path

    spec_path = catalog_path(product_id)
    if not spec_path.is_file():
        raise LookupError(f"no catalog product {product_id!r}")
    checked = load_checked(spec_path)
    path = Path(folder) / f"{product_id}-{rows}-{seed}-{_cache_key(checked)}.parquet"
    if not path.is_file():
        write(checked, path, rows, seed)
    return path


def _cache_key(checked: CheckedSpec) -> str:
    digest = hashlib.sha256(checked.spec_hash.encode())
    here = Path(__file__).parent
    for module in _GENERATOR_MODULES:
        digest.update((here / module).read_bytes())
    return digest.hexdigest()[:10]


def _file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise ValueError(f"cannot write {path.name!r}: use a .parquet or .csv file name")


def _write_parquet(chunks: Iterator[pd.DataFrame], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for frame in chunks:
            table = pa.Table.from_pandas(frame, preserve_index=False,
                                         schema=writer.schema if writer is not None else None)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


# one chunk ------------------------------------------------------------------------------------------------

_TRUTHS: dict[str, tuple[Truth, float]] = {}


def _truth(model: SampleModel, rules: Evaluator) -> tuple[Truth, float]:
    """The product's hidden model (fitted once per spec and process on FIT_ROWS applicants drawn with a fixed
    seed) and the intercept that gives the declared bad rate."""
    key = model.checked.spec_hash
    if key not in _TRUTHS:
        pop, columns = _draw(model, rules, FIT_ROWS, FIT_SEED, 0, 0)
        kinds = {f.name: ("number" if f.type in (FieldType.INTEGER, FieldType.NUMBER) else "level")
                 for f in model.spec.fields if f.type is not FieldType.STRING}
        truth = Truth.fit(columns, kinds, pop.risk)
        intercept = calibrate(truth, truth.risk(columns), pop.in_ring, model.population.bad_rate)
        if len(_TRUTHS) >= 16:
            _TRUTHS.clear()
        _TRUTHS[key] = (truth, intercept)
    return _TRUTHS[key]


def _draw(model: SampleModel, rules: Evaluator, n: int, seed: int, chunk: int, start: int
          ) -> tuple[Applicants, dict]:
    """One chunk's applicants and their typed columns (as the data shows them), in dictionary order."""
    pop = Applicants(model, n, seed, chunk, start)
    for plan in model.plans:
        draw_field(plan, pop, rules)
    columns = {f.name: _column(f, pop.columns[f.name].values, pop.columns[f.name].nulls)
               for f in model.spec.fields}
    nets = network_fields(model.checked)
    if nets:  # computed from the keys the chunk shares, as a simulation computes them over the whole file
        keys = pa.Table.from_pandas(pd.DataFrame({k: columns[k] for k in key_fields(model.checked)}),
                                    preserve_index=False)
        computed = network_compute(model.checked, keys)
        for f in nets:
            values = computed[f.name].to_numpy(zero_copy_only=False).astype(float)
            empty = np.zeros(n, dtype=bool)
            pop.columns[f.name] = Column(values, empty)
            columns[f.name] = _column(f, values, empty)
    return pop, columns


def _column(field, values: np.ndarray, nulls: np.ndarray):
    """A typed pandas column: Int64, float64, boolean or str, clipped to the field's range."""
    kind = field.type
    if kind in (FieldType.INTEGER, FieldType.NUMBER):
        values = np.asarray(values, dtype=float)
        low = None if field.min is None else float(field.min)
        high = None if field.max is None else float(field.max)
        if kind is FieldType.INTEGER:
            values = np.rint(values)
            low = None if low is None else np.ceil(low)
            high = None if high is None else np.floor(high)
        if low is not None or high is not None:
            values = np.clip(values, low, high)
        if kind is FieldType.INTEGER:
            return pd.arrays.IntegerArray(values.astype(np.int64), nulls.copy())
        return np.where(nulls, np.nan, values)
    if kind is FieldType.BOOLEAN:
        return pd.arrays.BooleanArray(np.asarray(values, dtype=bool), nulls.copy())
    if isinstance(values, pa.Array):
        if nulls.any():
            values = pc.if_else(pa.array(nulls), pa.scalar(None, pa.string()), values)
        return pd.array(values, dtype="str")
    out = np.asarray(values, dtype=object).copy()
    out[nulls] = None
    return pd.array(out, dtype="str")
