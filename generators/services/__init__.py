"""Services generated from a product: the decision service (and, beside it, the workflow service).

`generate_decision_service(checked, out_dir)` renders `<out_dir>/<product_id>/decision-service/`, a
standalone FastAPI project that never imports Loan Studio; see generators/README.md.
"""

from generators.services.decision_service import (
    SERVICE_DIR,
    ServiceError,
    decision_service_files,
    generate_decision_service,
)

__all__ = ["SERVICE_DIR", "ServiceError", "decision_service_files", "generate_decision_service"]
