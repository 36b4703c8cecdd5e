"""Post-loan performance, executable: the approved book of a simulation aged month by month.

Steps: SimulationResult (approved applicants: limit, APR, band, segment, PD) --book--> loans (amount =
limit, a term from the product's terms, the product's first repayment method, each loan's 12-month PD:
the data's `true_pd_12m` where the sample carries the generator's truth, else the product's model PD)
--validation.data.performance.draw_paths--> every loan's state at each month end --per month in DuckDB-->
monitoring fields drawn, the spec's early-warning rules compiled to SQL and evaluated, rolls between
buckets, balances, collection steps triggered --> PostLoanReport: vintage curve (cumulative M3+ by months
on book, by count and amount, overall and by band), roll-rate matrix, M3+ rate and NPL ratio at months 12
and 24, early-warning hit rates and lead times ahead of M1, collection workload per month.

Deterministic: the same result, months and seed give the same report. Memory holds two small integer
arrays per loan and month (about 75 MB per million loans over 24 months); each month's table is built,
queried in DuckDB and dropped.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from product_specs import CheckedSpec
from product_specs.sections import FieldType
from validation.analysis.simulate import SimulationError, SimulationResult
from validation.data import performance as perf

__all__ = ["age_book", "PostLoanReport", "VintagePoint", "RollRow", "WarningRow", "CollectionMonth",
           "TRUE_PD_COLUMN", "MAX_MONTHS", "DEFAULT_MONTHS", "DEFAULT_SEED", "warning_fields"]

TRUE_PD_COLUMN = "true_pd_12m"
"""A sample's hidden 12-month PD per applicant (the generator's truth): post-loan ageing draws from it."""
MAX_MONTHS = 60
DEFAULT_MONTHS = 24
DEFAULT_SEED = 7
WARNING_WINDOW = perf.LEAD  # a warning is borne out when the loan falls behind within this many months

Progress = Callable[[str, int, int], None]


@dataclass
class VintagePoint:
    """The book at one month end (months on book): cumulative shares ever reached, and its state."""

    month: int
    ever_m1_rate: float           # loans ever 1+ days past due
    ever_m3plus_rate: float       # loans ever over 90 days past due (M3+), by count
    ever_m3plus_amount_rate: float  # the same, by amount lent
    written_off_rate: float       # loans written off, by count
    active: int                   # loans still on the book
    outstanding: float            # principal outstanding of loans on the book (written-off excluded)
    npl_ratio: float | None       # principal of M3+ loans / principal outstanding
    by_band: dict[str, float] = field(default_factory=dict)  # ever M3+ rate per score band


@dataclass
class RollRow:
    """Loans in one bucket at a month end, and where they were at the next (counts pooled over months)."""

    bucket: str
    loan_months: int
    to: dict[str, int]
    rates: dict[str, float]


@dataclass
class WarningRow:
    """One early-warning rule over the book's monitoring months."""

    code: str
    name_zh: str
    name_en: str
    level: str
    loans_hit: int
    hit_rate: float               # share of loans it ever fires on
    month_hit_rate: float         # share of active loan-months it fires in
    precision: float | None       # of the loans it first fires on while current, the share behind within WARNING_WINDOW months
    coverage: float | None        # of the loans that fall behind, the share it fired on within WARNING_WINDOW months before
    median_lead_months: float | None  # months from its first firing to falling behind, where it fired first


@dataclass
class CollectionMonth:
    """Collection steps the post-loan section triggers in one month, by kind."""

    month: int
    actions: dict[str, int]
    in_collections: int           # loans behind at the month end


