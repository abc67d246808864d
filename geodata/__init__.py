"""London: boundaries, BCUs, point lookup, hex grid, travel times. Imports nothing of ours."""

from geodata.london import Bcu, Borough, Location, London

__all__ = ["Bcu", "Borough", "Location", "London"]
