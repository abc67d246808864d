"""The composition root: the one place that imports every room and assembles the product.

``server.py`` builds the one ASGI app (the API, the WebSocket and the dashboard), ``demo.py``
the demo users and the simulated feed, ``cli.py`` the ``bluelamp`` command with every room's
sub-commands.
"""

import os

# One BLAS thread unless the environment says otherwise, set before numpy loads (the
# ``bluelamp`` command imports this package first). The recommender's one matrix product
# (move-up gains) is small, and OpenBLAS's second thread spins for a while after each one:
# on a box shared with other work it took a core from the simulator and the server for no
# gain (docs/performance.md, "The simulator with the recommender as its policy"). A
# simulated day's events are the same either way (checked for each scenario).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
