"""One namespace per OpenAPI tag; each method is named after its operationId in snake_case."""
