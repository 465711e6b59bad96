def decode(d: Any, ctx: Ctx) -> Run:
    value = _r.field_list(
        d, "tools", ctx, _decode_AssistantTool, _r.REQUIRED | _r.NULLABLE, default=None
    )
    other = _r.get_each(
        d.get("required_action_submit_tool_outputs_tool_calls"),
        ctx.at("tools"),
        _decode_RunToolCall,
    )
    return _new_run(
        _r.field_str(d, "id", ctx, _r.REQUIRED),
        _r.field_int(d, "created_at", ctx, _r.REQUIRED),
    )
