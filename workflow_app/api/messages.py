"""Messages and signals from outside: deliver to the waiting case(s), or start a case."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..auth import current
from ..cases import messages

PREFIX = ""
blp = Blueprint("messages", __name__, description="消息与信号 Messages and signals")

_NAME = validate.Length(min=1, max=200)
_ID = validate.Length(min=1, max=200)


class MessageIn(Schema):
    name = fields.String(required=True, validate=_NAME)
    correlation = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)), load_default=dict,
                              metadata={"description": "data keys and values that name the case (or case_id)"})
    data = fields.Dict(load_default=dict, metadata={"description": "what the message carries into the case"})
    message_id = fields.String(load_default=None, validate=_ID,
                               metadata={"description": "the sender's id: a repeat is a no-op"})
    org_unit = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                             metadata={"description": "where to start a case (message start events), or to look"})


class SignalIn(Schema):
    name = fields.String(required=True, validate=_NAME)
    data = fields.Dict(load_default=dict)
    message_id = fields.String(load_default=None, validate=_ID)
    org_unit = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                             metadata={"description": "only cases in this unit's subtree"})


class DeliveryOut(Schema):
    kind = fields.String()
    name = fields.String()
    delivered = fields.List(fields.Integer(), metadata={"description": "the cases that received it"})
    started = fields.Integer(allow_none=True, metadata={"description": "the case it started, if any"})
    message_id = fields.String(allow_none=True)
    duplicate = fields.Boolean(metadata={"description": "true when this message_id was delivered before"})


@blp.post("/messages")
@blp.arguments(MessageIn)
@blp.response(200, DeliveryOut)
@blp.alt_response(404, description="no case waits for it and no process starts on it")
@blp.alt_response(409, description="more than one case waits for it: correlate")
def message(body):
    """Deliver a message to the one case waiting for it, or start a case at a message start event."""
    return messages.send_message(body["name"], body["correlation"], body["data"], current.require_user(),
                                 body["message_id"], body["org_unit"])


@blp.post("/signals")
@blp.arguments(SignalIn)
@blp.response(200, DeliveryOut)
def signal(body):
    """Broadcast a signal to every case waiting for it (in ``org_unit`` if given)."""
    return messages.send_signal(body["name"], body["data"], current.require_user(), body["message_id"],
                                body["org_unit"])
