"""Builds the open-data files: each dataset as CSV (UTF-8 with BOM, so spreadsheets keep the
diacritics) and JSON, and the whole registry as Popolo JSON; then a manifest with each file's
date, size and SHA-256. Files land by atomic rename, so a download never sees half a file."""

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from api.popolo import popolo_document
from opendata.datasets import DATASETS, Dataset
from portal.revision import registry_revision

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
POPOLO_FILE = "popolo.json"


@dataclass(frozen=True)
class OpenDataFile:
    name: str  # the file name, e.g. "committees.csv"
    dataset: str  # "committees", …, or "popolo"
    format: str  # "csv", "json"
    size: int
    sha256: str
    records: int
    built_at: str  # ISO datetime


def open_data_root() -> Path:
    return Path(
        getattr(settings, "OPEN_DATA_ROOT", "") or Path(settings.PRIVATE_STORAGE_ROOT) / "open-data"
    )


def _write_atomic(directory: Path, name: str, content: bytes) -> tuple[int, str]:
    with tempfile.NamedTemporaryFile(dir=directory, prefix=f".{name}.", delete=False) as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, directory / name)
    return len(content), hashlib.sha256(content).hexdigest()


def _licence() -> dict:
    return {"name": settings.OPEN_DATA_LICENCE, "url": settings.OPEN_DATA_LICENCE_URL}


def _dataset_files(dataset: Dataset, built_at: dt.datetime) -> tuple[bytes, bytes, int]:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([column.name for column in dataset.columns])
    records = []
    for record in dataset.records():
        if dataset.name == "targets":
            record = {
                **record,
                "measurements": [
                    {"date": m.get("date"), "value": m.get("value"), "source": m.get("source")}
                    for m in record.get("measurements", [])
                ],
            }
        writer.writerow(dataset.csv_row(record))
        records.append(record)
    csv_bytes = text.getvalue().encode("utf-8-sig")
    document = {
        "dataset": dataset.name,
        "built_at": built_at.isoformat(),
        "licence": _licence(),
        "records": records,
    }
    json_bytes = json.dumps(document, ensure_ascii=False, cls=DjangoJSONEncoder, indent=1).encode()
    return csv_bytes, json_bytes, len(records)


def open_data_build() -> dict:
    """Build every file and the manifest; returns the manifest."""
    root = open_data_root()
    root.mkdir(parents=True, exist_ok=True)
    revision = registry_revision()
    built_at = timezone.now()
    files: list[OpenDataFile] = []
    for dataset in DATASETS:
        csv_bytes, json_bytes, count = _dataset_files(dataset, built_at)
        for fmt, content in (("csv", csv_bytes), ("json", json_bytes)):
            name = f"{dataset.name}.{fmt}"
            size, digest = _write_atomic(root, name, content)
            files.append(
                OpenDataFile(name, dataset.name, fmt, size, digest, count, built_at.isoformat())
            )
    popolo = popolo_document(reader=False)
    popolo_bytes = json.dumps(popolo, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
    size, digest = _write_atomic(root, POPOLO_FILE, popolo_bytes)
    people = len(popolo.get("persons", []))
    files.append(
        OpenDataFile(POPOLO_FILE, "popolo", "json", size, digest, people, built_at.isoformat())
    )
    manifest = {
        "built_at": built_at.isoformat(),
        "revision": revision,
        "licence": _licence(),
        "files": [asdict(item) for item in files],
    }
    _write_atomic(root, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    logger.info("Open data built: %s files at %s", len(files), built_at.isoformat())
    return manifest


def open_data_manifest() -> dict | None:
    path = open_data_root() / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def open_data_refresh(*, force: bool = False) -> dict:
    """Rebuild when the registry changed since the last build (or when asked); the scheduled
    task calls this, so a quiet registry costs one cache read."""
    manifest = open_data_manifest()
    if force or manifest is None or manifest.get("revision") != registry_revision():
        return open_data_build()
    return manifest


def open_data_file(name: str) -> Path | None:
    """A built file by its name, only if the manifest lists it."""
    manifest = open_data_manifest()
    if manifest is None or name not in {item["name"] for item in manifest["files"]}:
        return None
    path = open_data_root() / name
    return path if path.is_file() else None
