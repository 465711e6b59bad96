"""The intermediate model: frozen nodes describing schemas, operations and the client plan.

Every later stage reads it; it imports only `runmodels.errors`."""
