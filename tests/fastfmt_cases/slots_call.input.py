class Run(_r.Model):
    __slots__ = _r.slots(
        {
            'id': 'The identifier, which can be referenced in API endpoints.',
            'tools': 'The list of tools that the assistant used for this run.\n\nDefault (applied by the server when absent): []',
            'type': 'Always `function_call_output`.\n\nDefault (applied by the server when absent): "function_call_output"',
            'empty': '',
            "_extra": "Members the spec does not declare, kept so that nothing is lost.",
        }
    )
    __defaults__ = _r.defaults(
        {
            'id': None,
            'a_name_long_enough_to_be_split_by_black_because_it_is_a_call_argument': f(x, y),
        }
    )
