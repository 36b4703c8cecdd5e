"""One translation table: every key in both languages, every key a page uses defined."""

import re
from pathlib import Path

from designer.i18n import LANGUAGES, TEXTS, t
from designer.learn import GLOSSARY, REFERENCE_PRODUCTS, STEPS
from designer.web.pages import PAGES
from product_specs.sections import (
    ChannelKind,
    Outcome,
    ProductKind,
    Repayment,
    Role,
    RuleAction,
    RuleCategory,
)
from product_specs.sections.post_loan import CollectionActionKind, WarningLevel

DESIGNER = Path(__file__).resolve().parents[2] / "designer"
USED = re.compile(r"""\btr\(\s*["']([a-z0-9_.]*[a-z0-9_])["']\s*[,)]""")


def test_every_key_has_both_languages():
    missing = [(key, lang) for key, entry in TEXTS.items() for lang in LANGUAGES if not entry.get(lang, "").strip()]
    assert not missing
    assert all(set(entry) == set(LANGUAGES) for entry in TEXTS.values())


def test_every_literal_key_used_by_the_front_end_exists():
    used = set()
    for path in [*DESIGNER.glob("app_pages/*.py"), *DESIGNER.glob("web/*.py")]:
        used |= set(USED.findall(path.read_text(encoding="utf-8")))
    assert used, "the pattern finds the keys"
    assert sorted(used - set(TEXTS)) == []


def test_every_computed_key_exists():
    keys = [f"page.{p.url}" for p in PAGES] + [f"nav.{p.group}" for p in PAGES]
    keys += [f"kind.{k.value}" for k in ProductKind] + [f"repayment.{r.value}" for r in Repayment]
    keys += [f"action.{a.value}" for a in RuleAction] + [f"category.{c.value}" for c in RuleCategory]
    keys += [f"outcome.{o.value}" for o in Outcome] + [f"channel.{c.value}" for c in ChannelKind]
    keys += [f"role.{r.value}" for r in Role] + [f"level.{v.value}" for v in WarningLevel]
    keys += [f"collect.{c.value}" for c in CollectionActionKind]
    keys += [f"learn.step{s.number}.{part}" for s in STEPS for part in ("title", "help")]
    keys += [f"page.{s.page}" for s in STEPS]
    keys += [f"glossary.{g}.{part}" for g in GLOSSARY for part in ("zh", "en", "text")]
    keys += [f"reference.{p}.{part}" for p in REFERENCE_PRODUCTS for part in ("title", "text")]
    keys += ["sim.data_sample", "sim.data_upload"]
    assert sorted(set(keys) - set(TEXTS)) == []


def test_placeholders_agree_between_languages():
    field = re.compile(r"{(\w+)}")
    differ = [k for k, e in TEXTS.items() if set(field.findall(e["zh"])) != set(field.findall(e["en"]))]
    assert differ == []


def test_lookup_fills_values_and_falls_back():
    assert t("products.saved", "en", version=3) == "Saved as v3"
    assert t("products.saved", "zh", version=3) == "已保存为 v3"
    assert t("products.saved", "fr", version=3) == "已保存为 v3"
    assert t("no.such.key", "en") == "no.such.key"
