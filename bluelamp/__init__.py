"""The composition root: the one place that imports every room and assembles the product.

``server.py`` builds the one ASGI app (the API, the WebSocket and the dashboard), ``demo.py``
the demo users and the simulated feed, ``cli.py`` the ``bluelamp`` command with every room's
sub-commands.
"""

import os

# Before anything imports numpy: OpenBLAS's default of a thread per core made the
# recommender's matrix products 2-5x slower beside a busy server (docs/performance.md);
# its matrices are small, and the server's own threads want the cores. A deployment may
# still set it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
