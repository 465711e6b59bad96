# Generated code: this comment comes before the module docstring.
'''  The module docstring, after a comment: black still treats it as one.  '''
from __future__ import annotations
