"""The generator's version: a leaf module, so anything can import it without loading the pipeline."""

__version__ = "0.1.0"
