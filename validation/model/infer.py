"""Draft a product spec from a data file: a data dictionary inferred from the columns, and the smallest
placeholder sections that pass `check`, so a bank's history file reaches a trained product in three
commands (infer, scorecard train, cutoffs).

Per column (the outcome and columns whose names are not identifiers are left out, and said so):
- boolean columns -> `boolean`; whole numbers -> `integer`; other numbers -> `number`, with the observed
  range widened to round numbers; text with at most MAX_CATEGORIES distinct values (each a short
  token) -> `category`; other text -> `string`;
- personal data is guessed from the name (name, phone, mobile, id number, id card, email, address) and
  from the values (11-digit mobile numbers, 15/18-character ID numbers): `string` with `pii: true`;
- optional (`required: false`) when any value is missing.
Where the spec model has sample-data declarations (`fields[].distribution`, issue 15), each field also
gets the file's quantiles, missing share, category or boolean shares and its direction with the outcome,
so `sample-data` on the draft draws applicants like the file's.
The channel field is a column named like `channel` (else the first category column whose values are
identifiers); the requested amount a number named like `requested`/`amount`. The placeholder scorecard
scores nothing (one bin of 0 points): `loanstudio scorecard train` replaces it.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["infer_spec", "InferResult", "ColumnInfo", "MAX_CATEGORIES", "MAX_COLUMNS"]

MAX_CATEGORIES = 30
MAX_COLUMNS = 500
_IDENT = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PII_NAME = re.compile(r"(^|_)(name|phone|mobile|tel|email|mail|address|addr|id_?number|id_?card|identity|passport|"
                       r"ssn|cert_?no)($|_)")
_PHONE = re.compile(r"^1\d{10}$")
_ID_NUMBER = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")


@dataclass
class ColumnInfo:
    """What was inferred about one column."""

    name: str
    type: str
    required: bool
    missing_share: float
    min: float | None = None
    max: float | None = None
    categories: list[str] | None = None
    pii: bool = False
    note: str = ""


@dataclass
class InferResult:
    """The drafted spec (plain data, YAML-ready) and the data dictionary as inferred."""

    spec: dict
    columns: list[ColumnInfo]
    rows: int
    target: str | None
    bad_rate: float | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("spec")
        return out


def _nice_floor(value: float) -> float:
    """A round lower bound: 0 for non-negative values, else the negative of a round upper bound."""
    return 0.0 if value >= 0 else -_nice_ceil(-value)


def _nice_ceil(value: float) -> float:
    """A round upper bound at or above `value`: two significant digits (0 for values at or below 0)."""
    if value <= 0:
        return 0.0
    power = 10.0 ** (math.floor(math.log10(value)) - 1)
    return float(math.ceil(round(value / power, 9)) * power) if value >= 1 else math.ceil(value * 100) / 100


def _text_like(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def _column(name: str, series: pd.Series) -> ColumnInfo:
    present = series.dropna()
    missing = float(series.isna().mean()) if len(series) else 0.0
    required = missing == 0.0
    if _PII_NAME.search(name.lower()):  # personal data by its name, whatever its values look like
        return ColumnInfo(name, "string", required, missing, pii=True)
    if pd.api.types.is_bool_dtype(series.dtype):
        return ColumnInfo(name, "boolean", required, missing)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = pd.to_numeric(present, errors="coerce").dropna().astype(float)
        values = values[np.isfinite(values)]
        if values.empty:
            return ColumnInfo(name, "number", False, missing, note="no values")
        whole = bool((values == np.floor(values)).all()) and values.abs().max() < 2 ** 53
        if whole and _looks_personal(values.head(1000).astype("int64").astype(str)):
            return ColumnInfo(name, "string", required, missing, pii=True, note="digits of a phone or ID number")
        low, high = float(values.min()), float(values.max())
        return ColumnInfo(name, "integer" if whole else "number", required, missing, _nice_floor(low),
                          _nice_ceil(high))
    text = present.astype(str)
    pii = _looks_personal(text.head(1000))
    levels = sorted(text.unique().tolist())
    if not pii and 0 < len(levels) <= MAX_CATEGORIES and all(0 < len(v) <= 64 for v in levels) \
            and len(levels) < max(len(text) / 5, 3):
        return ColumnInfo(name, "category", required, missing, categories=levels)
    return ColumnInfo(name, "string", required, missing, pii=pii)


def _looks_personal(sample: pd.Series) -> bool:
    """Most values look like mobile phone numbers or ID card numbers."""
    return bool(len(sample)) and bool(sample.str.match(_PHONE).mean() > 0.9 or sample.str.match(_ID_NUMBER).mean() > 0.9)


def _text(en: str, zh: str | None = None) -> dict:
    return {"zh": zh or en, "en": en}


def infer_spec(data, target: str | None = None, id_column: str | None = None, product_id: str | None = None,
               kind: str = "consumer_instalment") -> InferResult:
    """A draft spec for the applicants in `data` (path or frame). Raises ModelDataError when the data
    cannot make one (no rows, the target or id missing, no column that can serve as the channel)."""
    from validation.data.data_files import DataFileError, read_data
    from validation.model.features import ModelDataError

    try:
        frame = read_data(data)
    except DataFileError as err:
        raise ModelDataError(str(err)) from None
    if frame.empty:
        raise ModelDataError("the data has no rows")
    if len(frame.columns) > MAX_COLUMNS:
        raise ModelDataError(f"the data has {len(frame.columns)} columns: at most {MAX_COLUMNS}")
    for what, name in (("target", target), ("id", id_column)):
        if name is not None and name not in frame.columns:
            raise ModelDataError(f"the {what} column {name!r} is not in the data")
    notes: list[str] = []
    columns: list[ColumnInfo] = []
    for name in frame.columns:
        if name == target:
            continue
        if not _IDENT.match(str(name)):
            notes.append(f"column {str(name)[:80]!r} left out: a field name is lower case letters, digits and _ "
                         "(rename the column to use it)")
            continue
        info = _column(str(name), frame[name])
        if name == id_column:
            info = ColumnInfo(name, "string", info.required, info.missing_share, note="applicant id")
        columns.append(info)
    bad_rate = None
    if target is not None:
        y = pd.to_numeric(frame[target], errors="coerce")
        if not y.dropna().isin([0, 1]).all():
            raise ModelDataError(f"the target {target!r} must hold 0 (good), 1 (bad) or nothing (unknown)")
        bad_rate = float(y.mean()) if y.notna().any() else None
    outcome = pd.to_numeric(frame[target], errors="coerce") if target is not None else None
    spec = _draft(columns, frame, product_id or "inferred_product", kind, bad_rate, notes, outcome)
    return InferResult(spec, columns, len(frame), target, bad_rate, notes)


def _draft(columns: list[ColumnInfo], frame: pd.DataFrame, product_id: str, kind: str, bad_rate, notes,
           outcome: pd.Series | None = None) -> dict:
    from validation.model.features import ModelDataError

    by_name = {c.name: c for c in columns}
    channel = next((c for c in columns if c.type == "category" and "channel" in c.name
                    and all(_IDENT.match(v) for v in c.categories)), None)
    channel = channel or next((c for c in columns if c.type == "category" and all(_IDENT.match(v) for v in c.categories)),
                              None)
    if channel is None:
        raise ModelDataError("no column can serve as the sales channel: add a column `channel` whose values are "
                             "lower-case identifiers (e.g. branch, mobile_app), one value is enough")
    if "channel" not in channel.name:
        notes.append(f"no channel column: {channel.name!r} stands in as the channel field; set product.channel_field")
    channel.required = True
    requested = next((c for c in columns if c.type in ("number", "integer") and c.min is not None and c.min >= 0
                      and re.search(r"request|amount|loan_amt|apply", c.name)), None)
    fields = []
    for c in columns:
        f = {"name": c.name, "label": _text(c.name.replace("_", " ").capitalize(), c.name), "type": c.type}
        if not c.required:
            f["required"] = False
        if c.type in ("integer", "number") and c.min is not None:
            f["min"], f["max"] = _dec(c.min), _dec(max(c.max, c.min + 1))
        if c.type == "category":
            f["categories"] = c.categories
        if c.pii:
            f["pii"] = True
        f["description"] = _text(f"Inferred from {len(frame):,} rows; {c.missing_share:.1%} empty"
                                 + (f"; {c.note}" if c.note else ""))
        distribution = _distribution(c, frame[c.name], outcome)
        if distribution:
            f["distribution"] = distribution
        fields.append(f)
    low, high = (requested.min, requested.max) if requested else (1000.0, 100000.0)
    step = _dec(10 ** max(int(math.log10(max(high, 10))) - 3, 0))
    limits = {"amount": requested.name if requested else "100000", "min": _dec(max(low, float(step))),
              "max": _dec(max(high, float(step) * 2)), "step": step}
    if requested:
        limits["requested_field"] = requested.name
    first = next((c for c in columns if c.type in ("integer", "number")), None) or channel
    appetite = {"min_approval_rate": Decimal("0.3")}
    if bad_rate:
        appetite["max_bad_rate_approved"] = _dec(round(bad_rate * 0.6, 4) or 0.0001)
        appetite["max_expected_loss_rate"] = _dec(round(bad_rate * 0.6 * 0.45, 4) or 0.0001)
        notes.append("risk appetite drafted: approved bad rate at most 60% of the data's, EL at that x 45% LGD")
    product = {"id": product_id, "name": _text(f"Product inferred from data ({product_id})", f"数据推断产品（{product_id}）"),
               "kind": kind, "version": "0.1.0", "terms_months": [12], "repayment": ["equal_instalment"],
               "apr_cap": Decimal("0.24"), "channel_field": channel.name}
    id_column = next((c.name for c in columns if c.note == "applicant id"), None)
    if id_column is not None and id_column != "applicant_id":
        product["id_field"] = id_column
    return {
        "product": product,
        "fields": fields,
        "segments": [{"id": "everyone", "name": _text("Everyone", "全部客户")}],
        "scorecard": {"name": _text("Placeholder scorecard (train it)", "占位评分卡（待训练）"), "base_points": 600,
                      "characteristics": [{"field": first.name, "bins": (
                          [{"values": list(first.categories), "points": 0}] if first.type == "category"
                          else [{"points": 0}])} | ({"missing_points": 0} if not first.required else {})]},
        "decision": {"bands": [{"id": "a", "name": _text("Band A", "A档"), "min_score": 600},
                               {"id": "b", "name": _text("Band B", "B档")}],
                     "matrix": {"everyone": {"a": "approve", "b": "decline"}}},
        "pricing": {"base_apr": Decimal("0.1"), "band_spreads": {"a": 0, "b": Decimal("0.03")},
                    "floor": Decimal("0.05"), "cap": Decimal("0.2")},
        "limits": limits,
        "channels": [{"id": v, "kind": "branch", "name": _text(v)} for v in by_name[channel.name].categories],
        "post_loan": {"dpd_buckets": [
            {"id": "m1", "name": _text("M1"), "min_days": 1, "max_days": 30},
            {"id": "m2", "name": _text("M2"), "min_days": 31, "max_days": 60},
            {"id": "m3", "name": _text("M3"), "min_days": 61, "max_days": 90},
            {"id": "m3_plus", "name": _text("M3+"), "min_days": 91}],
            "collection": [{"bucket": "m1", "day": 1, "action": "sms"}, {"bucket": "m2", "day": 31, "action": "call"}]},
        "risk_appetite": appetite,
    }


def _declares_distributions() -> bool:
    """Whether the spec model has the sample-data declarations of issue 15 (`fields[].distribution`)."""
    from product_specs.sections import Field

    return "distribution" in Field.model_fields


def _distribution(c: ColumnInfo, series: pd.Series, outcome: pd.Series | None) -> dict:
    """What sample data needs to draw this field like the file: quantiles, missing share, category or
    boolean shares, and the direction it moves with the outcome (a rank correlation, kept inside the
    declaration's -0.99..0.99). Empty when the spec model has no declarations or the field is free text."""
    if not _declares_distributions() or c.type == "string" or c.pii:
        return {}
    from product_specs.sections import Field

    out: dict = {}
    if not c.required and c.missing_share > 0:
        out["missing"] = _dec(round(min(c.missing_share, 0.99), 4))
    present = series.dropna()
    if c.type in ("integer", "number") and len(present):
        values = pd.to_numeric(present, errors="coerce").dropna().astype(float)
        points = {f"p{q}": float(np.quantile(values, q / 100)) for q in (5, 25, 50, 75, 95)}
        if len(set(points.values())) == len(points):  # strictly rising quantiles only
            out["quantiles"] = {k: _dec(round(v, 6)) for k, v in points.items()}
    elif c.type == "category" and len(present):
        shares = present.astype(str).value_counts(normalize=True)
        out["shares"] = {str(k): _dec(round(float(v), 4)) for k, v in shares.items()}
    elif c.type == "boolean" and len(present):
        out["share"] = _dec(round(float(present.astype(bool).mean()), 4))
    if outcome is not None and c.type in ("integer", "number", "boolean"):
        both = pd.DataFrame({"x": pd.to_numeric(series, errors="coerce"), "y": outcome}).dropna()
        if len(both) > 10 and both["x"].nunique() > 1 and both["y"].nunique() > 1:
            rho = float(both["x"].rank().corr(both["y"].rank()))
            if math.isfinite(rho):
                out["risk_correlation"] = _dec(round(max(min(rho * 3, 0.9), -0.9), 2))
    try:  # a declaration the model refuses (its rules may be stricter) is left out, never breaks the draft
        Field.model_validate({"name": "x", "label": {"zh": "x", "en": "x"}, "type": c.type, "required": c.required,
                              **({"categories": c.categories} if c.categories else {}), "distribution": out})
    except ValueError:
        return {}
    return out


def _dec(value: float) -> Decimal:
    value = float(value)
    return Decimal(int(value)) if value == int(value) else Decimal(repr(value))


def write_spec(result: InferResult, path: str | Path) -> Path:
    """Write the drafted spec as YAML (via the spec model, so it reads back exactly)."""
    from product_specs import ProductSpec, dump_spec

    path = Path(path)
    path.write_text(dump_spec(ProductSpec.model_validate(result.spec)), encoding="utf-8")
    return path
