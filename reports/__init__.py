"""Reports for resource planners, computed from the read models (``reports.readmodel``) and
rendered as JSON, CSV, XLSX or PDF (``reports.formats``); the reports by name are in
``reports.catalogue``.

Nothing is imported here: the API's database opens the report jobs' table
(``reports.jobs``), and that must not load pandas into ``bluelamp --help`` or
``bluelamp users``.
"""
