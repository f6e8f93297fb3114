"""Helpers of the measures tests: the seeded catalogue, back after a transactional test flushed it."""

from __future__ import annotations

import importlib
import io
from typing import Any

from django.apps import apps as django_apps


class _CatalogueApps:
    """The app registry as the seed migrations ask it: the catalogue model now lives in measures."""

    def get_model(self, app_label: str, name: str) -> Any:
        if name.lower() == "measuretype":
            return django_apps.get_model("measures", "MeasureType")
        return django_apps.get_model(app_label, name)


def seed_catalogue() -> None:
    """Seed the shared catalogue as the migrations do (assessments 0002, measures 0003); idempotent."""
    registry = _CatalogueApps()
    importlib.import_module("pactesur.assessments.migrations.0002_measure_catalogue").seed(registry, None)
    importlib.import_module("pactesur.measures.migrations.0003_seed_catalogue").seed(registry, None)


def photo_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    """A small real image, made with Pillow."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(out, format=fmt)
    return out.getvalue()


def photo_upload(name: str = "IMG_0042.png", content: bytes | None = None) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, photo_bytes() if content is None else content, content_type="image/png")
