class Client:
    def create_assistant(
        self, model: str, name: str | None | Unset = UNSET
    ) -> Assistant:
        _body: Any = _model_body(
            CreateAssistantRequest(
                model=model,
                name=name,
                description=description,
                instructions=instructions,
            )
        )
        _body: Any = _model_body(
            CreateSpeechRequest(model=model, input=input, voice=voice)
        )
        return _r.dec_str_union(
            v,
            p,
            c,
            (AssistantsApiToolChoiceOptionVariant1,),
            False,
            "AssistantsApiToolChoiceOption",
        )
        return _r.first_match(
            v,
            p,
            c,
            (
                _decode_AssistantsNamedToolChoice,
                _decode_AssistantsNamedToolChoiceFunction,
            ),
            "AssistantsApiToolChoiceOption",
        )


def to_dict(self) -> dict[str, Any]:
    d: dict[str, Any] = {}
    d["tools"] = (
        None if v is None else [(None if x0 is None else x0.to_dict()) for x0 in v]
    )
    d["allowed_callers"] = (
        None if v is None else [getattr(x0, "_value_", x0) for x0 in v]
    )
    tools = (
        None
        if v is None
        else [(None if x0 is None else x0.to_dict()) for x0 in v_with_a_long_name]
    )
    return d
