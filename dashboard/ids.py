"""Dash component ids, in one place so layouts, callbacks, browser JS and tests agree.

``assets/bluelamp.js`` refers to ``CLOCK`` and ``MAP`` by value: change them there too.
"""

URL = "url"
PAGE = "page"
PAGE_TITLE = "page-title"
CLOCK = "clock"
MAP = "map"
TILES = "map-tiles"
BOROUGHS = "map-boroughs"
BCUS = "map-bcus"
BCU_LABELS = "map-bcu-labels"
