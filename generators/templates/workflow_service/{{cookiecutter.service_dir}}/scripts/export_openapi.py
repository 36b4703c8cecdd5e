"""Write the service's OpenAPI document to openapi.json (run by `make openapi`; tests check it is current)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402


def document_text() -> str:
    settings = Settings(_env_file=None, database_url="sqlite://", migrate_on_start=False)
    return json.dumps(create_app(settings).openapi(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    (ROOT / "openapi.json").write_text(document_text(), encoding="utf-8")
    print("wrote openapi.json")
