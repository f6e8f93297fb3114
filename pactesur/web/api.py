"""The /api/v1/ REST API: one NinjaAPI, routers owned by the apps."""

from ninja import NinjaAPI

from pactesur.accounts.api_auth import ApiTokenAuth

api = NinjaAPI(
    title="PACTESUR API",
    version="1",
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
    openapi_url="/openapi.json",
    docs_url=None,
)

api.add_router("/cities/", "pactesur.cities.api.router")
api.add_router("/networks/", "pactesur.streets.api.router")
api.add_router("/spaces/", "pactesur.spaces.api.router")
api.add_router("/events/", "pactesur.events.api.router")
