"""Reading specs: YAML/JSON with positions, limits, overlays and JSONPath, the input log.

The first stage of the pipeline; it imports nothing of the later ones."""
