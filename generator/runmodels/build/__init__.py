"""Spec -> IR: `$ref` resolution, schemas, operations, names, the module split and the client plan."""
