"""Access-matrix rows of the knowledge-base search: the page is public; the API, like every API route, needs a
caller (token or session)."""

from __future__ import annotations

from tests.access_support import Route, public, signed_in

ROUTES: dict[str, Route] = {
    "search:search": Route("GET", query="q=专利", expect=public),
    "api:kb_search": Route("GET", query="q=专利", expect=signed_in),
}
