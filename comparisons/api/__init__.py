"""The read-only JSON API at /api/v1/ (django-ninja): OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs."""

from .endpoints import api

__all__ = ["api"]
