"""Compile a CheckedSpec into one SQL query that decides every row of an applicants table.

The query is built as sqlglot expression trees (identifiers quoted, literals escaped by sqlglot) and
rendered for DuckDB or Spark. It returns, per applicant, the declared fields, any `keep` columns and
the outputs `decision, segment, score, band, reasons (list of codes), limit, apr, channel`, with the
semantics of docs/decision.md, the same as the Python module's `decide`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from generators.sql.emitter import SqlEmitter, column, sql_number
from product_specs import CheckedSpec
from product_specs.checked import CHANNEL_REFUSED, PD_LOG_ODDS_BOUND, points_name
from product_specs.rules import CheckedExpr
from product_specs.sections import FieldType

__all__ = ["decision_query", "decision_sql", "input_problems", "output_columns", "OUTPUT_COLUMNS", "SECOND_COLUMNS",
           "BINARY_SEARCH_MIN_BINS"]

OUTPUT_COLUMNS = ("decision", "segment", "score", "band", "pd", "reasons", "limit", "apr")
SECOND_COLUMNS = ("second_score", "second_grade")
"""Output columns a product with a second scorecard adds after OUTPUT_COLUMNS."""
_OWN_NAMES = set(OUTPUT_COLUMNS + SECOND_COLUMNS)  # and every name starting ls_ (the query's working columns)
BINARY_SEARCH_MIN_BINS = 8  # characteristics with more bins compile to a balanced CASE tree
REASON_GROUP = 32  # reason codes are listed in groups of this many, each built only where one of them holds
_CAST = {FieldType.INTEGER: exp.DataType.Type.BIGINT, FieldType.NUMBER: exp.DataType.Type.DOUBLE,
         FieldType.BOOLEAN: exp.DataType.Type.BOOLEAN, FieldType.CATEGORY: exp.DataType.Type.VARCHAR}


def _s(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def _case(pairs, default) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=cond, true=value) for cond, value in pairs], default=default)


def _code_if(cond: exp.Expression, code: str) -> exp.Expression:
    """`code` where `cond` is true, else null."""
    return exp.Case(ifs=[exp.If(this=cond, true=_s(code))])


def _reason_text(pairs: list[tuple[exp.Expression, str]], slots: list[exp.Expression],
                 lead: list[exp.Expression] = ()) -> exp.Expression:
    """The codes of `pairs` whose condition holds, then the non-null `slots`, in order, joined by commas (a
    code has none): one string per row, which CONCAT_WS builds skipping nulls, instead of a list per rule.

    A product of hundreds of rules would join hundreds of items per row, nearly all null; so beyond
    REASON_GROUP the pairs are taken in groups, and a group's text is built only on the rows where one of
    its conditions holds (one OR of booleans otherwise)."""
    items = [_code_if(c, code) for c, code in pairs]
    if len(pairs) > REASON_GROUP:
        items = []
        for start in range(0, len(pairs), REASON_GROUP):
            group = pairs[start:start + REASON_GROUP]
            # coalesce: CONCAT_WS skips nulls in DuckDB and Spark (sqlglot would guard for engines that do not)
            text = exp.ConcatWs(expressions=[_s(",")] + [_code_if(c.copy(), code) for c, code in group],
                                coalesce=True)
            items.append(exp.Case(ifs=[exp.If(this=exp.or_(*[exp.paren(c.copy(), copy=False) for c, _ in group]),
                                              true=text)]))
    items = list(lead) + items + slots
    return exp.ConcatWs(expressions=[_s(",")] + items, coalesce=True) if items else _s("")


def _bound(value: exp.Expression, bound) -> exp.Expression:
    """A bin bound compared with `value`: a whole number against an integer column stays an integer (the
    column is then not cast per row, and the test is exact); anything else a DOUBLE."""
    if isinstance(value, exp.Cast) and value.to.this == exp.DataType.Type.BIGINT \
            and bound == bound.to_integral_value() and abs(bound) < 2**53:
        return exp.Literal.number(int(bound))
    return sql_number(bound)


class _QueryBuilder:
    def __init__(self, checked: CheckedSpec, source: str, keep: Sequence[str]):
        self.c = checked
        self.spec = checked.spec
        self.source = source
        self.keep = self._keep(keep)
        self.names: dict[str, exp.Expression] = {}
        for f in self.spec.fields:
            if f.type in _CAST:
                self.names[f.name] = exp.cast(column(f.name), _CAST[f.type])
        self.ctes: list[tuple[str, exp.Select]] = []

    def _keep(self, keep: Sequence[str]) -> list[str]:
        """The extra columns to pass through. Fields pass anyway; a name the query already has (an output,
        a working `ls_` column, a field or another kept column in other letter case: SQL names ignore case)
        is refused."""
        fields = {f.name for f in self.spec.fields}
        taken = {n.lower() for n in fields} | _OWN_NAMES
        out, clash = [], []
        for k in dict.fromkeys(keep):
            if k in fields:
                continue
            if k.lower() in taken or k.lower().startswith("ls_"):
                clash.append(k)
            else:
                out.append(k)
                taken.add(k.lower())
        if clash:
            raise ValueError(f"cannot keep column(s) {', '.join(clash)}: the decision query already has a column "
                             "of that name (SQL names ignore case); rename them in the source")
        return out

    def sql(self, checked: CheckedExpr) -> exp.Expression:
        return SqlEmitter(checked, self.names).emit()

    def cond(self, checked: CheckedExpr) -> exp.Expression:
        """A condition that counts as a hit only when true. Null is not a hit without a guard: every
        condition is read only by CASE WHEN, directly or through AND/OR, where null is not true."""
        return exp.paren(self.sql(checked), copy=False)

    def stage(self, name: str, columns: list[tuple[str, exp.Expression]], drop: frozenset[str] = frozenset()) -> None:
        """A CTE adding `columns` to the previous one's; `drop` names columns not carried further (listed
        instead of *, so that later stages do not carry them)."""
        previous = self.ctes[-1][0]
        carried = [exp.Star()] if not drop else [column(n) for n in self.columns if n not in drop]
        select = exp.select(*carried, *[exp.alias_(e, n, quoted=True) for n, e in columns]).from_(
            exp.to_table(previous, quoted=True), copy=False)
        self.ctes.append((name, select))
        self.columns = [n for n in self.columns if n not in drop] + [n for n, _ in columns]

    def build(self) -> exp.Select:
        self.inputs()
        self.derived()
        self.rules()
        self.score()
        self.outcome()
        self.limit()
        return self.final()

    def inputs(self) -> None:
        """Read only the declared fields and the kept columns: any other source column, even one named
        like an output (a `score` from an earlier run), stays out of the computation."""
        names = [f.name for f in self.spec.fields] + self.keep
        select = exp.select(*[column(n) for n in names]).from_(exp.to_table(self.source), copy=False)
        self.ctes.append(("ls_input", select))
        self.columns = list(names)

    def derived(self) -> None:
        for name, checked in self.c.derived:
            col = f"ls_d_{name}"
            self.stage(f"ls_derived_{name}", [(col, self.sql(checked))])
            self.names[name] = column(col)

    def rules(self) -> None:
        spec, c = self.spec, self.c
        channel = self.names[spec.product.channel_field]
        cols: list[tuple[str, exp.Expression]] = []
        decline_hits, refer_hits, codes = [], [], []
        for r in c.admission:
            cols.append((f"ls_hit_{r.item.code}", self.cond(r.expr)))
        for channel_id, rules in c.channel_rules.items():
            for r in rules:
                gate = exp.and_(exp.EQ(this=channel.copy(), expression=_s(channel_id)), self.cond(r.expr))
                cols.append((f"ls_hit_{r.item.code}", gate))
        rules = list(c.admission) + [r for rules in c.channel_rules.values() for r in rules]
        for r in rules:
            hit = column(f"ls_hit_{r.item.code}")
            (decline_hits if r.item.action.value == "decline" else refer_hits).append(hit)
            codes.append((hit.copy(), r.item.code))
        segments = [(self.cond(s.expr), _s(s.item.id)) for s in c.segments if s.expr is not None]
        cols.append(("segment", _case(segments, _s(c.segments[-1].item.id)) if segments
                     else _s(c.segments[-1].item.id)))
        for t in c.triggers:
            cols.append((f"ls_hit_{t.item.code}", self.cond(t.expr)))
        for a in c.adjustments:
            cols.append((f"ls_adj_{a.item.id}", self.cond(a.expr)))
        self.stage("ls_rules", cols)
        # the rules' hits summed up at once: whether one declines, one refers, and the codes of those that hit
        # (a text built only where one hits: a declined or referred row). Later stages carry these three
        # columns, not one per rule (a product of 1,000 rules would carry 1,000 through every stage).
        hit = exp.or_(*[exp.paren(h.copy(), copy=False) for h, _ in codes]) if codes else exp.false()
        summary = [("ls_declined_rules", exp.or_(*decline_hits) if decline_hits else exp.false()),
                   ("ls_referred_rules", exp.or_(*refer_hits) if refer_hits else exp.false()),
                   ("ls_rule_codes", exp.Case(ifs=[exp.If(this=hit, true=_reason_text(codes, []))]))]
        self.stage("ls_hits", summary, drop=frozenset(f"ls_hit_{r.item.code}" for r in rules))
        # channel restrictions: a channel that lists segments declines the others (CHANNEL_REFUSED)
        restricted = [(exp.and_(exp.EQ(this=channel.copy(), expression=_s(ch.id)),
                                exp.Not(this=exp.In(this=column("segment"), expressions=[_s(s) for s in ch.segments]))),
                       exp.true()) for ch in spec.channels if ch.segments]
        self.stage("ls_channel", [("ls_ch01", _case(restricted, exp.false()) if restricted else exp.false())])

    def score(self) -> None:
        card = self.spec.scorecard
        second = card.second
        self.reason_slots = self.c.score_reason_slots() if card.reasons_given else []
        if self.reason_slots:  # the points of each characteristic are needed again to rank the score reasons
            self.stage("ls_points", [(f"ls_{points_name(model, i)}", self._points(ch))
                                     for model, i, ch in card.all_characteristics()])

        def total(model: int, base: int, characteristics) -> exp.Expression:
            out: exp.Expression = exp.Literal.number(base)
            for i, ch in enumerate(characteristics):
                points = column(f"ls_{points_name(model, i)}") if self.reason_slots \
                    else exp.paren(self._points(ch), copy=False)
                out = exp.Add(this=out, expression=points)
            return out

        scores = [("score", total(1, card.base_points, card.characteristics))]
        if second is not None:
            scores.append(("second_score", total(2, second.base_points, second.characteristics)))
        self.stage("ls_score", scores + self._reason_ranks())
        bands = self.spec.decision.bands
        first = _case([(exp.GTE(this=column("score"), expression=exp.Literal.number(b.min_score)), _s(b.id))
                       for b in bands[:-1]], _s(bands[-1].id))
        if second is None:
            self.stage("ls_band", [("band", first), ("pd", self._pd())])
            return
        grades = second.grades
        grade = _case([(exp.GTE(this=column("second_score"), expression=exp.Literal.number(g.min_score)), _s(g.id))
                       for g in grades[:-1]], _s(grades[-1].id))
        self.stage("ls_grade", [("ls_first_band", first), ("second_grade", grade)])
        # the final band: the matrix's cell for the band of the first score (rows) and the grade of the second
        rows = [(exp.EQ(this=column("ls_first_band"), expression=_s(b.id)),
                 _case([(exp.EQ(this=column("second_grade"), expression=_s(g.id)), _s(second.matrix[b.id][g.id]))
                        for g in grades], exp.Null())) for b in bands]
        self.stage("ls_band", [("band", _case(rows, exp.Null())), ("pd", self._pd())])

    def _pd(self) -> exp.Expression:
        """PD = 1 / (1 + exp(-(intercept + slope x score [+ second slope x second score]))), the log-odds
        clamped as in the Python module."""
        mapping = self.c.pd_mapping()
        bound = sql_number(PD_LOG_ODDS_BOUND)
        log_odds = exp.Add(this=sql_number(mapping.intercept), expression=exp.Mul(
            this=sql_number(mapping.slope), expression=column("score")))
        if self.spec.scorecard.second is not None:
            log_odds = exp.Add(this=log_odds, expression=exp.Mul(
                this=sql_number(mapping.second_slope), expression=column("second_score")))
        clamped = _case([(exp.LT(this=log_odds.copy(), expression=exp.Neg(this=bound.copy())), exp.Neg(this=bound.copy())),
                         (exp.GT(this=log_odds.copy(), expression=bound.copy()), bound.copy())], log_odds)
        one = sql_number(1)
        return exp.Div(this=one, expression=exp.paren(exp.Add(
            this=one.copy(), expression=exp.Exp(this=exp.Neg(this=exp.paren(clamped, copy=False)))), copy=False))

    def _reason_ranks(self) -> list[tuple[str, exp.Expression]]:
        """Per coded characteristic: points lost (its best points minus the applicant's) and its rank among
        them (1 = most lost; ties in scorecard order), as the Python module sorts them."""
        lost = {i: exp.Sub(this=exp.Literal.number(best), expression=column(f"ls_{name}"))
                for i, name, _, best in self.reason_slots}
        out = []
        for i, _, _, _ in self.reason_slots:
            rank: exp.Expression = exp.Literal.number(1)
            for j, _, _, _ in self.reason_slots:
                if j == i:
                    continue
                ahead = exp.GT(this=lost[j].copy(), expression=lost[i].copy())
                if j < i:
                    ahead = exp.or_(ahead, exp.EQ(this=lost[j].copy(), expression=lost[i].copy()))
                rank = exp.Add(this=rank, expression=_case([(ahead, exp.Literal.number(1))], exp.Literal.number(0)))
            out += [(f"ls_lost{i}", lost[i].copy()), (f"ls_rank{i}", rank)]
        return out

    def _points(self, ch) -> exp.Expression:
        value = self.names[ch.field].copy()
        symbol = self.c.scope[ch.field]
        missing = exp.Literal.number(ch.missing_points)
        if symbol.categories is not None:
            pairs = [(exp.In(this=value.copy(), expressions=[_s(v) for v in b.values]), exp.Literal.number(b.points))
                     for b in ch.bins]
            body = _case(pairs, missing.copy())
        else:
            body = self._bin_tree(value, ch.bins)
        return _case([(exp.Is(this=value.copy(), expression=exp.Null()), missing)], body)

    def _bin_tree(self, value: exp.Expression, bins) -> exp.Expression:
        """Points of the bin holding `value`: a CASE chain, or a balanced CASE tree for many bins."""
        if len(bins) == 1:
            return exp.Literal.number(bins[0].points)
        if len(bins) <= BINARY_SEARCH_MIN_BINS:
            pairs = [(exp.LT(this=value.copy(), expression=_bound(value, b.upper)), exp.Literal.number(b.points))
                     for b in bins[:-1]]
            return _case(pairs, exp.Literal.number(bins[-1].points))
        mid = len(bins) // 2
        cond = exp.LT(this=value.copy(), expression=_bound(value, bins[mid - 1].upper))
        return _case([(cond, self._bin_tree(value, bins[:mid]))], self._bin_tree(value, bins[mid:]))

    def outcome(self) -> None:
        spec, c = self.spec, self.c
        d = spec.decision
        cells = []
        for seg, row in d.matrix.items():
            inner = _case([(exp.EQ(this=column("band"), expression=_s(b)), _s(o.value)) for b, o in row.items()],
                          exp.Null())
            cells.append((exp.EQ(this=column("segment"), expression=_s(seg)), inner))
        self.stage("ls_matrix", [("ls_matrix", _case(cells, exp.Null()))])
        triggers = [column(f"ls_hit_{t.item.code}") for t in c.triggers]
        matrix = column("ls_matrix")
        declined = exp.or_(column("ls_declined_rules"), column("ls_ch01"))
        referred = exp.or_(*([column("ls_referred_rules")] + triggers
                             + [exp.EQ(this=matrix.copy(), expression=_s("refer"))]))
        pre = _case([(declined, _s("decline")), (referred, _s("refer"))], matrix.copy())
        self.stage("ls_pre", [("ls_pre", pre)])
        self.trigger_codes = [(column(f"ls_hit_{t.item.code}"), t.item.code) for t in c.triggers]

    def limit(self) -> None:
        spec, c = self.spec, self.c
        lim, p = spec.limits, spec.pricing
        amount = exp.Coalesce(this=self.sql(c.limit_amount), expressions=[sql_number(0)])
        band_mult = _case([(exp.EQ(this=column("band"), expression=_s(b.id)),
                            sql_number(lim.band_multipliers.get(b.id, 1))) for b in spec.decision.bands], sql_number(1))
        seg_mult = _case([(exp.EQ(this=column("segment"), expression=_s(s.id)),
                           sql_number(lim.segment_multipliers.get(s.id, 1))) for s in spec.segments], sql_number(1))
        raw = exp.Mul(this=exp.Mul(this=exp.paren(amount, copy=False), expression=band_mult),
                      expression=seg_mult)
        channel = self.names[spec.product.channel_field]
        caps = [(exp.EQ(this=channel.copy(), expression=_s(ch.id)),
                 sql_number(min(ch.limit_cap, lim.max) if ch.limit_cap is not None else lim.max))
                for ch in spec.channels]
        cap_terms = [_case(caps, sql_number(lim.max))]
        if lim.requested_field:
            cap_terms.append(self.names[lim.requested_field].copy())
        cap = exp.Least(this=cap_terms[0], expressions=cap_terms[1:], ignore_nulls=True) if len(cap_terms) > 1 \
            else cap_terms[0]
        self.stage("ls_amount", [("ls_amount", raw), ("ls_cap", cap)])
        # an infinite or undefined (NaN) amount lends nothing; NaN is not below infinity in DuckDB or Spark
        finite = exp.LT(this=exp.Abs(this=column("ls_amount")),
                        expression=exp.cast(exp.Literal.string("Infinity"), exp.DataType.Type.DOUBLE))
        self.stage("ls_raw", [("ls_raw", _case([(finite, column("ls_amount"))], sql_number(0)))])
        capped = exp.Least(this=column("ls_raw"), expressions=[column("ls_cap")], ignore_nulls=True)
        step = sql_number(lim.step)
        rounded = exp.Mul(this=exp.Floor(this=exp.Div(this=capped, expression=step)), expression=step.copy())
        self.stage("ls_limit", [("ls_limit", rounded)])
        below = exp.and_(exp.NEQ(this=column("ls_pre"), expression=_s("decline")),
                         exp.LT(this=column("ls_limit"), expression=sql_number(lim.min)))
        decision = _case([(below, _s("decline"))], column("ls_pre"))
        apr: exp.Expression = sql_number(p.base_apr)
        band_spread = _case([(exp.EQ(this=column("band"), expression=_s(b.id)),
                              sql_number(p.band_spreads.get(b.id, 0))) for b in spec.decision.bands], sql_number(0))
        seg_spread = _case([(exp.EQ(this=column("segment"), expression=_s(s.id)),
                             sql_number(p.segment_spreads.get(s.id, 0))) for s in spec.segments], sql_number(0))
        apr = exp.Add(this=exp.Add(this=apr, expression=band_spread), expression=seg_spread)
        for a in c.adjustments:
            apr = exp.Add(this=apr, expression=_case([(column(f"ls_adj_{a.item.id}"), sql_number(a.item.spread))],
                                                     sql_number(0)))
        clamped = exp.Greatest(this=sql_number(p.floor), expressions=[
            exp.Least(this=sql_number(p.cap), expressions=[apr], ignore_nulls=True)], ignore_nulls=True)
        self.stage("ls_final", [("ls_below_min", below), ("decision", decision)])
        declined = exp.EQ(this=column("decision"), expression=_s("decline"))
        self.outputs = [
            ("limit", _case([(declined, exp.Null())], column("ls_limit"))),
            ("apr", _case([(declined.copy(), exp.Null())],
                          exp.Round(this=clamped, decimals=exp.Literal.number(6)))),
        ]

    def final(self) -> exp.Select:
        spec, d = self.spec, self.spec.decision
        matrix = column("ls_matrix")
        codes = [(column("ls_ch01"), CHANNEL_REFUSED)] + list(self.trigger_codes)
        codes += [(exp.EQ(this=matrix.copy(), expression=_s("decline")), d.decline_code),
                  (exp.EQ(this=matrix.copy(), expression=_s("refer")), d.refer_code),
                  (column("ls_below_min"), spec.limits.below_min_code)]
        columns = [column(f.name) for f in spec.fields] + [column(k) for k in self.keep]
        outputs = [exp.alias_(column(n), n, quoted=True) for n in ("decision", "segment", "score", "band", "pd")]
        slots = self._score_reasons() if self.reason_slots else []
        # an approved applicant has no reason (every code declines or refers), so its text is not built
        approved = exp.EQ(this=column("decision"), expression=_s("approve"))
        self.stage("ls_reasons", [("ls_reasons", _case([(approved, _s(""))], _reason_text(codes, slots, [column("ls_rule_codes")])))])
        empty = exp.cast(exp.Array(expressions=[]), exp.DataType.build("ARRAY<VARCHAR>"))
        reasons = _case([(exp.EQ(this=column("ls_reasons"), expression=_s("")), empty)],
                        exp.Split(this=column("ls_reasons"), expression=_s(",")))
        outputs.append(exp.alias_(reasons, "reasons", quoted=True))
        outputs += [exp.alias_(e, n, quoted=True) for n, e in self.outputs]
        if spec.scorecard.second is not None:
            outputs += [exp.alias_(column(n), n, quoted=True) for n in SECOND_COLUMNS]
        select = exp.select(*columns, *outputs).from_(exp.to_table(self.ctes[-1][0], quoted=True), copy=False)
        for name, body in self.ctes:
            # copy=False: each CTE is attached once; copying the growing query every time was quadratic
            select = select.with_(exp.to_identifier(name, quoted=True), as_=body, copy=False)
        return select


    def _score_reasons(self) -> list[exp.Expression]:
        """One item per reason slot (1..max_reasons): the code of the characteristic ranked there, when the
        applicant is declined and lost points on it; else null."""
        declined = exp.EQ(this=column("decision"), expression=_s("decline"))
        slots = []
        for rank in range(1, self.spec.scorecard.reasons_given + 1):
            pairs = [(exp.and_(declined.copy(), exp.GT(this=column(f"ls_lost{i}"), expression=exp.Literal.number(0)),
                               exp.EQ(this=column(f"ls_rank{i}"), expression=exp.Literal.number(rank))),
                      _s(code)) for i, _, code, _ in self.reason_slots]
            slots.append(exp.Case(ifs=[exp.If(this=c, true=v) for c, v in pairs]))
        return slots


def output_columns(checked: CheckedSpec) -> tuple[str, ...]:
    """The decision columns the query adds after the input fields (and the kept columns)."""
    return OUTPUT_COLUMNS + (SECOND_COLUMNS if checked.spec.scorecard.second is not None else ())


def decision_query(checked: CheckedSpec, source: str = "applicants", keep: Sequence[str] = ()) -> exp.Select:
    """The decision query as a sqlglot tree. `source` is a table or view name (a quoted identifier,
    or a DuckDB table function such as read_parquet('x') built by the caller); `keep` names extra
    source columns passed through (e.g. outcome columns for a simulation)."""
    if not isinstance(checked, CheckedSpec):
        raise TypeError("decision_query needs a CheckedSpec: run check_spec() first")
    return _QueryBuilder(checked, source, keep).build()


def decision_sql(checked: CheckedSpec, dialect: str = "duckdb", source: str = "applicants",
                 keep: Sequence[str] = (), pretty: bool = True) -> str:
    """The decision query rendered for `dialect` (duckdb or spark; for Spark with DuckDB's rounding and
    floor semantics, `generators.sql.spark.for_spark`)."""
    tree = decision_query(checked, source, keep)
    if dialect == "spark":
        from generators.sql.spark import for_spark

        tree = for_spark(tree)
    return tree.sql(dialect=dialect, pretty=pretty)


_LARGEST_DOUBLE = 1.7976931348623157e308


def input_problems(checked: CheckedSpec) -> list[tuple[str, str, exp.Expression]]:
    """(field, problem, condition true on a row with that problem) for every check the Python module's
    `validate` makes: what the decision service refuses, a simulation must not decide either. Free-text
    fields (names, ID numbers) decide nothing and a simulation does not read them, so they are left out."""
    if not isinstance(checked, CheckedSpec):
        raise TypeError("input_problems needs a CheckedSpec: run check_spec() first")
    out = []
    for f in checked.input_constraints():
        if f.type is FieldType.STRING:
            continue
        col = column(f.field)
        present = exp.Not(this=exp.Is(this=col.copy(), expression=exp.Null()))
        if f.required:
            out.append((f.field, "required value is missing", exp.Is(this=col.copy(), expression=exp.Null())))
        if f.numeric:
            value = exp.TryCast(this=col.copy(), to=exp.DataType.build("DOUBLE"))
            low = sql_number(f.min) if f.min is not None else sql_number(-_LARGEST_DOUBLE)
            high = sql_number(f.max) if f.max is not None else sql_number(_LARGEST_DOUBLE)
            # NaN sorts above every number in DuckDB, so the range test refuses it too
            bad = exp.or_(exp.Is(this=value.copy(), expression=exp.Null()),
                          exp.Not(this=exp.Between(this=value.copy(), low=low, high=high)))
            if f.type is FieldType.INTEGER:
                bad = exp.or_(bad, exp.NEQ(this=value.copy(), expression=exp.Floor(this=value.copy())))
            what = "a whole number" if f.type is FieldType.INTEGER else "a number"
            out.append((f.field, f"not {what} within {f.min}..{f.max}", exp.and_(present, bad)))
        elif f.type is FieldType.CATEGORY:
            values = [_s(c) for c in f.categories]
            text = exp.cast(col.copy(), exp.DataType.Type.VARCHAR)
            out.append((f.field, "not one of: " + ", ".join(f.categories),
                        exp.and_(present, exp.Not(this=exp.In(this=text, expressions=values)))))
        elif f.type is FieldType.BOOLEAN:
            value = exp.TryCast(this=col.copy(), to=exp.DataType.build("BOOLEAN"))
            out.append((f.field, "not true or false",
                        exp.and_(present, exp.Is(this=value, expression=exp.Null()))))
    return out
