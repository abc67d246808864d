"""The composition root: the one place that imports every room and assembles the product.

``server.py`` builds the one ASGI app (the API, the WebSocket and the dashboard), ``demo.py``
the demo users and the simulated feed, ``cli.py`` the ``bluelamp`` command with every room's
sub-commands.
"""
