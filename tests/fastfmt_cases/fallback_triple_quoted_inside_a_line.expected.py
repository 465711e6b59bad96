VALUES = ['"""', """a "docstring" inside a list""", """three"""]
