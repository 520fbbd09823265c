"""Access-matrix rows of trademark screening and comparison (weiyuan/marks/api.py and the page, weiyuan/marks/views.py):
any signed-in caller, applicants included (weiyuan/access/marks.py); anonymous callers get 401 from the API and the
login page on the web."""

from __future__ import annotations

from tests.access_support import Route, signed_in

ROUTES: dict[str, Route] = {
    "api:marks_screen": Route("GET", query="mark=康帅傅&class=30", expect=signed_in),
    "api:marks_compare": Route("GET", query="a=康师傅&b=康帅傅", expect=signed_in),
    "marks:screen": Route("GET", query="mark=康帅傅&class=30", expect=signed_in),
    "marks:compare": Route("GET", query="a=康师傅&b=康帅傅", expect=signed_in),
}
