from __future__ import annotations
import json
from .. import _runtime as _r
from .._runtime import TYPE_CHECKING, UNSET, Unset, Model, Ctx, Checks, DecodeError, UnknownVariant, OpenStrEnum
from .run_step_details_tool_calls_object import RunStepDetailsToolCallsObject, _decode_RunStepDetailsToolCallsObject
x = 1
