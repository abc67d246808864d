"""OpenAPI and its browsable docs, behind a credential like everything but health.

Swagger UI comes from the fastapi-offline package's files, served here: nothing is loaded
from a CDN (control rooms are often offline). A signed-in browser's cookie is enough.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from api.deps import Authenticated, ServicesDep

DOCS_ASSETS = "/docs/assets"


def swagger_page() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Bluelamp API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
    )


def add_docs(app: FastAPI) -> None:
    router = APIRouter(include_in_schema=False)
    if (policy := getattr(app.state, "csp", None)) is not None:
        # The page's inline script (Swagger UI's set-up) is allowed by its hash.
        policy.allow_inline_scripts_of(bytes(swagger_page().body))

    @router.get("/openapi.json", name="openapi")
    async def openapi(who: Authenticated) -> JSONResponse:
        return JSONResponse(app.openapi())

    @router.get("/docs", name="docs")
    async def docs(request: Request, who: Authenticated) -> HTMLResponse:
        return swagger_page()

    @router.get("/metrics", name="metrics")
    async def metrics(who: Authenticated, services: ServicesDep) -> Response:
        """Prometheus text format (scrape with a bearer token of any role)."""
        body = services.metrics.render(lambda: services.spine.picture.seq)
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    app.include_router(router)
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")))
