def create(
    self,
    *,
    a_parameter_whose_name_is_long_enough_that_even_its_annotation_alone: dict[str, list[CreateMessageRequestContentItemWithAVeryLongName]] | None | Unset = UNSET,
) -> None:
    return None


class InferenceCreateMessagesRequestMessagesItemContentVariant2ItemImage:
    def __init__(
        self,
        *,
        type: str,
        source: InferenceCreateMessagesRequestMessagesItemContentVariant2ItemImageSource,
        other: InferenceCreateMessagesRequestMessagesItemContentVariant2Item | None = None,
        _extra: dict[str, Any] | None = None,
    ) -> None:
        self.type = type
