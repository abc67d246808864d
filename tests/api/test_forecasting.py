"""The live recommender's forecast fitted from the log (api.forecasting), on SQLite and
PostgreSQL: calls concentrated in one place weigh that place above the prior; an empty or
short log keeps the prior; a server fits at start and says so on /readyz."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest

from api.forecasting import MIN_CALLS, Forecasting, fit_from_log
from api.recommending import Recommending, context_for
from geodata.travel import CrowFliesModel
from reports.readmodel import ReadModel
from stream.advice import Advisor
from stream.log import EventLog
from stream.recommend.forecast import Prior, Seasonal
from tests.databases import migrated
from tests.live import LiveServer
from tests.stream import factories as f
from tests.stream.factories import POINTS, START

Database = tuple[str, str | None]
STRATFORD = POINTS["NE"]  # every I-grade call of the log below is here
EVERY = timedelta(minutes=30)


def calls(days: float, first: int = 1) -> list[dict[str, object]]:
    """Two I-grade calls an hour in Stratford for ``days``, each followed a
    quarter of an hour later by an S-grade one in Camden (not I-grade: no part of the
    forecast; and the picture's clock follows events that close together step by step)."""
    raws: list[dict[str, object]] = []
    for n in range(int(days * 24 * 2)):
        at = START + n * EVERY
        raws.append(f.incident_created(f"I{n}", "I", *STRATFORD, time=at))
        raws.append(f.incident_created(f"S{n}", "S", *POINTS["CN"], time=at + EVERY / 2))
    return raws


def logged(database: Database, raws: list[dict[str, object]]) -> EventLog:
    url, schema = database
    log = EventLog(migrated(url, schema), schema=schema)
    if raws:
        log.append(f.numbered(raws))
    ReadModel.of(log).catch_up(log)
    return log


def forecasting(log: EventLog) -> Forecasting:
    london, travel = f.london(), CrowFliesModel()
    recommending = Recommending(context_for(london, travel), Advisor(travel))
    return Forecasting.of(london, log.engine, recommending, every_s=3600)


def shares(rates: np.ndarray) -> np.ndarray:
    return rates / rates.sum()


def test_calls_in_one_place_weigh_it_above_the_prior(sqlite_or_postgres: Database) -> None:
    log = logged(sqlite_or_postgres, calls(days=8))
    forecast = forecasting(log)
    picture = log.picture()
    assert picture.now is not None
    fitted = asyncio.run(forecast.refit(picture))
    # to the last whole hour before the picture's time (the last call's, 191.75 h after START)
    assert fitted.source == "log" and fitted.calls == 2 * 191
    live = forecast.recommending.context.forecast
    assert isinstance(live, Seasonal) and live is fitted.forecast
    grid = forecast.recommending.context.grid
    stratford = grid.point_of(*STRATFORD)
    camden = grid.point_of(*POINTS["CN"])
    assert stratford is not None and camden is not None
    now = picture.now
    prior = forecast.prior.rates(now)
    assert shares(live.rates(now))[stratford] > 10 * shares(prior)[stratford]
    assert shares(live.rates(now))[camden] < shares(prior)[camden]  # S-grade calls are not demand
    # London's total for the hour is the log's two calls an hour, not the prior's dozens
    assert live.rates(now).sum() == pytest.approx(2.0)
    assert prior.sum() > 10
    assert "fitted from the log: 382 I-grade calls" in forecast.describe()
    log.close()


def test_an_empty_log_gives_the_prior(sqlite_or_postgres: Database) -> None:
    log = logged(sqlite_or_postgres, [])
    forecast = forecasting(log)
    fitted = asyncio.run(forecast.refit(log.picture()))
    assert fitted.source == "prior" and fitted.forecast is forecast.prior
    assert forecast.recommending.context.forecast is forecast.prior
    assert "the log is empty" in forecast.describe()
    # a picture with a time but no call in the read model: the prior too
    log.append(f.numbered([f.unit_on_duty("U1", "AW", "IRV", *POINTS["AW"], time=START)]))
    fitted = asyncio.run(forecast.refit(log.picture()))
    assert fitted.source == "prior" and "no calls" in forecast.describe()
    log.close()


def test_a_short_log_gives_the_prior(sqlite_or_postgres: Database) -> None:
    log = logged(sqlite_or_postgres, calls(days=6))
    forecast = forecasting(log)
    fitted = asyncio.run(forecast.refit(log.picture()))
    assert fitted.calls > MIN_CALLS  # short in time, not in calls
    assert fitted.source == "prior" and isinstance(forecast.recommending.context.forecast, Prior)
    assert "calls span 6.0 days" in forecast.describe()
    log.close()


def test_a_week_of_few_calls_gives_the_prior(sqlite_or_postgres: Database) -> None:
    few = [r for n, r in enumerate(calls(days=8)) if n % 8 == 0]  # an I-grade call every 2 h
    log = logged(sqlite_or_postgres, few)
    end = START + timedelta(days=8)
    forecast = forecasting(log)
    grid, prior = forecast.recommending.context.grid, forecast.prior
    fitted = fit_from_log(log.engine, grid, prior, end)
    assert fitted.source == "prior" and fitted.calls == 8 * 12 < MIN_CALLS
    assert fit_from_log(log.engine, grid, prior, end, min_calls=8 * 12).source == "log"
    log.close()


def test_a_later_refit_replaces_the_prior(sqlite_or_postgres: Database) -> None:
    raws = calls(days=8)
    cut = (START + timedelta(days=6)).isoformat().replace("+00:00", "Z")  # as the events say
    log = logged(sqlite_or_postgres, [r for r in raws if str(r["time"]) < cut])
    forecast = forecasting(log)
    assert asyncio.run(forecast.refit(log.picture())).source == "prior"
    later = [r for r in raws if str(r["time"]) >= cut]
    log.append(f.numbered(later, first=log.last_seq() + 1))
    ReadModel.of(log).catch_up(log)
    assert asyncio.run(forecast.refit(log.picture())).source == "log"
    assert isinstance(forecast.recommending.context.forecast, Seasonal)
    log.close()


def test_a_server_fits_the_forecast_at_start(tmp_path: Path) -> None:
    server = LiveServer({}, tmp_path)
    url = migrated(server.env["BLUELAMP_DATABASE_URL"])
    log = EventLog(url)
    log.append(f.numbered(calls(days=8)))
    log.close()
    server.start()
    try:
        detail = _fitted(server)
        assert "fitted from the log: 382 I-grade calls over 8.0 days" in detail
    finally:
        server.stop()


def _fitted(server: LiveServer, timeout: float = 60) -> str:
    """/readyz's word on the forecast, once it says it was fitted from the log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        checks = httpx.get(f"{server.url}/readyz", timeout=10).json()["checks"]
        detail = str(checks["forecast"]["detail"])
        if "fitted from the log:" in detail:
            return detail
        time.sleep(0.2)
    pytest.fail(f"no forecast fitted within {timeout} s: {detail}")
