"""London: boundaries, BCUs, point lookup, hex grid and travel times. Pure: imports nothing of ours."""

from geodata.london import Bcu, Borough, London, Location

__all__ = ["Bcu", "Borough", "London", "Location"]
