"""The words of the maps' controls (Leaflet, Leaflet.draw), translated into the page's language.

The map scripts are static files: the layout puts these texts in the page (json_script
"pactesur-map-texts") and map.js reads them once, for every map of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _


def map_texts() -> dict[str, Any]:
    """The texts, in the active language; `draw` and `edit` follow the shape of Leaflet.draw's
    L.drawLocal.draw and L.drawLocal.edit, so map.js copies them in key by key."""
    return {
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "layers": _("Map layers"),
        "attribution": _("© OpenStreetMap contributors (ODbL)"),
        "basemapError": _("The base map could not be loaded."),
        "layerNames": {
            "buildings": _("Buildings"),
            "water": _("Water"),
            "green": _("Green areas"),
            "streets": _("Streets"),
        },
        "draw": {
            "toolbar": {
                "actions": {"title": _("Cancel drawing"), "text": _("Cancel")},
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete the last point drawn"), "text": _("Delete last point")},
                "buttons": {"polygon": _("Draw the outline"), "rectangle": _("Draw a rectangle")},
            },
            "handlers": {
                "polygon": {
                    "tooltip": {
                        "start": _("Click to start drawing the outline."),
                        "cont": _("Click to continue the outline."),
                        "end": _("Click the first point to close the outline."),
                    }
                },
                "polyline": {"error": _("<strong>Error:</strong> the edges of the outline cannot cross!")},
                "rectangle": {"tooltip": {"start": _("Click and drag to draw a rectangle.")}},
                "simpleshape": {"tooltip": {"end": _("Release the mouse to finish drawing.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Save the changes"), "text": _("Save")},
                    "cancel": {"title": _("Cancel and discard the changes"), "text": _("Cancel")},
                    "clearAll": {"title": _("Remove every outline"), "text": _("Remove all")},
                },
                "buttons": {
                    "edit": _("Reshape the outline"),
                    "editDisabled": _("No outline to reshape"),
                    "remove": _("Remove the outline"),
                    "removeDisabled": _("No outline to remove"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Drag the corners to reshape the outline."),
                        "subtext": _("Click Cancel to undo the changes."),
                    }
                },
                "remove": {"tooltip": {"text": _("Click an outline to remove it.")}},
            },
        },
    }


def map_texts_context(request: HttpRequest) -> dict[str, Callable[[], dict[str, Any]]]:
    """`map_texts`: a callable, so the texts are only looked up when a template uses them (once)."""
    cache: dict[str, dict[str, Any]] = {}

    def texts() -> dict[str, Any]:
        if "texts" not in cache:
            cache["texts"] = map_texts()
        return cache["texts"]

    return {"map_texts": texts}
