"""The open-data pages: the list of files, each download, and the data dictionary."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opendata import datasets, services
from portal.public import public_gate

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
BUILD_LOCK = "opendata:first-build"


def _manifest() -> dict | None:
    """The built files; the very first visit builds them when the scheduled task has not yet."""
    manifest = services.open_data_manifest()
    if manifest is None and cache.add(BUILD_LOCK, "1", 300):
        try:
            manifest = services.open_data_build()
        finally:
            cache.delete(BUILD_LOCK)
    return manifest


def _index_rows(manifest: dict | None) -> list[dict]:
    """One row per dataset, its CSV and JSON side by side."""
    if manifest is None:
        return []
    by_dataset: dict[str, dict] = {}
    for item in manifest["files"]:
        item = {**item, "built": dt.datetime.fromisoformat(item["built_at"])}
        by_dataset.setdefault(item["dataset"], {})[item["format"]] = item
    rows = []
    for dataset in datasets.DATASETS:
        if dataset.name in by_dataset:
            rows.append({"dataset": dataset, "files": by_dataset[dataset.name]})
    return rows


@require_GET
@public_gate
def index(request):
    manifest = _manifest()
    popolo = None
    if manifest is not None:
        popolo = next((f for f in manifest["files"] if f["dataset"] == "popolo"), None)
        if popolo is not None:
            popolo = {**popolo, "built": dt.datetime.fromisoformat(popolo["built_at"])}
    return render(
        request,
        "opendata/index.html",
        {
            "manifest": manifest,
            "built": dt.datetime.fromisoformat(manifest["built_at"]) if manifest else None,
            "rows": _index_rows(manifest),
            "popolo": popolo,
            "packages": datasets.COMMITTEE_PACKAGES,
            "licence": settings.OPEN_DATA_LICENCE,
            "licence_url": settings.OPEN_DATA_LICENCE_URL,
        },
    )


@require_GET
@public_gate
def dictionary(request):
    return render(
        request,
        "opendata/dictionary.html",
        {
            "datasets": datasets.DATASETS,
            "licence": settings.OPEN_DATA_LICENCE,
            "licence_url": settings.OPEN_DATA_LICENCE_URL,
        },
    )


def _file_response(request, name: str):
    path = services.open_data_file(name)
    if path is None:
        raise Http404
    manifest = services.open_data_manifest() or {"files": []}
    item = next((f for f in manifest["files"] if f["name"] == name), None)
    etag = f'"{item["sha256"]}"' if item else None
    if etag and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    fmt = name.rsplit(".", 1)[-1]
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt]
    )
    if etag:
        response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
@public_gate
def download(request, name: str):
    return _file_response(request, name)
