"""The policy's rounds beside the calls, for a policy that makes them (bluelamp): move-ups
every 10 simulated minutes, and every minute a look at the I-grade calls units are driving
to, for one that needs a back-up.

The base of :class:`stream.sim.engine.Simulation`, which sends units (``_dispatch``, and
``_divert`` for a unit committed to another call) and says whom a policy may send
(``_choosable``).
"""

from __future__ import annotations

from stream.sim import calibration as cal
from stream.sim.dispatch import Job, Policy
from stream.sim.fleet import SimUnit, State
from stream.sim.workday import Workday

MOVE_EVERY_S = 600.0  # how often a policy that makes move-ups is asked for them
BACKUP_EVERY_S = 60.0  # how often a policy that sends back-ups looks at the calls driven to


class Rounds(Workday):
    policy: Policy
    jobs: dict[str, Job]
    moves: int  # move-ups made
    backups: int  # units sent beside one running late to an I-grade call
    _by_id: dict[str, SimUnit]
    _place: dict[str, int]  # each unit's place in the fleet: the order back-ups are looked at
    _driven_to: set[str]  # I-grade calls units were sent to, not yet reached

    def _dispatch(self, unit: SimUnit, job: Job) -> None:
        raise NotImplementedError

    def _divert(self, unit: SimUnit, job: Job) -> None:
        raise NotImplementedError

    def _choosable(self, grade: str) -> list[SimUnit]:
        raise NotImplementedError

    def _relocate(self) -> None:
        """Move-ups the policy asks for: an available unit drives (no blue lights: half
        again the blue-light time) to a standby point and is available all the way."""
        for unit, point in self.policy.relocations(self.now, self._when()):  # type: ignore[attr-defined]
            lat, lon = unit.position(self.now)
            when = self._when()
            drive = self.travel.seconds(lat, lon, point[0], point[1], unit.unit_type, when)
            seconds = cal.ROUTINE_PACE * drive
            unit.move(self.now, point, self.now, self.now + seconds)
            self.moves += 1
            self._ping_soon(unit)
        self._at(self.now + MOVE_EVERY_S, self._relocate)

    def _back_up(self) -> None:
        """A unit beside each I-grade call whose units, by their progress, will all be late,
        where the policy finds one in time (stream.recommend.backup). The calls are looked
        at in the order of their first driving unit in the fleet, each call's units in the
        fleet's order too."""
        driving: list[tuple[int, str, list[SimUnit]]] = []
        for incident_id in list(self._driven_to):
            job = self.jobs[incident_id]
            if job.first_arrival is not None or job.closed:
                self._driven_to.discard(incident_id)
                continue
            units = sorted(
                (u for u in map(self._by_id.__getitem__, job.units or []) if _driving_to(u, job)),
                key=lambda u: self._place[u.unit_id],
            )
            if units:
                driving.append((self._place[units[0].unit_id], incident_id, units))
        for _, incident_id, units in sorted(driving, key=lambda found: found[0]):
            job = self.jobs[incident_id]
            backup = self.policy.backup(job, units, self._choosable, self.now, self._when())  # type: ignore[attr-defined]
            if backup is not None:
                self.backups += 1
                (self._divert if backup.incident_id is not None else self._dispatch)(backup, job)
        self._at(self.now + BACKUP_EVERY_S, self._back_up)


def _driving_to(unit: SimUnit, job: Job) -> bool:
    return unit.state is State.EN_ROUTE and unit.incident_id == job.incident_id
