"""locate: well-known places, the vectorised form, and agreement with the full boundaries."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geodata import Location, London

PLACES = {
    "Trafalgar Square": ((51.5080, -0.1281), Location("Westminster", "AW")),
    "Tower of London": ((51.5081, -0.0759), Location("Tower Hamlets", "CE")),
    "Wembley Stadium": ((51.5560, -0.2796), Location("Brent", "NW")),
    "Heathrow Airport": ((51.4700, -0.4543), Location("Hillingdon", "WA")),
    "Croydon town centre": ((51.3762, -0.0982), Location("Croydon", "SN")),
    "Brixton": ((51.4613, -0.1156), Location("Lambeth", "AS")),
    "Stratford": ((51.5416, -0.0033), Location("Newham", "NE")),
    "Romford": ((51.5750, 0.1830), Location("Havering", "EA")),
    "Tottenham Hotspur Stadium": ((51.6043, -0.0664), Location("Haringey", "NA")),
    "Greenwich Observatory": ((51.4769, -0.0005), Location("Greenwich", "SE")),
    "Kingston": ((51.4123, -0.3007), Location("Kingston upon Thames", "SW")),
    "Camden Market": ((51.5415, -0.1466), Location("Camden", "CN")),
    "Bank of England": ((51.5142, -0.0885), Location("City of London", None)),
}
OUTSIDE = {
    "Brighton": (50.8225, -0.1372),
    "Oxford": (51.7520, -1.2577),
    "Watford": (51.6565, -0.3903),
    "Dartford": (51.4462, 0.2187),
    "Paris": (48.8566, 2.3522),
    "Null Island": (0.0, 0.0),
}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_well_known_places(london: London, place: str) -> None:
    (lat, lon), expected = PLACES[place]
    assert london.locate(lat, lon) == expected


@pytest.mark.parametrize("place", sorted(OUTSIDE))
def test_outside_london(london: London, place: str) -> None:
    assert london.locate(*OUTSIDE[place]) is None


def test_city_of_london_is_shown_but_not_met(london: London) -> None:
    location = london.locate(51.5142, -0.0885)
    assert location is not None and not location.met
    assert sum(b.info.met for b in london.boroughs) == 32
    assert len(london.boroughs) == 33


def test_nonsense_coordinates_are_outside(london: London) -> None:
    assert london.locate(float("nan"), -0.1) is None
    assert london.locate(91.0, 0.0) is None
    names, _ = london.locate_many(np.array([np.nan, 51.5080]), np.array([0.0, -0.1281]))
    assert list(names) == ["", "Westminster"]


def test_locate_many_agrees_with_locate_and_with_polygons(london: London) -> None:
    rng = np.random.default_rng(3)
    lats = rng.uniform(51.25, 51.72, 4_000)
    lons = rng.uniform(-0.56, 0.36, 4_000)
    names, bcus = london.locate_many(lats, lons)
    for lat, lon, name, bcu in zip(lats, lons, names, bcus, strict=True):
        found = london.locate(lat, lon)
        assert (found.borough, found.bcu or "") == (name, bcu) if found else name == bcu == ""
    # ...and with a plain point-in-polygon test, which the raster must never contradict.
    # (Points in no borough may still be London: the Thames, see test_the_thames_is_london.)
    points = shapely.points(lons, lats)
    for borough in london.boroughs:
        inside = shapely.intersects(borough.geometry, points)
        assert np.all(names[inside] == borough.name) or borough.name == "City of London"
    assert 0.4 < np.mean(names != "") < 0.9  # the box is partly London, partly not


BRIDGES = {
    # Mid-river on the bridge: either bank's borough is right, never "outside London".
    "Westminster Bridge": ((51.5008, -0.1219), {"Westminster", "Lambeth"}),
    "Tower Bridge": ((51.5055, -0.0754), {"Tower Hamlets", "Southwark"}),
    "Vauxhall Bridge": ((51.4875, -0.1269), {"Westminster", "Lambeth"}),
    "Battersea Bridge": ((51.4820, -0.1730), {"Kensington and Chelsea", "Wandsworth"}),
    "Kew Bridge": ((51.4873, -0.2874), {"Hounslow", "Richmond upon Thames"}),
}


@pytest.mark.parametrize("bridge", sorted(BRIDGES))
def test_a_unit_on_a_bridge_is_in_london(london: London, bridge: str) -> None:
    (lat, lon), banks = BRIDGES[bridge]
    found = london.locate(lat, lon)
    assert found is not None and found.borough in banks
    names, _ = london.locate_many(np.array([lat]), np.array([lon]))
    assert names[0] == found.borough


def test_the_thames_is_london(london: London, thames: shapely.Polygon) -> None:
    """Every point of the real Thames polygon within London's extent belongs to a borough,
    the nearest one; points in a borough keep it."""
    rng = np.random.default_rng(5)
    west, south, _east, north = thames.bounds
    lons, lats = rng.uniform(west, 0.12, 20_000), rng.uniform(south, north, 20_000)
    keep = shapely.contains_xy(thames, lons, lats)
    lons, lats = lons[keep], lats[keep]  # west of 0.12: upstream of Erith, London both banks
    names, _ = london.locate_many(lats, lons)
    assert len(lats) > 300 and np.all(names != "")
    points = shapely.points(lons, lats)
    for borough in london.boroughs:
        inside = shapely.intersects(borough.geometry, points)
        assert np.all(names[inside] == borough.name)
    geometry = {b.name: b.geometry for b in london.boroughs}
    for lat, lon, name in zip(lats[:200], lons[:200], names[:200], strict=True):
        nearest = min(london.boroughs, key=lambda b: b.geometry.distance(shapely.Point(lon, lat)))
        assert geometry[name].distance(shapely.Point(lon, lat)) == pytest.approx(
            nearest.geometry.distance(shapely.Point(lon, lat))
        )


def test_shipped_boundaries_agree_with_full_resolution_on_real_incidents(
    london: London, london_full: London, met_points: tuple[np.ndarray, np.ndarray]
) -> None:
    lats, lons = met_points
    simplified, _ = london.locate_many(lats, lons)
    full, _ = london_full.locate_many(lats, lons)
    agreement = float(np.mean(simplified == full))
    print(
        f"\nborough agreement, shipped vs full resolution, on {len(lats):,} real Met "
        f"points: {agreement:.2%}"
    )
    assert agreement >= 0.98
    assert np.mean(full != "") > 0.995  # nearly every Met burglary is inside London


def test_full_resolution_file_is_accepted_as_alternative(london_full: London) -> None:
    assert london_full.source.endswith("london_boroughs.geojson")
    assert london_full.locate(51.5080, -0.1281) == Location("Westminster", "AW")
