"""The outermost layer of the app, pure ASGI, before anything parses a request:

- a URL longer than ``MAX_URL_CHARS`` is a 414 and a body larger than its path's limit a 413, both JSON with a
  Chinese message (the limit is checked on ``Content-Length`` and again on the bytes actually streamed, so a
  lying or absent header changes nothing; at most the limit is held in memory);
- every response carries ``X-Content-Type-Options: nosniff``;
- ``HEAD`` is answered for every ``GET`` route (the GET response without its body).
"""

from __future__ import annotations

import json

KB = 1024
BODY_LIMITS = (("/api/check", 1024 * KB), ("/check", 1024 * KB))  # a 20,000-character draft, form-encoded
DEFAULT_BODY_LIMIT = 64 * KB
MAX_URL_CHARS = 8 * KB
NOSNIFF = (b"x-content-type-options", b"nosniff")


def body_limit(path: str, extra: tuple[tuple[str, int], ...] = ()) -> int:
    return next((limit for prefix, limit in (*extra, *BODY_LIMITS) if path == prefix), DEFAULT_BODY_LIMIT)


class Guard:
    """``limits``: (path, bytes) pairs on top of ``BODY_LIMITS``, for routes that exist only when enabled."""

    def __init__(self, app, limits: tuple[tuple[str, int], ...] = ()) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _nosniff(send)
        url_chars = len(scope.get("raw_path") or scope["path"]) + len(scope.get("query_string") or b"")
        if url_chars > MAX_URL_CHARS:
            await _reject(send, 414, f"网址过长（{url_chars} 个字符，上限 {MAX_URL_CHARS}）。the URL is too long; "
                                     "ask a shorter question, or POST a draft to /api/check")
            return
        limit = body_limit(scope["path"], self.limits)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _reject(send, 413, _too_large(declared, limit, scope["path"]))
            return
        messages, total = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            total += len(message.get("body", b""))
            if total > limit:
                await _reject(send, 413, _too_large(total, limit, scope["path"]))
                return
            if not message.get("more_body"):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()

        if scope["method"] == "HEAD":
            scope, send = {**scope, "method": "GET"}, _bodiless(send)
        await self.app(scope, replay, send)


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.strip().isdigit() else 1 << 62  # unreadable: treated as too large
    return None


def _too_large(size: int, limit: int, path: str) -> str:
    fix = "upload a smaller file (at most 20 MB)" if path == "/upload" else "send a shorter text"
    return f"请求内容过大（{size:,} 字节，{path} 的上限为 {limit:,} 字节）。the request body is too large; {fix}"



def _nosniff(send):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            headers = [h for h in message.get("headers", ()) if h[0].lower() != NOSNIFF[0]]
            message = {**message, "headers": [*headers, NOSNIFF]}
        await send(message)

    return wrapped


def _bodiless(send):
    async def wrapped(message):
        if message["type"] == "http.response.body":
            if message.get("more_body"):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return wrapped


async def _reject(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body, "more_body": False})
