"""The generated decision service with zen-engine deciding: dropped in as the service's `app/decision.py`
by bench/service_bench.py, beside the compiled module (renamed `app/compiled_decision.py`).

`decide(applicant, trace=False)` evaluates the product's JDM graph (bench/tax_sme_jdm.json) with zen-engine
and returns the compiled module's shape; with `trace=True` (the service asks for it only to rank the
scorecard reasons of a decline or referral) the compiled module answers, as zen gives no points per
characteristic.
"""

import json
import os

import zen
from app import compiled_decision as _compiled

PRODUCT_ID = _compiled.PRODUCT_ID
PRODUCT_VERSION = _compiled.PRODUCT_VERSION
SPEC_HASH = _compiled.SPEC_HASH
REASONS = _compiled.REASONS
InputError = _compiled.InputError
validate = _compiled.validate

with open(os.environ["BENCH_JDM"], encoding="utf-8") as _file:
    _ENGINE = zen.ZenEngine({"loader": {"type": "static", "content": {"product": json.load(_file)}}})
_ITEMS = {code: {"code": code, "action": action, "text_zh": zh, "text_en": en}
          for code, (action, zh, en) in REASONS.items()}


def decide(applicant, trace=False):
    if trace:
        return _compiled.decide(applicant, True)
    r = _ENGINE.evaluate("product", applicant)["result"]
    return {
        "decision": r["decision"], "segment": r["segment"], "score": r["score"], "band": r["band"],
        "reasons": [dict(_ITEMS[code]) for code in r["reasons"] if code in _ITEMS],
        "limit": r.get("limit"), "apr": r.get("apr"), "channel": applicant["channel"], "trace": [],
        "product_id": PRODUCT_ID, "product_version": PRODUCT_VERSION, "spec_hash": SPEC_HASH,
    }
