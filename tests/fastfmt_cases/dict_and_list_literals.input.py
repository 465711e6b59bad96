_KINDS = {
    'code_interpreter': CodeInterpreterTool,
    'file_search': FileSearchTool,
    'function': FunctionTool,
}
_NAMES = [
    'id',
    'object',
    "created_at",
]
_DOCS = {
    'required_action': 'Details on the action required to continue the run. Will be `null` if no action is required.',
}
_EMPTY = {}
_SHORT = {'a': 1, 'b': [1, 2, 3], 'c': {'d': None}}
_NESTED = {
    'outer': {
        'inner': 1,
    },
}
