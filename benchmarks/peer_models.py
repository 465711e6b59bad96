# ruff: noqa: UP007, UP035, UP045, F821, RUF015 (the libraries read these annotations at run time)
"""Equivalent hand-written models of the Run and RunStep families for the peer libraries.

Each builder returns a dict of callables, or raises ImportError when its library is missing:
``from_dict_run``, ``from_dict_steps`` (the 20-step list), ``to_dict_run``, ``to_dict_steps``,
and for libraries with their own JSON codec ``from_json_*`` / ``to_json_*``.  The shapes follow
the spec: tagged unions on ``type``, nullable members, strings for enums (what the peers do).
"""

# no `from __future__ import annotations`: the libraries read the real annotation objects

import dataclasses
import json
from typing import Any, Callable, Literal, Optional, Union

Codec = dict[str, Callable[[Any], Any]]


# --- plain dataclasses (mashumaro and cattrs decode these) --------------------------------------
def _dataclasses() -> dict[str, Any]:
    dc = dataclasses.dataclass

    @dc(kw_only=True)
    class FunctionDefinition:
        name: str
        description: Optional[str] = None
        parameters: Optional[dict[str, Any]] = None
        strict: Optional[bool] = None

    @dc(kw_only=True)
    class CodeInterpreterTool:
        type: Literal["code_interpreter"] = "code_interpreter"

    @dc(kw_only=True)
    class FileSearchOptions:
        max_num_results: Optional[int] = None
        ranking_options: Optional[dict[str, Any]] = None

    @dc(kw_only=True)
    class FileSearchTool:
        type: Literal["file_search"] = "file_search"
        file_search: Optional[FileSearchOptions] = None

    @dc(kw_only=True)
    class FunctionTool:
        type: Literal["function"] = "function"
        function: FunctionDefinition

    @dc(kw_only=True)
    class ToolCallFunction:
        name: str
        arguments: str

    @dc(kw_only=True)
    class RunToolCall:
        id: str
        type: str
        function: ToolCallFunction

    @dc(kw_only=True)
    class SubmitToolOutputs:
        tool_calls: list[RunToolCall]

    @dc(kw_only=True)
    class RequiredAction:
        type: str
        submit_tool_outputs: SubmitToolOutputs

    @dc(kw_only=True)
    class LastError:
        code: str
        message: str

    @dc(kw_only=True)
    class IncompleteDetails:
        reason: Optional[str] = None

    @dc(kw_only=True)
    class Usage:
        completion_tokens: int
        prompt_tokens: int
        total_tokens: int

    @dc(kw_only=True)
    class TruncationStrategy:
        type: str
        last_messages: Optional[int] = None

    @dc(kw_only=True)
    class NamedFunction:
        name: str

    @dc(kw_only=True)
    class NamedToolChoice:
        type: str
        function: Optional[NamedFunction] = None

    @dc(kw_only=True)
    class ResponseFormatObject:
        type: str
        json_schema: Optional[dict[str, Any]] = None

    @dc(kw_only=True)
    class MessageCreation:
        message_id: str

    @dc(kw_only=True)
    class MessageCreationDetails:
        type: Literal["message_creation"] = "message_creation"
        message_creation: MessageCreation

    @dc(kw_only=True)
    class LogsOutput:
        type: Literal["logs"] = "logs"
        logs: str

    @dc(kw_only=True)
    class Image:
        file_id: str

    @dc(kw_only=True)
    class ImageOutput:
        type: Literal["image"] = "image"
        image: Image

    @dc(kw_only=True)
    class CodeInterpreter:
        input: str
        outputs: list[Any]  # replaced below by the library-specific union

    @dc(kw_only=True)
    class CodeInterpreterCall:
        id: str
        type: Literal["code_interpreter"] = "code_interpreter"
        code_interpreter: CodeInterpreter

    @dc(kw_only=True)
    class FileSearchCall:
        id: str
        type: Literal["file_search"] = "file_search"
        file_search: dict[str, Any]

    @dc(kw_only=True)
    class FunctionCallFunction:
        name: str
        arguments: str
        output: Optional[str] = None

    @dc(kw_only=True)
    class FunctionCall:
        id: str
        type: Literal["function"] = "function"
        function: FunctionCallFunction

    @dc(kw_only=True)
    class ToolCallsDetails:
        type: Literal["tool_calls"] = "tool_calls"
        tool_calls: list[Any]

    return locals()


