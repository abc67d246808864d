"""Dash component ids, in one place so layouts, callbacks, browser JS and tests agree.

The browser modules in ``assets/js/`` find elements by these values (by id, as
``document.getElementById("…")``): change them there too.
"""

URL = "url"
PAGE = "page"
PAGE_TITLE = "page-title"
CLOCK = "clock"
USER = "user"
SIGN_OUT = "sign-out"
NAV = "nav"
NAV_PLANNER = "nav-planner"
BANNER = "feed-banner"
# Replay (assets/js/replay.js): the header's button, and the bar with the REPLAY banner, the
# period chooser and the controls, whose inside the browser makes ("replay-play", …).
REPLAY_OPEN = "replay-open"
REPLAY_BAR = "replay-bar"
FRESHNESS = "freshness"

# The map of London on the wall (also the landing page); its layers' ids are prefixed
# with the map's ("map-boroughs", "map-bcus", "map-places", "map-bcu-labels", "map-tiles").
MAP = "map"

# Sign-in.
SIGNIN_FORM = "signin-form"
SIGNIN_FIELDS = "signin-fields"  # the inputs below are plain HTML, made by the browser
SIGNIN_USER = "signin-user"
SIGNIN_PASSWORD = "signin-password"
SIGNIN_ERROR = "signin-error"

# The wall.
WALL = "wall"
KPIS = "kpis"
AT_RISK = "at-risk"
ALERTS = "alerts"
BCU_TABLE = "bcu-table"
MOVES = "moves"

# The inspector's desk.
INSPECTOR = "inspector"
INSPECTOR_MAP = "inspector-map"
INSPECTOR_BCU = "inspector-bcu"
QUEUE = "queue"
UNITS = "units"
DETAIL = "detail"
ACTIONS = "actions"
RESULT = "result"
QUEUE_FILTERS = "queue-filters"  # grade/status filters and search, made by the browser
ALERT_MUTE = "alert-mute"
INSPECTOR_ALERT = "inspector-alert"

# The planner. Each report's section, chart, table and export links are
# "report-<name>", "report-<name>-chart", "report-<name>-table", "report-<name>-<format>".
PLANNER = "planner"
REPORT_FROM = "report-from"
REPORT_TO = "report-to"
REPORT_SHOW = "report-show"
REPORT_STATUS = "report-status"
