first = response['data'][0]['content'][0]['text']['value']
tools = self._extra['tools'][index]['function']['arguments']['a_long_key_name']['and_another']
annotations: dict[str, list[dict[str, int | None]]] = {}
value: list[RunStepDetailsToolCallsObjectToolCallsItem] | None | Unset = UNSET
