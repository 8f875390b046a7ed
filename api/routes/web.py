"""A small page for clinicians: ask, follow up, see the cited passages and the verdict."""

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["web"])


@cache
def _page() -> str:
    return (Path(__file__).resolve().parent.parent / "static_chat.html").read_text()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index() -> HTMLResponse:
    """The chat page (it calls /v1/chat; the API key, if any, stays in the page)."""
    return HTMLResponse(_page(), headers={"Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
                                          "style-src 'unsafe-inline'", "X-Frame-Options": "DENY"})
