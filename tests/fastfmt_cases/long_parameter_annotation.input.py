def create(
    self,
    *,
    a_parameter_whose_name_is_long_enough_that_even_its_annotation_alone: dict[str, list[CreateMessageRequestContentItemWithAVeryLongName]] | None | Unset = UNSET,
) -> None:
    return None
