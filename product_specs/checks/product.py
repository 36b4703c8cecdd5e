"""The `product` section: the channel field names a required category field, the id field a string or integer
field, the APR cap is positive."""

from __future__ import annotations

from ..rules import did_you_mean
from ..sections import FieldType
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> None:
    spec = ctx.spec
    fields = spec.field_map()
    channel_field = fields.get(spec.product.channel_field)
    if channel_field is None or channel_field.type is not FieldType.CATEGORY:
        ctx.error("channel_field", ("product", "channel_field"), "product.channel_field",
                  f"channel field {spec.product.channel_field!r} must be a category field of the data dictionary",
                  did_you_mean(spec.product.channel_field, fields))
    else:
        if not channel_field.required:
            ctx.error("channel_field", ("fields", spec.fields.index(channel_field), "required"),
                      f"fields[{channel_field.name}].required",
                      "the channel field must be required: every application comes through a channel",
                      "set required: true")
        ids = [c.id for c in spec.channels]
        for cat in channel_field.categories or []:
            if cat not in ids:
                ctx.error("channel", ("channels",), "channels",
                          f"channel {cat!r} of field {channel_field.name!r} has no channel definition",
                          "add it to channels or remove the category")
        for i, cid in enumerate(ids):
            if cid not in (channel_field.categories or []):
                ctx.error("channel", ("channels", i, "id"), f"channels[{cid}]",
                          f"channel {cid!r} is not a category of field {channel_field.name!r}")
    id_field = spec.product.id_field
    if id_field is not None and (fields.get(id_field) is None
                                 or fields[id_field].type not in (FieldType.STRING, FieldType.INTEGER)):
        ctx.error("id_field", ("product", "id_field"), "product.id_field",
                  f"id field {id_field!r} must be a string or integer field of the data dictionary",
                  did_you_mean(id_field, fields))
    if spec.product.apr_cap <= 0:
        ctx.error("apr_cap", ("product", "apr_cap"), "product.apr_cap", "the APR cap must be above zero")
