"""The HTTP service (FastAPI): the decision endpoint, and an ASGI middleware a provider can put
in front of its own API. Sits beside the command line, above every other layer."""