def _dataclass_roots(c: dict[str, Any], tagged: Callable[[Any], Any]) -> tuple[type, type]:
    """Run, RunStep and ListRunSteps classes whose unions are wrapped by `tagged`."""
    dc = dataclasses.dataclass
    Tool = tagged(Union[c["CodeInterpreterTool"], c["FileSearchTool"], c["FunctionTool"]])
    Output = tagged(Union[c["LogsOutput"], c["ImageOutput"]])
    Call = tagged(Union[c["CodeInterpreterCall"], c["FileSearchCall"], c["FunctionCall"]])
    Details = tagged(Union[c["MessageCreationDetails"], c["ToolCallsDetails"]])
    c["CodeInterpreter"].__annotations__["outputs"] = list[Output]  # type: ignore[valid-type]
    c["ToolCallsDetails"].__annotations__["tool_calls"] = list[Call]  # type: ignore[valid-type]
    for name in ("CodeInterpreter", "ToolCallsDetails"):  # refresh the dataclass field types
        for f in dataclasses.fields(c[name]):
            f.type = c[name].__annotations__[f.name]
    ns = dict(c, Tool=Tool, Details=Details, Optional=Optional, Union=Union, Any=Any)

    @dc(kw_only=True)
    class Run:
        id: str
        object: str
        created_at: int
        thread_id: str
        assistant_id: str
        status: str
        required_action: Optional[c["RequiredAction"]]  # type: ignore[valid-type]
        last_error: Optional[c["LastError"]]  # type: ignore[valid-type]
        expires_at: Optional[int]
        started_at: Optional[int]
        cancelled_at: Optional[int]
        failed_at: Optional[int]
        completed_at: Optional[int]
        incomplete_details: Optional[c["IncompleteDetails"]]  # type: ignore[valid-type]
        model: str
        instructions: str
        tools: list[Tool]  # type: ignore[valid-type]
        metadata: Optional[dict[str, str]]
        usage: Optional[c["Usage"]]  # type: ignore[valid-type]
        temperature: Optional[float] = None
        top_p: Optional[float] = None
        max_prompt_tokens: Optional[int]
        max_completion_tokens: Optional[int]
        truncation_strategy: Optional[c["TruncationStrategy"]]  # type: ignore[valid-type]
        tool_choice: Union[str, c["NamedToolChoice"], None]  # type: ignore[valid-type]
        parallel_tool_calls: bool
        response_format: Union[str, c["ResponseFormatObject"], None]  # type: ignore[valid-type]

    @dc(kw_only=True)
    class RunStep:
        id: str
        object: str
        created_at: int
        assistant_id: str
        thread_id: str
        run_id: str
        type: str
        status: str
        step_details: Details  # type: ignore[valid-type]
        last_error: Optional[c["LastError"]]  # type: ignore[valid-type]
        expired_at: Optional[int]
        cancelled_at: Optional[int]
        failed_at: Optional[int]
        completed_at: Optional[int]
        metadata: Optional[dict[str, str]]
        usage: Optional[c["Usage"]]  # type: ignore[valid-type]

    @dc(kw_only=True)
    class ListRunSteps:
        object: str
        data: list[RunStep]
        first_id: Optional[str]
        last_id: Optional[str]
        has_more: bool

    del ns
    return Run, ListRunSteps


def mashumaro_codec() -> Codec:
    from typing import Annotated

    from mashumaro.codecs.basic import BasicDecoder, BasicEncoder
    from mashumaro.types import Discriminator

    def tagged(union: Any) -> Any:
        return Annotated[union, Discriminator(field="type", include_supertypes=True)]

    run, steps = _dataclass_roots(_dataclasses(), tagged)
    dec_run, dec_steps = BasicDecoder(run), BasicDecoder(steps)
    enc_run, enc_steps = BasicEncoder(run), BasicEncoder(steps)
    return {
        "from_dict_run": dec_run.decode, "from_dict_steps": dec_steps.decode,
        "to_dict_run": enc_run.encode, "to_dict_steps": enc_steps.encode,
        "from_json_run": lambda s: dec_run.decode(json.loads(s)),
        "from_json_steps": lambda s: dec_steps.decode(json.loads(s)),
        "to_json_run": lambda o: json.dumps(enc_run.encode(o)),
        "to_json_steps": lambda o: json.dumps(enc_steps.encode(o)),
    }


