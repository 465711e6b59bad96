"""IR -> Python source text: literals, types, decoders, the Jinja templates and the runtime ABI."""
