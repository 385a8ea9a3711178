"""Thin Lambda handlers: parse the event, call the pipeline, map the result."""