def cattrs_codec() -> Codec:
    import cattrs
    from cattrs.strategies import configure_tagged_union

    converter = cattrs.Converter()
    unions: list[Any] = []

    def tagged(union: Any) -> Any:
        unions.append(union)
        return union

    run, steps = _dataclass_roots(_dataclasses(), tagged)
    for union in unions:
        configure_tagged_union(union, converter, tag_name="type",
                               tag_generator=lambda cls: cls.__dataclass_fields__["type"].default)
    # str | NamedToolChoice | None and str | ResponseFormatObject | None: strings pass through
    for cls_name in ("tool_choice", "response_format"):
        hint = run.__dataclass_fields__[cls_name].type
        obj = [a for a in hint.__args__ if dataclasses.is_dataclass(a)][0]

        def hook(value: Any, _t: Any, obj: Any = obj) -> Any:
            if value is None or isinstance(value, str):
                return value
            return converter.structure(value, obj)

        converter.register_structure_hook(hint, hook)
    return {
        "from_dict_run": lambda d: converter.structure(d, run),
        "from_dict_steps": lambda d: converter.structure(d, steps),
        "to_dict_run": converter.unstructure, "to_dict_steps": converter.unstructure,
        "from_json_run": lambda s: converter.structure(json.loads(s), run),
        "from_json_steps": lambda s: converter.structure(json.loads(s), steps),
        "to_json_run": lambda o: json.dumps(converter.unstructure(o)),
        "to_json_steps": lambda o: json.dumps(converter.unstructure(o)),
    }


def msgspec_codec() -> Codec:
    import msgspec

    S = msgspec.Struct
    kw: dict[str, Any] = {"kw_only": True}

    class FunctionDefinition(S, **kw):
        name: str
        description: Optional[str] = None
        parameters: Optional[dict[str, Any]] = None
        strict: Optional[bool] = None

    class CodeInterpreterTool(S, tag_field="type", tag="code_interpreter", **kw):
        pass

    class FileSearchOptions(S, **kw):
        max_num_results: Optional[int] = None
        ranking_options: Optional[dict[str, Any]] = None

    class FileSearchTool(S, tag_field="type", tag="file_search", **kw):
        file_search: Optional[FileSearchOptions] = None

    class FunctionTool(S, tag_field="type", tag="function", **kw):
        function: FunctionDefinition

    class ToolCallFunction(S, **kw):
        name: str
        arguments: str

    class RunToolCall(S, **kw):
        id: str
        type: str
        function: ToolCallFunction

    class SubmitToolOutputs(S, **kw):
        tool_calls: list[RunToolCall]

    class RequiredAction(S, **kw):
        type: str
        submit_tool_outputs: SubmitToolOutputs

    class LastError(S, **kw):
        code: str
        message: str

    class IncompleteDetails(S, **kw):
        reason: Optional[str] = None

    class Usage(S, **kw):
        completion_tokens: int
        prompt_tokens: int
        total_tokens: int

    class TruncationStrategy(S, **kw):
        type: str
        last_messages: Optional[int] = None

    class NamedFunction(S, **kw):
        name: str

    class NamedToolChoice(S, **kw):
        type: str
        function: Optional[NamedFunction] = None

    class ResponseFormatObject(S, **kw):
        type: str
        json_schema: Optional[dict[str, Any]] = None

    class Run(S, **kw):
        id: str
        object: str
        created_at: int
        thread_id: str
        assistant_id: str
        status: str
        required_action: Optional[RequiredAction]
        last_error: Optional[LastError]
        expires_at: Optional[int]
        started_at: Optional[int]
        cancelled_at: Optional[int]
        failed_at: Optional[int]
        completed_at: Optional[int]
        incomplete_details: Optional[IncompleteDetails]
        model: str
        instructions: str
        tools: list[Union[CodeInterpreterTool, FileSearchTool, FunctionTool]]
        metadata: Optional[dict[str, str]]
        usage: Optional[Usage]
        temperature: Optional[float] = None
        top_p: Optional[float] = None
        max_prompt_tokens: Optional[int]
        max_completion_tokens: Optional[int]
        truncation_strategy: Optional[TruncationStrategy]
        tool_choice: Union[str, NamedToolChoice, None]
        parallel_tool_calls: bool
        response_format: Union[str, ResponseFormatObject, None]

    class MessageCreation(S, **kw):
        message_id: str

    class MessageCreationDetails(S, tag_field="type", tag="message_creation", **kw):
        message_creation: MessageCreation

    class LogsOutput(S, tag_field="type", tag="logs", **kw):
        logs: str

    class Image(S, **kw):
        file_id: str

    class ImageOutput(S, tag_field="type", tag="image", **kw):
        image: Image

    class CodeInterpreter(S, **kw):
        input: str
        outputs: list[Union[LogsOutput, ImageOutput]]

    class CodeInterpreterCall(S, tag_field="type", tag="code_interpreter", **kw):
        id: str
        code_interpreter: CodeInterpreter

    class FileSearchCall(S, tag_field="type", tag="file_search", **kw):
        id: str
        file_search: dict[str, Any]

    class FunctionCallFunction(S, **kw):
        name: str
        arguments: str
        output: Optional[str] = None

    class FunctionCall(S, tag_field="type", tag="function", **kw):
        id: str
        function: FunctionCallFunction

    class ToolCallsDetails(S, tag_field="type", tag="tool_calls", **kw):
        tool_calls: list[Union[CodeInterpreterCall, FileSearchCall, FunctionCall]]

    class RunStep(S, **kw):
        id: str
        object: str
        created_at: int
        assistant_id: str
        thread_id: str
        run_id: str
        type: str
        status: str
        step_details: Union[MessageCreationDetails, ToolCallsDetails]
        last_error: Optional[LastError]
        expired_at: Optional[int]
        cancelled_at: Optional[int]
        failed_at: Optional[int]
        completed_at: Optional[int]
        metadata: Optional[dict[str, str]]
        usage: Optional[Usage]

    class ListRunSteps(S, **kw):
        object: str
        data: list[RunStep]
        first_id: Optional[str]
        last_id: Optional[str]
        has_more: bool

    encoder = msgspec.json.Encoder()
    run_dec, steps_dec = msgspec.json.Decoder(Run), msgspec.json.Decoder(ListRunSteps)
    return {
        "from_dict_run": lambda d: msgspec.convert(d, Run),
        "from_dict_steps": lambda d: msgspec.convert(d, ListRunSteps),
        "to_dict_run": msgspec.to_builtins, "to_dict_steps": msgspec.to_builtins,
        "from_json_run": run_dec.decode, "from_json_steps": steps_dec.decode,
        "to_json_run": encoder.encode, "to_json_steps": encoder.encode,
    }


