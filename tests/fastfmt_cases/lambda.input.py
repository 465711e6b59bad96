_KEY = lambda item: item['id']
_DECODERS = {
    'run': lambda d, ctx: _decode_Run(d, ctx),
}
result = sorted(runs, key=lambda run: (run.created_at, run.id), reverse=True) + sorted(steps, key=lambda s: s.id)
