"""Every page of the designer runs without exception, in Chinese and in English, with and without a product."""

import pytest
from helpers.designer_app import APP, go, open_catalog

from designer.i18n import TEXTS
from designer.web.pages import PAGES


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_runs_in_both_languages(workspace_dir, lang):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP), default_timeout=60)
    app.session_state["lang"] = lang
    app.run()
    go(app, "learn")  # nothing open yet: pages say so instead of failing
    go(app, "admission")
    assert any(TEXTS["product.none_open"][lang] in i.value for i in app.info)
    go(app, "products")
    open_catalog(app)
    for page in PAGES:
        go(app, page.file.removesuffix(".py"))
        title = TEXTS[f"page.{page.url}"][lang]
        assert app.header and app.header[0].value == title, page.url
    assert app.sidebar.metric, "the check status is always in the sidebar"


def test_the_language_switch_changes_every_label(app):
    open_catalog(app)
    go(app, "pricing")
    assert app.header[0].value == TEXTS["page.pricing"]["zh"]
    assert app.sidebar.radio(key="lang").value == "zh"
    app.session_state["lang"] = "en"  # what the sidebar switch sets
    app.run()
    assert app.header[0].value == TEXTS["page.pricing"]["en"]
    assert app.sidebar.metric[0].label == TEXTS["status.errors"]["en"]
