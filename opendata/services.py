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
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from api.popolo import popolo_json
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


def _write_atomic(directory: Path, name: str, pieces: Iterable[str | bytes]) -> tuple[int, str]:
    """Write the file from its pieces (text is UTF-8) under a temporary name, then rename it:
    its size and SHA-256 are counted as it is written, so it is never held whole."""
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=directory, prefix=f".{name}.", delete=False) as handle:
        try:
            for piece in pieces:
                data = piece.encode() if isinstance(piece, str) else piece
                handle.write(data)
                digest.update(data)
                size += len(data)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            handle.close()
            os.unlink(handle.name)
            raise
    os.replace(handle.name, directory / name)
    return size, digest.hexdigest()


def _licence() -> dict:
    return {"name": settings.OPEN_DATA_LICENCE, "url": settings.OPEN_DATA_LICENCE_URL}


def _records(dataset: Dataset) -> Iterator[dict]:
    for record in dataset.records():
        if dataset.name == "targets":
            record = {
                **record,
                "measurements": [
                    {"date": m.get("date"), "value": m.get("value"), "source": m.get("source")}
                    for m in record.get("measurements", [])
                ],
            }
        yield record


def _csv_pieces(dataset: Dataset, counted: list[int]) -> Iterator[bytes]:
    """The dataset as CSV, a row at a time (`counted` gets the number of rows)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([column.name for column in dataset.columns])
    yield text.getvalue().encode("utf-8-sig")
    count = 0
    for record in _records(dataset):
        text.seek(0)
        text.truncate()
        writer.writerow(dataset.csv_row(record))
        yield text.getvalue().encode()
        count += 1
    counted.append(count)


def _json_pieces(dataset: Dataset, built_at: dt.datetime) -> Iterator[str]:
    """The dataset as one JSON document, indented as json.dumps(…, indent=1) writes it, a
    record at a time."""

    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder, indent=1)

    head = dumps(
        {
            "dataset": dataset.name,
            "built_at": built_at.isoformat(),
            "licence": _licence(),
            "records": [],
        }
    )
    head = head.removesuffix("[]\n}")
    yield head + "["
    first = True
    for record in _records(dataset):
        lines = dumps(record).split("\n")
        yield ("\n" if first else ",\n") + "\n".join("  " + line for line in lines)
        first = False
    yield "]\n}" if first else "\n ]\n}"


def open_data_build() -> dict:
    """Build every file and the manifest; returns the manifest."""
    root = open_data_root()
    root.mkdir(parents=True, exist_ok=True)
    revision = registry_revision()
    built_at = timezone.now()
    files: list[OpenDataFile] = []
    for dataset in DATASETS:
        counted: list[int] = []
        written = {
            "csv": _write_atomic(root, f"{dataset.name}.csv", _csv_pieces(dataset, counted)),
            "json": _write_atomic(root, f"{dataset.name}.json", _json_pieces(dataset, built_at)),
        }
        for fmt, (size, digest) in written.items():
            name = f"{dataset.name}.{fmt}"
            files.append(
                OpenDataFile(
                    name, dataset.name, fmt, size, digest, counted[0], built_at.isoformat()
                )
            )
    # The same writer as /api/popolo.json, with the spacing this file has always had.
    counts: dict[str, int] = {}
    size, digest = _write_atomic(
        root, POPOLO_FILE, popolo_json(reader=False, separators=(", ", ": "), counts=counts)
    )
    people = counts.get("persons", 0)
    files.append(
        OpenDataFile(POPOLO_FILE, "popolo", "json", size, digest, people, built_at.isoformat())
    )
    manifest = {
        "built_at": built_at.isoformat(),
        "revision": revision,
        "licence": _licence(),
        "files": [asdict(item) for item in files],
    }
    _write_atomic(root, MANIFEST, [json.dumps(manifest, ensure_ascii=False, indent=1)])
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
