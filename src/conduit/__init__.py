"""The RealWorld ("Conduit") API under /api: an adapter onto the native
services, with the RealWorld envelopes, field names, token scheme and error
shape."""
