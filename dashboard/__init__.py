"""Bluelamp's screens (Dash + dash-leaflet), and the composition root: server.py and cli.py."""