def pydantic_codecs() -> list[tuple[str, Codec]]:
    """openai's own pydantic models when the openai package is installed, else equivalents.

    Two contenders: encoding with `exclude_unset=True`, which like runmodels writes back only
    the members the payload had (the comparable row), and the full `model_dump()`, which writes
    every field, absent ones as null (pydantic's default; decoding is the same, so not timed).
    """
    import pydantic

    try:
        from openai.types.beta.threads import Run
        from openai.types.beta.threads.runs import RunStep

        label = "pydantic (openai's Run/RunStep)"
    except ImportError:
        Run, RunStep = _pydantic_models()
        label = "pydantic (equivalent models)"

    class ListRunSteps(pydantic.BaseModel):
        object: str
        data: list[RunStep]  # type: ignore[valid-type]
        first_id: Optional[str]
        last_id: Optional[str]
        has_more: bool

    decode: Codec = {
        "from_dict_run": Run.model_validate, "from_dict_steps": ListRunSteps.model_validate,
        "from_json_run": Run.model_validate_json,
        "from_json_steps": ListRunSteps.model_validate_json,
    }
    unset: Codec = {
        **decode,
        "to_dict_run": lambda o: o.model_dump(exclude_unset=True),
        "to_dict_steps": lambda o: o.model_dump(exclude_unset=True),
        "to_json_run": lambda o: o.model_dump_json(exclude_unset=True),
        "to_json_steps": lambda o: o.model_dump_json(exclude_unset=True),
    }
    full: Codec = {
        **decode,
        "to_dict_run": lambda o: o.model_dump(), "to_dict_steps": lambda o: o.model_dump(),
        "to_json_run": lambda o: o.model_dump_json(),
        "to_json_steps": lambda o: o.model_dump_json(),
    }
    version = pydantic.VERSION
    return [(f"{label} {version}, exclude_unset", unset), (f"{label} {version}, full dump", full)]


def _pydantic_models() -> tuple[Any, Any]:
    """Pydantic equivalents, built from the plain dataclass shapes."""
    from typing import Annotated

    import pydantic
    from pydantic import Field

    def tagged(union: Any) -> Any:
        return Annotated[union, Field(discriminator="type")]

    classes = _dataclasses()
    run, steps = _dataclass_roots(classes, tagged)
    made: dict[type, Any] = {}

    def convert(cls: type) -> Any:
        if cls in made:
            return made[cls]
        fields: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            hint = _swap(f.type, convert)
            default = ... if f.default is dataclasses.MISSING else f.default
            fields[f.name] = (hint, default)
        model = pydantic.create_model(cls.__name__, **fields)  # type: ignore[call-overload]
        made[cls] = model
        return model

    run_model = convert(run)
    step_cls = steps.__dataclass_fields__["data"].type.__args__[0]
    return run_model, convert(step_cls)


def _swap(hint: Any, convert: Callable[[type], Any]) -> Any:
    """The same type hint with every dataclass replaced by its pydantic model."""
    import typing

    if dataclasses.is_dataclass(hint):
        return convert(hint)  # type: ignore[arg-type]
    origin = typing.get_origin(hint)
    if origin is None:
        return hint
    args = tuple(_swap(a, convert) for a in typing.get_args(hint))
    if origin is typing.Annotated:
        return typing.Annotated[(args[0], *hint.__metadata__)]  # type: ignore[misc]
    if origin is Union:
        return Union[args]
    if origin is Literal:
        return hint
    return origin[args]  # type: ignore[index]
