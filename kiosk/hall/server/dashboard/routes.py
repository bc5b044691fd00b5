"""The dashboard's routes: `/dashboard` behind an admin session, its login and logout,
the live and history JSON, the exports, and the vendored static files.

A request without a valid session gets the login page (a page) or 401 (JSON and
exports). Every state-changing request (login, logout) carries a CSRF token that
must match: the login form's a cookie of its own (double submit), the logout's the
session's. Cookies are HttpOnly, SameSite=Strict, Secure over https. Not in the
kiosk API's document: these are the manager's pages, not a client API.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.concurrency import run_in_threadpool

from kiosk.hall.server.dashboard import exports
from kiosk.hall.server.dashboard.accounts import AdminAccounts, Session
from kiosk.hall.server.dashboard.page import (
    SECURITY_HEADERS,
    dashboard_page,
    language,
    login_page,
    texts,
)
from kiosk.hall.server.dashboard.views import Period, PeriodKind, history, live
from kiosk.hall.server.dependencies import Hall
from kiosk.hall.server.store import StoreError
from kiosk.queue import DEFAULT_HALL

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

PATH = "/dashboard"
SESSION_COOKIE = "hall_admin"
LOGIN_COOKIE = "hall_login_csrf"
STATIC = Path(__file__).parent / "static"
STATIC_FILES = {
    "echarts.min.js": "text/javascript",
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
}
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def accounts(server: Hall) -> AdminAccounts:
    return AdminAccounts(server.store.db, server.store.clock)


Accounts = Annotated[AdminAccounts, Depends(accounts)]


def _session(request: Request, accounts: AdminAccounts) -> Session | None:
    return accounts.session(request.cookies.get(SESSION_COOKIE, ""))


def admin(request: Request, accounts: Accounts) -> Session:
    """The admin's session; 401 without one."""
    found = _session(request, accounts)
    if found is None:
        raise StoreError(401, "sign in at /dashboard/login first")
    return found


Admin = Annotated[Session, Depends(admin)]


def _cookie(response: Response, request: Request, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _same_origin(request: Request) -> bool:
    """A browser names the page a POST comes from; another site's page is refused."""
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.headers.get('host')}"


async def _form(request: Request) -> dict[str, str]:
    # python-multipart is not installed: a form of three short fields is read with
    # the standard library (the body limit already caps its size).
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body).items()}


def _page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status, headers=SECURITY_HEADERS)


def _login_answer(
    request: Request, server: Hall, message: str = "", status: int = 200
) -> HTMLResponse:
    lang = language(request.query_params.get("lang"))
    token = secrets.token_urlsafe(32)
    answer = _page(login_page(lang, _hall_name(server, lang), token, message), status)
    _cookie(answer, request, LOGIN_COOKIE, token, 3600)
    return answer


def _hall_name(server: Hall, lang: str, hall: str = DEFAULT_HALL) -> str:
    site = server.halls.get(hall) or server.halls[DEFAULT_HALL]
    names = site.settings.hall
    return names.name_en if lang == "en" else names.name_zh


def _hall_of(session: Session, server: Hall) -> str:
    """The admin's hall; 403 when this server does not serve it."""
    if session.hall not in server.halls:
        log.warning("dashboard: admin of hall %s, not served here", session.hall)
        raise StoreError(403, f"hall {session.hall} is not served here")
    return session.hall


@router.get(PATH)
def dashboard(request: Request, server: Hall, accounts: Accounts) -> Response:
    lang = language(request.query_params.get("lang"))
    session = _session(request, accounts)
    if session is None:
        return RedirectResponse(f"{PATH}/login?lang={lang}", 303)
    today = server.store.business_day().isoformat()
    html = dashboard_page(
        lang,
        _hall_name(server, lang, session.hall),
        session.name,
        session.csrf_token,
        today,
        server.settings.kiosk.timezone,
    )
    return _page(html)


@router.get(f"{PATH}/login")
def login_form(request: Request, server: Hall) -> HTMLResponse:
    return _login_answer(request, server)


@router.post(f"{PATH}/login")
async def login(request: Request, server: Hall, accounts: Accounts) -> Response:
    lang = language(request.query_params.get("lang"))
    words = texts(lang)
    form = await _form(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    presented = form.get("csrf", "")
    if not (
        _same_origin(request)
        and expected
        and hmac.compare_digest(expected.encode(), presented.encode())
    ):
        return _login_answer(request, server, words["expired"], 403)
    # scrypt takes tens of milliseconds: off the event loop
    result = await run_in_threadpool(accounts.login, form.get("name", ""), form.get("password", ""))
    if result.session is None:
        # Not the name typed: a password typed into the wrong field would be logged.
        log.warning("dashboard: a failed sign-in (locked %.0f s)", result.locked_seconds)
        if result.locked_seconds > 0:
            seconds = str(math.ceil(result.locked_seconds))
            answer = _login_answer(request, server, words["locked"].format(seconds=seconds), 429)
            answer.headers["Retry-After"] = seconds
            return answer
        return _login_answer(request, server, words["wrong"], 401)
    log.info("dashboard: %s signed in", result.session.name)
    opened = RedirectResponse(f"{PATH}?lang={lang}", 303)
    age = int((result.session.expires_at - server.store.now()).total_seconds())
    _cookie(opened, request, SESSION_COOKIE, result.cookie, age)
    opened.delete_cookie(LOGIN_COOKIE, path=PATH)
    return opened


@router.post(f"{PATH}/logout")
async def logout(request: Request, session: Admin, accounts: Accounts) -> Response:
    form = await _form(request)
    presented = form.get("csrf") or request.headers.get("x-csrf-token", "")
    if not (_same_origin(request) and hmac.compare_digest(session.csrf_token, presented)):
        raise StoreError(403, "the CSRF token is missing or wrong: reload the page")
    await run_in_threadpool(accounts.logout, request.cookies.get(SESSION_COOKIE, ""))
    answer = RedirectResponse(f"{PATH}/login", 303)
    answer.delete_cookie(SESSION_COOKIE, path=PATH)
    return answer


def period(
    server: Hall,
    kind: Annotated[PeriodKind, Query(alias="period")] = "day",
    day: Annotated[date | None, Query()] = None,
) -> Period:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise StoreError(422, f"day: {day} is not between {FIRST_DAY} and {LAST_DAY}", "day")
    return Period.around(kind, day or server.store.business_day())


Chosen = Annotated[Period, Depends(period)]


@router.get(f"{PATH}/api/live")
def live_state(session: Admin, server: Hall) -> Response:
    return _json(live(server, _hall_of(session, server)))


@router.get(f"{PATH}/api/history")
def history_figures(session: Admin, server: Hall, chosen: Chosen) -> Response:
    return _json(history(server, chosen, _hall_of(session, server)))


def _json(data: dict[str, Any]) -> Response:
    return JSONResponse(jsonable_encoder(data), headers={"Cache-Control": "no-store"})


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(f"{PATH}/export.csv")
def export_csv(session: Admin, server: Hall, chosen: Chosen) -> Response:
    name = f"hall-tickets-{chosen.label}.csv"
    data = exports.tickets_csv(server, chosen, _hall_of(session, server))
    return _download(data, "text/csv; charset=utf-8", name)


@router.get(f"{PATH}/export.xlsx")
def export_xlsx(session: Admin, server: Hall, chosen: Chosen) -> Response:
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"hall-report-{chosen.label}.xlsx"
    return _download(exports.tickets_xlsx(server, chosen, _hall_of(session, server)), media, name)


@router.get(PATH + "/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC_FILES:
        raise StoreError(404, "no such file")
    return FileResponse(
        STATIC / name,
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