@dataclass
class PostLoanReport:
    product_id: str
    months: int
    seed: int
    loans: int
    amount: float
    pd_basis: str                 # truth (the sample's true_pd_12m) or model (the product's PD)
    mean_pd_12m: float | None
    repayment: str
    terms: dict[str, int]
    vintage: list[VintagePoint]
    roll_matrix: list[RollRow]
    warnings: list[WarningRow]
    collections: list[CollectionMonth]
    collection_totals: dict[str, int]
    m3plus_rate_12: float | None
    m3plus_rate_24: float | None
    npl_ratio_12: float | None
    npl_ratio_24: float | None
    written_off_amount: float
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def warning_fields(checked: CheckedSpec) -> list[str]:
    """Application fields (not monitoring fields) the early-warning rules read."""
    monitoring = {f.name for f in checked.spec.post_loan.monitoring_fields}
    fields = {f.name for f in checked.spec.fields}
    names = []
    for rule in checked.early_warning:
        names += [n for n in rule.expr.names if n not in monitoring and n in fields]
    return list(dict.fromkeys(names))


def age_book(result: SimulationResult, months: int = DEFAULT_MONTHS, seed: int = DEFAULT_SEED,
             applicants: pa.Table | None = None, progress: Progress | None = None) -> PostLoanReport:
    """Age the approved loans of a simulation `months` months (1..MAX_MONTHS).

    `applicants` holds the application fields the early-warning rules read (warning_fields), one row per
    applicant in the simulated data's order; without it such rules are reported as not evaluated.
    Raises SimulationError when there is nothing to age or months is out of range.
    """
    import time

    started = time.perf_counter()
    if not 1 <= months <= MAX_MONTHS:
        raise SimulationError(f"months must be 1 to {MAX_MONTHS}, not {months}")
    checked = result.checked
    spec = checked.spec
    book = _book(result, seed)
    n = book["n"]
    report = progress or (lambda stage, done, total: None)
    report("post_loan", 0, months)
    paths = perf.draw_paths(book["pd"], book["terms"], months, seed, spec.post_loan.write_off_days)
    ager = _Ager(checked, book, paths, seed, applicants)
    try:
        for t in range(1, months + 1):
            ager.month(t)
            report("post_loan", t, months)
        out = ager.report()
    finally:
        ager.close()
    out.seconds = round(time.perf_counter() - started, 3)
    if n == 0:
        out.notes.append("no approved loans: nothing to age")
    return out


def _book(result: SimulationResult, seed: int) -> dict:
    """The approved loans: amount, APR, band, 12-month PD (truth where the data carries it), term."""
    spec = result.checked.spec
    table = result.table
    names = set(table.column_names)
    approved = pc.equal(table["decision"], "approve")
    loans = table.filter(approved)
    n = loans.num_rows

    def column(name, default=np.nan):
        if name not in names:
            return np.full(n, default)
        return loans[name].to_numpy(zero_copy_only=False)

    notes = []
    pd_true = column(TRUE_PD_COLUMN).astype(float)
    if TRUE_PD_COLUMN in names and not np.isnan(pd_true).any():
        pd12, basis = pd_true, "truth"
    else:
        pd12, basis = column("pd").astype(float), "model"
        if np.isnan(pd12).any():
            raise SimulationError("post-loan ageing needs each approved loan's PD: the product's scorecard has "
                                  "none (calibrate it) and the data carries no true_pd_12m")
        notes.append("loans are aged from the product's model PD (the data carries no true_pd_12m)")
    terms_offered = np.array(sorted(spec.product.terms_months), dtype=np.int64)
    rng = np.random.default_rng([seed, zlib.crc32(b"post_loan:terms")])
    terms = terms_offered[rng.integers(0, len(terms_offered), n)] if n else np.zeros(0, dtype=np.int64)
    amount = np.nan_to_num(column("limit", 0.0).astype(float))
    apr = np.nan_to_num(column("apr", 0.0).astype(float))
    band = np.array([str(b) for b in column("band", "")], dtype=object)
    rows = column("sim_row", -1).astype(np.int64)
    return {"n": n, "pd": np.clip(pd12, 1e-9, 0.999), "basis": basis, "terms": terms, "amount": amount,
            "apr": apr, "band": band, "rows": rows, "notes": notes}


