"""Errors the engine raises, with messages a user can act on."""


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class OsmInputError(EngineError, ValueError):
    """The OSM file cannot be read, or holds nothing the engine can use."""


class AreaError(EngineError, ValueError):
    """A space or analysis area is invalid, or does not touch the street network."""


class AreaOutsideNetworkError(AreaError):
    """No way, way along it or open surface of the street network reaches the area: the extract does
    not cover it (its outline itself may be valid)."""


class UnknownVehicleError(EngineError, ValueError):
    """A vehicle code is not in the vehicle table."""
