"""The `channels` section: where applications come from, which segments each serves, caps, extra rules."""

from __future__ import annotations

from enum import StrEnum

from .admission import AdmissionRule
from .common import Ident, Money, SpecModel, Text

__all__ = ["ChannelKind", "Channel"]


class ChannelKind(StrEnum):
    WECHAT_OFFICIAL_ACCOUNT = "wechat_official_account"
    QR_CODE = "qr_code"
    MOBILE_BANKING_APP = "mobile_banking_app"
    MINI_PROGRAM = "mini_program"
    H5 = "h5"
    PARTNER_API = "partner_api"
    BRANCH = "branch"


class Channel(SpecModel):
    """A sales channel (渠道). Its id is a category of the product's channel field."""

    id: Ident
    """Channel identifier, as it appears in the channel field."""
    kind: ChannelKind
    """Kind of channel."""
    name: Text
    """Channel name."""
    segments: list[Ident] = []
    """Segments this channel may approve; empty means all. Others are declined with code CH01."""
    limit_cap: Money | None = None
    """Largest limit through this channel."""
    rules: list[AdmissionRule] = []
    """Extra admission rules for applications through this channel."""
