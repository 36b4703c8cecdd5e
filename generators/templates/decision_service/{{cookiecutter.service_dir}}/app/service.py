"""One decision, end to end: a validated applicant -> the compiled `decide` -> PD and ranked scorecard
reasons -> metrics -> the decision log. The routes only read, check and answer HTTP."""

from __future__ import annotations

import math
import os
import random
import time

from pydantic_core import to_json

from app import decision as compiled
from app.core.config import Settings
from app.core.decision_log import DecisionLog
from app.core.metrics import Metrics
from app.product import CHARACTERISTICS, PD_LOG_ODDS_BOUND, PII_FIELDS, PRODUCT, SCORE_REASONS_MAX

__all__ = ["DecisionService", "OUTCOMES", "encode", "DecisionInputError", "probability_of_default"]

OUTCOMES = ("approve", "refer", "decline")
_PD_INTERCEPT = PRODUCT["pd"]["intercept"]
_PD_SLOPE = PRODUCT["pd"]["slope"]
_PD_SECOND_SLOPE = PRODUCT["pd"]["second_slope"]


def probability_of_default(score: float, second_score: float = 0.0) -> float:
    """PD of a score (and of the second scorecard's, if the product has one): the product's calibration (or,
    without one, its declared scaling)."""
    x = _PD_INTERCEPT + _PD_SLOPE * score + _PD_SECOND_SLOPE * second_score
    x = -PD_LOG_ODDS_BOUND if x < -PD_LOG_ODDS_BOUND else PD_LOG_ODDS_BOUND if x > PD_LOG_ODDS_BOUND else x
    return 1.0 / (1.0 + math.exp(-x))


_IDS = random.Random()  # its own generator, seeded from the OS: no library's random.seed() can repeat ids
os.register_at_fork(after_in_child=_IDS.seed)  # and a forked worker draws its own


def _decision_id() -> str:
    """32 random hex digits. A generator seeded from the OS rather than uuid4: `os.urandom` is a system
    call per decision, measured at several hundred microseconds in sandboxed containers."""
    return f"{_IDS.getrandbits(128):032x}"


class DecisionInputError(ValueError):
    """The compiled decision refused a value the request model let through (`loc` without "body")."""

    def __init__(self, errors: list[dict]):
        super().__init__("invalid applicant")
        self.errors = errors


def encode(value) -> bytes:
    """Compact UTF-8 JSON (pydantic-core's encoder: a third of the standard library's time); a non-finite
    number (possible only inside a trace) becomes null."""
    return to_json(value, inf_nan_mode="null")


class DecisionService:
    """The decision, its metrics and its log, for one running instance."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.keys = settings.keys
        self.metrics = Metrics(OUTCOMES, tuple(compiled.REASONS))
        self.log = DecisionLog(settings.log_url, settings.log_queue_size, settings.log_batch_size, self.metrics,
                               PII_FIELDS)
        self._runs = 0

    def start(self) -> None:
        """Start the decision log writer (an app run twice at once, as some test clients do, shares it)."""
        self._runs += 1
        if self._runs == 1:
            self.log.start()

    def stop(self) -> None:
        """Drain and stop the writer once the last run of the app ends."""
        self._runs -= 1
        if self._runs == 0:
            self.log.stop(self.settings.log_drain_seconds)

    def problems(self) -> list[str]:
        """Why the instance should not take traffic (empty when ready)."""
        return self.log.problems()

    def decide(self, applicant: dict, trace: bool = False) -> tuple[dict, bytes]:
        """Decide one validated applicant, count it and queue it for the log: the answer and its JSON."""
        try:
            result = compiled.decide(applicant, trace)
        except compiled.InputError as err:
            raise DecisionInputError([{"loc": [e["field"]] if e["field"] else [], "msg": e["message"],
                                       "type": "value_error"} for e in err.errors]) from None
        out = {
            "decision_id": _decision_id(),
            "decision": result["decision"],
            "segment": result["segment"],
            "score": result["score"],
            "band": result["band"],
            "pd": result["pd"] if "pd" in result else probability_of_default(result["score"],
                                                                          result.get("second_score", 0.0)),
            "reasons": result["reasons"],
            "score_reasons": self.score_reasons(applicant, result, trace),
            "limit": result["limit"],
            "apr": result["apr"],
            "channel": result["channel"],
            "product_id": result["product_id"],
            "product_version": result["product_version"],
            "spec_hash": result["spec_hash"],
        }
        if "second_score" in result:  # a product with a second scorecard: its score and grade
            out["second_score"] = result["second_score"]
            out["second_grade"] = result["second_grade"]
        if trace:
            out["trace"] = result["trace"]
        answer = encode(out)
        self.metrics.count(out)
        self.log.append(time.time(), applicant, out, answer)
        return out, answer

    @staticmethod
    def score_reasons(applicant: dict, result: dict, traced: bool) -> list[dict]:
        """The scorecard characteristics that cost a declined or referred applicant most points, ranked.

        Each gives the points obtained, the most the characteristic can give, the difference and the
        characteristic's reason code (null when the spec gives it none); an approved applicant gets none.
        """
        if result["decision"] == "approve":
            return []
        steps = result["trace"] if traced else compiled.decide(applicant, True)["trace"]
        points = next(step["points"] for step in steps if step["step"] == "score")
        lost = []
        for order, (field, label_zh, label_en, best, code) in enumerate(CHARACTERISTICS):
            got = points[field]["points"]
            if got < best:
                lost.append((got - best, order, field, label_zh, label_en, got, best, code))
        lost.sort()
        return [{"field": field, "reason_code": code, "label_zh": zh, "label_en": en, "points": got,
                 "max_points": best, "points_lost": best - got}
                for _, _, field, zh, en, got, best, code in lost[:SCORE_REASONS_MAX]]
