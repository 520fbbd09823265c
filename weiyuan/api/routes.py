"""The REST API under /api/v1 (django-ninja): the same services, selectors and access module as the web UI."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="weiyuan API",
    version="1",
    description="维援 — IP rights protection assistance network. Cases, transitions, messages and evidence.",
    urls_namespace="api",
)
