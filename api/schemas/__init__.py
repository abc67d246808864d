"""What the API's routes answer, as pydantic models: the OpenAPI document's contract.

The routes build their JSON elsewhere (api.views, api.advice, the picture, the reports) and
return it as it is; these models describe it, one module per concern, and are not used to
filter or re-encode an answer (a route returning a Response is passed through by FastAPI).
"""
