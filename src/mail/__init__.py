"""Outgoing email: a `console` backend that logs and an `smtp` one that sends."""
