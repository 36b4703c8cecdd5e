"""`GET /v1/product`: what this service decides, from the product spec it was generated from."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.deps import ERRORS, SECURED, authorize, service_of
from app.models import ProductDescription
from app.product import PRODUCT
from app.service import encode

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["product"])
_PRODUCT_JSON = encode(PRODUCT)


@router.get("/product", response_model=ProductDescription, responses={401: ERRORS[401]}, openapi_extra=SECURED,
            summary="The product this service decides")
async def product(request: Request) -> Response:
    """Id, version, spec hash, names, the input fields, every rule in plain language (zh and en) and every
    reason code a decision can give, exactly as the product spec has them."""
    authorize(request, service_of(request))
    return Response(_PRODUCT_JSON, media_type="application/json")
