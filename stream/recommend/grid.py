"""Demand points for cover: the centres of the H3 cells (resolution 7, ~5 km²) that cover
the Met's London, each with its BCU.

Resolution 7 gives 404 points: fine enough that a 15-minute drive covers dozens of them,
coarse enough that every unit against every point is one small matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import h3
import numpy as np
from numpy.typing import NDArray

from geodata.hexgrid import covering_hexes
from geodata.london import London

RESOLUTION = 7


@dataclass(frozen=True)
class CoverGrid:
    cells: tuple[str, ...]
    lats: NDArray[np.float64]
    lons: NDArray[np.float64]
    bcus: tuple[str, ...]
    boroughs: tuple[str, ...]  # the borough each cell mostly lies in, for words
    resolution: int = RESOLUTION
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, london: London, resolution: int = RESOLUTION) -> CoverGrid:
        """Every cell over a Met borough (the City of London is not the Met's to cover)."""
        bcu_of = {b.name: b.info.bcu for b in london.boroughs}
        cells = sorted(
            (cell, bcu, borough)
            for cell, borough in covering_hexes(london, resolution).items()
            if (bcu := bcu_of.get(borough))
        )
        centres = np.array([h3.cell_to_latlng(c[0]) for c in cells], dtype=np.float64)
        return cls(
            tuple(c[0] for c in cells),
            centres[:, 0].copy(),
            centres[:, 1].copy(),
            tuple(c[1] for c in cells),
            tuple(c[2] for c in cells),
            resolution,
        )

    def __len__(self) -> int:
        return len(self.cells)

    @cached_property
    def bcu_array(self) -> NDArray[np.str_]:
        return np.array(self.bcus)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """The BCUs the grid covers, sorted."""
        return tuple(sorted(set(self.bcus)))

    def point_of(self, lat: float, lon: float) -> int | None:
        """The index of the point whose cell holds (lat, lon), if the grid has that cell."""
        if not self._index:
            self._index.update({cell: i for i, cell in enumerate(self.cells)})
        return self._index.get(str(h3.latlng_to_cell(lat, lon, self.resolution)))

    def weights_from(self, counts: Mapping[str, float]) -> NDArray[np.float64]:
        """Per-point totals of ``counts`` keyed by H3 cells of this or a finer resolution."""
        totals = np.zeros(len(self.cells), dtype=np.float64)
        if not self._index:
            self._index.update({cell: i for i, cell in enumerate(self.cells)})
        for cell, count in counts.items():
            parent = h3.cell_to_parent(cell, self.resolution)
            if (i := self._index.get(str(parent))) is not None:
                totals[i] += count
        return totals
