"""Source text -> black-formatted text: black itself, the fast formatter and the worker pool."""
