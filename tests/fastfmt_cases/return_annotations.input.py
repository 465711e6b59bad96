def decode_run_step_details_tool_calls_object(d: Any, ctx: Ctx) -> RunStepDetailsToolCallsObject | Unset:
    return UNSET


def short(d: Any) -> dict[str, list[int | None]] | None:
    return None


def no_params() -> tuple[RunStepDetailsToolCallsObjectToolCallsItem, RunStepDetailsMessageCreationObject]:
    return ()
