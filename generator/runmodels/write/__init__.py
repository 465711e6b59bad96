"""Writing packages to disk: ownership manifest, atomic replacement, the spare tree, fsync."""