class _Ager:
    """Walks the book month by month: monitoring, warnings, rolls, collections; accumulates figures."""

    def __init__(self, checked: CheckedSpec, book: dict, paths: perf.Paths, seed: int, applicants):
        from generators.decision import decision_connection
        from validation.data.sample_plan import monitoring_plan

        self.checked, self.spec, self.book, self.paths, self.seed = checked, checked.spec, book, paths, seed
        pl = self.spec.post_loan
        n = book["n"]
        self.n = n
        self.repayment = self.spec.product.repayment[0].value
        self.buckets = list(pl.dpd_buckets)
        self.dpd_field = next((f.name for f in pl.monitoring_fields if f.name == "days_past_due"), None)
        self.plans = [monitoring_plan(f, self.spec.limits) for f in pl.monitoring_fields
                      if f.name != self.dpd_field and f.type is not FieldType.STRING]
        risk = np.log(book["pd"] / (1 - book["pd"]))
        self.risk = (risk - risk.mean()) / (risk.std() or 1.0) if n else risk
        self.con = decision_connection()
        self.notes = list(book["notes"])
        self.app = self._application_columns(applicants)
        self.rules = self._warning_sql()
        # per-loan trackers
        self.ever_m1 = np.zeros(n, dtype=bool)
        self.ever_m3 = np.zeros(n, dtype=bool)
        self.first_behind = np.zeros(n, dtype=np.int64)      # month a loan first falls behind (0: never)
        self.first_warning = {code: np.zeros(n, dtype=np.int64) for code in self.rules}
        self.warned_current = {code: np.zeros(n, dtype=np.int64) for code in self.rules}  # first firing while current
        self.warning_months = dict.fromkeys(self.rules, 0)
        self.active_months = 0
        self.vintage: list[VintagePoint] = []
        labels = ["current"] + [b.id for b in self.buckets]
        self.roll_from = labels
        self.roll_to = labels + ["written_off", "prepaid", "paid_off"]
        self.roll = np.zeros((len(self.roll_from), len(self.roll_to)), dtype=np.int64)
        self.actions = [a for a in pl.collection]
        self.collections: list[CollectionMonth] = []

    def close(self):
        self.con.close()

    # inputs -----------------------------------------------------------------------------------------------
    def _application_columns(self, applicants) -> dict[str, np.ndarray]:
        needed = warning_fields(self.checked)
        if not needed:
            return {}
        if applicants is None or any(name not in applicants.column_names for name in needed):
            self.notes.append("early warnings that read application fields are not evaluated: the applicants' "
                              "fields were not given (" + ", ".join(needed) + ")")
            return {}
        rows = self.book["rows"]
        return {name: applicants[name].take(pa.array(rows)) for name in needed}

    def _warning_sql(self) -> dict[str, str]:
        from sqlglot import exp

        from generators.sql.emitter import to_sql_tree

        out = {}
        for rule in self.checked.early_warning:
            if any(n not in self._monitored_names() and n not in self.app for n in rule.expr.names):
                continue
            tree = exp.func("COALESCE", to_sql_tree(rule.expr), exp.false())
            out[rule.item.code] = tree.sql(dialect="duckdb")
        return out

    def _monitored_names(self) -> set[str]:
        return {p.name for p in self.plans} | ({self.dpd_field} if self.dpd_field else set())

    # one month ---------------------------------------------------------------------------------------------
    def _bucket_index(self, dpd: np.ndarray) -> np.ndarray:
        """0 for current, else 1 + the index of the spec's bucket holding the days past due."""
        out = np.zeros(len(dpd), dtype=np.int64)
        for i, b in enumerate(self.buckets):
            inside = dpd >= b.min_days
            if b.max_days is not None:
                inside &= dpd <= b.max_days
            out[inside] = i + 1
        return out

    def month(self, t: int) -> None:
        p, book = self.paths, self.book
        status, prev_status = p.status[t], p.status[t - 1]
        k, prev_k = p.k[t], p.k[t - 1]
        dpd, prev_dpd = p.dpd(t), p.dpd(t - 1)
        was_active = prev_status == perf.ACTIVE
        active = status == perf.ACTIVE
        behind = active & (k > 0)
        newly_behind = behind & (prev_k == 0) & was_active
        self.first_behind[(self.first_behind == 0) & newly_behind] = t
        self.ever_m1 |= behind
        self.ever_m3 |= (k >= perf.M3PLUS_K) & ((status == perf.ACTIVE) | (status == perf.WRITTEN_OFF))
        # roll matrix: where each loan on the book last month end is now
        src = self._bucket_index(np.where(was_active, prev_dpd, 0))
        dest = self._bucket_index(np.where(active, dpd, 0))
        dest = np.where(status == perf.WRITTEN_OFF, len(self.roll_from),
                        np.where(status == perf.PREPAID, len(self.roll_from) + 1,
                                 np.where(status == perf.PAID_OFF, len(self.roll_from) + 2, dest)))
        moved = was_active
        np.add.at(self.roll, (src[moved], dest[moved]), 1)
        # monitoring fields and early warnings over the loans on the book
        self._warnings(t, active, k, dpd)
        # collections: a step fires when days past due first reach its day in a delinquency
        counts: dict[str, int] = {}
        start = np.where(was_active & (prev_k > 0), prev_dpd, 0)
        end = np.where(active | ((status == perf.WRITTEN_OFF) & was_active), dpd, 0)
        for a in self.actions:
            fired = int(np.count_nonzero((start < a.day) & (end >= a.day)))
            counts[a.action.value] = counts.get(a.action.value, 0) + fired
        newly_written = (status == perf.WRITTEN_OFF) & was_active
        if not any(a.action.value == "write_off" for a in self.actions):
            counts["write_off"] = counts.get("write_off", 0) + int(newly_written.sum())
        self.collections.append(CollectionMonth(t, counts, int(behind.sum())))
        # the book at the month end
        paid = p.paid(t)
        balance = perf.balance_after(book["amount"], book["apr"], p.terms, paid, self.repayment)
        on_book = np.where(active, balance, 0.0)
        outstanding = float(on_book.sum())
        npl = float(on_book[active & (k >= perf.M3PLUS_K)].sum())
        amount = float(book["amount"].sum())
        bands = {}
        for band in sorted(set(book["band"])):
            at = book["band"] == band
            bands[band] = float(self.ever_m3[at].mean()) if at.any() else 0.0
        n = max(self.n, 1)
        self.vintage.append(VintagePoint(
            month=t, ever_m1_rate=float(self.ever_m1.sum() / n), ever_m3plus_rate=float(self.ever_m3.sum() / n),
            ever_m3plus_amount_rate=float(book["amount"][self.ever_m3].sum() / amount) if amount else 0.0,
            written_off_rate=float((status == perf.WRITTEN_OFF).sum() / n), active=int(active.sum()),
            outstanding=round(outstanding, 2), npl_ratio=npl / outstanding if outstanding else None, by_band=bands))

    def _warnings(self, t: int, active: np.ndarray, k: np.ndarray, dpd: np.ndarray) -> None:
        if not self.rules:
            return
        at = np.flatnonzero(active)
        self.active_months += len(at)
        if not len(at):
            return
        columns = {}
        if self.dpd_field:
            columns[self.dpd_field] = pa.array(dpd[at].astype(np.int64))
        for plan in self.plans:
            values, _ = perf.monitoring_values(plan, self.paths, t, self.risk, self.seed)
            columns[plan.name] = pa.array(values[at].tolist() if plan.kind == "category" else values[at])
        for name, values in self.app.items():
            columns[name] = values.take(pa.array(at))
        table = pa.table(columns)
        select = ", ".join(f"{sql} AS w{i}" for i, sql in enumerate(self.rules.values()))
        self.con.register("monitoring", table)
        try:
            hits = self.con.sql(f"SELECT {select} FROM monitoring").fetchnumpy()
        finally:
            self.con.unregister("monitoring")
        current = k[at] == 0
        for i, code in enumerate(self.rules):
            fired = np.asarray(hits[f"w{i}"], dtype=bool)
            self.warning_months[code] += int(fired.sum())
            rows = at[fired]
            first = self.first_warning[code]
            first[rows[first[rows] == 0]] = t
            cur = at[fired & current]
            wc = self.warned_current[code]
            wc[cur[wc[cur] == 0]] = t

    # figures ---------------------------------------------------------------------------------------------
    def report(self) -> PostLoanReport:
        book, n = self.book, self.n
        months = self.paths.months
        roll_rows = []
        for i, label in enumerate(self.roll_from):
            total = int(self.roll[i].sum())
            to = {dest: int(self.roll[i, j]) for j, dest in enumerate(self.roll_to)}
            roll_rows.append(RollRow(label, total, to, {d: (c / total if total else 0.0) for d, c in to.items()}))
        warnings = [self._warning_row(rule) for rule in self.checked.early_warning]
        totals: dict[str, int] = {}
        for m in self.collections:
            for kind, c in m.actions.items():
                totals[kind] = totals.get(kind, 0) + c
        terms = {str(t): int((book["terms"] == t).sum()) for t in sorted(set(book["terms"].tolist()))}
        written = self.paths.status[months] == perf.WRITTEN_OFF
        written_amount = 0.0
        if written.any():
            last_paid = np.zeros(n, dtype=np.int64)
            for t in range(1, months + 1):  # principal outstanding when written off
                newly = (self.paths.status[t] == perf.WRITTEN_OFF) & (self.paths.status[t - 1] == perf.ACTIVE)
                last_paid[newly] = self.paths.paid(t)[newly]
            written_amount = float(perf.balance_after(book["amount"], book["apr"], self.paths.terms, last_paid,
                                                      self.repayment)[written].sum())

        def at(month, key):
            return getattr(self.vintage[month - 1], key) if months >= month else None

        return PostLoanReport(
            product_id=self.spec.product.id, months=months, seed=self.seed, loans=n,
            amount=round(float(book["amount"].sum()), 2), pd_basis=book["basis"],
            mean_pd_12m=float(book["pd"].mean()) if n else None, repayment=self.repayment, terms=terms,
            vintage=self.vintage, roll_matrix=roll_rows, warnings=warnings, collections=self.collections,
            collection_totals=totals, m3plus_rate_12=at(12, "ever_m3plus_rate"),
            m3plus_rate_24=at(24, "ever_m3plus_rate"), npl_ratio_12=at(12, "npl_ratio"),
            npl_ratio_24=at(24, "npl_ratio"), written_off_amount=round(written_amount, 2), notes=self.notes)

    def _warning_row(self, rule) -> WarningRow:
        w = rule.item
        code = w.code
        if code not in self.rules:
            return WarningRow(code, w.name.zh, w.name.en, w.level.value, 0, 0.0, 0.0, None, None, None)
        n = max(self.n, 1)
        first, current_first, behind = self.first_warning[code], self.warned_current[code], self.first_behind
        hit = first > 0
        warned = current_first > 0
        borne = warned & (behind > current_first) & (behind - current_first <= WARNING_WINDOW)
        fell = behind > 0
        ahead = fell & warned & (current_first < behind) & (behind - current_first <= WARNING_WINDOW)
        leads = (behind - current_first)[fell & warned & (current_first < behind)]
        return WarningRow(
            code, w.name.zh, w.name.en, w.level.value, loans_hit=int(hit.sum()), hit_rate=float(hit.sum() / n),
            month_hit_rate=self.warning_months[code] / self.active_months if self.active_months else 0.0,
            precision=float(borne.sum() / warned.sum()) if warned.any() else None,
            coverage=float(ahead.sum() / fell.sum()) if fell.any() else None,
            median_lead_months=float(np.median(leads)) if len(leads) else None)
