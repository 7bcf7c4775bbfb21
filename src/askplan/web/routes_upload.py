"""``/upload``, registered only under ``askplan serve --allow-upload``: a form (file + optional 标题/发文机关/日期/
slug), its POST (the file checked and copied, then ``add_documents`` in the background, as ``askplan add`` does)
and ``/upload/status`` (JSON the page polls for progress and the result). When the job ends the app serves from
the changed corpus and its new index at once."""

from __future__ import annotations

import logging
import shutil
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from askplan.ingest.extract import EXTENSIONS, MAX_FILE_BYTES
from askplan.web.app import error_response
from askplan.web.templating import render
from askplan.web.uploads import UploadJob, UploadRejected, safe_name, save_upload, temp_folder

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PATH = "/upload"
BODY_LIMIT = MAX_FILE_BYTES + 64 * 1024  # the file plus the form's other fields and multipart boundaries
FIELDS = (("title", "标题"), ("issuer", "发文机关"), ("date", "日期"), ("slug", "slug"))
MAX_FIELD_CHARS = 200


def job_of(request: Request) -> UploadJob:
    state = request.app.state
    if getattr(state, "upload_job", None) is None:
        state.upload_job = UploadJob()
    return state.upload_job


@router.get(PATH)
def upload_page(request: Request) -> Response:
    return render(request, "upload.html", job=job_of(request).status(), fields=FIELDS,
                  accept=",".join(EXTENSIONS), limit_mb=MAX_FILE_BYTES // 2**20)


@router.get(PATH + "/status")
def upload_status(request: Request) -> JSONResponse:
    return JSONResponse(job_of(request).status(), headers={"Cache-Control": "no-store"})


@router.post(PATH)
async def upload(request: Request) -> Response:
    async with request.form(max_files=1, max_fields=len(FIELDS) + 1) as form:
        return await _accept(request, form)


async def _accept(request: Request, form) -> Response:
    """Check and copy the file, then start the job: 303 to the page that shows its progress."""
    job = job_of(request)
    try:
        _same_origin(request)
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise UploadRejected(422, "请选择要上传的文件。no file was chosen; choose a .docx, .pdf, .html, "
                                      ".txt or .md file")
        name = safe_name(file.filename)
        values = {key: _field(form.get(key), label) for key, label in FIELDS}
        job.claim(name)
    except UploadRejected as exc:
        return error_response(request, exc.status, str(exc))
    folder = temp_folder()
    try:
        path = await run_in_threadpool(save_upload, file.file, name, folder)
    except UploadRejected as exc:
        shutil.rmtree(folder, ignore_errors=True)
        job.release()
        return error_response(request, exc.status, str(exc))
    job.run(lambda say: _add(request.app, path, values, say), folder)
    return RedirectResponse(PATH, status_code=303)


def _same_origin(request: Request) -> None:
    """A form posted from another site's page (its browser sends that site as Origin) adds nothing."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise UploadRejected(403, "只能从本站的上传页面提交文件。uploads are accepted only from this server's "
                                  "own /upload page")


def _field(value, label: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_FIELD_CHARS or any(ord(ch) < 32 for ch in text):
        raise UploadRejected(422, f"“{label}”太长或含有控制字符。the {label} field is too long or has control "
                                  f"characters; at most {MAX_FIELD_CHARS} characters on one line")
    return text


def _add(app, path, values: dict[str, str], say) -> dict:
    """What ``askplan add PATH --title … --issuer … --date … --slug …`` does, then serve the result at once."""
    from askplan.documents import add_documents
    from askplan.ingest.add import Overrides

    service = app.state.service
    say(f"正在读取 {path.name} …")
    added = add_documents(service.settings, [path], Overrides(**values), encoder=service.encoder(), say=say)
    say("正在载入新的索引 …")
    app.state.readiness.swap(service.reopened())
    doc = added.documents[0]
    return {"slug": doc["slug"], "title": doc["title"], "status": doc["status"], "measures": doc["measures"],
            "with_responsibility": doc["with_responsibility"], "coverage": doc["coverage"],
            "warnings": doc["warnings"], "url": f"/d/{doc['slug']}", "seconds": added.seconds}
