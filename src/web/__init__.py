"""The application's HTTP plumbing: middleware, error handlers, the OpenAPI
document, conditional requests, query checks and rate limits."""
