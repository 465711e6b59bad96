class A:
    # a comment black attaches to the docstring
    """The docstring."""
    x = 1


def f():
    # a comment
    """doc"""
    return 1
