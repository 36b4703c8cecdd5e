"""Static checks of a product spec. `check_spec()` collects every finding and, when there is no error,
returns the CheckedSpec that generators and simulations require."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .checked import SYSTEM_REASONS, CheckedRule, CheckedSpec
from .errors import Finding, RuleError, Severity
from .io import LineMap, item_path
from .rules import BOOLEAN, NUMBER, CheckedExpr, Symbol, compile_rule, did_you_mean
from .sections import FieldType
from .spec import ProductSpec, spec_hash

__all__ = ["CheckReport", "check_spec", "PII_NAME"]

PII_NAME = re.compile(r"(id_number|id_card|identity|phone|mobile|applicant_name|full_name|^name$|address|email|"
                      r"bank_card|card_no|passport)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMERIC = (FieldType.INTEGER, FieldType.NUMBER)
_LARGEST = Decimal(10) ** 15  # amounts, rates and bounds: far inside the 2**53 a double holds exactly
# names of decision outputs: an input of the same name would be ambiguous in the simulation table
RESERVED = {"decision", "segment", "score", "band", "reasons", "limit", "apr", "trace", "product_id",
            "product_version", "spec_hash", "row_id"}


@dataclass
class CheckReport:
    """All findings of one check, and the CheckedSpec if there is no error."""

    findings: list[Finding]
    checked: CheckedSpec | None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


def _symbol(field) -> Symbol:
    kind = {FieldType.INTEGER: NUMBER, FieldType.NUMBER: NUMBER, FieldType.BOOLEAN: BOOLEAN,
            FieldType.CATEGORY: "string", FieldType.STRING: "text"}[field.type]
    categories = tuple(field.categories) if field.type is FieldType.CATEGORY and field.categories else None
    return Symbol(kind, not field.required, categories)


class _Checks:
    def __init__(self, spec: ProductSpec, lines: LineMap | None):
        self.spec = spec
        self.lines = lines or LineMap(None)
        self.findings: list[Finding] = []
        self.scope: dict[str, Symbol] = {}
        self.text_fields: set[str] = set()

    # reporting
    def add(self, severity: Severity, code: str, loc: tuple, path: str, message: str, hint: str = "",
            **extra) -> None:
        line, column = self.lines.find(loc)
        section = str(loc[0]) if loc else ""
        item = path.split("[", 1)[1].split("]", 1)[0] if "[" in path else ""
        attribute = str(loc[-1]) if len(loc) > 1 and isinstance(loc[-1], str) else ""
        self.findings.append(Finding(severity, code, path, message, hint, section, item, attribute, line, column,
                                     extra))

    def error(self, code, loc, path, message, hint="", **extra):
        self.add(Severity.ERROR, code, loc, path, message, hint, **extra)

    def warn(self, code, loc, path, message, hint="", **extra):
        self.add(Severity.WARNING, code, loc, path, message, hint, **extra)

    def rule(self, text: str, loc: tuple, path: str, want: str | None, scope=None) -> CheckedExpr | None:
        scope = self.scope if scope is None else scope
        try:
            return compile_rule(text, scope, want)
        except RuleError as err:
            message, hint = err.message, err.hint
            name = message.split("'")[1] if message.startswith("unknown field") else None
            if name in self.text_fields:
                message, hint = f"free-text field {name!r} cannot be used in rules", "use a category field"
            self.error("rule", loc, path, message, hint, rule_column=err.position + 1, rule=text)
            return None

    def unique(self, items, key: str, section: str, what: str) -> None:
        seen = set()
        for i, item in enumerate(items):
            value = getattr(item, key)
            if value in seen:
                self.error("duplicate", (*section.split("."), i, key), f"{section}[{value}]", f"duplicate {what} {value!r}",
                           f"every {what} must be unique")
            seen.add(value)

    # sections
    def numbers(self) -> None:
        """Every number in the spec must be finite and within the range a double holds exactly enough."""
        def walk(value, loc: tuple) -> None:
            if isinstance(value, Decimal):
                if not value.is_finite() or abs(value) > _LARGEST:
                    path = item_path(data, loc)
                    self.error("number", loc, path, f"{value} is not a usable number",
                               f"numbers in a spec lie between -{_LARGEST:,} and {_LARGEST:,}")
            elif isinstance(value, dict):
                for key, item in value.items():
                    walk(item, loc + (key,))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    walk(item, loc + (i,))

        data = self.spec.model_dump(mode="python")
        walk(data, ())

    def run(self) -> CheckReport:
        self.numbers()
        if self.findings:
            return CheckReport(self.findings, None)
        self.fields()
        derived = self.derived()
        segments = self.segments()
        admission = self.admission_rules(self.spec.admission, ("admission",), "admission")
        self.scorecard()
        triggers = self.decision()
        adjustments = self.pricing()
        amount = self.limits()
        channel_rules = self.channels()
        early = self.post_loan()
        self.workflow()
        self.risk_appetite()
        self.reason_codes()
        self.tests()
        checked = None
        if not any(f.severity is Severity.ERROR for f in self.findings):
            checked = CheckedSpec(
                spec=self.spec, spec_hash=spec_hash(self.spec), scope=dict(self.scope), derived=tuple(derived),
                segments=tuple(segments), admission=tuple(admission), channel_rules=channel_rules,
                triggers=tuple(triggers), adjustments=tuple(adjustments), limit_amount=amount,
                early_warning=tuple(early),
                warnings=tuple(f for f in self.findings if f.severity is Severity.WARNING), _token=_TOKEN)
        return CheckReport(self.findings, checked)

    def fields(self) -> None:
        spec = self.spec
        self.unique(spec.fields, "name", "fields", "field name")
        for i, f in enumerate(spec.fields):
            path, loc = f"fields[{f.name}]", ("fields", i)
            if f.name in RESERVED or f.name.startswith("ls_"):
                self.error("reserved", loc + ("name",), path + ".name", f"{f.name!r} is the name of a decision output",
                           "rename the field")
            if f.type in _NUMERIC:
                if f.min is None or f.max is None:
                    self.warn("range", loc, path, "numeric field without a min and max",
                              "give the range the data can take; inputs outside it are refused")
                elif f.min > f.max:
                    self.error("range", loc + ("min",), path + ".min", f"min {f.min} is above max {f.max}")
                if f.categories:
                    self.error("categories", loc + ("categories",), path + ".categories",
                               "only category fields have categories")
            elif f.type is FieldType.CATEGORY:
                if not f.categories:
                    self.error("categories", loc, path, "category field without categories", "list them")
                elif len(set(f.categories)) != len(f.categories):
                    self.error("categories", loc + ("categories",), path + ".categories", "duplicate category")
            elif f.min is not None or f.max is not None:
                self.error("range", loc, path, f"a {f.type.value} field has no min or max")
            # raw personal data is text; counts and flags derived from it (phone_shared_count) are not
            if PII_NAME.search(f.name) and not f.pii and f.type in (FieldType.STRING, FieldType.CATEGORY):
                self.warn("pii", loc + ("pii",), path + ".pii", f"{f.name!r} looks like personal data",
                          "mark it pii: true so it is masked in logs and reports")
            if f.pii and f.type is not FieldType.STRING:
                self.warn("pii", loc + ("pii",), path + ".pii", "personal data used as a rule input",
                          "decide on derived flags (e.g. phone_shared_count), not on the raw value")
            if f.type is FieldType.STRING:
                self.text_fields.add(f.name)
            else:
                self.scope[f.name] = _symbol(f)
        fields = spec.field_map()
        channel_field = fields.get(spec.product.channel_field)
        if channel_field is None or channel_field.type is not FieldType.CATEGORY:
            self.error("channel_field", ("product", "channel_field"), "product.channel_field",
                       f"channel field {spec.product.channel_field!r} must be a category field of the data dictionary",
                       did_you_mean(spec.product.channel_field, fields))
        else:
            if not channel_field.required:
                self.error("channel_field", ("fields", spec.fields.index(channel_field), "required"),
                           f"fields[{channel_field.name}].required",
                           "the channel field must be required: every application comes through a channel",
                           "set required: true")
            ids = [c.id for c in spec.channels]
            for cat in channel_field.categories or []:
                if cat not in ids:
                    self.error("channel", ("channels",), "channels",
                               f"channel {cat!r} of field {channel_field.name!r} has no channel definition",
                               "add it to channels or remove the category")
            for i, cid in enumerate(ids):
                if cid not in (channel_field.categories or []):
                    self.error("channel", ("channels", i, "id"), f"channels[{cid}]",
                               f"channel {cid!r} is not a category of field {channel_field.name!r}")
        if spec.product.apr_cap <= 0:
            self.error("apr_cap", ("product", "apr_cap"), "product.apr_cap", "the APR cap must be above zero")

    def derived(self) -> list[tuple[str, CheckedExpr]]:
        out = []
        for i, d in enumerate(self.spec.derived):
            path, loc = f"derived[{d.name}]", ("derived", i, "expr")
            if d.name in self.scope or d.name in self.text_fields:
                self.error("duplicate", ("derived", i, "name"), path, f"{d.name!r} is already a field or feature")
                continue
            checked = self.rule(d.expr, loc, path + ".expr", None)
            if checked is None:
                continue
            if checked.type not in (NUMBER, BOOLEAN):
                self.error("type", loc, path + ".expr", f"a derived feature must be a number or a condition, "
                           f"not a {checked.type}")
                continue
            self.scope[d.name] = Symbol(checked.type, checked.nullable, None, derived=True)
            out.append((d.name, checked))
        return out

    def segments(self) -> list[CheckedRule]:
        segs = self.spec.segments
        self.unique(segs, "id", "segments", "segment id")
        out = []
        for i, s in enumerate(segs):
            path, loc = f"segments[{s.id}]", ("segments", i, "when")
            last = i == len(segs) - 1
            if s.when is None:
                if not last:
                    self.error("segment_order", ("segments", i), path,
                               "only the last segment may be a catch-all: the segments after it are unreachable",
                               "give it a condition or move it last")
                out.append(CheckedRule(s, None))
                continue
            checked = self.rule(s.when, loc, path + ".when", BOOLEAN)
            if last and s.when.strip().lower() != "true":
                self.error("catch_all", loc, path + ".when",
                           "the last segment must be a catch-all, so every applicant has a segment",
                           "leave its condition empty")
            out.append(CheckedRule(s, checked))
        return out

    def admission_rules(self, rules, loc0: tuple, prefix: str) -> list[CheckedRule]:
        out = []
        for i, r in enumerate(rules):
            path = f"{prefix}[{r.code}]"
            if not _CJK.search(r.reason.zh):
                self.warn("reason_text", loc0 + (i, "reason", "zh"), path + ".reason.zh",
                          "the Chinese reason has no Chinese text")
            checked = self.rule(r.when, loc0 + (i, "when"), path + ".when", BOOLEAN)
            if checked is not None and r.enabled:
                out.append(CheckedRule(r, checked))
        return out

    def scorecard(self) -> None:
        card = self.spec.scorecard
        fields = self.spec.field_map()
        derived = {d.name: d for d in self.spec.derived}
        seen = set()
        for i, ch in enumerate(card.characteristics):
            path, loc = f"scorecard.characteristics[{ch.field}]", ("scorecard", "characteristics", i)
            if ch.field in seen:
                self.error("duplicate", loc, path, f"{ch.field!r} is scored twice")
            seen.add(ch.field)
            symbol = self.scope.get(ch.field)
            if symbol is None:
                self.error("reference", loc + ("field",), path + ".field", f"unknown field {ch.field!r}",
                           did_you_mean(ch.field, self.scope))
                continue
            if symbol.type == NUMBER:
                source = fields.get(ch.field) or derived.get(ch.field)
                self._numeric_bins(ch, path, loc, source.min, source.max)
            elif symbol.categories is not None:
                self._category_bins(ch, path, loc, symbol.categories)
            else:
                self.error("type", loc + ("field",), path + ".field",
                           f"only numeric and category fields can be scored, not a {symbol.type}",
                           "score a derived number instead")

    def _numeric_bins(self, ch, path, loc, low, high) -> None:
        bins = ch.bins
        for j, b in enumerate(bins):
            bpath, bloc = f"{path}.bins[{j}]", loc + ("bins", j)
            if b.values is not None:
                self.error("bins", bloc, bpath, "a numeric characteristic has intervals, not values")
                return
            if b.lower is not None and b.upper is not None and b.lower >= b.upper:
                self.error("bins", bloc, bpath, f"empty interval [{b.lower}, {b.upper})", "lower must be below upper")
            if j > 0 and bins[j - 1].upper != b.lower:
                self.error("bins", bloc + ("lower",), bpath + ".lower",
                           f"bins are not contiguous: previous upper {bins[j - 1].upper}, this lower {b.lower}",
                           "each bin starts where the previous one ends")
        first, last = bins[0].lower, bins[-1].upper
        if first is not None and (low is None or first > low):
            self.error("bins", loc + ("bins", 0, "lower"), f"{path}.bins[0].lower",
                       f"values below {first} fall in no bin", "leave the first lower bound empty")
        if last is not None and (high is None or last <= high):
            self.error("bins", loc + ("bins", len(bins) - 1, "upper"), f"{path}.bins[{len(bins) - 1}].upper",
                       f"values from {last} up fall in no bin", "leave the last upper bound empty")

    def _category_bins(self, ch, path, loc, categories) -> None:
        covered: list[str] = []
        for j, b in enumerate(ch.bins):
            bpath, bloc = f"{path}.bins[{j}]", loc + ("bins", j)
            if b.values is None or b.lower is not None or b.upper is not None:
                self.error("bins", bloc, bpath, "a category characteristic has values, not intervals")
                return
            for value in b.values:
                if value not in categories:
                    self.error("bins", bloc + ("values",), bpath + ".values", f"unknown category {value!r}",
                               did_you_mean(value, categories))
                elif value in covered:
                    self.error("bins", bloc + ("values",), bpath + ".values", f"category {value!r} in two bins")
                covered.append(value)
        missing = [c for c in categories if c not in covered]
        if missing:
            self.error("bins", loc + ("bins",), path + ".bins", "categories in no bin: " + ", ".join(missing))

    def decision(self) -> list[CheckedRule]:
        dec = self.spec.decision
        self.unique(dec.bands, "id", "decision.bands", "band id")
        for j, band in enumerate(dec.bands):
            bloc, bpath = ("decision", "bands", j, "min_score"), f"decision.bands[{band.id}].min_score"
            last = j == len(dec.bands) - 1
            if last and band.min_score is not None:
                self.error("bands", bloc, bpath, "the last band catches every lower score",
                           "leave its min_score empty")
            if not last and band.min_score is None:
                self.error("bands", bloc, bpath, "only the last band may have no min_score")
            prev = dec.bands[j - 1].min_score if j else None
            if j and None not in (prev, band.min_score) and band.min_score >= prev:
                self.error("bands", bloc, bpath, f"bands must be ordered best first: {band.min_score} is not below "
                           f"{prev}")
        segs = [s.id for s in self.spec.segments]
        bands = [b.id for b in dec.bands]
        for seg in dec.matrix:
            if seg not in segs:
                self.error("matrix", ("decision", "matrix", seg), f"decision.matrix[{seg}]", f"unknown segment {seg!r}",
                           did_you_mean(seg, segs))
        for seg in segs:
            row = dec.matrix.get(seg)
            if row is None:
                self.error("matrix", ("decision", "matrix"), f"decision.matrix[{seg}]",
                           f"no row for segment {seg!r}", "every segment needs an outcome for every band")
                continue
            for band in row:
                if band not in bands:
                    self.error("matrix", ("decision", "matrix", seg, band), f"decision.matrix[{seg}][{band}]",
                               f"unknown band {band!r}", did_you_mean(band, bands))
            for band in bands:
                if band not in row:
                    self.error("matrix", ("decision", "matrix", seg), f"decision.matrix[{seg}][{band}]",
                               f"no outcome for segment {seg!r} in band {band!r}")
        out = []
        for i, t in enumerate(dec.review_triggers):
            checked = self.rule(t.when, ("decision", "review_triggers", i, "when"),
                                f"decision.review_triggers[{t.code}].when", BOOLEAN)
            if checked is not None:
                out.append(CheckedRule(t, checked))
        return out

    def _keys(self, mapping, known, loc, path, what) -> None:
        for key in mapping:
            if key not in known:
                self.error("reference", loc + (key,), f"{path}[{key}]", f"unknown {what} {key!r}",
                           did_you_mean(key, known))

    def pricing(self) -> list[CheckedRule]:
        p, cap = self.spec.pricing, self.spec.product.apr_cap
        bands = [b.id for b in self.spec.decision.bands]
        segs = [s.id for s in self.spec.segments]
        self._keys(p.band_spreads, bands, ("pricing", "band_spreads"), "pricing.band_spreads", "band")
        self._keys(p.segment_spreads, segs, ("pricing", "segment_spreads"), "pricing.segment_spreads", "segment")
        self.unique(p.adjustments, "id", "pricing.adjustments", "adjustment id")
        if p.floor > p.cap:
            self.error("pricing", ("pricing", "floor"), "pricing.floor", f"floor {p.floor} is above cap {p.cap}")
        if p.cap > cap:
            self.error("apr_cap", ("pricing", "cap"), "pricing.cap",
                       f"cap {p.cap} exceeds the regulatory APR cap {cap}", f"lower it to {cap} or below")
        out = []
        for i, adj in enumerate(p.adjustments):
            checked = self.rule(adj.when, ("pricing", "adjustments", i, "when"),
                                f"pricing.adjustments[{adj.id}].when", BOOLEAN)
            if checked is not None:
                out.append(CheckedRule(adj, checked))
        top = (p.base_apr + max([Decimal(0), *p.band_spreads.values()]) + max([Decimal(0), *p.segment_spreads.values()])
               + sum((a.spread for a in p.adjustments if a.spread > 0), Decimal(0)))
        if top > p.cap:
            self.warn("pricing", ("pricing",), "pricing",
                      f"base + spreads can reach {top}, above the cap {p.cap}; such applicants are priced at the cap",
                      "lower the spreads if the cap should not bind")
        return out

    def limits(self) -> CheckedExpr | None:
        lim = self.spec.limits
        bands = [b.id for b in self.spec.decision.bands]
        segs = [s.id for s in self.spec.segments]
        if lim.min <= 0:
            self.error("limits", ("limits", "min"), "limits.min", "the minimum limit must be above zero")
        if lim.min > lim.max:
            self.error("limits", ("limits", "min"), "limits.min", f"min {lim.min} is above max {lim.max}")
        self._keys(lim.band_multipliers, bands, ("limits", "band_multipliers"), "limits.band_multipliers", "band")
        self._keys(lim.segment_multipliers, segs, ("limits", "segment_multipliers"), "limits.segment_multipliers",
                   "segment")
        for name, mapping in (("band_multipliers", lim.band_multipliers), ("segment_multipliers",
                                                                              lim.segment_multipliers)):
            for key, value in mapping.items():
                if value < 0:
                    self.error("limits", ("limits", name, key), f"limits.{name}[{key}]", "multipliers cannot be negative")
        if lim.requested_field is not None:
            symbol = self.scope.get(lim.requested_field)
            if symbol is None or symbol.type != NUMBER or symbol.derived:
                self.error("reference", ("limits", "requested_field"), "limits.requested_field",
                           f"requested amount field {lim.requested_field!r} must be a numeric field",
                           did_you_mean(lim.requested_field, self.scope))
        return self.rule(lim.amount, ("limits", "amount"), "limits.amount", NUMBER)

    def channels(self) -> dict[str, tuple[CheckedRule, ...]]:
        chans = self.spec.channels
        self.unique(chans, "id", "channels", "channel id")
        segs = [s.id for s in self.spec.segments]
        out = {}
        for i, c in enumerate(chans):
            path = f"channels[{c.id}]"
            for seg in c.segments:
                if seg not in segs:
                    self.error("reference", ("channels", i, "segments"), path + ".segments", f"unknown segment {seg!r}",
                               did_you_mean(seg, segs))
            if c.limit_cap is not None and c.limit_cap < self.spec.limits.min:
                self.warn("limits", ("channels", i, "limit_cap"), path + ".limit_cap",
                          f"cap {c.limit_cap} is below the product minimum {self.spec.limits.min}: "
                          "this channel can never lend")
            out[c.id] = tuple(self.admission_rules(c.rules, ("channels", i, "rules"), path + ".rules"))
        return out

    def post_loan(self) -> list[CheckedRule]:
        pl = self.spec.post_loan
        scope = dict(self.scope)
        for i, f in enumerate(pl.monitoring_fields):
            if f.name in scope:
                self.error("duplicate", ("post_loan", "monitoring_fields", i, "name"),
                           f"post_loan.monitoring_fields[{f.name}]", f"{f.name!r} is already a field")
            elif f.type is not FieldType.STRING:
                scope[f.name] = _symbol(f)
        out = []
        for i, w in enumerate(pl.early_warning):
            checked = self.rule(w.when, ("post_loan", "early_warning", i, "when"),
                                f"post_loan.early_warning[{w.code}].when", BOOLEAN, scope)
            if checked is not None:
                out.append(CheckedRule(w, checked))
        buckets = pl.dpd_buckets
        self.unique(buckets, "id", "post_loan.dpd_buckets", "bucket id")
        for j, b in enumerate(buckets):
            loc, path = ("post_loan", "dpd_buckets", j), f"post_loan.dpd_buckets[{b.id}]"
            want = 1 if j == 0 else (buckets[j - 1].max_days or 0) + 1
            if b.min_days != want:
                kind = "overlap" if b.min_days < want else "gap"
                self.error("dpd", loc + ("min_days",), path + ".min_days",
                           f"buckets must be contiguous: expected min_days {want}, got {b.min_days} ({kind})")
            if b.max_days is not None and b.max_days < b.min_days:
                self.error("dpd", loc + ("max_days",), path + ".max_days", "max_days is below min_days")
            if b.max_days is None and j != len(buckets) - 1:
                self.error("dpd", loc + ("max_days",), path + ".max_days", "only the last bucket is open-ended")
        if buckets[-1].max_days is not None:
            self.warn("dpd", ("post_loan", "dpd_buckets"), "post_loan.dpd_buckets",
                      f"no bucket beyond {buckets[-1].max_days} days", "leave the last max_days empty")
        ids = {b.id: b for b in buckets}
        for k, action in enumerate(pl.collection):
            loc, path = ("post_loan", "collection", k), f"post_loan.collection[{k}]"
            bucket = ids.get(action.bucket)
            if bucket is None:
                self.error("reference", loc + ("bucket",), path + ".bucket", f"unknown bucket {action.bucket!r}",
                           did_you_mean(action.bucket, ids))
            elif action.day < bucket.min_days or (bucket.max_days is not None and action.day > bucket.max_days):
                self.error("dpd", loc + ("day",), path + ".day", f"day {action.day} is outside bucket {bucket.id}")
        return out

    def workflow(self) -> None:
        if self.spec.workflow is None:
            return
        stages = self.spec.workflow.stages
        self.unique(stages, "id", "workflow.stages", "stage id")
        ids = [s.id for s in stages]
        for i, s in enumerate(stages):
            for nxt in s.next:
                if nxt not in ids:
                    self.error("reference", ("workflow", "stages", i, "next"), f"workflow.stages[{s.id}].next",
                               f"unknown stage {nxt!r}", did_you_mean(nxt, ids))

    def risk_appetite(self) -> None:
        ra = self.spec.risk_appetite
        if None not in (ra.min_approval_rate, ra.max_approval_rate) and ra.min_approval_rate > ra.max_approval_rate:
            self.error("risk_appetite", ("risk_appetite", "min_approval_rate"), "risk_appetite.min_approval_rate",
                       "minimum approval rate is above the maximum")

    def reason_codes(self) -> None:
        spec = self.spec
        # codes fixed by the product come first, so a clash is reported on the list item a person wrote
        items = [("Loan Studio itself", None, code) for code in SYSTEM_REASONS]
        items += [("limits.below_min_code", ("limits", "below_min_code"), spec.limits.below_min_code),
                  ("decision.decline_code", ("decision", "decline_code"), spec.decision.decline_code),
                  ("decision.refer_code", ("decision", "refer_code"), spec.decision.refer_code)]
        items += [(f"admission[{r.code}]", ("admission", i, "code"), r.code) for i, r in enumerate(spec.admission)]
        for ci, c in enumerate(spec.channels):
            items += [(f"channels[{c.id}].rules[{r.code}]", ("channels", ci, "rules", j, "code"), r.code)
                      for j, r in enumerate(c.rules)]
        items += [(f"decision.review_triggers[{t.code}]", ("decision", "review_triggers", i, "code"), t.code)
                  for i, t in enumerate(spec.decision.review_triggers)]
        seen: dict[str, str] = {}
        for path, loc, code in items:
            if code in seen:
                self.error("duplicate", loc, path, f"reason code {code!r} is also used by {seen[code]}",
                           "reason codes must be unique")
            else:
                seen[code] = path
        self.reason_code_set = set(seen)

    def tests(self) -> None:
        names = set(self.scope) | self.text_fields
        segs = [s.id for s in self.spec.segments]
        bands = [b.id for b in self.spec.decision.bands]
        for i, t in enumerate(self.spec.tests):
            path = f"tests[{t.name}]"
            for key in t.applicant:
                if key not in names or self.scope.get(key, Symbol("", False)).derived:
                    self.error("reference", ("tests", i, "applicant", key), f"{path}.applicant.{key}",
                               f"unknown field {key!r}", did_you_mean(key, names))
            exp = t.expect
            if exp.segment is not None and exp.segment not in segs:
                self.error("reference", ("tests", i, "expect", "segment"), path + ".expect.segment",
                           f"unknown segment {exp.segment!r}", did_you_mean(exp.segment, segs))
            if exp.band is not None and exp.band not in bands:
                self.error("reference", ("tests", i, "expect", "band"), path + ".expect.band",
                           f"unknown band {exp.band!r}", did_you_mean(exp.band, bands))
            for code in exp.reasons or []:
                if code not in self.reason_code_set:
                    self.error("reference", ("tests", i, "expect", "reasons"), path + ".expect.reasons",
                               f"unknown reason code {code!r}", did_you_mean(code, self.reason_code_set))


_TOKEN = object()


def check_spec(spec: ProductSpec, lines: LineMap | None = None) -> CheckReport:
    """Run every static check; the report carries a CheckedSpec when no error was found."""
    return _Checks(spec, lines).run()
