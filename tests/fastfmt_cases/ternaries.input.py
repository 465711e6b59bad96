def to_dict(self) -> dict[str, Any]:
    value = self.required_action.to_dict() if self.required_action is not None else None
    usage = _r.encode_each(self.usage_of_the_run_with_a_long_name, _encode_usage) if self.usage is not None else UNSET
    return {'id': self.id, 'required_action': value, 'usage': usage, 'metadata': dict(self.metadata)}
