"""The web app: ``create_app(settings)`` builds one ``AskplanService``, starts preparing its index from the
lifespan (in a background thread, so pages answer "正在准备索引…" meanwhile) and maps domain errors to HTTP
statuses at the edge: BadQuery 422, NotFound 404, IndexMissing/IndexStale/ModelUnavailable/BackendUnavailable
503, anything else a logged 500 without a traceback. ``/api/*`` and ``/healthz`` answer JSON, every other path HTML."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from askplan import __version__
from askplan.config import REPO_ROOT, Settings
from askplan.errors import (
    AskplanError,
    BackendUnavailable,
    BadQuery,
    IndexBusy,
    IndexMissing,
    IndexStale,
    IndexUnwritable,
    ModelUnavailable,
    NotFound,
)
from askplan.web.guard import Guard
from askplan.web.readiness import Preparing, Readiness
from askplan.web.templating import make_templates, render

log = logging.getLogger(__name__)
WEB_DIR = REPO_ROOT / "web"
STATUS_OF: tuple[tuple[type[AskplanError], int], ...] = (
    (BadQuery, 422), (NotFound, 404), (IndexMissing, 503), (IndexStale, 503), (ModelUnavailable, 503),
    (IndexUnwritable, 503), (IndexBusy, 503), (BackendUnavailable, 503),
)
INDEX_FIX = "askplan index --force"
PATH_FIX = "askplan serve --index DIR (or ASKPLAN_INDEX=DIR) with a folder you can write"
TITLES = {403: "不接受这个请求", 404: "找不到这个页面", 405: "不支持的请求方法", 409: "正在处理另一个文件",
          413: "文件过大", 415: "不支持的文件类型", 422: "无法处理这个请求", 500: "服务器内部错误", 503: "暂时无法回答"}
# What an HTML error page says first, in Chinese; the detail (which may be the library's English) follows.
EXPLAIN = {404: "地址里的页面、文件或条款不存在。可以从上方的“文件”栏目查找，或直接提问。",
           409: "一次只能处理一个上传的文件。请等当前文件处理完后再上传。",
           413: "上传的文件超过了大小上限。",
           415: "只能上传 Word（.docx）、PDF（有文字层）、网页（.html/.htm）或文本（.txt/.md）文件。",
           405: "这个地址不接受这种请求。请从页面上的链接或按钮进入。",
           422: "请求中的参数无法处理，请检查后重试。",
           500: "服务器出错了，错误已记入服务器日志。请稍后再试。",
           503: "检索索引暂时不可用。"}


def create_app(settings: Settings | None = None, service=None, *, build_if_missing: bool = True,
               say: Callable[[str], None] | None = None) -> FastAPI:
    """The app over ``service`` (default: ``AskplanService(settings)``). With ``build_if_missing`` a missing
    or stale index (and the model) is built on start; otherwise the app answers 503 naming the fix."""
    if service is None:
        from askplan.service import AskplanService

        service = AskplanService(settings or Settings())
    readiness = Readiness(service, build_if_missing=build_if_missing, say=say,
                          on_swap=lambda fresh: setattr(app.state, "service", fresh))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = service.settings.request_threads
        readiness.start()
        yield

    swagger = _local_swagger_ui()
    app = AskplanApp(title="askplan", version=__version__, lifespan=lifespan, redoc_url=None,
                  docs_url=None if swagger else "/docs",
                  description="Ask Chinese government plans: the exact clause, who leads it, and a citation.")
    app.state.service, app.state.readiness = service, readiness
    app.state.templates = make_templates(WEB_DIR / "templates")
    if swagger:
        _serve_local_docs(app, swagger)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    _add_error_handlers(app)

    from askplan.web import routes_api, routes_check, routes_dept, routes_pages

    app.include_router(routes_api.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_dept.router)
    app.include_router(routes_check.router)
    if getattr(service.settings, "allow_upload", False):  # off: no route, no link, no larger body limit
        from askplan.web import routes_upload

        app.include_router(routes_upload.router)
        app.body_limits = ((routes_upload.PATH, routes_upload.BODY_LIMIT),)
    app.state.templates.env.globals["allow_upload"] = bool(getattr(service.settings, "allow_upload", False))
    return app


class AskplanApp(FastAPI):
    """FastAPI with ``Guard`` (URL and body limits, nosniff, HEAD) outside every other layer, so even the
    responses of Starlette's own error middleware pass through it."""

    body_limits: tuple[tuple[str, int], ...] = ()  # (path, bytes) beyond guard.BODY_LIMITS

    def build_middleware_stack(self):
        return Guard(super().build_middleware_stack(), self.body_limits)


def _local_swagger_ui() -> Path | None:
    """Swagger UI 5 (OpenAPI 3.1) from the optional ``swagger-ui-py`` package, so ``/docs`` works offline;
    without it FastAPI's default page, which loads Swagger UI from a CDN, is used."""
    import importlib.util

    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "static"
    return path if (path / "swagger-ui-bundle.js").exists() and (path / "swagger-ui.css").exists() else None


def _serve_local_docs(app: FastAPI, swagger: Path) -> None:
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount("/static/swagger", StaticFiles(directory=swagger), name="swagger")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="askplan API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/api", "/healthz", "/readyz")


def status_of(exc: AskplanError) -> int:
    return next((code for cls, code in STATUS_OF if isinstance(exc, cls)), 500)


def error_response(request: Request, status: int, detail: str, *, fix: str | None = None,
                   headers: dict | None = None, title: str | None = None) -> Response:
    if wants_json(request):
        body = {"detail": detail, **({"fix": fix} if fix else {})}
        return JSONResponse(body, status_code=status, headers=headers)
    return render(request, "error.html", status_code=status, headers=headers, status=status,
                  title=title or TITLES.get(status, "出错了"), explain=EXPLAIN.get(status, "请求没有完成。"),
                  message=detail, fix=fix)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AskplanError)
    async def domain_error(request: Request, exc: AskplanError) -> Response:
        status = status_of(exc)
        fix = INDEX_FIX if isinstance(exc, IndexMissing | IndexStale) else PATH_FIX if isinstance(
            exc, IndexUnwritable) else None
        if isinstance(exc, IndexMissing | IndexStale):
            request.app.state.readiness.broken(exc)  # found at query time: not ready until it is rebuilt
        if status == 500:
            log.error("domain error on %s", request.url.path, exc_info=exc)
        title = "找不到这个文件或条款" if isinstance(exc, NotFound) else None
        return error_response(request, status, str(exc), fix=fix, title=title)

    @app.exception_handler(Preparing)
    async def preparing(request: Request, exc: Preparing) -> Response:
        headers = {"Retry-After": "5"}
        if wants_json(request):
            return JSONResponse({"detail": str(exc), "status": "building", "progress": exc.progress},
                                status_code=503, headers=headers)
        return render(request, "preparing.html", status_code=503, headers=headers, progress=exc.progress)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
                             for e in exc.errors())
        return error_response(request, 422, f"invalid request: {problems}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = f"没有这个页面：{request.url.path}" if exc.status_code == 404 else str(exc.detail)
        return error_response(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(request, 500, "internal error; it has been logged on the server")
